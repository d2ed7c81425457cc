from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from champions.health import healthz

# Errors answer JSON where JSON was asked for (the API and ?format=json), else a page.
handler400 = "champions.errors.bad_request"
handler403 = "champions.errors.permission_denied"
handler404 = "champions.errors.page_not_found"
handler500 = "champions.errors.server_error"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("champions.urls")),
]
