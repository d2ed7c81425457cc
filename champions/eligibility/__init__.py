"""Who is ready for the next title: a firm's figures against a tier's eligibility criteria.

The criteria are data (``models.RuleVersion`` and its ``Condition``\\ s, seeded from
``champions/reference/criteria.json``); the measures they compare are derived from the yearly
figures in ``measures``; ``conditions`` evaluates them, without the database. This module is the
public interface:

- ``rule_version_for(tier, kind, on)``: the version of a tier's conditions for a new application
  or a review on a day (``applies_from <= on <= applies_to``).
- ``evaluate(figures_by_year, held_tiers, rules, as_of, firm=None) -> Verdict``: one firm.
- ``evaluate_city(tier, as_of=None, kind="new") -> list[Candidate]``: every firm of the city
  with figures, in a fixed number of queries.

**The year of the figures** for a day is the latest complete year before it: ``as_of.year - 1``
(on 1 December 2026, the figures of 2025; "each of the last two years" means 2025 and 2024).
The documents speak of 上年度 and 近2年 counted back from the application, so the same year is
used all through the application year, even before a year's figures are filed: those firms are
then unknown, not judged on older figures.
"""

import gc
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from .conditions import (
    CLOSE,
    MAX_YEARS,
    MET,
    MISSED,
    NO,
    QUALIFIES,
    UNKNOWN,
    ConditionResult,
    Context,
    InvalidCondition,
    Verdict,
    compile_condition,
    spec_errors,
    verdict_of,
)
from .measures import MEASURES, Firm

__all__ = [
    "CLOSE",
    "MET",
    "MISSED",
    "NO",
    "QUALIFIES",
    "UNKNOWN",
    "AmbiguousRuleVersion",
    "Candidate",
    "ConditionResult",
    "EligibilityError",
    "Firm",
    "InvalidCondition",
    "NoRuleVersion",
    "Rules",
    "Verdict",
    "evaluate",
    "evaluate_city",
    "figures_year",
    "rule_version_for",
]

#: The yearly figures the measures read.
FIGURE_FIELDS = (
    "revenue",
    "main_revenue",
    "rd_spending",
    "total_assets",
    "total_liabilities",
    "net_profit",
    "employees",
    "rd_staff",
    "ip_class1",
    "ip_class2",
    "niche_years",
    "market_share",
    "national_rank",
    "global_rank",
    "equity_raised",
    "evaluation_score",
)
#: Verdicts in the order candidates are listed.
VERDICT_ORDER = (QUALIFIES, CLOSE, NO)


class EligibilityError(Exception):
    """The criteria cannot be applied as asked."""


class NoRuleVersion(EligibilityError):
    pass


class AmbiguousRuleVersion(EligibilityError):
    pass


@dataclass(frozen=True)
class Rules:
    """A rule version as the evaluator reads it: its conditions as dictionaries (``form``, the
    parameters, ``code``, ``label``, ``label_en``, ``waivable``), in order."""

    tier: str
    kind: str
    name: str
    conditions: tuple
    document: str = ""

    @classmethod
    def of(cls, rule_version):
        """The rules of a ``RuleVersion`` (its conditions prefetched or read)."""
        conditions = sorted(rule_version.conditions.all(), key=lambda c: (c.position, c.code))
        return cls.from_rows(
            rule_version.tier_id,
            rule_version.kind,
            rule_version.name,
            [
                {
                    "code": c.code,
                    "label": c.label,
                    "label_en": c.label_en,
                    "form": c.form,
                    "spec": c.spec,
                    "waivable": c.waivable,
                }
                for c in conditions
            ],
            document=rule_version.document,
        )

    @classmethod
    def from_rows(cls, tier, kind, name, rows, document=""):
        """Rules from condition rows (``Condition`` fields, as ``criteria.json`` has them);
        raises ``InvalidCondition`` naming the first condition whose parameters do not read."""
        conditions = []
        for row in rows:
            if errors := spec_errors(row["form"], row["spec"]):
                raise InvalidCondition(f"{row['code']}: {'; '.join(errors)}")
            conditions.append(
                {
                    **row["spec"],
                    "form": row["form"],
                    "code": row["code"],
                    "label": row["label"],
                    "label_en": row.get("label_en", ""),
                    "waivable": row.get("waivable", False),
                }
            )
        return cls(tier, kind, name, tuple(conditions), document)

    @cached_property
    def plan(self):
        """The conditions compiled (``conditions.compile_condition``): their parameters read
        once for every firm evaluated against them."""
        return tuple(compile_condition(condition) for condition in self.conditions)

    def fields_read(self):
        """The yearly figures (of ``FIGURE_FIELDS``) the conditions' measures read, in order."""
        return self._read()[0]

    def years_back(self):
        """How many years before the year of the figures the conditions read (0: that one)."""
        return self._read()[1]

    def _read(self):
        found = set()
        back = 0

        def read(code, years=1):
            nonlocal back
            if code in MEASURES:
                found.update(MEASURES[code].fields)
                back = max(back, years - 1 + MEASURES[code].years_before)

        def walk(condition):
            read(condition.get("measure"), condition.get("years", 1))
            read(condition.get("by"))
            for part in condition.get("parts", ()):
                for item in part.get("items", ()):
                    read(item.get("measure"))
            for group in (*condition.get("routes", ()), *condition.get("bands", ())):
                for sub in group.get("all_of", ()):
                    walk(sub)

        for condition in self.conditions:
            walk(condition)
        return tuple(name for name in FIGURE_FIELDS if name in found), back

    def tiers_named(self):
        """The tiers the conditions ask to be held."""
        found = set()

        def walk(condition):
            if condition.get("form") == "holds_tier":
                found.update(condition["tiers"])
            for group in (*condition.get("routes", ()), *condition.get("bands", ())):
                for sub in group.get("all_of", ()):
                    walk(sub)

        for condition in self.conditions:
            walk(condition)
        return found


@dataclass(frozen=True, slots=True)
class Candidate:
    """One firm's evaluation for a tier: ``verdict`` (qualifies, close, no), whether it holds
    the tier on the day, and the result of each condition."""

    enterprise_id: int
    credit_code: str
    name: str
    verdict: str
    holds_tier: bool
    conditions: tuple
    year: int

    def conditions_text(self):
        return Verdict(self.verdict, self.conditions, self.year).text()


def figures_year(as_of):
    """The year of the figures an evaluation on ``as_of`` reads (module docstring)."""
    return as_of.year - 1


def evaluate(figures_by_year, held_tiers, rules, as_of, firm=None, tier_names=None):
    """A firm's ``Verdict`` against ``rules`` on ``as_of``.

    ``figures_by_year``: ``{year: {field: value}}`` (missing years and ``None`` values are
    unknown); ``held_tiers``: the codes of the tiers it holds on ``as_of``; ``firm``: its
    ``Firm`` facts (founding year, regions, industry group).
    """
    context = Context(
        figures=figures_by_year,
        year=figures_year(as_of),
        held_tiers=frozenset(held_tiers),
        firm=firm or Firm(),
        tier_names=tier_names or {},
    )
    results = tuple([run(context) for run in rules.plan])
    return Verdict(verdict_of(results), results, context.year)


def rule_version_for(tier, kind, on):
    """The ``RuleVersion`` of ``tier`` (a ``Tier`` or its code) for ``kind`` (new, review)
    applying on ``on``, its conditions prefetched. Raises ``NoRuleVersion`` when none does and
    ``AmbiguousRuleVersion`` when several do (staff's edits can make two overlap)."""
    from ..models import RuleVersion

    code = getattr(tier, "code", tier)
    versions = list(
        RuleVersion.objects.filter(tier_id=code, kind=kind, applies_from__lte=on)
        .filter(Q(applies_to__isnull=True) | Q(applies_to__gte=on))
        .select_related("tier")
        .prefetch_related("conditions")
        .order_by("-applies_from")
    )
    if not versions:
        raise NoRuleVersion(code, kind, on)
    if len(versions) > 1:
        raise AmbiguousRuleVersion(code, kind, on, [version.name for version in versions])
    return versions[0]


def city_q(prefix=""):
    """Enterprises (reached through ``prefix``) of the registry's area: ``CHAMPIONS_CITY_CODE``
    and every region under it."""
    city = settings.CHAMPIONS_CITY_CODE
    return (
        Q(**{f"{prefix}region_id": city})
        | Q(**{f"{prefix}region__parent_id": city})
        | Q(**{f"{prefix}region__parent__parent_id": city})
    )


def evaluate_city(tier, as_of=None, kind="new"):
    """Every firm of the city with figures of the years the evaluation reads, evaluated for
    ``tier`` (a ``Tier`` or its code) on ``as_of`` (default today) for ``kind``: a list of
    ``Candidate``, those who qualify first, then the close ones, then the rest, by name.

    Five queries whatever the number of firms: the rule version and its conditions, the
    tiers' names, the firms, their figures, the titles they hold on the day.
    """
    # Tens of thousands of small results, none of them garbage: without pausing the collector,
    # its collections over the growing heap take most of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _evaluate_city(tier, as_of, kind)
    finally:
        if collecting:
            gc.enable()


def _evaluate_city(tier, as_of, kind):
    from ..models import Designation, Enterprise, Tier, YearlyFigures

    as_of = as_of or timezone.localdate()
    rule_version = rule_version_for(tier, kind, as_of)
    rules = Rules.of(rule_version)
    year = figures_year(as_of)
    years = (year - MAX_YEARS, year)
    tier_names = dict(Tier.objects.values_list("code", "name"))
    in_years = YearlyFigures.objects.filter(year__range=years)
    firms = {}
    for row in (
        Enterprise.objects.filter(city_q(), id__in=in_years.values("enterprise_id"))
        .values_list(
            "id",
            "credit_code",
            "name",
            "founded",
            "region_id",
            "region__parent_id",
            "region__parent__parent_id",
            "industry__group",
        )
        .order_by()
    ):
        pk, code, name, founded, *regions, group = row
        firms[pk] = (
            code or "",
            name,
            Firm(founded=founded, regions=tuple(r for r in regions if r), industry_group=group),
        )
    # Only the figures the conditions read: the others would not change any outcome or text.
    # and of the years they read.
    found = figures_by_firm(
        YearlyFigures.objects.filter(
            city_q("enterprise__"), year__range=(year - rules.years_back(), year)
        ),
        rules.fields_read(),
    )
    figures = {pk: found.get(pk, {}) for pk in firms}
    wanted = {rule_version.tier_id, *rules.tiers_named()}
    held = titles_held(
        Designation.objects.in_force(as_of).filter(city_q("enterprise__"), tier_id__in=wanted)
    )
    candidates = _evaluate_firms(firms, figures, held, rules, as_of, tier_names)
    candidates.sort(key=lambda c: (VERDICT_ORDER.index(c.verdict), c.name, c.enterprise_id))
    return candidates


def figures_by_firm(figures, fields=FIGURE_FIELDS):
    """``{enterprise id: {year: {field: value}}}`` of the ``YearlyFigures`` queryset
    ``figures``, read for ``fields`` only: the shape ``evaluate`` takes. One query."""
    found = {}
    for pk, year, *values in _rows(
        figures.values_list("enterprise_id", "year", *fields).order_by()
    ):
        found.setdefault(pk, {})[year] = dict(zip(fields, values, strict=True))
    return found


def titles_held(designations):
    """``{enterprise id: frozenset of tier codes}`` of the ``Designation`` queryset
    ``designations`` (the titles held on a day, typically). One query."""
    held = {}
    for pk, tier in designations.values_list("enterprise_id", "tier_id").distinct().order_by():
        held.setdefault(pk, set()).add(tier)
    return {pk: frozenset(tiers) for pk, tiers in held.items()}


def _rows(queryset):
    """The rows of a ``values_list`` queryset, each value converted by the database converters
    Django applies (SQLite's for decimals: the same ``Decimal``), without its machinery per
    row, which takes most of the time for tens of thousands of figures. One query."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    converters = [
        (index, tuple(functions), expression)
        for index, (functions, expression) in compiler.get_converters(
            [expression for expression, _sql, _alias in compiler.select]
        ).items()
    ]
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters or not rows:
        return rows
    # Column by column: a comprehension over a column's values is far quicker than a loop over
    # the values of each row.
    columns = list(zip(*rows, strict=True))
    for index, functions, expression in converters:
        column = columns[index]
        for function in functions:
            column = [function(value, expression, connection) for value in column]
        columns[index] = column
    return list(zip(*columns, strict=True))


def _evaluate_firms(firms, figures, held, rules, as_of, tier_names):
    """``evaluate`` of every firm, its rules compiled once."""
    candidates = []
    tier = rules.tier
    plan = rules.plan
    year = figures_year(as_of)
    nothing = frozenset()
    for pk, (code, name, firm) in firms.items():
        tiers = held.get(pk, nothing)
        context = Context(figures[pk], year, tiers, firm, tier_names)
        results = tuple([run(context) for run in plan])
        candidates.append(
            Candidate(
                enterprise_id=pk,
                credit_code=code,
                name=name,
                verdict=verdict_of(results),
                holds_tier=tier in tiers,
                conditions=results,
                year=year,
            )
        )
    return candidates
