"""Every allowed and every forbidden stage move, for national and provincial programmes."""

import datetime
import itertools

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from champions.lifecycle import years_later
from champions.models import Designation, EventKind, Recommendation, StageMove
from champions.services.designations import award, record_event
from champions.services.recommendations import IllegalMove, advance, move
from champions.workflow import Stage, path_to

ALLOWED = {
    "national": {
        ("draft", "nominated"),
        ("draft", "withdrawn"),
        ("nominated", "province_passed"),
        ("province_passed", "submitted"),
        ("submitted", "publicized"),
        ("publicized", "approved"),
        *(
            (s, end)
            for s in ("nominated", "province_passed", "submitted", "publicized")
            for end in ("rejected", "withdrawn")
        ),
    },
    "provincial": {
        ("draft", "nominated"),
        ("draft", "withdrawn"),
        ("nominated", "province_passed"),
        ("province_passed", "publicized"),
        ("publicized", "approved"),
        *(
            (s, end)
            for s in ("nominated", "province_passed", "publicized")
            for end in ("rejected", "withdrawn")
        ),
    },
}
# A provincial recommendation never reaches "submitted", so no move starts there.
CASES = [
    (level, source, target, (source, target) in ALLOWED[level])
    for level in ALLOWED
    for source, target in itertools.permutations(Stage.values, 2)
    if not (level == "provincial" and source == "submitted")
]


def put_at(recommendation, stage, ended_at=""):
    Recommendation.objects.filter(pk=recommendation.pk).update(stage=stage, ended_at_stage=ended_at)
    recommendation.refresh_from_db()


@pytest.fixture
def recommendation_in(make_enterprise, national_batch, provincial_batch):
    def make(level):
        batch = national_batch if level == "national" else provincial_batch
        return Recommendation.objects.create(enterprise=make_enterprise(), batch=batch)

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(("level", "source", "target", "allowed"), CASES)
def test_move(recommendation_in, staff_user, level, source, target, allowed):
    rec = recommendation_in(level)
    put_at(rec, source, "nominated" if source in ("rejected", "withdrawn") else "")
    before = (rec.stage, rec.ended_at_stage, StageMove.objects.count(), Designation.objects.count())
    if allowed:
        recorded = move(rec, target, user=staff_user, note="checked")
        rec.refresh_from_db()
        assert rec.stage == target
        assert (recorded.source, recorded.target, recorded.moved_by) == (source, target, staff_user)
        assert recorded.note == "checked"
        assert rec.ended_at_stage == (source if target in ("rejected", "withdrawn") else "")
    else:
        with pytest.raises(IllegalMove) as refusal:
            move(rec, target, user=staff_user)
        rec.refresh_from_db()
        after = (
            rec.stage,
            rec.ended_at_stage,
            StageMove.objects.count(),
            Designation.objects.count(),
        )
        assert after == before
        assert str(Stage(target).label) in refusal.value.messages[0]


@pytest.mark.django_db
def test_approval_creates_exactly_one_designation(recommendation_in, staff_user):
    rec = recommendation_in("national")
    for stage in ("nominated", "province_passed", "submitted", "publicized", "approved"):
        move(rec, stage, user=staff_user)
    rec.refresh_from_db()
    designation = Designation.objects.get()
    assert rec.designation == designation
    assert (designation.enterprise, designation.tier, designation.batch) == (
        rec.enterprise,
        rec.batch.tier,
        rec.batch,
    )
    assert designation.year == rec.batch.year
    assert designation.status == Designation.Status.FINAL
    # The award is recorded as an event of the title; the batch gave no announcement date, so
    # only its year is known and the term counts to the earliest day it could end.
    (event,) = designation.events.all()
    assert (event.kind, event.happened_on, event.recorded_by) == ("award", None, staff_user)
    assert designation.held_from == datetime.date(rec.batch.year, 1, 1)
    assert designation.valid_until == datetime.date(rec.batch.year + 2, 12, 31)
    assert list(rec.moves.values_list("target", flat=True)) == [
        "nominated",
        "province_passed",
        "submitted",
        "publicized",
        "approved",
    ]


@pytest.mark.django_db
def test_approval_starts_the_term_at_the_batch_announcement(recommendation_in, staff_user):
    rec = recommendation_in("national")
    rec.batch.announced_on = datetime.date(2022, 9, 6)
    rec.batch.save()
    advance(rec, "approved", user=staff_user, happened_on=datetime.date(2022, 10, 1))
    designation = Designation.objects.get()
    assert designation.events.get().happened_on == datetime.date(2022, 9, 6)
    assert (designation.held_from, designation.valid_until) == (
        datetime.date(2022, 9, 6),
        datetime.date(2025, 9, 5),
    )


@pytest.mark.django_db
def test_nominating_within_a_revocation_ban_is_refused(recommendation_in, staff_user):
    rec = recommendation_in("national")
    revoked = award(
        rec.enterprise,
        rec.batch.tier,
        year=2019,
        happened_on=datetime.date(2019, 12, 1),
    )
    today = timezone.localdate()
    record_event(revoked, EventKind.REVOCATION, happened_on=today - datetime.timedelta(days=30))
    with pytest.raises(IllegalMove) as refusal:
        move(rec, "nominated", user=staff_user)
    ends = years_later(today - datetime.timedelta(days=30), 3)
    assert "may not be nominated" in refusal.value.messages[0]
    assert date_format(ends, "DATE_FORMAT") in refusal.value.messages[0]
    rec.refresh_from_db()
    assert rec.stage == "draft"
    # After the ban, the nomination goes through.
    assert (
        move(rec, "nominated", happened_on=ends + datetime.timedelta(days=1)).target == "nominated"
    )


@pytest.mark.django_db
def test_approval_completes_a_designation_entered_by_hand(recommendation_in):
    rec = recommendation_in("provincial")
    manual = Designation.objects.create(
        enterprise=rec.enterprise,
        tier=rec.batch.tier,
        batch=rec.batch,
        year=2021,
        status=Designation.Status.PUBLICIZED,
    )
    advance(rec, Stage.APPROVED)
    manual.refresh_from_db()
    assert Designation.objects.count() == 1
    assert manual.status == Designation.Status.FINAL
    assert rec.designation == manual


@pytest.mark.django_db
def test_approval_rolls_back_with_its_designation(recommendation_in, monkeypatch):
    """If recording the move fails, neither the stage nor the designation is kept."""
    rec = recommendation_in("provincial")
    advance(rec, Stage.PUBLICIZED)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(StageMove.objects, "create", broken)
    with pytest.raises(RuntimeError):
        move(rec, Stage.APPROVED)
    rec.refresh_from_db()
    assert rec.stage == Stage.PUBLICIZED
    assert Designation.objects.count() == 0


@pytest.mark.django_db
def test_advance_records_every_intermediate_move(recommendation_in):
    rec = recommendation_in("national")
    moves = advance(rec, Stage.SUBMITTED, note="from the province's list")
    assert [(m.source, m.target) for m in moves] == [
        ("draft", "nominated"),
        ("nominated", "province_passed"),
        ("province_passed", "submitted"),
    ]
    assert advance(rec, Stage.SUBMITTED) == []
    with pytest.raises(IllegalMove):
        advance(rec, Stage.NOMINATED)


def test_paths():
    assert path_to("draft", "approved", "provincial") == [
        "nominated",
        "province_passed",
        "publicized",
        "approved",
    ]
    assert path_to("draft", "submitted", "provincial") == []
    assert path_to("approved", "rejected", "national") == []


@pytest.mark.django_db
def test_reached_stage_survives_rejection(recommendation_in):
    rec = recommendation_in("national")
    advance(rec, Stage.SUBMITTED)
    move(rec, Stage.REJECTED, note="not selected")
    rec.refresh_from_db()
    assert rec.stage == Stage.REJECTED
    assert rec.reached_stage == Stage.SUBMITTED
