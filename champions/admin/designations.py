"""Batches of each programme and the designations (titles) enterprises hold."""

from django import forms
from django.contrib import admin
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ..models import Batch, Designation
from .common import (
    ENTERPRISE_FILTERS,
    ENTERPRISE_SEARCH_FIELDS,
    STAMPS,
    HistoryAdmin,
    RecentRowsFormSet,
    RegistryInline,
    YearListFilter,
)


class BatchListFilter(admin.RelatedFieldListFilter):
    """The batch filter, reading the batches with their tiers in one query (``str`` needs both)."""

    def field_choices(self, field, request, model_admin):
        return [(batch.pk, str(batch)) for batch in Batch.objects.select_related("tier")]


class BatchChoicesWithTier:
    """Batch widgets label the chosen batch with its tier: load both in one query."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Batch:
            kwargs.setdefault("queryset", Batch.objects.select_related("tier"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Batch)
class BatchAdmin(HistoryAdmin):
    list_display = ("__str__", "tier", "number", "year", "recommendation_deadline", "announced_on")
    list_select_related = ("tier",)
    list_filter = ("tier", "year")
    # ``__exact`` on the numbers compares their text, so a word in the search cannot break them.
    search_fields = ("tier__name", "tier__code", "tier__aliases", "year__exact", "number__exact")

    def get_queryset(self, request):
        # The batch autocomplete lists batches by ``str``, which names the tier.
        return super().get_queryset(request).select_related("tier")


@admin.display(description=_("suggested end of validity"))
def suggested_valid_until(designation):
    """The tier's usual validity counted from the year: a hint for ``valid_until`` only."""
    hint = designation.suggested_valid_until
    # A callable's value is shown as ``str``; format the date as the admin formats dates.
    return formats.localize(hint) if hint else "—"


#: What a designation says, as its own page and the enterprise's inline show it.
DESIGNATION_FIELDS = (
    "tier",
    "batch",
    "year",
    "product",
    "status",
    "valid_until",
    suggested_valid_until,
)


class DesignationForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        batch, tier = cleaned.get("batch"), cleaned.get("tier")
        if batch and tier and batch.tier_id != tier.pk:
            self.add_error(
                "batch",
                _("This batch is a batch of “%(batch_tier)s”, not of “%(tier)s”.")
                % {"batch_tier": batch.tier, "tier": tier},
            )
        return cleaned


class DesignationInline(BatchChoicesWithTier, RegistryInline):
    """An enterprise's latest titles; the link above the inlines lists all of them."""

    model = Designation
    form = DesignationForm
    formset = RecentRowsFormSet
    fields = DESIGNATION_FIELDS
    readonly_fields = (suggested_valid_until,)
    autocomplete_fields = ("batch",)
    ordering = ("-year", "tier__position")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tier")


@admin.register(Designation)
class DesignationAdmin(BatchChoicesWithTier, HistoryAdmin):
    form = DesignationForm
    list_display = (
        "enterprise",
        "tier",
        "batch",
        "year",
        "product",
        "status",
        "valid_until",
        "in_force",
    )
    list_select_related = ("enterprise", "tier", "batch__tier")
    list_filter = (
        "tier",
        "status",
        YearListFilter,
        ("batch", BatchListFilter),
        *ENTERPRISE_FILTERS,
    )
    search_fields = ENTERPRISE_SEARCH_FIELDS
    enterprise_path = "enterprise"
    # Newest first, by primary key: the model's ordering joins the tier and the enterprise.
    ordering = ("-id",)
    autocomplete_fields = ("enterprise", "batch")
    fields = ("enterprise", *DESIGNATION_FIELDS, "document", "source", *STAMPS)
    readonly_fields = (suggested_valid_until,)

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, designation):
        return designation.is_in_force()
