"""Chinese text uses full-width punctuation, English text half-width, on every public page and CSV.

In Chinese, no half-width ``: ; , ( ) .`` stands next to a Chinese character in the visible text
(tags, scripts and styles stripped; addresses, numbers such as 1,234 or 12:30, and the registry's
own data, firm names and sources as the lists give them, left aside). In English, no full-width
``：；，。（）`` stands next to a Latin letter. CSV twins are named after the page, their filters
and the day, and write row types in the page's language and rates as the page does.
"""

import html
import re

import pytest
from django.utils import timezone

from tests.test_pages import FORMULA_NAME, LISTS, PAGES, body, build_registry, get

pytestmark = pytest.mark.django_db

CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”]"
HALF = r"[:;,()]"
FULL = r"[：；，。（）]"
#: Half-width punctuation beside a Chinese character (spaces between them allowed), or a full
#: stop after one (not a decimal point).
CHINESE_WRONG = re.compile(rf"{CJK}[ \t]*{HALF}|{HALF}[ \t]*{CJK}|{CJK}\.(?!\d)")
ENGLISH_WRONG = re.compile(rf"[A-Za-z][ \t]*{FULL}|{FULL}[ \t]*[A-Za-z]")
#: What is data, not the page's text: written as the lists give it.
DATA = [FORMULA_NAME, "=HYPERLINK(1)", "示例数据（sample data）"]  # noqa: RUF001


def visible_text(page):
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title id=[^>]*>.*?</title>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def cleaned(text):
    for data in DATA:
        text = text.replace(data, " ")
    text = re.sub(r"https?://\S+", " ", text)
    return text


def wrong(text, pattern):
    text = cleaned(text)
    return sorted(
        {text[max(0, m.start() - 12) : m.end() + 12].strip() for m in pattern.finditer(text)}
    )


@pytest.fixture
def registry():
    return build_registry()


@pytest.mark.parametrize("url", PAGES)
def test_chinese_pages_use_full_width_punctuation(client, registry, url):
    found = wrong(visible_text(body(get(client, url, "zh-hans"))), CHINESE_WRONG)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("url", LISTS)
def test_chinese_csv_twins_use_full_width_punctuation(client, registry, url):
    text = body(get(client, url, "zh-hans", format="csv"))
    cells = "\n".join(cell for cell in re.split(r'[,\n"]', text))
    found = wrong(cells, CHINESE_WRONG)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("url", PAGES)
def test_english_pages_use_half_width_punctuation(client, registry, url):
    found = wrong(visible_text(body(get(client, url, "en"))), ENGLISH_WRONG)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("url", LISTS)
def test_english_csv_twins_use_half_width_punctuation(client, registry, url):
    found = wrong(body(get(client, url, "en", format="csv")), ENGLISH_WRONG)
    assert not found, "\n".join(found)


def test_csv_twins_are_named_after_the_page_its_filters_and_the_day(client, registry):
    today = timezone.localdate().isoformat()
    response = get(client, "/breakdowns/industries/", "zh-hans", format="csv", year="2021")
    disposition = response["Content-Disposition"]
    assert f'filename="by-industry-year-2021-{today}.csv"' in disposition
    assert "filename*=UTF-8''" in disposition
    plain = get(client, "/seminars/", "en", format="csv")["Content-Disposition"]
    assert f'filename="seminars-{today}.csv"' in plain
    directory = get(client, "/enterprises/", "en", format="csv", tier="hidden_champion")
    assert (
        f'filename="enterprises-tier-hidden_champion-{today}.csv"'
        in directory["Content-Disposition"]
    )


def test_csv_row_types_follow_the_language_and_rates_are_written_as_on_the_page(client, registry):
    rows = body(get(client, "/breakdowns/industries/", "en", format="csv")).splitlines()
    kinds = {row.split(",")[0] for row in rows[1:]}
    assert kinds == {"Industry", "Industry group", "Total"}
    rows = body(get(client, "/breakdowns/regions/", "en", format="csv")).splitlines()
    assert {row.split(",")[0] for row in rows[1:]} == {"Region", "Total"}
    # JSON keeps the codes.
    data = get(client, "/breakdowns/industries/", "en", format="json").json()
    assert {row["row"] for row in data["rows"]} == {"industry", "group", "total"}
    targets = body(get(client, "/breakdowns/targets/", "en", format="csv"))
    assert re.search(r",\d+\.\d%,", targets)
