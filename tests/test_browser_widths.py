"""Every public page at a phone's width (390 px) and a desktop's (1366 px), in both languages.

On the sample data set, loaded once: no page scrolls sideways, no table is wider than the box
it sits in (a table scrolling inside its page hides columns just as well), and the echelon, the
breakdowns and the directory show the numbers the server computed (their JSON twins and
``/api/summary.json``), in elements the reader can see: the breakdowns' matrix at desktop widths,
their cards on a phone.

Chromium is required when ``CHAMPIONS_REQUIRE_BROWSER=1``, as for ``test_browser_pages``.
"""

import json

import pytest
from django.utils import timezone

from champions.demo import load_demo
from tests.browser_helpers import BROWSER_MARKS, scrolls_sideways

pytestmark = BROWSER_MARKS

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
LANGUAGES = ["zh-hans", "en"]
BREAKDOWNS = ["/breakdowns/regions/", "/breakdowns/industries/"]
OTHER_PAGES = ["/breakdowns/batches/", "/breakdowns/province/", "/breakdowns/targets/"]
OTHER_PAGES += ["/seminars/"]

#: The tables of the page that are wider than the box they are in (hidden tables are not).
WIDE_TABLES = """() => Array.from(document.querySelectorAll("table"))
  .filter((table) => table.offsetParent !== null)
  .filter((table) => table.scrollWidth > table.parentElement.clientWidth)
  .map((table) => [table.className, table.scrollWidth, table.parentElement.clientWidth])"""

#: The visible matrix's rows: each row's cells as shown.
MATRIX_ROWS = """() => Array.from(document.querySelectorAll("table.matrix tbody tr"))
  .map((row) => Array.from(row.querySelectorAll("td")).map((cell) => cell.innerText.trim()))"""

#: The breakdown's cards: each card's firms and its tiers' counts as shown.
CARDS = """() => Array.from(document.querySelectorAll(".matrix-cards .breakdown-card"))
  .map((card) => ({
    firms: card.querySelector(".firms").dataset.firms,
    held: Object.fromEntries(Array.from(card.querySelectorAll("li[data-tier]"))
      .map((item) => [item.dataset.tier, item.querySelector(".n").innerText.trim()])),
  }))"""


def shown(number):
    return f"{number:,}"


@pytest.fixture
def sample_data():
    load_demo(today=timezone.localdate())


def twin(page, url):
    """The JSON the server computed for ``url``, asked by the page's own browser context."""
    response = page.request.get(url)
    assert response.ok, url
    return json.loads(response.text())


def check_width(page, problems, where):
    if scrolls_sideways(page):
        width = page.evaluate("document.documentElement.scrollWidth")
        problems.append((where, f"the page scrolls sideways ({width} px)"))
    if wide := page.evaluate(WIDE_TABLES):
        problems.append((where, f"tables wider than their box: {wide}"))


def check_echelon(page, live_server, problems, where):
    summary = twin(page, live_server.url + "/api/summary.json")
    held = [tier for tier in summary["tiers"] if tier["count"]]
    assert held, "the sample data hold titles"
    for tier in held:
        numbers = page.locator(f'table.tier-counts a[data-tier="{tier["code"]}"]')
        if not numbers.is_visible():
            problems.append((where, f"{tier['code']}: its count is not visible"))
        elif numbers.inner_text().strip() != shown(tier["count"]):
            problems.append((where, f"{tier['code']}: {numbers.inner_text()} ≠ {tier['count']}"))
        bar = page.locator(f'svg.chart.echelon a[data-tier="{tier["code"]}"]')
        if not bar.is_visible() or bar.get_attribute("data-count") != str(tier["count"]):
            problems.append((where, f"{tier['code']}: the chart's bar is not {tier['count']}"))


def check_breakdown(page, live_server, path, phone, problems, where):
    data = twin(page, f"{live_server.url}{path}?format=json")
    tiers = [column["key"] for column in data["columns"][3:-1]]
    rows = data["rows"]
    assert rows and tiers
    if phone:
        if not page.locator(".matrix-cards .breakdown-card").first.is_visible():
            problems.append((where, "the cards are not visible"))
        expected = [
            {
                "firms": str(row["enterprises"]),
                "held": {tier: shown(row[tier]) for tier in tiers if row[tier]},
            }
            for row in rows
        ]
        if page.evaluate(CARDS) != expected:
            problems.append((where, "the cards do not show the JSON twin's counts"))
    else:
        if not page.locator("table.matrix").is_visible():
            problems.append((where, "the matrix is not visible"))
        expected = [[shown(row[key]) for key in [*tiers, "enterprises"]] for row in rows]
        if page.evaluate(MATRIX_ROWS) != expected:
            problems.append((where, "the matrix does not show the JSON twin's counts"))
        # The whole matrix is in view: its last column ends inside the page's column.
        last = page.locator("table.matrix tbody tr").first.locator("td").last.bounding_box()
        main = page.locator("main").bounding_box()
        if last["x"] + last["width"] > main["x"] + main["width"]:
            problems.append((where, "the matrix's last column is out of view"))


def check_directory(page, live_server, problems, where):
    data = twin(page, live_server.url + "/enterprises/?format=json")
    count = page.locator(".result-count")
    if not count.is_visible() or count.get_attribute("data-count") != str(data["count"]):
        problems.append((where, f"the result count is not {data['count']}"))
    if shown(data["count"]) not in count.inner_text():
        problems.append((where, f"the result count does not read {shown(data['count'])}"))
    names = page.locator("table.directory tbody th[scope=row]")
    if not names.first.is_visible():
        problems.append((where, "the firms are not visible"))
    if names.all_inner_texts() != [row["name"] for row in data["rows"]]:
        problems.append((where, "the firms listed are not the JSON twin's, in its order"))


def test_every_public_page_reads_at_a_phone_and_a_desktop_width(browser, live_server, sample_data):
    def scenario(language, size):
        def run(page):
            problems = []
            phone = size == "phone"

            def visit(path):
                page.goto(live_server.url + path)
                where = (language, size, path)
                check_width(page, problems, where)
                return where

            check_echelon(page, live_server, problems, visit("/"))
            where = visit("/enterprises/")
            check_directory(page, live_server, problems, where)
            firm = page.locator("table.directory tbody th[scope=row] a").first.get_attribute("href")
            for path in BREAKDOWNS:
                check_breakdown(page, live_server, path, phone, problems, visit(path))
            for path in [*OTHER_PAGES, firm]:
                visit(path)
            return problems

        return run

    problems = []
    for language in LANGUAGES:
        for size, viewport in WIDTHS.items():
            problems += browser.run(scenario(language, size), language=language, viewport=viewport)
    assert not problems, "\n".join(map(str, problems))
