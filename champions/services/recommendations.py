"""Moving recommendations through the workflow declared in ``champions.workflow``.

``move`` and ``undo_last_move`` are the only code that changes a recommendation's stage. ``move``
refuses an illegal move with a message naming the stages allowed instead, records every move it
makes, and records the award on the designation in the same transaction when a recommendation is
approved, from the notice that announced it (``AwardNotice``). ``undo_last_move`` takes the last
move back with a move of its own; no move is ever deleted.
"""

import datetime
from dataclasses import dataclass, fields, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Designation, EventKind, Notice, Recommendation, StageMove
from ..workflow import ENDINGS, Stage, allowed_targets, path_to
from .designations import bans_on, record_designation, record_event, refresh

#: The permission a person needs to move recommendations, in the admin and in an import.
MOVE_PERMISSION = "champions.move_recommendation"


class IllegalMove(ValidationError):
    """The workflow does not allow this move; nothing was changed."""


def may_move(user):
    """Whether ``user`` may move recommendations between stages (and undo a move)."""
    return user is not None and user.has_perm(MOVE_PERMISSION)


@dataclass(frozen=True)
class AwardNotice:
    """What the list announcing an approval says of itself: its document number (文号), its
    address and its announcement date. Any of them may be unknown (empty)."""

    document: str = ""
    source: str = ""
    announced_on: datetime.date | None = None

    def missing(self):
        """The names of the facts not known, in the order of the fields."""
        return [f.name for f in fields(self) if not getattr(self, f.name)]

    def completed_by(self, other):
        """These facts, with those they lack taken from ``other``: a known fact is kept."""
        if other is None:
            return self
        return replace(self, **{name: getattr(other, name) for name in self.missing()})


#: The facts an approval in the admin must know, from its batch or from the person approving.
NOTICE_FACTS = tuple(f.name for f in fields(AwardNotice))


def batch_notice(batch):
    """The notice facts the batch records (``Batch.document``, ``source``, ``announced_on``)."""
    return AwardNotice(batch.document, batch.source, batch.announced_on)


def suggested_notice(batch):
    """Facts to suggest where the batch lacks them: those of the latest award list recorded for
    the batch (from an import, or an earlier approval), if any."""
    notice = (
        Notice.objects.filter(batch=batch, kind=EventKind.AWARD)
        .order_by("-published_on", "-id")
        .first()
    )
    if notice is None:
        return batch_notice(batch)
    return batch_notice(batch).completed_by(
        AwardNotice(notice.document, notice.source, notice.published_on)
    )


def _award_notice(batch, facts):
    """The ``Notice`` of the award list with ``facts``: the batch's own if one has exactly these
    facts, else a new one. None when the list has neither a document number nor an address."""
    if not (facts.document or facts.source):
        return None
    known = {
        "kind": EventKind.AWARD,
        "tier": batch.tier,
        "batch": batch,
        "document": facts.document,
        "source": facts.source,
        "published_on": facts.announced_on,
    }
    notice = Notice.objects.filter(**known).order_by("id").first()
    return notice or Notice.objects.create(authority=batch.tier.authority, **known)


def _label(stage):
    return Stage(stage).label


def _refusal(recommendation, target, level):
    allowed = allowed_targets(recommendation.stage, level)
    if allowed:
        choices = "、".join(str(_label(stage)) for stage in allowed)
        return _(
            "A recommendation at stage “%(source)s” cannot move to “%(target)s”; "
            "it can move to: %(allowed)s."
        ) % {"source": _label(recommendation.stage), "target": _label(target), "allowed": choices}
    return _(
        "A recommendation at stage “%(source)s” is closed and cannot move to “%(target)s”."
    ) % {"source": _label(recommendation.stage), "target": _label(target)}


def _apply(recommendation, target, *, user, note, happened_on, import_run, notice=None):
    source = recommendation.stage
    if target == Stage.NOMINATED:
        _refuse_within_ban(recommendation, happened_on)
    recommendation.stage = target
    recommendation.ended_at_stage = source if target in ENDINGS else ""
    update_fields = ["stage", "ended_at_stage", "updated_at"]
    recorded_award = None
    if target == Stage.APPROVED:
        recommendation.designation, recorded_award = _award(
            recommendation, user=user, happened_on=happened_on, import_run=import_run, notice=notice
        )
        update_fields.append("designation")
    recommendation.save(update_fields=update_fields)
    return StageMove.objects.create(
        recommendation=recommendation,
        source=source,
        target=target,
        moved_by=user,
        note=note,
        happened_on=happened_on,
        import_run=import_run,
        award=recorded_award,
    )


def _award(recommendation, *, user, happened_on, import_run, notice):
    """The title of an approved recommendation with its award: ``(designation, the award event
    recorded, or None when the title had its award already)``.

    As ``services.designations.award`` does, and keeping the event, so that an undo of the
    approval takes back exactly what it recorded. The award is of the list announcing it: the
    batch's facts, completed by ``notice`` (an ``AwardNotice``); its term starts on the
    announcement date, else on the move's date, else the list's year only is known.
    """
    batch = recommendation.batch
    facts = batch_notice(batch).completed_by(notice)
    designation, _created = record_designation(
        enterprise=recommendation.enterprise,
        tier=batch.tier,
        batch=batch,
        year=batch.year,
        product=recommendation.product,
    )
    event = None
    if not designation.events.filter(kind=EventKind.AWARD).exists():
        event = record_event(
            designation,
            EventKind.AWARD,
            happened_on=facts.announced_on or happened_on,
            notice=_award_notice(batch, facts),
            recorded_by=user,
            import_run=import_run,
            note=_("Approved recommendation"),
        )
    designation.refresh_from_db()
    return designation, event


def _refuse_within_ban(recommendation, happened_on):
    """A firm whose title of this tier was revoked may not be nominated for it again until its
    ban ends."""
    on = happened_on or timezone.localdate()
    bans = bans_on(recommendation.enterprise, recommendation.batch.tier, on)
    if bans:
        raise IllegalMove(
            _(
                "%(firm)s may not be nominated for “%(tier)s” before %(day)s: its title was "
                "revoked, with a ban on applying again until then."
            )
            % {
                "firm": recommendation.enterprise.name,
                "tier": recommendation.batch.tier.name,
                "day": formats.date_format(bans[0], "DATE_FORMAT"),
            },
            code="within_ban",
        )


def _locked(recommendation):
    """The recommendation re-read under a row lock, so two reviewers cannot both move it."""
    return (
        Recommendation.objects.select_for_update()
        .select_related("batch__tier", "enterprise")
        .get(pk=recommendation.pk)
    )


def move(
    recommendation, target, *, user=None, note="", happened_on=None, import_run=None, notice=None
):
    """Move ``recommendation`` one step to ``target`` and return the recorded ``StageMove``.

    ``notice`` (an ``AwardNotice``) gives an approval the facts of its award list that the batch
    lacks. Raises ``IllegalMove`` (and changes nothing) when the workflow does not allow the move.
    """
    with transaction.atomic():
        current = _locked(recommendation)
        level = current.batch.tier.level
        if target not in allowed_targets(current.stage, level):
            raise IllegalMove(_refusal(current, target, level), code="illegal_move")
        recorded = _apply(
            current,
            target,
            user=user,
            note=note,
            happened_on=happened_on,
            import_run=import_run,
            notice=notice,
        )
    _copy_state(current, recommendation)
    return recorded


def advance(recommendation, target, *, user=None, note="", happened_on=None, import_run=None):
    """Move ``recommendation`` to ``target`` through every intermediate stage, recording each.

    For files that report a recommendation further along than the registry knows. Returns the
    list of recorded moves (empty when it is already at ``target``).
    """
    with transaction.atomic():
        current = _locked(recommendation)
        if current.stage == target:
            return []
        level = current.batch.tier.level
        steps = path_to(current.stage, target, level)
        if not steps:
            raise IllegalMove(_refusal(current, target, level), code="illegal_move")
        recorded = [
            _apply(
                current, step, user=user, note=note, happened_on=happened_on, import_run=import_run
            )
            for step in steps
        ]
    _copy_state(current, recommendation)
    return recorded


def last_move(recommendation):
    """The latest recorded move of ``recommendation`` (None if it has none)."""
    return (
        StageMove.objects.filter(recommendation_id=recommendation.pk)
        .select_related("award__designation", "moved_by")
        .order_by("-moved_at", "-id")
        .first()
    )


def undo_refusal(recommendation, last, expected=None):
    """Why ``last`` (the latest move of ``recommendation``) cannot be undone, as an
    ``IllegalMove``; None when it can. ``expected`` is the move the person means to undo."""
    if last is None:
        return IllegalMove(_("This recommendation has no move to undo."), code="nothing_to_undo")
    if expected is not None and last.pk != getattr(expected, "pk", expected):
        return IllegalMove(
            _(
                "Only the last move of a recommendation can be undone, and the move you meant is "
                "not its last one any more: its last move is “%(move)s”."
            )
            % {"move": last},
            code="not_last_move",
        )
    if last.undoes_id is not None:
        return IllegalMove(
            _(
                "The last move, “%(move)s”, is itself an undo, and an undo is not undone: make "
                "the move again instead."
            )
            % {"move": last},
            code="undo_of_undo",
        )
    if recommendation.stage != last.target:
        return IllegalMove(
            _(
                "The recommendation is at stage “%(stage)s”, not where its last move took it; "
                "that move cannot be undone."
            )
            % {"stage": _label(recommendation.stage)},
            code="out_of_step",
        )
    if last.target == Stage.APPROVED:
        if last.award is None:
            return IllegalMove(
                _(
                    "This approval cannot be undone: it did not record the award of the title "
                    "itself (the award was recorded before, by hand or by an import, or the "
                    "approval was recorded before approvals could be undone)."
                ),
                code="award_not_recorded_by_approval",
            )
        later = last.award.designation.events.filter(pk__gt=last.award.pk)
        if later.exists():
            return IllegalMove(
                _(
                    "This approval cannot be undone: events have been recorded on its title "
                    "since the award (%(events)s)."
                )
                % {"events": "、".join(str(event.get_kind_display()) for event in later)},
                code="title_changed_since",
            )
    return None


def undo_last_move(recommendation, user, note, *, expected=None):
    """Take back the last move of ``recommendation`` and return the ``StageMove`` recording it.

    The undo is a move of its own, from the stage the last move reached back to the stage it left,
    with ``note`` (required) saying why, and pointing at the move it undoes; no move is deleted.
    A rejected or withdrawn recommendation is open again (``ended_at_stage`` cleared). Undoing an
    approval takes back the award it recorded on the title, and the title itself when that award
    was all it had (the title's history keeps it); an approval that did not record the award, or
    whose title has had events since, is refused.

    Refused with ``PermissionDenied`` for a ``user`` without ``MOVE_PERMISSION``, and with
    ``IllegalMove`` when there is nothing to undo, the last move is an undo already, or it is not
    ``expected`` (the move the person saw as the last, so that a stale page undoes nothing).
    """
    if not may_move(user):
        raise PermissionDenied(_("You may not move recommendations."))
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": _("Say why the move is undone: the note is recorded with the undo.")},
            code="undo_note_required",
        )
    with transaction.atomic():
        current = _locked(recommendation)
        last = last_move(current)
        refusal = undo_refusal(current, last, expected)
        if refusal is not None:
            raise refusal
        if last.source == Stage.NOMINATED:
            _refuse_within_ban(current, None)
        update_fields = ["stage", "ended_at_stage", "updated_at"]
        if last.target == Stage.APPROVED:
            _take_back_award(current, last.award)
            update_fields.append("designation")
        current.stage = last.source
        current.ended_at_stage = ""
        current.save(update_fields=update_fields)
        undo = StageMove.objects.create(
            recommendation=current,
            source=last.target,
            target=last.source,
            moved_by=user,
            note=note,
            undoes=last,
        )
    _copy_state(current, recommendation)
    return undo


def _take_back_award(recommendation, event):
    """Delete the award ``event`` an approval recorded, and derive its title again from the
    events left; a title left without any event is deleted (its history keeps it), since it would
    otherwise read as on a publicity list."""
    designation = Designation.objects.select_for_update().get(pk=event.designation_id)
    # The approval linked the title; the caller saves the recommendation without it.
    recommendation.designation = None
    event.delete()
    if designation.events.exists():
        # The document number and address shown are those of the award just taken back: derived
        # again from the events left, or none.
        Designation.objects.filter(pk=designation.pk).update(document="", source="")
        refresh([designation.pk])
    else:
        designation.delete()


def _copy_state(source, target):
    for field in ("stage", "ended_at_stage", "designation", "updated_at"):
        setattr(target, field, getattr(source, field))
