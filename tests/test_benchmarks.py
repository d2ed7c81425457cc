"""The benchmark and load commands never write the configured registry: each works in a scratch
database of its own (``champions.benchmarking.scratch_database``), created and dropped by it.

Every command runs on tiny sizes against a test database holding one marker firm; afterwards that
database's rows are exactly as they were, and neither the scratch database nor a temporary file
is left. (``benchmark_pages`` is run so in test_pages_benchmark.py, which checks its figures.)
"""

import io
import os
import re
import tempfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.db import connection, transaction

from champions.benchmarking import SCRATCH_SUFFIX, scratch_database
from champions.models import Enterprise, Region
from tests.conftest import make_credit_code
from tests.test_pages import build_registry

# The commands create and drop databases, which a test's transaction would not allow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MARKER = "标记企业有限公司"


def run_beside_marker(monkeypatch, folder, command, *args):
    """Run ``command`` against a registry of one marker firm, check that it left the registry
    as it was and no scratch database or temporary file behind, and return its output.

    The sample data it loads into its scratch database are the small registry of test_pages
    (``load_demo``'s ten thousand firms take seconds, and the commands need only some firms with
    titles); temporary files of this process go to ``folder``.
    """

    def load_small_registry():
        with transaction.atomic():  # as load_demo writes, in one transaction
            build_registry()
        return {}

    monkeypatch.setattr("champions.management.commands.load_demo.load_demo", load_small_registry)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    Enterprise.objects.create(
        name=MARKER, credit_code=make_credit_code(424242), region=Region.objects.get(code="330302")
    )
    before = registry_rows()
    assert before[1] == [MARKER]
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    assert registry_rows() == before
    assert scratch_left(folder, connection.settings_dict["NAME"]) == []
    return out.getvalue()


def registry_rows():
    """Rows per model of every app, and the firms by name: what a stray write would change."""
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    return counts, list(Enterprise.objects.values_list("name", flat=True))


def scratch_left(folder, configured):
    """What is left of scratch databases: files in ``folder``, and on PostgreSQL the database
    named after the ``configured`` one."""
    left = [path.name for path in folder.iterdir()]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname = %s", [configured + SCRATCH_SUFFIX]
            )
            left += [name for (name,) in cursor.fetchall()]
    return left


@pytest.mark.parametrize(
    "command, args, printed",
    [
        (
            "benchmark_import",
            ["--rows", "200", "--subset", "50"],
            r"\[(ok|MISSED)\] re-import wrote nothing: yes",
        ),
        (
            "benchmark_scale",
            ["--enterprises", "50", "--titles", "1", "--repeat", "1"],
            r"Worst ratio of admin and cached public pages [\d.]+ \(target at most 3\)",
        ),
        (
            "load_test",
            ["--seconds", "0.2", "--clients", "1", "--workers", "1", "--path", "/"],
            r"^/ +\d+ .*\nerrors in total: 0$",
        ),
    ],
)
def test_command_leaves_the_configured_database_alone(
    command, args, printed, monkeypatch, tmp_path
):
    output = run_beside_marker(monkeypatch, tmp_path, command, *args)
    assert output.startswith("Working in the scratch database ")
    assert re.search(printed, output, re.M)


def test_benchmark_candidates_prints_each_page_beside_the_baseline(monkeypatch, tmp_path):
    """At a tiny size: the shape of its report, not its timings."""
    output = run_beside_marker(
        monkeypatch,
        tmp_path,
        "benchmark_candidates",
        "--firms",
        "30",
        "--years",
        "2",
        "--repeat",
        "1",
    )
    assert output.startswith("Working in the scratch database ")
    assert re.search(r"^Added 30 firms with 60 rows of yearly figures \(2 years, ", output, re.M)
    assert re.search(r"firms evaluated, \d+ qualify, \d+ close, \d+ not\.$", output, re.M)
    for page in (
        "enterprise list \\(baseline\\)",
        "candidates page",
        "candidates CSV export",
        "titles due for review",
    ):
        assert re.search(rf"^{page} +\d+\.\d +\d+\.\d +\d+ +\d+\.\d\d$", output, re.M), page
    assert re.search(
        r"^Candidates page: computed \d+\.\d{3} s \((met|NOT met)\), repeated \d+\.\d{3} s "
        r"\((met|NOT met)\), in \d+ queries, \d+\.\d\d × the enterprise list "
        r"\(aim: at most 1 s\)\.$",
        output,
        re.M,
    )


def test_scratch_database_is_dropped_when_interrupted(monkeypatch, tmp_path):
    """Ctrl-C while the scratch database is being migrated (the longest step) still drops it,
    and puts the connection and the environment back."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    configured, url = connection.settings_dict["NAME"], os.environ.get("DATABASE_URL")
    during = {}

    def interrupted_migrate(*args, **options):
        during.update(
            name=connection.settings_dict["NAME"],
            url=os.environ["DATABASE_URL"],
            left=scratch_left(tmp_path, configured),
        )
        raise KeyboardInterrupt

    monkeypatch.setattr("champions.benchmarking.call_command", interrupted_migrate)
    with pytest.raises(KeyboardInterrupt), scratch_database(OutputWrapper(io.StringIO())):
        pytest.fail("the block runs only once the database is migrated")
    assert during["name"] != configured
    assert during["name"] in during["url"]
    assert during["left"]
    assert connection.settings_dict["NAME"] == configured
    assert os.environ.get("DATABASE_URL") == url
    assert scratch_left(tmp_path, configured) == []
