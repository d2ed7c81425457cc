"""Reads of the public pages from a PostgreSQL read replica, when one is configured.

Set ``DATABASE_REPLICA_URL`` and the public pages (GET requests outside the admin) read from that
database; everything else, staff work and every write, uses the primary. Staff therefore always
see their own changes at once; the public may see them after the replica's lag (usually well under
a second), and the summary cache is invalidated by the writes on the primary.
"""

import contextvars

from django.conf import settings

REPLICA = "replica"

_reads_from_replica = contextvars.ContextVar("reads_from_replica", default=False)


def replica_configured():
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Send reads to the replica while a public request is being served."""

    def db_for_read(self, model, **hints):
        if _reads_from_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class PublicReadsFromReplicaMiddleware:
    """Marks safe requests outside the admin as public reads, for ``ReplicaRouter``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        public = request.method in ("GET", "HEAD") and not request.path.startswith(
            self.admin_prefix
        )
        token = _reads_from_replica.set(public)
        try:
            return self.get_response(request)
        finally:
            _reads_from_replica.reset(token)
