"""Import runs: their record, and importing a file in the browser (upload, check, confirm).

An upload is checked first (a dry run, the report ``import_csv --dry-run`` prints); its page
offers to confirm, which imports the same stored file with the same options and is refused if
the file changed since, or if the import would now change other rows than the check said. Both
run at once for a small file and in the background for a large one (``importing.background``).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..importing import KINDS
from ..importing.background import (
    options_from_json,
    progress_of,
    queue_run,
    store_upload,
    stored_sha256,
)
from ..importing.layout import FACT_OPTIONS
from ..importing.runner import IMPORT_PERMISSION, ListOptions
from ..models import (
    Designation,
    Enterprise,
    ImportRun,
    ProvinceCount,
    Recommendation,
    Seminar,
    YearlyFigures,
)
from .common import ReadOnlyAdmin

#: What a list may announce, as ``import_csv --status`` takes it.
STATUS_CHOICES = [
    ("", gettext_lazy("an award (认定), unless the rows say otherwise")),
    ("publicized", gettext_lazy("publicity (公示)")),
    ("final", gettext_lazy("award (认定)")),
    ("review_publicity", gettext_lazy("review publicity (复核公示)")),
    ("review_result", gettext_lazy("review result (复核结果)")),
    ("revoked", gettext_lazy("revocation (撤销)")),
    ("support", gettext_lazy("support list (支持名单)")),
]


class UploadForm(forms.Form):
    """The file, its kind and the list's own facts: the options of ``import_csv``."""

    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy("A CSV file (UTF-8 or GBK) or an Excel workbook (.xlsx, .xls)."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"),
        choices=[(name, kind.model._meta.verbose_name_plural) for name, kind in KINDS.items()],
        initial="designations",
    )
    sheet = forms.CharField(
        label=gettext_lazy("sheet"),
        required=False,
        help_text=gettext_lazy("Of a workbook; the first when empty."),
    )
    tier = forms.CharField(label=gettext_lazy("title (称号)"), required=False)
    batch = forms.CharField(label=gettext_lazy("batch (批次)"), required=False)
    year = forms.CharField(label=gettext_lazy("year"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("what the list announces"), choices=STATUS_CHOICES, required=False
    )
    announced = forms.DateField(label=gettext_lazy("announced on"), required=False)
    document = forms.CharField(label=gettext_lazy("document number (文号)"), required=False)
    source = forms.CharField(label=gettext_lazy("source (address)"), required=False)
    region = forms.CharField(label=gettext_lazy("region of rows that give none"), required=False)
    fill_down = forms.CharField(
        label=gettext_lazy("fill down columns"),
        required=False,
        help_text=gettext_lazy("Headers whose empty cells take the value above, comma-separated."),
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("create enterprises the registry does not have"), required=False
    )
    known_only = forms.BooleanField(
        label=gettext_lazy("only firms the registry has; list the others"), required=False
    )
    province_counts = forms.BooleanField(
        label=gettext_lazy("also count the rows by city for the province comparison"),
        required=False,
    )

    def list_options(self):
        data = self.cleaned_data
        facts = {name: data.get(name) for name in FACT_OPTIONS}
        if facts.get("announced"):
            facts["announced"] = facts["announced"].isoformat()
        return ListOptions(
            facts={name: str(value).strip() for name, value in facts.items() if value},
            fill_down=tuple(
                name.strip()
                for name in data["fill_down"].replace("，", ",").split(",")
                if name.strip()
            ),
            create_missing=data["create_missing"],
            known_only=data["known_only"],
            province_counts=data["province_counts"],
            sheet=data["sheet"].strip() or None,
        )


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "status",
        "started_at",
        "finished_at",
        "user",
        "created",
        "updated",
        "unchanged",
        "errors",
    )
    list_select_related = ("user",)
    list_filter = ("kind", "status")
    search_fields = ("file_name", "sha256", "command")
    date_hierarchy = "started_at"
    change_form_template = "admin/champions/importrun/change_form.html"
    change_list_template = "admin/champions/importrun/change_list.html"
    exclude = ("options", "report", "upload")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="champions_importrun_upload"),
            path(
                "<int:object_id>/confirm/",
                wrap(self.confirm_view),
                name="champions_importrun_confirm",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def may_import(request):
        return request.user.is_active and request.user.has_perm(IMPORT_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": self.may_import(request)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            stored, sha256 = store_upload(uploaded)
            run = queue_run(
                form.cleaned_data["kind"],
                uploaded.name,
                stored,
                sha256,
                form.list_options(),
                request.user,
                dry_run=True,
            )
            return redirect(self._run_url(run))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a file"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/champions/importrun/upload.html", context)

    def confirm_view(self, request, object_id):
        """Import the file a dry run checked, with its options, as it was checked."""
        preview = get_object_or_404(ImportRun, pk=object_id)
        if request.method != "POST" or not self.may_import(request):
            raise PermissionDenied
        refusal = self.confirmation_refused(preview)
        if refusal:
            messages.error(request, refusal)
            return redirect(self._run_url(preview))
        run = queue_run(
            preview.kind,
            preview.file_name,
            preview.upload,
            preview.sha256,
            options_from_json(preview.options),
            request.user,
            dry_run=False,
            confirms=preview,
        )
        return redirect(self._run_url(run))

    @staticmethod
    def confirmation_refused(preview):
        """Why the dry run ``preview`` cannot be confirmed, or ''."""
        if not (preview.is_dry_run and preview.status == ImportRun.Status.DRY_RUN):
            return _("Only a check that found no problem can be confirmed.")
        if preview.confirmations.exclude(status=ImportRun.Status.REFUSED).exists():
            return _("This check has been confirmed already.")
        try:
            unchanged = stored_sha256(preview) == preview.sha256
        except OSError:
            unchanged = False
        if not unchanged:
            return _("The uploaded file changed or is gone since the check; upload it again.")
        return ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(ImportRun, pk=object_id)
        waiting = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
        extra_context = {
            **(extra_context or {}),
            "run": run,
            "waiting": waiting,
            "progress": progress_of(run) if waiting and run.upload else None,
            "may_confirm": self.may_import(request) and not self.confirmation_refused(run),
            "touched": self.touched_links(run) if run.status == ImportRun.Status.IMPORTED else [],
            "confirmations": run.confirmations.order_by("pk"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def touched_links(self, run):
        """The changelists of the records the run wrote, filtered by the run."""
        links = []
        for model, parameter in TOUCHED_BY_RUN.get(run.kind, ()):
            if self.admin_site.is_registered(model):
                opts = model._meta
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                links.append((opts.verbose_name_plural, f"{url}?{parameter}={run.pk}"))
        return links

    def _run_url(self, run):
        return reverse("admin:champions_importrun_change", args=[run.pk])


#: ``{kind: [(model, query parameter)]}``: what an import of each kind writes, and the
#: changelist filter (``common.ImportRunFilter``) that shows it.
TOUCHED_BY_RUN = {
    "enterprises": [(Enterprise, "import_run")],
    "designations": [(Designation, "import_run"), (Enterprise, "import_run")],
    "recommendations": [(Recommendation, "import_run")],
    "figures": [(YearlyFigures, "import_run")],
    "seminars": [(Seminar, "import_run")],
    "province": [(ProvinceCount, "import_run")],
}
