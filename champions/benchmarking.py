"""Timing pages in-process, for the benchmark commands.

Requests go through the Django test client (all middleware, templates and queries, no network),
so the figures are the application's own cost, comparable between two data sets in one run.
"""

import statistics
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.test import Client

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
