"""``manage.py load_test``: drive the public pages under gunicorn with concurrent clients.

It serves the sample data with gunicorn (production settings, static files collected and served
by WhiteNoise), warms each page once, then for each URL keeps ``--clients`` keep-alive
connections busy for ``--seconds`` and reports requests per second, errors and latency
percentiles, next to the rate of a static file served by the same server in the same run.

With ``--downloads N`` it then measures, for each URL, the latency ``--probe-clients`` clients
(default 1) see alone and again while N other clients download the directory's CSV twin
(``--download-path``) without pause, and prints the p99 of both and their ratio (the target:
at most 3x), with the downloads' own rate and latency. The downloading clients run in a process
of their own, so that their reading does not hold up the measuring clients' interpreter.

The sample data are loaded into a scratch database of its own, which gunicorn is given
(``champions.benchmarking.scratch_database``) and which is dropped at the end: the configured
registry is never served or written.
"""

import http.client
import inspect
import json
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
#: Threads per gunicorn worker, as in the README's production command: a client downloading a
#: large file slowly then holds one thread, not a whole worker.
THREADS = 4
DOWNLOAD_PATH = "/enterprises/?format=csv"
#: The target: a page's p99 while others download CSVs at most this many times its p99 alone.
DOWNLOAD_TARGET = 3.0
#: A process of ``clients`` threads downloading ``path`` for ``seconds``, with ``hammer``'s
#: source; prints the results as JSON (started by ``downloading``).
DOWNLOADER = """
import http.client, json, statistics, sys, threading, time
{hammer}
port, path, clients, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
print(json.dumps(hammer(port, path, clients, seconds)))
"""
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
    latencies, errors, lock, received = [], [0], threading.Lock(), [0]
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed, size = [], 0, 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Language": "zh-hans"})
                response = connection.getresponse()
                size = len(response.read())
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
            received[0] = max(received[0], size)

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
        "bytes": received[0],
    }


class downloading:
    """``clients`` clients downloading ``path`` without pause, in a process of their own, for
    as long as the block runs (at most ``seconds``); ``.result`` has their results after it."""

    def __init__(self, port, path, clients, seconds):
        self.args = [str(port), path, str(clients), str(seconds)]
        self.result = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", DOWNLOADER.format(hammer=inspect.getsource(hammer)), *self.args],
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)  # every client connected and downloading
        return self

    def __exit__(self, *exc_info):
        output, _ = self.process.communicate(timeout=float(self.args[3]) + 60)
        if self.process.returncode == 0:
            self.result = json.loads(output.strip().splitlines()[-1])
        return False


class Command(BaseCommand):
    help = "Load-test the public pages under gunicorn and compare with a static file."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
        parser.add_argument(
            "--threads",
            type=int,
            default=THREADS,
            help="threads per worker, as the README's gunicorn command runs it (1: sync workers)",
        )
        parser.add_argument(
            "--path", action="append", dest="paths", help="a page to test (repeatable)"
        )
        parser.add_argument(
            "--downloads",
            type=int,
            default=0,
            help="then time each page alone and while this many clients download CSVs",
        )
        parser.add_argument("--download-path", default=DOWNLOAD_PATH)
        parser.add_argument("--probe-clients", type=int, default=1)
        parser.add_argument(
            "--skip-rates", action="store_true", help="only the downloads' comparison"
        )

    def handle(self, *args, clients, seconds, workers, paths, **options):
        self.options = options
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
                    "--threads",
                    str(options["threads"]),
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
        downloads = self.options["downloads"]
        for path in [STATIC_FILE, *paths]:  # warm every page (and its cache) once
            hammer(port, path, 1, 0.2)
        if downloads:
            hammer(port, self.options["download_path"], 1, 0.2)
        if not self.options["skip_rates"]:
            self._rates(port, paths, clients, seconds, workers)
        if downloads:
            self._downloads(port, paths, downloads, seconds, workers)

    def _rates(self, port, paths, clients, seconds, workers):
        static = hammer(port, STATIC_FILE, clients, seconds)
        self.stdout.write(
            f"gunicorn, {workers} workers x {self.options['threads']} threads; "
            f"{clients} concurrent clients; {seconds:g} s per URL; "
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

    def _downloads(self, port, paths, downloads, seconds, workers):
        """Each page's p99 alone, then while ``downloads`` clients download CSVs."""
        probes, download_path = self.options["probe_clients"], self.options["download_path"]
        self.stdout.write(
            f"gunicorn, {workers} workers x {self.options['threads']} threads; "
            f"{probes} client(s) per page, {seconds:g} s alone and "
            f"{seconds:g} s while {downloads} clients download {download_path}; database "
            f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
        )
        header = "".join(
            f"{name:>{width}}"
            for name, width in (
                ("p99 alone", 11),
                ("p99 loaded", 12),
                ("ratio", 8),
                ("p50 alone", 11),
                ("p50 loaded", 12),
                ("CSV/s", 8),
                ("CSV p50", 9),
                ("errors", 8),
            )
        )
        self.stdout.write(f"{'URL (ms)':<40}{header}")
        worst, failures = 0.0, 0
        for path in paths:
            alone = hammer(port, path, probes, seconds)
            with downloading(port, download_path, downloads, seconds + 2) as csv:
                loaded = hammer(port, path, probes, seconds)
            csv = csv.result or {"rps": 0.0, "p50": float("nan"), "errors": 1, "bytes": 0}
            if not loaded["requests"]:  # not one answer before the end: worse than any ratio
                loaded["p99"] = loaded["p50"] = float("inf")
            ratio = loaded["p99"] / alone["p99"] if alone["p99"] else float("inf")
            worst = max(worst, ratio)
            errors = alone["errors"] + loaded["errors"] + csv["errors"]
            failures += errors
            self.stdout.write(
                f"{path:<40}{alone['p99']:>11.1f}{loaded['p99']:>12.1f}{ratio:>7.1f}x"
                f"{alone['p50']:>11.1f}{loaded['p50']:>12.1f}{csv['rps']:>8.0f}"
                f"{csv['p50']:>9.1f}{errors:>8}"
            )
        self.stdout.write(
            f"CSV of {csv['bytes']:,} bytes; worst ratio {worst:.1f}x "
            f"(target at most {DOWNLOAD_TARGET:g}x); errors in total: {failures}"
        )
