"""Enterprises, with their former names, titles, recommendations and figures inline."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
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
from ..services.enterprises import rename
from ..text import name_key
from .common import HistoryAdmin, RegistryInline, related_list_links
from .designations import DesignationInline, TitleTimelines
from .figures import YearlyFiguresInline
from .recommendations import RecommendationInline


class FormerNamesFormSet(BaseInlineFormSet):
    """Refuses two former names with the same matching key before the database does.

    The key is not a form field, so the form's own constraint check cannot see it. A new row
    giving the name the firm is being renamed from is left to the rename service, which records
    it with the date of the change (``EnterpriseAdmin.save_model``); a new row giving the name
    the firm keeps is refused.
    """

    def clean(self):
        super().clean()
        stored = self.instance.pk and type(self.instance).objects.get(pk=self.instance.pk).name_key
        renamed = stored and name_key(self.data.get("name", "")) != stored
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("name"):
                continue
            key = name_key(data["name"])
            if key in seen:
                form.add_error("name", _("This former name is already listed."))
            elif key == stored and form.instance.pk is None:
                if renamed:
                    data["DELETE"] = True  # the rename records it
                    continue
                form.add_error("name", _("This is the enterprise's current name."))
            seen.add(key)


class FormerNameInline(RegistryInline):
    model = FormerName
    formset = FormerNamesFormSet
    fields = ("name", "until")
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
class EnterpriseAdmin(TitleTimelines, HistoryAdmin):
    list_display = ("name", "credit_code", "region", "industry", "founded")
    list_select_related = ("region", "industry")
    list_filter = ("region", "industry", TierHeldFilter)
    search_fields = ("name", "former_names__name", "credit_code")
    enterprise_path = ""
    readonly_fields = ("related_records",)
    inlines = (FormerNameInline, DesignationInline, RecommendationInline, YearlyFiguresInline)

    def save_model(self, request, obj, form, change):
        """A change of name goes through the rename service: the old name is kept as a former
        name, dated today, and saved with the form's other changes in one history record."""
        if change and "name" in form.changed_data:
            rename(obj, obj.name, on=timezone.localdate(), user=request.user)
        else:
            super().save_model(request, obj, form, change)

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
