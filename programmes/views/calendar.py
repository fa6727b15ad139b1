"""The reporting calendar's page: the programme's deadlines falling in a year, with what each
concerns and where its work is done. The deadlines are the administrator's (models.Deadline)."""

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate

from .. import access
from ..models import MAX_YEAR, MIN_YEAR, DeadlineCode
from ..selectors.calendar import CalendarEntry, ReportingCalendar

# Who acts by each deadline (docs/reference/domain.md §3, §4).
ACTORS = {
    DeadlineCode.REPORT_Q1: gettext_lazy("Department of Industry and Trade → ministry"),
    DeadlineCode.PROPOSALS: gettext_lazy("Implementing units → Department of Industry and Trade"),
    DeadlineCode.APPRAISALS: gettext_lazy("Department of Industry and Trade → ministry"),
    DeadlineCode.REPORT_H1: gettext_lazy("Department of Industry and Trade → ministry"),
    DeadlineCode.CONTRACTS: gettext_lazy("Ministry or department ↔ implementing units"),
    DeadlineCode.REPORT_9M: gettext_lazy("Department of Industry and Trade → ministry"),
    DeadlineCode.REPORT_FY: gettext_lazy("Department of Industry and Trade → ministry"),
    DeadlineCode.SETTLEMENT: gettext_lazy("Implementing units → ministry"),
}


@dataclass(frozen=True)
class CalendarLine:
    entry: CalendarEntry
    actor: str
    subject: str  # what the deadline concerns: "9 tháng 2026 (số liệu đến 30/09/2026)"
    days_left: int  # negative once passed
    url: str  # where its work is done or read ("" when the portal has no page for it)
    link_text: str


def calendar_line(entry: CalendarEntry, today) -> CalendarLine:
    """A deadline with what it concerns, how far it is from `today` and the page of its work."""
    url, link_text = "", ""
    if entry.period:
        url = f"{reverse('programmes:periods')}?year={entry.year}&period={entry.period}"
        link_text = _("The reports of this period")
    elif entry.code == DeadlineCode.REPORT_Q1:
        # The first quarter is reported outside the approval workflow: its figures are the
        # dashboard's up to 31/03.
        url = f"{reverse('reports:national')}?year={entry.year}&as_of={entry.covers_to.isoformat()}"
        link_text = _("The figures up to %(date)s") % {"date": entry.covers_to.strftime("%d/%m/%Y")}
    elif entry.code in (DeadlineCode.CONTRACTS, DeadlineCode.SETTLEMENT):
        url = reverse("home")
        link_text = _("The projects waiting, on your start page")
    if entry.covers_to is not None:
        subject = _("%(year)s, figures up to %(date)s") % {
            "year": entry.year,
            "date": entry.covers_to.strftime("%d/%m/%Y"),
        }
    elif entry.code == DeadlineCode.PROPOSALS or entry.code == DeadlineCode.APPRAISALS:
        subject = _("The projects of the %(year)s plan") % {"year": entry.year + 1}
    else:
        subject = _("The projects of %(year)s") % {"year": entry.year}
    return CalendarLine(
        entry=entry,
        actor=str(ACTORS[DeadlineCode(entry.code)]),
        subject=subject,
        days_left=(entry.day - today).days,
        url=url,
        link_text=link_text,
    )


@role_gate(access.may_view_reports, gettext_lazy("You are not allowed to see the reporting calendar."))
def calendar_page(request):
    """The deadlines falling in a calendar year (`?year=`, this year by default), by date."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not MIN_YEAR < year < MAX_YEAR:
        year = today.year
    calendar = ReportingCalendar.load()
    lines = [calendar_line(entry, today) for entry in calendar.entries_falling_in(year)]
    context = {
        "year": year,
        "today": today,
        "lines": lines,
        "previous_year": year - 1,
        "next_year": year + 1,
        "edit_url": reverse("admin:programmes_deadline_changelist")
        if request.user.has_perm("programmes.change_deadline")
        else "",
    }
    return render(request, "programmes/calendar.html", context)
