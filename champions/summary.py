"""The aggregate queries behind the public pages and ``/api/summary.json``.

Every function here costs a fixed number of queries whatever the size of the registry: counts are
grouped in the database, never computed per tier or per row in Python.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Recommendation, Region, Tier, YearlyFigures, in_force_q
from .workflow import ENDINGS, FUNNEL, NATIONAL, Stage

#: The smallest number of enterprises an aggregate of their figures may cover on a public page.
MIN_ENTERPRISES_PER_AGGREGATE = 3

#: The headline figures: tiers the bureau reports together under one heading.
HEADLINES = (
    (
        "single_champions",
        _("Single champions (enterprises and products)"),
        ("single_champion", "single_champion_product"),
    ),
    ("little_giants", _("National little giants"), ("little_giant",)),
    (
        "hidden_champions",
        _("Hidden champions and cultivation enterprises"),
        ("hidden_champion", "hidden_champion_cultivation"),
    ),
    (
        "specialized_cultivation",
        _("Provincial specialized and innovative cultivation enterprises"),
        ("specialized_cultivation",),
    ),
    ("first_set", _("First (set) equipment projects"), ("first_set",)),
    ("champion_pool", _("Single champion cultivation pool enterprises"), ("champion_pool",)),
)


@dataclass(frozen=True)
class Scope:
    """What a summary covers: a region with everything under it, and the end of a year."""

    region: Region | None = None
    region_codes: tuple = ()
    year: int | None = None

    @property
    def on(self):
        """The day the counts are taken: the end of ``year``, else today."""
        return datetime.date(self.year, 12, 31) if self.year else timezone.localdate()


def subtree_codes(region):
    """Codes of ``region`` and every region under it (one query over the small region table)."""
    children = {}
    for code, parent in Region.objects.values_list("code", "parent_id"):
        children.setdefault(parent, []).append(code)
    codes, pending = [], [region.code]
    while pending:
        code = pending.pop()
        codes.append(code)
        pending.extend(children.get(code, ()))
    return tuple(sorted(codes))


def make_scope(region=None, year=None):
    return Scope(region=region, region_codes=subtree_codes(region) if region else (), year=year)


def designation_filter(scope, prefix=""):
    """The condition on designations (reached through ``prefix``) for ``scope``."""
    condition = in_force_q(scope.on, prefix)
    if scope.year:
        condition &= Q(**{f"{prefix}year__lte": scope.year})
    if scope.region_codes:
        condition &= Q(**{f"{prefix}enterprise__region_id__in": scope.region_codes})
    return condition


def tier_counts(scope):
    """Every tier, top first, with how many hold it in ``scope``: firms for enterprise titles,
    products for product titles. One query."""
    condition = designation_filter(scope, "designations__")
    tiers = Tier.objects.annotate(
        enterprise_count=Count("designations__enterprise", filter=condition, distinct=True),
        designation_count=Count("designations", filter=condition),
    ).order_by("position", "code")
    return [
        {
            "code": tier.code,
            "name": tier.name,
            "name_en": tier.name_en,
            "level": tier.level,
            "kind": tier.kind,
            "count": tier.designation_count
            if tier.kind == Tier.Kind.PRODUCT
            else tier.enterprise_count,
        }
        for tier in tiers
    ]


def headline_counts(tiers):
    """The headline groups, each the sum of its tiers' counts from ``tier_counts``."""
    by_code = {tier["code"]: tier["count"] for tier in tiers}
    return [
        {
            "code": code,
            "label": str(label),
            "tiers": list(codes),
            "count": sum(by_code.get(tier, 0) for tier in codes),
        }
        for code, label, codes in HEADLINES
    ]


def reached_q(stage):
    """Recommendations that got at least as far as ``stage``, also if they ended later."""
    onward = [s.value for s in FUNNEL[FUNNEL.index(stage) :]]
    condition = Q(stage__in=onward) | (Q(stage__in=list(ENDINGS)) & Q(ended_at_stage__in=onward))
    if stage == Stage.SUBMITTED:
        # Only national programmes report to the ministry.
        condition &= Q(batch__tier__level=NATIONAL)
    return condition


def recommendation_funnels(scope):
    """For each batch with filed recommendations, how many reached each funnel stage. One query.

    Drafts were never filed and are not counted; names never leave this function.
    """
    recommendations = Recommendation.objects.exclude(stage=Stage.DRAFT).exclude(
        ended_at_stage=Stage.DRAFT, stage__in=list(ENDINGS)
    )
    if scope.year:
        recommendations = recommendations.filter(batch__year=scope.year)
    if scope.region_codes:
        recommendations = recommendations.filter(enterprise__region_id__in=scope.region_codes)
    rows = (
        recommendations.values(
            "batch_id",
            "batch__tier_id",
            "batch__tier__name",
            "batch__tier__level",
            "batch__tier__position",
            "batch__number",
            "batch__year",
        )
        .annotate(**{stage.value: Count("id", filter=reached_q(stage)) for stage in FUNNEL})
        .order_by("-batch__year", "batch__tier__position", "-batch__number")
    )
    return [
        {
            "batch_id": row["batch_id"],
            "tier": row["batch__tier_id"],
            "tier_name": row["batch__tier__name"],
            "level": row["batch__tier__level"],
            "batch": row["batch__number"],
            "year": row["batch__year"],
            "reached": {stage.value: row[stage.value] for stage in FUNNEL},
        }
        for row in rows
    ]


def new_product_output(scope):
    """The new-product output rate of firms reporting both figures, for ``scope.year`` or the
    latest year with figures. One query. ``rate`` is ``None`` below the disclosure minimum."""
    figures = YearlyFigures.objects.filter(
        output_value__isnull=False, new_product_output__isnull=False
    )
    if scope.region_codes:
        figures = figures.filter(enterprise__region_id__in=scope.region_codes)
    if scope.year:
        figures = figures.filter(year=scope.year)
    else:
        latest = figures.order_by("-year").values("year")[:1]
        figures = figures.filter(year=Subquery(latest))
    totals = figures.aggregate(
        year=Max("year"),
        output=Sum("output_value"),
        new=Sum("new_product_output"),
        enterprises=Count("enterprise_id", distinct=True),
    )
    rate = None
    output = totals["output"] or Decimal(0)
    if totals["enterprises"] >= MIN_ENTERPRISES_PER_AGGREGATE and output > 0:
        rate = round(float(Decimal(totals["new"]) / Decimal(output)), 3)
    return {"year": totals["year"], "rate": rate, "enterprises": totals["enterprises"]}


def summary(scope):
    """Everything ``/api/summary.json`` answers, as plain data."""
    tiers = tier_counts(scope)
    figures = new_product_output(scope)
    return {
        "as_of": scope.on.isoformat(),
        "region": {"code": scope.region.code, "name": scope.region.name} if scope.region else None,
        "year": scope.year,
        "tiers": tiers,
        "headlines": headline_counts(tiers),
        "recommendations": recommendation_funnels(scope),
        "new_product_output_rate": figures["rate"],
        "new_product_output_year": figures["year"],
    }
