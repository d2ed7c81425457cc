"""Pieces shared by the models of every area."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Years the registry accepts, in forms and in the database's check constraints.
MIN_YEAR = 1949
MAX_YEAR = 2100
year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


def year_range_check(field, name, *, nullable=False):
    """A check constraint keeping ``field`` within the accepted years."""
    condition = models.Q(**{f"{field}__gte": MIN_YEAR, f"{field}__lte": MAX_YEAR})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


class TimeStampedModel(models.Model):
    """Created and updated stamps, shown read-only in the admin."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class HistoryImportRun(models.Model):
    """Base of every historical record: which import run, if any, made the change.

    ``history_user`` says which person; this says whether the change came from a file. It is set
    by ``champions.history`` from the import run that is under way.
    """

    import_run = models.ForeignKey(
        "champions.ImportRun",
        verbose_name=_("import run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        abstract = True
