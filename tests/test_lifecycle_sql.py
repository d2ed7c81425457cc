"""The set-based derivation an import uses gives exactly what ``champions.lifecycle.derive``
gives, title by title, on both databases (leap days, undated lists, stated ends included)."""

import datetime
import itertools

import pytest

from champions.models import Designation, DesignationEvent, EventKind, Notice, Tier
from champions.services.designations import DERIVED_FIELDS, refresh, refresh_where

pytestmark = pytest.mark.django_db

D = datetime.date
DAYS = [None, D(2022, 9, 6), D(2024, 2, 29), D(2024, 3, 1), D(2023, 3, 1), D(2020, 12, 31)]
STATED = [None, D(2026, 6, 30)]


def standing():
    return {
        pk: values
        for pk, *values in Designation.objects.order_by("pk").values_list("pk", *DERIVED_FIELDS)
    }


def test_the_set_based_derivation_matches_the_rules(make_enterprise):
    pool, giant, yearly = (
        Tier.objects.get(code="champion_pool"),
        Tier.objects.get(code="little_giant"),
        Tier.objects.get(code="innovative_sme"),
    )
    yearly.validity_years = 1
    yearly.save()
    notice = Notice.objects.create(
        kind=EventKind.AWARD, tier=giant, document="样例〔2022〕9号", source="https://example.org"
    )
    cases = itertools.product((pool, giant, yearly), DAYS, STATED, (False, True), (None, notice))
    for tier, day, stated, in_review, listed in cases:
        designation = Designation.objects.create(
            enterprise=make_enterprise(), tier=tier, year=2022, document="旧文号"
        )
        DesignationEvent.objects.create(
            designation=designation,
            kind=EventKind.AWARD,
            happened_on=day,
            valid_until=stated,
            notice=listed,
        )
        DesignationEvent.objects.create(
            designation=designation, kind=EventKind.PUBLICITY, happened_on=D(2022, 8, 1)
        )
        if in_review:
            DesignationEvent.objects.create(
                designation=designation,
                kind=EventKind.REVIEW_PUBLICITY,
                happened_on=D(2025, 7, 1),
            )
    only_listed = Designation.objects.create(enterprise=make_enterprise(), tier=giant, year=2022)
    DesignationEvent.objects.create(
        designation=only_listed, kind=EventKind.PUBLICITY, happened_on=D(2022, 8, 1)
    )
    reviewed = Designation.objects.create(enterprise=make_enterprise(), tier=giant, year=2022)
    for kind, outcome in ((EventKind.AWARD, ""), (EventKind.REVIEW_RESULT, "passed")):
        DesignationEvent.objects.create(
            designation=reviewed, kind=kind, happened_on=D(2025, 8, 20), outcome=outcome
        )
    ids = list(Designation.objects.values_list("pk", flat=True))
    table = Designation._meta.db_table
    refresh_where(f"SELECT id FROM {table}")
    by_sql = standing()
    Designation.objects.update(status="publicized", held_from=None, valid_until=None)
    refresh(ids)
    by_rules = standing()
    assert len(by_rules) == 3 * len(DAYS) * len(STATED) * 2 * 2 + 2
    assert by_sql == by_rules
    assert by_rules[only_listed.pk][:3] == ["publicized", None, None]
    assert by_rules[reviewed.pk][0] == "review_passed"
