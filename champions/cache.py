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

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import router, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt

from .errors import method_not_allowed

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
#: The methods that reach the public pages; every other one is a 405.
SAFE_METHODS = ("GET", "HEAD")
#: The twins a page may be asked for with ``?format=``.
FORMATS = ("csv", "json")


def _canonical(value):
    """A cleaned form value as the text that names it: a record by its primary key, a number or
    a date by its usual spelling, several values sorted, without repeats."""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted({_canonical(item) for item in value}))
    return str(value).strip()


def form_parts(form):
    """What a valid ``form`` (a Django form or a FilterSet's) asks for, normalised: the fields
    with a value, each spelt one way. ``?year=02021``, ``?year=2021`` and ``?year=2021&x=1``
    are the same page, so they make one cache entry.

    Several choices by code (``?tier=a&tier=b``) are taken as sent, stripped, sorted and
    without repeats: the form found each of them already, and reading its cleaned queryset would
    cost a query more."""
    parts = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            value = _canonical([v.strip() for v in form.data.getlist(name) if v.strip()])
        else:
            value = form.cleaned_data.get(name)
            value = "" if value is None else _canonical(value)
        if value not in ("", ()):
            parts[name] = value
    return parts


def page_number(query):
    """``?page=`` as the paginator reads it: a whole number (``0003`` is page 3), else none
    (a paginator's first page)."""
    try:
        return str(int(query.get("page", "")))
    except ValueError:
        return ""


def request_parts(request, form=None, names=()):
    """``(parts, understood)``: the parameters of ``request`` that its page understands,
    normalised (``form_parts``), or ``None`` when ``form`` rejects them; and the names of all
    the parameters it reads. ``form`` is the page's FilterSet or form class; ``names`` are the
    other parameters it reads: ``page``, ``format``. Any other parameter is ignored: it changes
    nothing on the page, so it must not make another cache entry."""
    parts, understood = {}, set(names)
    if form is not None:
        bound = form(request.GET)
        if hasattr(bound, "form"):  # a FilterSet
            bound = bound.form
        understood.update(bound.fields)
        if not bound.is_valid():
            return None, understood
        parts.update(form_parts(bound))
    if "page" in names and page_number(request.GET):
        parts["page"] = page_number(request.GET)
    if "format" in names and request.GET.get("format") in FORMATS:
        parts["format"] = request.GET["format"]
    return parts, understood


def _keep_only(request, understood):
    """Take the parameters a page does not read out of ``request``, so that the page it makes
    (stored for everyone with that key) cannot carry them: in its links, the language switch's
    ``next``, or a view reading a parameter it has not declared."""
    if all(name in understood for name in request.GET):
        return
    query = request.GET.copy()
    for name in list(query):
        if name not in understood:
            del query[name]
    query._mutable = False
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


def reads(form=None, *names):
    """Declare what a public view reads of its query string, for ``cached_response``: its
    FilterSet (or form) class and the other parameters (``page``, ``format``)."""

    def declare(view):
        view.page_reads = (form, names)
        return view

    return declare


def cached_response(view):
    """Serve a public view's whole response from the cache until the data change.

    Only GET and HEAD reach the view: any other method is a 405 naming them, answered before the
    cache is read. The key is the path, the parameters the page understands (``request_parts``
    of what the view declares with ``reads``), the language and the data version, like
    ``cached``; the view sees those parameters alone (``_keep_only``). A request whose
    parameters the form rejects goes to the view (its 400) and nothing is stored. Only
    successful responses that set no cookie are stored; a streaming one (the directory's CSV) as
    it is sent (``_store_stream``). The CSRF token of the page's language-switch form is put
    back fresh for every visitor.
    """

    form, names = getattr(view, "page_reads", (None, ()))

    @functools.wraps(view)
    def serve(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return method_not_allowed(request, SAFE_METHODS)
        parts, understood = request_parts(request, form, names)
        _keep_only(request, understood)
        if parts is None:
            return view(request, *args, **kwargs)
        key = _key(
            "response",
            {"path": request.path, "view": view.__name__, "query": sorted(parts.items())},
        )
        stored = _local_streams.get(key) or cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.cookies:
                return response
            headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
            if response.streaming:
                response.streaming_content = _store_stream(key, response.streaming_content, headers)
                return response
            content = _CSRF_FIELD.sub(
                rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>", response.content.decode(response.charset)
            )
            cache.set(key, (content, headers), TIMEOUT)
            return response
        content, headers = stored
        if isinstance(content, bytes):  # a stored stream: bytes, never with a CSRF token
            _keep_local(key, stored)
            return _stream_stored(content, headers)
        if _CSRF_PLACEHOLDER in content:
            content = content.replace(_CSRF_PLACEHOLDER, get_token(request))
        return HttpResponse(content, headers=headers)

    # No CSRF check: only GET and HEAD reach the view, so a POST is the 405 above, not a 403.
    return csrf_exempt(serve)


#: Pieces a stored stream is sent in.
STREAM_CHUNK = 256 * 1024
#: Stored streams (the directory's CSV, a megabyte or more) this process keeps a copy of, so
#: that each download does not fetch it from the shared cache again. Their keys hold the data
#: version: a change makes a new key, and the oldest copy is dropped.
LOCAL_STREAMS = 4
_local_streams = {}


def _keep_local(key, stored):
    if key in _local_streams:
        return
    while len(_local_streams) >= LOCAL_STREAMS:
        _local_streams.pop(next(iter(_local_streams), None), None)
    _local_streams[key] = stored


def _store_stream(key, chunks, headers):
    """Pass ``chunks`` on as they come, and store them all once the last has been sent; a
    download broken off stores nothing (the rest would be missing)."""
    sent = []
    for chunk in chunks:
        sent.append(chunk)
        yield chunk
    cache.set(key, (b"".join(sent), headers), TIMEOUT)


def _stream_stored(content, headers):
    view = memoryview(content)
    chunks = (bytes(view[i : i + STREAM_CHUNK]) for i in range(0, len(content), STREAM_CHUNK))
    response = StreamingHttpResponse(chunks, headers=headers)
    response["Content-Length"] = str(len(content))
    return response


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
