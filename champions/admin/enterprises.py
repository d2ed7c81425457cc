"""Enterprises, with their former names, titles, recommendations and figures inline.

Made for telling firms apart: the autocomplete of every form choosing a firm labels it
"name（credit code，district）"; adding a firm whose name has the matching key of a registered
one (current or former) asks to confirm with a link to it, and a credit code another firm has is
refused with a link to that firm. The firm's history page lists its titles' events and its
recommendations' stage moves too (``history.EnterpriseInHistory``).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
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
from ..validators import normalize_credit_code
from .common import HistoryAdmin, RegistryInline, related_list_links
from .designations import DesignationInline, TitleTimelines
from .figures import YearlyFiguresInline
from .history import EnterpriseInHistory
from .paginator import EstimatedCountPaginator
from .recommendations import RecommendationInline
from .reference import RegionChoices, RegionListFilter

#: How many registered firms of the same name the add form's warning links to at most.
SAME_NAME_SHOWN = 5


def enterprise_label(enterprise):
    """ "name（credit code，district）", or "name（district）" without a code: what tells two firms
    of one name apart. Reads ``enterprise.region``."""
    details = [enterprise.credit_code] if enterprise.credit_code else []
    details.append(enterprise.region.name)
    return f"{enterprise.name}（{'，'.join(details)}）"


def enterprise_link(enterprise):
    """A link to the firm's change page, labelled with ``enterprise_label``."""
    url = reverse("admin:champions_enterprise_change", args=[enterprise.pk])
    return format_html('<a href="{}">{}</a>', url, enterprise_label(enterprise))


def same_name(name, exclude=None):
    """Registered firms whose current or a former name has the matching key of ``name``."""
    key = name_key(name)
    ids = Enterprise.objects.filter(name_key=key).order_by().values("pk")
    ids = ids.union(FormerName.objects.filter(name_key=key).order_by().values("enterprise_id"))
    firms = Enterprise.objects.filter(pk__in=ids).select_related("region").order_by("name", "id")
    return firms.exclude(pk=exclude) if exclude else firms


class EnterpriseForm(forms.ModelForm):
    """A credit code already registered is refused with a link to the firm that has it (rather
    than the database constraint's bare "already exists")."""

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data.get("credit_code"))
        if code:
            holder = (
                Enterprise.objects.filter(credit_code=code)
                .exclude(pk=self.instance.pk)
                .select_related("region")
                .first()
            )
            if holder is not None:
                raise ValidationError(
                    format_html(
                        gettext("This credit code is already registered to {firm}."),
                        firm=enterprise_link(holder),
                    ),
                    code="credit_code_registered",
                )
        return code or None


class NewEnterpriseForm(EnterpriseForm):
    """The add form: a name with the matching key of a registered firm's name (current or former)
    is a warning, linking to those firms; saving again with "add it anyway" ticked adds the firm.
    The box is hidden until the warning shows."""

    add_anyway = forms.BooleanField(
        label=_("Add it anyway"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("Tick this if the firm is not the registered one of the same name."),
    )

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if not name or cleaned.get("add_anyway"):
            return cleaned
        firms = list(same_name(name)[: SAME_NAME_SHOWN + 1])
        if firms:
            self.fields["add_anyway"].widget = forms.CheckboxInput()
            links = format_html_join(
                "、", "{}", ((enterprise_link(firm),) for firm in firms[:SAME_NAME_SHOWN])
            )
            if len(firms) > SAME_NAME_SHOWN:
                links = format_html("{}…", links)
            self.add_error(
                "name",
                ValidationError(
                    format_html(
                        gettext(
                            "A firm of this name is already registered: {firms}. If this is "
                            "another firm, tick “Add it anyway” and save again."
                        ),
                        firms=links,
                    ),
                    code="same_name",
                ),
            )
        return cleaned


class AutocompleteChoice:
    """An enterprise as the autocomplete lists it: ``str`` is its ``enterprise_label``."""

    __slots__ = ("enterprise",)

    def __init__(self, enterprise):
        self.enterprise = enterprise

    def __getattr__(self, name):
        return getattr(self.enterprise, name)

    def __str__(self):
        return enterprise_label(self.enterprise)


class LabelledPaginator(EstimatedCountPaginator):
    """The autocomplete's pages: Django's ``AutocompleteJsonView`` (one view for the whole site)
    labels each result with ``str``, so the page's firms come wrapped in ``AutocompleteChoice``."""

    def _get_page(self, object_list, *args, **kwargs):
        choices = [AutocompleteChoice(enterprise) for enterprise in object_list]
        return super()._get_page(choices, *args, **kwargs)


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
class EnterpriseAdmin(EnterpriseInHistory, RegionChoices, TitleTimelines, HistoryAdmin):
    form = EnterpriseForm
    list_display = ("name", "credit_code", "region", "industry", "founded")
    list_select_related = ("region", "industry")
    list_filter = (("region", RegionListFilter), "industry", TierHeldFilter)
    search_fields = ("name", "former_names__name", "credit_code")
    enterprise_path = ""
    readonly_fields = ("related_records",)
    inlines = (FormerNameInline, DesignationInline, RecommendationInline, YearlyFiguresInline)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = NewEnterpriseForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "add_anyway"]
        if obj is None:  # the box confirming a firm of a registered name, under the name
            fields.insert(fields.index("name") + 1, "add_anyway")
        return fields

    # The autocomplete ------------------------------------------------------------------------

    def serves_autocomplete(self, request):
        """Whether ``request`` is the admin's autocomplete, searching firms for a form."""
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name == f"{self.admin_site.name}:autocomplete"

    def get_search_results(self, request, queryset, search_term):
        results, distinct = super().get_search_results(request, queryset, search_term)
        if self.serves_autocomplete(request):
            results = results.select_related("region")  # each label names the district
        return results, distinct

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if self.serves_autocomplete(request):
            return LabelledPaginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    # The change page ----------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        recommendations = self.admin_site._registry.get(Recommendation)
        if obj is not None and obj.pk and recommendations is not None:
            context["add_recommendation_url"] = recommendations.has_add_permission(request) and (
                "{}?enterprise={}".format(
                    reverse("admin:champions_recommendation_add", current_app=self.admin_site.name),
                    obj.pk,
                )
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

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
