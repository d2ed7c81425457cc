"""The recommendation workflow, declared once as data.

A recommendation moves along ``FUNNEL``; it may end ``rejected`` or ``withdrawn`` from any open
stage. Which moves are allowed depends on the level of the batch's tier: national programmes are
reported to the ministry (``submitted``) after the provincial screening, provincial and municipal
ones go straight to their publicity list. The admin, the importer and the tests all ask this module
what is allowed; ``champions.services.recommendations`` carries the moves out.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOMINATED = "nominated", _("Nominated by the city")
    PROVINCE_PASSED = "province_passed", _("Passed the provincial screening")
    SUBMITTED = "submitted", _("Reported to the ministry")
    PUBLICIZED = "publicized", _("On the publicity list")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: The stages counted on public pages, in order: "reached X" means got at least this far.
FUNNEL = (
    Stage.NOMINATED,
    Stage.PROVINCE_PASSED,
    Stage.SUBMITTED,
    Stage.PUBLICIZED,
    Stage.APPROVED,
)

#: Stages a recommendation can no longer leave.
CLOSED = frozenset({Stage.APPROVED, Stage.REJECTED, Stage.WITHDRAWN})

#: Stages that end a recommendation early; the stage it had reached is kept beside it.
ENDINGS = frozenset({Stage.REJECTED, Stage.WITHDRAWN})

#: How each funnel stage reads on the public pages ("9 passed the provincial screening").
PUBLIC_LABELS = {
    Stage.NOMINATED: pgettext_lazy("reached", "nominated"),
    Stage.PROVINCE_PASSED: pgettext_lazy("reached", "passed the provincial screening"),
    Stage.SUBMITTED: pgettext_lazy("reached", "reported to the ministry"),
    Stage.PUBLICIZED: pgettext_lazy("reached", "on the publicity list"),
    Stage.APPROVED: pgettext_lazy("reached", "approved"),
}

NATIONAL = "national"
ALL_LEVELS = frozenset({"national", "provincial", "municipal"})
BELOW_NATIONAL = ALL_LEVELS - {NATIONAL}


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    levels: frozenset = ALL_LEVELS


MOVES = (
    Move(Stage.DRAFT, Stage.NOMINATED),
    Move(Stage.NOMINATED, Stage.PROVINCE_PASSED),
    Move(Stage.PROVINCE_PASSED, Stage.SUBMITTED, frozenset({NATIONAL})),
    Move(Stage.SUBMITTED, Stage.PUBLICIZED, frozenset({NATIONAL})),
    Move(Stage.PROVINCE_PASSED, Stage.PUBLICIZED, BELOW_NATIONAL),
    Move(Stage.PUBLICIZED, Stage.APPROVED),
    # A draft was never filed, so it can be withdrawn but not rejected.
    Move(Stage.DRAFT, Stage.WITHDRAWN),
    *(
        Move(source, ending)
        for source in (Stage.NOMINATED, Stage.PROVINCE_PASSED, Stage.SUBMITTED, Stage.PUBLICIZED)
        for ending in (Stage.REJECTED, Stage.WITHDRAWN)
    ),
)


def allowed_targets(stage, level):
    """The stages a recommendation at ``stage`` in a tier of ``level`` may move to, in order."""
    return [move.target for move in MOVES if move.source == stage and level in move.levels]


def is_closing(target):
    """Whether moving to ``target`` ends a recommendation early (rejected, withdrawn): such a move
    is shown apart from the forward ones and asks for its reason before it is made."""
    return target in ENDINGS


def split_targets(targets):
    """``(forward, closing)``: ``targets`` in their order, the moves that end a recommendation
    early apart from the others."""
    targets = list(targets)
    return (
        [target for target in targets if not is_closing(target)],
        [target for target in targets if is_closing(target)],
    )


def common_targets(positions):
    """The stages every one of ``positions`` (pairs of stage and tier level) may move to, in the
    workflow's order: what one move of several recommendations at once can offer."""
    positions = list(positions)
    if not positions:
        return []
    shared = set.intersection(*(set(allowed_targets(s, level)) for s, level in positions))
    return [stage for stage in Stage if stage in shared]


def path_to(source, target, level):
    """The shortest list of legal moves from ``source`` to ``target`` (``[]`` if none exists).

    The importer uses it when a file says a recommendation is already further along than the
    registry knows: every intermediate move is carried out and recorded.
    """
    frontier = [[source]]
    seen = {source}
    while frontier:
        path = frontier.pop(0)
        for nxt in allowed_targets(path[-1], level):
            if nxt in seen:
                continue
            if nxt == target:
                return path[1:] + [nxt]
            seen.add(nxt)
            frontier.append(path + [nxt])
    return []
