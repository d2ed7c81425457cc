"""``manage.py benchmark_import --rows N``: how fast ``import_csv enterprises`` is, next to the
baselines measured in the same run on the same database.

It writes a file of N enterprises (Chinese headers, UTF-8 with BOM), then times:

- ``import_csv`` itself, run as a separate process as a data officer runs it: first into an empty
  table, then again with nothing changed (which must write nothing); with the peak memory of each;
- Django's ``bulk_create`` (with simple-history's bulk history rows) after the same per-cell
  validation, in batches, in one transaction;
- django-import-export in bulk mode with its fastest documented settings, on a subset whose rate
  is extrapolated to N (it is too slow to run on all of them), if the ``bench`` extra is installed;
- on PostgreSQL, ``COPY`` of the same file into a bare table: the physical limit.

It works in a scratch database of its own (``champions.benchmarking.scratch_database``), which
the ``import_csv`` processes use too: the configured registry is never written.
"""

import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history

from champions.benchmarking import scratch_database
from champions.importing.columns import Header
from champions.importing.errors import ErrorLog
from champions.importing.kinds import KINDS
from champions.importing.layout import Layout
from champions.importing.parallel import worker_count
from champions.importing.reading import open_csv
from champions.importing.references import References
from champions.models import Enterprise, FormerName, Region
from champions.text import name_key
from champions.validators import credit_code_check_character

HEADER = ["统一社会信用代码", "企业名称", "所属区县", "所属行业", "主导产品", "成立年份"]
FILE_COLUMNS = ("credit_code", "name", "region", "industry", "main_product", "founded")
INDUSTRIES = [
    "electrical",
    "footwear",
    "apparel",
    "auto_parts",
    "pumps_valves",
    "new_materials",
    "digital_economy",
    "smart_equipment",
    "life_health",
    "",
]
PRODUCTS = ["离心泵", "断路器", "皮鞋", "西装", "汽车零部件", "锂电池", "工业软件", "医疗器械"]
BATCH_ROWS = 5_000


def write_file(path, rows):
    """N enterprises as a province would send them; the same N every time (fixed seed)."""
    regions = list(
        Region.objects.filter(parent_id=settings.CHAMPIONS_CITY_CODE).values_list("code", flat=True)
    )
    rng = random.Random(2021)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for serial in range(rows):
            body = f"91330300{serial:09d}"
            writer.writerow(
                [
                    body + credit_code_check_character(body),
                    f"温州基准{serial:07d}制造有限公司",
                    rng.choice(regions),
                    rng.choice(INDUSTRIES),
                    rng.choice(PRODUCTS),
                    rng.randint(1980, 2020),
                ]
            )


class Memory:
    """Peak memory of an import: its process, and its worker processes if it forked any (each
    counted whole, although they share the pages they inherited: an upper bound)."""

    def __init__(self, main_mb, worker_mb):
        self.main, self.worker = main_mb, worker_mb
        self.workers = worker_count() if worker_mb else 0

    @property
    def total(self):
        return self.main + self.workers * self.worker

    def __str__(self):
        if not self.workers:
            return f"one process, {self.main:.0f} MB"
        return f"main {self.main:.0f} MB + {self.workers} workers × {self.worker:.0f} MB"


class Timer:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started


#: ``import_csv`` as ``manage.py`` runs it, then the peak memory of the process and of the
#: largest of the worker processes it forked (``ru_maxrss``, kilobytes on Linux).
IMPORT_AND_MEASURE = """
import resource, sys
import django
django.setup()
from django.core.management import call_command
call_command("import_csv", "enterprises", sys.argv[1])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


def run_import_command(path):
    """``import_csv enterprises PATH`` in a separate process, as a data officer runs it:
    ``(seconds, last output line, peak MB of the process, peak MB of its largest worker)``.
    The process inherits ``DATABASE_URL``, which names the scratch database."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-c", IMPORT_AND_MEASURE, str(path)],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            stdout=out,
            stderr=err,
            check=False,
        )
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    if completed.returncode != 0:
        raise CommandError(f"import_csv enterprises {path} failed:\n{output}\n{errors}")
    main_kb, worker_kb = (int(value) for value in errors.split()[-2:])
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS
    summary = output.strip().splitlines()[-1]
    return seconds, summary, main_kb * scale / 2**20, worker_kb * scale / 2**20


def clear_enterprises():
    with connection.cursor() as cursor:
        tables = [FormerName, Enterprise.history.model, Enterprise]
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
            # CASCADE reaches only tables that refer to enterprises, empty in the scratch database.
            cursor.execute(f"TRUNCATE {names} CASCADE")
        else:
            for model in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def state_of_enterprises():
    """What a write would change: row counts and the latest change time."""
    from django.db.models import Max

    return (
        Enterprise.objects.count(),
        Enterprise.history.count(),
        Enterprise.objects.aggregate(Max("updated_at"))["updated_at__max"],
    )


def bulk_create_baseline(path):
    """The same per-cell validation as the importer, then Django's bulk_create with history."""
    kind = KINDS["enterprises"](References(), ErrorLog())
    columns = kind.columns()
    errors = ErrorLog()
    line, cells, labels, data = Layout(columns, errors).read(open_csv(path).chunks(BATCH_ROWS))
    parse_chunk = Header(columns, kind.required, line, cells, labels).chunk_parser(errors)
    with transaction.atomic():
        for lines, rows in data:
            values, bad = parse_chunk(lines, rows)
            firms = [
                Enterprise(
                    credit_code=code,
                    name=name,
                    name_key=name_key(name),
                    region_id=region,
                    industry_id=industry,
                    main_product=product,
                    founded=founded,
                )
                for index, (code, name, region, industry, product, founded) in enumerate(
                    zip(*(values[name] for name in FILE_COLUMNS), strict=True)
                )
                if index not in bad
            ]
            bulk_create_with_history(firms, Enterprise, batch_size=BATCH_ROWS)
    if errors:
        raise CommandError(f"the generated file has errors: {errors.sorted()[:3]}")


def import_export_baseline(path, rows):
    """django-import-export, bulk mode, on the first ``rows`` rows: (seconds, version) or None."""
    try:
        import import_export
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        return None

    class EnterpriseResource(resources.ModelResource):
        credit_code = fields.Field("credit_code", column_name=HEADER[0])
        name = fields.Field("name", column_name=HEADER[1])
        region = fields.Field(
            "region", column_name=HEADER[2], widget=widgets.ForeignKeyWidget(Region, "code")
        )
        industry = fields.Field(
            "industry",
            column_name=HEADER[3],
            widget=widgets.ForeignKeyWidget(
                Enterprise._meta.get_field("industry").related_model, "code"
            ),
        )
        main_product = fields.Field("main_product", column_name=HEADER[4])
        founded = fields.Field("founded", column_name=HEADER[5], widget=widgets.IntegerWidget())

        class Meta:
            model = Enterprise
            fields = ("credit_code", "name", "region", "industry", "main_product", "founded")
            import_id_fields = ("credit_code",)
            # The fastest settings its documentation gives for bulk imports.
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_html_diff = True
            force_init_instance = True
            use_transactions = True

        def before_save_instance(self, instance, row, **kwargs):
            instance.name_key = name_key(instance.name)

    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        dataset = tablib.Dataset(headers=next(reader))
        for _line, cells in zip(range(rows), reader, strict=False):
            dataset.append(cells)
    with Timer() as timer:
        result = EnterpriseResource().import_data(dataset, dry_run=False, raise_errors=True)
    if result.has_errors() or Enterprise.objects.count() != rows:
        raise CommandError("django-import-export did not import the subset")
    return timer.seconds, import_export.__version__


def copy_baseline(path):
    """PostgreSQL's COPY of the file into a table without keys, constraints or indexes."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS benchmark_bare_copy")
        cursor.execute(
            "CREATE TABLE benchmark_bare_copy (credit_code text, name text, region text, "
            "industry text, main_product text, founded text)"
        )
        with (
            Timer() as timer,
            transaction.atomic(),
            cursor.cursor.copy(
                "COPY benchmark_bare_copy FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy,
            open(path, "rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        cursor.execute("SELECT count(*) FROM benchmark_bare_copy")
        (copied,) = cursor.fetchone()
        cursor.execute("DROP TABLE benchmark_bare_copy")
    return timer.seconds, copied


class Command(BaseCommand):
    help = "Time import_csv against bulk_create, django-import-export and COPY, in one run."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument(
            "--subset",
            type=int,
            default=20_000,
            help="Rows given to django-import-export; its rate is extrapolated to --rows.",
        )
        parser.add_argument("--file", help="Keep the generated file here (default: a temp file).")

    def handle(self, *args, rows, subset, file, **options):
        with scratch_database(self.stdout), tempfile.TemporaryDirectory() as folder:
            path = Path(file or Path(folder) / f"enterprises-{rows}.csv")
            with Timer() as generated:
                write_file(path, rows)
            self.stdout.write(
                f"Generated {rows:,} enterprises ({path.stat().st_size / 2**20:.1f} MB, "
                f"UTF-8 with BOM, Chinese headers) in {generated.seconds:.1f} s."
            )
            self._measure(path, rows, min(subset, rows))

    def _measure(self, path, rows, subset):
        self.pending, self.ours = [], None
        copy_rate = None
        if connection.vendor != "postgresql":
            database = f"SQLite {connection.Database.sqlite_version}"
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
            seconds, copied = copy_baseline(path)
            copy_rate = copied / seconds
            self._row("raw COPY into a bare table (the limit)", seconds, copied)
        self.stdout.write(f"\n{rows:,} enterprises on {database}, {os.cpu_count()} CPUs")
        self.stdout.write(
            f"{'':44}{'seconds':>9}{'rows/s':>11}{'vs import':>11}{'peak MB':>9}  note"
        )

        first, summary, *memory = run_import_command(path)
        expected = f"created {rows}, updated 0, unchanged 0, errors 0"
        if summary != expected:
            raise CommandError(f"first import: {summary!r}, expected {expected!r}")
        self.ours = rows / first
        peak = Memory(*memory)
        self._row("import_csv, first import", first, rows, peak, "validated, upsert, history")

        before = state_of_enterprises()
        again, summary, *memory = run_import_command(path)
        if summary != f"created 0, updated 0, unchanged {rows}, errors 0":
            raise CommandError(f"re-import: {summary!r}")
        wrote_nothing = state_of_enterprises() == before
        self._row(
            "import_csv, same file again",
            again,
            rows,
            Memory(*memory),
            "wrote nothing" if wrote_nothing else "WROTE ROWS",
        )
        peak = max(peak, Memory(*memory), key=lambda memory: memory.total)

        clear_enterprises()
        with Timer() as timer:
            bulk_create_baseline(path)
        self._row(
            "Django bulk_create + history",
            timer.seconds,
            rows,
            note="same cell validation, create only",
        )

        clear_enterprises()
        measured = import_export_baseline(path, subset)
        die_rate = None
        if measured:
            seconds, version = measured
            die_rate = subset / seconds
            self._row(
                f"django-import-export {version}, bulk mode",
                rows / die_rate,
                rows,
                note=f"measured on {subset:,} rows, extrapolated",
            )
        else:
            self.stdout.write("django-import-export: not installed (pip install -e '.[bench]')")

        checks = [("first import under 30 s", first < 30, f"{first:.1f} s")]
        if copy_rate:
            share = self.ours / copy_rate
            checks.append(("at least 25 % of the COPY rate", share >= 0.25, f"{share:.0%}"))
        else:
            checks.append(
                ("at least 50,000 rows/s (SQLite)", self.ours >= 50_000, f"{self.ours:,.0f}")
            )
        if die_rate:
            ratio = self.ours / die_rate
            checks.append(("at least 20x django-import-export", ratio >= 20, f"{ratio:.0f}x"))
        checks += [
            ("re-import at most half the first", again <= first / 2, f"{again / first:.2f}"),
            ("re-import wrote nothing", wrote_nothing, "yes" if wrote_nothing else "no"),
            ("peak memory under 400 MB", peak.total < 400, f"{peak.total:.0f} MB ({peak})"),
        ]
        self.stdout.write("")
        for label, passed, value in checks:
            self.stdout.write(f"  [{'ok' if passed else 'MISSED'}] {label}: {value}")

    def _row(self, label, seconds, count, peak=None, note=""):
        """Print a line of the table (lines measured before the importer wait for its rate)."""
        self.pending.append((label, seconds, count, peak, note))
        if self.ours is None:
            return
        for label, seconds, count, peak, note in self.pending:
            rate = count / seconds
            peak_text = f"{peak.total:.0f}" if peak else ""
            self.stdout.write(
                f"{label:44}{seconds:9.2f}{rate:11,.0f}{rate / self.ours:10.2f}x"
                f"{peak_text:>9}  {note}"
            )
        self.pending = []
