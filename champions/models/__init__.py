"""The registry's models, one module per area."""

from .designations import Batch, Designation, DesignationEvent, in_force_q
from .enterprises import Enterprise, FormerName, enterprise_matches
from .figures import ProvinceCount, Target, YearlyFigures
from .imports import ImportRun
from .notices import EventKind, Notice
from .recommendations import Recommendation, StageMove
from .reference import Industry, Region, Tier
from .seminars import Expert, Organisation, Seminar

__all__ = [
    "Batch",
    "Designation",
    "DesignationEvent",
    "Enterprise",
    "EventKind",
    "Expert",
    "FormerName",
    "ImportRun",
    "Industry",
    "Notice",
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
