"""Published lists as they come: title rows, two-row headers, section rows, footnotes, cells
saved empty under merged cells, rows of other cities, name-only rosters, review-result sheets.
Every test checks the exit status, what the report says of the lines, and the public counts.
All firms are made up."""

import csv
import datetime

import pytest

from champions.models import (
    Batch,
    Designation,
    DesignationEvent,
    Enterprise,
    Notice,
    ProvinceCount,
    Tier,
)
from champions.services.designations import award
from tests.import_helpers import run_import, snapshot, write_csv

pytestmark = pytest.mark.django_db

ENCODINGS = [("gbk", False), ("utf-8", True)]


def held_count(client, tier, on=None):
    """The public count of ``tier`` (``/api/summary.json``)."""
    response = client.get("/api/summary.json", {"year": on} if on else {})
    assert response.status_code == 200
    return next(row["count"] for row in response.json()["tiers"] if row["code"] == tier)


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
def test_title_rows_above_the_header_are_skipped_and_reported(tmp_path, client, encoding, bom):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["附件1"],
            ["2024年专精特新“小巨人”企业名单（企业名称按所属区县排列）"],
            ["公示时间：2024年7月1日—7月7日"],
            ["序号", "企业名称", "所属区县", "称号", "批次", "年份"],
            ["1", "示例甲阀门有限公司", "鹿城区", "专精特新小巨人", "第六批", "2024"],
            ["2", "示例乙电气有限公司", "乐清市", "专精特新“小巨人”", "第六批", "2024"],
        ],
        encoding=encoding,
        bom=bom,
    )
    outcome = run_import("designations", path, "--create-missing")
    assert outcome.code == 0, outcome.out
    assert "Header: line 4." in outcome.lines
    assert any(
        line.startswith("line 1 skipped: title line above the header") for line in outcome.lines
    )
    assert any(line.startswith("line 3 skipped: title line") for line in outcome.lines)
    assert outcome.summary == "created 4, updated 0, unchanged 0, errors 0"
    assert held_count(client, "little_giant") == 2


def test_the_header_is_the_row_with_most_known_names(tmp_path):
    """A first row of one known name (a subtitle) is not the header when a later row names
    more columns."""
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["企业名称", "（按笔画排序）"],
            ["序号", "企业名称", "所属区县", "称号", "年份"],
            ["1", "示例丙有限公司", "瑞安市", "浙江省隐形冠军企业", "2024"],
        ],
    )
    outcome = run_import("designations", path, "--create-missing", "--dry-run")
    assert outcome.code == 0, outcome.out
    assert "Header: line 2." in outcome.lines


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
def test_two_row_header_of_merged_cells(tmp_path, client, encoding, bom, lucheng):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["序号", "企业名称", "所在地区", "", "称号"],
            ["", "", "设区市", "县（市、区）", ""],
            ["1", "示例丁阀门有限公司", "温州市", "鹿城区", "浙江省隐形冠军企业"],
            ["2", "示例戊鞋业有限公司", "温州市", "", "浙江省隐形冠军企业"],
        ],
        encoding=encoding,
        bom=bom,
    )
    outcome = run_import("designations", path, "--create-missing", "--year", "2024")
    assert outcome.code == 0, outcome.out
    assert "Header: lines 1–2 (two rows)." in outcome.lines
    # The county wins where both are given; a row giving the city only is at city level.
    regions = dict(Enterprise.objects.values_list("name", "region_id"))
    assert regions == {"示例丁阀门有限公司": lucheng.code, "示例戊鞋业有限公司": "330300"}
    assert held_count(client, "hidden_champion", on=2024) == 2


def test_data_under_an_empty_header_cell_is_refused(tmp_path):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["序号", "企业名称", "", "称号", "年份"],
            ["1", "示例己有限公司", "鹿城区", "浙江省隐形冠军企业", "2024"],
        ],
    )
    before = snapshot()
    outcome = run_import("designations", path, "--create-missing")
    assert outcome.code == 1
    assert (
        "line 2, column #3 (C): this column holds data but has no header; name it or delete "
        "it (鹿城区)" in outcome.out
    )
    assert snapshot() == before


SECTIONED = [
    ["一、第四批单项冠军示范企业（节选）"],
    ["序号", "企业名称", "所在地区", "主营产品", "认定年度"],
    ["1", "示例庚阀门有限公司", "温州市鹿城区", "阀门", "2019"],
    ["2", "示例辛电气有限公司", "宁波市", "开关", "2019"],
    ["二、拟通过复核的第一批单项冠军培育企业"],
    ["序号", "企业名称", "所在地区", "主营产品", "认定年度"],
    ["1", "示例壬鞋业有限公司", "瑞安市", "皮鞋", "2016"],
    ["注：1.名单按企业注册地排序，不分先后。"],
    ["2.“主营产品”为企业的主营产品。"],
]


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
def test_sections_apply_their_tier_batch_and_event(tmp_path, client, encoding, bom):
    path = write_csv(tmp_path / "list.csv", SECTIONED, encoding=encoding, bom=bom)
    outcome = run_import("designations", path, "--create-missing", "--announced", "2024-11-01")
    assert outcome.code == 0, outcome.out
    report = outcome.lines
    assert "Header: line 2." in report
    assert any(
        line.startswith("line 1 skipped: section row (一、第四批单项冠军示范企业（节选）)")
        for line in report
    )
    assert any(
        line.startswith("line 6 skipped: header repeated under a section") for line in report
    )
    assert any(line.startswith("line 8 skipped: footnote") for line in report)
    assert any(line.startswith("line 9 skipped: footnote") for line in report)
    assert "Skipped, another place's firms: 宁波市 1 (lines 4)." in report
    titles = {
        (d.enterprise.name, d.tier_id, d.batch.number, d.batch.year)
        for d in Designation.objects.select_related("enterprise", "batch")
    }
    assert titles == {
        ("示例庚阀门有限公司", "single_champion", 4, 2019),
        ("示例壬鞋业有限公司", "single_champion_cultivation", 1, 2016),
    }
    events = set(DesignationEvent.objects.values_list("designation__tier_id", "kind"))
    assert events == {
        ("single_champion", "award"),
        ("single_champion_cultivation", "review_publicity"),
    }
    # 主营产品 is the firm's main product, never the title's product.
    assert Enterprise.objects.get(name="示例庚阀门有限公司").main_product == "阀门"
    assert set(Designation.objects.values_list("product", flat=True)) == {""}
    assert not Enterprise.objects.filter(name="示例辛电气有限公司").exists()
    assert held_count(client, "single_champion") == 1


def test_a_section_contradicting_an_option_is_an_error(tmp_path):
    path = write_csv(tmp_path / "list.csv", SECTIONED[:4])
    outcome = run_import("designations", path, "--create-missing", "--tier", "little_giant")
    assert outcome.code == 1
    assert "line 1, column --tier: the section says" in outcome.out


def test_cells_under_a_merged_cell_are_filled_down_only_when_asked(tmp_path, lucheng):
    rows = [
        ["序号", "企业名称", "设区市", "县（市、区）", "称号", "年度"],
        ["1", "示例癸有限公司", "温州市", "鹿城区", "浙江省隐形冠军企业", "2024"],
        ["2", "示例子有限公司", "", "", "浙江省隐形冠军企业", "2024"],
    ]
    path = write_csv(tmp_path / "list.csv", rows)
    refused = run_import("designations", path, "--create-missing")
    assert refused.code == 1
    assert "line 3, column 县（市、区）: a new enterprise needs its region" in refused.out
    assert not Enterprise.objects.exists()
    filled = run_import(
        "designations", path, "--create-missing", "--fill-down", "设区市,县（市、区）"
    )
    assert filled.code == 0, filled.out
    assert "Filled down: 1 empty cells of 县（市、区） from the row above." in filled.lines
    assert Enterprise.objects.get(name="示例子有限公司").region == lucheng


ROSTER = [
    ["序号", "企业名称"],
    ["1", "北京示例科技有限公司"],
    ["2", "西安示例装备有限公司"],
    ["3", "乐清示例电气有限公司"],
    ["4", "温州已有阀门有限公司"],
]


def test_a_name_only_roster_is_refused_without_region(tmp_path):
    path = write_csv(tmp_path / "roster.csv", ROSTER)
    before = snapshot()
    outcome = run_import(
        "designations",
        path,
        "--create-missing",
        "--tier",
        "little_giant",
        "--batch",
        "5",
        "--year",
        "2023",
    )
    assert outcome.code == 1
    for line in (2, 3, 4, 5):
        assert f"line {line}, column region: a new enterprise needs its region" in outcome.out
    assert snapshot() == before


def test_a_name_only_roster_read_with_known_only(tmp_path, client, make_enterprise):
    ours = make_enterprise(name="温州已有阀门有限公司")
    path = write_csv(tmp_path / "roster.csv", ROSTER)
    report = tmp_path / "report.csv"
    outcome = run_import(
        "designations",
        path,
        "--known-only",
        "--tier",
        "little_giant",
        "--batch",
        "5",
        "--year",
        "2023",
        "--announced",
        "2023-07-14",
        "--report",
        str(report),
    )
    assert outcome.code == 0, outcome.out
    assert "Not in the registry, no event recorded (3):" in outcome.lines
    assert (
        "  line 4: 乐清示例电气有限公司 — names 乐清: possibly this registry's firm, to check"
        in (outcome.lines)
    )
    assert "  line 2: 北京示例科技有限公司" in outcome.lines
    assert outcome.summary == "created 1, updated 0, unchanged 0, errors 0"
    assert list(Designation.objects.values_list("enterprise", "tier_id")) == [
        (ours.pk, "little_giant")
    ]
    assert Enterprise.objects.count() == 1
    assert held_count(client, "little_giant", on=2024) == 1
    with open(report, encoding="utf-8-sig", newline="") as handle:
        lines = {int(row[0]): row[1:] for row in list(csv.reader(handle))[1:]}
    assert lines[1][0] == "skipped"
    assert lines[2][0] == lines[3][0] == lines[4][0] == "not in the registry"
    assert "乐清" in lines[4][1]
    assert lines[5][0] == "created"


def test_region_option_places_a_county_ledger(tmp_path):
    path = write_csv(
        tmp_path / "ledger.csv",
        [
            ["序号", "企业名称", "称号", "年度"],
            ["1", "示例丑有限公司", "浙江省隐形冠军企业", "2024"],
        ],
    )
    outcome = run_import("designations", path, "--create-missing", "--region", "乐清市")
    assert outcome.code == 0, outcome.out
    assert Enterprise.objects.get().region_id == "330382"


PROVINCIAL = [
    ["2024年浙江省隐形冠军企业名单"],
    ["序号", "设区市", "县（市、区）", "企业名称"],
    ["1", "杭州市", "萧山区", "示例寅有限公司"],
    ["2", "宁波市", "北仑区", "示例卯有限公司"],
    ["3", "温州市", "鹿城区", "示例辰有限公司"],
    ["4", "温州市", "乐清市", "示例巳有限公司"],
    ["5", "宁波市", "", "示例午有限公司"],
]


def test_a_provincial_list_keeps_only_this_citys_firms(tmp_path, client):
    path = write_csv(tmp_path / "province.csv", PROVINCIAL, encoding="gbk")
    outcome = run_import(
        "designations",
        path,
        "--create-missing",
        "--tier",
        "浙江省隐形冠军企业",
        "--year",
        "2024",
        "--province-counts",
        "--announced",
        "2024-12-20",
    )
    assert outcome.code == 0, outcome.out
    assert "Skipped, another place's firms: 宁波市 2 (lines 4, 7)." in outcome.lines
    assert "Skipped, another place's firms: 杭州市 1 (lines 3)." in outcome.lines
    assert set(Enterprise.objects.values_list("name", flat=True)) == {
        "示例辰有限公司",
        "示例巳有限公司",
    }
    counts = set(
        ProvinceCount.objects.values_list("region_id", "tier_id", "year", "measure", "count")
    )
    assert counts == {
        ("330100", "hidden_champion", 2024, "in_force", 1),
        ("330200", "hidden_champion", 2024, "in_force", 2),
        ("330300", "hidden_champion", 2024, "in_force", 2),
    }
    assert held_count(client, "hidden_champion", on=2024) == 2
    # The notice is named after the list's title line.
    assert list(Notice.objects.values_list("title", "published_on")) == [
        ("2024年浙江省隐形冠军企业名单", datetime.date(2024, 12, 20))
    ]


def test_review_result_sheet_extends_ends_and_revokes(tmp_path, client, make_enterprise):
    tier = Tier.objects.get(code="little_giant")
    batch = Batch.objects.create(tier=tier, number=3, year=2021)
    firms = [make_enterprise(name=f"示例复核{index}有限公司") for index in range(4)]
    for firm in firms:
        award(firm, tier, batch=batch, year=2021, happened_on=datetime.date(2021, 7, 19))
    path = write_csv(
        tmp_path / "review.csv",
        [
            ["2024年专精特新“小巨人”企业复核结果"],
            ["序号", "企业名称", "原认定批次", "复核结果", "备注"],
            ["1", firms[0].name, "第三批", "通过", ""],
            ["2", firms[1].name, "第三批", "不通过", "未达标"],
            ["3", firms[2].name, "第三批", "未申请复核", ""],
            ["4", firms[3].name, "第三批", "撤销", "存在违法行为"],
        ],
        encoding="gbk",
    )
    outcome = run_import(
        "designations",
        path,
        "--tier",
        "little_giant",
        "--status",
        "review_result",
        "--announced",
        "2024-08-01",
    )
    assert outcome.code == 0, outcome.out
    standing = {
        d.enterprise.name: (d.status, d.valid_until)
        for d in Designation.objects.select_related("enterprise")
    }
    assert standing == {
        firms[0].name: ("review_passed", datetime.date(2027, 7, 31)),
        firms[1].name: ("lapsed", datetime.date(2024, 7, 18)),
        firms[2].name: ("lapsed", datetime.date(2024, 7, 18)),
        firms[3].name: ("revoked", datetime.date(2024, 7, 18)),
    }
    # The revocation bans applying again for three years from its date.
    assert Designation.objects.get(enterprise=firms[3]).banned_until == datetime.date(2027, 8, 1)
    assert DesignationEvent.objects.get(kind="review_result", outcome="failed").note == "未达标"
    assert held_count(client, "little_giant", on=2025) == 1


def test_a_short_title_is_resolved_with_the_level_column(tmp_path):
    rows = [
        ["序号", "企业名称", "所属区县", "称号", "级别", "年度"],
        ["1", "示例未有限公司", "鹿城区", "隐形冠军培育", "省级", "2022"],
        ["2", "示例申有限公司", "鹿城区", "隐形冠军培育", "市级", "2022"],
        ["3", "示例酉有限公司", "鹿城区", "单项冠军", "省级", "2022"],
    ]
    outcome = run_import("designations", write_csv(tmp_path / "a.csv", rows), "--create-missing")
    assert outcome.code == 0, outcome.out
    assert set(Designation.objects.values_list("enterprise__name", "tier_id")) == {
        ("示例未有限公司", "provincial_hidden_champion_cultivation"),
        ("示例申有限公司", "hidden_champion_cultivation"),
        ("示例酉有限公司", "provincial_single_champion"),
    }
    without_level = [[cell for index, cell in enumerate(row) if index != 4] for row in rows]
    before = snapshot()
    refused = run_import(
        "designations", write_csv(tmp_path / "b.csv", without_level), "--create-missing"
    )
    assert refused.code == 1
    assert (
        "line 2, column 称号: “隐形冠军培育” may mean 浙江省隐形冠军培育企业 or "
        "温州市隐形冠军培育企业; write the full name, or give a 级别 column" in refused.out
    )
    assert snapshot() == before


def test_dry_run_and_real_run_print_the_same_report(tmp_path):
    path = write_csv(tmp_path / "list.csv", SECTIONED)
    dry = run_import("designations", path, "--create-missing", "--dry-run")
    real = run_import("designations", path, "--create-missing")
    assert dry.code == real.code == 0, dry.out
    assert "Enterprises that would be created (2):" in dry.lines
    assert "Enterprises created (2):" in real.lines
    assert "  line 3: 示例庚阀门有限公司" in real.lines
    assert any(line.startswith("Batches created: ") for line in real.lines)
    assert any(line.startswith("Events recorded: ") for line in real.lines)

    def same(lines):
        """The lines, the dry run's future tense in the past, without the run's number."""
        return [line.replace(" that would be", "") for line in lines if "run #" not in line]

    assert same(dry.lines) == same(real.lines)


def test_report_file_lists_every_line(tmp_path):
    path = write_csv(tmp_path / "list.csv", SECTIONED)
    report = tmp_path / "report.csv"
    outcome = run_import("designations", path, "--create-missing", "--report", str(report))
    assert outcome.code == 0, outcome.out
    with open(report, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "outcome", "why", "value"]
    outcomes = {int(row[0]): row[1] for row in rows[1:]}
    assert outcomes == {
        1: "skipped",
        2: "skipped",
        3: "created",
        4: "skipped",
        5: "skipped",
        6: "skipped",
        7: "created",
        8: "skipped",
        9: "skipped",
    }


def test_options_the_kind_has_no_column_for_are_bad_arguments(tmp_path):
    path = write_csv(tmp_path / "e.csv", [["企业名称", "所属区县"], ["示例酉有限公司", "鹿城区"]])
    outcome = run_import("enterprises", path, "--tier", "little_giant")
    assert outcome.code == 2
    assert "--tier does not apply to a file of enterprises" in outcome.err
    assert not Enterprise.objects.exists()


def test_an_enterprises_file_without_region_creates_nothing(tmp_path):
    path = write_csv(tmp_path / "e.csv", [["企业名称"], ["示例戌有限公司"]])
    outcome = run_import("enterprises", path)
    assert outcome.code == 1
    assert "line 2, column region: a new enterprise needs its region" in outcome.out
    assert not Enterprise.objects.exists()
    placed = run_import("enterprises", path, "--region", "330305")
    assert placed.code == 0, placed.out
    assert Enterprise.objects.get().region_id == "330305"


def test_help_lists_the_kinds_and_their_columns():
    from champions.management.commands.import_csv import Command

    text = Command().create_parser("manage.py", "import_csv").format_help()
    assert "designations: " in text
    assert "称号 tier" in text and "复核结果 review_result" in text
    assert "enterprises: " in text and "统一社会信用代码 credit_code" in text


def test_a_national_roster_keeps_only_this_citys_firms(tmp_path):
    path = write_csv(
        tmp_path / "national.csv",
        [
            ["序号", "省（区、市）", "企业名称"],
            ["1", "北京市", "北京示例科技有限公司"],
            ["2", "江苏省苏州市", "苏州示例装备有限公司"],
            ["3", "新疆", "新疆示例材料有限公司"],
            ["4", "浙江省温州市", "温州示例泵业有限公司"],
            ["5", "浙江省宁波市", "宁波示例模具有限公司"],
        ],
    )
    outcome = run_import(
        "designations",
        path,
        "--create-missing",
        "--tier",
        "little_giant",
        "--batch",
        "5",
        "--year",
        "2023",
    )
    assert outcome.code == 0, outcome.out
    for place, line in (("北京市", 2), ("江苏省", 3), ("新疆维吾尔自治区", 4), ("宁波市", 6)):
        assert f"Skipped, another place's firms: {place} 1 (lines {line})." in outcome.lines
    assert list(Enterprise.objects.values_list("name", "region_id")) == [
        ("温州示例泵业有限公司", "330300")
    ]


def test_a_place_inside_the_city_must_be_known_exactly(tmp_path):
    """A county this city does not have is refused, never read as the city."""
    path = write_csv(
        tmp_path / "ledger.csv",
        [
            ["企业名称", "所属区县", "称号", "年度"],
            ["示例亥有限公司", "温州市火星区", "浙江省隐形冠军企业", "2024"],
        ],
    )
    outcome = run_import("designations", path, "--create-missing")
    assert outcome.code == 1
    assert "line 2, column 所属区县: unknown region" in outcome.out


def test_the_region_option_places_new_firms_and_moves_no_known_one(tmp_path, make_enterprise):
    known = make_enterprise(name="示例已在鹿城有限公司")
    path = write_csv(
        tmp_path / "e.csv",
        [["企业名称", "成立年份"], [known.name, "2001"], ["示例新在乐清有限公司", "2002"]],
    )
    outcome = run_import("enterprises", path, "--region", "乐清市")
    assert outcome.code == 0, outcome.out
    regions = dict(Enterprise.objects.values_list("name", "region_id"))
    assert regions == {known.name: known.region_id, "示例新在乐清有限公司": "330382"}


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
def test_a_rename_register_under_a_title(tmp_path, make_enterprise, encoding, bom):
    firm = make_enterprise(name="温州示例旧名有限公司")
    path = write_csv(
        tmp_path / "renames.csv",
        [
            ["2024年企业名称变更登记"],
            ["序号", "企业名称", "曾用名", "变更日期"],
            ["1", "温州示例新名股份有限公司", "温州示例旧名有限公司", "2024-03-15"],
        ],
        encoding=encoding,
        bom=bom,
    )
    outcome = run_import("enterprises", path)
    assert outcome.code == 0, outcome.out
    assert "Header: line 2." in outcome.lines
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0"
    firm.refresh_from_db()
    assert firm.name == "温州示例新名股份有限公司"
    assert list(firm.former_names.values_list("name", "until")) == [
        ("温州示例旧名有限公司", datetime.date(2024, 3, 15))
    ]


def test_a_list_imports_with_the_query_log_on(tmp_path, settings, client):
    """``DEBUG`` (the quick start) logs every query by formatting it with ``%``: the
    set-based derivation of titles' standing holds no literal ``%``."""
    settings.DEBUG = True
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["企业名称", "所属区县", "称号", "年度"],
            ["示例调试有限公司", "鹿城区", "浙江省隐形冠军企业", "2024"],
        ],
    )
    outcome = run_import("designations", path, "--create-missing")
    assert outcome.code == 0, outcome.out
    assert held_count(client, "hidden_champion", on=2024) == 1
