"""Files as they arrive: GBK from Excel with Chinese headers, UTF-8 with a BOM and CRLF, tabs,
title lines; and files that must be refused whole (wrong encoding, empty, missing, another
kind's columns), each checked for its exit status, its message and an unchanged database."""

import subprocess
import sys
from pathlib import Path

import pytest

from champions.models import Designation, Enterprise, ImportRun
from tests.conftest import make_credit_code
from tests.import_helpers import last_run, run_import, snapshot, write_csv

pytestmark = pytest.mark.django_db

CODE_1, CODE_2 = make_credit_code(101), make_credit_code(102)


def test_two_rows_for_one_title_are_refused_naming_both_lines(tmp_path, make_enterprise):
    """One row finds the firm by credit code, the other by its name written differently."""
    firm = make_enterprise(name="温州凯泉泵阀（集团）有限公司")
    before = snapshot()
    path = write_csv(
        tmp_path / "名单.csv",
        [
            ["序号", "统一社会信用代码", "企业名称", "称号", "批次", "年份"],
            ["1", firm.credit_code, firm.name, "专精特新“小巨人”企业", "第三批", "2021"],
            ["2", "", "温州凯泉泵阀(集团) 有限公司", '专精特新"小巨人"企业', "第3批", "2021"],
        ],
        encoding="gbk",
        newline="\r\n",
    )
    outcome = run_import("designations", path)
    assert outcome.code == 1
    assert "line 3, column 企业名称: the same record as line 2" in outcome.out
    assert outcome.summary == "created 0, updated 0, unchanged 0, errors 1"
    assert snapshot() == before


def test_gbk_designations_import(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州凯泉泵阀（集团）有限公司")
    other = make_enterprise(name="浙江正泰电器股份有限公司")
    path = write_csv(
        tmp_path / "名单.csv",
        [
            ["序号", "统一社会信用代码", "企业名称", "称号", "批次", "年份"],
            ["1", firm.credit_code, firm.name, "专精特新“小巨人”企业", "第三批", "2021"],
            ["2", "", "浙江正泰电器股份有限公司", '专精特新"小巨人"企业', "2021年第一批", ""],
            ["3", "", "浙江正泰电器股份有限公司", "专精特新小巨人企业", "第六批", "2024"],
        ],
        encoding="gbk",
    )
    outcome = run_import("designations", path)
    assert outcome.code == 0, outcome.out
    assert outcome.summary == "created 3, updated 0, unchanged 0, errors 0"
    titles = {
        (d.enterprise_id, d.tier_id, d.batch.number, d.batch.year, d.year)
        for d in Designation.objects.select_related("batch")
    }
    assert titles == {
        (firm.pk, "little_giant", 3, 2021, 2021),
        (other.pk, "little_giant", 1, 2021, 2021),
        (other.pk, "little_giant", 6, 2024, 2024),
    }


def test_utf8_with_bom_and_crlf(tmp_path, lucheng):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["企业名称", "统一社会信用代码", "所属区县", "成立年份"],
            ["温州甲有限公司", CODE_1, "鹿城区", "2001"],
            ["温州乙有限公司", CODE_2, "330303", "２００２"],
        ],
        bom=True,
        newline="\r\n",
    )
    outcome = run_import("enterprises", path)
    assert outcome.code == 0, outcome.out
    assert "utf-8-sig" in outcome.out
    firms = dict(Enterprise.objects.values_list("name", "founded"))
    assert firms == {"温州甲有限公司": 2001, "温州乙有限公司": 2002}
    assert Enterprise.objects.get(credit_code=CODE_1).region == lucheng


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "tab"), (";", "semicolon")])
def test_delimiter_is_sniffed(tmp_path, delimiter, name):
    path = write_csv(
        tmp_path / f"{name}.csv",
        [["name", "credit_code", "region"], ["温州甲有限公司", CODE_1, "鹿城区"]],
        delimiter=delimiter,
    )
    outcome = run_import("enterprises", path)
    assert outcome.code == 0, outcome.out
    assert Enterprise.objects.get().name == "温州甲有限公司"


def test_title_lines_above_the_header_are_skipped(tmp_path):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["2021年温州市企业名单", "", ""],
            ["", "", ""],
            ["企业名称", "统一社会信用代码", "所属区县"],
            ["温州甲有限公司", CODE_1, "鹿城区"],
        ],
    )
    outcome = run_import("enterprises", path)
    assert outcome.code == 0, outcome.out
    assert Enterprise.objects.get().credit_code == CODE_1


def test_quoted_cells_spanning_lines_keep_the_line_where_the_row_starts(tmp_path):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["name", "main_product", "founded"],
            ["温州甲有限公司", "泵\n阀", "2001"],
            ["温州乙有限公司", "电气", "1800"],
        ],
    )
    outcome = run_import("enterprises", path)
    assert outcome.code == 1
    assert "line 4, column founded: a year between 1949 and 2100 (1800)" in outcome.out


def test_wrong_encoding_is_refused_with_the_line_that_does_not_decode(tmp_path, make_enterprise):
    make_enterprise()
    before = snapshot()
    path = write_csv(
        tmp_path / "gbk.csv",
        [["credit_code", "name"], [CODE_1, "ABC"], [CODE_2, "温州乙有限公司"]],
        encoding="gbk",
    )
    outcome = run_import("enterprises", path, "--encoding", "utf-8")
    assert outcome.code == 1
    assert "line 3: the file cannot be read as utf-8" in outcome.out
    assert outcome.summary == "created 0, updated 0, unchanged 0, errors 1"
    assert snapshot() == before
    run = last_run()
    assert (run.status, run.errors, run.kind) == (ImportRun.Status.REFUSED, 1, "enterprises")
    assert len(run.sha256) == 64


def test_undecodable_file_without_encoding_is_refused(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"name\n\xff\xfe\xfa\xfb\n")
    outcome = run_import("enterprises", str(path))
    assert outcome.code == 1
    assert "line 2: the file is neither UTF-8 nor GB18030/GBK" in outcome.out
    assert not Enterprise.objects.exists()


def test_unknown_encoding_name_is_a_bad_argument(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["name"], ["温州甲有限公司"]])
    outcome = run_import("enterprises", path, "--encoding", "klingon")
    assert outcome.code == 2
    assert "Unknown encoding: klingon" in outcome.err
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",,,\n"])
def test_empty_file_is_refused(tmp_path, make_enterprise, content):
    make_enterprise()
    before = snapshot()
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    outcome = run_import("enterprises", str(path))
    assert outcome.code == 1
    assert "line 1: the file is empty" in outcome.out
    assert outcome.summary == "created 0, updated 0, unchanged 0, errors 1"
    assert snapshot() == before


def test_missing_file_is_exit_2_and_records_nothing(tmp_path, make_enterprise):
    make_enterprise()
    before = snapshot()
    outcome = run_import("enterprises", str(tmp_path / "nowhere.csv"))
    assert outcome.code == 2
    assert "Cannot read" in outcome.err and "nowhere.csv" in outcome.err
    assert not ImportRun.objects.exists()
    assert snapshot() == before


def test_a_directory_is_unreadable(tmp_path):
    outcome = run_import("enterprises", str(tmp_path))
    assert outcome.code == 2
    assert "Cannot read" in outcome.err


def test_file_of_another_kind_is_refused_before_any_row_is_read(tmp_path, make_enterprise):
    make_enterprise()
    before = snapshot()
    path = write_csv(
        tmp_path / "figures.csv",
        [
            ["统一社会信用代码", "年份", "工业总产值（万元）"],
            [CODE_1, "2021", "not even a number"],
        ],
    )
    outcome = run_import("designations", path)
    assert outcome.code == 1
    assert "line 1, column 工业总产值（万元）: unknown column" in outcome.out
    assert "line 1, column 称号 (tier): missing required column" in outcome.out
    # The rows were not read: the bad number is not reported.
    assert "not a number" not in outcome.out
    assert snapshot() == before


def test_missing_required_column(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["所属区县", "成立年份"], ["鹿城区", "2001"]])
    outcome = run_import("enterprises", path)
    assert outcome.code == 1
    assert (
        "line 1, column 统一社会信用代码 (credit_code) / 企业名称 (name): missing required column"
        in outcome.out
    )


def test_a_column_given_twice_is_refused(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["name", "企业名称", "Name"], ["甲", "甲", "甲"]])
    outcome = run_import("enterprises", path)
    assert outcome.code == 1
    assert "line 1, column Name: this column appears twice (also column 1)" in outcome.out


def test_the_command_line_exits_2_on_bad_arguments(tmp_path):
    """From the shell, as a data officer runs it: argparse refuses an unknown kind with 2."""
    path = write_csv(tmp_path / "a.csv", [["name"], ["甲"]])
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_csv", "castles", path],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "invalid choice: 'castles'" in completed.stderr
