"""Moving recommendations through the workflow declared in ``champions.workflow``.

``move`` is the only code that changes a recommendation's stage. It refuses an illegal move with
a message naming the stages allowed instead, records every move it makes, and creates the
designation in the same transaction when a recommendation is approved.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Recommendation, StageMove
from ..workflow import ENDINGS, Stage, allowed_targets, path_to
from .designations import award, bans_on

#: The permission a person needs to move recommendations, in the admin and in an import.
MOVE_PERMISSION = "champions.move_recommendation"


class IllegalMove(ValidationError):
    """The workflow does not allow this move; nothing was changed."""


def may_move(user):
    """Whether ``user`` may move recommendations between stages."""
    return user.has_perm(MOVE_PERMISSION)


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


def _apply(recommendation, target, *, user, note, happened_on, import_run):
    source = recommendation.stage
    batch = recommendation.batch
    if target == Stage.NOMINATED:
        _refuse_within_ban(recommendation, happened_on)
    recommendation.stage = target
    recommendation.ended_at_stage = source if target in ENDINGS else ""
    update_fields = ["stage", "ended_at_stage", "updated_at"]
    if target == Stage.APPROVED:
        # The award of an approved recommendation; its term starts at the batch's announcement.
        recommendation.designation = award(
            recommendation.enterprise,
            batch.tier,
            batch=batch,
            year=batch.year,
            product=recommendation.product,
            happened_on=batch.announced_on or happened_on,
            recorded_by=user,
            import_run=import_run,
            note=_("Approved recommendation"),
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
    )


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


def move(recommendation, target, *, user=None, note="", happened_on=None, import_run=None):
    """Move ``recommendation`` one step to ``target`` and return the recorded ``StageMove``.

    Raises ``IllegalMove`` (and changes nothing) when the workflow does not allow the move.
    """
    with transaction.atomic():
        current = _locked(recommendation)
        level = current.batch.tier.level
        if target not in allowed_targets(current.stage, level):
            raise IllegalMove(_refusal(current, target, level), code="illegal_move")
        recorded = _apply(
            current, target, user=user, note=note, happened_on=happened_on, import_run=import_run
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


def _copy_state(source, target):
    for field in ("stage", "ended_at_stage", "designation", "updated_at"):
        setattr(target, field, getattr(source, field))
