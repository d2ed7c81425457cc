"""Bulk loads: on PostgreSQL an import that fills a table drops its secondary indexes and
constraints and builds them again; the schema must come out exactly as it went in, constraints
still enforced, also when the import is refused and rolled back. (On SQLite nothing is dropped;
the same checks hold trivially.)"""

import pytest
from django.db import IntegrityError, connection, transaction

from champions.importing import staging
from champions.models import Batch, Designation, Enterprise, Recommendation, YearlyFigures
from tests.conftest import make_credit_code
from tests.import_helpers import run_import, write_csv

pytestmark = pytest.mark.django_db

TABLES = (Enterprise._meta.db_table, Enterprise.history.model._meta.db_table)


def schema():
    with connection.cursor() as cursor:
        return {
            table: {
                name: {key: value for key, value in details.items() if key != "definition"}
                for name, details in connection.introspection.get_constraints(cursor, table).items()
            }
            for table in TABLES
        }


@pytest.fixture
def bulk_from_two_rows(monkeypatch):
    monkeypatch.setattr(staging, "REBUILD_FROM_ROWS", 2)


def firms_file(tmp_path, count, bad=False):
    rows = [["credit_code", "name", "region", "founded"]]
    for serial in range(count):
        rows.append([make_credit_code(serial), f"温州批量{serial:03d}有限公司", "鹿城区", "2001"])
    if bad:
        rows.append(["", "温州坏行有限公司", "鹿城区", "1066"])
    return write_csv(tmp_path / "bulk.csv", rows)


def test_bulk_load_keeps_the_schema_and_its_constraints(tmp_path, bulk_from_two_rows):
    before = schema()
    outcome = run_import("enterprises", firms_file(tmp_path, 30))
    assert outcome.summary == "created 30, updated 0, unchanged 0, errors 0"
    assert schema() == before
    assert Enterprise.history.filter(history_type="+").count() == 30
    firm = Enterprise.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.filter(pk=firm.pk + 1).update(credit_code=firm.credit_code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.filter(pk=firm.pk).update(region_id="999999")
        connection.check_constraints(table_names=[Enterprise._meta.db_table])
    assert run_import("enterprises", firms_file(tmp_path, 30)).summary == (
        "created 0, updated 0, unchanged 30, errors 0"
    )


def test_refused_bulk_load_restores_the_schema(tmp_path, bulk_from_two_rows):
    before = schema()
    outcome = run_import("enterprises", firms_file(tmp_path, 30, bad=True))
    assert outcome.code == 1
    assert "line 32, column founded" in outcome.out
    assert schema() == before
    assert not Enterprise.objects.exists()


def test_only_large_imports_into_small_tables_rebuild(make_enterprise):
    make_enterprise()
    expected = connection.vendor == "postgresql"
    assert staging.rebuild_indexes_for(Enterprise, staging.REBUILD_FROM_ROWS) is expected
    assert staging.rebuild_indexes_for(Enterprise, staging.REBUILD_FROM_ROWS - 1) is False


def test_a_bulk_designations_import_that_creates_its_batch(
    tmp_path, make_enterprise, bulk_from_two_rows
):
    """The batch is created in the import's transaction before the keys are dropped: its queued
    foreign-key check once stopped PostgreSQL from altering the tables."""
    firms = [make_enterprise() for _ in range(12)]
    tiers = ("single_champion", "little_giant", "hidden_champion")
    path = write_csv(
        tmp_path / "titles.csv",
        [
            ["credit_code", "tier", "batch", "year", "status"],
            *[[f.credit_code, tier, "1", "2023", "final"] for f in firms for tier in tiers],
        ],
    )
    outcome = run_import("designations", path)
    assert outcome.summary == "created 36, updated 0, unchanged 0, errors 0", outcome.err
    assert Batch.objects.filter(number=1, year=2023).count() == 3
    assert Designation.objects.filter(batch__year=2023).count() == 36


def test_bulk_imports_of_the_other_kinds(tmp_path, make_enterprise, bulk_from_two_rows):
    firms = [make_enterprise() for _ in range(5)]
    figures = write_csv(
        tmp_path / "figures.csv",
        [["credit_code", "year", "output_value"], *[[f.credit_code, "2023", "100"] for f in firms]],
    )
    assert run_import("figures", figures).summary == "created 5, updated 0, unchanged 0, errors 0"
    assert YearlyFigures.objects.count() == 5
    drafts = write_csv(
        tmp_path / "drafts.csv",
        [
            ["credit_code", "tier", "batch", "year", "stage"],
            *[[f.credit_code, "little_giant", "2", "2024", "nominated"] for f in firms],
        ],
    )
    outcome = run_import("recommendations", drafts)
    assert outcome.summary == "created 5, updated 0, unchanged 0, errors 0", outcome.err
    assert Recommendation.objects.filter(stage="nominated").count() == 5
