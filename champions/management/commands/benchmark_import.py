"""``manage.py benchmark_import --rows N``: how fast ``import_csv enterprises`` is, next to the
baselines measured in the same run on the same database.

It writes a file of N enterprises (Chinese headers, UTF-8 with BOM), then times:

- ``import_csv`` itself, run as a separate process as a data officer runs it: first into an empty
  table, then again with nothing changed (which must write nothing); with the peak memory of each;
- Django's ``bulk_create`` (with simple-history's bulk history rows) after the same per-cell
  validation, in batches, in one transaction;
- django-import-export in bulk mode with its fastest documented settings, on a subset whose rate
  is extrapolated to N (it is too slow to run on all of them), if the ``bench`` extra is installed;
- the schema's own limit (``schema_limit_baseline``): the rows of the same file, resolved
  beforehand to what the importer stores, loaded in bulk into index-free copies of the
  enterprise table and its historical table, which then get the real tables' indexes, keys and
  checks built at once; what no importer of this schema can beat on this machine;
- on PostgreSQL, ``COPY`` of the same file into a bare table: the physical limit.

It works in a scratch database of its own (``champions.benchmarking.scratch_database``), which
the ``import_csv`` processes use too: the configured registry is never written.
"""

import csv
import datetime
import os
import random
import re
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


#: The copies of the tables the schema limit loads (dropped afterwards).
LIMIT_TABLES = {"enterprise": "benchmark_limit_enterprise", "history": "benchmark_limit_history"}
#: What stands in for the import run in the history rows (``import_run`` has no key).
LIMIT_IMPORT_RUN = 1


class SchemaLimit:
    """What ``schema_limit_baseline`` measured: seconds, rows, and what it built."""

    def __init__(self, seconds, rows, indexes, keys, checks):
        self.seconds, self.rows = seconds, rows
        self.indexes, self.keys, self.checks = indexes, keys, checks

    def note(self):
        if connection.vendor == "postgresql":
            return f"COPY, then {self.indexes} indexes, {self.keys} keys, {self.checks} checks"
        return (
            f"executemany, then {self.indexes} indexes; no checks or keys (SQLite cannot "
            "add them to a table afterwards)"
        )


def resolved_rows(path):
    """The rows of the file as the importer stores them, ``{column: value}`` of a new firm and
    of its history row, read with the importer's own parsers (before any timer: the parsing is
    the importer's work, not the schema's)."""
    kind = KINDS["enterprises"](References(), ErrorLog())
    columns = kind.columns()
    errors = ErrorLog()
    line, cells, labels, data = Layout(columns, errors).read(open_csv(path).chunks(BATCH_ROWS))
    parse_chunk = Header(columns, kind.required, line, cells, labels).chunk_parser(errors)
    now = datetime.datetime.now(datetime.UTC)
    serial = 0
    for lines, rows in data:
        values, bad = parse_chunk(lines, rows)
        if bad:
            raise CommandError(f"the generated file has errors: {errors.sorted()[:3]}")
        for code, name, region, industry, product, founded in zip(
            *(values[name] for name in FILE_COLUMNS), strict=True
        ):
            serial += 1
            firm = {
                "id": serial,
                "created_at": now,
                "updated_at": now,
                "name": name,
                "name_key": name_key(name),
                "credit_code": code,
                "region_id": region,
                "industry_id": industry,
                "main_product": product,
                "founded": founded,
            }
            history = {
                **firm,
                "history_id": serial,
                "history_date": now,
                "history_type": "+",
                "import_run_id": LIMIT_IMPORT_RUN,
            }
            yield firm, history


def _limit_tables():
    """``[(real table, copy, its columns)]``: the enterprise table and its historical table."""
    with connection.cursor() as cursor:
        found = []
        for model, copy in (
            (Enterprise, LIMIT_TABLES["enterprise"]),
            (Enterprise.history.model, LIMIT_TABLES["history"]),
        ):
            table = model._meta.db_table
            description = connection.introspection.get_table_description(cursor, table)
            found.append((table, copy, [column.name for column in description]))
    return found


def _renamed(name, copy):
    """The name of an index or constraint of a copy: unique, and within PostgreSQL's 63 bytes."""
    return f"{copy[len('benchmark_') :]}_{name}"[:63]


def schema_limit_baseline(path):
    """The schema's own limit for the rows of ``path`` (a ``SchemaLimit``).

    Before the timer: the rows resolved to what the importer stores (``resolved_rows``), as
    text ready for ``COPY`` (PostgreSQL) or tuples for ``executemany`` (SQLite). Timed, in one
    transaction with the importer's memory settings: index-free copies of the enterprise table
    and of its historical table are created, the rows loaded into both, then the real tables'
    indexes, unique, primary, foreign-key and check constraints are built on the copies, read
    from the catalog with their names changed. SQLite cannot add a check or a foreign key to a
    table afterwards: there the copies get the indexes only. The copies are dropped afterwards.
    """
    tables = _limit_tables()
    if connection.vendor == "postgresql":
        return _postgresql_schema_limit(path, tables)
    return _sqlite_schema_limit(path, tables)


_CREATE_INDEX = re.compile(
    r'^(CREATE (?:UNIQUE )?INDEX )(?:"[^"]+"|\S+)( ON (?:ONLY )?)(?:"[^"]+"|\S+) '
)


def _index_on_copy(name, definition, copy):
    """The ``CREATE INDEX`` statement ``definition`` of index ``name``, made for ``copy``."""
    renamed = connection.ops.quote_name(_renamed(name, copy))
    table = connection.ops.quote_name(copy)
    statement, replaced = _CREATE_INDEX.subn(
        lambda match: f"{match.group(1)}{renamed}{match.group(2)}{table} ", definition
    )
    if not replaced:
        raise CommandError(f"cannot read the definition of index {name}: {definition}")
    return statement


def _copy_text(value):
    """A value in ``COPY``'s text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _postgresql_definitions(cursor, table, copy):
    """``(statements, indexes, keys, checks)`` building ``table``'s indexes and constraints on
    ``copy``: the constraints first (with the indexes behind them), then the other indexes."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x', 'f', 'c') "
        "ORDER BY position(contype IN 'puxfc'), conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    indexes = cursor.fetchall()
    quoted = connection.ops.quote_name
    statements = [
        f"ALTER TABLE {quoted(copy)} ADD CONSTRAINT {quoted(_renamed(name, copy))} {definition}"
        for name, _type, definition in constraints
    ]
    for name, definition in indexes:
        statements.append(_index_on_copy(name, definition, copy))
    types = [kind for _name, kind, _definition in constraints]
    indexed = sum(kind in "pux" for kind in types) + len(indexes)
    return statements, indexed, types.count("f"), types.count("c")


def _postgresql_schema_limit(path, tables):
    quoted = connection.ops.quote_name
    with tempfile.TemporaryFile() as firms, tempfile.TemporaryFile() as histories:
        files = (firms, histories)
        (_table, _copy, firm_columns), (_history, _copy, history_columns) = tables
        count = 0
        for firm, history in resolved_rows(path):
            for handle, row, columns in (
                (firms, firm, firm_columns),
                (histories, history, history_columns),
            ):
                handle.write(("\t".join(_copy_text(row.get(c)) for c in columns) + "\n").encode())
            count += 1
        built = [0, 0, 0]
        statements = []
        with connection.cursor() as cursor:
            for table, copy, _columns in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quoted(copy)}")
                found, *counts = _postgresql_definitions(cursor, table, copy)
                statements += found
                built = [total + part for total, part in zip(built, counts, strict=True)]
            try:
                with Timer() as timer, transaction.atomic():
                    cursor.execute("SET LOCAL work_mem = '64MB'")  # as import_transaction does
                    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                    for (table, copy, columns), handle in zip(tables, files, strict=True):
                        cursor.execute(
                            f"CREATE TABLE {quoted(copy)} (LIKE {quoted(table)} INCLUDING DEFAULTS)"
                        )
                        handle.seek(0)
                        names = ", ".join(quoted(column) for column in columns)
                        with cursor.cursor.copy(
                            f"COPY {quoted(copy)} ({names}) FROM STDIN"
                        ) as load:
                            while chunk := handle.read(1 << 20):
                                load.write(chunk)
                    for statement in statements:
                        cursor.execute(statement)
            finally:
                for _table, copy, _columns in tables:
                    cursor.execute(f"DROP TABLE IF EXISTS {quoted(copy)}")
    return SchemaLimit(timer.seconds, count, *built)


def _sqlite_definitions(cursor, table, copy):
    """``(CREATE TABLE of the copy, its CREATE INDEX statements)``: the copy has the
    table's columns, types, NOT NULL and defaults, and its integer primary key (the table's
    rowid, no index), nothing else."""
    quoted = connection.ops.quote_name
    cursor.execute(f"PRAGMA table_info({quoted(table)})")
    columns = []
    for _cid, name, sql_type, not_null, default, primary in cursor.fetchall():
        definition = f"{quoted(name)} {sql_type}"
        if primary:
            definition += " PRIMARY KEY"
        elif not_null:
            definition += " NOT NULL"
        if default is not None:
            definition += f" DEFAULT {default}"
        columns.append(definition)
    create = f"CREATE TABLE {quoted(copy)} ({', '.join(columns)})"
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s ORDER BY name",
        [table],
    )
    statements = []
    for name, sql in cursor.fetchall():
        if sql is None:  # the index of a UNIQUE constraint in the table's definition
            cursor.execute(f"PRAGMA index_info({quoted(name)})")
            names = ", ".join(quoted(column) for _seq, _cid, column in cursor.fetchall())
            sql = f"CREATE UNIQUE INDEX {quoted(name)} ON {quoted(table)} ({names})"
        statements.append(_index_on_copy(name, sql, copy))
    return create, statements


def _sqlite_schema_limit(path, tables):
    quoted = connection.ops.quote_name
    loads = [[] for _table in tables]
    for firm, history in resolved_rows(path):
        for rows, row, (_table, _copy, columns) in zip(loads, (firm, history), tables, strict=True):
            rows.append(tuple(_sqlite_value(row.get(column)) for column in columns))
    with connection.cursor() as cursor:
        creates, statements = [], []
        for table, copy, _columns in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted(copy)}")
            create, found = _sqlite_definitions(cursor, table, copy)
            creates.append(create)
            statements += found
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -131072")  # as import_transaction does
        try:
            with Timer() as timer, transaction.atomic():
                for create, (_table, copy, columns), rows in zip(
                    creates, tables, loads, strict=True
                ):
                    cursor.execute(create)
                    cursor.cursor.executemany(
                        f"INSERT INTO {quoted(copy)} ({', '.join(quoted(c) for c in columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})",
                        rows,
                    )
                for statement in statements:
                    cursor.execute(statement)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
            for _table, copy, _columns in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quoted(copy)}")
    return SchemaLimit(timer.seconds, len(loads[0]), len(statements), 0, 0)


def _sqlite_value(value):
    """A value as Django stores it in SQLite (datetimes as text)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


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
        load = os.getloadavg()[0]
        if connection.vendor != "postgresql":
            database = f"SQLite {connection.Database.sqlite_version}"
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
            seconds, copied = copy_baseline(path)
            self._row("raw COPY into a bare table", seconds, copied, note="no keys, no indexes")
        # Other work on the machine slows every line: the load says how much there was.
        self.stdout.write(
            f"\n{rows:,} enterprises on {database}, {os.cpu_count()} CPUs "
            f"(load average {load:.1f} at the start)"
        )
        self.stdout.write(
            f"{'':48}{'seconds':>9}{'rows/s':>11}{'vs import':>11}{'peak MB':>9}  note"
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

        # After the imports: the rows it prepares (on SQLite a million tuples per table) stay
        # in this process's memory, which a process it started would count as its own peak.
        limit = schema_limit_baseline(path)
        self._row(
            "schema limit (same rows, same indexes and keys)",
            limit.seconds,
            limit.rows,
            note=limit.note(),
        )

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

        share = self.ours / (limit.rows / limit.seconds)
        checks = [
            ("first import under 30 s", first < 30, f"{first:.1f} s"),
            ("at least 80 % of the schema limit", share >= 0.8, f"{share * 100:.0f} %"),
        ]
        if connection.vendor != "postgresql":
            checks.append(("at least 50,000 rows/s", self.ours >= 50_000, f"{self.ours:,.0f}"))
        if die_rate:
            ratio = self.ours / die_rate
            checks.append(("at least 40x django-import-export", ratio >= 40, f"{ratio:.0f}x"))
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
                f"{label:48}{seconds:9.2f}{rate:11,.0f}{rate / self.ours:10.2f}x"
                f"{peak_text:>9}  {note}"
            )
        self.pending = []
