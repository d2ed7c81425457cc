"""The sample data set: it reproduces DESIGN.md's headline figures on the public JSON, is labelled
as sample data, valid, spread over the city, and loading it again changes nothing.

Its titles come from published lists (notices) dated back from the day it is loaded, so the
figures must be the same whenever it is loaded: every test runs on the data loaded today and on
the data loaded as if two years later, with "today" (``timezone.localdate``, which the counts of
the public pages use) frozen at that load day.

The data set is loaded once for the module and load day, inside a transaction rolled back at the
end; each test runs in a savepoint within it (pytest-django's ``db``), so tests cannot see each
other's changes.
"""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from champions import lifecycle
from champions.demo import load_demo
from champions.models import (
    Batch,
    Designation,
    DesignationEvent,
    Enterprise,
    EventKind,
    FormerName,
    Notice,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    Target,
    YearlyFigures,
)
from champions.services.designations import DERIVED_FIELDS, refresh
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
    # In no headline: the prerequisites of the 2026 measures for the specialized SMEs and the
    # little giants, given to firms holding another title already.
    "innovative_sme": 150,
    "specialized_sme": 40,
}
#: Firms holding a title on the load day (and at the end of the year before).
FIRMS_WITH_A_TITLE = 10_254
SIXTH_BATCH_REACHED = {
    "nominated": 12,
    "province_passed": 9,
    "submitted": 9,
    "publicized": 0,
    "approved": 0,
}


#: The states of the titles not counted on the load day, and how many of each.
NOT_HELD = {
    lifecycle.PUBLICIZED: 10,
    lifecycle.LAPSED: 9,
    lifecycle.REVOKED: 10,
    lifecycle.TERM_ENDED: 1,
}


def frozen_localdate(day):
    """``timezone.localdate`` answering ``day`` for "today" (and converting as ever)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    return localdate


@pytest.fixture(scope="module", params=["today", "two years later"])
def load_day(request):
    today = timezone.localdate()
    return today if request.param == "today" else lifecycle.years_later(today, 2)


@pytest.fixture(scope="module")
def loaded(load_day, django_db_setup, django_db_blocker):
    """What the first run of ``load_demo`` on ``load_day`` added, per model; "today" is that day
    for the whole module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", frozen_localdate(load_day))
        with django_db_blocker.unblock(), transaction.atomic():
            added = load_demo(today=load_day)
            yield added
            transaction.set_rollback(True)


@pytest.fixture
def sixth_batch_year(loaded):
    return Batch.objects.get(tier="single_champion", number=6).year


@pytest.fixture
def summary_json(loaded, client):
    def get(**params):
        response = client.get("/api/summary.json", params)
        assert response.status_code == 200
        return response.json()

    return get


def by_code(rows):
    return {row["code"]: row["count"] for row in rows}


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


def sixth_batch(data, year):
    [funnel] = [
        row
        for row in data["recommendations"]
        if (row["tier"], row["batch"], row["year"]) == ("single_champion", 6, year)
    ]
    return funnel


def test_the_headline_figures_are_on_the_public_json(summary_json, load_day):
    data = summary_json()

    assert data["as_of"] == load_day.isoformat()
    assert by_code(data["headlines"]) == HEADLINES
    assert {code: count for code, count in by_code(data["tiers"]).items() if code in TIERS} == TIERS
    assert data["new_product_output_rate"] == 0.381
    assert data["new_product_output_year"] == load_day.year - 1


def test_the_sixth_batch_had_nine_reported_to_the_ministry(summary_json, sixth_batch_year):
    assert sixth_batch(summary_json(), sixth_batch_year)["reached"] == SIXTH_BATCH_REACHED
    in_its_year = summary_json(year=sixth_batch_year)
    assert sixth_batch(in_its_year, sixth_batch_year)["reached"] == SIXTH_BATCH_REACHED


def test_the_figures_at_the_end_of_the_year_before_are_the_same(summary_json, load_day):
    data = summary_json(year=load_day.year - 1)

    assert by_code(data["headlines"]) == HEADLINES
    assert data["new_product_output_rate"] == 0.381


def test_the_firms_holding_a_title_are_the_same_with_the_sme_titles(loaded, load_day):
    """The innovative and specialized SME titles go to firms holding another title in force, so
    the firms holding one are as many as without them; a specialized SME is an innovative one."""
    end_of_year_before = datetime.date(load_day.year - 1, 12, 31)
    sme_tiers = ["innovative_sme", "specialized_sme"]

    for day in (load_day, end_of_year_before):
        held = Designation.objects.in_force(day)
        assert held.values("enterprise").distinct().count() == FIRMS_WITH_A_TITLE
        assert (
            held.exclude(tier__in=sme_tiers).values("enterprise").distinct().count()
            == FIRMS_WITH_A_TITLE
        )
    specialized = held.filter(tier="specialized_sme").values("enterprise")
    innovative = held.filter(tier="innovative_sme").values("enterprise")
    assert not specialized.exclude(enterprise__in=innovative).exists()


def test_titles_of_other_states_are_there_but_not_counted(loaded, load_day):
    titles = list(Designation.objects.all())
    held = {title.pk for title in titles if title.is_in_force(load_day)}
    not_held = Counter(title.state_on(load_day) for title in titles if title.pk not in held)
    end_of_year_before = datetime.date(load_day.year - 1, 12, 31)

    assert not_held == NOT_HELD
    assert {title.state_on(load_day) for title in titles if title.pk in held} == {
        lifecycle.FINAL,
        lifecycle.REVIEW_PASSED,
    }
    assert {title.pk for title in titles if title.is_in_force(end_of_year_before)} == held
    revoked = [title for title in titles if title.status == lifecycle.REVOKED]
    assert all(title.banned_until > load_day for title in revoked)
    on_review_publicity = (
        Designation.objects.in_force(load_day)
        .filter(events__kind=EventKind.REVIEW_PUBLICITY)
        .exclude(events__kind=EventKind.REVIEW_RESULT)
    )
    assert on_review_publicity.count() == 3


def test_every_title_counted_is_inside_its_tiers_validity(loaded, load_day):
    """Each was announced, or passed its last review, within its validity before the load day."""
    held = Designation.objects.in_force(load_day).filter(tier__validity_years__isnull=False)
    starts = held.filter(
        Q(events__kind=EventKind.AWARD)
        | Q(events__kind=EventKind.REVIEW_RESULT, events__outcome=lifecycle.PASSED)
    ).values_list("pk", "tier__validity_years", "events__happened_on")
    latest = {}
    for pk, validity, day in starts:
        if pk not in latest or day > latest[pk][1]:
            latest[pk] = (validity, day)

    assert len(latest) == held.count() >= 10 + 21 + 60
    for validity, day in latest.values():
        assert day < load_day <= lifecycle.term_end(day, validity)


def test_every_event_is_from_a_notice_published_before_the_load_day(loaded, load_day):
    events = DesignationEvent.objects.select_related("notice__tier", "designation").order_by(
        "happened_on", "pk"
    )
    latest = {}

    assert events.count() > Designation.objects.count()
    for event in events:
        notice = event.notice
        assert notice is not None, event
        assert (notice.kind, notice.published_on) == (event.kind, event.happened_on)
        assert (notice.tier_id, notice.batch_id) == (
            event.designation.tier_id,
            event.designation.batch_id,
        )
        assert notice.published_on < load_day
        assert notice.authority == notice.tier.authority != ""
        if event.kind in (EventKind.AWARD, EventKind.REVIEW_RESULT):
            latest[event.designation] = notice
    # A title shows the document of the list its current term comes from.
    assert len(latest) == Designation.objects.exclude(status=lifecycle.PUBLICIZED).count()
    assert {
        title.document for title, notice in latest.items() if title.document != notice.document
    } == set()


def test_the_stored_standing_is_what_the_service_derives(loaded):
    """Bulk-loaded titles carry what ``refresh`` derives from their events: one title of each
    tier, batch and status, checked."""
    ids = list(
        Designation.objects.values("tier", "batch", "status")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    stored = list(Designation.objects.filter(pk__in=ids).values_list("pk", *DERIVED_FIELDS))

    refresh(ids)

    assert len(ids) > 25
    assert list(Designation.objects.filter(pk__in=ids).values_list("pk", *DERIVED_FIELDS)) == stored


def test_every_recommendation_has_each_of_its_moves_recorded(loaded, load_day):
    recommendations = Recommendation.objects.prefetch_related("moves").select_related("designation")
    assert len(recommendations) == 24
    for recommendation in recommendations:
        moves = list(recommendation.moves.order_by("happened_on", "id"))
        stages = [Stage.DRAFT] + [move.target for move in moves]
        assert [move.source for move in moves] == stages[:-1], recommendation
        assert stages[-1] == recommendation.stage
        if recommendation.stage in ENDINGS:
            assert recommendation.ended_at_stage == moves[-1].source
        assert all(move.happened_on and move.happened_on < load_day for move in moves)
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


def test_wenzhou_is_third_in_zhejiang_for_the_sixth_batch(sixth_batch_year):
    submitted = ProvinceCount.objects.filter(
        measure=ProvinceCount.Measure.SUBMITTED, tier="single_champion", year=sixth_batch_year
    )
    cities = Region.objects.filter(parent="330000", level=Region.Level.CITY)

    assert set(submitted.values_list("region", flat=True)) == set(
        cities.values_list("code", flat=True)
    )
    assert len(cities) == 11
    wenzhou = submitted.get(region="330300").count
    assert wenzhou == 9
    assert submitted.filter(count__gt=wenzhou).count() == 2


def test_wenzhous_province_counts_agree_with_the_registry(summary_json, sixth_batch_year):
    tiers = by_code(summary_json()["tiers"])
    in_force = ProvinceCount.objects.filter(
        measure=ProvinceCount.Measure.IN_FORCE, year=sixth_batch_year
    )

    for tier in ("single_champion", "single_champion_product", "little_giant"):
        assert in_force.filter(tier=tier).count() == 11
        assert in_force.get(tier=tier, region="330300").count == tiers[tier]


def test_the_sample_data_is_labelled(loaded):
    assert not Enterprise.objects.exclude(name__startswith="示例").exists()
    assert not FormerName.objects.exclude(name__startswith="示例").exists()
    # A title shows the document and source of the list its term comes from (on a publicity
    # list only, it has none yet).
    awarded = Designation.objects.exclude(status=lifecycle.PUBLICIZED)
    for rows in (awarded, Batch.objects, Notice.objects, ProvinceCount.objects, Seminar.objects):
        assert not rows.exclude(source__contains="示例数据").exists(), rows.model
    for rows in (awarded, Batch.objects, Notice.objects):
        assert not rows.exclude(document__contains="示例数据").exists(), rows.model
    assert not Notice.objects.exclude(title__contains="示例数据").exists()
    assert not DesignationEvent.objects.exclude(note__contains="示例数据").exists()
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


def test_figures_are_plausible_and_feed_the_targets(loaded, load_day):
    latest = YearlyFigures.objects.filter(year=load_day.year - 1)
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
    assert sum(loaded.values()) > 40_000


def test_running_it_again_a_year_later_changes_nothing_either(loaded, load_day, monkeypatch):
    """The dates of the data set already loaded are read back from it, not taken from today."""
    monkeypatch.setattr(timezone, "localdate", frozen_localdate(load_day + datetime.timedelta(400)))
    before = table_state()
    titles = Designation.objects.filter(tier="little_giant").order_by("pk")
    deleted = titles.values("enterprise", "batch", "held_from", "valid_until").first()
    titles.first().delete()

    load_demo()

    assert titles.values("enterprise", "batch", "held_from", "valid_until").last() == deleted
    assert table_state()["Notice"] == before["Notice"]
    assert table_state()["Batch"] == before["Batch"]


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
    assert Notice.history.count() == Notice.objects.count()
    assert Designation.history.filter(history_type="+").count() == Designation.objects.count()
    # A bulk-inserted title's history row shows the standing its events give it.
    fields = ("id", "status", "held_from", "valid_until", "banned_until", "document")
    bulk = Designation.history.filter(history_type="+", history_change_reason="load_demo")
    recorded = {row[0]: row for row in bulk.values_list(*fields)}
    assert len(recorded) > 10_000
    assert {row[0]: row for row in Designation.objects.values_list(*fields)}.items() >= (
        recorded.items()
    )
