"""Reference data: regions (GB/T 2260), industries and the tiers of the echelon.

All three are tables seeded by data migrations from ``champions/reference/*.csv`` and editable by
staff afterwards. Their codes are their primary keys, so exports and imports carry the codes that
officials know, never database ids.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .common import HistoryImportRun


def _lines(text):
    """The non-empty lines of a text field of spellings, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class Region(models.Model):
    """A province, city or county-level unit, by its GB/T 2260 code.

    ``aliases`` holds the other names lists give it: a functional zone run with it (温州经开区 is
    counted in 龙湾区) or a name from before a redivision (洞头县, now 洞头区), for the importer.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County-level unit")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    aliases = models.TextField(
        _("other spellings"),
        blank=True,
        help_text=_("Spellings used in published lists, one per line."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return _lines(self.aliases)


class Industry(models.Model):
    """One of the city's industries, in the traditional or the emerging group."""

    class Group(models.TextChoices):
        TRADITIONAL = "traditional", _("Traditional industries")
        EMERGING = "emerging", _("Emerging industries")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class Tier(models.Model):
    """A title of the echelon, such as national single champion or provincial cultivation firm.

    Programmes are added and renamed every few years, so tiers are rows, not code. ``aliases``
    holds the other spellings found in published lists, one per line, for the importer.
    """

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        MUNICIPAL = "municipal", _("Municipal")

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise title")
        PRODUCT = "product", _("Product title")
        # Beside a title, never added to it: the key little giants selected for central support.
        SUPPORT = "support", _("Support status")

    class Numbering(models.TextChoices):
        ACROSS_YEARS = "across_years", _("Across years (第一批 … 第九批)")
        WITHIN_YEAR = "within_year", _("Within each year (2024年第一批)")

    code = models.SlugField(_("code"), max_length=50, primary_key=True)
    name = models.CharField(_("official name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    validity_years = models.PositiveSmallIntegerField(
        _("validity (years)"),
        null=True,
        blank=True,
        help_text=_(
            "A title holds this long from its announcement, and again from each passed review; "
            "empty: it holds until an event ends it (the city's pools)."
        ),
    )
    batch_numbering = models.CharField(
        _("batches numbered"),
        max_length=12,
        choices=Numbering.choices,
        default=Numbering.WITHIN_YEAR,
        help_text=_(
            "Across years: 第一批 names one batch whatever year a list gives; within each year: "
            "2024年第一批 and 2025年第一批 are two."
        ),
    )
    authority = models.CharField(_("awarding authority"), max_length=200, blank=True)
    authority_en = models.CharField(_("awarding authority in English"), max_length=200, blank=True)
    aliases = models.TextField(
        _("other spellings"),
        blank=True,
        help_text=_("Spellings used in published lists, one per line."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order on the echelon, top first.")
    )

    history = HistoricalRecords(bases=[HistoryImportRun])

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(validity_years__isnull=True) | models.Q(validity_years__gte=1),
                name="tier_validity_at_least_one_year",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return _lines(self.aliases)
