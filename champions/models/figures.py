"""Yearly figures of enterprises, the five-year targets, and the province comparison counts.

Money is in 万元 (ten thousand yuan), the unit Chinese statistics publish in; every label says so.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .common import HistoryImportRun, TimeStampedModel, year_range_check, year_validators

MONEY = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True}

#: The figures the eligibility criteria need (``champions.eligibility``), in their order in
#: forms, files and exports.
ELIGIBILITY_FIGURES = (
    "main_revenue",
    "total_assets",
    "total_liabilities",
    "net_profit",
    "rd_staff",
    "ip_class1",
    "ip_class2",
    "niche_years",
    "market_share",
    "equity_raised",
    "evaluation_score",
)

#: The figures of the yearly statistics report, in their order in forms, files and exports.
REPORTED_FIGURES = (
    "output_value",
    "revenue",
    "rd_spending",
    "new_product_output",
    "export_value",
    "employees",
    "national_rank",
    "global_rank",
)

#: Fields of ``YearlyFigures`` that must not be negative (ranks are checked on their own, as
#: positive; a net profit may be negative; a market share is a percentage, checked on its own).
NON_NEGATIVE_FIGURES = (
    *(name for name in REPORTED_FIGURES if not name.endswith("_rank")),
    *(name for name in ELIGIBILITY_FIGURES if name not in ("net_profit", "market_share")),
)


class SizeClass(models.TextChoices):
    """The SME size class (中小企业划型) of the Ministry's classification rules: a firm's class
    follows its employees and revenue of the year, so it is one of the yearly figures."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class YearlyFigures(TimeStampedModel):
    """One enterprise's figures for one year. Confidential: public pages show aggregates only."""

    enterprise = models.ForeignKey(
        "champions.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="figures",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    output_value = models.DecimalField(_("industrial output value (10k yuan)"), **MONEY)
    revenue = models.DecimalField(_("operating revenue (10k yuan)"), **MONEY)
    rd_spending = models.DecimalField(_("R&D spending (10k yuan)"), **MONEY)
    new_product_output = models.DecimalField(_("new-product output value (10k yuan)"), **MONEY)
    export_value = models.DecimalField(_("export value (10k yuan)"), **MONEY)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    national_rank = models.PositiveSmallIntegerField(
        _("national market-share rank of the main product"), null=True, blank=True
    )
    global_rank = models.PositiveSmallIntegerField(
        _("global market-share rank of the main product"), null=True, blank=True
    )
    size_class = models.CharField(
        _("SME size class"), max_length=6, choices=SizeClass.choices, blank=True
    )
    # What the eligibility criteria of the titles ask for (champions.eligibility).
    main_revenue = models.DecimalField(_("main-business revenue (10k yuan)"), **MONEY)
    total_assets = models.DecimalField(_("total assets (10k yuan)"), **MONEY)
    total_liabilities = models.DecimalField(_("total liabilities (10k yuan)"), **MONEY)
    net_profit = models.DecimalField(_("net profit (10k yuan)"), **MONEY)
    rd_staff = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)
    ip_class1 = models.PositiveIntegerField(
        _("class I intellectual property of the main product"),
        null=True,
        blank=True,
        help_text=_("Invention patents and the like, valid and tied to the main product."),
    )
    ip_class2 = models.PositiveIntegerField(
        _("class II intellectual property of the main product"),
        null=True,
        blank=True,
        help_text=_("Utility models, designs, software copyrights and the like."),
    )
    niche_years = models.PositiveSmallIntegerField(
        _("years in the niche market"), null=True, blank=True
    )
    market_share = models.DecimalField(
        _("niche market share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    equity_raised = models.DecimalField(
        _("new equity from qualified investors (10k yuan)"),
        **MONEY,
        help_text=_("Paid in during the year."),
    )
    evaluation_score = models.DecimalField(
        _("specialized and innovative evaluation score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")
        ordering = ["-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="figures_unique_per_year"),
            year_range_check("year", "figures_year_range"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__gte": 0})
                    | models.Q(**{f"{field}__isnull": True}),
                    name=f"figures_{field}_not_negative",
                )
                for field in NON_NEGATIVE_FIGURES
            ),
            models.CheckConstraint(
                condition=models.Q(national_rank__isnull=True) | models.Q(national_rank__gte=1),
                name="figures_national_rank_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(global_rank__isnull=True) | models.Q(global_rank__gte=1),
                name="figures_global_rank_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(market_share__isnull=True)
                | models.Q(market_share__gte=0, market_share__lte=100),
                name="figures_market_share_percent",
            ),
        ]
        indexes = [models.Index(fields=["year"], name="figures_year")]

    def __str__(self):
        return f"{self.enterprise} · {self.year}"


class Target(TimeStampedModel):
    """A goal of the five-year plan. Progress is computed from the yearly figures."""

    class Metric(models.TextChoices):
        ENTERPRISES_OVER = "enterprises_over", _("Enterprises with output value over a threshold")
        GROUP_OUTPUT = "group_output", _("Total output value of an industry group")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    metric = models.CharField(_("measure"), max_length=20, choices=Metric.choices)
    threshold = models.DecimalField(
        _("output threshold (10k yuan)"),
        **MONEY,
        help_text=_("For the count of enterprises over a threshold."),
    )
    industry_group = models.CharField(
        _("industry group"),
        max_length=12,
        blank=True,
        choices=[
            ("traditional", _("Traditional industries")),
            ("emerging", _("Emerging industries")),
        ],
        help_text=_("For the total output of an industry group."),
    )
    goal = models.DecimalField(
        _("goal"),
        max_digits=16,
        decimal_places=2,
        help_text=_("A number of enterprises, or an output value in 10k yuan."),
    )
    deadline_year = models.PositiveSmallIntegerField(_("deadline year"), validators=year_validators)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(goal__gt=0), name="target_goal_positive"),
            year_range_check("deadline_year", "target_deadline_year_range"),
            models.CheckConstraint(
                condition=(
                    models.Q(metric="enterprises_over")
                    & models.Q(threshold__isnull=False)
                    & models.Q(threshold__gte=0)
                )
                | (models.Q(metric="group_output") & ~models.Q(industry_group="")),
                name="target_metric_parameters",
            ),
        ]

    def __str__(self):
        return self.name


class ProvinceCount(TimeStampedModel):
    """How many firms of a city hold (or reached a stage for) a tier, as the province publishes it.

    The registry holds only its own city's firms; these rows let the public pages rank the city
    among the others.
    """

    class Measure(models.TextChoices):
        IN_FORCE = "in_force", _("Holding the title")
        SUBMITTED = "submitted", _("Reported to the ministry")

    region = models.ForeignKey(
        "champions.Region",
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="province_counts",
    )
    tier = models.ForeignKey(
        "champions.Tier",
        verbose_name=_("tier"),
        on_delete=models.PROTECT,
        related_name="province_counts",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    measure = models.CharField(
        _("measure"), max_length=12, choices=Measure.choices, default=Measure.IN_FORCE
    )
    count = models.PositiveIntegerField(_("count"))
    source = models.CharField(_("source"), max_length=500, blank=True)

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("province comparison count")
        verbose_name_plural = _("province comparison counts")
        ordering = ["tier__position", "-year", "-count"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "tier", "year", "measure"], name="province_count_unique"
            ),
            year_range_check("year", "province_count_year_range"),
        ]

    def __str__(self):
        return f"{self.region} · {self.tier} · {self.year}: {self.count}"
