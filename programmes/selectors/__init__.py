"""Read side of the programme, one module per question (docs/architecture.md): the figures of
docs/design.md §4 (`figures`, `summaries`), reports' completeness (`reporting`), the locks that
approved reports set (`locks`) and the read models of the programme's lists (`lists`).

Every public name is imported from here (`programmes.selectors.summary`), as before the split.
"""

from ..rules import progress
from .figures import (
    COMMITTED_STATUSES,
    DEFAULT_REPORT_DELAY_DAYS,
    FUNDS,
    TOTAL,
    TREND_YEARS,
    ZERO,
    ApprovalCount,
    FundFigures,
    IndicatorFigures,
    PeriodCompleteness,
    ProvinceMap,
    ProvinceRow,
    RegionRow,
    Scope,
    Summary,
    TrendPoint,
    cutoff_date,
    scope_for,
)
from .pipeline import Pipeline, pipeline
from .reporting import SENT_STATUSES, report_due_date, report_lateness, reporting_completeness
from .summaries import summary

__all__ = [
    "COMMITTED_STATUSES",
    "DEFAULT_REPORT_DELAY_DAYS",
    "FUNDS",
    "SENT_STATUSES",
    "TOTAL",
    "TREND_YEARS",
    "ZERO",
    "ApprovalCount",
    "FundFigures",
    "IndicatorFigures",
    "PeriodCompleteness",
    "Pipeline",
    "ProvinceMap",
    "ProvinceRow",
    "RegionRow",
    "Scope",
    "Summary",
    "TrendPoint",
    "cutoff_date",
    "pipeline",
    "progress",
    "report_due_date",
    "report_lateness",
    "reporting_completeness",
    "scope_for",
    "summary",
]
