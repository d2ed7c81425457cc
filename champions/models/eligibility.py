"""Eligibility criteria as data: for each tier, the conditions of a new application and of a
review, per version of the rules, with the days each version applies on.

Seeded from ``champions/reference/criteria.json`` (migration 0012) and editable by staff, with
history. A condition's ``form`` says how ``spec`` reads (``champions.eligibility.conditions``
checks it, here in ``clean`` and again when the rules are evaluated); the measures it names are
derived from the yearly figures by ``champions.eligibility.measures``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .common import HistoryImportRun, TimeStampedModel


class RuleVersion(TimeStampedModel):
    """One version of a tier's conditions for one kind of application (new or review), from the
    document it comes from, applying from ``applies_from`` to ``applies_to`` (both included;
    empty: until a later version replaces it). Two versions of a tier and kind may not apply on
    the same day (``clean``)."""

    class Kind(models.TextChoices):
        NEW = "new", _("New application")
        REVIEW = "review", _("Review")

    tier = models.ForeignKey(
        "champions.Tier",
        verbose_name=_("tier"),
        on_delete=models.PROTECT,
        related_name="rule_versions",
    )
    kind = models.CharField(_("kind of application"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    document = models.CharField(_("document number"), max_length=200, blank=True)
    source = models.TextField(
        _("source"),
        blank=True,
        help_text=_("The document the conditions come from, and how they were read from it."),
    )
    applies_from = models.DateField(_("applies from"))
    applies_to = models.DateField(
        _("applies to"),
        null=True,
        blank=True,
        help_text=_("The last day it applies on; empty: until a later version replaces it."),
    )

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["tier__position", "kind", "-applies_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "kind", "applies_from"], name="rule_version_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(applies_to__isnull=True)
                | models.Q(applies_to__gte=models.F("applies_from")),
                name="rule_version_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.tier} · {self.get_kind_display()} · {self.name}"

    def applies_on(self, day):
        """Whether this version applies on ``day`` (its first and last days included)."""
        return self.applies_from <= day and (self.applies_to is None or day <= self.applies_to)

    def overlapping(self):
        """The other versions of this tier and kind applying on some day this one does."""
        others = RuleVersion.objects.filter(tier_id=self.tier_id, kind=self.kind).exclude(
            pk=self.pk
        )
        if self.applies_to is not None:
            others = others.filter(applies_from__lte=self.applies_to)
        return others.filter(
            models.Q(applies_to__isnull=True) | models.Q(applies_to__gte=self.applies_from)
        )

    def clean(self):
        if self.applies_from and self.applies_to and self.applies_to < self.applies_from:
            raise ValidationError({"applies_to": _("The last day is before the first.")})
        if self.tier_id and self.kind and self.applies_from and self.overlapping().exists():
            raise ValidationError(
                _(
                    "Another version of this tier's %(kind)s conditions applies on some of "
                    "these days."
                )
                % {"kind": self.get_kind_display()}
            )


class Condition(models.Model):
    """One condition of a rule version, in the form the document states it (a threshold, a
    range, bands by revenue, either-or routes, a title held, a points score, …)."""

    class Form(models.TextChoices):
        THRESHOLD = "threshold", _("Threshold")
        RANGE = "range", _("Range")
        BANDS = "bands", _("Bands by a measure")
        ANY_OF = "any_of", _("Either-or routes")
        HOLDS_TIER = "holds_tier", _("A title held")
        REGISTERED_IN = "registered_in", _("Registered in a region")
        SCORE = "score", _("Points score")

    rule_version = models.ForeignKey(
        RuleVersion,
        verbose_name=_("rule version"),
        on_delete=models.CASCADE,
        related_name="conditions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=300, help_text=_("As the document says it."))
    label_en = models.CharField(_("English label"), max_length=300, blank=True)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    spec = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_(
            "The condition's measure, operator, values and years (see the design document)."
        ),
    )
    waivable = models.BooleanField(
        _("waivable"),
        default=False,
        help_text=_("The document lets the authority waive it: missed, it makes a firm close."),
    )

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["rule_version", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_version", "code"], name="condition_unique_code_in_version"
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        from ..eligibility.conditions import spec_errors

        if self.form and (errors := spec_errors(self.form, self.spec)):
            raise ValidationError({"spec": errors})
