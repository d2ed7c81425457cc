"""CSV export: Excel-ready files with natural keys, formula-looking cells escaped, in an order that
depends on the data alone; and the round trip export → import into an empty database → export
giving the same bytes, for a hand-made data set full of awkward values and for the sample data."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection

from champions.demo import load_demo
from champions.exporting import EXPORTS, IMPORT_ORDER
from champions.importing.cells import escape_formula, unescape_formula
from champions.models import (
    Batch,
    Designation,
    DesignationEvent,
    Enterprise,
    EventKind,
    Expert,
    FormerName,
    Notice,
    Organisation,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    StageMove,
    Tier,
    YearlyFigures,
)
from champions.services.designations import award, record_event
from champions.services.recommendations import move
from champions.workflow import Stage
from tests.conftest import make_credit_code
from tests.import_helpers import data_models, export_bytes, run_command, run_import

pytestmark = pytest.mark.django_db

AWKWARD_NAMES = (
    '=HYPERLINK("http://example.com","点我")有限公司',
    "+86 温州电话有限公司",
    "@温州提及有限公司",
    "'=温州已加引号有限公司",
    '温州"引号", 逗号有限公司',
)


def rows_of(data):
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-负极", "'-负极"),
        ("@someone", "'@someone"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("'=already", "''=already"),
        ("'plain", "'plain"),
        ("温州", "温州"),
        ("", ""),
    ],
)
def test_formula_escaping_is_undone_by_the_import(value, escaped):
    assert escape_formula(value) == escaped
    assert unescape_formula(escaped) == value


def test_file_is_utf8_with_bom_natural_keys_and_escaped_cells(tmp_path, make_enterprise, pumps):
    firm = make_enterprise(name=AWKWARD_NAMES[0], industry=pumps, main_product="-负极材料")
    FormerName.objects.create(enterprise=firm, name="温州旧名有限公司")
    data = export_bytes("enterprises", tmp_path)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    header, row = rows_of(data)
    assert header == list(EXPORTS["enterprises"].columns)
    assert row == [
        firm.credit_code,
        "'" + AWKWARD_NAMES[0],
        "温州旧名有限公司",
        "330302",
        "pumps_valves",
        "'-负极材料",
        "",
    ]
    assert str(firm.pk) not in row


def test_chinese_headers_import_too(tmp_path, make_enterprise):
    make_enterprise(name="温州甲有限公司")
    path = tmp_path / "zh.csv"
    outcome = run_command("export_csv", "enterprises", "-o", str(path), "--chinese-headers")
    assert outcome.code == 0
    assert rows_of(path.read_bytes())[0][:2] == ["统一社会信用代码", "企业名称"]
    assert run_import("enterprises", str(path)).summary.startswith("created 0, updated 0")


def test_order_depends_on_the_data_not_on_the_order_of_entry(tmp_path, lucheng):
    names = ["温州乙有限公司", "温州甲有限公司", "Alpha 有限公司", "温州丙有限公司"]
    for serial, name in enumerate(names):
        Enterprise.objects.create(name=name, credit_code=make_credit_code(serial), region=lucheng)
    first = export_bytes("enterprises", tmp_path)
    Enterprise.objects.all().delete()
    for serial, name in reversed(list(enumerate(names))):
        Enterprise.objects.create(name=name, credit_code=make_credit_code(serial), region=lucheng)
    assert export_bytes("enterprises", tmp_path) == first
    assert [row[1] for row in rows_of(first)[1:]] == sorted(names)


def test_amounts_say_their_unit_in_the_header(tmp_path):
    header = rows_of(export_bytes("figures", tmp_path))[0]
    assert header[:4] == ["credit_code", "name", "year", "output_value (10k yuan)"]
    assert "employees" in header


def test_export_to_standard_output(make_enterprise):
    make_enterprise(name="温州甲有限公司")
    outcome = run_command("export_csv", "enterprises")
    assert outcome.code == 0
    assert "温州甲有限公司" in outcome.out
    assert outcome.out.startswith("\ufeffcredit_code,name")


def build_awkward_registry(make_enterprise, lucheng, wenzhou, pumps):
    """A small registry with every kind of row and the values that break naive CSV code."""
    single = Tier.objects.get(code="single_champion")
    product_tier = Tier.objects.get(code="single_champion_product")
    hidden = Tier.objects.get(code="hidden_champion")
    firms = [
        make_enterprise(
            name="温州甲泵阀（集团）有限公司",
            industry=pumps,
            main_product="离心泵\n多级泵",
            founded=1998,
        ),
        make_enterprise(name=AWKWARD_NAMES[0], credit_code=None, region=wenzhou),
        make_enterprise(name=AWKWARD_NAMES[1], main_product="=制表符\t在中间"),
        make_enterprise(name=AWKWARD_NAMES[2], main_product="-负极材料"),
        make_enterprise(name=AWKWARD_NAMES[3], credit_code=None),
        make_enterprise(name=AWKWARD_NAMES[4], founded=2010),
    ]
    FormerName.objects.create(enterprise=firms[0], name="温州甲泵阀厂")
    FormerName.objects.create(enterprise=firms[0], name="=温州甲旧名")
    sixth = Batch.objects.create(tier=single, number=6, year=2021)
    product_batch = Batch.objects.create(tier=product_tier, number=6, year=2021)
    listed = Notice.objects.create(
        kind=EventKind.AWARD,
        tier=hidden,
        document="浙经信〔2020〕12号",
        source="https://jxt.zj.gov.cn/list?a=1&b=2",
        published_on=datetime.date(2020, 3, 2),
    )
    lapsed = award(
        firms[2],
        hidden,
        year=2020,
        happened_on=datetime.date(2020, 3, 2),
        notice=listed,
        valid_until=datetime.date(2022, 12, 31),
    )
    record_event(lapsed, EventKind.REVIEW_RESULT, outcome="not_applied")
    award(firms[3], product_tier, batch=product_batch, year=2021, product="+锂电池")
    approved = Recommendation.objects.create(enterprise=firms[0], batch=sixth, note="=备注")
    for stage in ("nominated", "province_passed", "submitted", "publicized", "approved"):
        move(approved, stage, happened_on=datetime.date(2021, 11, 30))
    record_event(
        approved.designation,
        EventKind.REVIEW_RESULT,
        outcome="passed",
        happened_on=datetime.date(2024, 11, 30),
    )
    rejected = Recommendation.objects.create(enterprise=firms[1], batch=sixth)
    for stage in ("nominated", "province_passed", "rejected"):
        move(rejected, stage, happened_on=datetime.date(2021, 6, 1))
    withdrawn = Recommendation.objects.create(enterprise=firms[5], batch=sixth)
    move(withdrawn, Stage.WITHDRAWN)
    Recommendation.objects.create(enterprise=firms[4], batch=sixth, note="草稿\r\n第二行")
    Recommendation.objects.create(enterprise=firms[3], batch=product_batch, product="+锂电池")
    YearlyFigures.objects.create(
        enterprise=firms[0],
        year=2020,
        output_value=Decimal("123456789012.34"),
        revenue=Decimal("0.00"),
        employees=1200,
        national_rank=1,
        size_class="medium",
    )
    YearlyFigures.objects.create(enterprise=firms[1], year=2021, new_product_output=Decimal("5.5"))
    seminar = Seminar.objects.create(
        title="制造业单项冠军企业培育研讨会",
        held_on=datetime.date(2021, 7, 12),
        place="温州",
        theme="培育“单项冠军之城”",
        summary="=SUM(A1:A2)\n第二段",
        is_published=True,
    )
    seminar.sponsors.set(
        [
            Organisation.objects.create(name="中国工业经济联合会"),
            Organisation.objects.create(name="温州市人民政府"),
        ]
    )
    seminar.experts.set(
        [
            Expert.objects.create(name="张三", affiliation="中国工业经济联合会 专家"),
            Expert.objects.create(name="李四"),
        ]
    )
    seminar.participants.set([firms[0], firms[1], firms[4]])
    Seminar.objects.create(title="-内部座谈", held_on=datetime.date(2021, 8, 1))
    ProvinceCount.objects.create(
        region=Region.objects.get(code="330100"), tier=single, year=2021, count=12, source="=来源"
    )
    ProvinceCount.objects.create(
        region=wenzhou, tier=single, year=2021, measure="submitted", count=9
    )
    return firms


def empty_registry():
    """Delete every row of the registry's data, as in a database fresh from ``migrate``.

    In SQL: deleting through the ORM would send a signal, and renew the page cache, per row.
    """
    order = [
        StageMove,
        Recommendation,
        DesignationEvent,
        Designation,
        Notice,
        Batch,
        YearlyFigures,
        Seminar.sponsors.through,
        Seminar.experts.through,
        Seminar.participants.through,
        Seminar,
        Organisation,
        Expert,
        ProvinceCount,
        FormerName,
        Enterprise,
        *(model for model in data_models() if model.__name__.startswith("Historical")),
    ]
    with connection.cursor() as cursor:
        for model in order:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def assert_round_trip(tmp_path):
    exported = {kind: export_bytes(kind, tmp_path) for kind in IMPORT_ORDER}
    empty_registry()
    for kind in IMPORT_ORDER:
        path = tmp_path / f"in-{kind}.csv"
        path.write_bytes(exported[kind])
        outcome = run_import(kind, str(path))
        assert outcome.code == 0, outcome.out
        assert ", errors 0" in outcome.summary
    for kind in IMPORT_ORDER:
        again = export_bytes(kind, tmp_path)
        assert rows_of(again) == rows_of(exported[kind]), kind  # a readable difference first
        assert again == exported[kind], kind
    return exported


def test_round_trip_of_awkward_data_is_byte_identical(
    tmp_path, make_enterprise, lucheng, wenzhou, pumps
):
    build_awkward_registry(make_enterprise, lucheng, wenzhou, pumps)
    exported = assert_round_trip(tmp_path)
    counts = {kind: len(rows_of(data)) - 1 for kind, data in exported.items()}
    assert counts == {
        "enterprises": 6,
        "recommendations": 5,
        # Rows are events: the lapsed title's award and review result, the product's award,
        # the approved title's award and passed review.
        "designations": 5,
        "figures": 2,
        "seminars": 2,
        "province": 2,
    }
    rejected = Recommendation.objects.get(stage="rejected")
    assert rejected.ended_at_stage == "province_passed"
    assert Enterprise.objects.get(credit_code=None, region=wenzhou).name == AWKWARD_NAMES[0]


def test_round_trip_of_the_sample_data_is_byte_identical(tmp_path):
    load_demo()
    exported = assert_round_trip(tmp_path)
    assert len(rows_of(exported["enterprises"])) > 10_000
