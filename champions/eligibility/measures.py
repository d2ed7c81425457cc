"""The measures the eligibility conditions compare, each derived from the yearly figures in one
place: a condition names a measure (``rd_ratio``), never a formula.

A measure is read for one year of one firm: ``value(figures, year, firm)`` with ``figures`` the
firm's ``{year: {field: value}}`` and ``firm`` its facts (``Firm``). It is ``None`` (unknown)
when a figure it needs is missing, or when it is not defined (a share of a zero revenue, the
growth from a loss). Ratios, shares and growth rates are percentages.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)

PERCENT = "%"
MONEY = _("10k yuan")
PERSONS = _("persons")
YEARS = _("years")
ITEMS = _("items")
POINTS = _("points")
RANK = ""


@dataclass(frozen=True)
class Firm:
    """What an evaluation knows of a firm beside its figures: the year it was founded, its
    region's code and every code above it, its industry's group (``Industry.Group``)."""

    founded: int | None = None
    regions: tuple = ()
    industry_group: str | None = None


@dataclass(frozen=True)
class Measure:
    code: str
    label: object
    unit: object
    compute: object
    #: Decimal places shown.
    places: int = 0

    def value(self, figures, year, firm):
        return self.compute(figures, year, firm)

    @property
    def fields(self):
        """The yearly figures it reads (none for the firm's facts)."""
        return getattr(self.compute, "fields", ())

    @property
    def years_before(self):
        """How many years before the one it is read for it also reads (1 for a growth)."""
        return getattr(self.compute, "years_before", 0)


def _figure(figures, year, name):
    """The figure ``name`` of ``year`` as a ``Decimal``, ``None`` when unknown."""
    row = figures.get(year)
    if not row:
        return None
    value = row.get(name)
    if value is None or value.__class__ is Decimal:
        return value
    return Decimal(value)


def field(name):
    """The figure ``name`` of the year, as it is recorded."""

    def compute(figures, year, firm):
        return _figure(figures, year, name)

    compute.fields = (name,)
    return compute


def share(numerator, denominator):
    """``numerator`` as a percentage of ``denominator``, both of the same year."""

    def compute(figures, year, firm):
        bottom = _figure(figures, year, denominator)
        if bottom is None or bottom <= 0:
            return None
        top = _figure(figures, year, numerator)
        return None if top is None else top * HUNDRED / bottom

    compute.fields = (numerator, denominator)
    return compute


def growth(name):
    """The growth of the figure ``name`` over the year before, in percent; unknown from a value
    that is not positive (the growth from a loss has no meaning)."""

    def compute(figures, year, firm):
        before = _figure(figures, year - 1, name)
        if before is None or before <= 0:
            return None
        now = _figure(figures, year, name)
        if now is None:
            return None
        return (now - before) * HUNDRED / before

    compute.fields = (name,)
    compute.years_before = 1
    return compute


def years_operating(figures, year, firm):
    """Whole years from the year the firm was founded to the year of the figures (founded in
    2014: 10 in 2024)."""
    return None if firm.founded is None else Decimal(year - firm.founded)


def emerging_industry(figures, year, firm):
    """1 for a firm of an emerging industry (the strategic emerging fields), 0 for another;
    unknown without an industry."""
    if not firm.industry_group:
        return None
    return Decimal(1 if firm.industry_group == "emerging" else 0)


MEASURES = {
    measure.code: measure
    for measure in (
        Measure("revenue", _("operating revenue"), MONEY, field("revenue")),
        Measure("main_revenue", _("main-business revenue"), MONEY, field("main_revenue")),
        Measure("rd_spending", _("R&D spending"), MONEY, field("rd_spending")),
        Measure("total_assets", _("total assets"), MONEY, field("total_assets")),
        Measure("total_liabilities", _("total liabilities"), MONEY, field("total_liabilities")),
        Measure("net_profit", _("net profit"), MONEY, field("net_profit")),
        Measure("employees", _("employees"), PERSONS, field("employees")),
        Measure("rd_staff", _("R&D staff"), PERSONS, field("rd_staff")),
        Measure("ip_class1", _("class I intellectual property"), ITEMS, field("ip_class1")),
        Measure("ip_class2", _("class II intellectual property"), ITEMS, field("ip_class2")),
        Measure("niche_years", _("years in the niche market"), YEARS, field("niche_years")),
        Measure("market_share", _("niche market share"), PERCENT, field("market_share"), places=1),
        Measure("national_rank", _("national market-share rank"), RANK, field("national_rank")),
        Measure("global_rank", _("global market-share rank"), RANK, field("global_rank")),
        Measure("equity_raised", _("new equity raised"), MONEY, field("equity_raised")),
        Measure(
            "evaluation_score",
            _("specialized and innovative evaluation score"),
            POINTS,
            field("evaluation_score"),
            places=1,
        ),
        Measure(
            "rd_ratio",
            _("R&D spending to revenue"),
            PERCENT,
            share("rd_spending", "revenue"),
            places=1,
        ),
        Measure(
            "main_share",
            _("main business in revenue"),
            PERCENT,
            share("main_revenue", "revenue"),
            places=1,
        ),
        Measure(
            "debt_ratio",
            _("debt-to-asset ratio"),
            PERCENT,
            share("total_liabilities", "total_assets"),
            places=1,
        ),
        Measure(
            "rd_staff_share",
            _("R&D staff among employees"),
            PERCENT,
            share("rd_staff", "employees"),
            places=1,
        ),
        Measure("revenue_growth", _("revenue growth"), PERCENT, growth("revenue"), places=1),
        Measure(
            "main_revenue_growth",
            _("main-business revenue growth"),
            PERCENT,
            growth("main_revenue"),
            places=1,
        ),
        Measure(
            "net_profit_growth", _("net profit growth"), PERCENT, growth("net_profit"), places=1
        ),
        Measure("years_operating", _("years in operation"), YEARS, years_operating),
        Measure("emerging_industry", _("in an emerging industry"), "", emerging_industry),
    )
}


def format_value(measure, value):
    """``value`` of ``measure`` as the conditions' texts show it: 3.2%, 1,500万元, 第2 → 2."""
    if value is None:
        return "—"
    value = Decimal(value)
    if measure.places and value != value.to_integral_value():
        number = f"{value:,.{measure.places}f}"
    else:
        number = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    unit = str(measure.unit)
    if unit == PERCENT or not unit:
        return f"{number}{unit}"
    return f"{number} {unit}" if unit.isascii() else f"{number}{unit}"
