"""``manage.py benchmark_backup``: ``backup`` and ``restore`` of the sample data, timed in the
same run, and their ratio; the restore should stay within 3x the backup.

It never touches the configured database. It works in a scratch database of its own (on
PostgreSQL the configured name plus ``_benchmark_backup``, on SQLite a temporary file), made,
migrated and dropped by Django's test-database machinery: migrated with the sample data
(``load_demo``) for the backup, then made afresh and only migrated, as a restore meets it. With
``--loaddata``, Django's ``loaddata`` (what ``restore`` was before it wrote in bulk) is timed on
the same file in a third fresh database: minutes, not seconds.
"""

import contextlib
import io
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from champions.backup import read_backup

TARGET_RATIO = 3.0


@contextlib.contextmanager
def scratch_database(folder):
    """A freshly migrated database of the benchmark's own, dropped on the way out."""
    test_settings = connection.settings_dict["TEST"]
    configured = test_settings.get("NAME")
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(Path(folder) / "benchmark_backup.sqlite3")
    else:
        test_settings["NAME"] = f"{connection.settings_dict['NAME']}_benchmark_backup"
    try:
        # create_test_db's createcachetable says the table exists (migrate made it) on stdout.
        with contextlib.redirect_stdout(io.StringIO()):
            original = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False
            )
        try:
            yield
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
    finally:
        test_settings["NAME"] = configured


def timed(*command):
    """How long ``call_command(*command)`` takes, its output discarded."""
    started = time.perf_counter()
    call_command(*command, stdout=io.StringIO())
    return time.perf_counter() - started


class Command(BaseCommand):
    help = "Time backup and restore of the sample data in a scratch database, and their ratio."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loaddata",
            action="store_true",
            help="Also time Django's loaddata on the same file (the restore before bulk).",
        )

    def handle(self, *args, loaddata, **options):
        with tempfile.TemporaryDirectory() as folder:
            backup = Path(folder) / "registry.json.gz"
            with scratch_database(folder):
                call_command("load_demo", stdout=io.StringIO())
                backup_seconds = timed("backup", str(backup))
            with scratch_database(folder):
                restore_seconds = timed("restore", str(backup))
                database = self._database()
            loaddata_seconds = None
            if loaddata:
                with scratch_database(folder):
                    loaddata_seconds = timed("loaddata", str(backup))
            size = backup.stat().st_size / 2**20
            records = len(read_backup(backup))

        self.stdout.write(
            f"Sample data on {database}: {records:,} records, {size:.1f} MB of gzipped JSON."
        )
        self.stdout.write(f"{'':10}{'seconds':>9}{'vs backup':>11}")
        rows = {"backup": backup_seconds, "restore": restore_seconds, "loaddata": loaddata_seconds}
        for name, seconds in rows.items():
            if seconds is not None:
                self.stdout.write(f"{name:10}{seconds:>9.2f}{seconds / backup_seconds:>10.2f}x")
        ratio = restore_seconds / backup_seconds
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        self.stdout.write(
            f"Restore within {TARGET_RATIO:.0f}x the backup: {verdict} ({ratio:.2f}x)."
        )

    @staticmethod
    def _database():
        if connection.vendor == "sqlite":
            return f"SQLite {connection.Database.sqlite_version}"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
