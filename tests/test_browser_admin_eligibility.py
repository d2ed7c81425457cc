"""The candidates page and the titles due for review in a real browser, as a Viewer: at a desk's
width and a phone's, no sideways scrolling, and each section says how many firms it holds.

Chromium is required when ``CHAMPIONS_REQUIRE_BROWSER=1``; elsewhere these tests are skipped
without it (``tests.browser_helpers``).
"""

import pytest

from champions.groups import VIEWER
from tests.admin_helpers import make_member
from tests.browser_helpers import BROWSER_MARKS, log_in, scrolls_sideways
from tests.test_admin_eligibility import AS_OF, CANDIDATES, REVIEWS, params, registry, rules

pytestmark = BROWSER_MARKS

__all__ = ["registry", "rules"]  # the fixtures, used by name


@pytest.fixture
def viewer(registry):
    return make_member(VIEWER)


def query(values):
    return "&".join(f"{name}={value}" for name, value in values.items())


@pytest.mark.parametrize("width", [1366, 390])
def test_the_candidates_page_reads_at_each_width_with_its_counts(
    browser, live_server, viewer, registry, width
):
    def scenario(page):
        log_in(page, live_server, viewer.username)
        page.goto(f"{live_server.url}{CANDIDATES}?{query(params())}")
        assert page.locator("#candidates-form").is_visible()
        assert not scrolls_sideways(page)
        sections = {}
        for key in ("qualifies", "close"):
            section = page.locator(f"#section-{key}")
            assert section.is_visible()
            count = section.locator("h2 .elig-section-count")
            assert count.is_visible()
            sections[key] = (
                int(count.get_attribute("data-count")),
                count.inner_text(),
                section.locator("tbody tr").count(),
                int(page.locator(f"#count-{key} strong").get_attribute("data-count")),
            )
        # Each row's conditions are shown, with their outcomes.
        outcomes = page.locator("#section-close li[data-outcome]")
        shown = {outcomes.nth(i).get_attribute("data-outcome") for i in range(outcomes.count())}
        return sections, shown

    sections, shown = browser.run(scenario, viewport={"width": width, "height": 900})
    assert sections["qualifies"] == (1, "（1）", 1, 1)
    assert sections["close"] == (1, "（1）", 1, 1)
    assert shown == {"met", "missed"}


@pytest.mark.parametrize("width", [1366, 390])
def test_the_reviews_page_reads_at_each_width(browser, live_server, viewer, registry, width):
    def scenario(page):
        log_in(page, live_server, viewer.username)
        page.goto(f"{live_server.url}{REVIEWS}?as_of={AS_OF.isoformat()}")
        assert not scrolls_sideways(page)
        months = page.locator(".elig-month")
        return [
            (
                months.nth(i).get_attribute("data-month"),
                months.nth(i).locator("h2 .elig-section-count").get_attribute("data-count"),
                months.nth(i).locator("tbody tr").count(),
            )
            for i in range(months.count())
        ], page.locator("#count-total strong").inner_text()

    months, total = browser.run(scenario, viewport={"width": width, "height": 900})
    assert months == [("2026-09", "1", 1), ("2027-02", "1", 1)]
    assert total == "2"


def test_the_index_links_to_both_pages(browser, live_server, viewer):
    def scenario(page):
        log_in(page, live_server, viewer.username)
        page.click("#dash-candidates")
        on_candidates = page.locator("#candidates-form").is_visible()
        page.goto(f"{live_server.url}/admin/")
        page.click("#dash-reviews-due")
        return on_candidates, page.locator("#reviews-form").is_visible()

    assert browser.run(scenario) == (True, True)
