from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from champions.health import healthz

handler500 = "champions.health.server_error"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("champions.urls")),
]
