"""Published lists (notices): the documents that award, review and revoke titles."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import lifecycle
from .common import HistoryImportRun, TimeStampedModel


class EventKind(models.TextChoices):
    """What a published list announces, and so what each of its rows records on a title."""

    PUBLICITY = lifecycle.PUBLICITY, _("Publicity")
    AWARD = lifecycle.AWARD, _("Award")
    REVIEW_PUBLICITY = lifecycle.REVIEW_PUBLICITY, _("Review publicity")
    REVIEW_RESULT = lifecycle.REVIEW_RESULT, _("Review result")
    REVOCATION = lifecycle.REVOCATION, _("Revocation")


class Notice(TimeStampedModel):
    """One published list: who issued it, its document number (文号), when, where it was read,
    what it announces, for which tier and batch. Its rows are events on designations."""

    authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    document = models.CharField(_("document number"), max_length=200, blank=True)
    published_on = models.DateField(_("date published"), null=True, blank=True)
    source = models.CharField(_("source address"), max_length=500, blank=True)
    kind = models.CharField(_("announces"), max_length=16, choices=EventKind.choices)
    tier = models.ForeignKey(
        "champions.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, related_name="notices"
    )
    batch = models.ForeignKey(
        "champions.Batch",
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["tier", "kind"], name="notice_tier_kind")]

    def __str__(self):
        parts = [self.title or f"{self.tier} · {self.get_kind_display()}"]
        if self.document:
            parts.append(self.document)
        if self.published_on:
            parts.append(self.published_on.isoformat())
        return " · ".join(str(part) for part in parts)
