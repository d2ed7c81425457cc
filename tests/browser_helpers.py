"""Debian's chromium, driven by Playwright, for the browser tests of public pages and admin.

Chromium is required when ``CHAMPIONS_REQUIRE_BROWSER=1`` (CI sets it): without it these tests
fail. Elsewhere they are skipped when the browser is missing. ``CHAMPIONS_CHROMIUM`` names
another executable. A test module uses the ``browser`` fixture with ``BROWSER_MARKS``.
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.admin_helpers import PASSWORD

BROWSER_MARKS = [
    pytest.mark.browser,
    # The live server reads what the test wrote, so the data must be committed; the reference
    # tables are put back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 375, "height": 740}


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


def log_in(page, live_server, username, password=PASSWORD):
    """Sign in through the admin's login form, as staff do."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def scrolls_sideways(page):
    """Whether the page is wider than its window (a phone would scroll it sideways)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
