"""Published lists (notices) and the title events recorded from each.

A notice's rows are events on titles, written by ``champions.services.designations`` (the
importer, or staff on a title's "add an event" form): its page lists them read-only.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import DesignationEvent, Notice
from ..services.designations import refresh
from .common import (
    STAMPS,
    HistoryAdmin,
    ReadOnlyInline,
    RecentRowsFormSet,
    related_list_links,
)
from .designations import BatchChoicesWithTier, check_batch_of_tier

#: Changes of these change what the titles of the notice's events show as their source.
SHOWN_ON_TITLES = {"document", "source"}


class NoticeForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        check_batch_of_tier(self, cleaned)
        return cleaned


class NoticeEventInline(ReadOnlyInline):
    """The first rows of the notice, in the order they were recorded; the link "title events"
    above lists all of them."""

    model = DesignationEvent
    formset = RecentRowsFormSet
    fields = ("designation", "kind", "happened_on", "outcome")
    readonly_fields = fields
    ordering = ("id",)
    show_change_link = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("designation__enterprise", "designation__tier")
        )


@admin.register(Notice)
class NoticeAdmin(BatchChoicesWithTier, HistoryAdmin):
    form = NoticeForm
    list_display = ("__str__", "tier", "kind", "batch", "document", "published_on", "authority")
    list_select_related = ("tier", "batch__tier")
    list_filter = ("tier", "kind", "published_on")
    search_fields = ("document", "title")
    autocomplete_fields = ("batch",)
    fields = (
        "title",
        "document",
        "authority",
        "published_on",
        "source",
        "kind",
        "tier",
        "batch",
        "events_recorded",
        *STAMPS,
    )
    readonly_fields = ("events_recorded",)
    inlines = (NoticeEventInline,)

    def get_readonly_fields(self, request, obj=None):
        """What a notice announces, and for which tier, is fixed once events are recorded from
        it: they are events of that kind on titles of that tier."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.events.exists():
            return (*fields, "kind", "tier")
        return fields

    @admin.display(description=_("title events"))
    def events_recorded(self, notice):
        if notice.pk is None:
            return "—"
        return related_list_links(
            [(DesignationEvent, "notice__id__exact", notice.pk, notice.events.count())]
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and SHOWN_ON_TITLES & set(form.changed_data):
            refresh(obj.events.values_list("designation_id", flat=True))
