"""Importing yearly figures, province comparison counts and seminars."""

import datetime
from decimal import Decimal

import pytest

from champions.models import Enterprise, Expert, Organisation, ProvinceCount, Seminar, YearlyFigures
from tests.import_helpers import run_command, run_import, snapshot, write_csv

pytestmark = pytest.mark.django_db

FIGURES_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "年份",
    "工业总产值（万元）",
    "营业收入（万元）",
    "新产品产值（万元）",
    "从业人员",
    "国内市场占有率排名",
]


def test_figures_with_thousands_separators_and_empty_cells(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州甲有限公司")
    path = write_csv(
        tmp_path / "figures.csv",
        [
            FIGURES_HEADER,
            [firm.credit_code, "", "2020", "1,234,567.8", "１２３４", "", "1,200", "3"],
            ["", "温州甲有限公司", "2021年", " 2000 ", "0", "500.25", "", ""],
        ],
    )
    outcome = run_import("figures", path)
    assert outcome.summary == "created 2, updated 0, unchanged 0, errors 0", outcome.out
    first, second = YearlyFigures.objects.order_by("year")
    assert (first.output_value, first.revenue, first.new_product_output) == (
        Decimal("1234567.80"),
        Decimal("1234.00"),
        None,  # an empty cell is "no value", not zero
    )
    assert (first.employees, first.national_rank) == (1200, 3)
    assert (second.output_value, second.revenue, second.new_product_output) == (
        Decimal("2000"),
        Decimal("0"),
        Decimal("500.25"),
    )
    again = run_import("figures", path)
    assert again.summary == "created 0, updated 0, unchanged 2, errors 0"


def test_bad_figures_are_reported_with_line_and_column(tmp_path, make_enterprise):
    firm = make_enterprise()
    before = snapshot()
    path = write_csv(
        tmp_path / "bad.csv",
        [
            FIGURES_HEADER,
            [firm.credit_code, "", "2020", "-5", "", "", "", ""],
            [firm.credit_code, "", "2019", "1.234", "", "", "", ""],
            [firm.credit_code, "", "2018", "12,34", "", "", "", ""],
            [firm.credit_code, "", "2017", "", "一百", "", "", ""],
            [firm.credit_code, "", "", "1", "", "", "", ""],
            [firm.credit_code, "", "2016", "", "", "", "12.5", "0"],
            [firm.credit_code, "", "2015", "1" * 15, "", "", "", ""],
        ],
    )
    outcome = run_import("figures", path)
    assert outcome.code == 1
    for message in (
        "line 2, column 工业总产值（万元）: cannot be negative (-5)",
        "line 3, column 工业总产值（万元）: at most 2 decimal places (1.234)",
        "line 4, column 工业总产值（万元）: misplaced thousands separator (12,34)",
        "line 5, column 营业收入（万元）: not a number (一百)",
        "line 6, column 年份: a year is required",
        "line 7, column 从业人员: not a whole number (12.5)",
        "line 7, column 国内市场占有率排名: must be between 1 and 32767 (0)",
        "line 8, column 工业总产值（万元）: too large",
    ):
        assert message in outcome.out, message
    assert outcome.summary == "created 0, updated 0, unchanged 0, errors 7"
    assert snapshot() == before


def test_size_class_in_chinese_or_english(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州甲有限公司")
    path = write_csv(
        tmp_path / "sizes.csv",
        [
            ["统一社会信用代码", "年份", "中小企业划型"],
            [firm.credit_code, "2019", "微型"],
            [firm.credit_code, "2020", "小型企业"],
            [firm.credit_code, "2021", "Medium"],
            [firm.credit_code, "2022", ""],
        ],
    )
    outcome = run_import("figures", path)
    assert outcome.summary == "created 4, updated 0, unchanged 0, errors 0", outcome.out
    sizes = dict(YearlyFigures.objects.values_list("year", "size_class"))
    assert sizes == {2019: "micro", 2020: "small", 2021: "medium", 2022: ""}
    # A year's class changes with the file; an empty cell clears it; other columns stay.
    YearlyFigures.objects.filter(year=2021).update(revenue=Decimal("10"))
    update = write_csv(
        tmp_path / "update.csv",
        [["credit_code", "year", "企业规模"], [firm.credit_code, "2021", "大型"]],
    )
    assert run_import("figures", update).summary == "created 0, updated 1, unchanged 0, errors 0"
    figures = YearlyFigures.objects.get(year=2021)
    assert (figures.size_class, figures.revenue) == ("large", Decimal("10"))
    assert figures.get_size_class_display() == "Large"


def test_an_unknown_size_class_is_refused_naming_the_accepted_ones(tmp_path, make_enterprise):
    firm = make_enterprise()
    before = snapshot()
    path = write_csv(
        tmp_path / "sizes.csv",
        [["统一社会信用代码", "年份", "企业规模"], [firm.credit_code, "2020", "特大型"]],
    )
    outcome = run_import("figures", path)
    assert outcome.code == 1
    assert (
        "line 2, column 企业规模: unknown size class; accepted: 大型、中型、小型、微型、"
        in outcome.out
    ), outcome.out
    assert "(特大型)" in outcome.out
    assert snapshot() == before


@pytest.mark.parametrize("chinese", [False, True])
def test_figures_with_their_size_class_go_round_trip(tmp_path, make_enterprise, chinese):
    firm = make_enterprise(name="温州甲有限公司")
    YearlyFigures.objects.create(enterprise=firm, year=2020, size_class="small", revenue=5)
    YearlyFigures.objects.create(enterprise=firm, year=2021, employees=12)

    def export():
        output = tmp_path / "export.csv"
        headers = ["--chinese-headers"] if chinese else []
        assert run_command("export_csv", "figures", "--output", str(output), *headers).code == 0
        return output.read_bytes()

    exported = export()
    header = exported.decode("utf-8-sig").splitlines()[0]
    # The figures of the eligibility criteria follow the size class.
    if chinese:
        assert ",企业规模,主营业务收入（万元）," in header
    else:
        assert ",size_class,main_revenue (10k yuan)," in header
    assert header.endswith(",评价得分" if chinese else ",evaluation_score")
    YearlyFigures.objects.all().delete()
    path = tmp_path / "figures.csv"
    path.write_bytes(exported)
    assert run_import("figures", str(path)).summary.startswith("created 2,")
    assert dict(YearlyFigures.objects.values_list("year", "size_class")) == {
        2020: "small",
        2021: "",
    }
    assert export() == exported


def test_province_counts(tmp_path):
    path = write_csv(
        tmp_path / "province.csv",
        [
            ["地市", "称号", "年份", "口径", "数量"],
            ["杭州市", "小巨人企业", "2021", "", "42"],
            ["宁波", "小巨人企业", "2021", "拥有称号", "52"],
            ["330300", "单项冠军企业", "2021", "上报工信部", "9"],
        ],
    )
    outcome = run_import("province", path)
    assert outcome.summary == "created 3, updated 0, unchanged 0, errors 0", outcome.out
    assert set(ProvinceCount.objects.values_list("region_id", "tier_id", "measure", "count")) == {
        ("330100", "little_giant", "in_force", 42),
        ("330200", "little_giant", "in_force", 52),
        ("330300", "single_champion", "submitted", 9),
    }
    update = write_csv(
        tmp_path / "update.csv",
        [["region", "tier", "year", "count"], ["330100", "little_giant", "2021", "43"]],
    )
    assert run_import("province", update).summary == "created 0, updated 1, unchanged 0, errors 0"
    assert ProvinceCount.objects.get(region_id="330100").count == 43


def test_a_new_province_count_needs_a_count(tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        [["region", "tier", "year", "count"], ["330100", "little_giant", "2021", ""]],
    )
    outcome = run_import("province", path)
    assert outcome.code == 1
    assert "line 2, column count: required for a new record" in outcome.out


SEMINAR_HEADER = ["会议名称", "日期", "地点", "主办单位", "发言专家", "参会企业", "是否公开"]


def test_seminars_with_sponsors_experts_and_participants(tmp_path, make_enterprise):
    coded = make_enterprise(name="温州甲有限公司")
    named = make_enterprise(name="温州乙有限公司", credit_code=None)
    path = write_csv(
        tmp_path / "seminars.csv",
        [
            SEMINAR_HEADER,
            [
                "制造业单项冠军企业培育研讨会",
                "2021年7月12日",
                "温州",
                "中国工业经济联合会；温州市人民政府",
                "张三（中国工业经济联合会 专家）;李四",
                f"{coded.credit_code.lower()};温州乙有限公司",
                "是",
            ],
        ],
    )
    outcome = run_import("seminars", path)
    assert outcome.summary == "created 1, updated 0, unchanged 0, errors 0", outcome.out
    seminar = Seminar.objects.get()
    assert (seminar.held_on, seminar.is_published) == (datetime.date(2021, 7, 12), True)
    assert set(seminar.sponsors.values_list("name", flat=True)) == {
        "中国工业经济联合会",
        "温州市人民政府",
    }
    assert set(seminar.experts.values_list("name", "affiliation")) == {
        ("张三", "中国工业经济联合会 专家"),
        ("李四", ""),
    }
    assert set(seminar.participants.all()) == {coded, named}
    assert run_import("seminars", path).summary == "created 0, updated 0, unchanged 1, errors 0"
    fewer = write_csv(
        tmp_path / "fewer.csv",
        [
            ["title", "held_on", "sponsors"],
            ["制造业单项冠军企业培育研讨会", "2021-07-12", "温州市人民政府"],
        ],
    )
    outcome = run_import("seminars", fewer)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0"
    assert list(seminar.sponsors.values_list("name", flat=True)) == ["温州市人民政府"]
    assert seminar.experts.count() == 2  # no experts column: left as they were
    assert seminar.history.latest().import_run_id is not None
    assert Organisation.objects.count() == 2 and Expert.objects.count() == 2


def test_unknown_participant_is_reported_at_its_seminar_line(tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["title", "held_on", "participants"],
            ["座谈会", "2021-07-12", ""],
            ["研讨会", "2021-07-13", "温州无名有限公司"],
        ],
    )
    outcome = run_import("seminars", path)
    assert outcome.code == 1
    assert "line 3, column participants: unknown enterprise" in outcome.out
    assert "(温州无名有限公司)" in outcome.out
    assert not Seminar.objects.exists()
    # A participant's row cannot say where a new firm is: it is never created from here.
    refused = run_import("seminars", path, "--create-missing")
    assert refused.code == 2
    assert "--create-missing does not apply to seminars" in refused.err
    assert not Enterprise.objects.exists()
