"""Evaluating a tier's conditions for one firm: pure functions, no database.

A condition is a dictionary: ``form`` and its parameters (the ``Condition.spec`` of the database,
with the row's ``code``, ``label``, ``label_en`` and ``waivable``). The forms:

``threshold``
    ``{"measure": "rd_ratio", "op": ">=", "value": 3, "years": 2, "over": "each"}``: the measure
    compared with ``value`` by ``op`` (``>=``, ``<=``, ``>``, ``<``). ``years`` (default 1) are
    the last years read, the year of the figures first; ``over`` says how: ``each`` (default:
    every one of them meets it), ``average`` (their average does), ``sum`` (their total does).
``range``
    ``{"measure": "revenue", "min": 5000, "max": 200000}``: between the two, both included (one
    may be left out); ``years`` and ``over`` as for a threshold.
``bands``
    ``{"by": "revenue", "bands": [{"from": 10000, "to": null, "all_of": [...]}, ...]}``: the band
    the measure ``by`` (of the year of the figures) falls in (``from`` included, ``to`` not)
    decides which conditions apply; each band's ``all_of`` are conditions of any form.
``any_of``
    ``{"routes": [{"label": "...", "all_of": [...]}, ...]}``: either-or routes; met when every
    condition of one route is.
``holds_tier``
    ``{"tiers": ["innovative_sme"]}``: one of these titles held on the day of the evaluation.
``registered_in``
    ``{"region": "330000"}``: the firm's region is this one or under it.
``score``
    ``{"total": {"op": ">=", "value": 60}, "parts": [{"code", "label", "min", "items": [...]}]}``:
    a points table. Each item scores the points of the first of its ``bands`` (``[threshold,
    points]``, compared with ``op``) its measure meets, else ``otherwise`` (default 0); a part's
    points must reach its ``min``, the total the ``total``. An item whose measure is unknown
    scores nothing, so the score is unknown when the missing items could change its outcome.

Outcomes: ``met``, ``missed`` or ``unknown`` (a figure it needs is missing). A missed threshold
says by how much, relative to its threshold (``shortfall``: 0.05 is 5 % short); a composite
condition takes the shortfall of its closest route or its worst part. ``verdict`` then says:
``qualifies`` when every condition is met; ``close`` when every condition but one is, and that
one is unknown, missed by less than ``CLOSE_SHORTFALL`` or waivable; else ``no``.
"""

import operator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from .measures import MEASURES, format_value

MET = "met"
MISSED = "missed"
UNKNOWN = "unknown"

QUALIFIES = "qualifies"
CLOSE = "close"
NO = "no"

#: Missed by less than this (relative to the threshold), a condition makes a firm close.
CLOSE_SHORTFALL = Decimal("0.10")

OPERATORS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}
#: The same, as the functions of ``operator`` (no call of a Python function).
COMPARISONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
OVER = ("each", "average", "sum")
MAX_YEARS = 5
FORMS = ("threshold", "range", "bands", "any_of", "holds_tier", "registered_in", "score")


class InvalidCondition(ValueError):
    """A condition whose parameters do not say anything the evaluator can read."""


# --- Checking a condition's parameters ----------------------------------------------------------


def _is_number(value):
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def spec_errors(form, spec, path=""):
    """The problems of a condition's parameters, as texts (empty: it can be evaluated)."""
    errors = []

    def problem(message):
        errors.append(f"{path}{message}")

    if form not in FORMS:
        problem(_("unknown form “%(form)s”") % {"form": form})
        return errors
    if not isinstance(spec, dict):
        problem(_("the parameters must be an object"))
        return errors
    if form in ("threshold", "range"):
        if spec.get("measure") not in MEASURES:
            problem(_("unknown measure “%(measure)s”") % {"measure": spec.get("measure")})
        years = spec.get("years", 1)
        if not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
            problem(_("years must be a whole number from 1 to %(max)d") % {"max": MAX_YEARS})
        if spec.get("over", "each") not in OVER:
            problem(_("over must be each, average or sum"))
    if form == "threshold":
        if spec.get("op") not in OPERATORS:
            problem(_("op must be one of >=, <=, >, <"))
        if not _is_number(spec.get("value")):
            problem(_("value must be a number"))
    elif form == "range":
        bounds = [spec.get("min"), spec.get("max")]
        if all(bound is None for bound in bounds) or any(
            bound is not None and not _is_number(bound) for bound in bounds
        ):
            problem(_("min and/or max must be numbers"))
        elif None not in bounds and bounds[0] > bounds[1]:
            problem(_("min is above max"))
    elif form == "bands":
        if spec.get("by") not in MEASURES:
            problem(_("unknown measure “%(measure)s”") % {"measure": spec.get("by")})
        bands = spec.get("bands")
        if not isinstance(bands, list) or not bands:
            problem(_("bands must be a list"))
        else:
            for number, band in enumerate(bands, start=1):
                errors += _sub_errors(band, f"{path}bands[{number}].")
                for bound in ("from", "to"):
                    if band.get(bound) is not None and not _is_number(band.get(bound)):
                        problem(_("a band's from and to must be numbers"))
    elif form == "any_of":
        routes = spec.get("routes")
        if not isinstance(routes, list) or len(routes) < 2:
            problem(_("routes must be a list of at least two"))
        else:
            for number, route in enumerate(routes, start=1):
                errors += _sub_errors(route, f"{path}routes[{number}].")
    elif form == "holds_tier":
        tiers = spec.get("tiers")
        if not isinstance(tiers, list) or not tiers or not all(isinstance(t, str) for t in tiers):
            problem(_("tiers must be a list of tier codes"))
    elif form == "registered_in":
        if not isinstance(spec.get("region"), str) or not spec["region"]:
            problem(_("region must be a region code"))
    elif form == "score":
        total = spec.get("total") or {}
        if total.get("op") not in OPERATORS or not _is_number(total.get("value")):
            problem(_("total must have an op and a value"))
        parts = spec.get("parts")
        if not isinstance(parts, list) or not parts:
            problem(_("parts must be a list"))
        else:
            for part in parts:
                if not isinstance(part, dict) or not isinstance(part.get("items"), list):
                    problem(_("each part must have items"))
                    continue
                for item in part["items"]:
                    if not isinstance(item, dict) or item.get("measure") not in MEASURES:
                        problem(_("each item must name a known measure"))
                    elif item.get("op", ">=") not in OPERATORS or not all(
                        isinstance(b, list) and len(b) == 2 and all(map(_is_number, b))
                        for b in item.get("bands", [])
                    ):
                        problem(_("an item's bands must be [threshold, points] pairs"))
    return errors


def _sub_errors(group, path):
    if not isinstance(group, dict) or not isinstance(group.get("all_of"), list):
        return [f"{path}" + _("all_of must be a list of conditions")]
    errors = []
    for number, condition in enumerate(group["all_of"], start=1):
        if not isinstance(condition, dict):
            errors.append(f"{path}all_of[{number}]: " + _("a condition must be an object"))
            continue
        errors += spec_errors(condition.get("form"), condition, f"{path}all_of[{number}].")
    return errors


# --- Results ------------------------------------------------------------------------------------


def outcome_label(outcome):
    return {MET: _("met"), MISSED: _("missed"), UNKNOWN: _("unknown (no figure)")}[outcome]


#: The fields of a result that are texts, in the language of the run.
TEXT_FIELDS = ("label", "values", "requirement", "note")
#: The texts of a result given none (one tuple for all of them).
_NO_GIVEN = ("", (), "", "")


class ConditionResult:
    """What became of one condition: ``outcome`` (met, missed, unknown), the values it read
    (``values``: ``(year, value)`` pairs, or for a score ``(part, points)``), what it requires,
    by how much it was missed (``shortfall``, relative to the threshold; ``None`` when that has
    no meaning) and, for a composite condition, the results of its parts (``details``).

    The evaluation decides the outcome only; the texts (``label``, ``values``, ``requirement``,
    ``note``) are written when first read, in the language active then (``texts``: a function
    then its arguments, returning them as a dictionary), so that evaluating thousands of firms
    writes nothing that no one reads."""

    __slots__ = (
        "code",
        "outcome",
        "shortfall",
        "waivable",
        "details",
        "_given",
        "_texts",
        "_cache",
    )

    def __init__(
        self,
        code,
        label="",
        outcome=UNKNOWN,
        values=(),
        requirement="",
        shortfall=None,
        waivable=False,
        details=(),
        note="",
        *,
        texts=None,
    ):
        self.code = code
        self.outcome = outcome
        self.shortfall = shortfall
        self.waivable = waivable
        self.details = details
        self._given = (
            _NO_GIVEN
            if not (label or values or requirement or note)
            else (label, values, requirement, note)
        )
        self._texts = texts
        self._cache = None

    def _text_fields(self):
        """``(label, values, requirement, note)`` in the language of the run."""
        if self._texts is None:
            return self._given
        language = get_language()
        cache = self._cache
        if cache is not None and cache[0] == language:
            return cache[1]
        function, *args = self._texts
        written = function(*args)
        fields = tuple(
            written.get(name, given) for name, given in zip(TEXT_FIELDS, self._given, strict=True)
        )
        self._cache = (language, fields)
        return fields

    def text_fields(self):
        """``(label, values, requirement, note)`` at once, in the language of the run (the
        properties each look the language up)."""
        return self._text_fields()

    @property
    def label(self):
        return self._text_fields()[0]

    @property
    def values(self):
        return self._text_fields()[1]

    @property
    def requirement(self):
        return self._text_fields()[2]

    @property
    def note(self):
        return self._text_fields()[3]

    def _key(self):
        return (
            self.code,
            *self._text_fields(),
            self.outcome,
            self.shortfall,
            self.waivable,
            self.details,
        )

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        label, values, requirement, note = self._text_fields()
        return (
            f"ConditionResult(code={self.code!r}, label={label!r}, outcome={self.outcome!r}, "
            f"values={values!r}, requirement={requirement!r}, shortfall={self.shortfall!r}, "
            f"waivable={self.waivable!r}, details={self.details!r}, note={note!r})"
        )

    def __getstate__(self):
        return (
            self.code,
            self.outcome,
            self.shortfall,
            self.waivable,
            self.details,
            self._given,
            self._texts,
        )

    def __setstate__(self, state):
        (
            self.code,
            self.outcome,
            self.shortfall,
            self.waivable,
            self.details,
            self._given,
            self._texts,
        ) = state
        self._cache = None

    @property
    def met(self):
        return self.outcome == MET

    @property
    def close(self):
        """Not met, but alone it would still make the firm close."""
        return self.outcome == UNKNOWN or (
            self.outcome == MISSED
            and (self.waivable or (self.shortfall is not None and self.shortfall < CLOSE_SHORTFALL))
        )

    def text(self):
        """The condition as a sentence in the language of the run."""
        label, values, requirement, note = self._text_fields()
        parts = [label]
        if values:
            parts.append(_(", ").join(self.values_text(values)))
        if note:
            parts.append(note)
        head = _(": ").join(parts)
        if requirement:
            head = _("%(head)s (required %(requirement)s)") % {
                "head": head,
                "requirement": requirement,
            }
        text = _("%(condition)s: %(outcome)s") % {
            "condition": head,
            "outcome": outcome_label(self.outcome),
        }
        if self.outcome == MISSED and self.waivable:
            text += _(" (waivable)")
        if self.details:
            text += _(" [%(details)s]") % {
                "details": pgettext("eligibility", "; ").join(
                    result.text() for result in self.details
                )
            }
        return text

    def values_text(self, values=None):
        """The values read as texts (``values``: those of ``text_fields``, else read)."""
        if values is None:
            values = self.values
        return [f"{when} {value}".strip() for when, value in values]


@dataclass(frozen=True)
class Verdict:
    """A firm's evaluation against one rule version: ``verdict`` (qualifies, close, no), the
    results of the conditions in order, and the year of the figures read."""

    verdict: str
    conditions: tuple
    year: int

    def text(self):
        return pgettext("eligibility", "; ").join(result.text() for result in self.conditions)


def verdict_of(results):
    """``qualifies``, ``close`` or ``no`` for the results of a rule version's conditions."""
    doubtful = [result for result in results if result.outcome != MET]
    if not doubtful:
        return QUALIFIES
    if len(doubtful) == 1 and doubtful[0].close:
        return CLOSE
    return NO


# --- Evaluating -------------------------------------------------------------------------------


@dataclass(slots=True)
class Context:
    """What conditions are evaluated against: the firm's figures by year, the year of the
    figures, the tiers it holds on the day, its facts (``measures.Firm``)."""

    figures: dict
    year: int
    held_tiers: frozenset
    firm: object
    tier_names: dict = field(default_factory=dict)


def _label(condition, default=""):
    if condition.get("label_en"):
        language = get_language()
        if language and language.startswith("en"):
            return condition["label_en"]
    return condition.get("label") or default


def _year_label(year):
    return _("in %(year)d") % {"year": year}


def _decimal(value, _cache={}):  # noqa: B006 - the parameters' numbers, converted once
    """``Decimal(value)`` of a parameter (a number of the criteria), remembered."""
    if value.__class__ is Decimal:
        return value
    key = (value.__class__, value)
    try:
        return _cache[key]
    except KeyError:
        _cache[key] = number = Decimal(value)
        return number
    except TypeError:  # not hashable: not a parameter
        return Decimal(value)


_ZERO = Decimal(0)


def _shortfall(op, actual, value):
    """How far ``actual`` is from meeting ``op value``, relative to ``value``."""
    value = _decimal(value)
    if value == 0:
        return None
    gap = value - actual if op in (">=", ">") else actual - value
    return max(gap, _ZERO) / abs(value)


def _over_text(spec):
    years, over = spec.get("years", 1), spec.get("over", "each")
    if years == 1:
        return ""
    return {
        "each": _("each of the last %(years)d years"),
        "average": _("average of the last %(years)d years"),
        "sum": _("total of the last %(years)d years"),
    }[over] % {"years": years}


def _requirement(measure, spec, tests):
    """``≥ 3%``, ``5,000万元 – 200,000万元``, with the years it covers."""
    return _requirement_text(
        get_language(),
        measure.code,
        spec.get("years", 1),
        spec.get("over", "each"),
        tuple((op, value.__class__, value) for op, value in tests),
    )


@lru_cache(maxsize=4096)
def _requirement_text(language, measure_code, years, over, tests):
    """The requirement of a threshold or range, written once per language (``_requirement``)."""
    measure = MEASURES[measure_code]
    if [op for op, _type, _value in tests] == [">=", "<="]:
        text = _("%(min)s to %(max)s") % {
            "min": format_value(measure, tests[0][2]),
            "max": format_value(measure, tests[1][2]),
        }
    else:
        text = " ".join(f"{SIGNS[op]} {format_value(measure, value)}" for op, _t, value in tests)
    if over_text := _over_text({"years": years, "over": over}):
        text = f"{over_text} {text}"
    return text


def _compare_texts(condition, measure_code, year, values, note_kind, note_value, tests):
    measure = MEASURES[measure_code]
    window = [(year - back, value) for back, value in enumerate(values)]
    if len(window) == 1:  # the year of the figures, said once for the whole evaluation
        shown = (("", format_value(measure, window[0][1])),)
    else:
        shown = tuple((_year_label(year), format_value(measure, v)) for year, v in window)
    if note_kind == "sum":
        note = _("total %(value)s") % {"value": format_value(measure, note_value)}
    elif note_kind == "average":
        note = _("average %(value)s") % {"value": format_value(measure, note_value)}
    else:
        note = ""
    return {
        "label": _label(condition, str(measure.label)),
        "values": shown,
        "requirement": _requirement(measure, condition, tests),
        "note": note,
    }


def _compile_compare(condition, tests):
    """A threshold or range: ``tests`` are ``(op, value)`` pairs, all to be met."""
    measure = MEASURES[condition["measure"]]
    compute, measure_code = measure.compute, measure.code
    years = condition.get("years", 1)
    over = condition.get("over", "each") if years > 1 else "each"
    code = condition.get("code", "")
    waivable = bool(condition.get("waivable"))
    checks = tuple((op, COMPARISONS[op], _decimal(limit)) for op, limit in tests)

    def run(context):
        figures, firm, year = context.figures, context.firm, context.year
        if years == 1:
            values = (compute(figures, year, firm),)
        else:
            values = tuple([compute(figures, y, firm) for y in range(year, year - years, -1)])
        known = [value for value in values if value is not None]
        complete = len(known) == years
        note_kind = note_value = None
        if over == "sum":
            outcomes = []  # (outcome, shortfall) of the total checked against each test
            total = sum(known) if known else None
            if total is not None:
                note_kind, note_value = "sum", total
            for op, compare, limit in checks:
                if total is None:
                    outcomes.append((UNKNOWN, None))
                    continue
                ok = compare(total, limit)
                gap = None if ok else _shortfall(op, total, limit)
                if complete:
                    outcomes.append((MET, None) if ok else (MISSED, gap))
                elif op in (">=", ">"):
                    # Amounts are not negative: the missing years can only add to a partial
                    # total.
                    outcomes.append((MET, None) if ok else (UNKNOWN, None))
                else:
                    outcomes.append((UNKNOWN, None) if ok else (MISSED, gap))
            missed = [gap for outcome, gap in outcomes if outcome == MISSED]
            if missed:
                outcome, shortfall = MISSED, None if None in missed else max(missed)
            elif any(outcome == UNKNOWN for outcome, _gap in outcomes):
                outcome, shortfall = UNKNOWN, None
            else:
                outcome, shortfall = MET, None
        else:
            if over == "average":
                checked = (sum(known) / len(known),) if complete else ()
                if checked:
                    note_kind, note_value = "average", checked[0]
            else:
                checked = known
            missed = None  # the shortfalls of the values missing a test
            for value in checked:
                for op, compare, limit in checks:
                    if not compare(value, limit):
                        gap = _shortfall(op, value, limit)
                        if missed is None:
                            missed = [gap]
                        else:
                            missed.append(gap)
            if missed:
                outcome, shortfall = MISSED, None if None in missed else max(missed)
            elif not complete:
                outcome, shortfall = UNKNOWN, None
            else:
                outcome, shortfall = MET, None
        return ConditionResult(
            code,
            outcome=outcome,
            shortfall=shortfall,
            waivable=waivable,
            texts=(
                _compare_texts,
                condition,
                measure_code,
                year,
                values,
                note_kind,
                note_value,
                tests,
            ),
        )

    return run


def _compile_threshold(condition):
    return _compile_compare(condition, ((condition["op"], condition["value"]),))


def _compile_range(condition):
    tests = []
    if condition.get("min") is not None:
        tests.append((">=", condition["min"]))
    if condition.get("max") is not None:
        tests.append(("<=", condition["max"]))
    return _compile_compare(condition, tuple(tests))


def _all_of(results):
    """``(outcome, shortfall)`` of conditions that must all be met."""
    if any(result.outcome == MISSED for result in results):
        missed = [result.shortfall for result in results if result.outcome == MISSED]
        unknown = any(result.outcome == UNKNOWN for result in results)
        return MISSED, None if unknown or None in missed else max(missed)
    if any(result.outcome == UNKNOWN for result in results):
        return UNKNOWN, None
    return MET, None


def _relabelled_texts(result, group):
    label, values, requirement, note = result._text_fields()
    return {"label": _label(group), "values": values, "requirement": requirement, "note": note}


def _group_texts(group, number):
    default = "" if number is None else _("route %(number)d") % {"number": number}
    return {"label": _label(group, default)}


def _compile_group(group, number=None):
    subs = tuple(compile_condition(sub) for sub in group["all_of"])
    code = group.get("code", "")
    # One condition: shown under the route's name, unless it has a name of its own.
    relabel = len(subs) == 1 and group.get("label") and not group["all_of"][0].get("label")

    def run(context):
        results = tuple([sub(context) for sub in subs])
        if len(results) == 1:
            result = results[0]
            if relabel:
                return ConditionResult(
                    result.code,
                    outcome=result.outcome,
                    shortfall=result.shortfall,
                    waivable=result.waivable,
                    details=result.details,
                    texts=(_relabelled_texts, result, group),
                )
            return result
        outcome, shortfall = _all_of(results)
        return ConditionResult(
            code,
            outcome=outcome,
            shortfall=shortfall,
            details=results,
            texts=(_group_texts, group, number),
        )

    return run


def _any_of_texts(condition):
    return {"label": _label(condition, _("one of"))}


def _compile_any_of(condition):
    compiled = tuple(
        _compile_group(route, number) for number, route in enumerate(condition["routes"], start=1)
    )
    code = condition.get("code", "")
    waivable = bool(condition.get("waivable"))

    def run(context):
        routes = [route(context) for route in compiled]
        outcomes = {route.outcome for route in routes}
        if MET in outcomes:
            outcome, shortfall = MET, None
        elif UNKNOWN in outcomes:
            outcome, shortfall = UNKNOWN, None
        else:
            outcome = MISSED
            shortfalls = [route.shortfall for route in routes if route.shortfall is not None]
            shortfall = min(shortfalls) if shortfalls else None
        return ConditionResult(
            code,
            outcome=outcome,
            shortfall=shortfall,
            waivable=waivable,
            details=tuple(routes),
            texts=(_any_of_texts, condition),
        )

    return run


_NO_BAND = object()


def _bands_texts(condition, measure_code, year, value, band):
    measure = MEASURES[measure_code]
    if band is None:
        note = ""
    elif band is _NO_BAND:
        note = _("in no band")
    else:
        note = _label(band, "")
    return {
        "label": _label(condition, str(measure.label)),
        "values": ((_year_label(year), f"{measure.label} {format_value(measure, value)}"),),
        "note": note,
    }


def _compile_bands(condition):
    measure = MEASURES[condition["by"]]
    compute, measure_code = measure.compute, measure.code
    code = condition.get("code", "")
    waivable = bool(condition.get("waivable"))
    bands = tuple(
        (
            None if band.get("from") is None else _decimal(band["from"]),
            None if band.get("to") is None else _decimal(band["to"]),
            tuple(compile_condition(sub) for sub in band["all_of"]),
            band,
        )
        for band in condition["bands"]
    )

    def run(context):
        year = context.year
        value = compute(context.figures, year, context.firm)
        if value is None:
            return ConditionResult(
                code,
                outcome=UNKNOWN,
                waivable=waivable,
                texts=(_bands_texts, condition, measure_code, year, value, None),
            )
        for chosen in bands:
            low, high = chosen[0], chosen[1]
            if (low is None or value >= low) and (high is None or value < high):
                break
        else:
            return ConditionResult(
                code,
                outcome=MISSED,
                waivable=waivable,
                texts=(_bands_texts, condition, measure_code, year, value, _NO_BAND),
            )
        _low, _high, subs, band = chosen
        results = tuple([sub(context) for sub in subs])
        outcome, shortfall = _all_of(results)
        return ConditionResult(
            code,
            outcome=outcome,
            shortfall=shortfall,
            waivable=waivable,
            details=results,
            texts=(_bands_texts, condition, measure_code, year, value, band),
        )

    return run


def _holds_tier_texts(condition, tier_names, held):
    names = "、".join(tier_names.get(tier, tier) for tier in condition["tiers"])
    return {
        "label": _label(condition, _("holds %(tiers)s") % {"tiers": names}),
        "note": _("held") if held else _("not held"),
    }


def _compile_holds_tier(condition):
    tiers = tuple(condition["tiers"])
    code = condition.get("code", "")
    waivable = bool(condition.get("waivable"))

    def run(context):
        held_tiers = context.held_tiers
        held = any(tier in held_tiers for tier in tiers)
        return ConditionResult(
            code,
            outcome=MET if held else MISSED,
            waivable=waivable,
            texts=(_holds_tier_texts, condition, context.tier_names, held),
        )

    return run


def _registered_in_texts(condition):
    return {"label": _label(condition, condition["region"])}


def _compile_registered_in(condition):
    region = condition["region"]
    code = condition.get("code", "")
    waivable = bool(condition.get("waivable"))

    def run(context):
        regions = context.firm.regions
        outcome = UNKNOWN if not regions else MET if region in regions else MISSED
        return ConditionResult(
            code, outcome=outcome, waivable=waivable, texts=(_registered_in_texts, condition)
        )

    return run


def _item_points(item, context):
    """``(points, best possible)`` of a score item; points ``None`` when its measure is unknown."""
    measure = MEASURES[item["measure"]]
    compare = OPERATORS[item.get("op", ">=")]
    bands = item.get("bands", [])
    otherwise = _decimal(item.get("otherwise", 0))
    best = max([_decimal(points) for _limit, points in bands] + [otherwise])
    value = measure.value(context.figures, context.year, context.firm)
    if value is None:
        return None, best
    for limit, points in bands:
        if compare(value, _decimal(limit)):
            return _decimal(points), best
    return otherwise, best


def _score_texts(condition, lows, total_low):
    op, value = condition["total"]["op"], _decimal(condition["total"]["value"])
    shown = tuple(
        (_label(part, part.get("code", "")), _("%(points)s points") % {"points": _points(low)})
        for part, low in zip(condition["parts"], lows, strict=True)
    )
    minimums = [
        f"{_label(part, part.get('code', ''))} ≥ {_points(Decimal(part['min']))}"
        for part in condition["parts"]
        if part.get("min")
    ]
    requirement = _("total %(sign)s %(value)s points") % {
        "sign": SIGNS[op],
        "value": _points(value),
    }
    if minimums:
        requirement += _(", ") + _(", ").join(minimums)
    return {
        "label": _label(condition, _("score")),
        "values": shown,
        "requirement": requirement,
        "note": _("%(points)s points") % {"points": _points(total_low)},
    }


def _score(condition, context):
    total_low = total_high = _ZERO
    parts_low_ok = parts_high_ok = True
    lows = []
    part_gaps = []
    for part in condition["parts"]:
        low = high = _ZERO
        for item in part["items"]:
            points, best = _item_points(item, context)
            low += points or 0
            high += best if points is None else points
        total_low += low
        total_high += high
        minimum = _decimal(part.get("min", 0))
        parts_low_ok &= low >= minimum
        parts_high_ok &= high >= minimum
        if high < minimum:
            part_gaps.append((minimum - high) / minimum)
        lows.append(low)
    op, value = condition["total"]["op"], _decimal(condition["total"]["value"])
    if OPERATORS[op](total_low, value) and parts_low_ok:
        outcome, shortfall = MET, None
    elif not OPERATORS[op](total_high, value) or not parts_high_ok:
        outcome = MISSED
        gaps = part_gaps + (
            [_shortfall(op, total_high, value)] if not OPERATORS[op](total_high, value) else []
        )
        shortfall = None if None in gaps else max(gaps)
    else:
        outcome, shortfall = UNKNOWN, None
    return ConditionResult(
        condition.get("code", ""),
        outcome=outcome,
        shortfall=shortfall,
        waivable=bool(condition.get("waivable")),
        texts=(_score_texts, condition, tuple(lows), total_low),
    )


def _points(value):
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


def _compile_score(condition):
    def run(context):
        return _score(condition, context)

    return run


COMPILERS = {
    "threshold": _compile_threshold,
    "range": _compile_range,
    "bands": _compile_bands,
    "any_of": _compile_any_of,
    "holds_tier": _compile_holds_tier,
    "registered_in": _compile_registered_in,
    "score": _compile_score,
}


def compile_condition(condition):
    """One condition (a dictionary with its ``form``) as a function of a ``Context`` returning
    its ``ConditionResult``: its parameters read once (measures, years, limits as ``Decimal``,
    operators), not again for each firm."""
    return COMPILERS[condition["form"]](condition)


def evaluate_condition(condition, context):
    """The ``ConditionResult`` of one condition (a dictionary with its ``form``)."""
    return compile_condition(condition)(context)
