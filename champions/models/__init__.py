"""The registry's models, one module per area."""

from .designations import Batch, Designation, in_force_q
from .enterprises import Enterprise, FormerName, enterprise_matches
from .figures import ProvinceCount, Target, YearlyFigures
from .imports import ImportRun
from .recommendations import Recommendation, StageMove
from .reference import Industry, Region, Tier
from .seminars import Expert, Organisation, Seminar

__all__ = [
    "Batch",
    "Designation",
    "Enterprise",
    "Expert",
    "FormerName",
    "ImportRun",
    "Industry",
    "Organisation",
    "ProvinceCount",
    "Recommendation",
    "Region",
    "Seminar",
    "StageMove",
    "Target",
    "Tier",
    "YearlyFigures",
    "enterprise_matches",
    "in_force_q",
]
