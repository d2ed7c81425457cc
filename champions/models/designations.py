"""Batches of a programme and the titles (designations) enterprises hold."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .common import HistoryImportRun, TimeStampedModel, year_range_check, year_validators


class Batch(TimeStampedModel):
    """A numbered round of a programme: single champions, 6th batch, 2021.

    Some programmes number their batches across years (第六批), others within a year
    (2024年第一批); the tier, the number and the year together name a batch either way.
    """

    tier = models.ForeignKey(
        "champions.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveSmallIntegerField(_("batch number"))
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    recommendation_deadline = models.DateField(_("recommendation deadline"), null=True, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    document = models.CharField(_("document number"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["tier__position", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "year", "number"], name="batch_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="batch_number_positive"),
            year_range_check("year", "batch_year_range"),
        ]

    def __str__(self):
        return _("%(tier)s, batch %(number)d (%(year)d)") % {
            "tier": self.tier.name,
            "number": self.number,
            "year": self.year,
        }


class DesignationQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Designations that hold on ``on`` (default today): final or review passed, not expired."""
        on = on or timezone.localdate()
        return self.filter(in_force_q(on))


def in_force_q(on, prefix=""):
    """The condition "in force on date ``on``", for designations reached through ``prefix``."""
    return models.Q(**{f"{prefix}status__in": Designation.IN_FORCE_STATUSES}) & (
        models.Q(**{f"{prefix}valid_until__isnull": True})
        | models.Q(**{f"{prefix}valid_until__gte": on})
    )


class Designation(TimeStampedModel):
    """An enterprise holding a tier's title (for product tiers: for one product)."""

    class Status(models.TextChoices):
        PUBLICIZED = "publicized", _("On the publicity list")
        FINAL = "final", _("Designated")
        REVIEW_PASSED = "review_passed", _("Passed review")
        LAPSED = "lapsed", _("Lapsed")
        REVOKED = "revoked", _("Revoked")

    IN_FORCE_STATUSES = (Status.FINAL, Status.REVIEW_PASSED)

    enterprise = models.ForeignKey(
        "champions.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    tier = models.ForeignKey(
        "champions.Tier",
        verbose_name=_("tier"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    product = models.CharField(
        _("product"), max_length=200, blank=True, help_text=_("For product titles only.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FINAL
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the list gives no end date; the title then stays in force."),
    )
    document = models.CharField(_("document number"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = DesignationQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["tier__position", "-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "tier", "batch", "product"],
                condition=models.Q(batch__isnull=False),
                name="designation_unique_in_batch",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "tier", "year", "product"],
                condition=models.Q(batch__isnull=True),
                name="designation_unique_without_batch",
            ),
            year_range_check("year", "designation_year_range"),
        ]
        indexes = [
            models.Index(fields=["tier", "status"], name="designation_tier_status"),
            models.Index(fields=["enterprise", "status"], name="designation_enterprise_status"),
            models.Index(fields=["year"], name="designation_year"),
        ]

    def __str__(self):
        label = f"{self.enterprise} · {self.tier}"
        if self.product:
            label += f" · {self.product}"
        return f"{label} ({self.year})"

    @property
    def suggested_valid_until(self):
        """End of the tier's usual validity, counted from the designation year; a hint only."""
        if not self.tier_id or not self.tier.validity_years or not self.year:
            return None
        return datetime.date(self.year + self.tier.validity_years - 1, 12, 31)

    def clean(self):
        if self.batch_id and self.tier_id and self.batch.tier_id != self.tier_id:
            raise ValidationError(
                {
                    "batch": _("This batch belongs to another tier: %(tier)s.")
                    % {"tier": self.batch.tier}
                },
                code="batch_of_another_tier",
            )

    def is_in_force(self, on=None):
        on = on or timezone.localdate()
        return self.status in self.IN_FORCE_STATUSES and (
            self.valid_until is None or self.valid_until >= on
        )
