"""The record of every import run: which file, by whom, and what it did."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        DRY_RUN = "dry_run", _("Checked (dry run)")
        REFUSED = "refused", _("Refused")

    kind = models.CharField(_("kind"), max_length=20)
    file_name = models.CharField(_("file name"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    # Not auto_now_add: a refused or dry run is recorded after its transaction is rolled back,
    # and keeps the time it started.
    started_at = models.DateTimeField(_("started at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    command = models.CharField(_("command"), max_length=1000, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    # A file imported in the admin: kept for its confirmation, checked first (a dry run), the
    # list's options as import_csv takes them, and what the run said.
    upload = models.CharField(_("uploaded file"), max_length=200, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    is_dry_run = models.BooleanField(_("check only"), default=False)
    confirms = models.ForeignKey(
        "self",
        verbose_name=_("confirms the check"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at"]
        permissions = [("run_import", _("Can import files"))]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.file_name}"
