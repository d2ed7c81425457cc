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
    Batch,
    Designation,
    DisclosureRule,
    FiguresYear,
    Notice,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    Target,
    Tier,
    YearlyFigures,
    in_force_q,
)
from .models.disclosure import DEFAULT_DOMINANCE_SHARE, DEFAULT_MIN_CONTRIBUTORS
from .workflow import CLOSED, ENDINGS, FUNNEL, NATIONAL, Stage

#: The smallest number of enterprises an aggregate of their figures may cover on a public page,
#: when no ``DisclosureRule`` is recorded (the migration records this one as the first).
MIN_ENTERPRISES_PER_AGGREGATE = DEFAULT_MIN_CONTRIBUTORS

#: Why an aggregate is left out (``Disclosure.judge``).
FEW, DOMINANT = "few", "dominant"


@dataclass(frozen=True)
class Disclosure:
    """The disclosure rule in force, and the latest year with figures that is not closed.

    An aggregate of firms' figures is published only for a closed year (``FiguresYear``), when
    at least ``min_contributors`` firms contribute to it (a firm without the figure or with zero
    does not), and when no single firm makes up more than ``dominance_share`` per cent of it.
    """

    min_contributors: int = DEFAULT_MIN_CONTRIBUTORS
    dominance_share: int = DEFAULT_DOMINANCE_SHARE
    latest_open_year: int | None = None

    def judge(self, total, contributors, largest=None):
        """``None`` when an aggregate may be published, else why not (``FEW``, ``DOMINANT``).
        ``largest`` is the largest single firm's figure in it (``None`` for a count)."""
        if contributors < self.min_contributors:
            return FEW
        if largest is not None and total and largest * 100 > self.dominance_share * total:
            return DOMINANT
        return None

    def note(self, reason):
        """Why a figure is left out, for the place where it would have been."""
        if reason == DOMINANT:
            return gettext(
                "Not shown: one firm makes up more than %(share)d%% of it, which would reveal "
                "its own figure."
            ) % {"share": self.dominance_share}
        return gettext(
            "Not shown: fewer than %(n)d firms' figures go into it (a firm without the figure or "
            "with zero does not count), which could reveal a firm's own."
        ) % {"n": self.min_contributors}

    def rules_text(self, year=None):
        """The rules, with their numbers, for the pages where they bite."""
        text = gettext(
            "Firms' figures are published only as totals of a year closed by the bureau, over at "
            "least %(n)d firms with a figure other than zero, none of which makes up more than "
            "%(share)d%% of the total."
        ) % {"n": self.min_contributors, "share": self.dominance_share}
        if self.latest_open_year and (year is None or self.latest_open_year > year):
            text += " " + gettext(
                "Figures of %(year)s and later are not closed yet and are not shown."
            ) % {"year": self.latest_open_year}
        return text


def closed_years():
    """The years whose figures staff have closed, as a subquery."""
    return FiguresYear.objects.filter(closed_on__isnull=False).values("year")


def disclosure(on=None):
    """The ``Disclosure`` in force on ``on`` (today). One query."""
    latest_open = (
        YearlyFigures.objects.exclude(year__in=closed_years()).order_by("-year").values("year")[:1]
    )
    rule = (
        DisclosureRule.objects.filter(applies_from__lte=on or as_of())
        .order_by("-applies_from")
        .annotate(latest_open=Subquery(latest_open))
        .values("min_contributors", "dominance_share", "latest_open")
        .first()
    )
    if rule is None:  # none recorded: the first rule, and a second query for the open year
        return Disclosure(latest_open_year=latest_open.first() and latest_open.first()["year"])
    return Disclosure(rule["min_contributors"], rule["dominance_share"], rule["latest_open"])


def suppression_note(rule=None, reason=FEW):
    """Why a figure is left out, for the place where it would have been."""
    return (rule or Disclosure()).note(reason)


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
        # Whether the registry has anything of the tier at all: a title (of any state), a list
        # or a batch. A tier without holders is then "none", one without records "not recorded".
        has_titles=Exists(Designation.objects.filter(tier_id=OuterRef("pk"))),
        has_notices=Exists(Notice.objects.filter(tier_id=OuterRef("pk"))),
        has_batches=Exists(Batch.objects.filter(tier_id=OuterRef("pk"))),
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
            "recorded": tier.has_titles or tier.has_notices or tier.has_batches,
            "counted_before": {
                headline: getattr(tier, f"before_{headline}")
                for headline, (codes, _aggregate) in overlaps.items()
                if tier.code in codes
            },
        }
        for tier in tiers
    ]


#: The states of a tier on the echelon: held by some; recorded but held by none (暂无); and
#: nothing of it recorded at all (未录入: no title, list or batch), which says nothing of holders.
HELD, NONE, UNRECORDED = "held", "none", "unrecorded"


def tier_state(tier):
    """The state of a tier of ``tier_counts``."""
    if tier["count"]:
        return HELD
    return NONE if tier.get("recorded", True) else UNRECORDED


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
        has_products = False
        for tier in (by_code[c] for c in counted if c in by_code):
            count += tier["count"] - tier.get("counted_before", {}).get(code, 0)
            has_products |= tier.get("kind") == Tier.Kind.PRODUCT
        # What the number counts, as the directory of its tiers states it: firms (each once)
        # for enterprise titles only; titles once a product title is in (a firm's enterprise
        # title and each of its products).
        counts = "titles" if has_products else "firms"
        headlines.append(
            {"code": code, "label": str(label), "tiers": counted, "count": count, "counts": counts}
        )
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


def batch_titles(batch_ids, on=None):
    """``{batch id: (titles, firms)}``: the titles of each batch held on ``on`` (today), and the
    firms holding them, as the directory filtered by the batch counts them. One query."""
    rows = (
        Designation.objects.filter(in_force_q(on or as_of()), batch_id__in=batch_ids)
        .order_by()
        .values("batch_id")
        .annotate(titles=Count("id"), firms=Count("enterprise_id", distinct=True))
    )
    return {row["batch_id"]: (row["titles"], row["firms"]) for row in rows}


def success_rate(funnel):
    """Share of a batch's filed nominations that were approved; ``None`` while some are still
    under way (the rate of an undecided batch would only look low) or when none were filed."""
    reached = funnel["reached"]
    nominated = reached[Stage.NOMINATED.value]
    if funnel["under_way"] or not nominated:
        return None
    return round(reached[Stage.APPROVED.value] / nominated, 3)


def in_year_or_latest(figures, year=None):
    """``figures`` of ``year``, else of the latest year any of them has (in the same query),
    among the closed years only: an open year's figures are never published."""
    figures = figures.filter(year__in=closed_years())
    if year:
        return figures.filter(year=year)
    latest = figures.order_by("-year").values("year")[:1]
    return figures.filter(year=Subquery(latest))


def new_product_output(scope, rule=None):
    """The new-product output rate of firms reporting both figures, for ``scope.year`` or the
    latest closed year with figures. One query (and ``disclosure``'s without ``rule``).
    ``rate`` is ``None`` when the disclosure rule leaves it out (``suppressed`` says why)."""
    rule = rule or disclosure()
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
        enterprises=Count("enterprise_id", distinct=True, filter=Q(output_value__gt=0)),
        new_enterprises=Count("enterprise_id", distinct=True, filter=Q(new_product_output__gt=0)),
        largest_output=Max("output_value"),
        largest_new=Max("new_product_output"),
    )
    output = totals["output"] or Decimal(0)
    new = totals["new"] or Decimal(0)
    # Both totals of the rate are aggregates of firms' figures: each must pass the rule.
    reason = rule.judge(output, totals["enterprises"], totals["largest_output"]) or rule.judge(
        new, totals["new_enterprises"], totals["largest_new"]
    )
    rate = None if reason else round(float(new / output), 3)
    return {
        "year": totals["year"],
        "rate": rate,
        "enterprises": totals["enterprises"],
        "suppressed": reason,
        "note": rule.note(reason) if reason else "",
        "rules": rule.rules_text(totals["year"]),
    }


def summary(scope):
    """Everything ``/api/summary.json`` answers, as plain data."""
    tiers = tier_counts(scope)
    figures = new_product_output(scope, disclosure(scope.on))
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
    """The aggregates measuring ``target`` over one year's figures: its value, how many firms
    contribute to it and the largest single firm's figure in it (the disclosure rule needs
    them; a count has no largest)."""
    reporting = Q(output_value__gt=0)
    if target.metric == Target.Metric.ENTERPRISES_OVER:
        # A count over a threshold is computed from every reporting firm's figure.
        count = Count("id", filter=Q(output_value__gte=target.threshold))
        return count, Count("id", filter=reporting), None
    in_group = Q(enterprise__industry__group=target.industry_group)
    return (
        Sum("output_value", filter=in_group),
        Count("id", filter=in_group & reporting),
        Max("output_value", filter=in_group),
    )


def target_progress(rule=None):
    """Every target with its value in the latest closed year with output figures. Two queries
    (and ``disclosure``'s without ``rule``).

    ``value`` is ``None`` (``suppressed`` says why) when the disclosure rule leaves it out, so
    that no firm's own figure can be read off a public page.
    """
    rule = rule or disclosure()
    targets = list(Target.objects.order_by("position", "code"))
    figures = in_year_or_latest(YearlyFigures.objects.filter(output_value__isnull=False))
    aggregates = {"year": Max("year")}
    for target in targets:
        value, firms, largest = _target_aggregates(target)
        aggregates[f"value_{target.pk}"], aggregates[f"firms_{target.pk}"] = value, firms
        if largest is not None:
            aggregates[f"largest_{target.pk}"] = largest
    totals = figures.aggregate(**aggregates)
    progress = []
    for target in targets:
        firms = totals[f"firms_{target.pk}"]
        total = Decimal(totals[f"value_{target.pk}"] or 0)
        reason = rule.judge(total, firms, totals.get(f"largest_{target.pk}"))
        value = None if reason else total
        progress.append(
            {
                "code": target.code,
                "name": target.name,
                "name_en": target.name_en,
                "metric": target.metric,
                "industry_group": target.industry_group,
                "threshold": target.threshold,
                "goal": target.goal,
                "deadline_year": target.deadline_year,
                "year": totals["year"],
                "value": value,
                "enterprises": firms,
                "suppressed": reason,
                "note": rule.note(reason) if reason else "",
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
