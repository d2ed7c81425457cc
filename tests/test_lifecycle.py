"""The rules of a title's life (``champions.lifecycle``), sequence by sequence, on the boundary
days: the last day of a term counts, the next one does not."""

import datetime

import pytest

from champions import lifecycle as life
from champions.lifecycle import Event, derive, is_held, state_on

D = datetime.date
DAY = datetime.timedelta(days=1)
AWARDED = D(2022, 9, 6)  # a little giant of the fourth batch, announced on this day


def held_on(derived, day):
    return is_held(derived.held_from, derived.valid_until, day)


def little_giant(*events):
    return derive(events, validity_years=3, year=2022)


def test_an_award_holds_for_the_validity_less_one_day():
    derived = little_giant(Event(life.AWARD, AWARDED))
    assert (derived.status, derived.held_from, derived.valid_until) == (
        life.FINAL,
        AWARDED,
        D(2025, 9, 5),
    )
    assert not held_on(derived, AWARDED - DAY)
    assert held_on(derived, AWARDED)
    assert held_on(derived, D(2025, 9, 5))
    assert not held_on(derived, D(2025, 9, 6))


def test_a_passed_review_extends_the_term_from_its_announcement():
    derived = little_giant(
        Event(life.AWARD, AWARDED),
        Event(life.REVIEW_RESULT, D(2025, 8, 20), life.PASSED),
    )
    assert (derived.status, derived.valid_until) == (life.REVIEW_PASSED, D(2028, 8, 19))
    assert held_on(derived, D(2025, 9, 6))
    assert held_on(derived, D(2028, 8, 19))
    assert not held_on(derived, D(2028, 8, 20))


@pytest.mark.parametrize("outcome", [life.FAILED, life.NOT_APPLIED])
def test_a_failed_or_missing_review_ends_the_title_with_its_term(outcome):
    derived = little_giant(
        Event(life.AWARD, AWARDED), Event(life.REVIEW_RESULT, D(2025, 8, 20), outcome)
    )
    assert (derived.status, derived.valid_until) == (life.LAPSED, D(2025, 9, 5))
    assert held_on(derived, D(2025, 9, 5))
    assert not held_on(derived, D(2025, 9, 6))


def test_a_review_publicity_changes_nothing():
    awarded = little_giant(Event(life.AWARD, AWARDED))
    in_review = little_giant(
        Event(life.AWARD, AWARDED), Event(life.REVIEW_PUBLICITY, D(2025, 7, 30))
    )
    assert in_review == awarded
    reviewed = little_giant(
        Event(life.AWARD, AWARDED),
        Event(life.REVIEW_PUBLICITY, D(2025, 7, 30)),
        Event(life.REVIEW_RESULT, D(2025, 8, 20), life.PASSED),
    )
    assert reviewed.status == life.REVIEW_PASSED


def test_a_revocation_ends_the_title_the_day_before_and_bans_for_three_years():
    derived = little_giant(Event(life.AWARD, AWARDED), Event(life.REVOCATION, D(2024, 3, 1)))
    assert (derived.status, derived.valid_until, derived.banned_until) == (
        life.REVOKED,
        D(2024, 2, 29),
        D(2027, 3, 1),
    )
    assert held_on(derived, D(2024, 2, 29))
    assert not held_on(derived, D(2024, 3, 1))
    # Counted for the year before it was revoked.
    assert held_on(derived, D(2023, 12, 31))


def test_a_ban_the_list_states_wins():
    derived = little_giant(
        Event(life.AWARD, AWARDED),
        Event(life.REVOCATION, D(2024, 3, 1), banned_until=D(2030, 1, 1)),
    )
    assert derived.banned_until == D(2030, 1, 1)


def test_a_publicity_list_alone_is_not_held():
    derived = little_giant(Event(life.PUBLICITY, D(2022, 8, 1)))
    assert (derived.status, derived.held_from) == (life.PUBLICIZED, None)
    assert not held_on(derived, D(2023, 1, 1))
    awarded = little_giant(Event(life.PUBLICITY, D(2022, 8, 1)), Event(life.AWARD, AWARDED))
    assert awarded.status == life.FINAL and not held_on(awarded, D(2022, 8, 15))


def test_a_pool_without_validity_holds_until_an_event_ends_it():
    pool = derive([Event(life.AWARD, D(2019, 3, 1))], validity_years=None, year=2019)
    assert pool.valid_until is None and held_on(pool, D(2040, 1, 1))
    ended = derive(
        [Event(life.AWARD, D(2019, 3, 1)), Event(life.REVIEW_RESULT, D(2024, 5, 10), life.FAILED)],
        validity_years=None,
        year=2019,
    )
    assert ended.valid_until == D(2024, 5, 9)
    revoked = derive(
        [Event(life.AWARD, D(2019, 3, 1)), Event(life.REVOCATION, D(2024, 5, 10))],
        validity_years=None,
        year=2019,
    )
    assert revoked.valid_until == D(2024, 5, 9)


def test_a_support_selection_is_an_award_of_its_own_tier():
    support = derive([Event(life.AWARD, D(2023, 6, 1))], validity_years=3, year=2023)
    assert (support.status, support.valid_until) == (life.FINAL, D(2026, 5, 31))


def test_an_undated_award_counts_from_its_year_to_the_earliest_possible_end():
    """A 2020 first (set) list without a date is held in 2020 to 2022 and not after."""
    derived = derive([Event(life.AWARD)], validity_years=3, year=2020)
    assert (derived.held_from, derived.valid_until) == (D(2020, 1, 1), D(2022, 12, 31))
    assert held_on(derived, D(2022, 12, 31))
    assert not held_on(derived, D(2023, 1, 1))


def test_a_stated_term_end_wins_over_the_computed_one():
    derived = little_giant(Event(life.AWARD, AWARDED, valid_until=D(2025, 12, 31)))
    assert derived.valid_until == D(2025, 12, 31)


def test_a_review_of_an_award_not_recorded_implies_it():
    derived = derive(
        [Event(life.REVIEW_RESULT, D(2025, 8, 20), life.PASSED)], validity_years=3, year=2022
    )
    assert derived.status == life.REVIEW_PASSED
    assert derived.held_from == D(2022, 1, 1)
    assert derived.valid_until == D(2028, 8, 19)


def test_a_list_published_again_does_not_start_another_term():
    derived = little_giant(Event(life.AWARD, AWARDED), Event(life.AWARD, D(2022, 10, 1)))
    assert (derived.held_from, derived.valid_until) == (AWARDED, D(2025, 9, 5))
    dated_after_undated = little_giant(Event(life.AWARD), Event(life.AWARD, AWARDED))
    assert dated_after_undated.held_from == AWARDED


def test_events_are_read_in_the_order_of_a_titles_life_whatever_their_order_given():
    events = [
        Event(life.REVIEW_RESULT, D(2025, 8, 20), life.PASSED),
        Event(life.AWARD, AWARDED),
        Event(life.REVIEW_PUBLICITY, D(2025, 7, 30)),
    ]
    assert little_giant(*events) == little_giant(*reversed(events))


def test_a_term_ended_without_a_review_is_a_state_of_its_own():
    derived = little_giant(Event(life.AWARD, AWARDED))
    assert state_on(derived.status, derived.valid_until, D(2025, 9, 5)) == life.FINAL
    assert state_on(derived.status, derived.valid_until, D(2025, 9, 6)) == life.TERM_ENDED
    lapsed = little_giant(
        Event(life.AWARD, AWARDED), Event(life.REVIEW_RESULT, D(2025, 8, 20), life.FAILED)
    )
    assert state_on(lapsed.status, lapsed.valid_until, D(2026, 1, 1)) == life.LAPSED


def test_a_term_from_29_february():
    assert life.term_end(D(2024, 2, 29), 3) == D(2027, 2, 28)
    assert life.term_end(D(2024, 3, 1), 3) == D(2027, 2, 28)
    assert life.term_end(D(2023, 3, 1), 1) == D(2024, 2, 28)
