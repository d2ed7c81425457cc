"""What the benchmark and load commands share: the scratch database they work in, and timing
pages in-process.

Requests go through the Django test client (all middleware, templates and queries, no network),
so the figures are the application's own cost, comparable between two data sets in one run.
"""

import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import override_settings

#: The scratch database on PostgreSQL is the configured database's name with this appended.
SCRATCH_SUFFIX = "_benchmark"
#: The cache in the scratch database: the table the settings make without ``DJANGO_CACHE_URL``,
#: which processes started by the benchmarks use too.
SCRATCH_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "champions_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

#: Templates name static files without the manifest ``collectstatic`` writes for production:
#: the benchmarks time pages, not static files.
PLAIN_STATIC_FILES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def benchmark_client(user=None):
    """A test client for a host the settings accept, logged in as ``user`` if given."""
    hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "")]
    client = Client(HTTP_HOST=hosts[0].lstrip(".") if hosts else "localhost")
    if user is not None:
        client.force_login(user)
    return client


def time_get(client, url):
    """Milliseconds one GET of ``url`` takes, its whole body read; a non-200 answer stops."""
    started = time.perf_counter()
    response = client.get(url, secure=True)
    if response.streaming:
        b"".join(response.streaming_content)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise CommandError(f"{url} answered {response.status_code}")
    return elapsed * 1000


def median_get(client, url, repeat):
    """The median of ``repeat`` timings of ``url``, after one request that warms it up."""
    time_get(client, url)
    return statistics.median(time_get(client, url) for _ in range(repeat))


@contextlib.contextmanager
def scratch_database(stdout, sample_data=False):
    """Run the block in a new, migrated database, dropped afterwards however the block ends
    (normally, with an error, or by Ctrl-C); yield its name.

    The benchmarks add up to millions of synthetic firms with titles in force: written into the
    configured registry they would be listed in its public directory (a run on real data once left
    2,000 there), so they never touch it. On PostgreSQL the scratch database is the configured
    name plus ``SCRATCH_SUFFIX`` on the same server (a leftover of a killed run is dropped first;
    the database user needs CREATEDB), on SQLite a file in a temporary directory.

    Within the block every database alias connects to it, the read replica too (which would
    otherwise serve the registry's rows to the public pages), and the cache is its table there
    (a shared cache, Redis, would otherwise get the benchmark's pages and data version, and the
    registry's web server would serve them). Processes started meanwhile (``import_csv``,
    gunicorn) inherit the same: ``DATABASE_URL`` names the scratch database, and
    ``DATABASE_REPLICA_URL`` and ``DJANGO_CACHE_URL`` are unset. ``sample_data`` loads
    ``load_demo`` into it first.
    """
    with _new_database(connections[DEFAULT_DB_ALIAS]) as (name, url):
        stdout.write(f"Working in the scratch database {name}, dropped at the end.")
        with (
            _connections_to(name),
            override_settings(CACHES=SCRATCH_CACHES),
            _environment(DATABASE_URL=url, DATABASE_REPLICA_URL=None, DJANGO_CACHE_URL=None),
        ):
            call_command("migrate", interactive=False, verbosity=0)  # creates the cache table too
            if sample_data:
                call_command("load_demo", stdout=stdout)
            yield name


@contextlib.contextmanager
def _new_database(configured):
    """A new empty database beside ``configured``'s, ``(name, DATABASE_URL)``; dropped on exit."""
    if configured.vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="champions-benchmark-") as folder:
            path = Path(folder) / "scratch.sqlite3"
            yield str(path), f"sqlite:///{path}"
        return
    if configured.vendor != "postgresql":
        raise CommandError("The benchmarks run on PostgreSQL or SQLite.")
    name = configured.settings_dict["NAME"] + SCRATCH_SUFFIX
    if len(name.encode()) > configured.ops.max_name_length():
        # PostgreSQL would shorten it silently, possibly to the configured database's own name.
        raise CommandError(f"{name} is too long for a PostgreSQL database name.")
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + quote(name)).geturl()
    # FORCE ends sessions still open in it, such as those of a server killed with its benchmark.
    drop = f"DROP DATABASE IF EXISTS {configured.ops.quote_name(name)} WITH (FORCE)"
    try:
        with configured._nodb_cursor() as cursor:
            cursor.execute(drop)
            cursor.execute(f"CREATE DATABASE {configured.ops.quote_name(name)}")
    except DatabaseError as error:
        raise CommandError(f"Could not create the scratch database {name}: {error}") from error
    try:
        yield name, url
    finally:
        with configured._nodb_cursor() as cursor:
            cursor.execute(drop)


@contextlib.contextmanager
def _connections_to(name):
    """Every alias's connection on database ``name``, with the primary's other settings, within
    the block; as before afterwards.

    New connection objects take the aliases' places rather than the old ones being redirected,
    so that those are left as they were: an open transaction, or an in-memory SQLite database,
    which closing would destroy.
    """
    databases = connections.settings  # settings.DATABASES itself
    scratch = {**databases[DEFAULT_DB_ALIAS], "NAME": name}
    replaced = []
    try:
        for alias in databases:
            wrapper = load_backend(scratch["ENGINE"]).DatabaseWrapper(dict(scratch), alias)
            replaced.append((alias, databases[alias], connections[alias]))
            databases[alias], connections[alias] = wrapper.settings_dict, wrapper
        yield
    finally:
        for alias, settings_dict, wrapper in replaced:
            connections[alias].close()
            databases[alias], connections[alias] = settings_dict, wrapper


@contextlib.contextmanager
def _environment(**values):
    """``os.environ`` with ``values`` set (``None``: unset) within the block."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def _set_environment(values):
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
