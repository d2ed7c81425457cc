"""Statistical disclosure control of the public aggregates of firms' figures, as data.

``DisclosureRule``: how many firms an aggregate needs and how much of it one firm may make up; the
rule in force on a day is the one applying from the latest date on or before it.
``FiguresYear``: a year whose figures staff have closed; only closed years are published, so that
comparing the pages of two days cannot isolate a firm that reported in between.
``champions.summary.disclose`` applies both.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .common import HistoryImportRun, TimeStampedModel, year_range_check, year_validators

#: The rule when none is recorded (the migration records it as the first).
DEFAULT_MIN_CONTRIBUTORS = 3
DEFAULT_DOMINANCE_SHARE = 85


class DisclosureRule(TimeStampedModel):
    applies_from = models.DateField(_("applies from"), unique=True)
    min_contributors = models.PositiveSmallIntegerField(
        _("minimum number of contributing firms"),
        default=DEFAULT_MIN_CONTRIBUTORS,
        validators=[MinValueValidator(1)],
        help_text=_("A firm without the figure, or with zero, does not count as contributing."),
    )
    dominance_share = models.PositiveSmallIntegerField(
        _("largest share of one firm (%)"),
        default=DEFAULT_DOMINANCE_SHARE,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("An aggregate is not shown when one firm makes up more than this share of it."),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("disclosure rule")
        verbose_name_plural = _("disclosure rules")
        ordering = ["-applies_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_contributors__gte=1), name="disclosure_rule_min_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(dominance_share__gte=1, dominance_share__lte=100),
                name="disclosure_rule_share_percent",
            ),
        ]

    def __str__(self):
        return _("From %(date)s: at least %(n)d firms, none over %(share)d%%") % {
            "date": self.applies_from,
            "n": self.min_contributors,
            "share": self.dominance_share,
        }


class FiguresYear(TimeStampedModel):
    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=year_validators)
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        help_text=_("Empty: the year is open and its figures are not published."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("figures year")
        verbose_name_plural = _("figures years")
        ordering = ["-year"]
        constraints = [year_range_check("year", "figures_year_year_range")]

    def __str__(self):
        if self.closed_on:
            return _("%(year)s (closed %(date)s)") % {"year": self.year, "date": self.closed_on}
        return _("%(year)s (open)") % {"year": self.year}
