"""Enterprises and the names they were known by."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..text import name_key
from ..validators import CREDIT_CODE_ALPHABET, normalize_credit_code, validate_credit_code
from .common import HistoryImportRun, TimeStampedModel, year_range_check, year_validators

#: What the database accepts in ``credit_code``: 18 characters of the GB 32100 alphabet. The
#: checksum itself is checked by ``validate_credit_code`` in forms and in the importer.
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
NAME_LENGTH = 200


class Enterprise(TimeStampedModel):
    """A firm, matched across lists by credit code, else by the key of a current or former name."""

    name = models.CharField(_("name"), max_length=NAME_LENGTH)
    name_key = models.CharField(_("matching key"), max_length=200, editable=False)
    # NULL, not "", for "no code": many firms without one must not collide in the unique constraint.
    credit_code = models.CharField(  # noqa: DJ001
        _("unified social credit code"),
        max_length=18,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_(
            "18 characters (GB 32100-2015). Optional: published lists often give names only."
        ),
    )
    region = models.ForeignKey(
        "champions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        db_index=False,  # indexed in Meta.indexes, without PostgreSQL's extra LIKE index
    )
    industry = models.ForeignKey(
        "champions.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        db_index=False,
    )
    main_product = models.CharField(_("main product"), max_length=200, blank=True)
    founded = models.PositiveSmallIntegerField(
        _("year founded"), null=True, blank=True, validators=year_validators
    )

    # The history is looked up by record (id), date and import run only; an index per copied
    # column would triple the cost of every bulk import.
    history = HistoricalRecords(
        bases=[HistoryImportRun],
        excluded_fields=["name_key"],
        no_db_index=["credit_code", "region", "industry"],
    )

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        # Declared here rather than with unique=True / db_index=True on the fields: on PostgreSQL
        # those add a second, LIKE-only index per column, which nothing queries and which every
        # insert pays for (a million-firm import spends a third of its time on them).
        indexes = [
            models.Index(fields=["name_key"], name="enterprise_name_key"),
            models.Index(fields=["region"], name="enterprise_region"),
            models.Index(fields=["industry"], name="enterprise_industry"),
            # The admin lists firms by name; with the id it pages through them without a sort.
            models.Index(fields=["name", "id"], name="enterprise_name_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="enterprise_credit_code_unique"),
            models.CheckConstraint(
                condition=models.Q(credit_code__isnull=True)
                | models.Q(credit_code__regex=CREDIT_CODE_PATTERN),
                name="enterprise_credit_code_format",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="enterprise_name_not_empty"),
            year_range_check("founded", "enterprise_founded_year_range", nullable=True),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code) or None

    def save(self, *args, **kwargs):
        self.credit_code = normalize_credit_code(self.credit_code) or None
        self.name = self.name.strip()
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "credit_code"}
        super().save(*args, **kwargs)


class FormerName(models.Model):
    """A name the enterprise used before, until the date of the change where it is known;
    official lists use the name of their day."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="former_names",
    )
    name = models.CharField(_("former name"), max_length=200)
    name_key = models.CharField(_("matching key"), max_length=200, db_index=True, editable=False)
    # Written by ``champions.services.enterprises`` when the firm is renamed; empty for a former
    # name known without its date (an old list, a register that does not say).
    until = models.DateField(
        _("used until"),
        null=True,
        blank=True,
        help_text=_("The date the enterprise changed this name; empty when it is not known."),
    )

    history = HistoricalRecords(bases=[HistoryImportRun], excluded_fields=["name_key"])

    class Meta:
        verbose_name = _("former name")
        verbose_name_plural = _("former names")
        ordering = ["enterprise", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name_key"], name="former_name_unique_per_enterprise"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="former_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


def enterprise_matches(term, path=""):
    """The condition "the enterprise (reached through ``path``) is the one ``term`` names".

    ``term`` is compared by matching key with the current and the former names (a part of a name
    is enough), and as a credit code or its beginning. The ids of the matching firms are one
    UNION of separate lookups, each served by its own index (on PostgreSQL the trigram indexes
    of the name keys), rather than an OR over every row: no row is listed twice, no DISTINCT is
    needed, and a related list of millions of rows is filtered by ``enterprise_id`` alone.
    """
    key = name_key(term)
    if len(key) > NAME_LENGTH:  # no stored name is that long; SQLite refuses such LIKE patterns
        return models.Q(pk__in=[])
    # Each member unordered: SQLite allows no ORDER BY inside a UNION.
    ids = Enterprise.objects.filter(name_key__contains=key).order_by().values("pk")
    former = FormerName.objects.filter(name_key__contains=key).order_by()
    ids = ids.union(former.values("enterprise_id"))
    code = normalize_credit_code(term)
    if len(code) >= 6 and all(char in CREDIT_CODE_ALPHABET for char in code):
        coded = Enterprise.objects.filter(credit_code__startswith=code).order_by()
        ids = ids.union(coded.values("pk"))
    return models.Q(**{f"{path}__pk__in" if path else "pk__in": ids})
