"""The home page: what the portal is for visitors; for signed-in users their start page ("Việc
cần làm"), by role, whose lists are programmes.selectors.start:

- ministry officials: what waits for their decision, the provinces late for the current
  period, what was sent back, the dashboards;
- province staff: their province's year, the projects that need them, their latest changes;
- viewers: the dashboards and the latest approved reports;
- administrators: the accounts that cannot work, then the ministry's page.

Every page also shows the next deadlines of the reporting calendar.
"""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.i18n import user_display_name

from .. import access
from ..forms import MERGER_YEAR
from ..selectors import start
from ..selectors.calendar import ReportingCalendar
from ..selectors.figures import ProvinceMap
from ..selectors.lists import _year_rows


def _dashboards(provinces: ProvinceMap, year: int) -> dict:
    query = urlencode({"year": year})
    return {
        "national_url": f"{reverse('reports:national')}?{query}",
        "region_links": [
            (region, f"{reverse('reports:region', kwargs={'code': region.code})}?{query}")
            for region in provinces.regions()
        ],
        "completeness_url": f"{reverse('programmes:completeness')}?{query}",
    }


def _nationwide(context: dict, today, calendar) -> None:
    """The ministry's lists (also the administrator's and, for its dashboards, the viewer's)."""
    provinces = ProvinceMap.load()
    context.update(_dashboards(provinces, today.year))
    context["waiting"] = start.waiting_for_approval(today)
    current = start.current_period(today)
    context["watch"] = (
        start.period_watch(*current, today=today, calendar=calendar, provinces=provinces) if current else None
    )
    context["sent_back"] = start.sent_back(None, since_year=today.year - 1)


def _province_staff(context: dict, user, today, calendar) -> None:
    province = access.user_province(user)
    if province is None:
        return
    year = start.working_year(province, today)
    territory = access.visible_province_ids(user)
    context.update(
        {
            "province": province,
            "year": year,
            # An account of a province merged away works on that province's records; the
            # successor's are another territory, for which the account must be moved.
            "successor": province.merged_into if province.valid_to and province.valid_to < today else None,
            "province_year": start.province_year(province, year, today=today, calendar=calendar),
            # Of any year from last year on: next year's plans are sent back too.
            "sent_back": start.sent_back(territory, since_year=year - 1),
            "tasks": start.projects_needing(territory, today=today, calendar=calendar),
            "changes": start.latest_changes(user),
            "plan_url": reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": year}),
            "periods_url": f"{reverse('programmes:periods')}?year={year}",
            "dashboard_url": f"{reverse('reports:province', kwargs={'province_id': province.pk})}?year={year}",
            "audit_url": f"{reverse('reports:audit')}?user={user.pk}",
        }
    )


@require_GET
def home(request):
    """Anonymous visitors read what the portal is; signed-in users get their start page."""
    if not request.user.is_authenticated:
        return render(request, "home.html", {"anonymous": True})
    user = request.user
    today = timezone.localdate()
    role = access.role_of(user)
    calendar = ReportingCalendar.load() if role is not None else None
    context = {
        "anonymous": False,
        "role": role.value if role else "",
        "role_label": role.label if role else "",
        # Family name first, as the header shows it (Django's get_full_name puts it last).
        "display_name": user_display_name(user),
        "today": today,
        "upcoming": calendar.upcoming(today, count=4) if calendar else [],
        "calendar_url": reverse("programmes:calendar"),
    }
    if role in (access.Role.MINISTRY, access.Role.ADMIN):
        _nationwide(context, today, calendar)
        years = _year_rows(today)
        context["years"] = years
        context["shows_merger_year"] = any(row.year == MERGER_YEAR for row in years)
    if role == access.Role.ADMIN:
        context["account_issues"] = start.accounts_that_cannot_work(today)
    elif role == access.Role.VIEWER:
        context.update(_dashboards(ProvinceMap.load(), today.year))
        context["approved_reports"] = start.latest_approved_reports()
    elif role == access.Role.PROVINCE_STAFF:
        _province_staff(context, user, today, calendar)
    return render(request, "home.html", context)
