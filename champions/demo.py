"""The synthetic sample data set behind ``manage.py load_demo``.

It reproduces the headline figures of DESIGN.md (Wenzhou, July 2021) exactly, as
``champions.summary`` computes them. Every firm's name starts with 示例 ("sample") and every source,
document number and note says 示例数据, so no sample row can pass for an official list.

Loading only adds rows whose natural key (credit code; enterprise, tier, batch and product; …) is
not in the database yet and never touches rows that are, so a second run changes nothing and staff
edits survive. Firms, titles and figures are bulk-inserted (with their history rows) to load
~10,000 firms in seconds; recommendations go through ``champions.services.recommendations`` so that
every stage move is recorded and approvals create their designations as they do in real use.
Random choices come from generators with fixed seeds: every run plans the same rows.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .cache import data_changed
from .models import (
    Batch,
    Designation,
    Enterprise,
    Expert,
    FormerName,
    Organisation,
    ProvinceCount,
    Recommendation,
    Seminar,
    Target,
    YearlyFigures,
)
from .services.designations import record_designation
from .services.recommendations import move
from .text import name_key
from .validators import credit_code_check_character
from .workflow import FUNNEL, Stage, path_to

SAMPLE_LABEL = "示例数据"
SAMPLE_SOURCE = "示例数据（sample data），并非官方公布的名单"
CITY = "330300"
PROVINCE = "330000"
#: The year the sample figures are as of (the seed article appeared in July 2021).
AS_OF_YEAR = 2021
CHANGE_REASON = "load_demo"
INSERT_BATCH_SIZE = 500

FINAL = Designation.Status.FINAL
REVIEW_PASSED = Designation.Status.REVIEW_PASSED
PUBLICIZED = Designation.Status.PUBLICIZED
LAPSED = Designation.Status.LAPSED
REVOKED = Designation.Status.REVOKED


# --- Where the sample firms are and what they make --------------------------------------------


@dataclass(frozen=True)
class County:
    code: str
    short_name: str
    #: Relative number of firms, roughly as in Wenzhou (Yueqing and Rui'an have the most).
    weight: int
    #: The industry the county is known for; it gets a larger share of the county's firms.
    specialty: str


COUNTIES = (
    County("330302", "鹿城", 10, "footwear"),
    County("330303", "龙湾", 10, "pumps_valves"),
    County("330304", "瓯海", 12, "life_health"),
    County("330305", "洞头", 1, "new_materials"),
    County("330324", "永嘉", 8, "pumps_valves"),
    County("330326", "平阳", 6, "new_materials"),
    County("330327", "苍南", 4, "apparel"),
    County("330328", "文成", 1, "life_health"),
    County("330329", "泰顺", 1, "digital_economy"),
    County("330381", "瑞安", 20, "auto_parts"),
    County("330382", "乐清", 22, "electrical"),
    County("330383", "龙港", 4, "new_materials"),
)


@dataclass(frozen=True)
class IndustryStyle:
    code: str
    weight: int
    #: Words a firm's name uses for the trade, e.g. 泵阀 in 某某泵阀有限公司.
    name_words: tuple
    #: What an old workshop of the trade was called, for former names (某某阀门厂).
    factory_word: str
    products: tuple


INDUSTRIES = (
    IndustryStyle(
        "electrical", 16, ("电气", "电器"), "电器厂", ("低压断路器", "交流接触器", "智能电表")
    ),
    IndustryStyle("footwear", 10, ("鞋业", "鞋材"), "鞋厂", ("男士皮鞋", "休闲鞋", "鞋用胶粘剂")),
    IndustryStyle("apparel", 8, ("服饰", "制衣"), "服装厂", ("男士西服", "童装", "金属拉链")),
    IndustryStyle(
        "auto_parts",
        14,
        ("汽车部件", "汽摩配件"),
        "汽配厂",
        ("汽车制动系统", "汽车线束", "摩托车化油器"),
    ),
    IndustryStyle("pumps_valves", 12, ("泵阀", "阀门"), "阀门厂", ("球阀", "离心泵", "蝶阀")),
    IndustryStyle(
        "digital_economy",
        8,
        ("数码科技", "信息技术"),
        "电子厂",
        ("智能门锁", "光电传感器", "工业控制软件"),
    ),
    IndustryStyle(
        "smart_equipment", 10, ("智能装备", "机械"), "机械厂", ("包装机械", "印刷机械", "制药装备")
    ),
    IndustryStyle(
        "life_health",
        6,
        ("医疗器械", "生物科技"),
        "医疗器械厂",
        ("医用导管", "眼镜镜片", "体外诊断试剂"),
    ),
    IndustryStyle(
        "new_energy_vehicles",
        6,
        ("新能源科技", "汽车电子"),
        "电子厂",
        ("车载充电机", "电机控制器", "动力电池连接器"),
    ),
    IndustryStyle(
        "new_materials",
        10,
        ("新材料", "高分子材料"),
        "塑料厂",
        ("超纤合成革", "聚氨酯树脂", "特种合金"),
    ),
)

#: Characters trade names (字号) are made of, two at a time.
TRADE_NAME_CHARACTERS = (
    "华宏力通达新源瑞丰信和盛恒隆安永嘉光明天宇金鼎诚利昌博中海东方远航立兴欧凯顺捷晟峰"
)


# --- Who holds what ---------------------------------------------------------------------------
# Firms are numbered (their *serial*) from the top of the ladder down; the ranges below overlap on
# purpose, because one firm can hold several titles (a little giant also in the champion pool).

ENTERPRISE_COUNT = 10_265
#: Firms with yearly figures: everyone above the specialized-and-innovative cultivation list.
FIGURE_SERIALS = range(0, 290)
FIGURE_YEARS = (2019, 2020)
#: The new-product output rate of the latest year with figures (2020), as the article gives it.
NEW_PRODUCT_OUTPUT_RATE = Decimal("0.381")
#: First (set) equipment: these firms hold one product each, the first ``FIRST_SET_DOUBLES`` two.
FIRST_SET_HOLDERS = range(20, 115)
FIRST_SET_DOUBLES = 18
#: How many first (set) products each batch (1, 2, 3) lists, in order of the products.
FIRST_SET_PER_BATCH = (35, 38, 40)
SEMINAR_PARTICIPANTS = (*range(0, 6), *range(22, 30))

# Tier, number, year and the day the list was announced (``None``: not yet final).
BATCHES = (
    ("single_champion", 1, 2016, datetime.date(2016, 11, 30)),
    ("single_champion", 2, 2017, datetime.date(2017, 11, 30)),
    ("single_champion", 3, 2018, datetime.date(2018, 11, 30)),
    ("single_champion", 4, 2019, datetime.date(2019, 11, 30)),
    ("single_champion", 5, 2020, datetime.date(2020, 11, 30)),
    ("single_champion", 6, 2021, None),
    ("single_champion_product", 2, 2017, datetime.date(2017, 11, 30)),
    ("single_champion_product", 3, 2018, datetime.date(2018, 11, 30)),
    ("single_champion_product", 4, 2019, datetime.date(2019, 11, 30)),
    ("single_champion_product", 5, 2020, datetime.date(2020, 11, 30)),
    ("little_giant", 1, 2019, datetime.date(2019, 6, 10)),
    ("little_giant", 2, 2020, datetime.date(2020, 11, 30)),
    ("little_giant", 3, 2021, datetime.date(2021, 7, 15)),
    ("champion_pool", 1, 2019, datetime.date(2019, 9, 30)),
    ("champion_pool", 2, 2021, datetime.date(2021, 5, 31)),
    ("hidden_champion", 1, 2019, datetime.date(2019, 12, 20)),
    ("hidden_champion", 2, 2020, datetime.date(2020, 12, 20)),
    ("hidden_champion", 3, 2021, None),
    ("hidden_champion_cultivation", 1, 2020, datetime.date(2020, 8, 31)),
    ("hidden_champion_cultivation", 2, 2021, datetime.date(2021, 6, 30)),
    ("specialized_cultivation", 1, 2019, datetime.date(2019, 10, 31)),
    ("specialized_cultivation", 2, 2020, datetime.date(2020, 10, 31)),
    ("specialized_cultivation", 3, 2021, datetime.date(2021, 6, 30)),
    ("first_set", 1, 2019, datetime.date(2019, 12, 31)),
    ("first_set", 2, 2020, datetime.date(2020, 12, 31)),
    ("first_set", 3, 2021, datetime.date(2021, 6, 30)),
)


@dataclass(frozen=True)
class Grant:
    """Titles taken straight from a published list, without a recommendation history."""

    tier: str
    batch: int
    serials: range
    status: str = FINAL
    valid_until: datetime.date | None = None


GRANTS = (
    Grant("little_giant", 1, range(10, 13)),
    Grant("little_giant", 2, range(13, 19)),
    Grant("little_giant", 3, range(19, 31)),
    Grant("champion_pool", 1, range(10, 70)),
    # Left the pool when their term ended: not counted.
    Grant("champion_pool", 1, range(130, 138), LAPSED, datetime.date(2020, 12, 31)),
    Grant("champion_pool", 2, range(70, 130)),
    Grant("hidden_champion", 1, range(90, 120)),
    Grant("hidden_champion", 2, range(120, 150)),
    # Still on the publicity list: not counted.
    Grant("hidden_champion", 3, range(150, 160), PUBLICIZED),
    Grant("hidden_champion_cultivation", 1, range(150, 220)),
    Grant("hidden_champion_cultivation", 2, range(220, 290)),
    Grant("specialized_cultivation", 1, range(150, 3150)),
    Grant("specialized_cultivation", 2, range(3150, 6650)),
    Grant("specialized_cultivation", 3, range(6650, 10_255)),
    # Struck off the list: not counted.
    Grant("specialized_cultivation", 1, range(10_255, ENTERPRISE_COUNT), REVOKED),
)


@dataclass(frozen=True)
class Nomination:
    """A recommendation, moved through the workflow up to ``reached`` (then rejected, if so)."""

    serial: int
    tier: str
    batch: int
    reached: str
    rejected: bool = False


NOMINATIONS = (
    *(
        Nomination(serial, "single_champion", batch, Stage.APPROVED)
        for serial, batch in ((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 5))
    ),
    *(
        Nomination(serial, "single_champion_product", batch, Stage.APPROVED)
        for serial, batch in ((6, 2), (7, 3), (8, 4), (0, 5))
    ),
    Nomination(9, "single_champion", 5, Stage.SUBMITTED, rejected=True),
    Nomination(10, "single_champion_product", 4, Stage.NOMINATED, rejected=True),
    # The 6th batch as of July 2021: nine reported to the ministry, three turned down early.
    *(Nomination(serial, "single_champion", 6, Stage.SUBMITTED) for serial in range(10, 19)),
    *(
        Nomination(serial, "single_champion", 6, Stage.NOMINATED, rejected=True)
        for serial in range(19, 22)
    ),
)

#: Day of the batch's year each stage is reached; a rejection is dated like the stage it missed.
STAGE_DAYS = {
    Stage.NOMINATED: (4, 16),
    Stage.PROVINCE_PASSED: (5, 14),
    Stage.SUBMITTED: (5, 28),
    Stage.PUBLICIZED: (10, 20),
    Stage.APPROVED: (11, 30),
}
#: Titles older than one review period had passed their review (复核) by 2021.
REVIEWED_BEFORE = 2019

#: Output value in 2020 (万元) by serial, top of the ladder first: (serials, low, high).
OUTPUT_BANDS = (
    (range(0, 3), 1_000_000, 2_000_000),
    (range(3, 10), 150_000, 800_000),
    (range(10, 31), 60_000, 260_000),
    (range(31, 130), 25_000, 140_000),
    (range(130, 290), 3_000, 60_000),
)

# Other cities' counts, as the province might publish them (sample values): single champions
# reported to the ministry in the 6th batch, then firms and products holding a single champion
# title and little giants. Wenzhou's own row is computed from the plan above.
OTHER_CITIES = {
    "330100": (12, 18, 8, 42),
    "330200": (16, 39, 22, 52),
    "330400": (5, 7, 3, 20),
    "330500": (3, 4, 2, 14),
    "330600": (6, 9, 4, 24),
    "330700": (4, 6, 3, 17),
    "330800": (2, 2, 1, 8),
    "330900": (1, 1, 0, 4),
    "331000": (7, 11, 5, 26),
    "331100": (1, 1, 1, 5),
}
IN_FORCE_TIERS = ("single_champion", "single_champion_product", "little_giant")
PRODUCT_TIERS = ("single_champion_product", "first_set")

TARGETS = (
    ("output_over_1bn", "产值超10亿元企业数", Target.Metric.ENTERPRISES_OVER, 100_000, "", 100),
    ("output_over_10bn", "产值超100亿元企业数", Target.Metric.ENTERPRISES_OVER, 1_000_000, "", 10),
    (
        "traditional_output",
        "五大传统产业总产值",
        Target.Metric.GROUP_OUTPUT,
        None,
        "traditional",
        60_000_000,
    ),
    (
        "emerging_output",
        "五大新兴产业总产值",
        Target.Metric.GROUP_OUTPUT,
        None,
        "emerging",
        55_000_000,
    ),
)
TARGET_DEADLINE = 2025

SEMINAR = {
    "title": "制造业单项冠军企业培育研讨会",
    "held_on": datetime.date(2021, 7, 12),
    "place": "温州",
    "theme": "培育制造业单项冠军企业，建设“单项冠军之城”",
    "summary": f"{SAMPLE_LABEL}：专家围绕单项冠军企业的培育路径作主题报告，示例企业交流了经验。",
}
SPONSORS = (
    ("中国工业经济联合会", "China Federation of Industrial Economics"),
    ("温州市人民政府", "Wenzhou Municipal Government"),
)
#: Made-up speakers; their names carry the sample label.
EXPERTS = (
    ("示例专家甲", "中国工业经济联合会 专家"),
    ("示例专家乙", "浙江省经济和信息化厅 专家"),
    ("示例专家丙", "温州大学商学院 教授"),
)


# --- Planning: what the rows should be -------------------------------------------------------


@dataclass(frozen=True)
class PlannedFirm:
    serial: int
    enterprise: Enterprise
    former_names: tuple


def credit_code(county_code, serial):
    """A code valid under GB 32100-2015; ``YB`` (样本, sample) opens the organisation part."""
    body = f"91{county_code}YB{serial:07d}"
    return body + credit_code_check_character(body)


def plan_firms():
    """Every sample firm in serial order: an unsaved ``Enterprise`` and its former names."""
    rng = random.Random("load_demo:enterprises")
    used_names = set()
    firms = []
    for serial in range(ENTERPRISE_COUNT):
        county = rng.choices(COUNTIES, weights=[c.weight for c in COUNTIES])[0]
        weights = [s.weight * (3 if s.code == county.specialty else 1) for s in INDUSTRIES]
        industry = rng.choices(INDUSTRIES, weights=weights)[0]
        while True:
            trade_name = "".join(rng.sample(TRADE_NAME_CHARACTERS, 2))
            name = f"示例{county.short_name}{trade_name}{rng.choice(industry.name_words)}有限公司"
            if name not in used_names:
                break
        used_names.add(name)
        founded = rng.randint(1984, 2000) if serial < 130 else rng.randint(1992, 2018)
        enterprise = Enterprise(
            name=name,
            name_key=name_key(name),
            credit_code=credit_code(county.code, serial),
            region_id=county.code,
            industry_id=industry.code,
            main_product=rng.choice(industry.products),
            founded=founded,
        )
        # Every 16th firm grew out of a workshop under another name.
        former = (
            (f"示例{county.short_name}{trade_name}{industry.factory_word}",)
            if serial % 16 == 3
            else ()
        )
        firms.append(PlannedFirm(serial, enterprise, former))
    return firms


def first_set_products(firms):
    """``(serial, product, batch number)`` of each first (set) equipment project, in order."""
    products = []
    for position, serial in enumerate(FIRST_SET_HOLDERS):
        models_made = ("A", "B") if position < FIRST_SET_DOUBLES else ("A",)
        main_product = firms[serial].enterprise.main_product
        products += [(serial, f"{main_product}（YB-{serial:04d}{m}型）") for m in models_made]
    batch_numbers = [n for n, size in enumerate(FIRST_SET_PER_BATCH, start=1) for _ in range(size)]
    return [
        (serial, product, batch)
        for (serial, product), batch in zip(products, batch_numbers, strict=True)
    ]


def plan_figures(rng):
    """``{year: {serial: fields}}`` for the firms with figures; 2020 meets the new-product rate."""
    output_by_serial = {}
    for serials, low, high in OUTPUT_BANDS:
        for serial in serials:
            output_by_serial[serial] = rng.uniform(low, high)
    figures = {year: {} for year in FIGURE_YEARS}
    latest = FIGURE_YEARS[-1]
    for serial in FIGURE_SERIALS:
        output = output_by_serial[serial]
        for year in reversed(FIGURE_YEARS):
            revenue = output * rng.uniform(0.92, 1.05)
            figures[year][serial] = {
                "output_value": money(output),
                "revenue": money(revenue),
                "rd_spending": money(revenue * rng.uniform(0.03, 0.07)),
                "new_product_output": output * rng.uniform(0.25, 0.5),
                "export_value": money(output * rng.uniform(0.05, 0.45)),
                "employees": int(output / rng.uniform(80, 200)),
                # Single champions lead their market at home and rank near the top abroad.
                "national_rank": 1 if serial < 10 else rng.randint(2, 8) if serial < 31 else None,
                "global_rank": rng.randint(1, 3) if serial < 10 else None,
            }
            output /= rng.uniform(1.04, 1.15)  # the year before was smaller
    for year, rows in figures.items():
        rate = NEW_PRODUCT_OUTPUT_RATE if year == latest else None
        _settle_new_product_output(rows, rate)
    return figures


def money(value):
    return Decimal(value).quantize(Decimal("0.01"))


def _settle_new_product_output(rows, rate):
    """Round new-product output to the cent; with ``rate``, scale it so that the total is exactly
    ``rate`` of the total output, the last cents going to the largest firm."""
    if rate is None:
        for fields in rows.values():
            fields["new_product_output"] = money(fields["new_product_output"])
        return
    total_output = sum(fields["output_value"] for fields in rows.values())
    planned = sum(fields["new_product_output"] for fields in rows.values())
    scale = float(total_output * rate) / planned
    for fields in rows.values():
        fields["new_product_output"] = money(fields["new_product_output"] * scale)
    largest = max(rows.values(), key=lambda fields: fields["output_value"])
    total_new = sum(fields["new_product_output"] for fields in rows.values())
    largest["new_product_output"] += money(total_output * rate) - total_new


def planned_in_force(tier):
    """How many the plan makes hold ``tier``: firms, or for a product tier, products."""
    approved = [n.serial for n in NOMINATIONS if n.tier == tier and n.reached == Stage.APPROVED]
    granted = [s for g in GRANTS if g.tier == tier and g.status == FINAL for s in g.serials]
    if tier in PRODUCT_TIERS:
        return len(approved) + len(granted)
    return len({*approved, *granted})


def planned_submitted(tier, batch):
    return sum(
        1
        for n in NOMINATIONS
        if (n.tier, n.batch) == (tier, batch)
        and FUNNEL.index(n.reached) >= FUNNEL.index(Stage.SUBMITTED)
    )


# --- Writing ----------------------------------------------------------------------------------


def create_missing(model, objects, key_fields):
    """Insert those of ``objects`` whose natural key is not in the database yet, with their
    history rows; rows already there are left as they are. Returns the inserted objects."""
    existing = set(model._default_manager.values_list(*key_fields))
    missing = [obj for obj in objects if tuple(getattr(obj, f) for f in key_fields) not in existing]
    if hasattr(model, "history"):
        bulk_create_with_history(
            missing, model, batch_size=INSERT_BATCH_SIZE, default_change_reason=CHANGE_REASON
        )
    else:
        model._default_manager.bulk_create(missing, batch_size=INSERT_BATCH_SIZE)
    return missing


def row_counts():
    """Rows per model of the registry (history tables included), for the report of a run."""
    return {
        model: model._default_manager.count()
        for model in apps.get_app_config("champions").get_models()
    }


def load_demo():
    """Add whatever of the sample data set is missing, in one transaction.

    Returns ``{model: rows added}`` for every model of the registry, history tables included.
    """
    with transaction.atomic():
        before = row_counts()
        firms = plan_firms()
        ids = _load_enterprises(firms)
        batches = _load_batches()
        _load_grants(firms, ids, batches)
        _load_nominations(firms, ids, batches)
        _load_figures(ids)
        _load_province_counts()
        _load_targets()
        _load_seminar(ids)
        after = row_counts()
        added = {model: after[model] - before[model] for model in after}
        if any(added.values()):
            # Bulk inserts send no model signals, so the public pages' cache is told here.
            data_changed()
    return added


def _load_enterprises(firms):
    """Create the missing firms and former names; return ``{serial: enterprise id}``."""
    create_missing(Enterprise, [firm.enterprise for firm in firms], ["credit_code"])
    id_by_code = dict(
        Enterprise.objects.filter(
            credit_code__in=[f.enterprise.credit_code for f in firms]
        ).values_list("credit_code", "id")
    )
    ids = {firm.serial: id_by_code[firm.enterprise.credit_code] for firm in firms}
    former_names = [
        FormerName(enterprise_id=ids[firm.serial], name=name, name_key=name_key(name))
        for firm in firms
        for name in firm.former_names
    ]
    create_missing(FormerName, former_names, ["enterprise_id", "name_key"])
    return ids


def _load_batches():
    """Create the missing batches; return ``{(tier, number): batch}``."""
    planned = [
        Batch(
            tier_id=tier,
            number=number,
            year=year,
            recommendation_deadline=datetime.date(year, 4, 30),
            announced_on=announced_on,
            document=f"{SAMPLE_LABEL}〔{year}〕第{number}批",
            source=SAMPLE_SOURCE,
        )
        for tier, number, year, announced_on in BATCHES
    ]
    create_missing(Batch, planned, ["tier_id", "year", "number"])
    tiers = {tier for tier, *_rest in BATCHES}
    return {
        (batch.tier_id, batch.number): batch
        for batch in Batch.objects.filter(tier_id__in=tiers).select_related("tier")
    }


def _designation(enterprise_id, batch, product="", status=FINAL, valid_until=None):
    return Designation(
        enterprise_id=enterprise_id,
        tier_id=batch.tier_id,
        batch=batch,
        year=batch.year,
        product=product,
        status=status,
        valid_until=valid_until,
        document=batch.document,
        source=SAMPLE_SOURCE,
    )


def _load_grants(firms, ids, batches):
    planned = [
        _designation(
            ids[serial], batches[grant.tier, grant.batch], "", grant.status, grant.valid_until
        )
        for grant in GRANTS
        for serial in grant.serials
    ]
    planned += [
        _designation(ids[serial], batches["first_set", batch], product)
        for serial, product, batch in first_set_products(firms)
    ]
    create_missing(Designation, planned, ["enterprise_id", "tier_id", "batch_id", "product"])


def _stage_plan(nomination, level, year):
    """``[(stage, date)]`` the nomination goes through after its draft."""
    stages = path_to(Stage.DRAFT, nomination.reached, level)
    dated = [(stage, datetime.date(year, *STAGE_DAYS[stage])) for stage in stages]
    if nomination.rejected:
        missed = FUNNEL[FUNNEL.index(nomination.reached) + 1]
        dated.append((Stage.REJECTED, datetime.date(year, *STAGE_DAYS[missed])))
    return dated


def _load_nominations(firms, ids, batches):
    """File each nomination and make the moves it has not made yet, through the workflow service."""
    for nomination in NOMINATIONS:
        batch = batches[nomination.tier, nomination.batch]
        product = (
            firms[nomination.serial].enterprise.main_product
            if batch.tier_id in PRODUCT_TIERS
            else ""
        )
        recommendation, _created = Recommendation.objects.select_related(
            "batch__tier"
        ).get_or_create(
            enterprise_id=ids[nomination.serial],
            batch=batch,
            product=product,
            defaults={"note": SAMPLE_LABEL},
        )
        plan = _stage_plan(nomination, batch.tier.level, batch.year)
        # Make only the moves still to come; a recommendation staff have moved elsewhere stays.
        reached = [Stage.DRAFT, *(stage for stage, _day in plan)]
        remaining = (
            plan[reached.index(recommendation.stage) :] if recommendation.stage in reached else []
        )
        for stage, day in remaining:
            note = f"未通过评审（{SAMPLE_LABEL}）" if stage == Stage.REJECTED else SAMPLE_LABEL
            move(recommendation, stage, note=note, happened_on=day)
        if recommendation.stage == Stage.APPROVED:
            # Complete the title the approval created with what the published list says.
            record_designation(
                enterprise=recommendation.enterprise,
                tier=batch.tier,
                batch=batch,
                year=batch.year,
                product=product,
                status=REVIEW_PASSED if batch.year < REVIEWED_BEFORE else FINAL,
                document=batch.document,
                source=SAMPLE_SOURCE,
            )


def _load_figures(ids):
    figures = plan_figures(random.Random("load_demo:figures"))
    planned = [
        YearlyFigures(enterprise_id=ids[serial], year=year, **fields)
        for year, rows in figures.items()
        for serial, fields in rows.items()
    ]
    create_missing(YearlyFigures, planned, ["enterprise_id", "year"])


def _load_province_counts():
    """The province comparison for 2021: reported in the 6th batch, and titles in force."""
    wenzhou = (
        planned_submitted("single_champion", 6),
        *(planned_in_force(tier) for tier in IN_FORCE_TIERS),
    )
    planned = []
    for city, (submitted, *in_force) in {**OTHER_CITIES, CITY: wenzhou}.items():
        row = {"region_id": city, "year": AS_OF_YEAR, "source": SAMPLE_SOURCE}
        planned.append(
            ProvinceCount(
                tier_id="single_champion",
                measure=ProvinceCount.Measure.SUBMITTED,
                count=submitted,
                **row,
            )
        )
        planned += [
            ProvinceCount(tier_id=tier, measure=ProvinceCount.Measure.IN_FORCE, count=count, **row)
            for tier, count in zip(IN_FORCE_TIERS, in_force, strict=True)
        ]
    create_missing(ProvinceCount, planned, ["region_id", "tier_id", "year", "measure"])


def _load_targets():
    planned = [
        Target(
            code=code,
            name=name,
            metric=metric,
            threshold=threshold,
            industry_group=group,
            goal=goal,
            deadline_year=TARGET_DEADLINE,
            position=position,
        )
        for position, (code, name, metric, threshold, group, goal) in enumerate(TARGETS, start=1)
    ]
    create_missing(Target, planned, ["code"])


def _load_seminar(ids):
    seminar, created = Seminar.objects.get_or_create(
        held_on=SEMINAR["held_on"],
        title=SEMINAR["title"],
        defaults={**SEMINAR, "source": SAMPLE_SOURCE, "is_published": True},
    )
    if not created:
        return
    seminar.sponsors.set(
        Organisation.objects.get_or_create(name=name, defaults={"name_en": name_en})[0]
        for name, name_en in SPONSORS
    )
    seminar.experts.set(
        Expert.objects.get_or_create(name=name, affiliation=affiliation)[0]
        for name, affiliation in EXPERTS
    )
    seminar.participants.set(ids[serial] for serial in SEMINAR_PARTICIPANTS)
