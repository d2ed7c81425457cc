"""Recommendations and their recorded stage moves.

The stage is never a form field: staff move a recommendation with the "move selected" action or
with the buttons on its change form, and both call ``champions.services.recommendations.move``,
which checks the move against ``champions.workflow``, records it and creates the designation on
approval. Both need the ``move_recommendation`` permission.

No move goes wrong by one click. The moves that end a recommendation early (rejected, withdrawn)
are shown apart, in the colour of deleting, and lead to a confirmation page that asks for the
reason; an approval leads to one that asks for its notice (document number, address,
announcement date) where the batch does not record it. Only the second POST, from that page,
moves. The last move can be undone, with a note, from the change form (``undo_last_move``).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..models import Recommendation, StageMove
from ..services.recommendations import (
    NOTICE_FACTS,
    AwardNotice,
    IllegalMove,
    batch_notice,
    last_move,
    may_move,
    move,
    suggested_notice,
    undo_last_move,
    undo_refusal,
)
from ..workflow import Stage, allowed_targets, common_targets, is_closing, split_targets
from .common import (
    ENTERPRISE_FILTERS,
    ENTERPRISE_SEARCH_FIELDS,
    STAMPS,
    HistoryAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    RecentRowsFormSet,
)
from .designations import BatchChoicesWithTier, BatchListFilter
from .history import StageMovesInHistory, log_stage_move

#: Form prefix of the move panel on the change form, whose own form has a ``note`` field too.
MOVE_PREFIX = "move"
#: Form prefix of the undo panel on the change form.
UNDO_PREFIX = "undo"
#: The field a confirmation page posts, so that its POST moves and the first one does not.
CONFIRMED = "confirmed"


def asks_first(target):
    """Whether a move to ``target`` goes through a confirmation page: the moves that end a
    recommendation early (their reason) and approval (its notice)."""
    return is_closing(target) or target == Stage.APPROVED


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoveForm(forms.Form):
    """Where to move recommendations, and the note and date to record with the move.

    Every stage validates, so that a move the workflow refuses is refused by the service with its
    own message; the pages offer only the moves allowed.
    """

    target = forms.ChoiceField(
        label=_("Move to"),
        choices=[(stage.value, stage.label) for stage in Stage if stage != Stage.DRAFT],
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
    happened_on = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("When it happened, if not today."),
        widget=_date_input(),
    )


class ConfirmMoveForm(MoveForm):
    """The second step of a move that ends a recommendation early (its reason, required) or
    approves it (the facts of the notice announcing the award that its batch lacks)."""

    document = forms.CharField(
        label=_("Document number"),
        max_length=200,
        help_text=_("As printed on the list announcing the award."),
    )
    source = forms.URLField(
        label=_("Source address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the list is published."),
    )
    announced_on = forms.DateField(
        label=_("Announcement date"),
        help_text=_("The term of the title starts on this day."),
        widget=_date_input(),
    )

    def __init__(self, *args, target, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["target"].widget = forms.HiddenInput()
        self.fields[CONFIRMED] = forms.CharField(widget=forms.HiddenInput(), initial="1")
        if is_closing(target):
            note = self.fields["note"]
            note.required = True
            note.label = _("Reason")
            note.help_text = _("Why the recommendation ends. It is recorded with the move.")
        #: For an approval: each batch with the notice facts it records.
        self.batches = [(batch, batch_notice(batch)) for batch in batches]
        #: The batches whose notice facts are asked for here (at most one, else refused).
        self.lacking = [batch for batch, facts in self.batches if facts.missing()]
        asked = set()
        if target == Stage.APPROVED and len(self.lacking) == 1:
            batch = self.lacking[0]
            asked = set(batch_notice(batch).missing())
            suggested = suggested_notice(batch)
            for name in asked:
                self.fields[name].initial = getattr(suggested, name) or None
        for name in NOTICE_FACTS:
            if name not in asked:
                del self.fields[name]

    @property
    def fact_fields(self):
        return [self[name] for name in NOTICE_FACTS if name in self.fields]

    @property
    def move_fields(self):
        return [self[name] for name in ("note", "happened_on")]

    def clean(self):
        cleaned = super().clean()
        if self.target == Stage.APPROVED and len(self.lacking) > 1:
            raise forms.ValidationError(
                _(
                    "The batches %(batches)s do not record the notice of their awards. Approve "
                    "the recommendations of one of them at a time, so that each gets its own."
                )
                % {"batches": "、".join(f"“{batch}”" for batch in self.lacking)},
                code="several_notices",
            )
        return cleaned

    def notice(self):
        """The notice facts entered here (None for a move that is not an approval)."""
        if self.target != Stage.APPROVED:
            return None
        data = self.cleaned_data
        return AwardNotice(
            document=data.get("document") or "",
            source=data.get("source") or "",
            announced_on=data.get("announced_on"),
        )


class UndoForm(forms.Form):
    """The undo of the last move: which move that is (as the page showed it) and why."""

    move = forms.IntegerField(widget=forms.HiddenInput())
    note = forms.CharField(
        label=_("Reason for the undo"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Recorded with the undo, which is a move of its own."),
    )


class StageMoveInline(ReadOnlyInline):
    """The recorded moves of one recommendation, oldest first."""

    model = StageMove
    fields = (
        "source",
        "target",
        "happened_on",
        "moved_at",
        "moved_by",
        "import_run",
        "note",
        "undoes",
    )
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("moved_by", "import_run", "undoes")


class RecommendationInline(ReadOnlyInline):
    """An enterprise's latest recommendations; each opens on its own page to be moved."""

    model = Recommendation
    formset = RecentRowsFormSet
    fields = ("batch", "product", "stage", "ended_at_stage")
    readonly_fields = fields
    ordering = ("-batch__year", "-batch__number")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch__tier")


@admin.register(Recommendation)
class RecommendationAdmin(StageMovesInHistory, BatchChoicesWithTier, HistoryAdmin):
    list_display = ("enterprise", "batch", "product", "stage", "ended_at_stage", "updated_at")
    list_select_related = ("enterprise", "batch__tier")
    list_filter = (
        "stage",
        "batch__tier",
        ("batch", BatchListFilter),
        "batch__year",
        *ENTERPRISE_FILTERS,
    )
    search_fields = (*ENTERPRISE_SEARCH_FIELDS, "product", "note")
    enterprise_path = "enterprise"
    # Newest first, by primary key: the model's ordering joins three tables before it can sort.
    ordering = ("-id",)
    autocomplete_fields = ("enterprise", "batch")
    fields = (
        "enterprise",
        "batch",
        "product",
        "stage",
        "ended_at_stage",
        "designation",
        "note",
        *STAMPS,
    )
    readonly_fields = ("stage", "ended_at_stage", "designation")
    inlines = (StageMoveInline,)
    actions = ("move_selected",)

    def get_readonly_fields(self, request, obj=None):
        """What was filed is fixed once the recommendation has left the draft stage."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.stage != Stage.DRAFT:
            return (*fields, "enterprise", "batch", "product")
        return fields

    def revert_disabled(self, request, obj=None):
        # Reverting would save an old stage without going through the workflow.
        return True

    def has_move_permission(self, request, obj=None):
        return may_move(request.user)

    def get_urls(self):
        def view(name, method):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(require_POST(method)),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
            )

        return [view("move", self.move_view), view("undo", self.undo_view), *super().get_urls()]

    def _url(self, name, *args):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_move_permission(request, obj):
            targets = [Stage(t) for t in allowed_targets(obj.stage, obj.batch.tier.level)]
            forward, closing = split_targets(targets)
            last = last_move(obj)
            refusal = undo_refusal(obj, last)
            context.update(
                move_form=MoveForm(prefix=MOVE_PREFIX),
                move_targets=targets,
                forward_targets=forward,
                closing_targets=closing,
                asks_first=[stage for stage in targets if asks_first(stage)],
                move_url=self._url("move", obj.pk),
                last_move=last,
                undo_form=UndoForm(prefix=UNDO_PREFIX, initial={"move": last.pk})
                if last is not None and refusal is None
                else None,
                undo_refusal=" ".join(refusal.messages) if last is not None and refusal else "",
                undo_url=self._url("undo", obj.pk),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def move_view(self, request, object_id):
        """POST from a stage button on the change form: one move, then back to the form; for a
        move that ends the recommendation or approves it, the confirmation page first."""
        if not self.has_move_permission(request):
            raise PermissionDenied
        recommendation = self.get_object(request, unquote(object_id))
        if recommendation is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = self._url("change", recommendation.pk)
        form = MoveForm(request.POST, prefix=MOVE_PREFIX)
        if not form.is_valid():
            self._report_errors(request, form)
            return redirect(change_url)
        target = form.cleaned_data["target"]
        level = recommendation.batch.tier.level
        if asks_first(target) and target in allowed_targets(recommendation.stage, level):
            page = self.confirm_move(
                request,
                [recommendation],
                form,
                action_url=self._url("move", recommendation.pk),
                cancel_url=change_url,
            )
            if page is not None:
                return page
        else:
            self.move_all(request, [recommendation], **form.cleaned_data)
        return redirect(change_url)

    def undo_view(self, request, object_id):
        """POST from the undo panel of the change form: the last move taken back, with its note."""
        if not self.has_move_permission(request):
            raise PermissionDenied
        recommendation = self.get_object(request, unquote(object_id))
        if recommendation is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = UndoForm(request.POST, prefix=UNDO_PREFIX)
        if not form.is_valid():
            self._report_errors(request, form)
        else:
            try:
                undo = undo_last_move(
                    recommendation,
                    request.user,
                    form.cleaned_data["note"],
                    expected=form.cleaned_data["move"],
                )
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            else:
                log_stage_move(request.user, undo)
                self.message_user(
                    request,
                    gettext("Undid the move “%(move)s”: the recommendation is back at “%(stage)s”.")
                    % {"move": undo.undoes, "stage": Stage(undo.target).label},
                    messages.SUCCESS,
                )
        return redirect(self._url("change", recommendation.pk))

    def _report_errors(self, request, form):
        for name, errors in form.errors.items():
            self.message_user(request, f"{form[name].label}: {' '.join(errors)}", messages.ERROR)

    def confirm_move(self, request, recommendations, form, *, action_url, cancel_url, hidden=()):
        """The confirmation page of a move to ``form``'s target, or, for its own POST, the move
        (then None: the caller redirects). ``hidden`` are the fields the page posts back besides
        the form's (the action and the selection, for the list's action)."""
        target = form.cleaned_data["target"]
        batches = list({r.batch_id: r.batch for r in recommendations}.values())
        prefix = form.prefix
        if form.add_prefix(CONFIRMED) in request.POST:
            confirm = ConfirmMoveForm(request.POST, prefix=prefix, target=target, batches=batches)
            if confirm.is_valid():
                self.move_all(
                    request,
                    recommendations,
                    target=target,
                    note=confirm.cleaned_data["note"],
                    happened_on=confirm.cleaned_data["happened_on"],
                    notice=confirm.notice(),
                )
                return None
        else:
            confirm = ConfirmMoveForm(
                prefix=prefix,
                target=target,
                batches=batches,
                initial={**form.cleaned_data, CONFIRMED: "1"},
            )
        stage = Stage(target)
        if is_closing(target):
            title = gettext("End the recommendation: “%(stage)s”") % {"stage": stage.label}
        else:
            title = gettext("Approve: record the award")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": confirm,
            "stage": stage,
            "closing": is_closing(target),
            "recommendations": recommendations,
            "single": recommendations[0] if len(recommendations) == 1 and not hidden else None,
            "action_url": action_url,
            "cancel_url": cancel_url,
            "hidden": hidden,
            "media": self.media + confirm.media,
        }
        return TemplateResponse(
            request, "admin/champions/recommendation/confirm_move.html", context
        )

    @admin.action(description=_("Move selected recommendations to a stage…"), permissions=["move"])
    def move_selected(self, request, queryset):
        """Asks for the stage and note on an intermediate page, offering only the moves every
        selected recommendation may make and choosing none; a move that ends them or approves
        them is confirmed on a page of its own; then moves every selected one."""
        form = MoveForm(request.POST if "apply" in request.POST else None)
        positions = queryset.values_list("stage", "batch__tier__level").distinct()
        common = common_targets(positions)
        if form.is_valid():
            target = form.cleaned_data["target"]
            if not (asks_first(target) and target in common):
                self.move_all(request, queryset, **form.cleaned_data)
                return None
            recommendations = list(queryset.select_related("batch__tier", "enterprise"))
            return self.confirm_move(
                request,
                recommendations,
                form,
                action_url=self._url("changelist"),
                cancel_url=self._url("changelist"),
                hidden=[
                    ("action", "move_selected"),
                    ("apply", "1"),
                    *((helpers.ACTION_CHECKBOX_NAME, r.pk) for r in recommendations),
                ],
            )
        forward, closing = split_targets(common)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Move recommendations to a stage"),
            "opts": self.opts,
            "form": form,
            "chosen": form["target"].value() if form.is_bound else None,
            "forward_targets": forward,
            "closing_targets": closing,
            "asks_first": [stage for stage in common if asks_first(stage)],
            "recommendations": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/champions/recommendation/move_selected.html", context
        )

    def move_all(self, request, recommendations, *, target, note, happened_on, notice=None):
        """Move every recommendation to ``target``, or, if any of them cannot go, none at all.

        Each refusal is shown with the workflow service's own message.
        """
        refusals = []
        with transaction.atomic():
            recommendations = list(recommendations)
            for recommendation in recommendations:
                try:
                    stage_move = move(
                        recommendation,
                        target,
                        user=request.user,
                        note=note,
                        happened_on=happened_on,
                        notice=notice,
                    )
                except IllegalMove as refusal:
                    refusals.append((recommendation, " ".join(refusal.messages)))
                else:
                    log_stage_move(request.user, stage_move)
            if refusals:
                transaction.set_rollback(True)
        stage = Stage(target).label
        for recommendation, reason in refusals:
            self.message_user(request, f"{recommendation}: {reason}", messages.ERROR)
        if refusals:
            self.message_user(
                request,
                gettext("Nothing was moved: %(refused)d of %(total)d cannot move to “%(stage)s”.")
                % {"refused": len(refusals), "total": len(recommendations), "stage": stage},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                ngettext(
                    "Moved %(count)d recommendation to “%(stage)s”.",
                    "Moved %(count)d recommendations to “%(stage)s”.",
                    len(recommendations),
                )
                % {"count": len(recommendations), "stage": stage},
                messages.SUCCESS,
            )


@admin.register(StageMove)
class StageMoveAdmin(ReadOnlyAdmin):
    list_display = (
        "recommendation",
        "source",
        "target",
        "happened_on",
        "moved_at",
        "moved_by",
        "import_run",
    )
    list_select_related = (
        "recommendation__enterprise",
        "recommendation__batch__tier",
        "moved_by",
        "import_run",
    )
    list_filter = ("target", "source", "recommendation__batch__tier")
    search_fields = ("recommendation__enterprise__name", "note")
    enterprise_path = "recommendation__enterprise"
    date_hierarchy = "moved_at"
