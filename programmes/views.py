"""Pages of the programme: the home page, the province year-plan grid with its approval, and
the reporting workflow (the list of reports, a report's page, the completeness of reports).

Views stay thin: they parse the request with a form, read, call a service to write, and pick a
template. Who may enter a year plan is decided in one place, `may_edit_year_plan`; who may take
a step of the workflow in `may_submit_period`, `may_decide_period` and `may_decide_plans`, on
top of programmes.access.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.i18n import user_display_name
from common.numbers import group_digits

from . import access, services
from .forms import (
    MERGER_YEAR,
    REPORT_STATUS_FILTERS,
    PeriodActionForm,
    PeriodListForm,
    PlanActionForm,
    YearFilterForm,
    YearPlanChooseForm,
    YearPlanForm,
    add_service_error,
)
from .models import (
    MAX_YEAR,
    MIN_YEAR,
    ApprovalStatus,
    BudgetPlan,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Period,
    Province,
    Region,
    ReportingPeriod,
    era_note,
    expected_in,
    period_end,
    province_label,
)
from .selectors import (
    FUNDS,
    PeriodCompleteness,
    ProvinceMap,
    Scope,
    locks,
    report_due_date,
    report_lateness,
    reporting_completeness,
    summary,
)

YEAR_PLAN_PERMISSIONS = ("programmes.change_budgetplan", "programmes.change_indicatortarget")
PLAN_APPROVE_PERMISSION = "programmes.approve_budgetplan"
SUBMIT_PERMISSION = "programmes.submit_reportingperiod"
APPROVE_PERMISSION = "programmes.approve_reportingperiod"


def may_edit_year_plan(user, province: Province | None = None) -> bool:
    """True when `user` may enter year plans: of `province`, or of some province when None.

    Needs both change permissions and a province the user enters records for (programmes.access:
    province staff for their own territory).
    """
    if not (user.is_authenticated and user.has_perms(YEAR_PLAN_PERMISSIONS)):
        return False
    if province is None:
        return access.editable_province_ids(user) != frozenset()
    return access.can_edit_province(user, province)


def may_read_year_plans(user) -> bool:
    """True when `user` may open year plans: those who enter them, and every portal role (the
    nation-wide roles read every province's, province staff their own territory's)."""
    return may_edit_year_plan(user) or access.role_of(user) is not None


def may_decide_plans(user) -> bool:
    """Those who approve plans and send them back (access.can_approve: ministry officials and
    administrators), with the permission."""
    return access.can_approve(user) and user.has_perm(PLAN_APPROVE_PERMISSION)


def _get_year_plan_province(user, province_id: int, year: int) -> tuple[Province, bool]:
    """The province of the `year` plan to show, and whether `user` may enter it (else the page
    is read-only). PermissionDenied for users who may not open year plans at all; Http404 for a
    year outside 2000–2100, an unknown province, a province not in force in `year`, or one the
    user may not see."""
    if not may_read_year_plans(user):
        raise PermissionDenied(_("You are not allowed to enter year plans."))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("No year plan for this year."))
    province = Province.objects.filter(pk=province_id).first()
    if province is None or not province.active_in_year(year):
        raise Http404(_("This province was not in force in that year."))
    if may_edit_year_plan(user, province):
        return province, True
    if access.can_see_province(user, province):
        return province, False
    raise Http404(_("There is no such province."))


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


@require_GET
def home(request):
    """Anonymous visitors read what the portal is; signed-in users get their tasks."""
    if not request.user.is_authenticated:
        return render(request, "home.html", {"anonymous": True})
    years = _year_rows(timezone.localdate())
    context = {
        "anonymous": False,
        # Family name first, as the header shows it (Django's get_full_name puts it last).
        "display_name": user_display_name(request.user),
        "can_edit_year_plan": may_edit_year_plan(request.user),
        "years": years,
        "shows_merger_year": any(row.year == MERGER_YEAR for row in years),
    }
    return render(request, "home.html", context)


@login_required
@require_GET
def year_plan_choose(request):
    """Pick a year and a province in force that year, then go to its year-plan grid.

    Province staff choose among the provinces they enter; the nation-wide roles, who read
    plans, among every province."""
    if not may_read_year_plans(request.user):
        raise PermissionDenied(_("You are not allowed to enter year plans."))
    enters = may_edit_year_plan(request.user)
    # "refresh" only reloads the province list for the year shown; it does not open a plan.
    bound = "province" in request.GET and "refresh" not in request.GET
    form = YearPlanChooseForm(
        request.GET if bound else None,
        initial={"year": request.GET.get("year"), "province": request.GET.get("province")},
        today=timezone.localdate(),
        province_ids=access.editable_province_ids(request.user)
        if enters
        else access.visible_province_ids(request.user),
    )
    if bound and form.is_valid():
        return redirect(
            "programmes:year-plan-edit",
            province_id=form.cleaned_data["province"],
            year=form.cleaned_data["year"],
        )
    return render(request, "programmes/year_plan_choose.html", {"form": form, "year": form.year, "enters": enters})


def _year_plan_message(province: Province, year: int, result: services.YearPlanResult) -> str:
    label = province_label(province, year)
    if not (result.created or result.updated or result.deleted):
        return _("Nothing changed: the year plan of %(province)s for %(year)s already had these figures.") % {
            "province": label,
            "year": year,
        }
    parts = [
        text % {"count": count}
        for text, count in (
            (_("%(count)s added"), result.created),
            (_("%(count)s changed"), result.updated),
            (_("%(count)s removed"), result.deleted),
            (_("%(count)s unchanged"), result.unchanged),
        )
        if count
    ]
    return _("Year plan of %(province)s for %(year)s saved: %(changes)s.") % {
        "province": label,
        "year": year,
        "changes": ", ".join(parts),
    }


@login_required
@require_http_methods(["GET", "POST"])
def year_plan_edit(request, province_id: int, year: int):
    """One form for a province's year: planned đồng of both funds and every indicator target.

    Saved all together through `services.year_plan_save`; a refusal is shown on the form with
    nothing saved, a success redirects back here with a message of what changed. Emptying a
    stored plan or target deletes it, so the page first lists those and asks to confirm. Users who may
    see the province but not enter its plans (ministry officials, viewers) read the page;
    the approval steps of each plan (services.plan_*) are posted here with an `action`.
    """
    province, editable = _get_year_plan_province(request.user, province_id, year)
    plans = {plan.funding_source: plan for plan in BudgetPlan.objects.filter(province=province, year=year)}
    indicators = list(Indicator.objects.filter(is_active=True))
    targets = dict(IndicatorTarget.objects.filter(province=province, year=year).values_list("indicator_id", "target"))
    action_form = None
    grid_data = None
    if request.method == "POST" and "action" in request.POST:
        action_form = PlanActionForm(request.POST)
        done = _plan_action(request, action_form, province, year, plans, editable)
        if done is not None:
            return done
    elif request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may read this year plan but not change it."))
        grid_data = request.POST
    form = YearPlanForm(grid_data, plans=plans, indicators=indicators, targets=targets)
    removals = []
    if form.is_bound and form.is_valid() and "confirm_removal" not in request.POST:
        # Emptying a stored figure deletes it: the user confirms that first (nothing saved yet).
        # In a locked year the service refuses every change with its reason: nothing to confirm.
        removals = form.removals(targets)
        if removals and locks.year_lock_reason(province, year):
            removals = []
    if form.is_bound and form.is_valid() and not removals:
        try:
            result = services.year_plan_save(
                province=province,
                year=year,
                amounts_vnd=form.amounts_vnd(),
                targets=form.targets(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _year_plan_message(province, year, result))
            return redirect("programmes:year-plan-edit", province_id=province.pk, year=year)
    # A draft plan is locked exactly when its year is (selectors.locks.plan_lock_reason): the year's
    # lock is read once for all of them.
    year_lock = locks.year_lock_reason(province, year)
    form.show_locks(
        plan_locks={
            fund: year_lock if plan is None or plan.status == ApprovalStatus.DRAFT else locks.plan_lock_reason(plan)
            for fund, plan in ((fund, plans.get(fund)) for fund in FundingSource.values)
        },
        targets_lock=year_lock,
    )
    context = {
        "form": form,
        "removals": removals,
        "editable": editable,
        "decides": may_decide_plans(request.user),
        "action_form": action_form,
        "posted_action": action_form.data.get("action", "") if action_form is not None else "",
        "posted_fund": action_form.data.get("fund", "") if action_form is not None else "",
        "province": province,
        "year": year,
        "today": timezone.localdate(),
        "era_note": era_note(province, year),
        # The example follows the language: 1.250.000.000 in Vietnamese, 1,250,000,000 in English.
        "amount_example": group_digits(1_250_000_000, get_language()),
        "choose_url": f"{reverse('programmes:year-plan-choose')}?year={year}",
    }
    return render(request, "programmes/year_plan_edit.html", context)


def _plan_action(
    request, form: PlanActionForm, province: Province, year: int, plans: dict[str, BudgetPlan], editable: bool
) -> HttpResponse | None:
    """Run the approval step posted for a plan: the redirect after it, or None with the refusal
    on `form` (nothing saved). 400 for an unknown step, 403 when the user may not take it."""
    action, fund = request.POST.get("action"), request.POST.get("fund")
    if action not in PlanActionForm.ACTIONS or fund not in FundingSource.values:
        return HttpResponseBadRequest(_("Unknown action."))
    allowed = editable if action == "plan_submit" else may_decide_plans(request.user)
    if not allowed:
        raise PermissionDenied(_("You may not take this step on this plan."))
    if not form.is_valid():
        return None
    plan = plans.get(fund)
    label = FundingSource(fund).label
    if plan is None:
        form.add_error(None, _("There is no %(fund)s plan for %(year)s yet.") % {"fund": label, "year": year})
        return None
    data = form.cleaned_data
    names = {"fund": label, "year": year, "province": province_label(province, year)}
    try:
        if action == "plan_submit":
            services.plan_submit(plan=plan, user=request.user)
            message = _("The %(fund)s plan %(year)s of %(province)s was submitted to the ministry for approval.")
        elif action == "plan_approve":
            plan = services.plan_approve(
                plan=plan, user=request.user, decision_number=data["decision_number"], approved_on=data["approved_on"]
            )
            names.update(number=plan.decision_number, date=plan.approved_on.strftime("%d/%m/%Y"))
            message = _("The %(fund)s plan %(year)s of %(province)s was approved (decision %(number)s of %(date)s).")
        else:
            services.plan_return(plan=plan, user=request.user, reason=data["reason"])
            message = _("The %(fund)s plan %(year)s of %(province)s was sent back to the province as a draft.")
    except ValidationError as error:
        add_service_error(form, error)
        return None
    messages.success(request, message % names)
    return redirect("programmes:year-plan-edit", province_id=province.pk, year=year)


# ---- Reporting periods (DESIGN §3: open → submitted → approved) ------------------------------

FIRST_REPORT_YEAR = 2008  # the provinces' pre-2025 boundaries date from 08/2008, as the dashboards'
SENT = (ReportingPeriod.Status.SUBMITTED, ReportingPeriod.Status.APPROVED)


def may_submit_period(user, province: Province) -> bool:
    """Province staff submit the reports of the provinces they enter records for."""
    return access.can_edit_province(user, province) and user.has_perm(SUBMIT_PERMISSION)


def may_decide_period(user) -> bool:
    """Those who approve, send back and reopen reports (access.can_approve: ministry officials
    and administrators), with the permission."""
    return access.can_approve(user) and user.has_perm(APPROVE_PERMISSION)


def may_view_reports(user) -> bool:
    """Every portal role sees the reports (list and pages) of the provinces it reads."""
    return access.role_of(user) is not None


def _require_role(user) -> None:
    if not may_view_reports(user):
        raise PermissionDenied(_("You are not allowed to see the reports."))


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


def _year_choices(this_year: int, chosen: int) -> list[int]:
    years = list(range(this_year, FIRST_REPORT_YEAR - 1, -1))
    return years if chosen in years else sorted({*years, chosen}, reverse=True)


@dataclass(frozen=True)
class PeriodList:
    """The reports a user may see for the filters of a GET: what the list page and its Excel copy show."""

    form: PeriodListForm
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


def period_list(user, params, *, today: datetime.date) -> PeriodList:
    """The reports `user` may see for a year, by period: province staff their own territory's
    provinces in force at each period's end; the nation-wide roles every province, filtered by
    the region, status and period of `params` (a filter that is not understood is left out,
    and the form says so). Two queries: every province, the year's reports."""
    provinces = ProvinceMap.load()
    form = PeriodListForm(params, regions=provinces.regions(), default_year=today.year)
    year = form.value("year", today.year)
    nationwide = access.sees_everything(user)
    region_code = form.value("region", "") if nationwide else ""
    status_filter = form.value("status", "")
    period_filter = form.value("period", "")
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
            due = report_due_date(record, year, code)
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
                )
            )
        end = period_end(year, code)
        groups.append(PeriodGroup(code, str(Period(code).label), end, end >= today, rows))
    return PeriodList(
        form=form,
        year=year,
        nationwide=nationwide,
        regions=provinces.regions(),
        region_code=region_code,
        status_filter=status_filter,
        period_filter=period_filter,
        groups=groups,
    )


def list_query(params: dict[str, object]) -> str:
    """The filters given, as a query string (`year=2026&region=south`); empty ones left out."""
    return urlencode({name: value for name, value in params.items() if value not in (None, "")})


@login_required
@require_GET
def periods(request):
    """The reports a user may see for a year, by period (`period_list`). Each row links to the
    report's page; "Download Excel" gives the same rows for the same filters."""
    user = request.user
    _require_role(user)
    today = timezone.localdate()
    listing = period_list(user, request.GET, today=today)
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
        "form": listing.form,
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


def _get_period_province(user, province_id: int, year: int, period: str) -> Province:
    """The province of the report, if `user` may see it and it reports `period` of `year`;
    PermissionDenied for users with no role, Http404 otherwise (no hint that it exists)."""
    _require_role(user)
    if not MIN_YEAR <= year <= MAX_YEAR or period not in Period.values:
        raise Http404(_("There is no such report."))
    province = Province.objects.select_related("region").filter(pk=province_id).first()
    if province is None or not access.can_see_province(user, province):
        raise Http404(_("There is no such report."))
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
    submits = may_submit_period(user, province)
    decides = may_decide_period(user)
    action_form = PeriodActionForm(request.POST if request.method == "POST" else None)
    confirm_submit = False
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in PeriodActionForm.ACTIONS:
            return HttpResponseBadRequest(_("Unknown action."))
        if not (submits if action == "submit" else decides):
            raise PermissionDenied(_("You may not take this step on this report."))
        if action_form.is_valid():
            if action == "submit" and not action_form.cleaned_data["confirm"]:
                confirm_submit = True  # show the figures to confirm; nothing is saved yet
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
    due = report_due_date(record, year, period)
    status = record.status if record is not None else "none"
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
        "action_form": action_form,
        "posted_action": request.POST.get("action", "") if request.method == "POST" else "",
        "confirm_submit": confirm_submit,
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


def may_view_completeness(user) -> bool:
    """The nation-wide roles: the completeness covers every province."""
    return access.sees_everything(user)


def completeness_groups(*, year: int, today: datetime.date) -> list[CompletenessGroup]:
    """Per period of `year`, per region: reports expected, submitted, approved and late, and the
    provinces yet to submit. One `selectors.reporting_completeness` per region over one shared
    ProvinceMap: the figures are the selector's, as on the dashboards."""
    provinces = ProvinceMap.load()
    by_region = [
        (region, reporting_completeness(year=year, scope=Scope(region=region), provinces=provinces, today=today))
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


def completeness_form(params, *, today: datetime.date) -> YearFilterForm:
    """The completeness filter (the year) of a GET; this year when none or a bad one is given."""
    return YearFilterForm(params, default_year=today.year)


@login_required
@require_GET
def completeness(request):
    """Reporting completeness of a year for the nation-wide roles (`completeness_groups`)."""
    if not may_view_completeness(request.user):
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
