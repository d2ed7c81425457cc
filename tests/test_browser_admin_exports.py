"""Exporting a list in a real browser, signed in through the login form as a Viewer: the list is
filtered from its sidebar, the "Export CSV" link downloads the rows it shows, and the links fit a
phone's width."""

import csv
import io

from django.utils import timezone, translation
from django.utils.translation import gettext

from champions.exporting import headers
from champions.groups import VIEWER
from champions.models import Batch, Tier
from champions.services.designations import award
from tests.admin_helpers import make_member
from tests.browser_helpers import BROWSER_MARKS, log_in, scrolls_sideways

pytestmark = BROWSER_MARKS

LIST = "/admin/champions/designation/"


def test_a_filtered_list_downloads_the_rows_it_shows(browser, live_server, make_enterprise):
    make_member(VIEWER, "viewer")
    single = Tier.objects.get(code="single_champion")
    hidden = Tier.objects.get(code="hidden_champion")
    for tier, names in (
        (single, ["示例导出甲有限公司", "示例导出乙有限公司", "=示例导出丙有限公司"]),
        (hidden, ["示例导出丁有限公司", "示例导出戊有限公司"]),
    ):
        batch = Batch.objects.create(tier=tier, number=1, year=2021)
        for name in names:
            award(make_enterprise(name=name), tier, batch=batch, year=2021)

    def scenario(page):
        log_in(page, live_server, "viewer")
        page.goto(f"{live_server.url}{LIST}")
        page.click(f'#changelist-filter a[href*="tier__code__exact={single.code}"]')
        page.wait_for_url(f"**{LIST}?tier__code__exact={single.code}")
        shown = page.locator("#result_list tbody .field-enterprise").all_inner_texts()
        link = page.locator("a[data-export=csv]")
        href = link.get_attribute("href")
        label = link.text_content().strip()
        with page.expect_download() as started:
            link.click()
        download = started.value
        with open(download.path(), "rb") as handle:
            data = handle.read()
        widths = {}
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 800})
            box = page.locator("a[data-export=xlsx]").bounding_box()
            widths[width] = (scrolls_sideways(page), box["x"] + box["width"] <= width)
        return shown, href, label, download.suggested_filename, data, widths

    shown, href, label, filename, data, widths = browser.run(scenario)
    assert sorted(shown) == sorted(
        ["示例导出甲有限公司", "示例导出乙有限公司", "=示例导出丙有限公司"]
    )
    assert f"tier__code__exact={single.code}" in href and "_export=csv" in href
    with translation.override("zh-hans"):
        assert label == gettext("Export CSV")  # the page's language: Chinese by default
    assert filename.endswith(f"-{timezone.localdate():%Y%m%d}.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert header == headers("designations")
    # The rows shown, each once (one award each), the formula-looking name escaped.
    names = [row[1].removeprefix("'") for row in rows]
    assert sorted(names) == sorted(shown)
    assert "'=示例导出丙有限公司" in [row[1] for row in rows]
    assert {row[2] for row in rows} == {single.code}
    # Neither on a laptop nor on a phone do the links push the page sideways.
    assert widths == {1366: (False, True), 390: (False, True)}
