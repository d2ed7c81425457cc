"""Importing designations and recommendations: tiers by any published spelling, batches however
numbered, firms created from name-only lists with --create-missing, and stage moves made through
the workflow service with the admin's rules."""

import datetime

import pytest

from champions.groups import DATA_ENTRY, REVIEWER
from champions.models import Batch, Designation, Enterprise, FormerName, Recommendation, StageMove
from champions.workflow import Stage
from tests.conftest import make_credit_code
from tests.import_helpers import in_groups, last_run, run_import, snapshot, write_csv

pytestmark = pytest.mark.django_db

TITLE_HEADER = ["序号", "企业名称", "称号", "批次", "年份"]


@pytest.mark.parametrize(
    ("spelling", "tier"),
    [
        ("little_giant", "little_giant"),
        ("专精特新“小巨人”企业", "little_giant"),
        ('专精特新"小巨人"企业', "little_giant"),
        ("专精特新小巨人企业", "little_giant"),
        ("  国家级专精特新小巨人企业 ", "little_giant"),
        ("Manufacturing single champion enterprise", "single_champion"),
        ("首台(套)", "first_set"),
        ("首台（套）产品", "first_set"),
    ],
)
def test_tiers_by_code_official_name_or_alias(tmp_path, make_enterprise, spelling, tier):
    firm = make_enterprise()
    path = write_csv(
        tmp_path / "t.csv",
        [["credit_code", "tier", "year", "product"], [firm.credit_code, spelling, "2021", "水泵"]],
    )
    outcome = run_import("designations", path)
    assert outcome.code == 0, outcome.out
    assert Designation.objects.get().tier_id == tier


@pytest.mark.parametrize(
    ("written", "number", "year"),
    [
        ("6", 6, 2021),
        ("第6批", 6, 2021),
        ("第六批", 6, 2021),
        ("第十二批", 12, 2021),
        ("2024年第一批", 1, 2024),
        ("第二十一批（2019年）", 21, 2019),
    ],
)
def test_batches_however_numbered(tmp_path, make_enterprise, written, number, year):
    firm = make_enterprise()
    path = write_csv(
        tmp_path / "b.csv",
        [
            ["credit_code", "tier", "batch", "year"],
            [firm.credit_code, "单项冠军企业", written, "2021"],
        ],
    )
    outcome = run_import("designations", path)
    assert outcome.code == 0, outcome.out
    batch = Designation.objects.get().batch
    assert (batch.tier_id, batch.number, batch.year) == ("single_champion", number, year)
    # The report names the batch it created.
    assert f"Batches created: {batch}" in outcome.lines


def test_existing_batch_is_used_and_designation_updated(tmp_path, make_enterprise, national_batch):
    firm = make_enterprise()
    designation = Designation.objects.create(
        enterprise=firm,
        tier=national_batch.tier,
        batch=national_batch,
        year=2021,
        status="publicized",
    )
    path = write_csv(
        tmp_path / "d.csv",
        [
            ["credit_code", "tier", "batch", "year", "status", "valid_until", "document"],
            [
                firm.credit_code,
                "制造业单项冠军示范企业",
                "第六批",
                "2021",
                "认定",
                "2023/12/31",
                "工信部联产业函〔2021〕1号",
            ],
        ],
    )
    outcome = run_import("designations", path)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0", outcome.out
    designation.refresh_from_db()
    assert (designation.status, designation.valid_until, designation.document) == (
        "final",
        datetime.date(2023, 12, 31),
        "工信部联产业函〔2021〕1号",
    )
    assert Batch.objects.count() == 1


def test_designation_rows_need_what_a_title_needs(tmp_path, make_enterprise):
    firm = make_enterprise()
    before = snapshot()
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["credit_code", "tier", "batch", "year", "product", "status", "valid_until"],
            [firm.credit_code, "", "1", "2021", "", "", ""],
            [firm.credit_code, "单项冠军产品", "1", "2021", "", "", ""],
            [firm.credit_code, "金牌企业", "1", "2021", "", "", ""],
            [firm.credit_code, "小巨人企业", "第N批", "2021", "", "", ""],
            [firm.credit_code, "小巨人企业", "", "", "", "", ""],
            [firm.credit_code, "小巨人企业", "2", "2021", "", "优秀", ""],
            [firm.credit_code, "小巨人企业", "3", "2021", "", "", "2021-02-30"],
        ],
    )
    outcome = run_import("designations", path)
    assert outcome.code == 1
    for message in (
        "line 2, column tier: a title is required",
        "line 3, column product: a product title needs the product name",
        "line 4, column tier: unknown title (金牌企业)",
        "line 5, column batch: not a batch",
        "line 6, column year: a year is required",
        "line 7, column status: unknown status",
        "line 8, column valid_until: no such date (2021-02-30)",
    ):
        assert message in outcome.out, message
    assert snapshot() == before


def test_unknown_firm_is_an_error_without_create_missing(tmp_path):
    path = write_csv(
        tmp_path / "names.csv", [TITLE_HEADER, ["1", "温州无名有限公司", "小巨人企业", "3", "2021"]]
    )
    outcome = run_import("designations", path)
    assert outcome.code == 1
    assert (
        "line 2, column 企业名称: unknown enterprise; import it first, or use --create-missing "
        "(or --known-only to read the list against the registry) (温州无名有限公司)" in outcome.out
    )
    assert not Enterprise.objects.exists()


def test_name_only_list_with_create_missing_matches_former_names(
    tmp_path, make_enterprise, wenzhou
):
    renamed = make_enterprise(name="温州新名有限公司")
    FormerName.objects.create(enterprise=renamed, name="温州旧名（集团）有限公司")
    path = write_csv(
        tmp_path / "published.csv",
        [
            TITLE_HEADER,
            ["1", "温州旧名(集团)有限公司", "专精特新“小巨人”企业", "第三批", "2021"],
            ["2", "温州新来有限公司", "专精特新“小巨人”企业", "第三批", "2021"],
            ["3", "温州新来有限公司", "隐形冠军企业", "第一批", "2021"],
        ],
        encoding="gbk",
    )
    # A name-only list says nothing of where its new firms are: the officer does.
    outcome = run_import("designations", path, "--create-missing", "--region", "温州市")
    assert outcome.code == 0, outcome.out
    # One firm created (once, although named twice) and three designations.
    assert outcome.summary == "created 4, updated 0, unchanged 0, errors 0"
    created = Enterprise.objects.get(name="温州新来有限公司")
    assert (created.credit_code, created.region) == (None, wenzhou)
    assert created.history.get().import_run == last_run()
    assert set(Designation.objects.values_list("enterprise__name", "tier_id")) == {
        ("温州新名有限公司", "little_giant"),
        ("温州新来有限公司", "little_giant"),
        ("温州新来有限公司", "hidden_champion"),
    }
    again = run_import("designations", path, "--create-missing", "--region", "温州市")
    assert again.summary == "created 0, updated 0, unchanged 3, errors 0"


def test_recommendations_move_through_the_workflow(tmp_path, make_enterprise, staff_user):
    first, second, third = make_enterprise(), make_enterprise(), make_enterprise()
    path = write_csv(
        tmp_path / "nominations.csv",
        [
            ["credit_code", "tier", "batch", "year", "stage", "ended_at_stage", "date", "note"],
            [
                first.credit_code,
                "单项冠军企业",
                "第六批",
                "2021",
                "已上报工信部",
                "",
                "2021-06-30",
                "",
            ],
            [
                second.credit_code,
                "单项冠军企业",
                "第六批",
                "2021",
                "approved",
                "",
                "2021-11-30",
                "示范",
            ],
            [
                third.credit_code,
                "单项冠军企业",
                "第六批",
                "2021",
                "rejected",
                "province_passed",
                "2021-05-31",
                "",
            ],
        ],
    )
    in_groups(staff_user, DATA_ENTRY, REVIEWER)
    outcome = run_import("recommendations", path, "--user", "staff")
    assert outcome.summary == "created 3, updated 0, unchanged 0, errors 0", outcome.out
    stages = dict(Recommendation.objects.values_list("enterprise_id", "stage"))
    assert stages == {first.pk: "submitted", second.pk: "approved", third.pk: "rejected"}
    rejected = Recommendation.objects.get(enterprise=third)
    assert rejected.ended_at_stage == "province_passed"
    approved = Recommendation.objects.get(enterprise=second)
    # Approval created the designation, as it does in the admin.
    assert approved.designation.tier_id == "single_champion"
    assert approved.note == "示范"
    moves = StageMove.objects.filter(recommendation=approved)
    assert [m.target for m in moves] == [
        "nominated",
        "province_passed",
        "submitted",
        "publicized",
        "approved",
    ]
    run = last_run()
    assert {(m.import_run_id, m.moved_by, m.happened_on) for m in moves} == {
        (run.pk, staff_user, datetime.date(2021, 11, 30))
    }
    assert approved.history.latest().import_run_id == run.pk
    again = run_import("recommendations", path)
    assert again.summary == "created 0, updated 0, unchanged 3, errors 0"


def test_a_stage_move_the_workflow_refuses_is_a_row_error(
    tmp_path, make_enterprise, national_batch
):
    firm, other = make_enterprise(), make_enterprise()
    recommendation = Recommendation.objects.create(
        enterprise=firm, batch=national_batch, stage=Stage.SUBMITTED
    )
    before = snapshot()
    path = write_csv(
        tmp_path / "back.csv",
        [
            ["credit_code", "tier", "batch", "year", "stage"],
            [other.credit_code, "single_champion", "6", "2021", "nominated"],
            [firm.credit_code, "single_champion", "6", "2021", "nominated"],
        ],
    )
    outcome = run_import("recommendations", path)
    assert outcome.code == 1
    assert "line 3, column stage: A recommendation at stage" in outcome.out
    assert "(nominated)" in outcome.out
    assert outcome.summary == "created 0, updated 0, unchanged 0, errors 1"
    assert snapshot() == before
    recommendation.refresh_from_db()
    assert recommendation.stage == Stage.SUBMITTED


def test_ended_at_stage_only_for_an_ended_recommendation(tmp_path, make_enterprise):
    firm = make_enterprise()
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["credit_code", "tier", "batch", "year", "stage", "ended_at_stage"],
            [firm.credit_code, "单项冠军企业", "6", "2021", "approved", "nominated"],
        ],
    )
    outcome = run_import("recommendations", path)
    assert outcome.code == 1
    assert "line 2, column ended_at_stage: only for a rejected or withdrawn" in outcome.out


def test_recommendation_batches_of_product_tiers_need_a_product(tmp_path, make_enterprise):
    firm = make_enterprise()
    path = write_csv(
        tmp_path / "p.csv",
        [["credit_code", "tier", "batch", "year"], [firm.credit_code, "单项冠军产品", "6", "2021"]],
    )
    outcome = run_import("recommendations", path)
    assert outcome.code == 1
    assert "a product title needs the product name" in outcome.out
    assert not Recommendation.objects.exists()


def test_recommendation_file_needs_a_batch_column(tmp_path, make_enterprise):
    path = write_csv(tmp_path / "nb.csv", [["name", "tier"], ["温州甲有限公司", "单项冠军企业"]])
    outcome = run_import("recommendations", path)
    assert outcome.code == 1
    assert "line 1, column 批次 (batch): missing required column" in outcome.out


def test_seminar_participant_codes_are_enterprise_references(tmp_path, make_enterprise):
    """Participants are matched like any firm: by code, else by name (see the seminars tests)."""
    firm = make_enterprise()
    path = write_csv(
        tmp_path / "s.csv",
        [["title", "held_on", "participants"], ["研讨会", "2021-07-12", firm.credit_code]],
    )
    assert run_import("seminars", path).code == 0
    assert list(firm.seminars.values_list("title", flat=True)) == ["研讨会"]


def test_designation_code_without_name_cannot_create_a_firm(tmp_path):
    code = make_credit_code(777)
    path = write_csv(
        tmp_path / "c.csv", [["credit_code", "tier", "year"], [code, "小巨人企业", "2021"]]
    )
    outcome = run_import("designations", path, "--create-missing")
    assert outcome.code == 1
    assert (
        f"line 2, column credit_code: unknown credit code; a new enterprise needs a name ({code})"
        in outcome.out
    )
