"""The sample data set: it reproduces DESIGN.md's headline figures on the public JSON, is labelled
as sample data, valid, spread over the city, and loading it again changes nothing.

The data set is loaded once for the module, inside a transaction rolled back at the end; each
test runs in a savepoint within it (pytest-django's ``db``), so tests cannot see each other's
changes.
"""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q

from champions.demo import load_demo
from champions.models import (
    Batch,
    Designation,
    Enterprise,
    FormerName,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    Target,
    YearlyFigures,
)
from champions.text import name_key
from champions.validators import credit_code_error
from champions.workflow import ENDINGS, Stage

pytestmark = pytest.mark.django_db

HEADLINES = {
    "single_champions": 10,
    "little_giants": 21,
    "hidden_champions": 200,
    "specialized_cultivation": 10_105,
    "first_set": 113,
    "champion_pool": 120,
}
TIERS = {
    "single_champion": 6,
    "single_champion_product": 4,
    "little_giant": 21,
    "hidden_champion": 60,
    "hidden_champion_cultivation": 140,
    "specialized_cultivation": 10_105,
    "first_set": 113,
    "champion_pool": 120,
}
SIXTH_BATCH_REACHED = {
    "nominated": 12,
    "province_passed": 9,
    "submitted": 9,
    "publicized": 0,
    "approved": 0,
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """What the first run of ``load_demo`` added, per model."""
    with django_db_blocker.unblock(), transaction.atomic():
        added = load_demo()
        yield added
        transaction.set_rollback(True)


@pytest.fixture
def summary_json(loaded, client):
    def get(**params):
        response = client.get("/api/summary.json", params)
        assert response.status_code == 200
        return response.json()

    return get


def by_code(rows):
    return {row["code"]: row["count"] for row in rows}


def sixth_batch(data):
    [funnel] = [
        row
        for row in data["recommendations"]
        if (row["tier"], row["batch"], row["year"]) == ("single_champion", 6, 2021)
    ]
    return funnel


def table_state():
    """Rows and latest change of every table of the registry, history tables included."""
    state = {}
    for model in apps.get_app_config("champions").get_models():
        rows = model._default_manager.all()
        latest = (
            rows.aggregate(latest=Max("updated_at"))["latest"]
            if any(f.name == "updated_at" for f in model._meta.fields)
            else None
        )
        state[model.__name__] = (rows.count(), latest)
    return state


def test_the_headline_figures_are_on_the_public_json(summary_json):
    data = summary_json()

    assert by_code(data["headlines"]) == HEADLINES
    assert {code: count for code, count in by_code(data["tiers"]).items() if code in TIERS} == TIERS
    assert data["new_product_output_rate"] == 0.381
    assert data["new_product_output_year"] == 2020


def test_the_sixth_batch_had_nine_reported_to_the_ministry(summary_json):
    assert sixth_batch(summary_json())["reached"] == SIXTH_BATCH_REACHED


def test_the_figures_are_those_in_force_at_the_end_of_2021(summary_json):
    data = summary_json(year=2021)

    assert by_code(data["headlines"]) == HEADLINES
    assert sixth_batch(data)["reached"] == SIXTH_BATCH_REACHED


def test_titles_not_in_force_are_there_but_not_counted(loaded):
    not_in_force = Designation.objects.exclude(status__in=Designation.IN_FORCE_STATUSES)

    assert set(not_in_force.values_list("status", flat=True)) == {
        Designation.Status.PUBLICIZED,
        Designation.Status.LAPSED,
        Designation.Status.REVOKED,
    }


def test_every_recommendation_has_each_of_its_moves_recorded(loaded):
    recommendations = Recommendation.objects.prefetch_related("moves").select_related("designation")
    assert len(recommendations) == 24
    for recommendation in recommendations:
        moves = list(recommendation.moves.order_by("happened_on", "id"))
        stages = [Stage.DRAFT] + [move.target for move in moves]
        assert [move.source for move in moves] == stages[:-1], recommendation
        assert stages[-1] == recommendation.stage
        if recommendation.stage in ENDINGS:
            assert recommendation.ended_at_stage == moves[-1].source
        assert all(move.happened_on for move in moves)
        approved = recommendation.stage == Stage.APPROVED
        assert (recommendation.designation is not None) == approved
        if approved:
            assert recommendation.designation.batch_id == recommendation.batch_id
            assert recommendation.designation.product == recommendation.product


def test_the_sixth_batch_went_no_further_than_the_ministry(loaded):
    sixth = Recommendation.objects.filter(batch__tier="single_champion", batch__number=6)

    assert dict(sixth.values_list("stage").annotate(n=Count("id"))) == {
        Stage.SUBMITTED: 9,
        Stage.REJECTED: 3,
    }
    assert set(sixth.filter(stage=Stage.REJECTED).values_list("ended_at_stage", flat=True)) == {
        Stage.NOMINATED
    }


def test_the_single_champions_were_approved_through_recommendations(loaded):
    champions = Designation.objects.in_force().filter(
        tier__in=["single_champion", "single_champion_product"]
    )

    assert champions.count() == 10
    assert not champions.filter(recommendation__isnull=True).exists()


def test_wenzhou_is_third_in_zhejiang_for_the_sixth_batch(loaded):
    submitted = ProvinceCount.objects.filter(
        measure=ProvinceCount.Measure.SUBMITTED, tier="single_champion", year=2021
    )
    cities = Region.objects.filter(parent="330000", level=Region.Level.CITY)

    assert set(submitted.values_list("region", flat=True)) == set(
        cities.values_list("code", flat=True)
    )
    assert len(cities) == 11
    wenzhou = submitted.get(region="330300").count
    assert wenzhou == 9
    assert submitted.filter(count__gt=wenzhou).count() == 2


def test_wenzhous_province_counts_agree_with_the_registry(summary_json):
    tiers = by_code(summary_json()["tiers"])
    in_force = ProvinceCount.objects.filter(measure=ProvinceCount.Measure.IN_FORCE, year=2021)

    for tier in ("single_champion", "single_champion_product", "little_giant"):
        assert in_force.filter(tier=tier).count() == 11
        assert in_force.get(tier=tier, region="330300").count == tiers[tier]


def test_the_sample_data_is_labelled(loaded):
    assert not Enterprise.objects.exclude(name__startswith="示例").exists()
    assert not FormerName.objects.exclude(name__startswith="示例").exists()
    for model in (Designation, Batch, ProvinceCount, Seminar):
        assert not model.objects.exclude(source__contains="示例数据").exists(), model
    assert not Batch.objects.exclude(document__contains="示例数据").exists()
    assert not Recommendation.objects.exclude(note__contains="示例数据").exists()


def test_every_firm_has_a_valid_credit_code_and_its_name_key(loaded):
    firms = Enterprise.objects.values_list("credit_code", "name", "name_key")

    assert len(firms) == 10_265
    assert [code for code, _name, _key in firms if code is None or credit_code_error(code)] == []
    assert [name for _code, name, key in firms if key != name_key(name)] == []
    assert Enterprise.objects.values("name_key").distinct().count() == len(firms)


def test_firms_are_spread_over_the_twelve_county_units_and_ten_industries(loaded):
    counties = Region.objects.filter(parent="330300")
    used = Enterprise.objects.values("region").annotate(firms=Count("id"))

    assert counties.count() == 12
    assert {row["region"] for row in used} == set(counties.values_list("code", flat=True))
    industries = set(Enterprise.objects.values_list("industry__code", flat=True))
    assert len(industries) == 10
    assert "other" not in industries
    assert not Enterprise.objects.filter(Q(main_product="") | Q(founded__isnull=True)).exists()


def test_some_firms_hold_several_titles_and_some_had_other_names(loaded):
    pool_little_giants = Enterprise.objects.filter(designations__tier="little_giant").filter(
        designations__tier="champion_pool"
    )
    with_enterprise_and_product_title = Enterprise.objects.filter(
        designations__tier="single_champion"
    ).filter(designations__tier="single_champion_product")

    assert pool_little_giants.distinct().count() >= 10
    assert with_enterprise_and_product_title.exists()
    assert FormerName.objects.count() > 100


def test_figures_are_plausible_and_feed_the_targets(loaded):
    latest = YearlyFigures.objects.filter(year=2020)
    targets = {target.code: target for target in Target.objects.all()}

    assert 200 <= latest.count() <= 500
    assert latest.filter(output_value__gt=100_000).count() >= 20
    assert latest.filter(output_value__gt=1_000_000).count() >= 2
    assert not latest.filter(
        Q(revenue__isnull=True)
        | Q(rd_spending__isnull=True)
        | Q(export_value__isnull=True)
        | Q(employees__isnull=True)
        | Q(new_product_output__gt=F("output_value"))
    ).exists()
    assert {code: (t.threshold, t.industry_group, t.goal) for code, t in targets.items()} == {
        "output_over_1bn": (100_000, "", 100),
        "output_over_10bn": (1_000_000, "", 10),
        "traditional_output": (None, "traditional", 60_000_000),
        "emerging_output": (None, "emerging", 55_000_000),
    }
    assert {target.deadline_year for target in targets.values()} == {2025}


def test_the_seminar_of_12_july_2021_is_published(loaded):
    seminar = Seminar.objects.published().get(held_on=datetime.date(2021, 7, 12))

    assert set(seminar.sponsors.values_list("name", flat=True)) == {
        "中国工业经济联合会",
        "温州市人民政府",
    }
    assert seminar.experts.count() >= 2
    assert not seminar.experts.exclude(name__startswith="示例").exists()
    assert seminar.participants.count() >= 5
    assert not seminar.participants.filter(
        recommendations__stage__in=[Stage.NOMINATED, Stage.PROVINCE_PASSED, Stage.SUBMITTED]
    ).exists()


def test_running_it_again_changes_nothing(loaded):
    before = table_state()

    added = load_demo()

    assert table_state() == before
    assert set(added.values()) == {0}
    assert sum(loaded.values()) > 20_000


def test_the_public_pages_see_what_the_demo_adds_in_bulk(cache_backend, summary_json):
    Designation.objects.filter(tier="little_giant").first().delete()
    assert by_code(summary_json()["headlines"])["little_giants"] == 20  # now cached

    load_demo()

    assert by_code(summary_json()["headlines"])["little_giants"] == 21


def test_the_command_adds_what_is_missing_and_reports_time_and_rows(loaded):
    Target.objects.filter(code="output_over_10bn").delete()
    out = StringIO()

    call_command("load_demo", stdout=out)

    output = out.getvalue()
    assert Target.objects.filter(code="output_over_10bn").exists()
    assert f"{Target._meta.verbose_name_plural}: 1\n" in output
    assert f"\n  {Enterprise._meta.verbose_name_plural}: " not in output
    assert "10,105" in output
    assert re.search(r"\d+\.\d\d", output.splitlines()[-1])


def test_bulk_inserted_rows_have_their_history(loaded):
    assert Enterprise.history.count() == Enterprise.objects.count()
    assert Designation.history.filter(history_type="+").count() == Designation.objects.count()
