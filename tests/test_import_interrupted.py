"""An import killed part way (SIGKILL: no cleanup code runs) leaves the database as it was.

The import runs as a separate process, as a data officer runs it, on a database this test can
also read: the test database itself on PostgreSQL (committed data), a migrated SQLite file
otherwise. The file is large enough (120,000 rows) that the import spends seconds reading,
validating and writing, and on PostgreSQL rebuilds the indexes of the tables it fills; it is
killed at several points of a run whose length a dry run measured first.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import make_credit_code
from tests.import_helpers import write_csv

# Real commits; serialized_rollback puts the reference data and groups back afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
ROWS = 120_000
KILL_AT = (0.3, 0.6)

DIGEST = """
import hashlib, json
import django
django.setup()
from django.apps import apps
tables = {}
for model in apps.get_app_config("champions").get_models(include_auto_created=True):
    rows = list(model.objects.order_by("pk").values_list())
    tables[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
print(json.dumps(tables))
"""


def database_url(tmp_path):
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        return "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**settings)
    url = f"sqlite:///{tmp_path / 'interrupted.sqlite3'}"
    manage(url, "migrate", "--no-input", "-v0")
    return url


def manage(url, *args, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=check,
    )


def digest(url):
    """A hash of every table of the registry (import runs included), read by another process."""
    completed = subprocess.run(
        [sys.executable, "-c", DIGEST],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def wait_for_orphaned_session():
    """On PostgreSQL the killed client's server process finishes its statement before it sees
    the client gone and rolls back; wait for that, so the database is read after it."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + 120
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
    raise AssertionError("the killed import's session did not end")


def big_file(tmp_path):
    """The 100 firms already registered, renamed, and 119,900 new ones."""
    rows = [["credit_code", "name", "region", "founded"]]
    for serial in range(ROWS):
        rows.append(
            [make_credit_code(serial), f"温州中断测试{serial:06d}有限公司", "鹿城区", "2001"]
        )
    return write_csv(tmp_path / "big.csv", rows)


def test_killed_import_leaves_the_database_as_it_was(tmp_path):
    url = database_url(tmp_path)
    base = write_csv(
        tmp_path / "base.csv",
        [["credit_code", "name", "region"]]
        + [
            [make_credit_code(serial), f"温州原有{serial:03d}有限公司", "龙湾区"]
            for serial in range(100)
        ],
    )
    manage(url, "import_csv", "enterprises", base)
    path = big_file(tmp_path)
    before = digest(url)
    runs = "champions.ImportRun"

    started = time.monotonic()
    dry = manage(url, "import_csv", "enterprises", path, "--dry-run")
    duration = time.monotonic() - started
    assert (
        dry.stdout.strip().splitlines()[-1] == "created 119900, updated 100, unchanged 0, errors 0"
    )
    after_dry_run = digest(url)
    assert after_dry_run[runs] != before[runs]  # the dry run is recorded …
    assert {k: v for k, v in after_dry_run.items() if k != runs} == {
        k: v for k, v in before.items() if k != runs
    }  # … and wrote nothing else
    before = after_dry_run

    for fraction in KILL_AT:
        child = subprocess.Popen(
            [sys.executable, "manage.py", "import_csv", "enterprises", path],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        child.kill()
        assert child.wait() == -9, f"the import ended before it was killed at {fraction:.0%}"
        wait_for_orphaned_session()
        assert digest(url) == before, f"killed at {fraction:.0%} of the run"

    finished = manage(url, "import_csv", "enterprises", path)
    assert finished.stdout.strip().splitlines()[-1] == (
        "created 119900, updated 100, unchanged 0, errors 0"
    )
    assert digest(url)["champions.Enterprise"] != before["champions.Enterprise"]
