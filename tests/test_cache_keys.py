"""The page cache is keyed by what a page understands: junk parameters, other spellings of the
same filters and rejected values make no new cache entries, with the database cache and Redis."""

import re
import secrets

import pytest
import redis
from django.core.cache import cache
from django.db import connection

from tests.conftest import TEST_REDIS_URL
from tests.test_pages import PAGES, body, build_registry, commit_data_changes

pytestmark = pytest.mark.django_db

#: Every public address with the query string of a page that reads one.
URLS = [
    *PAGES,
    "/enterprises/?tier=hidden_champion&page=1",
    "/enterprises/?format=csv",
    "/enterprises/?format=json",
    "/breakdowns/regions/?format=csv",
    "/api/summary.json",
    "/api/summary.json?region=330381",
]


@pytest.fixture
def registry():
    parts = build_registry()
    commit_data_changes()
    return parts


def entries(backend):
    """How many entries the cache holds."""
    if backend == "redis":
        server = redis.Redis.from_url(TEST_REDIS_URL)
        try:
            return server.dbsize()
        finally:
            server.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM champions_cache")
        return cursor.fetchone()[0]


def with_params(url, params):
    return url + ("&" if "?" in url else "?") + params


def content(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return body(response)


@pytest.mark.parametrize("url", URLS)
def test_junk_parameters_make_no_new_entry_and_answer_the_same(
    cache_backend, client, registry, url
):
    first = without_token(content(client, url))
    count = entries(cache_backend)
    for _ in range(20):
        junk = f"x={secrets.token_hex(8)}&{secrets.token_hex(3)}={secrets.token_hex(4)}&utm=1"
        assert without_token(content(client, with_params(url, junk))) == first
    assert entries(cache_backend) == count


def test_a_page_computed_for_a_junk_url_does_not_carry_the_junk(client, registry):
    cache.clear()
    html = content(client, "/enterprises/?tier=hidden_champion&junk=zzz-junk-zzz")
    assert "zzz-junk-zzz" not in html
    assert 'value="/enterprises/?tier=hidden_champion"' in html  # the language switch's next


def without_token(html):
    """A page without its CSRF token, which is fresh for every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize(
    "spellings",
    [
        ["year=2021", "year=02021", "year=%202021%20", "year=2021.0", "year=2021&region="],
        [
            "tier=hidden_champion&tier=single_champion",
            "tier=single_champion&tier=hidden_champion",
            "tier=single_champion&tier=hidden_champion&tier=single_champion",
            "level=&tier=single_champion&tier=hidden_champion",
        ],
    ],
)
def test_one_entry_per_page_however_its_filters_are_spelt(
    cache_backend, client, registry, spellings
):
    url = "/breakdowns/regions/"
    first = without_token(content(client, f"{url}?{spellings[0]}"))
    count = entries(cache_backend)
    for spelling in spellings[1:]:
        assert without_token(content(client, f"{url}?{spelling}")) == first, spelling
    assert entries(cache_backend) == count


def test_rejected_values_are_a_400_and_make_no_entry(cache_backend, client, registry):
    content(client, "/breakdowns/regions/")
    count = entries(cache_backend)
    for _ in range(10):
        response = client.get("/breakdowns/regions/", {"year": secrets.token_hex(4)})
        assert response.status_code == 400
        response = client.get("/api/summary.json", {"region": secrets.token_hex(4)})
        assert response.status_code == 400
        assert "region" in response.json()["errors"]
    assert entries(cache_backend) == count


def test_the_language_stays_part_of_the_key(client, registry):
    chinese = content(client, "/breakdowns/regions/?x=1")
    client.cookies.load({"django_language": "en"})
    english = content(client, "/breakdowns/regions/?x=2")
    assert '<html lang="zh-hans">' in chinese
    assert '<html lang="en">' in english


def test_the_directory_csv_is_streamed_then_served_from_the_cache(
    cache_backend, client, registry, django_assert_max_num_queries
):
    cache.clear()
    first = client.get("/enterprises/", {"format": "csv", "tier": "hidden_champion"})
    assert first.streaming
    text = body(first)
    assert text.count("\n") == 4  # the header and the three holders of the tier
    with django_assert_max_num_queries(3):  # the data version, the tier's check, the CSV
        again = client.get("/enterprises/", {"tier": "hidden_champion", "format": "csv", "x": 1})
    assert again.streaming
    assert body(again) == text
    assert again["Content-Type"] == "text/csv; charset=utf-8"
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert int(again["Content-Length"]) == len(text.encode())


def test_a_csv_download_broken_off_stores_nothing(cache_backend, client, registry):
    cache.clear()
    response = client.get("/enterprises/", {"format": "csv"})
    assert next(iter(response.streaming_content)).startswith("\ufeff".encode())
    del response  # the client goes away after the first line
    count = entries(cache_backend)
    complete = client.get("/enterprises/", {"format": "csv"})
    assert complete.streaming
    assert body(complete).startswith("\ufeff")
    assert entries(cache_backend) == count + 1
