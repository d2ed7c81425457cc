"""The registry's models, one module per area."""

from .designations import Batch, Designation, DesignationEvent, in_force_q
from .disclosure import DisclosureRule, FiguresYear
from .eligibility import Condition, RuleVersion
from .enterprises import Enterprise, FormerName, enterprise_matches
from .figures import ProvinceCount, Target, YearlyFigures
from .imports import ImportRun
from .notices import EventKind, Notice
from .recommendations import Recommendation, StageMove
from .reference import Industry, Region, Tier
from .seminars import Expert, Organisation, Seminar

__all__ = [
    "Batch",
    "Condition",
    "Designation",
    "DesignationEvent",
    "DisclosureRule",
    "Enterprise",
    "EventKind",
    "Expert",
    "FiguresYear",
    "FormerName",
    "ImportRun",
    "Industry",
    "Notice",
    "Organisation",
    "ProvinceCount",
    "Recommendation",
    "Region",
    "RuleVersion",
    "Seminar",
    "StageMove",
    "Target",
    "Tier",
    "YearlyFigures",
    "enterprise_matches",
    "in_force_q",
]
