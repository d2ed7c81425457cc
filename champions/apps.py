from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ChampionsConfig(AppConfig):
    name = "champions"
    verbose_name = _("Champions registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import cache, history  # noqa: F401  (connect their signal handlers)
        from .groups import ensure_groups

        # Permissions exist only after migrate has run, so the groups are made then.
        post_migrate.connect(ensure_groups, sender=self)
