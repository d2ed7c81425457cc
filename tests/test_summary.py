"""The summary's numbers on a small hand-made data set, and its cost at any size."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from champions import summary
from champions.models import (
    Designation,
    Enterprise,
    Recommendation,
    Region,
    Tier,
    YearlyFigures,
)
from champions.services.recommendations import advance, move
from champions.workflow import Stage
from tests.conftest import make_credit_code

pytestmark = pytest.mark.django_db


def counts(scope):
    return {tier["code"]: tier["count"] for tier in summary.tier_counts(scope)}


@pytest.fixture
def registry(make_enterprise, single_champion, hidden_champion):
    """Four firms in two counties and one in another city, holding a mix of titles."""
    lucheng = Region.objects.get(code="330302")
    ruian = Region.objects.get(code="330381")
    haishu = Region.objects.get(code="330203")  # in Ningbo, another city of the province
    product = Tier.objects.get(code="single_champion_product")
    a = make_enterprise(name="甲", region=lucheng)
    b = make_enterprise(name="乙", region=lucheng)
    c = make_enterprise(name="丙", region=ruian)
    d = make_enterprise(name="丁", region=ruian)
    outsider = make_enterprise(name="外", region=haishu)
    final = Designation.Status.FINAL
    Designation.objects.create(enterprise=a, tier=single_champion, year=2019, status=final)
    Designation.objects.create(
        enterprise=b, tier=single_champion, year=2021, status=Designation.Status.REVIEW_PASSED
    )
    # Two products of one firm count twice for a product title.
    Designation.objects.create(enterprise=a, tier=product, year=2020, product="阀门", status=final)
    Designation.objects.create(enterprise=a, tier=product, year=2020, product="水泵", status=final)
    # Not in force: on a publicity list, revoked, expired.
    Designation.objects.create(
        enterprise=c, tier=single_champion, year=2022, status=Designation.Status.PUBLICIZED
    )
    Designation.objects.create(
        enterprise=d, tier=single_champion, year=2018, status=Designation.Status.REVOKED
    )
    Designation.objects.create(
        enterprise=c,
        tier=hidden_champion,
        year=2018,
        status=final,
        valid_until=datetime.date(2020, 12, 31),
    )
    Designation.objects.create(
        enterprise=d,
        tier=hidden_champion,
        year=2020,
        status=final,
        valid_until=datetime.date(2099, 12, 31),
    )
    Designation.objects.create(enterprise=outsider, tier=hidden_champion, year=2020, status=final)
    return {"a": a, "b": b, "c": c, "d": d, "outsider": outsider}


def test_tier_counts_today(registry):
    got = counts(summary.make_scope())
    assert got["single_champion"] == 2
    assert got["single_champion_product"] == 2
    assert got["hidden_champion"] == 2  # d (valid to 2099) and the outsider; c expired
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


def test_new_product_rate_uses_latest_year_and_suppresses_small_groups(make_enterprise):
    firms = [make_enterprise() for _ in range(3)]
    for firm in firms:
        figures(firm, 2019, 100, 10)
    figures(firms[0], 2020, 1000, 381)
    figures(firms[1], 2020, 1000, 381)
    # Two firms only in the latest year: too few to publish.
    assert summary.new_product_output(summary.make_scope()) == {
        "year": 2020,
        "rate": None,
        "enterprises": 2,
    }
    figures(firms[2], 2020, 2000, 762)
    assert summary.new_product_output(summary.make_scope())["rate"] == 0.381
    assert summary.new_product_output(summary.make_scope(year=2019))["rate"] == 0.1


def grow(n, tier, batch):
    """Add ``n`` titled, recommended firms with figures, in bulk."""
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
    Designation.objects.bulk_create(
        Designation(enterprise=f, tier=tier, year=2020, status="final") for f in firms
    )
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
