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


#: The order of firms' names wherever the public sees a list of them: pinyin order, by the
#: database's collation (``champions.collation``: ICU's Chinese on PostgreSQL, pypinyin's
#: readings on SQLite), then the matching key for names alike in it. Callers add the id last.
NAME_ORDER = ("name__pinyin", "name_key")
#: In an ordering, the rank of the firm's highest matching title (``DirectoryFilterSet.ordered``).
TOP_TITLE = "top_title"


class DirectoryForm(forms.Form):
    """The directory's own field beside its filters: the order of the firms (shown last)."""

    field_order = ["q", "tier", "status"]

    #: The default: the highest titles first (national, provincial, municipal; then the tier's
    #: place on the echelon), then the name.
    DEFAULT_SORT = "titles"
    SORTS = {
        "titles": (TOP_TITLE, *NAME_ORDER, "id"),
        "name": (*NAME_ORDER, "id"),
        "-name": (*(f"-{field}" for field in NAME_ORDER), "-id"),
        "region": ("region_id", *NAME_ORDER, "id"),
        "industry": ("industry__position", "industry_id", *NAME_ORDER, "id"),
    }

    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("titles", _("Highest titles first")),
            ("name", _("Name")),
            ("-name", _("Name, reversed")),
            ("region", _("Region")),
            ("industry", _("Industry")),
        ],
    )

    def ordering(self):
        return self.SORTS[self.cleaned_data.get("sort") or self.DEFAULT_SORT]
