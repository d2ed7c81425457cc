"""``manage.py load_test``: drive the public pages under gunicorn with concurrent clients.

It serves the sample data with gunicorn (production settings, static files collected and served
by WhiteNoise), warms each page once, then for each URL keeps ``--clients`` keep-alive
connections busy for ``--seconds`` and reports requests per second, errors and latency
percentiles, next to the rate of a static file served by the same server in the same run.

The sample data are loaded into a scratch database of its own, which gunicorn is given
(``champions.benchmarking.scratch_database``) and which is dropped at the end: the configured
registry is never served or written.
"""

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from champions.benchmarking import scratch_database

STATIC_FILE = "/static/admin/css/base.css"
DEFAULT_PAGES = [
    "/",
    "/enterprises/",
    "/breakdowns/regions/",
    "/breakdowns/industries/",
    "/breakdowns/batches/",
    "/seminars/",
    "/api/summary.json",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hammer(port, path, clients, seconds):
    """Keep ``clients`` connections requesting ``path`` for ``seconds``; return the results."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Language": "zh-hans"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - start)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "errors": errors[0],
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
    }


class Command(BaseCommand):
    help = "Load-test the public pages under gunicorn and compare with a static file."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
        parser.add_argument(
            "--path", action="append", dest="paths", help="a page to test (repeatable)"
        )

    def handle(self, *args, clients, seconds, workers, paths, **options):
        paths = paths or DEFAULT_PAGES
        port = free_port()
        with (
            scratch_database(self.stdout, sample_data=True),
            tempfile.TemporaryDirectory() as static_root,
        ):
            env = {  # with DATABASE_URL naming the scratch database
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_HTTPS": "0",
                "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY")
                or secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_STATIC_ROOT": static_root,
            }
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
                env=env,
                cwd=settings.BASE_DIR,
                check=True,
            )
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--log-level",
                    "warning",
                ],
                env=env,
                cwd=settings.BASE_DIR,
            )
            try:
                self._wait_until_up(port)
                self._run(port, paths, clients, seconds, workers)
            finally:
                server.terminate()
                server.wait(timeout=30)

    def _wait_until_up(self, port):
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise CommandError("gunicorn did not answer /healthz")

    def _run(self, port, paths, clients, seconds, workers):
        for path in [STATIC_FILE, *paths]:  # warm every page (and its cache) once
            hammer(port, path, 1, 0.2)
        static = hammer(port, STATIC_FILE, clients, seconds)
        self.stdout.write(
            f"gunicorn, {workers} workers; {clients} concurrent clients; {seconds:g} s per URL; "
            f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
        )
        columns = ("req/s", 9), ("vs static", 11), ("errors", 8), ("p50 ms", 9), ("p95 ms", 9)
        header = "".join(f"{name:>{width}}" for name, width in (*columns, ("p99 ms", 9)))
        self.stdout.write(f"{'URL':<40}{header}")
        self._row(STATIC_FILE + " (baseline)", static, static)
        failures = static["errors"]
        for path in paths:
            result = hammer(port, path, clients, seconds)
            failures += result["errors"]
            self._row(path, result, static)
        self.stdout.write(f"errors in total: {failures}")

    def _row(self, label, result, static):
        self.stdout.write(
            f"{label:<40}{result['rps']:>9.0f}{result['rps'] / static['rps']:>10.0%}"
            f"{result['errors']:>8}{result['p50']:>9.1f}{result['p95']:>9.1f}{result['p99']:>9.1f}"
        )
