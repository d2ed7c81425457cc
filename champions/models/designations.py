"""Batches of a programme, the titles (designations) enterprises hold, and their events.

A designation's status and the days it counts as held are derived from its events by
``champions.services.designations`` with the rules of ``champions.lifecycle``, and stored here
for fast counting; they are never typed by hand.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import lifecycle
from ..text import name_key
from .common import HistoryImportRun, TimeStampedModel, year_range_check, year_validators
from .notices import EventKind


class Batch(TimeStampedModel):
    """A numbered round of a programme: single champions, 6th batch, 2021.

    Programmes that number their batches across years (the national ones: 第一批 … 第九批) name
    a batch by tier and number, and its year (of selection) is an attribute; programmes numbered
    within a year (2024年第一批) by tier, year and number. ``key_year`` is what names it: the
    year, or 0 for a tier numbered across years, so one constraint serves both.
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
    key_year = models.PositiveSmallIntegerField(_("year in the batch's name"), editable=False)

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["tier__position", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "key_year", "number"], name="batch_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="batch_number_positive"),
            year_range_check("year", "batch_year_range"),
        ]

    @staticmethod
    def key_year_for(tier, year):
        """The ``key_year`` of a batch of ``tier`` selected in ``year``."""
        return 0 if tier.batch_numbering == tier.Numbering.ACROSS_YEARS else year

    def save(self, *args, **kwargs):
        self.key_year = self.key_year_for(self.tier, self.year)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "key_year"}
        super().save(*args, **kwargs)

    def __str__(self):
        return _("%(tier)s, batch %(number)d (%(year)d)") % {
            "tier": self.tier.name,
            "number": self.number,
            "year": self.year,
        }


class DesignationQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Designations held on ``on`` (default today); see ``champions.lifecycle``."""
        return self.filter(in_force_q(on or timezone.localdate()))


def in_force_q(on, prefix=""):
    """The condition "held on date ``on``", for designations reached through ``prefix``: the
    rule of ``champions.lifecycle.is_held`` over the days stored from the events."""
    return models.Q(**{f"{prefix}held_from__lte": on}) & (
        models.Q(**{f"{prefix}valid_until__isnull": True})
        | models.Q(**{f"{prefix}valid_until__gte": on})
    )


def product_key(product):
    """The key a product title is found by: the published name without white space, in one
    bracket style and case (样例球阀 and 样例 球阀 are one product)."""
    return name_key(product)


class Designation(TimeStampedModel):
    """An enterprise holding a tier's title (for product tiers: for one product)."""

    class Status(models.TextChoices):
        PUBLICIZED = lifecycle.PUBLICIZED, _("On the publicity list")
        FINAL = lifecycle.FINAL, _("Designated")
        REVIEW_PASSED = lifecycle.REVIEW_PASSED, _("Passed review")
        LAPSED = lifecycle.LAPSED, _("Ended (review failed or not applied for)")
        REVOKED = lifecycle.REVOKED, _("Revoked")

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
        _("product"),
        max_length=200,
        blank=True,
        help_text=_("For product titles only: the product's name as the list publishes it."),
    )
    product_key = models.CharField(_("product key"), max_length=200, blank=True, editable=False)
    product_class = models.CharField(
        _("product class code"),
        max_length=20,
        blank=True,
        help_text=_("Optional: the code in the statistical product classification."),
    )
    # Derived from the events (champions.services.designations), never edited.
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PUBLICIZED,
        editable=False,
    )
    held_from = models.DateField(_("held from"), null=True, blank=True, editable=False)
    valid_until = models.DateField(
        _("term ends"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The last day it is held; empty for a tier without a fixed validity."),
    )
    banned_until = models.DateField(
        _("no new application before"), null=True, blank=True, editable=False
    )
    document = models.CharField(_("document number"), max_length=200, blank=True, editable=False)
    source = models.CharField(_("source"), max_length=500, blank=True, editable=False)

    objects = DesignationQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["tier__position", "-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "tier", "batch", "product_key"],
                condition=models.Q(batch__isnull=False),
                name="designation_unique_in_batch",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "tier", "year", "product_key"],
                condition=models.Q(batch__isnull=True),
                name="designation_unique_without_batch",
            ),
            year_range_check("year", "designation_year_range"),
        ]
        indexes = [
            models.Index(fields=["tier", "status"], name="designation_tier_status"),
            models.Index(fields=["tier", "held_from", "valid_until"], name="designation_held"),
            models.Index(fields=["enterprise", "status"], name="designation_enterprise_status"),
            models.Index(fields=["year"], name="designation_year"),
        ]

    def __str__(self):
        label = f"{self.enterprise} · {self.tier}"
        if self.product:
            label += f" · {self.product}"
        return f"{label} ({self.year})"

    def save(self, *args, **kwargs):
        self.product_key = product_key(self.product)
        if kwargs.get("update_fields") is not None and "product" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "product_key"}
        super().save(*args, **kwargs)

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
        return lifecycle.is_held(self.held_from, self.valid_until, on or timezone.localdate())

    def state_on(self, on=None):
        """The status, or "term ended, review not recorded" once a holding title's term is
        over without a review result (``champions.lifecycle.state_on``)."""
        return lifecycle.state_on(self.status, self.valid_until, on or timezone.localdate())

    def state_label(self, on=None):
        state = self.state_on(on)
        if state == lifecycle.TERM_ENDED:
            return TERM_ENDED_LABEL
        return self.Status(state).label


#: The label of ``lifecycle.TERM_ENDED``, a state that is not stored.
TERM_ENDED_LABEL = _("Term ended, review not recorded")


class DesignationEvent(models.Model):
    """One dated event of a designation's life: from a notice (a published list), or a staff
    entry with its date and a note. Written through ``champions.services.designations``."""

    class Outcome(models.TextChoices):
        PASSED = lifecycle.PASSED, _("Passed")
        FAILED = lifecycle.FAILED, _("Failed")
        NOT_APPLIED = lifecycle.NOT_APPLIED, _("Did not apply")

    designation = models.ForeignKey(
        Designation,
        verbose_name=_("designation"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    happened_on = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("The list's announcement date; empty when the list gives only its year."),
    )
    notice = models.ForeignKey(
        "champions.Notice",
        verbose_name=_("notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    name_on_list = models.CharField(_("name on the list"), max_length=200, blank=True)
    outcome = models.CharField(
        _("review outcome"), max_length=12, choices=Outcome.choices, blank=True
    )
    valid_until = models.DateField(
        _("term ends (as the list states)"),
        null=True,
        blank=True,
        help_text=_("Only where the list itself states the end of the term."),
    )
    banned_until = models.DateField(
        _("banned until"),
        null=True,
        blank=True,
        help_text=_("For a revocation: the end of the ban, when the list states one."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    import_run = models.ForeignKey(
        "champions.ImportRun",
        verbose_name=_("import run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="designation_events",
    )

    class Meta:
        verbose_name = _("title event")
        verbose_name_plural = _("title events")
        ordering = ["designation", "happened_on", "id"]
        constraints = [
            # One list records one event of a kind on a title; read again, it records none.
            models.UniqueConstraint(
                fields=["designation", "kind", "happened_on", "outcome"],
                condition=models.Q(happened_on__isnull=False),
                name="designation_event_unique_dated",
            ),
            models.UniqueConstraint(
                fields=["designation", "kind", "outcome"],
                condition=models.Q(happened_on__isnull=True),
                name="designation_event_unique_undated",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=EventKind.REVIEW_RESULT, outcome__in=lifecycle.OUTCOMES)
                | (~models.Q(kind=EventKind.REVIEW_RESULT) & models.Q(outcome="")),
                name="designation_event_outcome_of_review",
            ),
            models.CheckConstraint(
                condition=models.Q(banned_until__isnull=True) | models.Q(kind=EventKind.REVOCATION),
                name="designation_event_ban_of_revocation",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(kind__in=[EventKind.AWARD, EventKind.REVIEW_RESULT]),
                name="designation_event_term_of_award_or_review",
            ),
        ]
        indexes = [models.Index(fields=["notice"], name="designation_event_notice")]

    def __str__(self):
        when = self.happened_on.isoformat() if self.happened_on else _("date not given")
        label = f"{self.get_kind_display()} · {when}"
        if self.outcome:
            label += f" · {self.get_outcome_display()}"
        return label

    def facts(self):
        """What ``champions.lifecycle.derive`` reads of this event."""
        return lifecycle.Event(
            self.kind, self.happened_on, self.outcome, self.valid_until, self.banned_until
        )
