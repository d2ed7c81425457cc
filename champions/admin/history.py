"""What a history page shows besides a record's own versions, and stage moves in "recent actions".

simple-history lists the versions of one record. The history that staff read is wider: a
recommendation's stage moves (``StageMove`` rows, which have no versions of their own), and for an
enterprise the events of its titles and the moves of its recommendations. ``RelatedHistory``,
mixed into a ``HistoryAdmin``, puts such tables (``HistorySection``) below the versions; the
template is ``templates/simple_history/object_history.html``.

Django's "recent actions" are ``LogEntry`` rows, written by the admin's own add and change views;
a stage move is made by the workflow service, so ``log_stage_move`` writes its entry.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext

from ..models import DesignationEvent, StageMove

#: Rows a related table of a history page shows at most, newest first.
HISTORY_ROWS = 100

#: ``LogEntry.object_repr`` holds at most this many characters.
OBJECT_REPR_LENGTH = 200


@dataclass
class HistorySection:
    """One table below a record's versions: a title, column headers and rows of cells (text, or
    HTML made with ``format_html``), newest first; ``total`` counts them all when more exist than
    the ``HISTORY_ROWS`` shown."""

    title: str
    headers: list
    rows: list = field(default_factory=list)
    total: int = 0

    @property
    def truncated(self):
        return self.total > len(self.rows)


def _header(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _admin_link(obj, text=None):
    """A link to ``obj``'s admin change page, or its text where it has none."""
    opts = obj._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return str(text if text is not None else obj)
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def _or_dash(value):
    return "—" if value in (None, "") else value


def _by(user):
    return user.get_username() if user is not None else "—"


def _run(import_run):
    return _admin_link(import_run) if import_run is not None else "—"


def _newest(queryset):
    """The first ``HISTORY_ROWS`` rows of ``queryset`` and how many there are in all: a COUNT
    only when there are more than that."""
    rows = list(queryset[: HISTORY_ROWS + 1])
    if len(rows) > HISTORY_ROWS:
        return rows[:HISTORY_ROWS], queryset.count()
    return rows, len(rows)


def stage_moves_section(moves, *, with_recommendation=False):
    """The table of ``moves`` (a ``StageMove`` queryset): from, to, when, who, the import run and
    the note; ``with_recommendation`` adds the recommendation each move is of (for a firm's
    history, which lists the moves of all its recommendations)."""
    related = ["moved_by", "import_run"]
    if with_recommendation:
        related.append("recommendation__batch__tier")
    moves, total = _newest(moves.select_related(*related).order_by("-moved_at", "-id"))
    names = ("source", "target", "happened_on", "moved_at", "moved_by", "import_run", "note")
    headers = [_header(StageMove, name) for name in names]
    if with_recommendation:
        headers.insert(0, _header(StageMove, "recommendation"))
    rows = []
    for move in moves:
        row = [
            move.get_source_display(),
            move.get_target_display(),
            _or_dash(move.happened_on),
            move.moved_at,
            _by(move.moved_by),
            _run(move.import_run),
            _or_dash(move.note),
        ]
        if with_recommendation:
            recommendation = move.recommendation
            label = recommendation.batch
            if recommendation.product:
                label = f"{label} · {recommendation.product}"
            row.insert(0, _admin_link(recommendation, label))
        rows.append(row)
    return HistorySection(capfirst(StageMove._meta.verbose_name_plural), headers, rows, total)


def title_events_section(events):
    """The table of ``events`` (a ``DesignationEvent`` queryset), latest date first: the title,
    the date, what the event was, its list, the note, when it was recorded and by whom or by
    which import run."""
    events, total = _newest(
        events.select_related("designation__tier", "notice", "recorded_by", "import_run").order_by(
            F("happened_on").desc(nulls_last=True), "-id"
        )
    )
    names = ("designation", "happened_on", "kind", "notice", "note", "recorded_at", "recorded_by")
    headers = [_header(DesignationEvent, name) for name in names]
    headers.append(_header(DesignationEvent, "import_run"))
    rows = []
    for event in events:
        designation = event.designation
        title = str(designation.tier)
        if designation.product:
            title += f" · {designation.product}"
        kind = event.get_kind_display()
        if event.outcome:
            kind = f"{kind} · {event.get_outcome_display()}"
        rows.append(
            [
                _admin_link(designation, f"{title} ({designation.year})"),
                event.happened_on or gettext("date not given"),
                kind,
                _admin_link(event.notice) if event.notice_id else "—",
                _or_dash(event.note),
                event.recorded_at,
                _by(event.recorded_by),
                _run(event.import_run),
            ]
        )
    title = capfirst(DesignationEvent._meta.verbose_name_plural)
    return HistorySection(title, headers, rows, total)


def recommendation_history(recommendation):
    """The sections of a recommendation's history page: its stage moves."""
    return [stage_moves_section(StageMove.objects.filter(recommendation=recommendation))]


def enterprise_history(enterprise):
    """The sections of an enterprise's history page: its titles' events and its
    recommendations' stage moves."""
    return [
        title_events_section(DesignationEvent.objects.filter(designation__enterprise=enterprise)),
        stage_moves_section(
            StageMove.objects.filter(recommendation__enterprise=enterprise),
            with_recommendation=True,
        ),
    ]


class RelatedHistory:
    """Mixed into a ``HistoryAdmin`` (before it): the history page lists, below the record's
    versions, the sections ``related_history(obj)`` returns (context ``related_history``)."""

    def related_history(self, obj):
        return []

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        context = {"related_history": self.related_history(obj) if obj is not None else []}
        return super().history_view(request, object_id, {**context, **(extra_context or {})})


class StageMovesInHistory(RelatedHistory):
    """For ``RecommendationAdmin``: its history page lists the recommendation's stage moves."""

    def related_history(self, obj):
        return recommendation_history(obj)


class EnterpriseInHistory(RelatedHistory):
    """For ``EnterpriseAdmin``: its history page lists its titles' events and its
    recommendations' stage moves."""

    def related_history(self, obj):
        return enterprise_history(obj)


def stage_move_message(stage_move):
    """ "Moved from “draft” to “nominated”: note", in the active language."""
    message = gettext("Moved from “%(source)s” to “%(target)s”.") % {
        "source": stage_move.get_source_display(),
        "target": stage_move.get_target_display(),
    }
    return f"{message} {stage_move.note}" if stage_move.note else message


def log_stage_move(user, stage_move):
    """Record ``stage_move`` in the admin's "recent actions" of ``user`` (a ``LogEntry`` changing
    its recommendation, whose page the entry links to) and return the entry; ``None`` for a move
    without a person (an import's), which Django's log cannot hold.

    Call it in the transaction of the move, so a move rolled back takes its entry with it.
    """
    if user is None or not user.is_authenticated:
        return None
    recommendation = stage_move.recommendation
    # The entry's text is all "recent actions" shows: the recommendation and the move.
    label = gettext("%(recommendation)s: %(move)s") % {
        "recommendation": recommendation,
        "move": stage_move,
    }
    return LogEntry.objects.create(
        user_id=user.pk,
        content_type_id=ContentType.objects.get_for_model(recommendation).pk,
        object_id=str(recommendation.pk),
        object_repr=label[:OBJECT_REPR_LENGTH],
        action_flag=CHANGE,
        change_message=stage_move_message(stage_move),
    )
