"""The reporting workflow's pages: the list of reports, a report's page with its steps, and the
completeness of a year's reports. The rows are programmes.selectors.lists; the steps
programmes.services; who may take them programmes.access.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, services
from ..forms import (
    REPORT_STATUS_FILTERS,
    PeriodActionForm,
    PeriodListForm,
    YearFilterForm,
    add_service_error,
)
from ..models import (
    MAX_YEAR,
    MIN_YEAR,
    FundingSource,
    Period,
    Province,
    ReportingPeriod,
    era_note,
    expected_in,
    period_end,
    province_label,
)
from ..selectors import (
    FUNDS,
    ProvinceMap,
    Scope,
    report_due_date,
    report_figures,
    report_lateness,
    summary,
)
from ..selectors.calendar import ReportingCalendar
from ..selectors.lists import (
    FIRST_REPORT_YEAR,
    PeriodList,
    _approved_by,
    _history,
    _sent_by,
    _status_label,
    completeness_groups,
    period_list,
    period_url,
)
from ..selectors.start import working_year_of
from ..services.support import reason_required


def _require_role(user) -> None:
    if not access.may_view_reports(user):
        raise PermissionDenied(_("You are not allowed to see the reports."))


def _year_choices(this_year: int, chosen: int) -> list[int]:
    years = list(range(this_year, FIRST_REPORT_YEAR - 1, -1))
    return years if chosen in years else sorted({*years, chosen}, reverse=True)


def list_query(params: dict[str, object]) -> str:
    """The filters given, as a query string (`year=2026&region=south`); empty ones left out."""
    return urlencode({name: value for name, value in params.items() if value not in (None, "")})


def period_listing(user, params, *, today: datetime.date) -> tuple[PeriodListForm, PeriodList]:
    """The reporting-period list for the filters of a GET (`selectors.lists.period_list`), and
    the form that read them: a filter that is not understood is left out, and the form says so.
    Two queries: every province, the year's reports."""
    provinces = ProvinceMap.load()
    # The staff of a province merged away start at its last year, where its reports are.
    default_year = working_year_of(user, today)
    form = PeriodListForm(params, regions=provinces.regions(), default_year=default_year)
    listing = period_list(
        user,
        year=form.value("year", default_year),
        region_code=form.value("region", ""),
        status_filter=form.value("status", ""),
        period_filter=form.value("period", ""),
        today=today,
        provinces=provinces,
    )
    return form, listing


@login_required
@require_GET
def periods(request):
    """The reports a user may see for a year, by period (`period_list`). Each row links to the
    report's page; "Download Excel" gives the same rows for the same filters."""
    user = request.user
    _require_role(user)
    today = timezone.localdate()
    form, listing = period_listing(user, request.GET, today=today)
    year = listing.year
    query = list_query(
        {
            "year": year,
            "region": listing.region_code,
            "status": listing.status_filter,
            "period": listing.period_filter,
        }
    )
    context = {
        "form": form,
        "year": year,
        "years": _year_choices(today.year, year),
        "nationwide": listing.nationwide,
        "regions": listing.regions,
        "region_code": listing.region_code,
        "status_filter": listing.status_filter,
        "period_filter": listing.period_filter,
        "status_choices": REPORT_STATUS_FILTERS,
        "period_choices": Period.choices,
        "groups": listing.groups,
        "row_count": listing.row_count,
        "completeness_url": f"{reverse('programmes:completeness')}?year={year}" if listing.nationwide else "",
        "excel_url": f"{reverse('exports:periods')}?{query}",
    }
    return render(request, "programmes/periods.html", context)


def _get_period_province(user, province_id: int, year: int, period: str) -> Province:
    """The province of the report, if `user` may see it and it reports `period` of `year`;
    PermissionDenied for users with no role and for another province's report (provinces are
    public: the refusal names it and the 403 page offers the user's own); Http404 for a report
    that cannot exist."""
    _require_role(user)
    if not MIN_YEAR <= year <= MAX_YEAR or period not in Period.values:
        raise Http404(_("There is no such report."))
    province = Province.objects.select_related("region").filter(pk=province_id).first()
    if province is None:
        raise Http404(_("There is no such report."))
    if not access.can_see_province(user, province):
        raise PermissionDenied(
            _("The reports of %(province)s are outside your account's scope.") % {"province": province.name}
        )
    if not expected_in(province, year, period):
        raise Http404(_("This province does not report this period."))
    return province


@login_required
@require_http_methods(["GET", "POST"])
def period_detail(request, province_id: int, year: int, period: str):
    """A province's report of one period: its figures up to the period's end, its status and
    history, and the steps the user may take on it (each through programmes.services)."""
    user = request.user
    province = _get_period_province(user, province_id, year, period)
    record = (
        ReportingPeriod.objects.filter(province=province, year=year, period=period)
        .select_related("submitted_by", "approved_by")
        .first()
    )
    end = period_end(year, period)
    today = timezone.localdate()
    submits = access.may_submit_period(user, province)
    decides = access.may_decide_period(user)
    action_form = PeriodActionForm(request.POST if request.method == "POST" else None)
    confirm_submit = False
    confirm_decision = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in PeriodActionForm.ACTIONS:
            return HttpResponseBadRequest(_("Unknown action."))
        if not (submits if action == "submit" else decides):
            raise PermissionDenied(_("You may not take this step on this report."))
        if action_form.is_valid():
            if action == "submit" and not action_form.cleaned_data["confirm"]:
                confirm_submit = True  # show the figures to confirm; nothing is saved yet
            elif action != "submit" and not action_form.cleaned_data["confirm"]:
                # Approving, sending back and reopening are confirmed with their consequence
                # first (a page of its own, so that it works without script); a missing reason
                # is refused before that, with the service's message.
                if action in ("return", "reopen") and not action_form.cleaned_data["reason"].strip():
                    action_form.add_error("reason", reason_required())
                else:
                    confirm_decision = action
            else:
                done = _period_action(request, action_form, province, year, period, record)
                if done is not None:
                    return done
    provinces = ProvinceMap.load()
    result = summary(year=year, as_of=end, scope=Scope(province=province), provinces=provinces)
    # The provinces merged into this one whose records of `year` count in its figures and locks
    # (only 2025 has records of both eras).
    predecessors = sorted(
        (p for p in provinces.by_id.values() if p.merged_into_id == province.pk and p.active_in_year(year)),
        key=lambda p: p.code,
    )
    due = report_due_date(record, year, period, ReportingCalendar.load())
    status = record.status if record is not None else "none"
    approved_rows = _approved_rows(record, result) if record is not None and record.approved_figures else []
    submitted_by, submitted_at = _sent_by(record)
    approved_by, approved_at = _approved_by(record)
    context = {
        "province": province,
        "era": era_note(province, year),
        "predecessors": predecessors,
        "predecessor_names": ", ".join(str(p) for p in predecessors),
        "year": year,
        "period": period,
        "period_label": Period(period).label,
        "start": datetime.date(year, 1, 1),
        "end": end,
        "ongoing": end >= today,
        "record": record,
        "status": status,
        "status_label": _status_label(record),
        "due": due,
        "lateness": report_lateness(record, due, today),
        "submitted_by": submitted_by,
        "submitted_at": submitted_at,
        "approved_by": approved_by,
        "approved_at": approved_at,
        "summary": result,
        "funds": [(FundingSource(fund).label, result.funds[fund]) for fund in FUNDS],
        "history": _history(record),
        "approved_rows": approved_rows,
        "figures_changed": any(row.changed for _label, row in approved_rows),
        "action_form": action_form,
        "posted_action": request.POST.get("action", "") if request.method == "POST" else "",
        "confirm_submit": confirm_submit,
        "confirm_decision": confirm_decision,
        "posted_reason": action_form.cleaned_data.get("reason", "")
        if action_form.is_bound and action_form.is_valid()
        else "",
        # Nothing to report: the province has no project of the year and has disbursed nothing
        # up to the period's end (the confirmation warns before such a report is sent).
        "empty_report": result.project_count == 0 and not result.total.actual_vnd,
        # The service takes reports from the period's last day on.
        "can_submit": submits and status in ("none", ReportingPeriod.Status.OPEN) and end <= today,
        "can_approve": decides and status == ReportingPeriod.Status.SUBMITTED,
        "can_reopen": decides and status == ReportingPeriod.Status.APPROVED,
        "submits": submits,
        "decides": decides,
        "list_url": f"{reverse('programmes:periods')}?year={year}",
        "year_plan_url": reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": year}),
    }
    return render(request, "programmes/period_detail.html", context)


def _approved_rows(record: ReportingPeriod, result) -> list[tuple[str, report_figures.FigureComparison]]:
    """The report's figures as approved beside the live ones (`result`, the page's summary), each
    with its label: per fund plan as revised, first-approved plan, disbursed; per indicator target
    and output."""
    indicators = {item.code: item for item in result.indicators}
    return [
        (report_figures.label_of(row, indicators), row)
        for row in report_figures.compare(record, report_figures.figures_of(result))
    ]


def _period_action(
    request, form: PeriodActionForm, province: Province, year: int, period: str, record: ReportingPeriod | None
) -> HttpResponse | None:
    """Take the posted step on the report: the redirect after it with a message, or None with
    the service's refusal on `form` (nothing saved)."""
    action = form.cleaned_data["action"]
    names = {
        "period": str(Period(period).label).lower(),
        "year": year,
        "province": province_label(province, year),
        "date": period_end(year, period).strftime("%d/%m/%Y"),
    }
    try:
        if action == "submit":
            services.period_submit(province=province, year=year, period=period, user=request.user)
            message = _("The %(period)s %(year)s report of %(province)s was submitted to the ministry.")
        elif record is None:
            raise ValidationError(_("There is no report yet: the province has not submitted it."), code="status")
        elif action == "approve":
            services.period_approve(period=record, user=request.user)
            message = _(
                "The %(period)s %(year)s report of %(province)s was approved. Its disbursements and outputs "
                "dated up to %(date)s and the %(year)s plans and targets are now locked."
            )
        elif action == "return":
            services.period_return(period=record, user=request.user, reason=form.cleaned_data["reason"])
            message = _("The %(period)s %(year)s report of %(province)s was sent back to the province.")
        else:
            services.period_reopen(period=record, user=request.user, reason=form.cleaned_data["reason"])
            message = _(
                "The %(period)s %(year)s report of %(province)s was reopened: its records can be changed again."
            )
    except ValidationError as error:
        add_service_error(form, error)
        return None
    messages.success(request, message % names)
    return redirect(period_url(province, year, period))


def completeness_form(params, *, today: datetime.date) -> YearFilterForm:
    """The completeness filter (the year) of a GET; this year when none or a bad one is given."""
    return YearFilterForm(params, default_year=today.year)


@login_required
@require_GET
def completeness(request):
    """Reporting completeness of a year for the nation-wide roles (`completeness_groups`)."""
    if not access.may_view_completeness(request.user):
        raise PermissionDenied(
            _("Only ministry officials, viewers and administrators see the completeness of reports.")
        )
    today = timezone.localdate()
    form = completeness_form(request.GET, today=today)
    year = form.value("year", today.year)
    context = {
        "form": form,
        "year": year,
        "years": _year_choices(today.year, year),
        "groups": completeness_groups(year=year, today=today),
        "list_url": f"{reverse('programmes:periods')}?year={year}",
        "excel_url": f"{reverse('exports:completeness')}?year={year}",
    }
    return render(request, "programmes/completeness.html", context)
