"""Published lists imported one after another: each row an event on a title, the title's
standing derived from all of them, the counts as the lists tell them."""

import datetime

import pytest
from django.utils import timezone

from champions import summary
from champions.models import Batch, Designation, DesignationEvent, Notice, Tier
from tests.import_helpers import export_bytes, run_import, write_csv

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def little_giants_held(on=None):
    return Designation.objects.filter(tier_id="little_giant").in_force(on).count()


def a_list(tmp_path, name, firms, *columns, encoding="utf-8", **cells):
    """A published list of ``firms`` (enterprises), with ``columns`` and the same ``cells`` on
    every row."""
    header = ["统一社会信用代码", "企业名称", *columns]
    rows = [[f.credit_code, f.name, *[cells[c] for c in columns]] for f in firms]
    return write_csv(tmp_path / name, [header, *rows], encoding=encoding)


@pytest.fixture
def firms(make_enterprise):
    return [make_enterprise() for _ in range(3)]


@pytest.fixture
def awarded_two_years_ago(tmp_path, firms):
    announced = TODAY.replace(year=TODAY.year - 2) if TODAY.month != 2 else TODAY - 730 * DAY
    path = a_list(
        tmp_path,
        "award.csv",
        firms,
        "称号",
        "批次",
        "年份",
        "状态",
        "公布日期",
        "文号",
        **{
            "称号": "专精特新“小巨人”企业",
            "批次": "第四批",
            "年份": str(announced.year),
            "状态": "认定",
            "公布日期": announced.isoformat(),
            "文号": "工信厅企业函〔样例〕1号",
        },
    )
    outcome = run_import("designations", path)
    assert outcome.summary == "created 3, updated 0, unchanged 0, errors 0", outcome.out
    return announced


def test_an_award_list_makes_its_notice_and_events(awarded_two_years_ago, firms):
    notice = Notice.objects.get()
    assert (notice.kind, notice.tier_id, notice.published_on, notice.document) == (
        "award",
        "little_giant",
        awarded_two_years_ago,
        "工信厅企业函〔样例〕1号",
    )
    assert DesignationEvent.objects.filter(notice=notice, kind="award").count() == 3
    title = Designation.objects.get(enterprise=firms[0])
    assert title.events.get().name_on_list == firms[0].name
    assert (title.status, title.held_from) == ("final", awarded_two_years_ago)
    assert title.document == "工信厅企业函〔样例〕1号"
    assert little_giants_held() == 3


def test_the_same_list_again_records_nothing(tmp_path, awarded_two_years_ago, firms):
    path = tmp_path / "award.csv"
    assert run_import("designations", str(path)).summary == (
        "created 0, updated 0, unchanged 3, errors 0"
    )
    assert DesignationEvent.objects.count() == 3


def test_a_review_publicity_leaves_the_title_held(tmp_path, awarded_two_years_ago, firms):
    before = list(Designation.objects.values_list("status", "held_from", "valid_until"))
    path = a_list(
        tmp_path,
        "review-publicity.csv",
        firms[:2],
        "称号",
        "批次",
        "年份",
        "状态",
        "公布日期",
        **{
            "称号": "专精特新小巨人企业",
            "批次": "4",
            "年份": str(awarded_two_years_ago.year),
            "状态": "拟通过复核",
            "公布日期": (TODAY - 10 * DAY).isoformat(),
        },
    )
    outcome = run_import("designations", path)
    assert outcome.summary == "created 0, updated 2, unchanged 0, errors 0", outcome.out
    assert list(Designation.objects.values_list("status", "held_from", "valid_until")) == before
    assert DesignationEvent.objects.filter(kind="review_publicity").count() == 2
    assert little_giants_held() == 3


def test_a_review_result_sheet_extends_ends_and_revokes(tmp_path, awarded_two_years_ago, firms):
    reviewed = TODAY - 5 * DAY
    header = ["企业名称", "称号", "原认定批次", "年份", "复核结果", "公布日期"]
    rows = [
        [firm.name, "小巨人企业", "第四批", str(awarded_two_years_ago.year), result, reviewed]
        for firm, result in zip(firms, ["通过", "不通过", "撤销"], strict=True)
    ]
    path = write_csv(tmp_path / "review.csv", [header, *rows], encoding="gbk")
    outcome = run_import("designations", path)
    assert outcome.summary == "created 0, updated 3, unchanged 0, errors 0", outcome.out
    passed, failed, revoked = (Designation.objects.get(enterprise=firm) for firm in firms)
    assert (passed.status, passed.valid_until) == (
        "review_passed",
        reviewed.replace(year=reviewed.year + 3) - DAY,
    )
    assert failed.status == "lapsed" and failed.is_in_force()  # until its term's end
    assert (revoked.status, revoked.valid_until) == ("revoked", reviewed - DAY)
    assert revoked.banned_until == reviewed.replace(year=reviewed.year + 3)
    assert little_giants_held() == 2
    assert little_giants_held(reviewed - DAY) == 3


def test_the_same_first_batch_given_two_years_is_one_batch_and_a_warning(tmp_path, firms):
    def first_batch(name, firm, year):
        return a_list(
            tmp_path,
            name,
            [firm],
            "称号",
            "批次",
            "年份",
            **{"称号": "制造业单项冠军企业", "批次": "第一批", "年份": year},
        )

    assert run_import("designations", first_batch("a.csv", firms[0], "2016")).code == 0
    outcome = run_import("designations", first_batch("b.csv", firms[1], "2017"))
    assert outcome.code == 0
    assert (
        "warning: line 2, column 年份: batch 1 of “制造业单项冠军企业” is the batch of 2016; "
        "this row says 2017. One batch, kept as 2016. (2017)"
    ) in outcome.out
    batch = Batch.objects.get(tier_id="single_champion")
    assert (batch.number, batch.year) == (1, 2016)
    assert batch.designations.count() == 2


def test_batches_numbered_within_a_year_stay_apart(tmp_path, firms):
    Tier.objects.filter(code="hidden_champion").update(batch_numbering="within_year")
    for name, firm, year in (("a.csv", firms[0], "2024"), ("b.csv", firms[1], "2025")):
        path = a_list(
            tmp_path,
            name,
            [firm],
            "称号",
            "批次",
            "年份",
            **{"称号": "浙江省隐形冠军企业", "批次": "第一批", "年份": year},
        )
        assert run_import("designations", path).code == 0
    assert sorted(Batch.objects.values_list("year", flat=True)) == [2024, 2025]


def test_a_product_is_one_title_however_its_name_is_spaced(tmp_path, firms):
    def product_list(name, product):
        return a_list(
            tmp_path,
            name,
            firms[:1],
            "称号",
            "年份",
            "产品名称",
            **{"称号": "制造业单项冠军产品", "年份": "2023", "产品名称": product},
        )

    assert run_import("designations", product_list("a.csv", "样例球阀")).code == 0
    outcome = run_import("designations", product_list("b.csv", "样例 球阀"))
    assert outcome.summary == "created 0, updated 0, unchanged 1, errors 0", outcome.out
    title = Designation.objects.get()
    assert (title.product, title.product_key) == ("样例球阀", "样例球阀")
    classed = a_list(
        tmp_path,
        "c.csv",
        firms[:1],
        "称号",
        "年份",
        "产品名称",
        "产品分类代码",
        **{
            "称号": "制造业单项冠军产品",
            "年份": "2023",
            "产品名称": "样例球阀",
            "产品分类代码": "3443",
        },
    )
    assert run_import("designations", classed).summary == (
        "created 0, updated 1, unchanged 0, errors 0"
    )
    title.refresh_from_db()
    assert title.product_class == "3443"


def test_a_list_without_a_date_counts_only_its_term_at_the_earliest(tmp_path, make_enterprise):
    """A 2020 first (set) list: five products held in 2020, none today."""
    firm = make_enterprise()
    header = ["企业名称", "称号", "年份", "产品名称"]
    rows = [[firm.name, "首台（套）装备", "2020", f"样例装备{n}"] for n in range(5)]
    assert run_import("designations", write_csv(tmp_path / "first.csv", [header, *rows])).code == 0
    first_set = Designation.objects.filter(tier_id="first_set")
    assert first_set.in_force(datetime.date(2020, 12, 31)).count() == 5
    assert first_set.in_force(datetime.date(2023, 1, 1)).count() == 0
    assert first_set.in_force().count() == 0
    counts = {t["code"]: t["count"] for t in summary.tier_counts(summary.make_scope())}
    assert counts["first_set"] == 0
    past = {t["code"]: t["count"] for t in summary.tier_counts(summary.make_scope(year=2021))}
    assert past["first_set"] == 5


def test_an_export_of_events_imports_back_to_the_same_standing(tmp_path, awarded_two_years_ago):
    exported = export_bytes("designations", tmp_path)
    assert exported.count(b"\n") == 4
    standing = sorted(
        Designation.objects.values_list("enterprise__name", "status", "held_from", "valid_until")
    )
    DesignationEvent.objects.all().delete()
    Designation.objects.all().delete()
    Notice.objects.all().delete()
    path = tmp_path / "again.csv"
    path.write_bytes(exported)
    assert run_import("designations", str(path)).summary == (
        "created 3, updated 0, unchanged 0, errors 0"
    )
    assert (
        sorted(
            Designation.objects.values_list(
                "enterprise__name", "status", "held_from", "valid_until"
            )
        )
        == standing
    )
    assert export_bytes("designations", tmp_path) == exported


def test_several_events_of_one_new_title_in_one_file(tmp_path, make_enterprise):
    firm = make_enterprise()
    awarded = TODAY - 400 * DAY
    header = ["企业名称", "称号", "批次", "年份", "状态", "公布日期"]
    rows = [
        [firm.name, "小巨人企业", "5", str(awarded.year), "公示", (awarded - 20 * DAY).isoformat()],
        [firm.name, "小巨人企业", "5", str(awarded.year), "认定", awarded.isoformat()],
    ]
    outcome = run_import("designations", write_csv(tmp_path / "two.csv", [header, *rows]))
    assert outcome.summary == "created 1, updated 1, unchanged 0, errors 0", outcome.out
    title = Designation.objects.get()
    assert sorted(title.events.values_list("kind", flat=True)) == ["award", "publicity"]
    assert (title.status, title.held_from) == ("final", awarded)
