"""Health check and the page shown when the database cannot be reached.

A load balancer asks ``/healthz`` whether this process can serve; when the database is down every
page answers 503 with a short page that gives no internals away, instead of a 500.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

#: Errors that mean "the database is unreachable", as opposed to a bug in a query.
UNREACHABLE = (OperationalError, InterfaceError)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request):
    """``handler500``: a 503 page when the database is unreachable, else the usual 500 page.

    Django calls it while handling the exception, so ``sys.exc_info`` tells which it was. The
    templates are rendered without the request, so no context processor touches the database.
    """
    error = sys.exc_info()[1]
    if isinstance(error, UNREACHABLE):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
