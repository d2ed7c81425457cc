"""Reads of the public pages from a PostgreSQL read replica, when one is configured.

Set ``DATABASE_REPLICA_URL`` and the public pages (GET requests outside the admin) read from that
database; everything else, staff work and every write, uses the primary. Staff therefore always
see their own changes at once; the public may see them after the replica's lag (usually well under
a second), and the summary cache is invalidated by the writes on the primary.

Sessions, accounts, login throttling (django-axes), the admin's log and content types are read
from the primary always, public request or not: a session written at login and read back from a
replica that lags would not be there yet, and the staff member would be logged out.

A replica that cannot be reached is no outage: a public request whose first read finds it down
reads from the primary instead, and so do the requests of the next ``RETRY_SECONDS`` in that
process, before the replica is tried again; a request whose replica failed during the view is
served again from the primary. ``/healthz`` reports the replica's state (``champions.health``).
"""

import contextvars
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"

#: Apps whose rows are always read from the primary.
PRIMARY_APPS = frozenset({"sessions", "auth", "axes", "admin", "contenttypes"})

#: Seconds a process reads from the primary after the replica failed, before trying it again.
RETRY_SECONDS = 10.0


class _Public:
    """The state of the public request being served: whether its reads use the replica (found
    out at its first read)."""

    usable = None


_public = contextvars.ContextVar("public_request", default=None)

#: When this process tries the replica again after a failure (``time.monotonic()``).
_down_until = 0.0
_lock = threading.Lock()


def replica_configured():
    return REPLICA in settings.DATABASES


def mark_down():
    global _down_until
    with _lock:
        _down_until = time.monotonic() + RETRY_SECONDS


def replica_usable():
    """Whether public reads may use the replica: it was not found down in the last
    ``RETRY_SECONDS``, and its connection is open (or opens now) and passes Django's health
    check."""
    if time.monotonic() < _down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError:
        mark_down()
        return False
    return True


def replica_answers():
    """Whether the replica answers a query now (for ``/healthz``); a failure counts as a failure
    of ``replica_usable``, so the pages turn to the primary at once."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        mark_down()
        return False
    return True


class ReplicaRouter:
    """Send reads to the replica while a public request is being served, if it answers."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_APPS:
            return "default"
        public = _public.get()
        if public is None or not replica_configured():
            return None
        if public.usable is None:
            public.usable = replica_usable()
        return REPLICA if public.usable else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class PublicReadsFromReplicaMiddleware:
    """Marks safe requests outside the admin as public reads, for ``ReplicaRouter``; serves a
    public request again from the primary when the replica failed under it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        public = request.method in ("GET", "HEAD") and not request.path.startswith(
            self.admin_prefix
        )
        token = _public.set(_Public() if public else None)
        try:
            return self.get_response(request)
        finally:
            _public.reset(token)

    def process_exception(self, request, exception):
        public = _public.get()
        if public is None or not public.usable or not isinstance(exception, DatabaseError):
            return None
        if replica_answers():
            return None  # the error was not the replica's
        public.usable = False
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
