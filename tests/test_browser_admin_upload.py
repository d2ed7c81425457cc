"""Importing in a real browser, signed in through the login form: a GBK CSV and an .xlsx are
uploaded, checked and confirmed; a large file runs in the background and its page follows it."""

import io

import pytest
import xlsxwriter
from django.core.management import call_command

from champions.groups import DATA_ENTRY
from champions.importing import background
from champions.models import Designation, ImportRun
from tests.admin_helpers import make_member
from tests.browser_helpers import BROWSER_MARKS, log_in, scrolls_sideways

pytestmark = BROWSER_MARKS

CSV = (
    "2024年浙江省隐形冠军企业名单\n"
    "序号,企业名称,所属区县,年度\n"
    "1,示例浏览器甲有限公司,鹿城区,2024\n"
    "2,示例浏览器乙有限公司,杭州市,2024\n"
).encode("gbk")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CHAMPIONS_UPLOAD_DIR = tmp_path / "uploads"


def xlsx_bytes():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, ["企业名称", "所属区县", "年度"])
    sheet.write_row(1, 0, ["示例浏览器丙有限公司", "瑞安市", 2024])
    book.close()
    return buffer.getvalue()


def upload(page, live_server, name, content):
    page.goto(f"{live_server.url}/admin/champions/importrun/upload/")
    page.set_input_files(
        "#id_file", {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )
    page.select_option("#id_kind", "designations")
    page.fill("#id_tier", "浙江省隐形冠军企业")
    page.check("#id_create_missing")
    page.click("#upload-form input[type=submit]")
    page.wait_for_selector("#import-run-report")


@pytest.mark.parametrize(
    ("name", "content", "firm"),
    [
        ("名单.csv", CSV, "示例浏览器甲有限公司"),
        ("名单.xlsx", xlsx_bytes(), "示例浏览器丙有限公司"),
    ],
    ids=["gbk-csv", "xlsx"],
)
def test_upload_check_and_confirm(browser, live_server, name, content, firm):
    make_member(DATA_ENTRY, "clerk")

    def scenario(page):
        log_in(page, live_server, "clerk")
        upload(page, live_server, name, content)
        report = page.inner_text("#import-report")
        assert firm in report
        assert not scrolls_sideways(page)
        page.click("#confirm-form input[type=submit]")
        page.wait_for_selector("#import-run-report")
        return page.inner_text("#import-run-report")

    result = browser.run(scenario)
    assert "created" in result
    assert list(Designation.objects.values_list("enterprise__name", flat=True)) == [firm]


def test_a_large_file_shows_its_progress_and_then_its_result(browser, live_server, monkeypatch):
    make_member(DATA_ENTRY, "clerk")
    monkeypatch.setattr(background, "BACKGROUND_FROM_LINES", 3)

    def upload_it(page):
        log_in(page, live_server, "clerk")
        upload(page, live_server, "名单.csv", CSV)
        return page.url, page.inner_text("#import-run-report")

    url, waiting = browser.run(upload_it)
    assert "refreshes by itself" in waiting or "自动刷新" in waiting
    assert ImportRun.objects.get().status == ImportRun.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    def result(page):
        log_in(page, live_server, "clerk")
        page.goto(url)
        return page.inner_text("#import-run-report")

    assert "示例浏览器甲有限公司" in browser.run(result)
    assert ImportRun.objects.get().status == ImportRun.Status.DRY_RUN
