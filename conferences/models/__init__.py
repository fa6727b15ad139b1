"""The conferences' records: the conference with its papers, recommendations and awards
(`conferences`), and the figures its report quoted (`reported`). Every model and public name is
imported from here (`conferences.models.Conference`), as before the split.
"""

from .conferences import (
    AGENCY_NAMES,
    Addressee,
    Award,
    AwardType,
    Conference,
    DateYear,
    Paper,
    RecipientKind,
    Recommendation,
    RecommendationStatus,
    agency_name_on,
    region_in_text,
)
from .reported import ReportedFigure

__all__ = [
    "AGENCY_NAMES",
    "Addressee",
    "Award",
    "AwardType",
    "Conference",
    "DateYear",
    "Paper",
    "RecipientKind",
    "Recommendation",
    "RecommendationStatus",
    "ReportedFigure",
    "agency_name_on",
    "region_in_text",
]
