"""The admin's dashboard in a real browser: every number opens a list of that many records, and
the index reads at a desk's width and a phone's without scrolling sideways.

Chromium is required when ``CHAMPIONS_REQUIRE_BROWSER=1``; elsewhere these tests are skipped
without it (``tests.browser_helpers``).
"""

import pytest

from champions.groups import VIEWER
from tests.admin_helpers import make_member
from tests.browser_helpers import BROWSER_MARKS, log_in, scrolls_sideways
from tests.test_admin_dashboard import build_registry

pytestmark = BROWSER_MARKS

NUMBERS = "#registry-dashboard a.dash-count"


@pytest.fixture
def viewer(make_enterprise, single_champion, hidden_champion):
    build_registry(make_enterprise, single_champion, hidden_champion)
    return make_member(VIEWER)


def test_each_number_opens_a_list_of_that_many_records(browser, live_server, viewer):
    def scenario(page):
        log_in(page, live_server, viewer.username)
        index = page.url
        total = page.locator(NUMBERS).count()
        opened = []
        for position in range(total):
            link = page.locator(NUMBERS).nth(position)
            expected = int(link.get_attribute("data-count"))
            assert link.inner_text().replace(",", "") == str(expected)
            with page.expect_navigation():
                link.click()
            assert page.locator("#changelist").is_visible(), page.url
            assert page.locator("#result_list tbody tr").count() == expected, page.url
            opened.append((page.url, expected))
            page.goto(index)
        return opened

    opened = browser.run(scenario)
    assert len(opened) == 18
    assert len({url for url, _count in opened}) == 18
    assert any(count == 0 for _url, count in opened)  # an empty list opens as one too
    assert sum(count for _url, count in opened) > 18


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_index_reads_without_scrolling_sideways(browser, live_server, viewer, width, language):
    def scenario(page):
        log_in(page, live_server, viewer.username)
        assert page.locator("#registry-dashboard").is_visible()
        assert not scrolls_sideways(page)
        numbers = page.locator(NUMBERS)
        assert numbers.count() == 18
        for position in range(numbers.count()):
            number = numbers.nth(position)
            number.scroll_into_view_if_needed()
            box = number.bounding_box()
            assert box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width
        # The models by task follow the dashboard (a Viewer has no accounts to see).
        groups = page.locator("section[id^=group-]")
        assert groups.count() == 3
        dashboard_bottom = page.locator("#registry-dashboard").bounding_box()
        assert (
            groups.first.bounding_box()["y"] >= dashboard_bottom["y"] + dashboard_bottom["height"]
        )

    browser.run(scenario, language=language, viewport={"width": width, "height": 900})
