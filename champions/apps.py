from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ChampionsConfig(AppConfig):
    # Stated, since this module holds another AppConfig (the admin's, below).
    default = True
    name = "champions"
    verbose_name = _("Champions registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import cache, history  # noqa: F401  (connect their signal handlers)
        from .collation import PinyinOrder, prepare_connection
        from .groups import ensure_groups

        # Permissions exist only after migrate has run, so the groups are made then.
        post_migrate.connect(ensure_groups, sender=self)
        # Names in pinyin order, ``order_by("name__pinyin")``: see champions/collation.py.
        connection_created.connect(prepare_connection, dispatch_uid="champions.collation")
        self.get_model("Enterprise")._meta.get_field("name").register_lookup(PinyinOrder)


class ChampionsAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the registry's site (``champions.admin_site``) as its default site.

    Named in ``INSTALLED_APPS`` instead of ``django.contrib.admin``. Not the default AppConfig of
    this module: that is ``ChampionsConfig``. ``AdminConfig`` is reached through its module, so
    that it is no candidate either.
    """

    default = False
    default_site = "champions.admin_site.RegistryAdminSite"
