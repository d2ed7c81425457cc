"""django-filter FilterSets, one per public listing.

Each serves its page, the page's CSV and JSON twins and the staff exports, so a filter in a URL
means the same everywhere (as in NetBox). Titles are filtered as designations, so that "tier X in
year Y" applies to one and the same title, never to one firm's different titles.
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from . import summary
from .forms import (
    TOP_TITLE,
    BatchChoiceField,
    DirectoryForm,
    LocalizedModelChoiceField,
    LocalizedModelMultipleChoiceField,
)
from .models import (
    Batch,
    Designation,
    Enterprise,
    Industry,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    Tier,
    enterprise_matches,
)
from .models.common import MAX_YEAR, MIN_YEAR


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


class TierFilter(django_filters.ModelMultipleChoiceFilter):
    """One or more tiers by code (``?tier=a&tier=b``), top of the echelon first."""

    field_class = LocalizedModelMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Tier.objects.order_by("position", "code"))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("label", _("Title"))
        # The filter joins nothing that could repeat a row.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


def city_regions(request=None):
    """The regions offered in filters: the city and its counties."""
    city = settings.CHAMPIONS_CITY_CODE
    return Region.objects.filter(Q(code=city) | Q(parent_id=city)).order_by("code")


ANY = _("All")

#: Tiers' places per level, room enough for any ``Tier.position``.
LEVEL_STEP = 100_000


def tier_rank(tier="tier"):
    """A tier's rank on the echelon as one number, lower is higher: its level (national, then
    provincial, then municipal), then its position. ``tier``: the path to the tier."""
    level = Case(
        When(**{f"{tier}__level": Tier.Level.NATIONAL}, then=Value(0)),
        When(**{f"{tier}__level": Tier.Level.PROVINCIAL}, then=Value(1)),
        default=Value(2),
    )
    return level * LEVEL_STEP + F(f"{tier}__position")


class RegionSubtreeFilter(django_filters.ModelChoiceFilter):
    """A region by code, with everything under it (the city means all its counties)."""

    field_class = LocalizedModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ANY)
        kwargs.setdefault("queryset", city_regions)
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("label", _("Region"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": summary.subtree_codes(value)})


class IndustryFilter(django_filters.ModelChoiceFilter):
    field_class = LocalizedModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ANY)
        kwargs.setdefault("queryset", Industry.objects.all())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("label", _("Industry"))
        super().__init__(*args, **kwargs)


class BatchFilter(django_filters.ModelChoiceFilter):
    field_class = BatchChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ANY)
        super().__init__(*args, **kwargs)


class TitleFilterSet(django_filters.FilterSet):
    """Titles in force at the end of ``year`` (else today): what the breakdowns count.

    The conditions are those of ``summary.designation_filter``, so a breakdown filtered by region
    and year counts what ``/api/summary.json`` with the same region and year counts.
    """

    tier = TierFilter()
    level = django_filters.ChoiceFilter(
        field_name="tier__level", choices=Tier.Level.choices, empty_label=ANY, label=_("Level")
    )
    region = RegionSubtreeFilter(field_name="enterprise__region")
    industry = IndustryFilter(field_name="enterprise__industry")
    group = django_filters.ChoiceFilter(
        field_name="enterprise__industry__group",
        choices=Industry.Group.choices,
        empty_label=ANY,
        label=_("Industry group"),
    )
    year = YearFilter(
        label=_("In force at the end of"),
        help_text=_("Counts the titles in force on 31 December of this year; empty: today."),
    )

    #: Filters that together decide which titles are visible (see ``filter_queryset``).
    VISIBILITY = ("year",)

    class Meta:
        model = Designation
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            # Which titles count is decided by ``visible_q``: held on the day, whatever
            # happened to them later (a title revoked in 2025 counts for 2024).
            queryset = Designation.objects.all()
        super().__init__(data, queryset, **kwargs)

    @property
    def as_of_year(self):
        return self.form.cleaned_data.get("year") if self.is_valid() else None

    @property
    def on(self):
        """The date titles are judged on: the end of ``year``, else today."""
        return summary.as_of(self.as_of_year)

    def visible_q(self):
        return summary.designation_filter(summary.Scope(year=self.as_of_year))

    def filter_queryset(self, queryset):
        """Apply the visibility rule, then every other filter as django-filter does.

        The as-of date and (in the directory) the status decide together which titles count,
        so they make one condition instead of each filtering on its own.
        """
        queryset = queryset.filter(self.visible_q())
        for name, value in self.form.cleaned_data.items():
            if name in self.VISIBILITY or name not in self.filters:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset


class DirectoryFilterSet(TitleFilterSet):
    """The directory of firms: the titles that match, and the firms holding them.

    ``status`` chooses between titles in force (the default, what every count on the site
    counts), titles on a publicity list, or both.
    """

    IN_FORCE, PUBLICIZED, ALL = "", "publicized", "all"

    status = django_filters.ChoiceFilter(
        choices=[(PUBLICIZED, _("On a publicity list")), (ALL, _("In force or on a list"))],
        empty_label=_("In force"),
        label=_("Status"),
    )
    batch = BatchFilter(
        queryset=Batch.objects.select_related("tier").order_by(
            "tier__position", "-year", "-number"
        ),
        label=_("Batch"),
    )
    designated = YearFilter(
        field_name="year",
        label=_("Designated in"),
        help_text=_("The year of the list that awarded the title."),
    )
    q = django_filters.CharFilter(method="filter_name", label=_("Name contains"))

    VISIBILITY = ("year", "status")

    class Meta:
        model = Designation
        fields = []
        form = DirectoryForm

    def visible_q(self):
        status = self.form.cleaned_data.get("status") if self.is_valid() else ""
        in_force = super().visible_q()
        if status == self.IN_FORCE:
            return in_force
        publicized = summary.publicized_q()
        if self.as_of_year:
            publicized &= Q(year__lte=self.as_of_year)
        return publicized if status == self.PUBLICIZED else in_force | publicized

    def filter_name(self, queryset, name, value):
        """Current or former name, compared by matching key (full-width, spaces, brackets)."""
        return queryset.filter(enterprise_matches(value, "enterprise"))

    def top_title(self, firm="pk"):
        """The rank (``tier_rank``) of the highest title matching the filters of the firm whose
        id is at ``firm`` in the outer query."""
        matching = self.qs.filter(enterprise_id=OuterRef(firm)).annotate(rank=tier_rank())
        return Subquery(matching.order_by("rank").values("rank")[:1])

    def ordered(self, queryset, firm="", then=()):
        """``queryset`` in the order asked for: of firms, or of rows whose firm is at ``firm``
        (``"enterprise__"``), then ``then``. One query still: the highest title's rank is a
        subquery."""
        ordering = []
        for field in self.form.ordering():
            if field == TOP_TITLE:
                outer = f"{firm.removesuffix('__')}_id" if firm else "pk"
                queryset = queryset.alias(**{TOP_TITLE: self.top_title(outer)})
                ordering.append(field)
            elif field.startswith("-"):
                ordering.append(f"-{firm}{field[1:]}")
            else:
                ordering.append(f"{firm}{field}")
        return queryset.order_by(*ordering, *then)

    def enterprises(self):
        """The firms holding a matching title, in the order asked for."""
        firms = Enterprise.objects.filter(pk__in=self.qs.values("enterprise_id"))
        return self.ordered(firms.select_related("region", "industry"))


class FunnelFilterSet(django_filters.FilterSet):
    """Recommendations, for the batch funnels (only counts of them are ever shown)."""

    tier = TierFilter(field_name="batch__tier")
    level = django_filters.ChoiceFilter(
        field_name="batch__tier__level",
        choices=Tier.Level.choices,
        empty_label=ANY,
        label=_("Level"),
    )
    region = RegionSubtreeFilter(field_name="enterprise__region")
    year = YearFilter(
        field_name="batch__year",
        label=_("Batch year"),
        help_text=_("The year of the batch the city recommended firms into."),
    )

    class Meta:
        model = Recommendation
        fields = []


class ProvinceCountFilterSet(django_filters.FilterSet):
    """The counts the province publishes for its cities."""

    tier = TierFilter()
    measure = django_filters.ChoiceFilter(
        choices=ProvinceCount.Measure.choices, empty_label=ANY, label=_("Measure")
    )
    year = YearFilter(
        label=_("Year of the counts"),
        help_text=_("The year the province's published counts are for."),
    )

    class Meta:
        model = ProvinceCount
        fields = []


class SeminarFilterSet(django_filters.FilterSet):
    """Published seminars only."""

    year = YearFilter(field_name="held_on__year", label=_("Held in"))
    q = django_filters.CharFilter(method="filter_text", label=_("Title or theme contains"))

    class Meta:
        model = Seminar
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Seminar.objects.published()
        super().__init__(data, queryset, **kwargs)

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(theme__icontains=value))
