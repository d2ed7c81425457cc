"""Forms that check what the public sends in query strings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import summary as summaries
from .models import Region
from .models.common import MAX_YEAR, MIN_YEAR


class SummaryScopeForm(forms.Form):
    """``?region=CODE&year=YYYY`` of the summary pages and JSON."""

    region = forms.ModelChoiceField(
        queryset=Region.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Region"),
        error_messages={"invalid_choice": _("Unknown region code.")},
    )
    year = forms.IntegerField(
        required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, label=_("Year")
    )


class LocalizedModelChoiceField(forms.ModelChoiceField):
    """Choices labelled with the English name when English is active (tiers, industries…)."""

    def label_from_instance(self, obj):
        return summaries.localized(obj.name, obj.name_en)


class LocalizedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return summaries.localized(obj.name, obj.name_en)


class BatchChoiceField(forms.ModelChoiceField):
    """Batches labelled "title, batch N (year)" in the active language."""

    def label_from_instance(self, obj):
        return _("%(tier)s, batch %(number)d (%(year)s)") % {
            "tier": summaries.localized(obj.tier.name, obj.tier.name_en),
            "number": obj.number,
            "year": obj.year,
        }


class DirectoryForm(forms.Form):
    """The directory's own field beside its filters: the order of the firms (shown last)."""

    field_order = ["q", "tier", "status"]

    SORTS = {
        "name": ("name_key", "id"),
        "-name": ("-name_key", "-id"),
        "region": ("region_id", "name_key", "id"),
        "industry": ("industry__position", "industry_id", "name_key", "id"),
    }

    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("name", _("Name")),
            ("-name", _("Name, reversed")),
            ("region", _("Region")),
            ("industry", _("Industry")),
        ],
    )

    def ordering(self):
        return self.SORTS[self.cleaned_data.get("sort") or "name"]
