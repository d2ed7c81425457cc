"""Reading Excel workbooks (.xlsx and .xls): rows numbered as Excel numbers them, cells as the
text Excel stores, and workbooks that cannot be read refused with a reason.

The workbooks are written here, .xlsx with xlsxwriter and .xls with xlwt, from one description
of their sheets, so both formats are held to the same rows.
"""

import datetime
import hashlib
import re
import zipfile

import pytest
import xlsxwriter
import xlwt

from champions.importing.cells import credit_code, parse_column
from champions.importing.errors import CellError, FileRefused
from champions.importing.workbook import cell_text, is_workbook, number_text, open_workbook
from champions.validators import credit_code_check_character
from tests.conftest import make_credit_code

TITLE = "2021年温州市单项冠军企业名单"
#: An 18-digit credit code typed into a cell Excel kept as a number.
NUMERIC_CODE = 913303001234567890
CODE_B, CODE_C = make_credit_code(1), make_credit_code(2)
EXCEL_NUMBER_MESSAGE = (
    "Excel stored this credit code as a number and lost its last digits; format the column as "
    "text and enter the codes again"
)
#: Stands for an error cell (``=NA()``) in a sheet's description.
NA = object()
#: Stands for a duration of a day and six hours, in a cell formatted ``[h]:mm:ss``.
DURATION = object()

#: A title row, a blank row, a header over two rows (merged cells), three firms; the region of
#: the last two firms is one cell merged over both rows. ``rows`` are ``{row: [values]}`` and
#: ``merged`` ranges ``(first row, first column, last row, last column, value)``, from 0.
FIRMS = {
    "merged": [
        (0, 0, 0, 5, TITLE),
        (2, 0, 3, 0, "统一社会信用代码"),
        (2, 1, 3, 1, "企业名称"),
        (2, 2, 3, 2, "所属区县"),
        (2, 3, 2, 4, "认定"),
        (2, 5, 3, 5, "产值（亿元）"),
        (5, 2, 6, 2, "瓯海区"),
    ],
    "rows": {
        3: [None, None, None, "年份", "日期"],
        4: [NUMERIC_CODE, "示例甲有限公司", "鹿城区", 2021, datetime.date(2021, 3, 4), 12.5],
        5: [CODE_B, "示例乙有限公司", None, 2022, datetime.date(2022, 1, 10), 3],
        6: [CODE_C, "示例丙有限公司", None, 2022, datetime.date(2022, 1, 10), 0.75],
    },
}
FIRMS_ROWS = {
    1: [TITLE, "", "", "", "", ""],
    3: ["统一社会信用代码", "企业名称", "所属区县", "认定", "", "产值（亿元）"],
    4: ["", "", "", "年份", "日期", ""],
    5: ["9.13303001234568E+17", "示例甲有限公司", "鹿城区", "2021", "2021-03-04", "12.5"],
    6: [CODE_B, "示例乙有限公司", "瓯海区", "2022", "2022-01-10", "3"],
    7: [CODE_C, "示例丙有限公司", "", "2022", "2022-01-10", "0.75"],
}

#: The second sheet starts at B2: the empty row and column before it are kept.
SECOND = {
    "merged": [],
    "rows": {1: [None, "企业名称", "所属区县"], 2: [None, "示例丁有限公司", "龙湾区"]},
}
SECOND_ROWS = {2: ["", "企业名称", "所属区县"], 3: ["", "示例丁有限公司", "龙湾区"]}

#: One cell of each other kind Excel stores.
KINDS = {
    "merged": [],
    "rows": {
        0: [
            True,
            False,
            datetime.datetime(2021, 3, 4, 5, 6, 7),
            datetime.time(5, 6, 7),
            10.0**15,
            NA,
            DURATION,
            0.1 + 0.2,
        ]
    },
}
KINDS_ROW = ["TRUE", "FALSE", "2021-03-04 05:06:07", "05:06:07", "1E+15", "", "30:00:00", "0.3"]


def write_xlsx(path, sheets):
    """An .xlsx file of ``sheets`` (``{name: description}``), in their order."""
    book = xlsxwriter.Workbook(str(path))
    formats = {
        datetime.datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        datetime.date: book.add_format({"num_format": "yyyy-mm-dd"}),
        datetime.time: book.add_format({"num_format": "hh:mm:ss"}),
        DURATION: book.add_format({"num_format": "[h]:mm:ss"}),
    }
    for name, sheet in sheets.items():
        worksheet = book.add_worksheet(name)
        for first_row, first_column, last_row, last_column, value in sheet["merged"]:
            worksheet.merge_range(first_row, first_column, last_row, last_column, value)
        for row, values in sheet["rows"].items():
            for column, value in enumerate(values):
                if value is NA:
                    worksheet.write_formula(row, column, "=NA()", None, "#N/A")
                elif value is DURATION:
                    worksheet.write_number(row, column, 1.25, formats[DURATION])
                elif isinstance(value, datetime.date | datetime.time):
                    worksheet.write_datetime(row, column, value, formats[type(value)])
                elif value is not None:
                    worksheet.write(row, column, value)
    book.close()
    return path


def write_xls(path, sheets):
    """The same as an .xls file (BIFF8)."""
    book = xlwt.Workbook(encoding="utf-8")
    styles = {
        datetime.datetime: xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss"),
        datetime.date: xlwt.easyxf(num_format_str="yyyy-mm-dd"),
        datetime.time: xlwt.easyxf(num_format_str="hh:mm:ss"),
        DURATION: xlwt.easyxf(num_format_str="[h]:mm:ss"),
    }
    for name, sheet in sheets.items():
        worksheet = book.add_sheet(name)
        for first_row, first_column, last_row, last_column, value in sheet["merged"]:
            worksheet.write_merge(first_row, last_row, first_column, last_column, value)
        for row, values in sheet["rows"].items():
            for column, value in enumerate(values):
                if value is NA:
                    worksheet.row(row).set_cell_error(column, 0x2A)  # xlwt's code of #N/A
                elif value is DURATION:
                    worksheet.write(row, column, 1.25, styles[DURATION])
                elif isinstance(value, datetime.date | datetime.time):
                    worksheet.write(row, column, value, styles[type(value)])
                elif value is not None:
                    worksheet.write(row, column, value)
    book.save(str(path))
    return path


WRITERS = {"xlsx": write_xlsx, "xls": write_xls}


@pytest.fixture(params=sorted(WRITERS))
def workbook_format(request):
    return request.param


@pytest.fixture
def registry_workbook(tmp_path, workbook_format):
    """A list of firms on its first sheet, and a second sheet named 第二页."""
    path = tmp_path / f"名单.{workbook_format}"
    return WRITERS[workbook_format](path, {"名单": FIRMS, "第二页": SECOND})


def all_rows(workbook, size=1000):
    return {
        line: row
        for lines, rows in workbook.chunks(size)
        for line, row in zip(lines, rows, strict=True)
    }


def test_rows_are_numbered_as_excel_numbers_them_and_read_as_text(registry_workbook):
    assert all_rows(open_workbook(registry_workbook)) == FIRMS_ROWS


def test_the_file_is_described_as_a_csv_file_is(registry_workbook, workbook_format):
    workbook = open_workbook(registry_workbook)
    content = registry_workbook.read_bytes()
    assert workbook.encoding == workbook_format
    assert workbook.sha256 == hashlib.sha256(content).hexdigest()
    assert workbook.size == len(content)
    assert workbook.lines == 7
    assert (workbook.sheet, workbook.sheet_names) == ("名单", ["名单", "第二页"])
    assert (workbook.delimiter, workbook.quoted, workbook.cuttable) == ("", True, False)


def test_chunks_hold_at_most_the_rows_asked_for(registry_workbook):
    chunks = list(open_workbook(registry_workbook).chunks(2))
    assert [lines for lines, _rows in chunks] == [[1, 3], [4, 5], [6, 7]]


def test_a_sheet_is_chosen_by_name_with_its_leading_empty_row_and_column(registry_workbook):
    workbook = open_workbook(registry_workbook, sheet="第二页")
    assert workbook.sheet == "第二页"
    assert all_rows(workbook) == SECOND_ROWS


def test_an_unknown_sheet_is_refused_naming_the_sheets_there_are(registry_workbook):
    with pytest.raises(FileRefused) as refusal:
        open_workbook(registry_workbook, sheet="Sheet1")
    assert str(refusal.value.errors[0]) == (
        "line 1: the workbook has no sheet “Sheet1”; its sheets are “名单”, “第二页”"
    )


def test_every_kind_of_cell_is_read_as_the_text_excel_stores(tmp_path, workbook_format):
    """Booleans, a date-time, a time, a big number, an empty cell, a duration, a computed
    float."""
    kinds = {"merged": [], "rows": {0: [None if v is NA else v for v in KINDS["rows"][0]]}}
    path = WRITERS[workbook_format](tmp_path / f"kinds.{workbook_format}", {"kinds": kinds})
    assert all_rows(open_workbook(path)) == {1: KINDS_ROW}


def test_an_error_cell_refuses_the_workbook_naming_it(tmp_path, workbook_format):
    """python-calamine reads an error cell as an empty one: it is found in the file, and the
    workbook refused (read as empty it may clear a value, read as text it would be stored)."""
    path = WRITERS[workbook_format](tmp_path / f"kinds.{workbook_format}", {"kinds": KINDS})
    with pytest.raises(FileRefused) as refusal:
        open_workbook(path)
    assert [str(error) for error in refusal.value.errors] == [
        "line 1, column F: an Excel error value; correct the formula or clear the cell (#N/A)"
    ]


def test_an_empty_sheet_is_refused_naming_the_sheets(tmp_path, workbook_format):
    path = WRITERS[workbook_format](
        tmp_path / f"empty.{workbook_format}",
        {"空白": {"merged": [], "rows": {}}, "第二页": SECOND},
    )
    with pytest.raises(FileRefused) as refusal:
        open_workbook(path)
    assert refusal.value.errors[0].message == (
        "the sheet “空白” is empty; the workbook’s sheets are “空白”, “第二页”"
    )


def test_the_first_visible_sheet_is_read_by_default(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "hidden.xlsx"))
    book.add_worksheet("旧名单").write(0, 0, "示例旧有限公司")
    current = book.add_worksheet("名单")
    current.write(0, 0, "示例新有限公司")
    current.activate()
    book.worksheets()[0].hide()
    book.close()
    workbook = open_workbook(tmp_path / "hidden.xlsx")
    assert (workbook.sheet, all_rows(workbook)) == ("名单", {1: ["示例新有限公司"]})


def test_a_workbook_is_known_by_its_first_bytes_not_its_name(tmp_path, registry_workbook):
    csv_named_xlsx = tmp_path / "名单.xlsx.csv"
    csv_named_xlsx.write_text("企业名称\n示例甲有限公司\n", encoding="utf-8")
    workbook_named_csv = tmp_path / "名单.csv"
    workbook_named_csv.write_bytes(registry_workbook.read_bytes())
    disguised_csv = tmp_path / "other.xlsx"
    disguised_csv.write_bytes(csv_named_xlsx.read_bytes())
    assert is_workbook(registry_workbook)
    assert not is_workbook(csv_named_xlsx)
    assert not is_workbook(disguised_csv)
    assert is_workbook(workbook_named_csv)
    assert all_rows(open_workbook(workbook_named_csv)) == FIRMS_ROWS


def test_a_damaged_workbook_is_refused(tmp_path, registry_workbook, workbook_format):
    damaged = tmp_path / f"damaged.{workbook_format}"
    damaged.write_bytes(registry_workbook.read_bytes()[:3000])
    assert is_workbook(damaged)
    with pytest.raises(FileRefused) as refusal:
        open_workbook(damaged)
    error = refusal.value.errors[0]
    assert (error.line, error.message) == (
        1,
        "the file cannot be read as an Excel workbook: it is damaged or not a workbook",
    )
    assert error.value  # what python-calamine found, for whoever looks into the file


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "示例甲有限公司")
    assert is_workbook(path)
    with pytest.raises(FileRefused, match="cannot be read as an Excel workbook"):
        open_workbook(path)


def test_a_missing_file_raises_os_error(tmp_path):
    with pytest.raises(OSError):
        open_workbook(tmp_path / "missing.xlsx")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (2021, "2021"),
        (2021.0, "2021"),
        (12.5, "12.5"),
        (-0.75, "-0.75"),
        (0.1 + 0.2, "0.3"),  # what Excel shows and keeps: 15 significant digits
        (999_999_999_999_999.0, "999999999999999"),
        (10.0**15, "1E+15"),
        (float(NUMERIC_CODE), "9.13303001234568E+17"),
        (-1.5e20, "-1.5E+20"),
    ],
)
def test_numbers_are_written_as_excel_keeps_them(number, text):
    assert number_text(number) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("示例甲有限公司", "示例甲有限公司"),
        (True, "TRUE"),
        (datetime.datetime(2021, 3, 4), "2021-03-04"),
        (datetime.datetime(2021, 3, 4, 5, 6, 7), "2021-03-04 05:06:07"),
        (datetime.date(2021, 3, 4), "2021-03-04"),
        (datetime.time(5, 6, 7), "05:06:07"),
        (datetime.timedelta(days=1, hours=6, seconds=5), "30:00:05"),
    ],
)
def test_values_are_written_as_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("raw", ["9.13303001234568E+17", "9.13303e+17", "913303001234567890.0"])
def test_a_credit_code_excel_made_a_number_is_refused_saying_so(raw):
    with pytest.raises(CellError) as error:
        credit_code(raw)
    assert str(error.value) == EXCEL_NUMBER_MESSAGE


def test_the_numeric_code_of_a_workbook_is_refused_and_the_text_codes_read(registry_workbook):
    codes = [row[0] for line, row in all_rows(open_workbook(registry_workbook)).items() if line > 4]
    values, failures = parse_column(credit_code, codes)
    assert values == [None, CODE_B, CODE_C]
    assert [(index, str(error)) for index, error in failures] == [(0, EXCEL_NUMBER_MESSAGE)]


def test_other_wrong_codes_keep_their_own_message():
    wrong_check = CODE_B[:17] + ("1" if CODE_B[17] != "1" else "2")
    with pytest.raises(CellError, match="wrong check character"):
        credit_code(wrong_check)
    with pytest.raises(CellError, match="has 18 characters, this one has 15"):
        credit_code("913303001234567")


def test_a_valid_code_that_reads_like_a_number_in_e_notation_is_accepted():
    """A code may start 9E and have only digits after: only a code that fails the check is
    taken for a number Excel made."""
    bodies = (f"9E3303{serial:011d}" for serial in range(100))
    code = next(
        body + check for body in bodies if (check := credit_code_check_character(body)).isdigit()
    )
    assert re.fullmatch(r"9E\d{16}", code)
    assert credit_code(code) == code
    assert parse_column(credit_code, [code]) == ([code], [])
