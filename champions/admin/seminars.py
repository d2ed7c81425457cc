"""Seminars, and the organisations and experts that take part in them."""

from django.contrib import admin

from ..models import Expert, Organisation, Seminar
from .common import HistoryAdmin, RegistryAdmin


@admin.register(Organisation)
class OrganisationAdmin(RegistryAdmin):
    list_display = ("name", "name_en")
    search_fields = ("name", "name_en")


@admin.register(Expert)
class ExpertAdmin(RegistryAdmin):
    list_display = ("name", "affiliation")
    search_fields = ("name", "affiliation")


@admin.register(Seminar)
class SeminarAdmin(HistoryAdmin):
    list_display = ("held_on", "title", "place", "is_published")
    list_filter = ("is_published",)
    date_hierarchy = "held_on"
    search_fields = ("title", "theme", "place", "summary", "sponsors__name", "experts__name")
    autocomplete_fields = ("sponsors", "experts", "participants")
