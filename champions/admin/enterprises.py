"""Enterprises, with their former names, titles, recommendations and figures inline."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from ..models import (
    Designation,
    Enterprise,
    FormerName,
    Recommendation,
    Seminar,
    Tier,
    YearlyFigures,
)
from ..text import name_key
from .common import HistoryAdmin, RegistryInline, related_list_links
from .designations import DesignationInline
from .figures import YearlyFiguresInline
from .recommendations import RecommendationInline


class FormerNamesFormSet(BaseInlineFormSet):
    """Refuses two former names with the same matching key before the database does.

    The key is not a form field, so the form's own constraint check cannot see it.
    """

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("name"):
                continue
            key = name_key(data["name"])
            if key in seen:
                form.add_error("name", _("This former name is already listed."))
            seen.add(key)


class FormerNameInline(RegistryInline):
    model = FormerName
    formset = FormerNamesFormSet
    fields = ("name",)
    extra = 0


class TierHeldFilter(admin.SimpleListFilter):
    """Firms with a designation of the chosen tier, whatever its status.

    An ``EXISTS`` per firm: a join would list a firm once per title and need a DISTINCT over the
    whole table.
    """

    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return [(tier.code, tier.name) for tier in Tier.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        held = Designation.objects.filter(enterprise_id=OuterRef("pk"), tier_id=self.value())
        return queryset.filter(Exists(held))


@admin.register(Enterprise)
class EnterpriseAdmin(HistoryAdmin):
    list_display = ("name", "credit_code", "region", "industry", "founded")
    list_select_related = ("region", "industry")
    list_filter = ("region", "industry", TierHeldFilter)
    search_fields = ("name", "former_names__name", "credit_code")
    enterprise_path = ""
    readonly_fields = ("related_records",)
    inlines = (FormerNameInline, DesignationInline, RecommendationInline, YearlyFiguresInline)

    @admin.display(description=_("all related records"))
    def related_records(self, enterprise):
        """Counts linking to the full lists; the inlines below show only the latest rows."""
        if enterprise.pk is None:
            return "—"
        related = (
            (Designation, "enterprise__id__exact", enterprise.designations),
            (Recommendation, "enterprise__id__exact", enterprise.recommendations),
            (YearlyFigures, "enterprise__id__exact", enterprise.figures),
            (Seminar, "participants__id__exact", enterprise.seminars),
        )
        return related_list_links(
            (model, lookup, enterprise.pk, rows.count()) for model, lookup, rows in related
        )
