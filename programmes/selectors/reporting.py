"""Reports' deadlines, lateness and the completeness of a year's reports (expected, submitted,
approved, late), the one rule behind every count of late reports.
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from ..models import (
    Period,
    ReportingPeriod,
    period_end,
)
from .calendar import ReportingCalendar
from .figures import DEFAULT_REPORT_DELAY_DAYS, PeriodCompleteness, ProvinceMap, Scope


def report_due_date(
    period: ReportingPeriod | None, year: int, code: str, calendar: ReportingCalendar | None = None
) -> datetime.date:
    """When a period's report is due: its own deadline, else the reporting calendar's for the
    period, else (no calendar given) DEFAULT_REPORT_DELAY_DAYS after its end, the calendar's
    default."""
    if period is not None and period.deadline is not None:
        return period.deadline
    if calendar is not None:
        return calendar.report_due(year, code)
    return period_end(year, code) + datetime.timedelta(days=DEFAULT_REPORT_DELAY_DAYS)


SENT_STATUSES = (ReportingPeriod.Status.SUBMITTED, ReportingPeriod.Status.APPROVED)


def report_lateness(report: ReportingPeriod | None, due: datetime.date, today: datetime.date) -> str:
    """`late` when the report was submitted after `due`; `overdue` when it is not submitted and
    `due` has passed; "" otherwise. The one rule behind every count of late reports."""
    if report is not None and report.status in SENT_STATUSES:
        sent_on = timezone.localdate(report.submitted_at) if report.submitted_at else None
        return "late" if sent_on and sent_on > due else ""
    return "overdue" if today > due else ""


def reporting_completeness(
    *,
    year: int,
    scope: Scope | None = None,
    provinces: ProvinceMap,
    today: datetime.date | None = None,
    calendar: ReportingCalendar | None = None,
) -> list[PeriodCompleteness]:
    """Per period of `year`: reports expected from `scope`'s provinces, submitted, approved, late.

    The `reporting` part of `summary` on its own: one query (the year's reports), and one more
    for the reporting calendar when none is given.
    """
    return _reporting(
        year,
        provinces.territory(scope or Scope(), year),
        provinces,
        today or timezone.localdate(),
        calendar=calendar,
    )


def _reporting(
    year: int,
    ids: set[int],
    provinces: ProvinceMap,
    today: datetime.date,
    calendar: ReportingCalendar | None = None,
) -> list[PeriodCompleteness]:
    """Per period: provinces in force at its end are expected to report; late means submitted
    after the due date (the report's own, else the calendar's), or not submitted and the due
    date has passed. Reads the calendar (one query) when none is given."""
    calendar = calendar or ReportingCalendar.load()
    found: dict[str, dict[int, ReportingPeriod]] = defaultdict(dict)
    for period in ReportingPeriod.objects.filter(year=year, province_id__in=ids).only(
        "province_id", "period", "status", "deadline", "submitted_at"
    ):
        found[period.period][period.province_id] = period
    result = []
    for code in Period.values:
        end = period_end(year, code)
        expected = sorted(provinces.in_force_on(ids, end), key=lambda pk: provinces.by_id[pk].code)
        submitted = approved = late = 0
        missing = []
        for pid in expected:
            report = found[code].get(pid)
            late += bool(report_lateness(report, report_due_date(report, year, code, calendar), today))
            if report is not None and report.status in SENT_STATUSES:
                submitted += 1
                approved += report.status == ReportingPeriod.Status.APPROVED
            else:
                missing.append(provinces.by_id[pid])
        result.append(
            PeriodCompleteness(
                period=code,
                end=end,
                expected=len(expected),
                submitted=submitted,
                approved=approved,
                late=late,
                missing_provinces=tuple(missing),
            )
        )
    return result
