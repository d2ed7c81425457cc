"""Statistical disclosure control: the rules, and the years staff close for publication.

Closing a year (``FiguresYear.closed_on``) publishes its figures' aggregates on the public pages;
the action stamps the day and the person. Both models keep their history.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import DisclosureRule, FiguresYear
from .common import HistoryAdmin


@admin.register(DisclosureRule)
class DisclosureRuleAdmin(HistoryAdmin):
    list_display = ("applies_from", "min_contributors", "dominance_share", "note")
    search_fields = ("note",)
    ordering = ("-applies_from",)


@admin.register(FiguresYear)
class FiguresYearAdmin(HistoryAdmin):
    list_display = ("year", "closed_on", "closed_by", "note")
    list_filter = ("closed_on",)
    search_fields = ("year", "note")
    readonly_fields = ("closed_by",)
    ordering = ("-year",)
    actions = ["close_years", "reopen_years"]

    def save_model(self, request, obj, form, change):
        if obj.closed_on and "closed_on" in form.changed_data:
            obj.closed_by = request.user
        if not obj.closed_on:
            obj.closed_by = None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Close the selected years (publish their figures)"))
    def close_years(self, request, queryset):
        years = list(queryset.filter(closed_on__isnull=True))
        for year in years:  # saved one by one, so that each change has its history row
            year.closed_on = timezone.localdate()
            year.closed_by = request.user
            year.save()
        self.message_user(
            request,
            ngettext("%(n)d year closed.", "%(n)d years closed.", len(years)) % {"n": len(years)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reopen the selected years (withdraw their figures)"))
    def reopen_years(self, request, queryset):
        years = list(queryset.filter(closed_on__isnull=False))
        for year in years:
            year.closed_on = None
            year.closed_by = None
            year.save()
        self.message_user(
            request,
            ngettext("%(n)d year reopened.", "%(n)d years reopened.", len(years))
            % {"n": len(years)},
            messages.SUCCESS,
        )
