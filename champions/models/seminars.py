"""Seminars and the organisations and experts that take part in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .common import HistoryImportRun, TimeStampedModel


class Organisation(models.Model):
    """A sponsor or host, such as the China Federation of Industrial Economics."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Expert(models.Model):
    """A speaker, known by name and affiliation (two experts may share a name)."""

    name = models.CharField(_("name"), max_length=100)
    affiliation = models.CharField(_("affiliation and title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name", "affiliation"]
        constraints = [
            models.UniqueConstraint(fields=["name", "affiliation"], name="expert_unique"),
        ]

    def __str__(self):
        return f"{self.name}（{self.affiliation}）" if self.affiliation else self.name


class SeminarHistory(HistoricalRecords):
    """simple-history's records of a seminar, also when its lists change from either side.

    simple-history records a change of a list (``m2m_changed``) on the instance the signal names,
    as it is in memory. The importer sets the lists of seminars it knows only by primary key, so
    such an instance is read first; and a change made from the other side
    (``organisation.seminars.add(…)``) names the organisation, so the seminars it touched are
    recorded instead.
    """

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            if action.startswith("post_") and instance._state.adding and instance.pk:
                instance.refresh_from_db()
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        model = kwargs["model"]
        if action == "pre_clear":
            # Which seminars a clear takes the instance from is known only before it.
            accessor = model._meta.get_field(attr).remote_field.get_accessor_name()
            instance._seminars_cleared = set(
                getattr(instance, accessor).values_list("pk", flat=True)
            )
            return None
        if action not in ("post_add", "post_remove", "post_clear"):
            return None
        if action == "post_clear":
            ids = instance.__dict__.pop("_seminars_cleared", set())
        else:
            ids = pk_set
        for seminar in model.objects.filter(pk__in=ids or ()):
            super().m2m_changed(seminar, action, attr, None, False, **kwargs)
        return None


class SeminarQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Seminar(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sponsors = models.ManyToManyField(
        Organisation, verbose_name=_("sponsors"), blank=True, related_name="seminars"
    )
    experts = models.ManyToManyField(
        Expert, verbose_name=_("experts who spoke"), blank=True, related_name="seminars"
    )
    participants = models.ManyToManyField(
        "champions.Enterprise",
        verbose_name=_("participating enterprises"),
        blank=True,
        related_name="seminars",
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Only published seminars appear on public pages."),
    )

    objects = SeminarQuerySet.as_manager()
    # Adding or removing a sponsor, expert or participant is a change of the seminar, listed in
    # its history with the lists before and after.
    history = SeminarHistory(
        bases=[HistoryImportRun], m2m_fields=["sponsors", "experts", "participants"]
    )

    class Meta:
        verbose_name = _("seminar")
        verbose_name_plural = _("seminars")
        ordering = ["-held_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["held_on", "title"], name="seminar_unique"),
        ]
        indexes = [models.Index(fields=["is_published", "-held_on"], name="seminar_published_date")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"
