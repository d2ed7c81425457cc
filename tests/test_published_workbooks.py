"""Published lists as Excel workbooks (.xlsx and .xls), read by ``import_csv`` with the rules of
CSV lists: a merged title, a two-row header of merged cells, section rows, a city merged over
its rows, real dates and numbers, a second sheet. All firms are made up."""

import datetime

import pytest
import xlsxwriter
import xlwt

from champions.models import Designation, Enterprise, Notice
from tests.import_helpers import run_import, snapshot

pytestmark = pytest.mark.django_db

TITLE = "2024年浙江省隐形冠军企业名单"
#: (sheet row, cells) of the list; None leaves a cell empty (a merged cell's lower part).
ROWS = [
    (4, ["1", "示例甲阀门有限公司", "温州市", "鹿城区", datetime.date(2024, 12, 20), 2024]),
    (5, ["2", "示例乙电气有限公司", None, "乐清市", datetime.date(2024, 12, 20), 2024]),
    (7, ["1", "示例丙科技有限公司", "宁波市", "北仑区", datetime.date(2024, 12, 20), 2024]),
]


def write_xlsx(path, *, credit_code=None):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名单")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, 5, TITLE)
    for column, name in enumerate(["序号", "企业名称"]):
        sheet.merge_range(1, column, 2, column, name)
    sheet.merge_range(1, 2, 1, 3, "所在地区")
    sheet.write_row(2, 2, ["设区市", "县（市、区）"])
    sheet.merge_range(1, 4, 2, 4, "公布日期")
    sheet.merge_range(1, 5, 2, 5, "年度")
    sheet.merge_range(3, 0, 3, 5, "一、温州市（2家）")
    sheet.merge_range(6, 0, 6, 5, "二、宁波市（1家）")
    for row, cells in ROWS:
        for column, value in enumerate(cells):
            if isinstance(value, datetime.date):
                sheet.write_datetime(
                    row, column, datetime.datetime.combine(value, datetime.time()), dates
                )
            elif isinstance(value, int):
                sheet.write_number(row, column, value)
            elif value is not None:
                sheet.write_string(row, column, value)
    # The city is merged over its two rows, as the province publishes it.
    sheet.merge_range(4, 2, 5, 2, "温州市")
    sheet.write(8, 0, "注：名单按企业注册地排序，不分先后。")
    if credit_code is not None:
        sheet.write_string(1, 6, "统一社会信用代码")
        sheet.write_number(4, 6, credit_code)
    book.add_worksheet("说明").write(0, 0, "本页为填表说明")
    book.close()
    return str(path)


def write_xls(path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write_merge(0, 0, 0, 5, TITLE)
    for column, name in enumerate(["序号", "企业名称"]):
        sheet.write_merge(1, 2, column, column, name)
    sheet.write_merge(1, 1, 2, 3, "所在地区")
    sheet.write(2, 2, "设区市")
    sheet.write(2, 3, "县（市、区）")
    sheet.write_merge(1, 2, 4, 4, "公布日期")
    sheet.write_merge(1, 2, 5, 5, "年度")
    sheet.write_merge(3, 3, 0, 5, "一、温州市（2家）")
    sheet.write_merge(6, 6, 0, 5, "二、宁波市（1家）")
    for row, cells in ROWS:
        for column, value in enumerate(cells):
            if column == 2 and row in (4, 5):
                continue  # merged below
            if isinstance(value, datetime.date):
                sheet.write(row, column, value, dates)
            elif value is not None:
                sheet.write(row, column, value)
    sheet.write_merge(4, 5, 2, 2, "温州市")
    sheet.write(8, 0, "注：名单按企业注册地排序，不分先后。")
    book.add_sheet("说明").write(0, 0, "本页为填表说明")
    book.save(str(path))
    return str(path)


@pytest.mark.parametrize("writer", [write_xlsx, write_xls], ids=["xlsx", "xls"])
def test_a_provincial_workbook_goes_in_as_published(tmp_path, client, writer):
    path = writer(tmp_path / f"list.{writer.__name__[-4:].strip('_')}")
    outcome = run_import(
        "designations",
        path,
        "--create-missing",
        "--tier",
        "浙江省隐形冠军企业",
        "--fill-down",
        "设区市",
    )
    assert outcome.code == 0, outcome.out
    assert outcome.lines[0] in ("Read as xlsx, sheet “名单”.", "Read as xls, sheet “名单”.")
    assert "Header: lines 2–3 (two rows)." in outcome.lines
    assert any(line.startswith("line 1 skipped: title line") for line in outcome.lines)
    assert any(
        line.startswith("line 4 skipped: section row (一、温州市（2家）)") for line in outcome.lines
    )
    assert any(line.startswith("line 9 skipped: footnote") for line in outcome.lines)
    assert "Filled down: 1 empty cells of 设区市 from the row above." in outcome.lines
    assert "Skipped, another place's firms: 宁波市 1 (lines 8)." in outcome.lines
    regions = dict(Enterprise.objects.values_list("name", "region_id"))
    assert regions == {"示例甲阀门有限公司": "330302", "示例乙电气有限公司": "330382"}
    # The date and the year are taken as Excel stores them.
    assert set(Designation.objects.values_list("year", "held_from")) == {
        (2024, datetime.date(2024, 12, 20))
    }
    assert Notice.objects.get().title == TITLE
    response = client.get("/api/summary.json", {"year": 2025})
    counts = {row["code"]: row["count"] for row in response.json()["tiers"]}
    assert counts["hidden_champion"] == 2


def test_the_sheet_option_picks_a_sheet(tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx")
    outcome = run_import("designations", path, "--sheet", "说明", "--tier", "浙江省隐形冠军企业")
    assert outcome.code == 1
    assert "missing required column" in outcome.out
    unknown = run_import("designations", path, "--sheet", "附件2")
    assert unknown.code == 1
    assert "the workbook has no sheet “附件2”; its sheets are “名单”, “说明”" in unknown.out


def test_a_credit_code_excel_made_a_number_is_refused_with_a_hint(tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", credit_code=913303001234567890)
    before = snapshot()
    outcome = run_import(
        "designations",
        path,
        "--create-missing",
        "--tier",
        "浙江省隐形冠军企业",
        "--fill-down",
        "设区市",
    )
    assert outcome.code == 1
    assert (
        "line 5, column 统一社会信用代码: Excel stored this credit code as a number and lost its "
        "last digits; format the column as text and enter the codes again" in outcome.out
    )
    assert snapshot() == before


def test_options_for_one_format_only(tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx")
    outcome = run_import("designations", path, "--encoding", "gbk")
    assert outcome.code == 2
    assert "--encoding is for CSV files; this file is an Excel workbook" in outcome.err
