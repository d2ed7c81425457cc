"""``/healthz``: whether this process can serve, for a load balancer's health check.

``{"status": "ok", "database": "ok"}`` with 200; 503 with ``"database": "unreachable"`` when the
primary cannot be reached (every page then answers 503: ``champions.errors``). With a read
replica configured it is reported too: ``"replica": "ok"``, or ``"down"`` with ``"status":
"degraded"`` and still 200, since the pages then read from the primary (``champions.routing``).
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import routing


@never_cache
@require_safe
def healthz(request):
    answer = {"status": "ok", "database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        answer = {"status": "unavailable", "database": "unreachable"}
    if routing.replica_configured():
        answer["replica"] = "ok" if routing.replica_answers() else "down"
        if answer["replica"] == "down" and answer["status"] == "ok":
            answer["status"] = "degraded"
    return JsonResponse(answer, status=503 if answer["database"] != "ok" else 200)
