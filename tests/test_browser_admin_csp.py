"""The admin under the site's Content-Security-Policy, in chromium: its pages (Django's own
scripts, select2, the dashboard, the registry's forms) break none of it."""

import pytest

from champions.models import Enterprise, Recommendation
from tests.admin_helpers import admin_url, make_member
from tests.browser_helpers import BROWSER_MARKS, log_in
from tests.test_browser_admin_enterprise import full_firm
from tests.test_browser_pages import csp_violations

pytestmark = BROWSER_MARKS


@pytest.mark.parametrize("group", ["Data entry", "Reviewer"])
def test_no_admin_page_breaks_the_content_security_policy(
    browser, live_server, make_enterprise, group
):
    firm = full_firm(make_enterprise)
    recommendation = Recommendation.objects.filter(enterprise=firm).first()
    user = make_member(group)
    paths = [
        "/admin/",
        admin_url(Enterprise),
        admin_url(Enterprise, "change", firm.pk),
        admin_url(Enterprise, "add"),
        admin_url(Enterprise, "history", firm.pk),
        admin_url(Recommendation),
        admin_url(Recommendation, "change", recommendation.pk),
        "/admin/champions/importrun/upload/",
    ]

    def scenario(page):
        violations = csp_violations(page)
        log_in(page, live_server, user.username)
        statuses = {}
        for path in paths:
            response = page.goto(live_server.url + path)
            statuses[path] = response.status
            page.wait_for_load_state("load")
        return statuses, violations

    statuses, violations = browser.run(scenario)
    assert violations == []
    assert all(status in (200, 403) for status in statuses.values()), statuses
    assert statuses["/admin/"] == 200
