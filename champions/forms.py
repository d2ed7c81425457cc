"""Forms that check what the public sends in query strings."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
