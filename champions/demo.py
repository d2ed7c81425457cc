"""The synthetic sample data set behind ``manage.py load_demo``.

It reproduces the headline figures of DESIGN.md (Wenzhou, July 2021) exactly, as
``champions.summary`` computes them. Every firm's name starts with 示例 ("sample") and every source,
document number and note says 示例数据, so no sample row can pass for an official list.

Titles come as they do in real use: from published lists. Each list of the plan (a batch's
publicity, award, review publicity, review result or revocation) is a ``Notice`` with its issuing
authority, a made-up document number marked 示例数据 and its date, and each title it names gets
one event from it; the status and days held of each title are derived from its events by
``champions.services.designations`` (the rules of ``champions.lifecycle``), never typed here.

The dates are counted back in days from the day the data set is loaded (``load_demo(today=...)``;
by default the day the sample data already in the database were loaded on, else today), so that
the figures are the same whenever it is loaded: every title the headlines count was awarded more
than a year before that day and, in a tier with a validity, awarded or passed its last review
less than that validity before it, so that it holds on that day and at the end of the year
before; the titles of other states (revoked with a ban running, failed at review, a term ended
with no review result recorded — staff work —, left out of a pool) ended more than a year before
it, and a batch still on its publicity list is held on neither. The 6th batch of single
champions is under way (nominated two months before the load day), the yearly figures are those
of the two years before the load day's (and, for the growth rates of the eligibility criteria,
revenue, main-business revenue and net profit of the year before them), and the seminar is the
one of 12 July 2021.

Loading only adds rows whose natural key (credit code; enterprise, tier, batch and product; …) is
not in the database yet and never touches rows that are: a title already there gets no new
events, so a second run changes nothing and staff edits survive. Firms, notices, titles, their
events and figures are bulk-inserted (with their history rows) to load ~10,000 firms in seconds,
each title's standing derived before it is inserted so that its history row shows it;
recommendations go through ``champions.services.recommendations`` so that every stage move is
recorded and approvals complete their titles as they do in real use. Random choices come from
generators with fixed seeds: every run plans the same rows.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from . import lifecycle
from .cache import data_changed
from .models import (
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
    Seminar,
    Target,
    Tier,
    YearlyFigures,
)
from .models.designations import product_key
from .models.disclosure import FiguresYear
from .services import designations as titles
from .services.recommendations import move
from .text import name_key
from .validators import credit_code_check_character
from .workflow import FUNNEL, Stage, path_to

SAMPLE_LABEL = "示例数据"
SAMPLE_SOURCE = "示例数据（sample data），并非官方公布的名单"
CITY = "330300"
PROVINCE = "330000"
CHANGE_REASON = "load_demo"
INSERT_BATCH_SIZE = 500

PUBLICITY = EventKind.PUBLICITY
AWARD = EventKind.AWARD
REVIEW_PUBLICITY = EventKind.REVIEW_PUBLICITY
REVIEW_RESULT = EventKind.REVIEW_RESULT
REVOCATION = EventKind.REVOCATION
PASSED = DesignationEvent.Outcome.PASSED
FAILED = DesignationEvent.Outcome.FAILED
NOT_APPLIED = DesignationEvent.Outcome.NOT_APPLIED


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
#: The new-product output rate of the latest year with figures, as the article gives it.
NEW_PRODUCT_OUTPUT_RATE = Decimal("0.381")
#: First (set) equipment: these firms hold one product each, the first ``FIRST_SET_DOUBLES`` two.
FIRST_SET_HOLDERS = range(20, 115)
FIRST_SET_DOUBLES = 18
#: How many first (set) products each batch (1, 2, 3) lists, in order of the products.
FIRST_SET_PER_BATCH = (35, 38, 40)
SEMINAR_PARTICIPANTS = (*range(0, 6), *range(22, 30))
#: Firms whose score misses the innovative SME measures (their growth is weak) and who raised new
#: equity a little under the direct route's 5 million yuan in the latest year (10k yuan): the near
#: misses of that tier, none of them holding it.
NEAR_MISS_EQUITY = {260: 470, 277: 485, 285: 460}

#: Days from the recommendation deadline to the award list (30 April to 30 November).
DEADLINE_BEFORE_AWARD = 214


@dataclass(frozen=True)
class BatchPlan:
    """A batch and the lists it published, dated in days before the load day.

    ``lists`` are ``(kind, days before)``; a batch without an award list is not decided yet.
    The batch's year is that of its recommendation deadline, ``deadline`` days before the load day
    (by default ``DEADLINE_BEFORE_AWARD`` before its award).
    """

    tier: str
    number: int
    lists: tuple = ()
    deadline: int | None = None

    def days_before(self, kind):
        return dict(self.lists).get(kind)

    @property
    def deadline_days(self):
        if self.deadline is not None:
            return self.deadline
        return self.days_before(AWARD) + DEADLINE_BEFORE_AWARD


# Every title the headlines count was awarded 380 days or more before the load day, and awarded or
# passed its last review at most 1,060 days before it, so that it holds on that day and at the end
# of the year before (and its batch's year is the year before or earlier), inside a three-year
# validity whether its tier has one or none; every title of another state ended more than 366
# days before the load day, so that it holds on neither, with or without a validity (but for the
# term ended with no review result, which takes one: the hidden champions have it).
BATCH_PLANS = (
    # Older single champions passed their review just before their term ended; the 3rd batch's
    # review was publicized first.
    BatchPlan("single_champion", 1, ((AWARD, 1860), (REVIEW_RESULT, 790))),
    BatchPlan("single_champion", 2, ((AWARD, 1495), (REVIEW_RESULT, 425))),
    BatchPlan("single_champion", 3, ((AWARD, 1130), (REVIEW_PUBLICITY, 110), (REVIEW_RESULT, 60))),
    BatchPlan("single_champion", 4, ((AWARD, 765),)),
    BatchPlan("single_champion", 5, ((AWARD, 400),)),
    # Under way: nominated 60 days before the load day, reported to the ministry 18 days before.
    BatchPlan("single_champion", 6, deadline=46),
    BatchPlan("single_champion_product", 2, ((AWARD, 1495), (REVIEW_RESULT, 425))),
    BatchPlan(
        "single_champion_product", 3, ((AWARD, 1130), (REVIEW_PUBLICITY, 110), (REVIEW_RESULT, 60))
    ),
    BatchPlan("single_champion_product", 4, ((AWARD, 765),)),
    BatchPlan("single_champion_product", 5, ((AWARD, 400),)),
    # The 1st batch's term ends a month after the load day: its review is on publicity.
    BatchPlan("little_giant", 1, ((AWARD, 1060), (REVIEW_PUBLICITY, 25))),
    BatchPlan("little_giant", 2, ((AWARD, 700),)),
    BatchPlan("little_giant", 3, ((AWARD, 400),)),
    BatchPlan("champion_pool", 1, ((AWARD, 1600), (REVIEW_RESULT, 450))),
    BatchPlan("champion_pool", 2, ((AWARD, 600),)),
    BatchPlan("hidden_champion", 1, ((AWARD, 1500), (REVIEW_RESULT, 420))),
    BatchPlan("hidden_champion", 2, ((AWARD, 700),)),
    BatchPlan("hidden_champion", 3, ((PUBLICITY, 20),), deadline=200),
    BatchPlan("hidden_champion_cultivation", 1, ((AWARD, 900),)),
    BatchPlan("hidden_champion_cultivation", 2, ((AWARD, 500),)),
    BatchPlan("specialized_cultivation", 1, ((AWARD, 1050), (REVOCATION, 500))),
    BatchPlan("specialized_cultivation", 2, ((AWARD, 850),)),
    BatchPlan("specialized_cultivation", 3, ((AWARD, 450),)),
    BatchPlan("first_set", 1, ((AWARD, 1050),)),
    BatchPlan("first_set", 2, ((AWARD, 740),)),
    BatchPlan("first_set", 3, ((AWARD, 380),)),
    # The provincial ladder below the cultivation lists: innovative SMEs of 2024 and 2025, and
    # specialized SMEs of 2024 and 2025, each list a little after the innovative one of its year.
    BatchPlan("innovative_sme", 1, ((AWARD, 760),)),
    BatchPlan("innovative_sme", 2, ((AWARD, 420),)),
    BatchPlan("specialized_sme", 1, ((AWARD, 720),)),
    BatchPlan("specialized_sme", 2, ((AWARD, 385),)),
)
BATCH_PLAN = {(plan.tier, plan.number): plan for plan in BATCH_PLANS}
#: The batch whose award dates the data set already loaded (``loaded_on``).
ANCHOR = BATCH_PLANS[0]

#: Made-up document series of each programme's lists (the real ones look alike, the numbers
#: are not theirs): the single champion lists name enterprises and products together.
DOCUMENT_SERIES = {
    "single_champion": "工信部产业",
    "single_champion_product": "工信部产业",
    "little_giant": "工信厅企业函",
    "hidden_champion": "浙经信企业",
    "specialized_cultivation": "浙经信中小",
    "first_set": "浙经信技术",
    "hidden_champion_cultivation": "温经信企业",
    "champion_pool": "温经信产业",
    "innovative_sme": "浙经信创新",
    "specialized_sme": "浙经信专精",
}
#: What a list of each kind is called, after the tier and batch.
LIST_TITLES = {
    PUBLICITY: "名单公示",
    AWARD: "名单",
    REVIEW_PUBLICITY: "复核结果公示",
    REVIEW_RESULT: "复核结果",
    REVOCATION: "撤销资格名单",
}


@dataclass(frozen=True)
class Grant:
    """Titles taken straight from published lists, without a recommendation history: each of
    ``events`` (``(kind, outcome)``) is an event from its batch's list of that kind. ``held``:
    the headline figures count them."""

    tier: str
    batch: int
    serials: range
    events: tuple = ((AWARD, ""),)
    held: bool = True


GRANTS = (
    # On the review publicity of the 1st batch: still counted.
    Grant("little_giant", 1, range(10, 13), ((AWARD, ""), (REVIEW_PUBLICITY, ""))),
    Grant("little_giant", 2, range(13, 19)),
    Grant("little_giant", 3, range(19, 31)),
    Grant("champion_pool", 1, range(10, 70), ((AWARD, ""), (REVIEW_RESULT, PASSED))),
    # Left the pool at its review: not counted.
    Grant("champion_pool", 1, range(130, 138), ((AWARD, ""), (REVIEW_RESULT, NOT_APPLIED)), False),
    Grant("champion_pool", 2, range(70, 130)),
    Grant("hidden_champion", 1, range(90, 120), ((AWARD, ""), (REVIEW_RESULT, PASSED))),
    # Failed the review, so the title ended with its term: not counted.
    Grant("hidden_champion", 1, range(160, 161), ((AWARD, ""), (REVIEW_RESULT, FAILED)), False),
    # Not on the review list: its term ended with no review result recorded (staff work to do).
    Grant("hidden_champion", 1, range(161, 162), held=False),
    Grant("hidden_champion", 2, range(120, 150)),
    # Still on the publicity list: not counted.
    Grant("hidden_champion", 3, range(150, 160), ((PUBLICITY, ""),), False),
    Grant("hidden_champion_cultivation", 1, range(150, 220)),
    Grant("hidden_champion_cultivation", 2, range(220, 290)),
    Grant("specialized_cultivation", 1, range(150, 3150)),
    Grant("specialized_cultivation", 2, range(3150, 6650)),
    Grant("specialized_cultivation", 3, range(6650, 10_255)),
    # Struck off the list, with a ban on applying again: not counted.
    Grant(
        "specialized_cultivation",
        1,
        range(10_255, ENTERPRISE_COUNT),
        ((AWARD, ""), (REVOCATION, "")),
        False,
    ),
    # Innovative and specialized SMEs, among firms with figures that hold another title already
    # (no headline counts them, and the firms holding a title stay the same): since the 2026
    # measures, a new specialized SME application needs an innovative SME title in force, and a
    # new little giant one a specialized SME title, so these make the candidates of both.
    Grant("innovative_sme", 1, range(90, 150)),
    Grant("innovative_sme", 2, range(150, 240)),
    Grant("specialized_sme", 1, range(100, 115)),
    Grant("specialized_sme", 2, range(115, 125)),
    Grant("specialized_sme", 2, range(150, 165)),
)


@dataclass(frozen=True)
class Nomination:
    """A recommendation, moved through the workflow up to ``reached`` (then rejected, if so).
    An approved one holds the title from every list of its batch (a review passed)."""

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
    # The 6th batch: nine reported to the ministry, three turned down early.
    *(Nomination(serial, "single_champion", 6, Stage.SUBMITTED) for serial in range(10, 19)),
    *(
        Nomination(serial, "single_champion", 6, Stage.NOMINATED, rejected=True)
        for serial in range(19, 22)
    ),
)
#: The batch the province's comparison counts the nominations of.
CURRENT_BATCH = BATCH_PLAN["single_champion", 6]

#: Days before its batch's recommendation deadline (negative: after it) each stage is reached,
#: but for the last two, which count from the award list; a rejection is dated like the stage it
#: missed.
STAGE_DAYS = {
    Stage.NOMINATED: 14,
    Stage.PROVINCE_PASSED: -14,
    Stage.SUBMITTED: -28,
}
STAGE_DAYS_BEFORE_AWARD = {Stage.PUBLICIZED: 41, Stage.APPROVED: 0}


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
#: The targets' English names.
TARGET_NAMES_EN = {
    "output_over_1bn": "Firms with an output over 1 billion yuan",
    "output_over_10bn": "Firms with an output over 10 billion yuan",
    "traditional_output": "Output of the five traditional industries",
    "emerging_output": "Output of the five emerging industries",
}

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


# --- Dates: the plan on a load day -------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """The dates of the plan when the data set is loaded on ``today``."""

    today: datetime.date

    def before(self, days):
        return self.today - datetime.timedelta(days=days)

    def batch_year(self, plan):
        return self.before(plan.deadline_days).year

    def list_day(self, plan, kind):
        days = plan.days_before(kind)
        return None if days is None else self.before(days)

    @property
    def figure_years(self):
        """The years with figures: the two before the load day's."""
        return (self.today.year - 2, self.today.year - 1)

    def stage_day(self, plan, stage):
        """The day a recommendation of the batch of ``plan`` reaches ``stage``."""
        if stage in STAGE_DAYS:
            return self.before(plan.deadline_days + STAGE_DAYS[stage])
        return self.before(plan.days_before(AWARD) + STAGE_DAYS_BEFORE_AWARD[stage])


def document_number(tier, year, sequence):
    """A made-up document number in the programme's series, marked as sample data."""
    return f"{SAMPLE_LABEL}：{DOCUMENT_SERIES[tier]}〔{year}〕{sequence}号"


def list_document(plan, kind, day):
    """The document number of the batch's list of ``kind``, published on ``day``."""
    return document_number(
        plan.tier, day.year, 100 + 10 * plan.number + lifecycle.KINDS.index(kind)
    )


def batch_document(plan, calendar):
    """The batch's document: its award list's, else (not decided yet) its call for
    recommendations'."""
    award_day = calendar.list_day(plan, AWARD)
    if award_day is not None:
        return list_document(plan, AWARD, award_day)
    return document_number(plan.tier, calendar.batch_year(plan), 100 + 10 * plan.number + 9)


# --- Planning: what the rows should be -------------------------------------------------------


@dataclass(frozen=True)
class PlannedFirm:
    serial: int
    #: The firm's ``Enterprise`` fields (the instance is made only to insert it).
    fields: dict
    former_names: tuple

    @property
    def name(self):
        return self.fields["name"]

    @property
    def credit_code(self):
        return self.fields["credit_code"]

    @property
    def main_product(self):
        return self.fields["main_product"]


def credit_code(county_code, serial):
    """A code valid under GB 32100-2015; ``YB`` (样本, sample) opens the organisation part."""
    body = f"91{county_code}YB{serial:07d}"
    return body + credit_code_check_character(body)


def plan_firms():
    """Every sample firm in serial order: its fields and former names."""
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
        fields = {
            "name": name,
            "credit_code": credit_code(county.code, serial),
            "region_id": county.code,
            "industry_id": industry.code,
            "main_product": rng.choice(industry.products),
            "founded": founded,
        }
        # Every 16th firm grew out of a workshop under another name.
        former = (
            (f"示例{county.short_name}{trade_name}{industry.factory_word}",)
            if serial % 16 == 3
            else ()
        )
        firms.append(PlannedFirm(serial, fields, former))
    return firms


def first_set_products(firms):
    """``(serial, product, batch number)`` of each first (set) equipment project, in order."""
    products = []
    for position, serial in enumerate(FIRST_SET_HOLDERS):
        models_made = ("A", "B") if position < FIRST_SET_DOUBLES else ("A",)
        main_product = firms[serial].main_product
        products += [(serial, f"{main_product}（YB-{serial:04d}{m}型）") for m in models_made]
    batch_numbers = [n for n, size in enumerate(FIRST_SET_PER_BATCH, start=1) for _ in range(size)]
    return [
        (serial, product, batch)
        for (serial, product), batch in zip(products, batch_numbers, strict=True)
    ]


def plan_figures(rng, years):
    """``{year: {serial: fields}}`` for the firms with figures in ``years`` (oldest first); the
    latest meets the new-product rate."""
    output_by_serial = {}
    for serials, low, high in OUTPUT_BANDS:
        for serial in serials:
            output_by_serial[serial] = rng.uniform(low, high)
    figures = {year: {} for year in years}
    latest = years[-1]
    for serial in FIGURE_SERIALS:
        output = output_by_serial[serial]
        for year in reversed(years):
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
    granted = [s for g in GRANTS if g.tier == tier and g.held for s in g.serials]
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


def missing(model, objects, key_fields, existing=None):
    """Those of ``objects`` whose natural key is not in the database yet (``existing`` rows:
    default all of ``model``'s)."""
    rows = model._default_manager.all() if existing is None else existing
    present = set(rows.values_list(*key_fields))
    return [obj for obj in objects if tuple(getattr(obj, f) for f in key_fields) not in present]


def insert(model, objects):
    """Insert ``objects`` with their history rows; return them, with their ids."""
    if hasattr(model, "history"):
        return bulk_create_with_history(
            objects, model, batch_size=INSERT_BATCH_SIZE, default_change_reason=CHANGE_REASON
        )
    return model._default_manager.bulk_create(objects, batch_size=INSERT_BATCH_SIZE)


def create_missing(model, objects, key_fields):
    """Insert those of ``objects`` whose natural key is not in the database yet, with their
    history rows; rows already there are left as they are. Returns the inserted objects."""
    return insert(model, missing(model, objects, key_fields))


def row_counts():
    """Rows per model of the registry (history tables included), for the report of a run."""
    return {
        model: model._default_manager.count()
        for model in apps.get_app_config("champions").get_models()
    }


def loaded_on():
    """The load day of the sample data set already in the database, read back from the award
    of its first batch; ``None`` when there is none (or not one this plan made)."""
    batch = (
        Batch.objects.filter(
            tier_id=ANCHOR.tier,
            number=ANCHOR.number,
            source=SAMPLE_SOURCE,
            announced_on__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    if batch is None:
        return None
    today = batch.announced_on + datetime.timedelta(days=ANCHOR.days_before(AWARD))
    return today if batch.document == batch_document(ANCHOR, Calendar(today)) else None


def load_demo(today=None):
    """Add whatever of the sample data set is missing, in one transaction.

    ``today`` is the load day the plan's dates count back from: by default the day the sample
    data already in the database were loaded on (so that a later run completes them with the
    same dates), else today. Returns ``{model: rows added}`` for every model of the registry,
    history tables included.
    """
    with transaction.atomic():
        calendar = Calendar(today or loaded_on() or timezone.localdate())
        before = row_counts()
        tiers = Tier.objects.in_bulk({plan.tier for plan in BATCH_PLANS})
        firms = plan_firms()
        ids = _load_enterprises(firms)
        batches = _load_batches(tiers, calendar)
        notices = _load_notices(tiers, batches, calendar)
        _load_grants(firms, ids, tiers, batches, notices)
        _load_nominations(firms, ids, batches, notices, calendar)
        _load_figures(ids, calendar, firms)
        _load_province_counts(calendar)
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
    id_by_code = dict(
        Enterprise.objects.filter(credit_code__in=[f.credit_code for f in firms]).values_list(
            "credit_code", "id"
        )
    )
    new = [
        Enterprise(name_key=name_key(firm.name), **firm.fields)
        for firm in firms
        if firm.credit_code not in id_by_code
    ]
    id_by_code.update(
        (enterprise.credit_code, enterprise.pk) for enterprise in insert(Enterprise, new)
    )
    ids = {firm.serial: id_by_code[firm.credit_code] for firm in firms}
    former_names = [
        FormerName(enterprise_id=ids[firm.serial], name=name, name_key=name_key(name))
        for firm in firms
        for name in firm.former_names
    ]
    create_missing(FormerName, former_names, ["enterprise_id", "name_key"])
    return ids


def _load_batches(tiers, calendar):
    """Create the missing batches; return ``{(tier, number): batch}``."""
    planned = {}
    for plan in BATCH_PLANS:
        tier = tiers[plan.tier]
        year = calendar.batch_year(plan)
        planned[plan.tier, plan.number] = Batch(
            tier=tier,
            number=plan.number,
            year=year,
            key_year=Batch.key_year_for(tier, year),
            recommendation_deadline=calendar.before(plan.deadline_days),
            announced_on=calendar.list_day(plan, AWARD),
            document=batch_document(plan, calendar),
            source=SAMPLE_SOURCE,
        )
    key = ["tier_id", "key_year", "number"]
    create_missing(Batch, planned.values(), key)
    found = {
        tuple(getattr(batch, f) for f in key): batch
        for batch in Batch.objects.filter(tier_id__in=tiers).select_related("tier")
    }
    return {
        plan_key: found[tuple(getattr(batch, f) for f in key)]
        for plan_key, batch in planned.items()
    }


def _load_notices(tiers, batches, calendar):
    """Create the missing notices, one per list of the plan; return
    ``{(tier, batch number, kind): notice}``."""
    planned = {}
    for plan in BATCH_PLANS:
        tier = tiers[plan.tier]
        for kind, _days in plan.lists:
            day = calendar.list_day(plan, kind)
            planned[plan.tier, plan.number, kind] = Notice(
                authority=tier.authority,
                title=f"{tier.name}第{plan.number}批{LIST_TITLES[kind]}（{SAMPLE_LABEL}）",
                document=list_document(plan, kind, day),
                published_on=day,
                source=SAMPLE_SOURCE,
                kind=kind,
                tier=tier,
                batch=batches[plan.tier, plan.number],
            )
    key = ["tier_id", "batch_id", "kind", "document"]
    in_batches = Notice.objects.filter(batch__in=[batch.pk for batch in batches.values()])
    insert(Notice, missing(Notice, planned.values(), key, in_batches))
    found = {tuple(getattr(notice, f) for f in key): notice for notice in in_batches}
    return {
        plan_key: found[tuple(getattr(notice, f) for f in key)]
        for plan_key, notice in planned.items()
    }


def _load_grants(firms, ids, tiers, batches, notices):
    """Create the missing titles of the grants and first (set) products, each with an event from
    each list naming it, and its standing derived from them before it is inserted."""
    planned = [
        (serial, grant.tier, grant.batch, "", grant.events)
        for grant in GRANTS
        for serial in grant.serials
    ]
    planned += [
        (serial, "first_set", batch, product, ((AWARD, ""),))
        for serial, product, batch in first_set_products(firms)
    ]
    present = set(
        Designation.objects.filter(batch__in=[batch.pk for batch in batches.values()]).values_list(
            "enterprise_id", "batch_id", "product_key"
        )
    )
    designations, events = [], []
    for serial, tier, number, product, facts in planned:
        batch = batches[tier, number]
        if (ids[serial], batch.pk, product_key(product)) in present:
            continue
        designation = Designation(
            enterprise_id=ids[serial],
            tier=tiers[tier],
            batch=batch,
            year=batch.year,
            product=product,
            product_key=product_key(product),
        )
        own = sorted(
            (
                DesignationEvent(
                    kind=kind,
                    outcome=outcome,
                    notice=notice,
                    happened_on=notice.published_on,
                    name_on_list=firms[serial].name,
                    note=SAMPLE_LABEL,
                )
                for kind, outcome in facts
                for notice in [notices[tier, number, kind]]
            ),
            key=lambda event: event.happened_on,
        )
        # The service's own derivation, on the unsaved title: its history row shows its standing.
        titles.derive_onto(designation, own)
        designations.append(designation)
        events.append(own)
    for designation, own in zip(insert(Designation, designations), events, strict=True):
        for event in own:
            event.designation = designation
    insert(DesignationEvent, [event for own in events for event in own])


def _stage_plan(nomination, plan, level, calendar):
    """``[(stage, date)]`` the nomination goes through after its draft."""
    stages = path_to(Stage.DRAFT, nomination.reached, level)
    dated = [(stage, calendar.stage_day(plan, stage)) for stage in stages]
    if nomination.rejected:
        missed = FUNNEL[FUNNEL.index(nomination.reached) + 1]
        dated.append((Stage.REJECTED, calendar.stage_day(plan, missed)))
    return dated


def _load_nominations(firms, ids, batches, notices, calendar):
    """File each nomination and make the moves it has not made yet, through the workflow service;
    an approved one's title is recorded from its batch's lists first, and the approval completes
    it."""
    for nomination in NOMINATIONS:
        plan = BATCH_PLAN[nomination.tier, nomination.batch]
        batch = batches[nomination.tier, nomination.batch]
        product = firms[nomination.serial].main_product if batch.tier_id in PRODUCT_TIERS else ""
        recommendation, _created = Recommendation.objects.select_related(
            "batch__tier", "enterprise"
        ).get_or_create(
            enterprise_id=ids[nomination.serial],
            batch=batch,
            product=product,
            defaults={"note": SAMPLE_LABEL},
        )
        if nomination.reached == Stage.APPROVED:
            _record_title(recommendation, plan, notices)
        dated = _stage_plan(nomination, plan, batch.tier.level, calendar)
        # Make only the moves still to come; a recommendation staff have moved elsewhere stays.
        reached = [Stage.DRAFT, *(stage for stage, _day in dated)]
        remaining = (
            dated[reached.index(recommendation.stage) :] if recommendation.stage in reached else []
        )
        for stage, day in remaining:
            note = f"未通过评审（{SAMPLE_LABEL}）" if stage == Stage.REJECTED else SAMPLE_LABEL
            move(recommendation, stage, note=note, happened_on=day)


def _record_title(recommendation, plan, notices):
    """The title of an approved recommendation, with an event from each list of its batch (a
    review it passed), unless it is there already."""
    batch, enterprise = recommendation.batch, recommendation.enterprise
    if Designation.objects.filter(
        enterprise=enterprise,
        tier_id=batch.tier_id,
        batch=batch,
        product_key=product_key(recommendation.product),
    ).exists():
        return

    def facts(kind):
        notice = notices[plan.tier, plan.number, kind]
        return {
            "happened_on": notice.published_on,
            "notice": notice,
            "name_on_list": enterprise.name,
            "note": SAMPLE_LABEL,
        }

    designation = titles.award(
        enterprise,
        batch.tier,
        batch=batch,
        year=batch.year,
        product=recommendation.product,
        **facts(AWARD),
    )
    for kind, _days in plan.lists:
        if kind != AWARD:
            outcome = PASSED if kind == REVIEW_RESULT else ""
            titles.record_event(designation, kind, outcome=outcome, **facts(kind))


def plan_eligibility_figures(figures, firms):
    """Add the figures the eligibility criteria read (``champions.eligibility``) to the planned
    ``figures`` (``{year: {serial: fields}}``, oldest first), and a year before the first with
    only revenue, main-business revenue, net profit and new equity (the growth of the first year
    needs it; without an output value it is in no public aggregate). No planned value changes: the
    headline figures stay as they are.

    Each firm gets a profile drawn from a generator seeded with its serial: most meet a tier's
    thresholds comfortably, some miss one by a little, some by much, so that each tier has
    candidates and near misses (for the innovative SMEs, whose score moves in steps of 5 points,
    those of ``NEAR_MISS_EQUITY``).
    """
    years = sorted(figures)
    first = years[0]
    before = {}
    for serial in FIGURE_SERIALS:
        firm = random.Random(f"load_demo:eligibility:{serial}")
        main_share = firm.choice((0.72, 0.85, 0.93, 0.96)) + firm.uniform(-0.06, 0.03)
        debt_ratio = firm.uniform(0.35, 0.82)
        margin = firm.uniform(0.04, 0.12)
        profit_growth = firm.uniform(0.9, 1.3)
        ip_class1 = firm.choice((0, 1, 2, 3, 4, 5, 8, 12)) if serial < 130 else firm.randint(0, 3)
        ip_class2 = firm.randint(0, 30)
        founded = firms[serial].fields["founded"]
        niche_years = max(1, years[-1] - founded - firm.randint(0, 6))
        market_share = firm.uniform(12, 45) if serial < 31 else firm.uniform(3, 25)
        score = firm.uniform(45, 92)
        equity = firm.choice((0, 0, 0, 0, 500, 1200, 3000, 9000)) if serial >= 130 else 0
        for back, year in enumerate(reversed(years)):
            fields = figures[year][serial]
            revenue = fields["revenue"]
            share = min(main_share + firm.uniform(-0.01, 0.01), 0.995)
            assets = revenue * Decimal(str(round(firm.uniform(0.9, 1.6), 3)))
            fields.update(
                main_revenue=money(revenue * Decimal(str(share))),
                total_assets=money(assets),
                total_liabilities=money(assets * Decimal(str(debt_ratio))),
                net_profit=money(revenue * Decimal(str(margin / profit_growth**back))),
                rd_staff=max(1, int(fields["employees"] * firm.uniform(0.08, 0.3))),
                ip_class1=max(0, ip_class1 - back),
                ip_class2=max(0, ip_class2 - 2 * back),
                niche_years=max(0, niche_years - back),
                market_share=Decimal(str(round(market_share, 2))),
                equity_raised=money(NEAR_MISS_EQUITY.get(serial, equity) if back == 0 else 0),
                evaluation_score=Decimal(str(round(score - back, 1))),
            )
        revenue = figures[first][serial]["revenue"] / Decimal(str(firm.uniform(1.0, 1.15)))
        before[serial] = {
            "revenue": money(revenue),
            "main_revenue": money(revenue * Decimal(str(main_share))),
            "net_profit": money(revenue * Decimal(str(margin / profit_growth ** len(years)))),
            "equity_raised": money(0),
        }
    figures[first - 1] = before
    return figures


def _load_figures(ids, calendar, firms):
    figures = plan_figures(random.Random("load_demo:figures"), calendar.figure_years)
    figures = plan_eligibility_figures(figures, firms)
    planned = [
        YearlyFigures(enterprise_id=ids[serial], year=year, **fields)
        for year, rows in figures.items()
        for serial, fields in rows.items()
    ]
    create_missing(YearlyFigures, planned, ["enterprise_id", "year"])
    # Both years are closed by the bureau (the public pages publish only closed years), on
    # the load day.
    closed = [FiguresYear(year=year, closed_on=calendar.today) for year in calendar.figure_years]
    create_missing(FiguresYear, closed, ["year"])


def _load_province_counts(calendar):
    """The province comparison for the year of the batch under way: reported in it, and titles
    in force."""
    wenzhou = (
        planned_submitted(CURRENT_BATCH.tier, CURRENT_BATCH.number),
        *(planned_in_force(tier) for tier in IN_FORCE_TIERS),
    )
    year = calendar.batch_year(CURRENT_BATCH)
    planned = []
    for city, (submitted, *in_force) in {**OTHER_CITIES, CITY: wenzhou}.items():
        row = {"region_id": city, "year": year, "source": SAMPLE_SOURCE}
        planned.append(
            ProvinceCount(
                tier_id=CURRENT_BATCH.tier,
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
            name_en=TARGET_NAMES_EN.get(code, ""),
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
