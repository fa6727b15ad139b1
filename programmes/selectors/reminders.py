"""What the reporting calendar asks to remind today (services.reminders sends it): the reports
due within their deadline's reminder days, the reports overdue, and the accepted projects whose
settlement deadline (22/01 of the next year by default) is near. Each item names its province,
whose staff are reminded, its key (the same item has the same key every day), its due date and
the first day of its reminder window; services.reminders decides from these which items are
sent on a given day (each at most once per person and day).
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from ..models import DeadlineCode, NotificationKind, Period, Project, ProjectStatus, ReportingPeriod, period_end
from ..models.calendar import PERIOD_DEADLINES
from .calendar import ReportingCalendar
from .figures import ProvinceMap
from .reporting import SENT_STATUSES, report_due_date

K = NotificationKind


@dataclass(frozen=True)
class ReminderItem:
    kind: str
    key: str  # the same item gets the same key every day; the day is stored beside it
    province_id: int
    params: dict
    url: str
    due: datetime.date
    # The first day of a due-soon reminder's window (the due date minus its reminder days);
    # None for an overdue report, which is reminded every day.
    window_opens: datetime.date | None


def due_reminders(
    today: datetime.date, *, calendar: ReportingCalendar | None = None, provinces: ProvinceMap | None = None
) -> list[ReminderItem]:
    """The reminders due on `today`, for every province.

    - a report not yet submitted whose due date is within its deadline's reminder days;
    - a report not submitted after its due date (reports of this year and last year only: an
      older gap is the ministry's to chase, not a daily reminder's);
    - an accepted project of this year or last year whose settlement deadline is within the
      settlement's reminder days.

    Three queries (the calendar and the provinces unless given, the reports of the two years,
    the accepted projects).
    """
    calendar = calendar or ReportingCalendar.load()
    provinces = provinces or ProvinceMap.load()
    years = (today.year - 1, today.year)
    reports = {
        (report.province_id, report.year, report.period): report
        for report in ReportingPeriod.objects.filter(year__in=years).only(
            "province_id", "year", "period", "status", "deadline"
        )
    }
    items = []
    for year in years:
        for code in Period.values:
            end = period_end(year, code)
            if end > today:
                continue
            remind = calendar.entry(PERIOD_DEADLINES[Period(code)], year).remind_days
            for province in provinces.by_id.values():
                if not province.in_force_on(end):
                    continue
                report = reports.get((province.pk, year, code))
                if report is not None and report.status in SENT_STATUSES:
                    continue
                due = report_due_date(report, year, code, calendar)
                days_left = (due - today).days
                if 0 <= days_left <= remind:
                    kind, opens = K.REPORT_DUE, due - datetime.timedelta(days=remind)
                elif days_left < 0:
                    kind, opens = K.REPORT_OVERDUE, None
                else:
                    continue
                items.append(
                    ReminderItem(
                        kind=kind,
                        key=f"{kind}:{province.pk}:{year}:{code}",
                        province_id=province.pk,
                        params={"province": province.name, "year": year, "period": code, "due": due.isoformat()},
                        url=reverse(
                            "programmes:period", kwargs={"province_id": province.pk, "year": year, "period": code}
                        ),
                        due=due,
                        window_opens=opens,
                    )
                )
    settlement = {year: calendar.date_of(DeadlineCode.SETTLEMENT, year) for year in years}
    remind = calendar.entry(DeadlineCode.SETTLEMENT, today.year).remind_days
    near = [year for year, day in settlement.items() if 0 <= (day - today).days <= remind]
    if near:
        for project in Project.objects.filter(status=ProjectStatus.ACCEPTED, year__in=near).only(
            "pk", "code", "title", "year", "province_id"
        ):
            province = provinces.by_id[project.province_id]
            due = settlement[project.year]
            items.append(
                ReminderItem(
                    kind=K.SETTLEMENT_DUE,
                    key=f"{K.SETTLEMENT_DUE}:{project.pk}:{project.year}",
                    province_id=province.pk,
                    params={
                        "province": province.name,
                        "year": project.year,
                        "code": project.code,
                        "title": project.title,
                        "due": due.isoformat(),
                    },
                    url=reverse("admin:programmes_project_change", args=[project.pk]),
                    due=due,
                    window_opens=due - datetime.timedelta(days=remind),
                )
            )
    return items
