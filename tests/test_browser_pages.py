"""The public pages in a real browser: Debian's chromium, driven by Playwright.

Chromium is required when ``CHAMPIONS_REQUIRE_BROWSER=1`` (CI sets it): without it these tests
fail. Elsewhere they are skipped when the browser is missing. ``CHAMPIONS_CHROMIUM`` names
another executable.
"""

import re

import pytest

from champions.models import Tier
from tests.browser_helpers import BROWSER_MARKS, PHONE
from tests.test_pages import build_registry

pytestmark = BROWSER_MARKS


@pytest.fixture
def registry():
    return build_registry()


def test_home_renders_its_echelon_chart(browser, live_server, registry):
    tiers = Tier.objects.count()

    def scenario(page):
        page.goto(live_server.url + "/")
        chart = page.locator("svg.chart.echelon")
        assert chart.is_visible()
        assert chart.bounding_box()["height"] > 200
        # One bar per tier, by level from the top; the tiers with holders link to them.
        assert chart.locator("g.tier").count() == tiers
        assert chart.locator("g.tier a rect").first.bounding_box()["width"] > 0
        assert chart.locator('a[data-tier="hidden_champion"]').get_attribute("data-count") == "3"
        assert chart.locator("g.band").count() == 3
        assert chart.locator('g.tier[data-state="unrecorded"]').count() > 0

    browser.run(scenario)


def test_a_tier_count_opens_the_directory_with_that_many_firms(browser, live_server, registry):
    def scenario(page):
        page.goto(live_server.url + "/")
        for code in ("hidden_champion", "single_champion"):
            link = page.locator(f'svg.chart.echelon a[data-tier="{code}"]')
            expected = int(link.get_attribute("data-count"))
            link.locator("rect").click()
            page.wait_for_url(re.compile(rf"/enterprises/\?tier={code}$"))
            assert int(page.locator(".result-count").get_attribute("data-count")) == expected
            assert page.locator("table.directory tbody tr").count() == expected
            page.go_back()
        # The number in the table beside the chart leads to the same list.
        page.locator('table.tier-counts a[data-tier="hidden_champion"]').click()
        page.wait_for_url(re.compile(r"/enterprises/\?tier=hidden_champion$"))
        assert page.locator("table.directory tbody tr").count() == 3

    browser.run(scenario)


def test_the_language_switch_changes_the_language(browser, live_server, registry):
    def scenario(page):
        page.goto(live_server.url + "/breakdowns/regions/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        header = page.locator("table.matrix thead")
        assert header.get_by_text("制造业单项冠军企业", exact=True).is_visible()
        page.locator('form.language button[value="en"]').click()
        page.wait_for_load_state()
        assert page.url == live_server.url + "/breakdowns/regions/"
        assert page.locator("html").get_attribute("lang") == "en"
        english = header.get_by_text("Manufacturing single champion enterprise", exact=True)
        assert english.is_visible()
        # The choice sticks for the next page, whatever the browser prefers.
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "en"
        page.locator('form.language button[value="zh-hans"]').click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "zh-hans"

    browser.run(scenario, language="zh-hans")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, registry, language):
    paths = ["/", "/enterprises/", "/breakdowns/regions/", "/breakdowns/industries/"]
    paths += ["/breakdowns/batches/", "/breakdowns/province/", "/breakdowns/targets/"]
    paths += ["/seminars/", f"/enterprises/{registry['alpha'].pk}/"]

    def scenario(page):
        for path in paths:
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, width)

    browser.run(scenario, language=language, viewport=PHONE)


def csp_violations(page):
    """Collect what the page's Content-Security-Policy refuses: chromium says so on the console,
    and the document fires ``securitypolicyviolation``."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_breaks_the_content_security_policy(browser, live_server, registry, language):
    paths = ["/", "/enterprises/", "/enterprises/?tier=hidden_champion", "/breakdowns/regions/"]
    paths += ["/breakdowns/industries/", "/breakdowns/batches/", "/breakdowns/province/"]
    paths += ["/breakdowns/targets/", "/seminars/", f"/enterprises/{registry['alpha'].pk}/"]
    paths += ["/no-such-page/", "/breakdowns/regions/?year=abc"]

    def scenario(page):
        violations = csp_violations(page)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert "default-src 'self'" in response.headers["content-security-policy"], path
            page.wait_for_load_state("load")
        # The language switch posts a form to this site, which the policy allows.
        page.goto(live_server.url + "/")
        page.locator("form.language button:not([disabled])").click()
        page.wait_for_load_state("load")
        assert violations == []

    browser.run(scenario, language=language)
