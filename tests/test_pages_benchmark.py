"""``manage.py benchmark_pages`` runs on a small scale, measures every page twice and leaves the
registry as it found it. (The figures themselves are recorded in the notes, not asserted.)"""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from champions.models import Batch, Designation, Enterprise, Recommendation, YearlyFigures
from tests.test_pages import build_registry

# The command commits what it adds, so the test runs outside a transaction.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def row_counts():
    return [
        model.objects.count()
        for model in (Enterprise, Designation, Recommendation, YearlyFigures, Batch)
    ]


def test_benchmark_measures_every_page_and_cleans_up():
    build_registry()
    before = row_counts()
    out = io.StringIO()
    call_command("benchmark_pages", firms=300, repeat=1, stdout=out)
    output = out.getvalue()
    assert "Added 300 firms" in output
    timed = re.findall(r"^(/\S*) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+)$", output, re.M)
    pages = {row[0] for row in timed}
    assert {"/", "/enterprises/", "/breakdowns/regions/", "/seminars/"} <= pages
    assert len(timed) >= 14
    assert re.search(r"Worst ratio [\d.]+ \(target at most 3\)", output)
    assert row_counts() == before


def test_benchmark_refuses_to_run_inside_a_transaction():
    with transaction.atomic(), pytest.raises(CommandError, match="outside a transaction"):
        call_command("benchmark_pages", firms=10, stdout=io.StringIO())
