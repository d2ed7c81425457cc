"""Recommendations and their recorded stage moves.

The stage is never a form field: staff move a recommendation with the "move selected" action or
with the buttons on its change form, and both call ``champions.services.recommendations.move``,
which checks the move against ``champions.workflow``, records it and creates the designation on
approval. Both need the ``move_recommendation`` permission.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..models import Recommendation, StageMove
from ..services.recommendations import IllegalMove, may_move, move
from ..workflow import Stage, allowed_targets
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

#: Form prefix of the move panel on the change form, whose own form has a ``note`` field too.
MOVE_PREFIX = "move"


class MoveForm(forms.Form):
    """Where to move recommendations, and the note and date to record with the move."""

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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class StageMoveInline(ReadOnlyInline):
    """The recorded moves of one recommendation, oldest first."""

    model = StageMove
    fields = ("source", "target", "happened_on", "moved_at", "moved_by", "import_run", "note")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("moved_by", "import_run")


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
class RecommendationAdmin(BatchChoicesWithTier, HistoryAdmin):
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
        move_url = path(
            "<path:object_id>/move/",
            self.admin_site.admin_view(require_POST(self.move_view)),
            name=f"{self.opts.app_label}_{self.opts.model_name}_move",
        )
        return [move_url, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_move_permission(request, obj):
            context.update(
                move_form=MoveForm(prefix=MOVE_PREFIX),
                move_targets=[Stage(t) for t in allowed_targets(obj.stage, obj.batch.tier.level)],
                move_url=reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_move",
                    args=[obj.pk],
                    current_app=self.admin_site.name,
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def move_view(self, request, object_id):
        """POST from a stage button on the change form: one move, then back to the form."""
        if not self.has_move_permission(request):
            raise PermissionDenied
        recommendation = self.get_object(request, unquote(object_id))
        if recommendation is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = MoveForm(request.POST, prefix=MOVE_PREFIX)
        if form.is_valid():
            self.move_all(request, [recommendation], **form.cleaned_data)
        else:
            for name, errors in form.errors.items():
                self.message_user(
                    request, f"{form[name].label}: {' '.join(errors)}", messages.ERROR
                )
        return redirect(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            recommendation.pk,
        )

    @admin.action(description=_("Move selected recommendations to a stage…"), permissions=["move"])
    def move_selected(self, request, queryset):
        """Asks for the stage and note on an intermediate page, then moves every selected one."""
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self.move_all(request, queryset, **form.cleaned_data)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Move recommendations to a stage"),
            "opts": self.opts,
            "form": form,
            "recommendations": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/champions/recommendation/move_selected.html", context
        )

    def move_all(self, request, recommendations, *, target, note, happened_on):
        """Move every recommendation to ``target``, or, if any of them cannot go, none at all.

        Each refusal is shown with the workflow service's own message.
        """
        refusals = []
        with transaction.atomic():
            recommendations = list(recommendations)
            for recommendation in recommendations:
                try:
                    move(
                        recommendation,
                        target,
                        user=request.user,
                        note=note,
                        happened_on=happened_on,
                    )
                except IllegalMove as refusal:
                    refusals.append((recommendation, " ".join(refusal.messages)))
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
