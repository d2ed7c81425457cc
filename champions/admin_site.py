"""The admin site of the registry: its titles, the dashboard on its index, the models by task.

``champions.apps.ChampionsAdminConfig`` makes this the default site, so ``admin.site``, every
``@admin.register`` and the admin modules of Django's and django-axes' apps all use it: Django's
documented way to change the default site, with no model registered twice and no method
patched onto an instance.

It lives outside ``champions.admin`` on purpose: Django creates the default site the first time
``admin.site`` is read, importing this module to do so; the modules of ``champions.admin``
register their ModelAdmins on ``admin.site`` as they are imported, so importing them from here
would create the site twice (the dashboard is imported when the index is first shown).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

#: The index's groups of models, by task: ``(anchor, name, models in order)``. A registered
#: model no group names is listed after them, under its app, as Django lists it.
GROUPS = (
    (
        "daily-work",
        _("Daily work"),
        (
            "champions.Enterprise",
            "champions.Designation",
            "champions.Recommendation",
            "champions.Notice",
            "champions.Seminar",
            "champions.Organisation",
            "champions.Expert",
            "champions.YearlyFigures",
            "champions.FiguresYear",
        ),
    ),
    (
        "reference-data",
        _("Reference data"),
        (
            "champions.Tier",
            "champions.RuleVersion",
            "champions.Condition",
            "champions.Batch",
            "champions.Region",
            "champions.Industry",
            "champions.Target",
            "champions.DisclosureRule",
            "champions.ProvinceCount",
        ),
    ),
    (
        "records",
        _("Records"),
        (
            "champions.ImportRun",
            "champions.StageMove",
            "champions.DesignationEvent",
            "axes.AccessAttempt",
            "axes.AccessFailureLog",
            "axes.AccessLog",
            "django_tasks_database.DBTaskResult",
        ),
    ),
    ("accounts", _("Accounts"), ("auth.User", "auth.Group")),
)


class RegistryAdminSite(admin.AdminSite):
    site_header = _("Champions registry")
    site_title = _("Champions registry")
    index_title = _("Registry administration")

    def get_app_list(self, request, app_label=None):
        """On the index and in the side bar, the models by task (``GROUPS``), each group shaped
        as Django's app dictionaries so its templates list them; an app's own page
        (``app_label``) lists that app's models as usual."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        shown = {entry["model"]._meta.label: entry for app in apps for entry in app["models"]}
        index_url = reverse("admin:index", current_app=self.name)
        groups = []
        for anchor, name, labels in GROUPS:
            entries = [shown.pop(label) for label in labels if label in shown]
            if entries:
                groups.append(
                    {
                        "name": name,
                        "app_label": anchor,
                        "app_url": f"{index_url}#group-{anchor}",
                        "has_module_perms": True,
                        "models": entries,
                    }
                )
        for app in apps:
            rest = [entry for entry in app["models"] if entry["model"]._meta.label in shown]
            if rest:
                groups.append({**app, "models": rest})
        return groups

    def get_urls(self):
        """Django's, after the pages that apply the eligibility criteria
        (``champions.admin.candidates``: ``admin:champions_candidates``,
        ``admin:champions_reviews_due``)."""
        from .admin.candidates import urls

        return [*urls(self), *super().get_urls()]

    def index(self, request, extra_context=None):
        """Django's index with the dashboard above the models
        (``champions.admin.dashboard``)."""
        from .admin.dashboard import dashboard

        response = super().index(
            request, {"dashboard": dashboard(self, request), **(extra_context or {})}
        )
        # One list per group, so the template can give each group its anchor.
        response.context_data["app_sections"] = [[app] for app in response.context_data["app_list"]]
        return response
