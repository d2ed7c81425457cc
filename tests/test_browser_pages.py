"""The public pages in a real browser: Debian's chromium, driven by Playwright.

Chromium is required when ``CHAMPIONS_REQUIRE_BROWSER=1`` (CI sets it): without it these tests
fail. Elsewhere they are skipped when the browser is missing. ``CHAMPIONS_CHROMIUM`` names
another executable.
"""

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from champions.models import Tier
from tests.test_pages import build_registry

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 375, "height": 740}

pytestmark = [
    pytest.mark.browser,
    # The live server reads what the test wrote, so the data must be committed; the reference
    # tables are put back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _missing_browser(reason):
    if os.environ.get("CHAMPIONS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and CHAMPIONS_REQUIRE_BROWSER=1 requires it", pytrace=False)
    pytest.skip(reason)


class BrowserThread:
    """Chromium driven by Playwright's sync API from a thread of its own.

    The sync API runs an event loop and switches the context variables of the thread it runs in,
    which is where Django keeps its database connections: in the tests' thread the connection
    that pytest-django set up (and restores the reference data with) would be swapped for a new
    one. So the browser lives in this thread; ``run`` hands it a scenario and returns its result
    (or raises its failed assertion), and the ORM stays in the tests' thread.
    """

    def __init__(self, executable):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._thread.submit(self._start, executable).result()

    def _start(self, executable):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=executable, args=LAUNCH_ARGS
        )

    def run(self, scenario, language="zh-hans", viewport=None):
        """``scenario(page)`` in a fresh browser context (no cookies) with ``language``."""

        def in_browser():
            context = self._browser.new_context(
                viewport=viewport or {"width": 1280, "height": 900},
                extra_http_headers={"Accept-Language": language},
            )
            try:
                return scenario(context.new_page())
            finally:
                context.close()

        return self._thread.submit(in_browser).result()

    def close(self):
        def stop():
            self._browser.close()
            self._playwright.stop()

        self._thread.submit(stop).result()
        self._thread.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = os.environ.get("CHAMPIONS_CHROMIUM") or shutil.which("chromium") or CHROMIUM
    if not os.path.exists(executable):
        _missing_browser(f"chromium is not installed at {executable}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing_browser("playwright is not installed")
    chromium = BrowserThread(executable)
    yield chromium
    chromium.close()


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
        assert chart.locator("a.tier").count() == tiers
        assert chart.locator("a.tier rect").first.bounding_box()["width"] > 0
        assert chart.locator('a[data-tier="hidden_champion"]').get_attribute("data-count") == "3"

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
