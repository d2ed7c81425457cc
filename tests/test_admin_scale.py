"""The admin's answers to large tables: estimated counts, EXISTS filters, the enterprise search."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from champions.admin import paginator as estimated
from champions.models import Batch, Designation, Enterprise, FormerName
from champions.services.designations import award
from tests.admin_helpers import admin_url

pytestmark = pytest.mark.django_db


def listed(admin_client, model, **params):
    return list(admin_client.get(admin_url(model), params).context["cl"].result_list)


def test_tier_filter_lists_a_firm_once_however_many_titles_it_has(
    admin_client, make_enterprise, single_champion
):
    twice, other = make_enterprise(), make_enterprise()
    for number in (1, 2):
        batch = Batch.objects.create(tier=single_champion, number=number, year=2016 + number)
        award(
            twice,
            single_champion,
            batch=batch,
            year=batch.year,
            happened_on=datetime.date(batch.year, 11, 20),
        )
    assert listed(admin_client, Enterprise, tier="single_champion") == [twice]
    assert set(listed(admin_client, Enterprise)) == {twice, other}


def test_year_filter_offers_every_year_between_the_first_and_the_last(
    admin_client, make_enterprise, single_champion
):
    firm = make_enterprise()
    for year in (2015, 2019):
        award(firm, single_champion, year=year, happened_on=datetime.date(year, 11, 20))
    response = admin_client.get(admin_url(Designation))
    specs = response.context["cl"].filter_specs
    year_filter = next(f for f in specs if getattr(f, "parameter_name", None) == "year")
    assert [value for value, _ in year_filter.lookup_choices] == [2019, 2018, 2017, 2016, 2015]
    assert [d.year for d in listed(admin_client, Designation, year=2019)] == [2019]


def test_search_by_name_former_name_brackets_and_code(admin_client, make_enterprise):
    firm = make_enterprise(name="温州搜索阀门（集团）有限公司")
    FormerName.objects.create(enterprise=firm, name="瓯海搜索阀门厂")
    FormerName.objects.create(enterprise=firm, name="瓯海搜索阀门总厂")
    make_enterprise(name="另一家企业")
    assert listed(admin_client, Enterprise, q="搜索阀门(集团)") == [firm]
    # Two former names match: still one row.
    assert listed(admin_client, Enterprise, q="瓯海搜索") == [firm]
    assert listed(admin_client, Enterprise, q=firm.credit_code[:17].lower()) == [firm]
    assert listed(admin_client, Designation, q="瓯海搜索") == []


def test_small_lists_are_counted_exactly(admin_client, make_enterprise):
    for _ in range(3):
        make_enterprise()
    assert admin_client.get(admin_url(Enterprise)).context["cl"].result_count == 3


def test_large_lists_use_the_planner_estimate_instead_of_count(
    admin_client, make_enterprise, monkeypatch
):
    for _ in range(3):
        make_enterprise()
    monkeypatch.setattr(estimated, "EXACT_BELOW", 1)
    with CaptureQueriesContext(connection) as queries:
        result_count = admin_client.get(admin_url(Enterprise)).context["cl"].result_count
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    if connection.vendor == "postgresql":
        assert not any("champions_enterprise" in sql for sql in counts)
        assert result_count == estimated.planner_estimate(Enterprise.objects.all())
        assert result_count >= 1
    else:  # SQLite has no planner estimate; its COUNT stays exact
        assert result_count == 3
