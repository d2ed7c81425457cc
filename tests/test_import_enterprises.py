"""Importing enterprises: matching by credit code or by current or former name, updating only the
columns a file has, skipping identical rows, refusing a file with any bad row as a whole, and
recording the run in the import log and in every touched record's history."""

import csv

import pytest
from django.contrib.auth import get_user_model

from champions.groups import DATA_ENTRY
from champions.models import Enterprise, FormerName, ImportRun
from tests.conftest import make_credit_code
from tests.import_helpers import in_groups, last_run, run_import, snapshot, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "企业名称", "曾用名", "所属区县", "所属行业", "主导产品", "成立年份"]
CODES = [make_credit_code(n) for n in range(200, 220)]


def firms_file(tmp_path, rows, header=HEADER, name="firms.csv"):
    return write_csv(tmp_path / name, [header, *rows])


def test_creates_then_leaves_identical_rows_alone(tmp_path, lucheng, pumps):
    rows = [
        [CODES[0], "温州甲泵阀有限公司", "", "鹿城区", "泵阀", "离心泵", "1998"],
        [CODES[1], "温州乙电气有限公司", "", "龙湾区", "electrical", "断路器", ""],
    ]
    path = firms_file(tmp_path, rows)
    first = run_import("enterprises", path)
    assert first.code == 0, first.out
    assert first.summary == "created 2, updated 0, unchanged 0, errors 0"
    firm = Enterprise.objects.get(credit_code=CODES[0])
    assert (firm.name, firm.region, firm.industry, firm.main_product, firm.founded) == (
        "温州甲泵阀有限公司",
        lucheng,
        pumps,
        "离心泵",
        1998,
    )
    before = snapshot()
    again = run_import("enterprises", path)
    assert again.summary == "created 0, updated 0, unchanged 2, errors 0"
    assert snapshot() == before  # not even the history or updated_at moved


def test_only_the_columns_in_the_file_change(tmp_path, make_enterprise, pumps):
    firm = make_enterprise(name="温州甲有限公司", industry=pumps, main_product="阀门", founded=1990)
    path = write_csv(
        tmp_path / "years.csv", [["credit_code", "founded"], [firm.credit_code, "1991"]]
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0"
    firm.refresh_from_db()
    assert (firm.name, firm.industry, firm.main_product, firm.founded) == (
        "温州甲有限公司",
        pumps,
        "阀门",
        1991,
    )


def test_an_empty_cell_clears_a_field_but_never_a_key_or_a_required_field(
    tmp_path, make_enterprise, pumps, lucheng
):
    firm = make_enterprise(name="温州甲有限公司", industry=pumps, main_product="阀门", founded=1990)
    path = firms_file(tmp_path, [[firm.credit_code, "", "", "", "", "", ""]])
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0", outcome.out
    firm.refresh_from_db()
    assert (firm.name, firm.region, firm.industry, firm.main_product, firm.founded) == (
        "温州甲有限公司",
        lucheng,
        None,
        "",
        None,
    )


def test_full_width_and_lower_case_credit_codes_are_the_same_code(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州甲有限公司", founded=1990)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in firm.credit_code.lower())
    other = make_credit_code(999)
    path = firms_file(
        tmp_path,
        [
            [full_width, "", "", "", "", "", "２００１"],
            [f" {other.lower()} ", "温州新有限公司", "", "鹿城区", "", "", ""],
        ],
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 1, updated 1, unchanged 0, errors 0", outcome.out
    firm.refresh_from_db()
    assert firm.founded == 2001
    assert Enterprise.objects.get(name="温州新有限公司").credit_code == other


def test_regions_by_code_name_short_name_or_with_their_city(tmp_path, wenzhou):
    rows = [
        [CODES[0], "温州甲有限公司", "", "330302", "", "", ""],
        [CODES[1], "温州乙有限公司", "", "鹿城", "", "", ""],
        [CODES[2], "温州丙有限公司", "", "浙江省温州市鹿城区", "", "", ""],
        [CODES[3], "温州丁有限公司", "", "温州市", "", "", ""],
    ]
    outcome = run_import("enterprises", firms_file(tmp_path, rows))
    assert outcome.code == 0, outcome.out
    regions = dict(Enterprise.objects.values_list("name", "region_id"))
    assert regions == {
        "温州甲有限公司": "330302",
        "温州乙有限公司": "330302",
        "温州丙有限公司": "330302",
        "温州丁有限公司": wenzhou.code,
    }


def test_a_new_firm_without_region_is_refused_never_placed_in_the_city(tmp_path):
    """The region is never filled in: a list's firm may be anywhere."""
    rows = [[CODES[4], "温州戊有限公司", "", "", "", "", ""]]
    before = snapshot()
    outcome = run_import("enterprises", firms_file(tmp_path, rows))
    assert outcome.code == 1
    assert "line 2, column 所属区县: a new enterprise needs its region" in outcome.out
    assert snapshot() == before


def test_county_column_wins_over_city_column(tmp_path):
    path = write_csv(
        tmp_path / "two.csv",
        [
            ["企业名称", "所在地市", "所属区县"],
            ["温州甲有限公司", "温州市", "龙湾区"],
            ["温州乙有限公司", "温州市", ""],
        ],
    )
    assert run_import("enterprises", path).code == 0
    regions = dict(Enterprise.objects.values_list("name", "region_id"))
    assert regions == {"温州甲有限公司": "330303", "温州乙有限公司": "330300"}


def test_a_name_only_list_finds_firms_by_current_or_former_name(tmp_path, make_enterprise):
    renamed = make_enterprise(name="温州新名称有限公司", founded=1990)
    FormerName.objects.create(enterprise=renamed, name="温州旧名称（集团）有限公司")
    same = make_enterprise(name="温州甲有限公司", founded=1990)
    path = write_csv(
        tmp_path / "names.csv",
        [
            ["企业名称", "成立年份"],
            ["温州旧名称(集团)有限公司", "1991"],
            ["温州 甲 有限公司", "1992"],
            ["温州全新有限公司", "1993"],
        ],
    )
    outcome = run_import("enterprises", path, "--region", "鹿城区")
    assert outcome.summary == "created 1, updated 2, unchanged 0, errors 0", outcome.out
    renamed.refresh_from_db()
    same.refresh_from_db()
    # Found by its former name: the list is from that time, and does not rename the firm back.
    assert renamed.founded == 1991 and renamed.name == "温州新名称有限公司"
    assert same.founded == 1992
    assert Enterprise.objects.get(name="温州全新有限公司").credit_code is None


def test_a_renamed_firm_keeps_its_old_name_as_a_former_name(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州旧有限公司")
    path = write_csv(
        tmp_path / "renamed.csv", [["credit_code", "name"], [firm.credit_code, "温州新有限公司"]]
    )
    assert run_import("enterprises", path).code == 0
    firm.refresh_from_db()
    assert firm.name == "温州新有限公司"
    assert list(firm.former_names.values_list("name", flat=True)) == ["温州旧有限公司"]
    record = FormerName.history.get()
    assert (record.history_type, record.import_run) == ("+", last_run())


def test_former_names_column_sets_the_list(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州甲有限公司")
    FormerName.objects.create(enterprise=firm, name="温州老甲厂")
    path = write_csv(
        tmp_path / "former.csv",
        [["credit_code", "曾用名"], [firm.credit_code, "温州甲厂；温州甲公司;温州甲厂"]],
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0", outcome.out
    assert sorted(firm.former_names.values_list("name", flat=True)) == ["温州甲公司", "温州甲厂"]
    run = last_run()
    changes = FormerName.history.filter(import_run=run)
    assert sorted(changes.values_list("history_type", "name")) == [
        ("+", "温州甲公司"),
        ("+", "温州甲厂"),
        ("-", "温州老甲厂"),
    ]
    again = run_import("enterprises", path)
    assert again.summary == "created 0, updated 0, unchanged 1, errors 0"


def test_formula_prefix_is_removed_on_import(tmp_path):
    path = firms_file(tmp_path, [[CODES[0], "'=温州甲有限公司", "", "鹿城区", "", "'-泵", ""]])
    assert run_import("enterprises", path).code == 0
    firm = Enterprise.objects.get()
    assert (firm.name, firm.main_product) == ("=温州甲有限公司", "-泵")


def test_a_dozen_bad_rows_are_all_reported_and_nothing_is_written(tmp_path, make_enterprise):
    known = make_enterprise(name="温州已知有限公司")
    twin_a = make_enterprise(name="温州甲乙有限公司")
    twin_b = make_enterprise(name="温州丙丁有限公司")
    FormerName.objects.create(enterprise=twin_b, name="温州甲乙有限公司")
    before = snapshot()
    wrong_check = CODES[5][:17] + ("0" if CODES[5][17] != "0" else "1")
    rows = [
        [CODES[0], "温州好有限公司", "", "鹿城区", "泵阀", "", "2001"],  # line 2: fine
        [wrong_check, "温州一有限公司", "", "", "", "", ""],
        [CODES[6][:10], "温州二有限公司", "", "", "", "", ""],
        ["91330300MA2ABCDEIO", "温州三有限公司", "", "", "", "", ""],
        [CODES[7], "温州四有限公司", "", "火星区", "", "", ""],
        [CODES[8], "温州五有限公司", "", "", "造船", "", ""],
        [CODES[9], "温州六有限公司", "", "", "", "", "公元前"],
        [CODES[10], "温州七有限公司", "", "", "", "", "1800"],
        [CODES[11], "温" * 201, "", "", "", "", ""],
        [CODES[0], "温州好有限公司", "", "", "", "", ""],  # line 11: same code as line 2
        [CODES[12], "", "", "", "", "", ""],  # a new firm without a name
        [CODES[13], "温州八有限公司", "", "", "", "", "", "多出来的"],
        ["", "温州甲乙有限公司", "", "", "", "", ""],  # two firms have had this name
        [CODES[14], known.name, "", "", "", "", ""],  # the name is another code's firm
    ]
    errors_file = tmp_path / "errors.csv"
    outcome = run_import(
        "enterprises",
        firms_file(tmp_path, rows),
        "--errors",
        str(errors_file),
        "--region",
        "鹿城区",
    )
    assert outcome.code == 1
    expected = [
        "line 3, column 统一社会信用代码: wrong check character",
        "line 4, column 统一社会信用代码: a credit code has 18 characters, this one has 10",
        "line 5, column 统一社会信用代码: a credit code cannot contain IO",
        "line 6, column 所属区县: unknown region",
        "line 7, column 所属行业: unknown industry",
        "line 8, column 成立年份: not a year (公元前)",
        "line 9, column 成立年份: a year between 1949 and 2100 (1800)",
        "line 10, column 企业名称: at most 200 characters, this has 201",
        "line 11, column 统一社会信用代码: the same record as line 2",
        "line 12, column 企业名称: a new enterprise needs a name",
        "line 13, column 8: more cells than the header has columns (多出来的)",
        "line 14, column 企业名称: the name fits several enterprises",
        f"line 15, column 统一社会信用代码: the name is that of {known.name}, whose credit code "
        f"is {known.credit_code} ({CODES[14]})",
    ]
    for message in expected:
        assert message in outcome.out, message
    error_lines = [line for line in outcome.lines if line.startswith("line ")]
    assert len(error_lines) == len(expected)
    assert [int(line.split(",")[0].split()[1]) for line in error_lines] == list(range(3, 16))
    assert outcome.summary == "created 0, updated 0, unchanged 0, errors 13"
    assert snapshot() == before
    assert twin_a.name in outcome.out and twin_b.name in outcome.out
    # The same report as a file Excel opens: UTF-8 with a byte-order mark.
    raw = errors_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(errors_file, encoding="utf-8-sig", newline="") as handle:
        reported = list(csv.reader(handle))
    assert reported[0] == ["line", "column", "message", "value"]
    assert [row[0] for row in reported[1:]] == [str(n) for n in range(3, 16)]
    assert reported[6][1:] == ["成立年份", "not a year", "公元前"]
    run = last_run()
    assert (run.status, run.errors, run.created) == (ImportRun.Status.REFUSED, 13, 0)


def test_a_region_decides_between_firms_that_share_a_name(tmp_path, make_enterprise, lucheng):
    from champions.models import Region

    longwan = Region.objects.get(code="330303")
    make_enterprise(name="温州同名有限公司", region=lucheng, credit_code=None)
    second = make_enterprise(name="温州异名有限公司", region=longwan, founded=1990)
    FormerName.objects.create(enterprise=second, name="温州同名有限公司")
    path = write_csv(
        tmp_path / "region.csv",
        [["name", "region", "founded"], ["温州同名有限公司", "龙湾区", "2005"]],
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0", outcome.out
    second.refresh_from_db()
    assert second.founded == 2005


def test_dry_run_reports_what_would_change_and_writes_nothing(tmp_path, make_enterprise):
    firm = make_enterprise(founded=1990)
    before = snapshot()
    path = write_csv(
        tmp_path / "dry.csv",
        [
            ["credit_code", "name", "founded"],
            [firm.credit_code, firm.name, "1995"],
            [CODES[0], "温州新有限公司", "2001"],
        ],
    )
    outcome = run_import("enterprises", path, "--dry-run", "--region", "330302")
    assert outcome.code == 0
    assert "Dry run: nothing was written" in outcome.out
    assert outcome.summary == "created 1, updated 1, unchanged 0, errors 0"
    assert snapshot() == before
    run = last_run()
    assert (run.status, run.created, run.updated) == (ImportRun.Status.DRY_RUN, 1, 1)


def test_the_run_is_recorded_and_the_history_says_which_run_changed_what(tmp_path, make_enterprise):
    officer = in_groups(get_user_model().objects.create_user("officer"), DATA_ENTRY)
    firm = make_enterprise(founded=1990)
    path = write_csv(
        tmp_path / "run.csv",
        [
            ["credit_code", "name", "founded"],
            [firm.credit_code, firm.name, "1995"],
            [CODES[0], "温州新有限公司", "2001"],
        ],
    )
    outcome = run_import("enterprises", path, "--user", "officer", "--region", "330302")
    assert outcome.code == 0
    run = last_run()
    assert run.status == ImportRun.Status.IMPORTED
    assert (run.kind, run.file_name, run.created, run.updated, run.unchanged, run.errors) == (
        "enterprises",
        path,
        1,
        1,
        0,
        0,
    )
    assert run.user == officer
    assert run.command == f"import_csv enterprises {path} --user officer --region 330302"
    assert run.finished_at >= run.started_at
    import hashlib

    with open(path, "rb") as handle:
        assert run.sha256 == hashlib.sha256(handle.read()).hexdigest()
    assert f"import run #{run.pk}" in outcome.out
    update = firm.history.latest()
    assert (update.history_type, update.import_run_id, update.history_user) == (
        "~",
        run.pk,
        officer,
    )
    assert update.founded == 1995
    created = Enterprise.objects.get(credit_code=CODES[0]).history.get()
    assert (created.history_type, created.import_run_id) == ("+", run.pk)


def test_unknown_user_is_a_bad_argument(tmp_path):
    path = write_csv(tmp_path / "u.csv", [["name"], ["温州甲有限公司"]])
    outcome = run_import("enterprises", path, "--user", "nobody")
    assert outcome.code == 2
    assert not Enterprise.objects.exists()
