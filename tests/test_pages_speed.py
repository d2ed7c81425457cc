"""What the public pages cost: a fixed number of queries whatever the size of the registry.

The counts are pinned per page, as NetBox pins them per view, with the cache empty (what the
first visitor after a change pays) and full (everyone else), and they stay the same after
thousands more firms, titles, recommendations and figures. Speed itself is measured by
``manage.py benchmark_pages``, not here.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from champions.models import (
    Batch,
    Designation,
    Enterprise,
    Recommendation,
    Region,
    Seminar,
    Tier,
    YearlyFigures,
)
from tests.conftest import make_credit_code
from tests.test_pages import award_in_bulk, build_registry, commit_data_changes

pytestmark = pytest.mark.django_db

#: Queries per URL: (just after a data change, with the cache filled). After a change, a page
#: pays its own queries, the cache's reads (the data version, the page, its table) and two writes
#: (the table and the whole response: each a count, a read, an insert and a savepoint). Cached,
#: it costs two reads: the data version and the stored response, plus one query per filter
#: value that names a record (a region, a tier), which the cache key is built from once
#: validated, so that junk parameters and spellings of one value share one entry.
PINNED = {
    "/": (24, 2),
    "/enterprises/": (21, 2),
    "/enterprises/?region=330300&tier=hidden_champion&year=2021&sort=region": (26, 4),
    "/enterprises/?q=泵阀&status=all&page=1": (21, 2),
    "/enterprises/?format=json": (17, 2),
    # The CSV of a list is streamed as it is read (one query for all of it), and stored in the
    # cache once fully sent; then it is streamed from there.
    "/enterprises/?format=csv": (8, 2),
    "/enterprises/?format=csv&tier=hidden_champion": (10, 3),
    "/breakdowns/regions/": (24, 2),
    "/breakdowns/regions/?format=json": (21, 2),
    "/breakdowns/industries/?region=330381&year=2020": (24, 3),
    "/breakdowns/batches/": (18, 2),
    "/breakdowns/province/": (17, 2),
    "/breakdowns/targets/": (17, 2),
    "/seminars/": (18, 2),
    "/seminars/?format=csv": (18, 2),
    "/api/summary.json": (18, 2),
}


def grow(count):
    """Add ``count`` firms in bulk, each with a title in force, a recommendation and figures,
    and a seminar they all took part in."""
    start = Enterprise.objects.count() + 10_000
    counties = list(Region.objects.filter(parent_id="330300"))
    tiers = list(Tier.objects.all())
    firms = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"规模企业{start + i}",
            name_key=f"规模企业{start + i}",
            credit_code=make_credit_code(start + i),
            region=counties[i % len(counties)],
        )
        for i in range(count)
    )
    # Their titles, awarded a month ago (in force today whatever the tier's validity), recorded
    # in bulk as an import does: the designations, their award events, then their standing
    # derived by the service.
    announced_on = timezone.localdate() - datetime.timedelta(days=30)
    titles = Designation.objects.bulk_create(
        Designation(enterprise=f, tier=tiers[i % len(tiers)], year=announced_on.year)
        for i, f in enumerate(firms)
    )
    award_in_bulk(titles, announced_on)
    batch = Batch.objects.create(tier=tiers[0], number=99, year=2020)
    Recommendation.objects.bulk_create(
        Recommendation(enterprise=f, batch=batch, stage="nominated") for f in firms
    )
    YearlyFigures.objects.bulk_create(
        YearlyFigures(enterprise=f, year=2020, output_value=1000, new_product_output=100)
        for f in firms
    )
    seminar = Seminar.objects.create(title="大型研讨会", held_on="2020-05-01", is_published=True)
    seminar.participants.add(*firms)
    commit_data_changes()


def fetch(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return response


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return len(captured.captured_queries)


def costs(client):
    """(after a change, cached) query counts of every pinned URL."""
    result = {}
    for url in PINNED:
        commit_data_changes()
        cold = queries(client, url)
        result[url] = (cold, queries(client, url))
    return result


@pytest.mark.parametrize("url", PINNED)
def test_query_count_of_each_page_is_pinned(client, url, django_assert_num_queries):
    build_registry()
    after_change, cached = PINNED[url]
    commit_data_changes()
    with django_assert_num_queries(after_change):
        fetch(client, url)
    with django_assert_num_queries(cached):
        fetch(client, url)


def test_query_counts_stay_the_same_after_thousands_more_rows(client):
    build_registry()
    small = costs(client)
    grow(3000)
    assert Designation.objects.count() > 3000
    large = costs(client)
    assert small == large == PINNED
    # The larger registry is really what the pages show.
    data = client.get("/enterprises/", {"format": "json"}).json()
    assert data["count"] > 3000 and data["pages"] > 60


def test_an_emptied_cache_costs_only_a_new_version(client, django_assert_num_queries):
    build_registry()
    commit_data_changes()
    fetch(client, "/breakdowns/targets/")
    cache.clear()
    # A new version is written (five queries) and the page computed and stored again.
    with django_assert_num_queries(PINNED["/breakdowns/targets/"][0] + 5):
        fetch(client, "/breakdowns/targets/")
