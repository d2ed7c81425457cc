"""Regions, industries and tiers: small tables seeded from ``champions/reference``.

Regions are offered city first: wherever staff choose a region (a form's select, a list's filter),
the units of this city (``settings.CHAMPIONS_CITY_CODE``: the city, then its counties in code
order) come before the rest of the province and the country, and each of them names the
functional zones and former names counted in it (龙湾区（温州经济技术开发区、…）).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When

from ..models import Industry, Region, Tier
from .common import HistoryAdmin, RegistryAdmin


def city_first():
    """The order of regions: the city, its counties, then every other region, by code."""
    city = settings.CHAMPIONS_CITY_CODE
    rank = Case(
        When(code=city, then=Value(0)),
        When(parent_id=city, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (rank.asc(), "code")


def regions_city_first():
    return Region.objects.order_by(*city_first())


def in_city(region):
    city = settings.CHAMPIONS_CITY_CODE
    return city in (region.code, region.parent_id)


def region_label(region):
    """The region's name; for a unit of the city, with the other spellings it covers, each once
    (经开区 is left out beside 温州经开区)."""
    if not in_city(region):
        return region.name
    aliases = [alias for alias in dict.fromkeys(region.alias_list) if alias != region.name]
    shown = [a for a in aliases if not any(a != other and a in other for other in aliases)]
    return f"{region.name}（{'、'.join(shown)}）" if shown else region.name


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_label(obj)


class RegionChoices:
    """Mixed into a ModelAdmin: its region selects list the city's units first, with their zones."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Region and db_field.name not in self.get_autocomplete_fields(
            request
        ):
            kwargs.setdefault("queryset", regions_city_first())
            kwargs.setdefault("form_class", RegionChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RegionListFilter(admin.RelatedFieldListFilter):
    """A region filter listing the city's units first, with their zones: ``("region",
    RegionListFilter)`` in ``list_filter``."""

    def field_choices(self, field, request, model_admin):
        return [(region.pk, region_label(region)) for region in regions_city_first()]


class CodeFixedOnceSaved:
    """The code is the primary key: editing it would create a second row, not rename this one."""

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "code") if obj is not None else fields


@admin.register(Region)
class RegionAdmin(RegionChoices, CodeFixedOnceSaved, RegistryAdmin):
    list_display = ("code", "name", "name_en", "level", "parent")
    list_select_related = ("parent",)
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en", "aliases")

    def get_ordering(self, request):
        # Django orders the region selects and filters of every other admin by this one's
        # ordering too (``get_field_queryset``, ``RelatedFieldListFilter``).
        return city_first()


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
