"""Regions, industries and tiers: small tables seeded from ``champions/reference``."""

from django.contrib import admin

from ..models import Industry, Region, Tier
from .common import HistoryAdmin, RegistryAdmin


class CodeFixedOnceSaved:
    """The code is the primary key: editing it would create a second row, not rename this one."""

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "code") if obj is not None else fields


@admin.register(Region)
class RegionAdmin(CodeFixedOnceSaved, RegistryAdmin):
    list_display = ("code", "name", "name_en", "level", "parent")
    list_select_related = ("parent",)
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en", "aliases")


@admin.register(Industry)
class IndustryAdmin(CodeFixedOnceSaved, RegistryAdmin):
    list_display = ("code", "name", "name_en", "group", "position")
    list_filter = ("group",)
    search_fields = ("code", "name", "name_en")


@admin.register(Tier)
class TierAdmin(CodeFixedOnceSaved, HistoryAdmin):
    list_display = ("code", "name", "level", "kind", "validity_years", "position")
    list_filter = ("level", "kind")
    search_fields = ("code", "name", "name_en", "aliases")
