"""The aggregate queries behind the public pages and ``/api/summary.json``.

Every function here costs a fixed number of queries whatever the size of the registry: counts are
grouped in the database, never computed per tier or per row in Python.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    Designation,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    Target,
    Tier,
    YearlyFigures,
    in_force_q,
)
from .workflow import CLOSED, ENDINGS, FUNNEL, NATIONAL, Stage

#: The smallest number of enterprises an aggregate of their figures may cover on a public page.
MIN_ENTERPRISES_PER_AGGREGATE = 3


def suppression_note():
    """Why a figure is left out, for the place where it would have been."""
    return gettext(
        "Not shown: fewer than %(n)d firms' figures go into it, which could reveal a firm's own."
    ) % {"n": MIN_ENTERPRISES_PER_AGGREGATE}


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
        return as_of(self.year)


def as_of(year=None):
    """The day counts "for a year" are taken: the end of ``year``, else today."""
    return datetime.date(year, 12, 31) if year else timezone.localdate()


def localized(name, name_en):
    """The English name when English is active and one is recorded, else the official name."""
    return name_en if name_en and (get_language() or "").startswith("en") else name


def publicized_q(prefix=""):
    """Designations on a publicity list and not (yet) awarded."""
    return Q(**{f"{prefix}status": Designation.Status.PUBLICIZED})


def public_q(on, prefix=""):
    """Designations the public pages may name: held on ``on``, or on a publicity list."""
    return in_force_q(on, prefix) | publicized_q(prefix)


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


def holders(kind, enterprises, designations):
    """How many hold a tier of ``kind``: firms for an enterprise title, products for a product
    title (one firm can hold a product title for several products)."""
    return designations if kind == Tier.Kind.PRODUCT else enterprises


def tier_counts(scope):
    """Every tier, top first, with how many hold it in ``scope``: firms for enterprise titles,
    products for product titles. One query.

    ``counted_before`` maps each headline the tier is in, after its first tier, to how many of
    its firms hold an enterprise tier listed before it in that headline too: the firms
    ``headline_counts`` has counted already (a firm promoted from a cultivation pool to the
    title holds both)."""
    condition = designation_filter(scope, "designations__")
    overlaps = _counted_before(scope, condition)
    tiers = Tier.objects.annotate(
        enterprise_count=Count("designations__enterprise", filter=condition, distinct=True),
        designation_count=Count("designations", filter=condition),
        **{f"before_{code}": aggregate for code, (_codes, aggregate) in overlaps.items()},
    ).order_by("position", "code")
    return [
        {
            "code": tier.code,
            "name": tier.name,
            "name_en": tier.name_en,
            "level": tier.level,
            "kind": tier.kind,
            "authority": tier.authority,
            "authority_en": tier.authority_en,
            "count": holders(tier.kind, tier.enterprise_count, tier.designation_count),
            "counted_before": {
                headline: getattr(tier, f"before_{headline}")
                for headline, (codes, _aggregate) in overlaps.items()
                if tier.code in codes
            },
        }
        for tier in tiers
    ]


def _counted_before(scope, condition):
    """``{headline: (its tiers after the first, aggregate)}`` for each headline of several tiers:
    the aggregate counts, on a tier's row, its firms (``condition`` on their designations) that
    also hold in ``scope`` an enterprise tier listed before it in the headline. Only enterprise
    tiers count firms, so only their rows and tiers take part."""
    held = in_force_q(scope.on)
    if scope.year:
        held &= Q(year__lte=scope.year)
    overlaps = {}
    for headline, _label, codes in HEADLINES:
        repeated = Q()
        for index in range(1, len(codes)):
            earlier = Designation.objects.filter(
                held,
                enterprise_id=OuterRef("designations__enterprise_id"),
                tier_id__in=codes[:index],
                tier__kind=Tier.Kind.ENTERPRISE,
            )
            repeated |= Q(code=codes[index]) & Exists(earlier)
        if repeated:
            overlaps[headline] = (
                codes[1:],
                Count(
                    "designations__enterprise",
                    filter=condition & Q(kind=Tier.Kind.ENTERPRISE) & repeated,
                    distinct=True,
                ),
            )
    return overlaps


def tier_counts_by(designations, field):
    """Holders of each tier among ``designations``, per ``field`` of their enterprise (``region``
    or ``industry``): ``{(field value, tier code): count}``. One query."""
    rows = (
        designations.order_by()
        .values(f"enterprise__{field}_id", "tier_id", "tier__kind")
        .annotate(enterprises=Count("enterprise_id", distinct=True), designations=Count("id"))
    )
    return {
        (row[f"enterprise__{field}_id"], row["tier_id"]): holders(
            row["tier__kind"], row["enterprises"], row["designations"]
        )
        for row in rows
    }


def enterprises_by(designations, field):
    """How many distinct firms hold any of ``designations``, per ``field`` of the enterprise.
    One query. A firm has one region and one industry, so these add up to the overall total."""
    rows = (
        designations.order_by()
        .values(f"enterprise__{field}_id")
        .annotate(enterprises=Count("enterprise_id", distinct=True))
    )
    return {row[f"enterprise__{field}_id"]: row["enterprises"] for row in rows}


def headline_counts(tiers):
    """The headline groups from ``tier_counts``: the firms holding any of a headline's enterprise
    tiers, each once (a firm holding a title and the pool it was cultivated in counts once), plus
    the products of its product tiers. Support tiers (the key little giants) are a status beside
    a title: never part of a headline, they are counted on their own in ``tier_counts``."""
    by_code = {tier["code"]: tier for tier in tiers}
    headlines = []
    for code, label, codes in HEADLINES:
        counted = [c for c in codes if by_code.get(c, {}).get("kind") != Tier.Kind.SUPPORT]
        count = 0
        for tier in (by_code[c] for c in counted if c in by_code):
            count += tier["count"] - tier.get("counted_before", {}).get(code, 0)
        headlines.append({"code": code, "label": str(label), "tiers": counted, "count": count})
    return headlines


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
    recommendations = Recommendation.objects.all()
    if scope.year:
        recommendations = recommendations.filter(batch__year=scope.year)
    if scope.region_codes:
        recommendations = recommendations.filter(enterprise__region_id__in=scope.region_codes)
    return funnels(recommendations)


def funnels(recommendations):
    """``recommendation_funnels`` for any set of recommendations (a FilterSet's, for example)."""
    filed = recommendations.exclude(stage=Stage.DRAFT).exclude(
        ended_at_stage=Stage.DRAFT, stage__in=list(ENDINGS)
    )
    rows = (
        filed.values(
            "batch_id",
            "batch__tier_id",
            "batch__tier__name",
            "batch__tier__name_en",
            "batch__tier__level",
            "batch__tier__position",
            "batch__number",
            "batch__year",
            "batch__announced_on",
            "batch__document",
        )
        .annotate(
            **{stage.value: Count("id", filter=reached_q(stage)) for stage in FUNNEL},
            under_way=Count("id", filter=~Q(stage__in=list(CLOSED))),
        )
        .order_by("-batch__year", "batch__tier__position", "-batch__number")
    )
    return [
        {
            "batch_id": row["batch_id"],
            "tier": row["batch__tier_id"],
            "tier_name": row["batch__tier__name"],
            "tier_name_en": row["batch__tier__name_en"],
            "level": row["batch__tier__level"],
            "batch": row["batch__number"],
            "year": row["batch__year"],
            "announced_on": row["batch__announced_on"],
            "document": row["batch__document"],
            "reached": {stage.value: row[stage.value] for stage in FUNNEL},
            "under_way": row["under_way"],
        }
        for row in rows
    ]


def success_rate(funnel):
    """Share of a batch's filed nominations that were approved; ``None`` while some are still
    under way (the rate of an undecided batch would only look low) or when none were filed."""
    reached = funnel["reached"]
    nominated = reached[Stage.NOMINATED.value]
    if funnel["under_way"] or not nominated:
        return None
    return round(reached[Stage.APPROVED.value] / nominated, 3)


def in_year_or_latest(figures, year=None):
    """``figures`` of ``year``, else of the latest year any of them has (in the same query)."""
    if year:
        return figures.filter(year=year)
    latest = figures.order_by("-year").values("year")[:1]
    return figures.filter(year=Subquery(latest))


def new_product_output(scope):
    """The new-product output rate of firms reporting both figures, for ``scope.year`` or the
    latest year with figures. One query. ``rate`` is ``None`` below the disclosure minimum."""
    figures = YearlyFigures.objects.filter(
        output_value__isnull=False, new_product_output__isnull=False
    )
    if scope.region_codes:
        figures = figures.filter(enterprise__region_id__in=scope.region_codes)
    figures = in_year_or_latest(figures, scope.year)
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


def _target_aggregates(target):
    """The aggregates measuring ``target`` over one year's figures: its value and how many firms
    the value is computed from (the disclosure rule needs the second)."""
    if target.metric == Target.Metric.ENTERPRISES_OVER:
        # A count over a threshold is computed from every reporting firm's figure.
        return Count("id", filter=Q(output_value__gte=target.threshold)), Count("id")
    in_group = Q(enterprise__industry__group=target.industry_group)
    return Sum("output_value", filter=in_group), Count("id", filter=in_group)


def target_progress():
    """Every target with its value in the latest year with output figures. Two queries.

    ``value`` is ``None`` (``suppressed``) when fewer than ``MIN_ENTERPRISES_PER_AGGREGATE`` firms'
    figures go into it, so that no firm's own figure can be read off a public page.
    """
    targets = list(Target.objects.order_by("position", "code"))
    figures = in_year_or_latest(YearlyFigures.objects.filter(output_value__isnull=False))
    aggregates = {"year": Max("year")}
    for target in targets:
        aggregates[f"value_{target.pk}"], aggregates[f"firms_{target.pk}"] = _target_aggregates(
            target
        )
    totals = figures.aggregate(**aggregates)
    progress = []
    for target in targets:
        firms = totals[f"firms_{target.pk}"]
        suppressed = firms < MIN_ENTERPRISES_PER_AGGREGATE
        value = None if suppressed else Decimal(totals[f"value_{target.pk}"] or 0)
        progress.append(
            {
                "code": target.code,
                "name": target.name,
                "metric": target.metric,
                "industry_group": target.industry_group,
                "threshold": target.threshold,
                "goal": target.goal,
                "deadline_year": target.deadline_year,
                "year": totals["year"],
                "value": value,
                "enterprises": firms,
                "suppressed": suppressed,
                "share": None if value is None else min(float(value / target.goal), 1.0),
            }
        )
    return progress


def province_comparison(city_code, counts=None):
    """The counts the province publishes for each of its cities, ranked, per tier and measure.

    ``counts`` narrows the rows (a FilterSet's, say). For each tier and measure, the rows of the
    latest year among them. The city whose registry this is is marked, with its rank ("3rd in
    Zhejiang"); ties share a rank. Two queries (the city and its province; the counts).
    """
    city = Region.objects.select_related("parent").filter(code=city_code).first()
    if city is None or city.parent is None:
        return {"city": city, "province": None, "groups": []}
    if counts is None:
        counts = ProvinceCount.objects.all()
    counts = counts.filter(region__parent_id=city.parent_id)
    rows = counts.values(
        "region_id",
        "region__name",
        "region__name_en",
        "tier_id",
        "tier__name",
        "tier__name_en",
        "tier__position",
        "year",
        "measure",
        "count",
        "source",
    ).order_by("tier__position", "tier_id", "measure", "-year", "-count", "region_id")
    groups = {}
    for row in rows:
        key = (row["tier_id"], row["measure"])
        group = groups.setdefault(key, {"year": row["year"], "rows": []})
        if row["year"] == group["year"]:  # rows come latest year first
            group["rows"].append(row)
    return {
        "city": city,
        "province": city.parent,
        "groups": [_ranked(city_code, key, group) for key, group in groups.items()],
    }


def _ranked(city_code, key, group):
    rows = group["rows"]
    first = rows[0]
    cities, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        if row["count"] != previous:
            rank, previous = position, row["count"]
        cities.append(
            {
                "code": row["region_id"],
                "name": row["region__name"],
                "name_en": row["region__name_en"],
                "count": row["count"],
                "rank": rank,
                "is_city": row["region_id"] == city_code,
            }
        )
    own = next((c for c in cities if c["is_city"]), None)
    return {
        "tier": key[0],
        "tier_name": first["tier__name"],
        "tier_name_en": first["tier__name_en"],
        "measure": key[1],
        "year": group["year"],
        "sources": sorted({row["source"] for row in rows if row["source"]}),
        "cities": cities,
        "city_rank": own["rank"] if own else None,
        "city_count": own["count"] if own else None,
    }


def latest_seminars(limit):
    """The latest published seminars, with their sponsors. Two queries."""
    return list(Seminar.objects.published().prefetch_related("sponsors")[:limit])
