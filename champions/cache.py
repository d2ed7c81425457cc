"""The public pages' cache, and its invalidation whenever the registry's data changes.

Every value is stored under the current *data version*, a random token kept in the cache itself.
Saving or deleting any record of the registry (post_save, post_delete, m2m_changed) and every
import run replace the token, so the next request computes afresh: a change made in the admin
shows on the next page load, and nothing has to know which pages a change affects. Code that
writes rows without model signals (``bulk_create``, ``update``, raw SQL) calls ``data_changed()``.

The cache is one for every process (the database cache table, or Redis: ``DJANGO_CACHE_URL``),
so an import run by a command reaches the web server. A change made inside a transaction
publishes its new version only when the transaction commits: until then the transaction reads
with a version of its own (pages it computes see its uncommitted rows, and nobody else gets
them), and it never writes the shared version while it is open. Writing it would lock the
database cache's row for the rest of the transaction, and every staff save and every page that
changes data would wait for the longest import to commit.
"""

import functools
import hashlib
import re
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

VERSION_KEY = "champions:data-version"

#: How long a computed page stays cached if no change comes first.
TIMEOUT = 24 * 60 * 60


#: Attribute of a database connection holding the version of its open transaction's changes.
_PENDING = "champions_pending_data_version"


def data_version():
    """The current data version: the open transaction's own when it has changed data, else the
    shared one (a new one if the cache has lost it)."""
    pending = _pending_version(transaction.get_connection())
    if pending is not None:
        return pending
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(VERSION_KEY, version, None)
    return version


def _new_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


class _Publish:
    """The on-commit callback that makes a transaction's version the shared one. Each change
    registers one; only the last change's publishes, so a transaction writes the cache once."""

    def __init__(self, connection, token):
        self.connection, self.token = connection, token

    def __call__(self):
        if getattr(self.connection, _PENDING, None) == self.token:
            setattr(self.connection, _PENDING, None)
            cache.set(VERSION_KEY, self.token, None)


def _pending_version(connection):
    """The open transaction's version, while its callback is still to run at commit; a rolled
    back transaction's version is forgotten (its pages had rows that never existed)."""
    token = getattr(connection, _PENDING, None)
    if token is None:
        return None
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in reversed(connection.run_on_commit):
            if getattr(callback, "token", None) == token:
                return token
    setattr(connection, _PENDING, None)
    return None


def data_changed(using=None, **kwargs):
    """Make every cached page stale: at once outside a transaction; inside one, for the
    transaction's own reads now and for everybody when it commits. Works as a signal receiver
    too."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _new_version()
        return
    token = uuid.uuid4().hex
    setattr(connection, _PENDING, token)
    transaction.on_commit(_Publish(connection, token), using=using)


def _key(name, parts):
    """The cache key of ``name`` with ``parts`` under the current data version, today's date
    ("in force today" changes at midnight without any edit) and the active language."""
    digest = hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:32]
    today = timezone.localdate().isoformat()
    return f"champions:{data_version()}:{today}:{get_language()}:{name}:{digest}"


def cached(name, parts, compute):
    """``compute()``'s value for page ``name`` with parameters ``parts`` in the active language,
    from the cache when the data have not changed since it was stored."""
    key = _key(name, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


#: The CSRF token of the language switch form: per visitor, so never stored in a cached page.
_CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = "\x00csrf-token\x00"
#: Headers of a page that are kept with it in the cache.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def cached_response(view):
    """Serve a public view's whole response from the cache until the data change.

    Only successful, non-streaming responses that set no cookie are stored, keyed by the full
    path with its query string (and the language and data version, like ``cached``). The CSRF
    token of the page's language-switch form is put back fresh for every visitor.
    """

    @functools.wraps(view)
    def serve(request, *args, **kwargs):
        key = _key("response", {"path": request.get_full_path(), "view": view.__name__})
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return response
            content = _CSRF_FIELD.sub(
                rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>", response.content.decode(response.charset)
            )
            headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
            cache.set(key, (content, headers), TIMEOUT)
            return response
        content, headers = stored
        if _CSRF_PLACEHOLDER in content:
            content = content.replace(_CSRF_PLACEHOLDER, get_token(request))
        return HttpResponse(content, headers=headers)

    return serve


def _is_registry_model(sender):
    """A model of the registry's data: not its change history, and not the frozen copy of a model
    that migrations use (migrations end with ``create_cache_table``, which starts afresh)."""
    registry = apps.get_app_config("champions")
    return sender in registry.models.values() and not sender.__name__.startswith("Historical")


@receiver(post_save, dispatch_uid="champions-cache-post-save")
@receiver(post_delete, dispatch_uid="champions-cache-post-delete")
@receiver(m2m_changed, dispatch_uid="champions-cache-m2m-changed")
def _record_changed(sender, using=None, **kwargs):
    # m2m_changed's sender is the through model, whose app is the app of the model declaring it.
    if _is_registry_model(sender):
        data_changed(using=using)


@receiver(post_migrate, dispatch_uid="champions-cache-table")
def create_cache_table(sender, using="default", **kwargs):
    """Create the database cache table after ``migrate``, so a fresh database serves pages, and
    start a new data version, since migrations may have changed data."""
    if sender is not apps.get_app_config("champions"):
        return
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("DatabaseCache") and router.allow_migrate(using, "champions"):
        call_command("createcachetable", database=using, verbosity=0)
    _new_version()
