"""The staff admin, one module per area; importing them registers every ModelAdmin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (
    designations,
    enterprises,
    figures,
    imports,
    notices,
    recommendations,
    reference,
    seminars,
)

admin.site.site_header = _("Champions registry")
admin.site.site_title = _("Champions registry")
admin.site.index_title = _("Registry administration")

__all__ = [
    "designations",
    "enterprises",
    "figures",
    "imports",
    "notices",
    "recommendations",
    "reference",
    "seminars",
]
