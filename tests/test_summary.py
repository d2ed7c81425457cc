"""The summary's numbers on small hand-made data sets, and its cost at any size.

The titles are recorded through ``champions.services.designations`` as the programmes record
them; the last part checks that what the summary and ``/api/summary.json`` count is what the
titles' events make of them (``champions.lifecycle``), today, at the end of past years and on the
days a term begins and ends.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from champions import lifecycle, summary
from champions.models import (
    Designation,
    DisclosureRule,
    Enterprise,
    EventKind,
    FiguresYear,
    Industry,
    Recommendation,
    Region,
    Target,
    Tier,
    YearlyFigures,
)
from champions.services.designations import award, bans_on, record_designation, record_event
from champions.services.recommendations import advance, move
from champions.workflow import Stage
from tests.conftest import make_credit_code
from tests.test_pages import (
    award_in_bulk,
    build_registry,
    commit_data_changes,
    held_title,
    years_ago,
)
from tests.test_pages_speed import PINNED

pytestmark = pytest.mark.django_db


def counts(scope):
    return {tier["code"]: tier["count"] for tier in summary.tier_counts(scope)}


@pytest.fixture
def registry(make_enterprise, single_champion, hidden_champion):
    """Four firms in two counties and one in another city, holding a mix of titles recorded
    through the service: awards held to this day, a publicity list, a revocation, a term over."""
    lucheng = Region.objects.get(code="330302")
    ruian = Region.objects.get(code="330381")
    haishu = Region.objects.get(code="330203")  # in Ningbo, another city of the province
    product = Tier.objects.get(code="single_champion_product")
    a = make_enterprise(name="甲", region=lucheng)
    b = make_enterprise(name="乙", region=lucheng)
    c = make_enterprise(name="丙", region=ruian)
    d = make_enterprise(name="丁", region=ruian)
    outsider = make_enterprise(name="外", region=haishu)
    held_title(a, single_champion, datetime.date(2019, 11, 20))
    passed = held_title(b, single_champion, datetime.date(2021, 11, 30))
    assert passed.status == Designation.Status.REVIEW_PASSED
    # Two products of one firm count twice for a product title.
    held_title(a, product, datetime.date(2020, 11, 17), product="阀门")
    held_title(a, product, datetime.date(2020, 11, 17), product="水泵")
    # Not in force: on a publicity list, revoked, expired.
    listed, _created = record_designation(enterprise=c, tier=single_champion, year=2022)
    record_event(listed, EventKind.PUBLICITY, happened_on=datetime.date(2022, 8, 10))
    revoked = award(d, single_champion, year=2018, happened_on=datetime.date(2018, 11, 20))
    record_event(revoked, EventKind.REVOCATION, happened_on=datetime.date(2019, 6, 3))
    expired = award(c, hidden_champion, year=2018, happened_on=datetime.date(2018, 1, 1))
    assert expired.valid_until == datetime.date(2020, 12, 31)
    held_title(d, hidden_champion, datetime.date(2020, 11, 10))
    held_title(outsider, hidden_champion, datetime.date(2020, 11, 10))
    return {"a": a, "b": b, "c": c, "d": d, "outsider": outsider}


def test_tier_counts_today(registry):
    got = counts(summary.make_scope())
    assert got["single_champion"] == 2
    assert got["single_champion_product"] == 2
    assert got["hidden_champion"] == 2  # d (reviewed since) and the outsider; c expired
    assert got["little_giant"] == 0


def test_tier_counts_in_a_region_subtree(registry):
    wenzhou = Region.objects.get(code="330300")
    got = counts(summary.make_scope(region=wenzhou))
    assert (got["single_champion"], got["hidden_champion"]) == (2, 1)
    ruian = counts(summary.make_scope(region=Region.objects.get(code="330381")))
    assert (ruian["single_champion"], ruian["hidden_champion"]) == (0, 1)
    zhejiang = counts(summary.make_scope(region=Region.objects.get(code="330000")))
    assert zhejiang["hidden_champion"] == 2


def test_tier_counts_at_the_end_of_a_year(registry):
    got = counts(summary.make_scope(year=2019))
    assert got["single_champion"] == 1  # b's title is from 2021
    assert got["single_champion_product"] == 0
    assert got["hidden_champion"] == 1  # c, valid until the end of 2020
    assert counts(summary.make_scope(year=2020))["hidden_champion"] == 3
    assert counts(summary.make_scope(year=2021))["hidden_champion"] == 2


def test_headlines_add_up_their_tiers(registry):
    tiers = summary.tier_counts(summary.make_scope())
    headlines = {h["code"]: h["count"] for h in summary.headline_counts(tiers)}
    assert headlines["single_champions"] == 4
    assert headlines["hidden_champions"] == 2


def test_funnel_counts_reached_stages(make_enterprise, national_batch, provincial_batch):
    def recommend(batch, stage, end=None):
        rec = Recommendation.objects.create(enterprise=make_enterprise(), batch=batch)
        if stage != Stage.DRAFT:
            advance(rec, stage)
        if end:
            move(rec, end)
        return rec

    recommend(national_batch, Stage.DRAFT)
    recommend(national_batch, Stage.NOMINATED, Stage.REJECTED)
    recommend(national_batch, Stage.PROVINCE_PASSED)
    recommend(national_batch, Stage.SUBMITTED)
    recommend(national_batch, Stage.SUBMITTED, Stage.WITHDRAWN)
    recommend(national_batch, Stage.APPROVED)
    recommend(provincial_batch, Stage.PUBLICIZED)
    funnels = {f["tier"]: f for f in summary.recommendation_funnels(summary.make_scope())}
    assert funnels["single_champion"]["reached"] == {
        "nominated": 5,
        "province_passed": 4,
        "submitted": 3,
        "publicized": 1,
        "approved": 1,
    }
    assert funnels["single_champion"]["batch"] == 6
    # Provincial programmes never report to the ministry.
    assert funnels["hidden_champion"]["reached"] == {
        "nominated": 1,
        "province_passed": 1,
        "submitted": 0,
        "publicized": 1,
        "approved": 0,
    }
    assert summary.recommendation_funnels(summary.make_scope(year=2019)) == []


def figures(enterprise, year, output, new):
    return YearlyFigures.objects.create(
        enterprise=enterprise,
        year=year,
        output_value=Decimal(output),
        new_product_output=Decimal(new),
    )


def close(*years):
    for year in years:
        FiguresYear.objects.update_or_create(
            year=year, defaults={"closed_on": datetime.date(year + 1, 3, 31)}
        )


def test_new_product_rate_uses_latest_year_and_suppresses_small_groups(make_enterprise):
    firms = [make_enterprise() for _ in range(3)]
    for firm in firms:
        figures(firm, 2019, 100, 10)
    figures(firms[0], 2020, 1000, 381)
    figures(firms[1], 2020, 1000, 381)
    close(2019, 2020)
    # Two firms only in the latest year: too few to publish.
    rate = summary.new_product_output(summary.make_scope())
    assert (rate["year"], rate["rate"], rate["enterprises"]) == (2020, None, 2)
    assert rate["suppressed"] == summary.FEW and "fewer than 3" in rate["note"]
    figures(firms[2], 2020, 2000, 762)
    assert summary.new_product_output(summary.make_scope())["rate"] == 0.381
    assert summary.new_product_output(summary.make_scope(year=2019))["rate"] == 0.1


def grow(n, tier, batch):
    """Add ``n`` titled, recommended firms with figures, in bulk: their awards, announced a year
    ago, too, and their standing derived as the service does."""
    start = Enterprise.objects.count() + 1000
    region = Region.objects.get(code="330304")
    firms = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"规模{start + i}",
            name_key=f"规模{start + i}",
            credit_code=make_credit_code(start + i),
            region=region,
        )
        for i in range(n)
    )
    announced_on = years_ago(1)
    titles = Designation.objects.bulk_create(
        Designation(enterprise=f, tier=tier, year=announced_on.year) for f in firms
    )
    award_in_bulk(titles, announced_on)
    Recommendation.objects.bulk_create(
        Recommendation(enterprise=f, batch=batch, stage="submitted") for f in firms
    )
    YearlyFigures.objects.bulk_create(
        YearlyFigures(enterprise=f, year=2020, output_value=10, new_product_output=4) for f in firms
    )


def queries_for(scope):
    with CaptureQueriesContext(connection) as captured:
        summary.summary(scope)
    return len(captured.captured_queries)


def test_query_count_is_the_same_at_10_and_1000_enterprises(single_champion, national_batch):
    wenzhou = Region.objects.get(code="330300")
    grow(10, single_champion, national_batch)
    small = (queries_for(summary.make_scope()), queries_for(summary.make_scope(wenzhou, 2021)))
    assert summary.summary(summary.make_scope())["tiers"][0]["count"] == 10
    grow(990, single_champion, national_batch)
    large = (queries_for(summary.make_scope()), queries_for(summary.make_scope(wenzhou, 2021)))
    assert summary.summary(summary.make_scope())["tiers"][0]["count"] == 1000
    assert small == large
    assert max(large) <= 4


# --- The counts are the events' counts: every state, past years, the boundary days ------------

#: Holders at the end of ``Y - years back`` (0: today) of the tiers ``lives`` records titles of:
#: (little giants, hidden champions, champion pool, single champion products).
HELD = {
    0: (4, 0, 1, 2),
    1: (4, 1, 1, 2),
    2: (5, 1, 1, 0),
    3: (4, 1, 2, 0),
    4: (3, 0, 2, 0),
    5: (0, 0, 2, 0),
    6: (0, 0, 1, 0),
    7: (0, 0, 0, 0),
}
HELD_TIERS = ("little_giant", "hidden_champion", "champion_pool", "single_champion_product")
#: The little giants the city itself holds (the outsider is in Ningbo), at the end of a year.
CITY_LITTLE_GIANTS = {0: 3, 1: 3, 2: 5}


def on_day(monkeypatch, day):
    """Make ``day`` today for the summary, the pages and the cache's keys."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def counts_from_events(on, *, year=None, regions=None):
    """Holders of each tier on ``on``, worked out in Python from each designation's events with
    the rules of ``champions.lifecycle``, without the standing stored on it: firms for enterprise
    titles, products for product titles; ``year`` and ``regions`` narrow as a scope does."""
    firms, products = defaultdict(set), Counter()
    designations = Designation.objects.select_related("tier", "enterprise").prefetch_related(
        "events"
    )
    for designation in designations:
        derived = lifecycle.derive(
            [event.facts() for event in designation.events.all()],
            validity_years=designation.tier.validity_years,
            year=designation.year,
        )
        if not lifecycle.is_held(derived.held_from, derived.valid_until, on):
            continue
        if year and designation.year > year:
            continue
        if regions is not None and designation.enterprise.region_id not in regions:
            continue
        firms[designation.tier_id].add(designation.enterprise_id)
        products[designation.tier_id] += 1
    return {
        tier.code: products[tier.code] if tier.kind == Tier.Kind.PRODUCT else len(firms[tier.code])
        for tier in Tier.objects.all()
    }


def api_counts(client, **params):
    data = client.get("/api/summary.json", params).json()
    return data, {tier["code"]: tier["count"] for tier in data["tiers"]}


@pytest.fixture
def lives(make_enterprise):
    """One title in each state its events can leave it in, dated in the years before this one
    (``Y``) on days that no count taken this year depends on, so that ``HELD`` holds on any day
    of the year. Returns the designations by name, and ``Y``."""
    Y = timezone.localdate().year
    tier = {t.code: t for t in Tier.objects.all()}
    ningbo = Region.objects.get(code="330203")

    def day(years_back, month, day_of_month):
        return datetime.date(Y - years_back, month, day_of_month)

    def awarded(tier_code, on, **fields):
        firm = make_enterprise(**fields)
        return award(firm, tier[tier_code], year=on.year, happened_on=on)

    def then(designation, kind, on, **facts):
        record_event(designation, kind, happened_on=on, **facts)
        return designation

    review = EventKind.REVIEW_RESULT
    titles = {
        # Little giants, three years a term.
        "awarded": awarded("little_giant", day(1, 9, 6)),
        "passed": then(
            then(awarded("little_giant", day(4, 9, 6)), EventKind.REVIEW_PUBLICITY, day(1, 6, 1)),
            review,
            day(1, 8, 1),
            outcome=lifecycle.PASSED,
        ),
        "failed": then(
            then(awarded("little_giant", day(4, 10, 15)), EventKind.REVIEW_PUBLICITY, day(1, 6, 1)),
            review,
            day(1, 8, 1),
            outcome=lifecycle.FAILED,
        ),
        "not_applied": then(
            awarded("little_giant", day(4, 1, 1)),
            review,
            day(2, 11, 1),
            outcome=lifecycle.NOT_APPLIED,
        ),
        "under_review": then(
            awarded("little_giant", day(2, 3, 20)), EventKind.REVIEW_PUBLICITY, day(1, 12, 1)
        ),
        "revoked": then(awarded("little_giant", day(3, 7, 1)), EventKind.REVOCATION, day(1, 3, 15)),
        "outsider": awarded("little_giant", day(1, 4, 10), region=ningbo),
        # A term over with no review result recorded.
        "term_ended": awarded("hidden_champion", day(3, 1, 1)),
        # The city's pool: no fixed validity.
        "pool": awarded("champion_pool", day(6, 5, 20)),
        "pool_failed": then(
            awarded("champion_pool", day(5, 3, 1)), review, day(2, 6, 1), outcome=lifecycle.FAILED
        ),
    }
    listed, _created = record_designation(
        enterprise=make_enterprise(), tier=tier["little_giant"], year=Y - 1
    )
    titles["publicized"] = then(listed, EventKind.PUBLICITY, day(1, 8, 15))
    products = make_enterprise()
    for product in ("阀门", "水泵"):
        titles[product] = award(
            products,
            tier["single_champion_product"],
            year=Y - 1,
            product=product,
            happened_on=day(1, 11, 30),
        )
    for designation in titles.values():
        designation.refresh_from_db()
    return titles, Y


def test_each_title_stores_what_its_events_derive(lives):
    titles, Y = lives
    status = Designation.Status

    def day(years_back, month, day_of_month):
        return datetime.date(Y - years_back, month, day_of_month)

    expected = {
        # name: (state today, held from, last day held, banned until)
        "awarded": (status.FINAL, day(1, 9, 6), day(-2, 9, 5), None),
        "passed": (status.REVIEW_PASSED, day(4, 9, 6), day(-2, 7, 31), None),
        "failed": (status.LAPSED, day(4, 10, 15), day(1, 10, 14), None),
        "not_applied": (status.LAPSED, day(4, 1, 1), day(2, 12, 31), None),
        "under_review": (status.FINAL, day(2, 3, 20), day(-1, 3, 19), None),
        "revoked": (status.REVOKED, day(3, 7, 1), day(1, 3, 14), day(-2, 3, 15)),
        "outsider": (status.FINAL, day(1, 4, 10), day(-2, 4, 9), None),
        "term_ended": (lifecycle.TERM_ENDED, day(3, 1, 1), day(1, 12, 31), None),
        "pool": (status.FINAL, day(6, 5, 20), None, None),
        "pool_failed": (status.LAPSED, day(5, 3, 1), day(2, 5, 31), None),
        "publicized": (status.PUBLICIZED, None, None, None),
        "阀门": (status.FINAL, day(1, 11, 30), day(-2, 11, 29), None),
    }
    for name, (state, held_from, until, banned) in expected.items():
        title = titles[name]
        assert (title.state_on(), title.held_from, title.valid_until, title.banned_until) == (
            state,
            held_from,
            until,
            banned,
        ), name
        derived = lifecycle.derive(
            [event.facts() for event in title.events.all()],
            validity_years=title.tier.validity_years,
            year=title.year,
        )
        stored = (title.status, title.held_from, title.valid_until, title.banned_until)
        assert stored == (
            derived.status,
            derived.held_from,
            derived.valid_until,
            derived.banned_until,
        )
    # The revocation bans the firm from applying again for three years.
    revoked = titles["revoked"]
    assert bans_on(revoked.enterprise, revoked.tier, timezone.localdate()) == [day(-2, 3, 15)]


@pytest.mark.parametrize("years_back", sorted(HELD))
def test_counts_of_each_year_are_the_events_counts(client, lives, years_back):
    """Today (no year) and at the end of each past year: the summary functions, the JSON and
    the counts worked out from the events agree, and are the figures of ``HELD``."""
    _titles, Y = lives
    year = Y - years_back if years_back else None
    on = datetime.date(year, 12, 31) if year else timezone.localdate()
    expected = counts_from_events(on, year=year)
    assert {code: expected[code] for code in HELD_TIERS} == dict(
        zip(HELD_TIERS, HELD[years_back], strict=True)
    )
    assert counts(summary.make_scope(year=year)) == expected
    params = {"year": year} if year else {}
    data, from_api = api_counts(client, **params)
    assert from_api == expected
    assert data["as_of"] == on.isoformat()
    headlines = {h["code"]: h["count"] for h in data["headlines"]}
    assert headlines["little_giants"] == expected["little_giant"]
    assert headlines["champion_pool"] == expected["champion_pool"]


@pytest.mark.parametrize("years_back", sorted(CITY_LITTLE_GIANTS))
def test_counts_in_the_city_are_the_events_counts(client, lives, years_back):
    _titles, Y = lives
    year = Y - years_back if years_back else None
    on = datetime.date(year, 12, 31) if year else timezone.localdate()
    city = Region.objects.get(code="330300")
    codes = set(
        Region.objects.filter(Q(code=city.code) | Q(parent=city)).values_list("code", flat=True)
    )
    expected = counts_from_events(on, year=year, regions=codes)
    assert expected["little_giant"] == CITY_LITTLE_GIANTS[years_back]
    assert counts(summary.make_scope(city, year)) == expected
    params = {"region": city.code, **({"year": year} if year else {})}
    assert api_counts(client, **params)[1] == expected


#: (title, a day it is held, the next or previous day, when it is not), days as
#: (years before this one, month, day): the first day of a term counts, the day after its last
#: does not, whatever ended it.
BOUNDARIES = [
    ("awarded", (1, 9, 6), (1, 9, 5)),  # held from the award's announcement
    ("awarded", (-2, 9, 5), (-2, 9, 6)),  # three years, the last day included
    ("passed", (-2, 7, 31), (-2, 8, 1)),  # three years from the passed review
    ("under_review", (-1, 3, 19), (-1, 3, 20)),  # a review publicity changes nothing
    ("failed", (1, 10, 14), (1, 10, 15)),  # to the end of its term
    ("not_applied", (2, 12, 31), (1, 1, 1)),  # likewise; the end of a year
    ("revoked", (1, 3, 14), (1, 3, 15)),  # to the day before the revocation
    ("term_ended", (1, 12, 31), (0, 1, 1)),  # no review recorded: not after its term
    ("pool_failed", (2, 5, 31), (2, 6, 1)),  # no validity: to the day before the result
]


@pytest.mark.parametrize(("name", "held", "not_held"), BOUNDARIES)
def test_the_boundary_days_of_a_term(client, lives, monkeypatch, name, held, not_held):
    titles, Y = lives
    title = titles[name]
    held, not_held = (
        datetime.date(Y - years, month, day) for years, month, day in (held, not_held)
    )
    assert Designation.objects.in_force(held).filter(pk=title.pk).exists()
    assert not Designation.objects.in_force(not_held).filter(pk=title.pk).exists()
    assert (title.is_in_force(held), title.is_in_force(not_held)) == (True, False)
    counted = {}
    for day in (held, not_held):
        on_day(monkeypatch, day)
        expected = counts_from_events(day)
        assert counts(summary.make_scope()) == expected, day
        data, from_api = api_counts(client)
        assert (data["as_of"], from_api) == (day.isoformat(), expected)
        counted[day] = expected[title.tier_id]
    # The title is the one that comes or goes between the two days.
    assert counted[held] - counted[not_held] == 1


def test_a_review_carries_a_title_past_its_first_term(lives):
    titles, Y = lives
    last_of_first_term = datetime.date(Y - 1, 9, 5)
    day_after = last_of_first_term + datetime.timedelta(days=1)
    assert titles["passed"].is_in_force(last_of_first_term) and titles["passed"].is_in_force(
        day_after
    )
    assert not titles["term_ended"].is_in_force(datetime.date(Y, 1, 1))


def test_the_home_page_and_summary_cost_what_they_are_pinned_to(
    client, lives, django_assert_num_queries
):
    """Titles in every state change nothing of what the pages cost."""
    build_registry()
    for url in ("/", "/api/summary.json"):
        after_change, cached = PINNED[url]
        commit_data_changes()
        with django_assert_num_queries(after_change):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(cached):
            assert client.get(url).status_code == 200


# --- Statistical disclosure control ---------------------------------------------------------


@pytest.fixture
def group_target():
    return Target.objects.create(
        code="emerging",
        name="新兴产业产值",
        name_en="Output of the emerging industries",
        metric=Target.Metric.GROUP_OUTPUT,
        industry_group="emerging",
        goal=Decimal("1000000"),
        deadline_year=2025,
    )


def emerging_firms(make_enterprise, outputs, year=2020):
    industry = Industry.objects.filter(group="emerging").first()
    for output in outputs:
        firm = make_enterprise(industry=industry)
        YearlyFigures.objects.create(
            enterprise=firm,
            year=year,
            output_value=None if output is None else Decimal(output),
            new_product_output=None if output is None else Decimal(output) / 2,
        )


def group_value(year=None):
    (progress,) = summary.target_progress()
    assert year is None or progress["year"] == year
    return progress


def test_firms_with_zero_or_no_figure_do_not_count_toward_the_minimum(
    make_enterprise, group_target
):
    # The case: 0, 0 and 54,321.09 would publish the third firm's own output.
    emerging_firms(make_enterprise, ["0", "0", "54321.09", None])
    close(2020)
    progress = group_value(2020)
    assert progress["value"] is None and progress["suppressed"] == summary.FEW
    assert progress["enterprises"] == 1
    assert summary.new_product_output(summary.make_scope())["rate"] is None


@pytest.mark.parametrize(
    ("outputs", "shown"),
    [
        (["85", "10", "5"], True),  # the largest firm is exactly 85 %: shown
        (["85.01", "9.99", "5"], False),  # just over: one firm dominates
    ],
)
def test_no_aggregate_where_one_firm_makes_up_more_than_the_dominance_share(
    make_enterprise, group_target, outputs, shown
):
    emerging_firms(make_enterprise, outputs)
    close(2020)
    progress = group_value(2020)
    assert (progress["value"] is not None) is shown
    assert progress["suppressed"] == (None if shown else summary.DOMINANT)
    if not shown:
        assert "more than 85%" in progress["note"]
    assert (summary.new_product_output(summary.make_scope())["rate"] is not None) is shown


def test_an_open_year_is_not_published_until_staff_close_it(make_enterprise, group_target):
    emerging_firms(make_enterprise, ["100", "200", "300"], year=2020)
    emerging_firms(make_enterprise, ["100", "200", "300", "400"], year=2021)
    # No year closed: nothing is published.
    assert group_value()["value"] is None
    close(2020)
    # 2021 is open: the page shows 2020 and says why not 2021.
    progress = group_value(2020)
    assert progress["value"] == 600
    rule = summary.disclosure()
    assert rule.latest_open_year == 2021
    assert "Figures of 2021 and later are not closed yet" in rule.rules_text(2020)
    # Closing 2021 publishes it: a firm reporting late into a closed year is not compared away.
    close(2021)
    assert group_value(2021)["value"] == 1000
    assert summary.disclosure().latest_open_year is None


def test_the_rule_is_data_and_its_numbers_are_on_the_pages(client, make_enterprise, group_target):
    emerging_firms(make_enterprise, ["100", "200", "300"])
    close(2020)
    assert group_value(2020)["value"] == 600
    DisclosureRule.objects.create(
        applies_from=datetime.date(2021, 1, 1), min_contributors=4, dominance_share=70
    )
    progress = group_value(2020)
    assert progress["value"] is None and "fewer than 4" in progress["note"]
    page = client.get("/breakdowns/targets/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at least 4 firms" in page and "more than 70%" in page
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at least 4 firms" in home
