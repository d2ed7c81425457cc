"""``/api/summary.json``: the stable interface of DESIGN.md."""

import datetime

import pytest

from champions.models import Region
from tests.test_pages import held_title

pytestmark = pytest.mark.django_db


@pytest.fixture
def titled(make_enterprise, single_champion, hidden_champion):
    ruian = Region.objects.get(code="330381")
    a = make_enterprise(region=ruian)
    b = make_enterprise()
    # Awarded in 2020 and 2022, and held since (reviewed as their terms ran out).
    held_title(a, single_champion, datetime.date(2020, 11, 17))
    held_title(b, hidden_champion, datetime.date(2022, 11, 10))


def tier_count(data, code):
    return next(t["count"] for t in data["tiers"] if t["code"] == code)


def test_shape_and_counts(client, titled):
    response = client.get("/api/summary.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) >= {"tiers", "recommendations", "new_product_output_rate"}
    assert set(data["tiers"][0]) >= {"code", "name", "level", "count"}
    assert data["tiers"][0]["code"] == "single_champion"
    assert tier_count(data, "single_champion") == 1
    assert tier_count(data, "hidden_champion") == 1
    # Chinese comes through as text, not \\u escapes.
    assert "制造业单项冠军企业" in response.content.decode()


def test_region_and_year(client, titled):
    ruian = client.get("/api/summary.json", {"region": "330381"}).json()
    assert (tier_count(ruian, "single_champion"), tier_count(ruian, "hidden_champion")) == (1, 0)
    assert ruian["region"] == {"code": "330381", "name": "瑞安市"}
    city = client.get("/api/summary.json", {"region": "330300", "year": "2021"}).json()
    assert (tier_count(city, "single_champion"), tier_count(city, "hidden_champion")) == (1, 0)
    assert city["as_of"] == "2021-12-31"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "999999"}, "region"),
        ({"region": "'; drop table x"}, "region"),
        ({"year": "abc"}, "year"),
        ({"year": "20210"}, "year"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, params, field):
    response = client.get("/api/summary.json", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_write_methods_are_refused(client):
    assert client.post("/api/summary.json").status_code == 405
