"""``manage.py benchmark_pages`` runs on a small scale, measures every page twice and leaves the
configured registry alone. (The figures themselves are recorded in the notes, not asserted.)"""

import re

import pytest

from tests.test_benchmarks import run_beside_marker

# The command creates and drops its scratch database, which a test's transaction would not allow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_benchmark_measures_every_page_and_leaves_the_registry_alone(monkeypatch, tmp_path):
    output = run_beside_marker(
        monkeypatch, tmp_path, "benchmark_pages", "--firms", "300", "--repeat", "1"
    )
    assert "Added 300 firms" in output
    timed = re.findall(r"^(/\S*) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+)$", output, re.M)
    pages = {row[0] for row in timed}
    assert {"/", "/enterprises/", "/breakdowns/regions/", "/seminars/"} <= pages
    assert len(timed) >= 14
    assert re.search(r"Worst ratio [\d.]+ \(target at most 3\)", output)
