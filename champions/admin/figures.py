"""Yearly figures of enterprises, the five-year targets and the province comparison counts."""

from django.contrib import admin

from ..models import ProvinceCount, Target, YearlyFigures
from .common import (
    ENTERPRISE_FILTERS,
    ENTERPRISE_SEARCH_FIELDS,
    HistoryAdmin,
    RecentRowsFormSet,
    RegistryInline,
    YearListFilter,
)


class YearlyFiguresInline(RegistryInline):
    """An enterprise's latest years of figures; the link above the inlines lists all of them."""

    model = YearlyFigures
    formset = RecentRowsFormSet
    fields = (
        "year",
        "size_class",
        "output_value",
        "revenue",
        "rd_spending",
        "new_product_output",
        "export_value",
        "employees",
        "national_rank",
        "global_rank",
    )
    ordering = ("-year",)
    extra = 0
    show_change_link = True


@admin.register(YearlyFigures)
class YearlyFiguresAdmin(HistoryAdmin):
    list_display = (
        "enterprise",
        "year",
        "output_value",
        "revenue",
        "new_product_output",
        "employees",
    )
    list_select_related = ("enterprise",)
    list_filter = (YearListFilter, *ENTERPRISE_FILTERS)
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
class ProvinceCountAdmin(HistoryAdmin):
    list_display = ("region", "tier", "year", "measure", "count")
    list_select_related = ("region", "tier")
    list_filter = ("tier", "year", "measure", ("region", admin.RelatedOnlyFieldListFilter))
    search_fields = ("region__name", "region__code", "tier__name", "source")
