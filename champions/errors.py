"""What an error answers: a page in the site's layout, or JSON where JSON was asked for.

The JSON endpoints (``/api/…`` and the ``?format=json`` twins) answer every error as JSON with
its status, ``{"error": "not_found", "message": "…"}``: a client parsing JSON never gets an HTML
page. A bad query string is the views' own 400 (``{"errors": {field: […]}}``). When the database
cannot be reached, every address answers 503 with ``Retry-After``, and nothing of the internals.

``config/urls.py`` makes these Django's ``handler400``/``403``/``404``/``500``; the public pages'
405 comes from ``cache.cached_response``.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

#: Errors that mean "the database is unreachable", as opposed to a bug in a query.
UNREACHABLE = (OperationalError, InterfaceError)

#: How long a client should wait before asking again while the database is down, in seconds.
RETRY_AFTER = "60"


def wants_json(request):
    """Whether ``request`` asked for JSON: the API, or a page's JSON twin."""
    return request.path.startswith("/api/") or request.GET.get("format") == "json"


def json_error(status, code, message):
    return JsonResponse(
        {"error": code, "message": str(message)},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def method_not_allowed(request, allowed):
    """405 naming the ``allowed`` methods in ``Allow``; never the page."""
    if wants_json(request):
        response = json_error(
            405, "method_not_allowed", _("This address answers only GET and HEAD requests.")
        )
        response["Allow"] = ", ".join(allowed)
        return response
    return HttpResponseNotAllowed(allowed)


def bad_request(request, exception):
    if wants_json(request):
        return json_error(400, "bad_request", _("The request could not be understood."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if wants_json(request):
        return json_error(403, "forbidden", _("This request is not allowed."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if wants_json(request):
        return json_error(404, "not_found", _("There is no public page at this address."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500``: a 503 when the database is unreachable, else the usual 500; as JSON when
    JSON was asked for.

    Django calls it while handling the exception, so ``sys.exc_info`` tells which it was. The
    templates are rendered without the request, so no context processor touches the database.
    """
    unreachable = isinstance(sys.exc_info()[1], UNREACHABLE)
    if wants_json(request):
        if unreachable:
            message = _(
                "The registry cannot be reached at the moment. Please try again in a few minutes."
            )
            response = json_error(503, "unavailable", message)
        else:
            message = _(
                "Something went wrong on our side. It has been logged; please try again later."
            )
            response = json_error(500, "server_error", message)
    elif unreachable:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    else:
        return HttpResponse(loader.render_to_string("500.html"), status=500)
    if unreachable:
        response["Retry-After"] = RETRY_AFTER
    return response
