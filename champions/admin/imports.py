"""The record of import runs, written only by the import command."""

from django.contrib import admin

from ..models import ImportRun
from .common import ReadOnlyAdmin


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "status",
        "started_at",
        "finished_at",
        "user",
        "created",
        "updated",
        "unchanged",
        "errors",
    )
    list_select_related = ("user",)
    list_filter = ("kind", "status")
    search_fields = ("file_name", "sha256", "command")
    date_hierarchy = "started_at"
