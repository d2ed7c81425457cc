"""Recommendations the city files into a batch, and the record of every stage move."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..workflow import ENDINGS, FUNNEL, Stage
from .common import HistoryImportRun, TimeStampedModel

_FUNNEL_VALUES = [stage.value for stage in FUNNEL]


class Recommendation(TimeStampedModel):
    """One enterprise (for product tiers: one product) nominated into one batch.

    Change ``stage`` only through ``champions.services.recommendations``: it checks the move,
    records it and creates the designation on approval.
    """

    enterprise = models.ForeignKey(
        "champions.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    batch = models.ForeignKey(
        "champions.Batch",
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    product = models.CharField(
        _("product"), max_length=200, blank=True, help_text=_("For product titles only.")
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.DRAFT, editable=False
    )
    ended_at_stage = models.CharField(
        _("stage reached before ending"),
        max_length=16,
        choices=[(stage.value, stage.label) for stage in (Stage.DRAFT, *FUNNEL)],
        blank=True,
        editable=False,
        help_text=_("For a rejected or withdrawn recommendation: how far it had got."),
    )
    designation = models.OneToOneField(
        "champions.Designation",
        verbose_name=_("resulting designation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendation",
        editable=False,
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["batch__tier__position", "-batch__year", "-batch__number", "enterprise__name"]
        permissions = [("move_recommendation", _("Can move a recommendation to another stage"))]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "batch", "product"], name="recommendation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="recommendation_stage_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(stage__in=sorted(stage.value for stage in ENDINGS))
                    & models.Q(ended_at_stage__in=["draft", *_FUNNEL_VALUES])
                )
                | (
                    ~models.Q(stage__in=sorted(stage.value for stage in ENDINGS))
                    & models.Q(ended_at_stage="")
                ),
                name="recommendation_ended_stage_only_when_ended",
            ),
        ]
        indexes = [models.Index(fields=["batch", "stage"], name="recommendation_batch_stage")]

    def __str__(self):
        label = f"{self.enterprise} → {self.batch}"
        return f"{label} · {self.product}" if self.product else label

    @property
    def reached_stage(self):
        """The furthest funnel stage got to, also for one that was rejected or withdrawn."""
        return self.ended_at_stage if self.stage in ENDINGS else self.stage


class StageMove(models.Model):
    """One recorded move of a recommendation: who, when, from which stage to which, and why."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="moves",
    )
    source = models.CharField(_("from stage"), max_length=16, choices=Stage.choices)
    target = models.CharField(_("to stage"), max_length=16, choices=Stage.choices)
    moved_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    happened_on = models.DateField(
        _("date"), null=True, blank=True, help_text=_("When it happened, if not when recorded.")
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_run = models.ForeignKey(
        "champions.ImportRun",
        verbose_name=_("import run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stage_moves",
    )
    note = models.TextField(_("note"), blank=True)
    undoes = models.OneToOneField(
        "self",
        verbose_name=_("undoes"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="undone_by",
        editable=False,
        help_text=_("The move this one took back, for an undo."),
    )
    award = models.ForeignKey(
        "champions.DesignationEvent",
        verbose_name=_("award recorded"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text=_("For an approval: the award it recorded on the title."),
    )

    class Meta:
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        ordering = ["recommendation", "moved_at", "id"]
        constraints = [
            # An undo says why. That it goes back exactly to the source of the move it undoes is a
            # rule across two rows: migration 0011 holds it in the database (a foreign key on
            # PostgreSQL, triggers on SQLite); the one-to-one field lets a move be undone once.
            models.CheckConstraint(
                condition=models.Q(undoes__isnull=True) | ~models.Q(note=""),
                name="stagemove_undo_has_note",
            ),
            models.CheckConstraint(
                condition=models.Q(award__isnull=True) | models.Q(target=Stage.APPROVED),
                name="stagemove_award_only_on_approval",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} → {self.get_target_display()}"

    @property
    def is_undo(self):
        return self.undoes_id is not None
