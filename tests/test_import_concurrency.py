"""Two imports at once, and staff working while an import runs.

Imports run as data officers run them: ``manage.py import_csv`` in processes of their own, against
a database they share with the test (PostgreSQL: the test database, committed to; SQLite: a
migrated file, since the test database lives in memory), with the page cache in the database and
in Redis. Imports into one database are serialised by the database; nothing an import holds may
make a staff save wait.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation

from champions.cache import VERSION_KEY
from champions.importing import import_file
from champions.importing.staging import IMPORT_LOCK_KEY
from champions.models import Enterprise, Region
from tests.admin_helpers import posted_back
from tests.conftest import make_credit_code
from tests.import_helpers import write_csv

# What the import processes commit must be visible to them and to the test, and is removed after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
CACHE_URLS = {"database cache": "", "redis": "redis://127.0.0.1:6379/14"}
FIRMS = 20_000


class SharedDatabase:
    """The database the import processes and the test both reach, with SQL to read it."""

    def __init__(self, url, sqlite_path=None):
        self.url = url
        self.sqlite_path = sqlite_path

    def scalar(self, sql):
        if self.sqlite_path:
            with contextlib.closing(sqlite3.connect(self.sqlite_path)) as db:
                return db.execute(sql).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def firms(self):
        """``(firms, distinct names)``."""
        return (
            self.scalar("SELECT COUNT(*) FROM champions_enterprise"),
            self.scalar("SELECT COUNT(DISTINCT name) FROM champions_enterprise"),
        )

    @contextlib.contextmanager
    def import_lock_held(self):
        """Hold the lock an import takes, as an import in another process would."""
        if self.sqlite_path:
            with contextlib.closing(sqlite3.connect(self.sqlite_path, isolation_level=None)) as db:
                db.execute("BEGIN IMMEDIATE")
                yield
                db.execute("ROLLBACK")
            return
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
            yield
            db.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK_KEY])


@pytest.fixture(scope="module")
def migrated_sqlite_file(tmp_path_factory):
    """A migrated SQLite file, copied for each test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    subprocess.run(
        [sys.executable, str(MANAGE), "migrate", "--no-input", "-v0"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        check=True,
    )
    return path


@pytest.fixture
def shared_database(request, tmp_path):
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        url = (
            f"postgresql://{settings['USER']}@{settings['HOST'] or 'localhost'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
        return SharedDatabase(url)
    path = tmp_path / "shared.sqlite3"
    shutil.copy(request.getfixturevalue("migrated_sqlite_file"), path)
    return SharedDatabase(f"sqlite:///{path}", sqlite_path=path)


def start_import(database, cache_url, path, *options):
    return subprocess.Popen(
        [sys.executable, str(MANAGE), "import_csv", "enterprises", str(path), *options],
        env={**os.environ, "DATABASE_URL": database.url, "DJANGO_CACHE_URL": cache_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=240):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def firms_file(path, count, *, codes):
    rows = [["credit_code", "name", "region"]]
    for serial in range(count):
        code = make_credit_code(700_000 + serial) if codes else ""
        rows.append([code, f"温州并发{serial:06d}有限公司", "鹿城区"])
    return write_csv(path, rows)


def in_chinese(message, **params):
    """A message as the command prints it: in the language of the run, Chinese by default."""
    with translation.override("zh-hans"):
        return translation.gettext(message) % params


WAITING = (
    "Another import into this database is running; waiting for it to finish "
    "(at most %(seconds)s seconds)…"
)


@pytest.mark.parametrize("cache_url", CACHE_URLS.values(), ids=CACHE_URLS.keys())
@pytest.mark.parametrize("codes", [False, True], ids=["names only", "with credit codes"])
def test_two_imports_of_the_same_firms_at_once(shared_database, tmp_path, cache_url, codes):
    path = firms_file(tmp_path / "firms.csv", FIRMS, codes=codes)
    first = start_import(shared_database, cache_url, path)
    second = start_import(shared_database, cache_url, path)
    outcomes = [finish(first), finish(second)]
    for code, out, err in outcomes:
        assert code == 0, (out, err)
        assert "Traceback" not in err
    summaries = sorted(out.strip().splitlines()[-1] for _code, out, _err in outcomes)
    assert summaries == [
        f"created 0, updated 0, unchanged {FIRMS}, errors 0",
        f"created {FIRMS}, updated 0, unchanged 0, errors 0",
    ]
    assert shared_database.firms() == (FIRMS, FIRMS)


@pytest.mark.parametrize("cache_url", CACHE_URLS.values(), ids=CACHE_URLS.keys())
def test_an_import_waits_for_the_one_running_and_says_so(shared_database, tmp_path, cache_url):
    path = firms_file(tmp_path / "firms.csv", 50, codes=True)
    with shared_database.import_lock_held():
        waiting = start_import(shared_database, cache_url, path, "--wait", "120")
        said = waiting.stdout.readline()
        assert said.strip() == in_chinese(WAITING, seconds="120")
        time.sleep(0.5)
        assert waiting.poll() is None and shared_database.firms() == (0, 0)
    code, out, err = finish(waiting)
    assert code == 0, (out, err)
    assert out.strip().splitlines()[-1] == "created 50, updated 0, unchanged 0, errors 0"
    assert shared_database.firms() == (50, 50)


def test_an_import_that_waited_too_long_is_refused(shared_database, tmp_path):
    path = firms_file(tmp_path / "firms.csv", 50, codes=True)
    with shared_database.import_lock_held():
        code, out, err = finish(start_import(shared_database, "", path, "--wait", "1"))
    assert code == 2
    assert "Traceback" not in err
    assert (
        in_chinese(
            "Another import into this database was still running after %(seconds)s seconds; "
            "nothing was written. Run this one again when it has finished.",
            seconds="1",
        )
        in err
    )
    assert shared_database.firms() == (0, 0)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer: every save waits for an import's transaction by design",
)
@pytest.mark.usefixtures("cache_backend")
def test_a_staff_save_does_not_wait_for_an_open_import(tmp_path, client):
    """The import's transaction stays open (another thread) while staff save and the public
    look; each must get through under a one-second lock timeout."""
    staff = get_user_model().objects.create_superuser("chief", password="pw-for-tests")
    firm = Enterprise.objects.create(
        name="温州在编有限公司", region=Region.objects.get(code="330302")
    )
    path = firms_file(tmp_path / "firms.csv", 200, codes=True)
    imported, release = threading.Event(), threading.Event()
    failures = []

    def import_and_hold():
        try:
            with transaction.atomic():
                result = import_file("enterprises", path)
                assert not result.refused
                imported.set()
                release.wait(60)
        except Exception as error:  # reported by the test thread
            failures.append(error)
            imported.set()
        finally:
            connection.close()

    holder = threading.Thread(target=import_and_hold)
    holder.start()
    try:
        assert imported.wait(60) and not failures, failures
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        client.force_login(staff)
        url = f"/admin/champions/enterprise/{firm.pk}/change/"
        data = {**posted_back(client.get(url)), "name": "温州改名有限公司"}
        version = cache.get(VERSION_KEY)
        saved = client.post(url, data)
        assert saved.status_code == 302, saved.content.decode()[:2000]
        # The public pages know of the change. (The database cache gives up a write that waits
        # past the lock timeout without a word: a stale page, not an error.)
        assert cache.get(VERSION_KEY) != version
        assert client.get("/").status_code == 200
    finally:
        release.set()
        holder.join(60)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert not failures, failures
    firm.refresh_from_db()
    assert firm.name == "温州改名有限公司"
    assert Enterprise.objects.count() == 201
