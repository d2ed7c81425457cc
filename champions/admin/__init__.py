"""The staff admin, one module per area; importing them registers every ModelAdmin.

The site itself (its titles, the dashboard on its index, the models grouped by task) is
``champions.admin_site.RegistryAdminSite``, the default site (``champions.apps``).
"""

from . import (
    accounts,
    designations,
    disclosure,
    eligibility,
    enterprises,
    figures,
    imports,
    notices,
    recommendations,
    reference,
    seminars,
)

__all__ = [
    "accounts",
    "designations",
    "disclosure",
    "eligibility",
    "enterprises",
    "figures",
    "imports",
    "notices",
    "recommendations",
    "reference",
    "seminars",
]
