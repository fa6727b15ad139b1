"""Read models of the programme's pages and their Excel copies: the home page's years, the list
of reports by period, a report's history, the completeness of a year's reports. Each is what
the page shows and its export writes, so both show the same rows.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from common.i18n import user_display_name

from .. import access
from ..models import (
    MAX_YEAR,
    ApprovalStatus,
    BudgetPlan,
    Period,
    Province,
    Region,
    ReportingPeriod,
    era_note,
    expected_in,
    period_end,
)
from .calendar import ReportingCalendar
from .figures import (
    PeriodCompleteness,
    ProvinceMap,
    Scope,
)
from .report_figures import ApprovedFigures, approved_figures
from .reporting import report_due_date, report_lateness, reporting_completeness


@dataclass(frozen=True)
class YearRow:
    """One year of the home page's table."""

    year: int
    provinces: int
    provinces_with_plan: int
    plans_approved: int
    is_current: bool


def _year_rows(today) -> list[YearRow]:
    """Every year from the first with a plan (or this year) to next year, newest first, with
    the number of provinces in force, of provinces with a plan, and of approved plans."""
    by_year = {
        row["year"]: row
        for row in BudgetPlan.objects.order_by()
        .values("year")
        .annotate(
            provinces=Count("province", distinct=True),
            approved=Count("pk", filter=Q(status=ApprovalStatus.APPROVED)),
        )
    }
    eras = list(Province.objects.order_by().only("valid_from", "valid_to"))
    first = min([today.year, *by_year])
    last = min(max([today.year + 1, *by_year]), MAX_YEAR)
    years = range(last, first - 1, -1)
    return [
        YearRow(
            year=year,
            provinces=sum(1 for province in eras if province.active_in_year(year)),
            provinces_with_plan=by_year.get(year, {}).get("provinces", 0),
            plans_approved=by_year.get(year, {}).get("approved", 0),
            is_current=year == today.year,
        )
        for year in years
    ]


FIRST_REPORT_YEAR = 2008  # the provinces' pre-2025 boundaries date from 08/2008, as the dashboards'


SENT = (ReportingPeriod.Status.SUBMITTED, ReportingPeriod.Status.APPROVED)


def _sent_by(record: ReportingPeriod | None) -> tuple[str, datetime.datetime | None]:
    """Who submitted the report and when, while it stands submitted or approved."""
    if record is None or record.status not in SENT or record.submitted_at is None:
        return "", None
    return user_display_name(record.submitted_by), record.submitted_at


def _approved_by(record: ReportingPeriod | None) -> tuple[str, datetime.datetime | None]:
    if record is None or record.status != ReportingPeriod.Status.APPROVED or record.approved_at is None:
        return "", None
    return user_display_name(record.approved_by), record.approved_at


def period_url(province: Province, year: int, period: str) -> str:
    return reverse("programmes:period", kwargs={"province_id": province.pk, "year": year, "period": period})


@dataclass(frozen=True)
class PeriodRow:
    """One province's report of one period in the list."""

    province: Province
    era: str  # "until 30/06/2025" / "from 01/07/2025" for a province in force part of the year
    record: ReportingPeriod | None  # None: not created yet (nobody has submitted it)
    status: str  # the record's status, or "none"
    status_label: str
    due: datetime.date
    lateness: str  # "late", "overdue" or ""
    submitted_by: str
    submitted_at: datetime.datetime | None
    approved_by: str
    approved_at: datetime.datetime | None
    url: str
    # An approved report's figures as approved beside the live ones (None: not approved, or
    # approved before the portal kept its figures).
    figures: ApprovedFigures | None = None


@dataclass(frozen=True)
class PeriodGroup:
    """The rows of one period (6 months, 9 months, full year) of the year."""

    code: str
    label: str
    end: datetime.date
    ongoing: bool  # today is on or before the period's last day
    rows: list[PeriodRow]


def _status_label(record: ReportingPeriod | None) -> str:
    return str(record.get_status_display()) if record is not None else _("Not yet created")


@dataclass(frozen=True)
class PeriodList:
    """The reports a user may see for the filters chosen: what the list page and its Excel copy show."""

    year: int
    nationwide: bool
    regions: list[Region]
    region_code: str
    status_filter: str
    period_filter: str
    groups: list[PeriodGroup]

    @property
    def row_count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def period_list(
    user,
    *,
    year: int,
    region_code: str,
    status_filter: str,
    period_filter: str,
    today: datetime.date,
    provinces: ProvinceMap,
    calendar: ReportingCalendar | None = None,
) -> PeriodList:
    """The reports `user` may see for `year`, by period: province staff their own territory's
    provinces in force at each period's end; the nation-wide roles every province, filtered by
    region (ignored for province staff), status and period ("" for any); an approved report
    with the figures it was approved with beside the live ones (`report_figures.approved_figures`,
    in one batch for the list). Queries, over the provinces of `provinces`: the reporting
    calendar (unless given), the year's reports, and when some report shown is approved with its
    figures those of `approved_figures` (four, and two per period with such a report)."""
    calendar = calendar or ReportingCalendar.load()
    nationwide = access.sees_everything(user)
    region_code = region_code if nationwide else ""
    visible_ids = access.visible_province_ids(user)
    ids = set(provinces.by_id) if visible_ids is None else set(visible_ids) & set(provinces.by_id)
    chosen = [
        province for province in provinces.in_year(ids, year) if not region_code or province.region.code == region_code
    ]
    records = {
        (record.province_id, record.period): record
        for record in access.visible(user, ReportingPeriod.objects.filter(year=year)).select_related(
            "submitted_by", "approved_by"
        )
    }
    chosen_ids = {province.pk for province in chosen}
    shown = [
        record
        for record in records.values()
        if record.province_id in chosen_ids
        and (not period_filter or record.period == period_filter)
        and (not status_filter or status_filter == record.status)
    ]
    figures = approved_figures(shown, provinces)
    groups = []
    for code in Period.values:
        if period_filter and code != period_filter:
            continue
        rows = []
        for province in chosen:
            if not expected_in(province, year, code):
                continue
            record = records.get((province.pk, code))
            status = record.status if record is not None else "none"
            if status_filter and status_filter != ("open" if status == "none" else status):
                continue
            due = report_due_date(record, year, code, calendar)
            submitted_by, submitted_at = _sent_by(record)
            approved_by, approved_at = _approved_by(record)
            rows.append(
                PeriodRow(
                    province=province,
                    era=era_note(province, year),
                    record=record,
                    status=status,
                    status_label=_status_label(record),
                    due=due,
                    lateness=report_lateness(record, due, today),
                    submitted_by=submitted_by,
                    submitted_at=submitted_at,
                    approved_by=approved_by,
                    approved_at=approved_at,
                    url=period_url(province, year, code),
                    figures=figures.get((province.pk, year, code)),
                )
            )
        end = period_end(year, code)
        groups.append(PeriodGroup(code, str(Period(code).label), end, end >= today, rows))
    return PeriodList(
        year=year,
        nationwide=nationwide,
        regions=provinces.regions(),
        region_code=region_code,
        status_filter=status_filter,
        period_filter=period_filter,
        groups=groups,
    )


@dataclass(frozen=True)
class HistoryLine:
    """One saved change of a report: when, by whom, the status change, and the reason given."""

    when: datetime.datetime
    user: str
    change: str
    reason: str


def _history(record: ReportingPeriod | None) -> list[HistoryLine]:
    """Every saved version of the report, oldest first (django-simple-history)."""
    if record is None:
        return []
    lines = []
    previous = None
    for version in record.history.select_related("history_user").order_by("history_date", "history_id"):
        label = str(ReportingPeriod.Status(version.status).label)
        if version.history_type == "+":
            change = _("Created (%(status)s)") % {"status": label}
        elif version.history_type == "-":
            change = _("Deleted")
        elif previous is None:
            change = f"→ {label}"  # its earlier versions were not recorded (imported reports)
        elif previous != version.status:
            change = f"{ReportingPeriod.Status(previous).label} → {label}"
        else:
            change = _("Details changed (%(status)s)") % {"status": label}
        lines.append(
            HistoryLine(
                when=version.history_date,
                user=user_display_name(version.history_user),
                change=change,
                reason=version.history_change_reason or "",
            )
        )
        previous = version.status
    return lines


@dataclass(frozen=True)
class CompletenessLine:
    """A region's reports of one period, with links to the reports not yet submitted."""

    region: Region
    figures: PeriodCompleteness
    missing: list[tuple[Province, str]]


@dataclass(frozen=True)
class CompletenessGroup:
    code: str
    label: str
    end: datetime.date
    ongoing: bool
    lines: list[CompletenessLine]


def completeness_groups(*, year: int, today: datetime.date) -> list[CompletenessGroup]:
    """Per period of `year`, per region: reports expected, submitted, approved and late, and the
    provinces yet to submit. One `selectors.reporting_completeness` per region over one shared
    ProvinceMap and one reporting calendar: the figures are the selector's, as on the dashboards."""
    provinces = ProvinceMap.load()
    calendar = ReportingCalendar.load()
    by_region = [
        (
            region,
            reporting_completeness(
                year=year, scope=Scope(region=region), provinces=provinces, today=today, calendar=calendar
            ),
        )
        for region in provinces.regions()
    ]
    groups = []
    for code in Period.values:
        end = period_end(year, code)
        lines = []
        for region, reporting in by_region:
            figures = next(item for item in reporting if item.period == code)
            if figures.expected:
                missing = [(p, period_url(p, year, code)) for p in figures.missing_provinces]
                lines.append(CompletenessLine(region=region, figures=figures, missing=missing))
        groups.append(CompletenessGroup(code, str(Period(code).label), end, end >= today, lines))
    return groups
