"""Public endpoints against hostile query strings: a clear 400 or an empty result, never a 500,
and nothing sent back unescaped."""

import datetime

import pytest

from champions.models import Enterprise
from tests.test_pages import held_title

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
SQL = "1' OR '1'='1'; DROP TABLE champions_enterprise; --"
LONG = "阀" * 20_000

PUBLIC = [
    "/",
    "/enterprises/",
    "/breakdowns/regions/",
    "/breakdowns/industries/",
    "/breakdowns/batches/",
    "/breakdowns/province/",
    "/breakdowns/targets/",
    "/seminars/",
    "/api/summary.json",
]

HOSTILE = [
    {"q": SCRIPT},
    {"q": SQL},
    {"q": LONG},
    {"region": SQL},
    {"region": SCRIPT},
    {"region": "999999"},
    {"tier": SCRIPT},
    {"tier": "no_such_tier"},
    {"year": "2021 OR 1=1"},
    {"year": "99999999999999999999"},
    {"page": "99999999999"},
    {"page": "-1"},
    {"page": SCRIPT},
    {"sort": SQL},
    {"format": SCRIPT},
    {"unknown": SCRIPT, "also": LONG},
    {"industry": "../../etc/passwd"},
    {"batch": "0x41"},
    {"level": SCRIPT},
]


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("params", HOSTILE, ids=lambda p: ",".join(p))
def test_hostile_parameters(client, make_enterprise, single_champion, url, params):
    held_title(make_enterprise(), single_champion, datetime.date(2021, 11, 30))
    response = client.get(url, params)
    assert response.status_code in (200, 400, 404), response.status_code
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    assert SCRIPT not in body
    assert "<script>alert" not in body
    assert "Traceback" not in body


def test_the_firm_page_refuses_what_is_not_an_id(client):
    assert client.get("/enterprises/abc/").status_code == 404
    assert client.get("/enterprises/99999999999999999999/").status_code == 404


def test_tables_survive_a_hostile_search(client, make_enterprise):
    make_enterprise()
    client.get("/enterprises/", {"q": SQL})
    assert Enterprise.objects.count() == 1
