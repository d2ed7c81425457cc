"""Yearly figures of enterprises, and the province comparison counts of other cities."""

from django.utils.translation import gettext as _

from ...models import ProvinceCount, YearlyFigures
from ...models.figures import SizeClass
from .. import cells
from ..columns import Column
from ..errors import CellError
from ..upsert import Key
from .base import Kind
from .referencing import ReferencingKind
from .titles import level_column, tier_column

MEASURES = {
    **{value: value for value in ProvinceCount.Measure.values},
    "拥有称号": "in_force",
    "持有称号": "in_force",
    "在册": "in_force",
    "上报工信部": "submitted",
    "已上报": "submitted",
}


#: The SME size classes (中小企业划型) as files write them, the official words first: a refused
#: cell names them in this order.
SIZE_CLASSES = {
    "大型": SizeClass.LARGE.value,
    "中型": SizeClass.MEDIUM.value,
    "小型": SizeClass.SMALL.value,
    "微型": SizeClass.MICRO.value,
    "大型企业": SizeClass.LARGE.value,
    "中型企业": SizeClass.MEDIUM.value,
    "小型企业": SizeClass.SMALL.value,
    "微型企业": SizeClass.MICRO.value,
    **{value: value for value in SizeClass.values},
}


def size_class_column():
    parse = cells.choice(SIZE_CLASSES, _("size class"))

    def parse_size_class(raw):
        return parse(raw) or ""  # an empty cell: no class (the field has no NULL)

    return Column(
        "size_class", ("企业规模", "中小企业划型", "企业划型"), parse_size_class, field="size_class"
    )


def money(name, *labels):
    """An amount in 10k yuan (万元), the unit Chinese statistics publish in; the headers say so."""
    return Column(name, labels, cells.decimal(16, 2), field=name, english=f"{name} (10k yuan)")


class Figures(ReferencingKind):
    name = "figures"
    model = YearlyFigures
    parallel = True
    required = (("credit_code", "name"), ("year",))
    keys = (Key(("enterprise_id", "year")),)

    def columns(self):
        return (
            *self.enterprise_columns(),
            Column("year", ("年份", "年度"), cells.year, field="year", keep_when_empty=True),
            money("output_value", "工业总产值（万元）", "工业总产值", "产值（万元）"),
            money("revenue", "营业收入（万元）", "营业收入"),
            money("rd_spending", "研发费用（万元）", "研发费用", "研发投入（万元）"),
            money("new_product_output", "新产品产值（万元）", "新产品产值"),
            money("export_value", "出口交货值（万元）", "出口交货值", "出口额（万元）"),
            Column(
                "employees",
                ("从业人员（人）", "从业人员", "员工人数"),
                cells.integer(),
                field="employees",
            ),
            Column(
                "national_rank",
                ("国内市场占有率排名", "国内排名"),
                cells.integer(1, 32767),
                field="national_rank",
            ),
            Column(
                "global_rank",
                ("全球市场占有率排名", "全球排名"),
                cells.integer(1, 32767),
                field="global_rank",
            ),
            size_class_column(),
            # What the eligibility criteria of the titles ask for (champions.eligibility).
            money("main_revenue", "主营业务收入（万元）", "主营业务收入", "主营收入（万元）"),
            money("total_assets", "资产总额（万元）", "资产总额", "总资产（万元）", "总资产"),
            money("total_liabilities", "负债总额（万元）", "负债总额", "总负债（万元）", "总负债"),
            Column(
                "net_profit",
                ("净利润（万元）", "净利润"),
                cells.decimal(16, 2, negative=True),
                field="net_profit",
                english="net_profit (10k yuan)",
            ),
            Column(
                "rd_staff",
                ("研发人员（人）", "研发人员", "研发人员数", "研发人员数量"),
                cells.integer(),
                field="rd_staff",
            ),
            Column(
                "ip_class1",
                ("Ⅰ类知识产权（项）", "Ⅰ类知识产权", "Ⅰ类知识产权数量"),
                cells.integer(),
                field="ip_class1",
            ),
            Column(
                "ip_class2",
                ("Ⅱ类知识产权（项）", "Ⅱ类知识产权", "Ⅱ类知识产权数量"),
                cells.integer(),
                field="ip_class2",
            ),
            Column(
                "niche_years",
                ("从事细分领域年限", "从事特定细分市场年限", "细分领域年限", "从事细分市场年限"),
                cells.integer(0, 32767),
                field="niche_years",
            ),
            Column(
                "market_share",
                ("细分市场占有率（%）", "细分市场占有率", "市场占有率（%）", "市场占有率"),
                cells.decimal(5, 2, maximum=100, percent=True),
                field="market_share",
                english="market_share (%)",
            ),
            money(
                "equity_raised",
                "新增股权融资（万元）",
                "新增股权融资",
                "股权融资（万元）",
                "股权融资",
            ),
            Column(
                "evaluation_score",
                ("评价得分", "专精特新评价得分", "专精特新发展评价得分", "评价分数"),
                cells.decimal(5, 1, maximum=100),
                field="evaluation_score",
            ),
        )

    def complete(self, row, line):
        if row.get("year") is None:
            self.errors.add(line, self.header.label("year"), _("a year is required"))
            return False
        return super().complete(row, line)


class ProvinceCounts(Kind):
    name = "province"
    model = ProvinceCount
    parallel = True
    required = (("region",), ("tier",), ("year",), ("count",))
    keys = (Key(("region_id", "tier_id", "year", "measure")),)
    identity_column = "region"

    def columns(self):
        return (
            Column(
                "region",
                ("地市", "城市", "设区市", "地区"),
                self.references.region,
                field="region_id",
                keep_when_empty=True,
            ),
            tier_column(self.references, field="tier_id"),
            level_column(self.references),
            Column("year", ("年份", "年度"), cells.year, field="year", keep_when_empty=True),
            Column(
                "measure",
                ("口径", "统计口径"),
                cells.choice(MEASURES, _("measure")),
                field="measure",
                keep_when_empty=True,
            ),
            Column(
                "count",
                ("数量", "企业数", "企业数量"),
                cells.integer(),
                field="count",
                keep_when_empty=True,
            ),
            Column("source", ("来源", "出处"), cells.text(500), field="source"),
        )

    def derived_columns(self):
        return [("measure", self.field_type("measure"))]

    def complete(self, row, line):
        for column in ("region", "tier", "year"):
            if row.get(column) is None:
                self.errors.add(line, self.header.label(column), _("required"))
                return False
        try:
            row["tier"] = self.references.resolve_tier(row["tier"], row.get("level")).code
        except CellError as error:
            self.errors.add(line, self.header.label("tier"), error)
            return False
        row["measure"] = row.get("measure") or ProvinceCount.Measure.IN_FORCE
        return True

    def required_on_create(self):
        return [("count", "count")]
