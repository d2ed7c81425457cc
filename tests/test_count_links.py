"""Every count on a public page links to a list showing that number.

A count link is a link to the directory (``/enterprises/?…``) whose text is a number (or, for a
chart's bar, whose ``data-count`` is). It says what it counts with ``data-counts``: ``firms`` or
``titles``; the directory states both of its figures (``data-count``, firms; ``data-titles``,
titles), and the link's number must be the matching one. The test follows every count link of
every public page, on the hand-made registry of ``test_pages`` and on the sample data set.
"""

import html
import re

import pytest
from django.db import transaction
from django.utils import timezone

from champions.demo import load_demo
from tests.test_pages import PAGES, build_registry

pytestmark = pytest.mark.django_db

#: The breakdowns again with their filters, whose links carry the filters into the directory.
FILTERED = [
    "/breakdowns/regions/?region=330381",
    "/breakdowns/regions/?year=2021",
    "/breakdowns/industries/?group=emerging",
    "/breakdowns/industries/?region=330302&year=2021",
    "/breakdowns/industries/?industry=electrical",
]

LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
NUMBER = re.compile(r"\d[\d,]*")
RESULT = re.compile(r'<p class="result-count"([^>]*)>')


def attributes(text):
    return {name: html.unescape(value) for name, value in ATTRIBUTE.findall(text)}


def count_links(page):
    """``(url, number, counts, text)`` of every count link of ``page`` (HTML)."""
    for match in LINK.finditer(page):
        attrs = attributes(match.group(1))
        url = attrs.get("href", "")
        if not url.startswith("/enterprises/?"):
            continue
        text = " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())
        if "data-count" in attrs:
            number = int(attrs["data-count"])
        elif NUMBER.fullmatch(text.split(" ")[0] if text else ""):
            number = int(text.split(" ")[0].replace(",", ""))
        elif NUMBER.fullmatch(text):
            number = int(text.replace(",", ""))
        else:
            continue  # a name or a caption links there, not a count
        yield url, number, attrs.get("data-counts"), text


def listed(client, url):
    """``{"firms": n, "titles": m}``: what the directory at ``url`` says it lists."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    attrs = attributes(RESULT.search(response.content.decode()).group(1))
    return {"firms": int(attrs["data-count"]), "titles": int(attrs["data-titles"])}


def check_every_count_link(client, pages):
    """Follow every count link of ``pages``; return how many there were, and the mismatches."""
    seen, wrong, followed = 0, [], {}
    for page in pages:
        response = client.get(page, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, page
        for url, number, counts, text in count_links(response.content.decode()):
            seen += 1
            if counts not in ("firms", "titles"):
                wrong.append((page, text, url, f"says not what it counts: {counts!r}"))
                continue
            if url not in followed:
                followed[url] = listed(client, url)
            if followed[url][counts] != number:
                wrong.append((page, text, url, f"{number} {counts}, the list {followed[url]}"))
    return seen, wrong


def test_every_count_link_of_the_hand_made_registry_opens_that_many(client):
    build_registry()
    seen, wrong = check_every_count_link(client, PAGES + FILTERED)
    assert not wrong, "\n".join(map(str, wrong))
    assert seen > 40


@pytest.fixture(scope="module")
def sample_data(django_db_setup, django_db_blocker):
    """The sample data set, loaded once for the module in a transaction rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(today=timezone.localdate())
        yield
        transaction.set_rollback(True)


def test_every_count_link_of_the_sample_data_opens_that_many(sample_data, client):
    seen, wrong = check_every_count_link(client, PAGES + FILTERED)
    assert not wrong, f"{len(wrong)} of {seen} count links disagree:\n" + "\n".join(map(str, wrong))
    assert seen > 200


def test_group_rows_of_the_industry_breakdown_link_with_their_group(sample_data, client):
    page = client.get("/breakdowns/industries/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    groups = re.findall(r'<tr class="row-group">(.*?)</tr>', page, re.S)
    assert len(groups) >= 2
    for row in groups:
        for url, _number, _counts, _text in count_links(row):
            assert "group=" in url, url


def test_headline_cards_say_what_they_count_as_their_list_does(sample_data, client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    cards = re.findall(r'<li class="card">(.*?)</li>', page, re.S)
    first_set = next(card for card in cards if 'data-headline="first_set"' in card)
    assert 'data-counts="titles"' in first_set and ">titles<" in first_set
    hidden = next(card for card in cards if 'data-headline="hidden_champions"' in card)
    assert 'data-counts="firms"' in hidden and ">firms<" in hidden
