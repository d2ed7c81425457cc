"""Yearly figures of enterprises, the five-year targets and the province comparison counts.

Amounts (万元) are shown with thousands separators wherever they are read rather than typed: in
the lists and on the pages of staff who may only view them. Django's own number formatting
follows ``USE_THOUSAND_SEPARATOR`` and the language (Chinese groups by nothing), so they are
formatted here.
"""

from decimal import Decimal

from django.contrib import admin

from ..models import ProvinceCount, Target, YearlyFigures
from ..models.figures import REPORTED_FIGURES
from .common import (
    ENTERPRISE_SEARCH_FIELDS,
    HistoryAdmin,
    RecentRowsFormSet,
    RegistryInline,
    YearListFilter,
)
from .reference import RegionChoices, RegionListFilter

#: The fields of ``YearlyFigures`` in 万元.
AMOUNT_FIELDS = (
    "output_value",
    "revenue",
    "rd_spending",
    "new_product_output",
    "export_value",
    "main_revenue",
    "total_assets",
    "total_liabilities",
    "net_profit",
    "equity_raised",
)


def format_amount(value):
    """``1234567.5`` as ``1,234,567.50``, a whole amount without decimals (``150,000``);
    ``None`` stays ``None`` (the admin shows its empty value)."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _amount_display(name):
    """An admin display of the amount field ``name``: its label, sorted by it, formatted."""
    field = YearlyFigures._meta.get_field(name)

    @admin.display(description=field.verbose_name, ordering=name)
    def show(self, figures):
        return format_amount(getattr(figures, name))

    show.__name__ = f"{name}_amount"
    return show


class ReadableAmounts:
    """Mixed into the figures' admin and inline: the amounts in ``list_display`` and, for staff
    who may only view them, on the change page are shown formatted (``<field>_amount``)."""

    output_value_amount = _amount_display("output_value")
    revenue_amount = _amount_display("revenue")
    rd_spending_amount = _amount_display("rd_spending")
    new_product_output_amount = _amount_display("new_product_output")
    export_value_amount = _amount_display("export_value")
    main_revenue_amount = _amount_display("main_revenue")
    total_assets_amount = _amount_display("total_assets")
    total_liabilities_amount = _amount_display("total_liabilities")
    net_profit_amount = _amount_display("net_profit")
    equity_raised_amount = _amount_display("equity_raised")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [f"{name}_amount" if name in AMOUNT_FIELDS else name for name in fields]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return (*fields, *(f"{name}_amount" for name in AMOUNT_FIELDS))


class YearlyFiguresInline(ReadableAmounts, RegistryInline):
    """An enterprise's latest years of figures; the link above the inlines lists all of them."""

    model = YearlyFigures
    formset = RecentRowsFormSet
    fields = ("year", "size_class", *REPORTED_FIGURES)
    ordering = ("-year",)
    extra = 0
    show_change_link = True


@admin.register(YearlyFigures)
class YearlyFiguresAdmin(ReadableAmounts, HistoryAdmin):
    list_display = (
        "enterprise",
        "year",
        "output_value_amount",
        "revenue_amount",
        "new_product_output_amount",
        "employees",
    )
    list_select_related = ("enterprise",)
    list_filter = (YearListFilter, ("enterprise__region", RegionListFilter), "enterprise__industry")
    search_fields = ENTERPRISE_SEARCH_FIELDS
    enterprise_path = "enterprise"
    ordering = ("-year", "-id")
    autocomplete_fields = ("enterprise",)


@admin.register(Target)
class TargetAdmin(HistoryAdmin):
    list_display = (
        "name",
        "code",
        "metric",
        "threshold",
        "industry_group",
        "goal",
        "deadline_year",
    )
    list_filter = ("metric", "deadline_year")
    search_fields = ("code", "name")


@admin.register(ProvinceCount)
class ProvinceCountAdmin(RegionChoices, HistoryAdmin):
    list_display = ("region", "tier", "year", "measure", "count")
    list_select_related = ("region", "tier")
    list_filter = ("tier", "year", "measure", ("region", admin.RelatedOnlyFieldListFilter))
    search_fields = ("region__name", "region__code", "tier__name", "source")
