"""A title's life as the published lists tell it, declared in one place: the rules only.

A designation (a firm holding a tier's title) keeps the dated events of its life: on a publicity
list (公示), awarded (认定 / 公布), on a review publicity list (复核公示), a review result (通过,
不通过, 未申请复核) and a revocation (撤销). Its status, the days it counts as held and the end of
a ban all follow from those events by ``derive``; ``champions.services.designations`` stores the
result on the designation in the same transaction as each new event, so counting stays a plain
indexed filter. Nothing here touches the database, so the data migrations use it too.

What counts as held, on which day (the one rule behind every public count):

- a title is held from its award's announcement date, for the tier's validity: a little giant
  announced on 2022-09-06 holds until 2025-09-05, that day included (``term_end``); a tier
  without a validity
  (the city's cultivation pools) holds until an event ends it;
- a passed review holds it again for the tier's validity from the review's announcement;
- a failed review, or none applied for, ends it at the end of its term (it is held to that day),
  or, for a tier without a fixed validity, the day before the result;
- a revocation ends it the day before its date, and bans applying again until a date (three
  years on, unless the list says otherwise);
- a review publicity changes nothing;
- a term that ended with no review result recorded is not held after its end: that is staff
  work to do, shown as a state of its own (``state_on``), never counted;
- the counts "for a year" are taken on 31 December of that year, from the same days.

A list that gives no announcement date says only the year: the title then counts from the first
day of that year, and to the earliest day its term could end (the end of the year before the
year plus the validity), so that no count includes a day the title may not have been held.
A review or revocation of a title whose award the registry has no record of implies that award
(the programmes review only the titles they awarded), dated as above.
"""

import datetime
from dataclasses import dataclass

# What an event is (the kinds of published list, less support selections, which are awards of
# a support tier).
PUBLICITY = "publicity"
AWARD = "award"
REVIEW_PUBLICITY = "review_publicity"
REVIEW_RESULT = "review_result"
REVOCATION = "revocation"
KINDS = (PUBLICITY, AWARD, REVIEW_PUBLICITY, REVIEW_RESULT, REVOCATION)

# A review result's outcome.
PASSED = "passed"
FAILED = "failed"
NOT_APPLIED = "not_applied"
OUTCOMES = (PASSED, FAILED, NOT_APPLIED)

# A designation's status, as its events leave it.
PUBLICIZED = "publicized"
FINAL = "final"
REVIEW_PASSED = "review_passed"
LAPSED = "lapsed"
REVOKED = "revoked"
STATUSES = (PUBLICIZED, FINAL, REVIEW_PASSED, LAPSED, REVOKED)
#: Statuses of a title that holds until the end of its term.
HOLDING = (FINAL, REVIEW_PASSED)
#: Not a stored status: a holding title on a day after its term ended (``state_on``).
TERM_ENDED = "term_ended"

#: How long a revocation bans applying again, unless the list says.
BAN_YEARS = 3

#: The phases of a title's life, in order: events are read phase by phase, and by date within a
#: phase. (Lists of a later phase are always published later; reading by phase also places the
#: events whose list gave no date.)
_PHASE = {kind: position for position, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Event:
    """What ``derive`` reads of an event. ``valid_until`` is an end of term the list itself
    states (it wins over the computed one); ``banned_until`` likewise for a revocation."""

    kind: str
    happened_on: datetime.date | None = None
    outcome: str = ""
    valid_until: datetime.date | None = None
    banned_until: datetime.date | None = None


@dataclass(frozen=True)
class Derived:
    """What a designation's events make of it."""

    status: str
    #: The first day it counts as held; ``None``: never held (a publicity list only).
    held_from: datetime.date | None = None
    #: The last day of its term (or the day before its revocation); ``None``: no end.
    valid_until: datetime.date | None = None
    banned_until: datetime.date | None = None


def years_later(day, years):
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(start, validity_years):
    """The last day of a term starting on ``start``: ``validity_years`` after the day before
    it (a little giant announced on 2022-09-06 holds until 2025-09-05; a day that does not
    exist, 29 February, becomes 28 February, as in PostgreSQL's date arithmetic, which the set-
    based derivation uses)."""
    return years_later(start - datetime.timedelta(days=1), validity_years)


def _in_phases(events):
    return sorted(events, key=lambda e: (_PHASE[e.kind], e.happened_on or datetime.date.min))


def _the_award(events):
    """The award that starts the term: the earliest dated one (a list published again, or a
    dated list after an undated record, does not start another term)."""
    awards = [event for event in events if event.kind == AWARD]
    dated = [event for event in awards if event.happened_on]
    return min(dated, key=lambda e: e.happened_on) if dated else (awards[0] if awards else None)


def derive(events, *, validity_years, year):
    """The status and days held of a designation of a tier with ``validity_years`` (``None``:
    no fixed validity) and of ``year``, from its ``events`` in any order."""
    status = PUBLICIZED
    held_from = until = banned = None
    award = _the_award(events)
    if award is not None:
        held_from, until = _award_days(award, validity_years, year)
        status = FINAL
    for event in _in_phases(events):
        if event.kind in (PUBLICITY, AWARD):
            continue
        if held_from is None:  # a review or revocation of an award not recorded
            held_from, until = _award_days(Event(AWARD), validity_years, year)
            status = FINAL
        if event.kind == REVIEW_RESULT and event.outcome == PASSED:
            status = REVIEW_PASSED
            if event.valid_until:
                until = event.valid_until
            elif event.happened_on and validity_years:
                until = term_end(event.happened_on, validity_years)
        elif event.kind == REVIEW_RESULT:  # failed, or not applied for: ends with its term
            status = LAPSED
            if until is None:  # a tier without a fixed validity: ended by the result itself
                until = (event.happened_on or held_from) - datetime.timedelta(days=1)
        elif event.kind == REVOCATION:
            status = REVOKED
            # Without its date, a revocation is not known to leave any day held.
            last_day = (event.happened_on or held_from) - datetime.timedelta(days=1)
            until = min(until, last_day) if until else last_day
            banned = event.banned_until or (
                years_later(event.happened_on, BAN_YEARS) if event.happened_on else None
            )
    return Derived(status, held_from, until, banned)


def _award_days(award, validity_years, year):
    """``(held from, valid until)`` of ``award``; without its date, of its year as the module
    says."""
    if award.happened_on is None:
        held_from = datetime.date(year, 1, 1)
        computed = datetime.date(year + validity_years - 1, 12, 31) if validity_years else None
    else:
        held_from = award.happened_on
        computed = term_end(award.happened_on, validity_years) if validity_years else None
    return held_from, award.valid_until or computed


def state_on(status, valid_until, on):
    """The state to show on day ``on``: the status, or ``TERM_ENDED`` for a holding title whose
    term is over with no review result recorded."""
    if status in HOLDING and valid_until is not None and valid_until < on:
        return TERM_ENDED
    return status


def is_held(held_from, valid_until, on):
    """Whether a designation counts as held on ``on`` (the rule ``in_force_q`` puts in SQL)."""
    return held_from is not None and held_from <= on and (valid_until is None or valid_until >= on)
