"""The start pages' lists ("Việc cần làm"): what waits for each role this morning, each item with
the link to the page where its work is done. Every function costs a fixed number of queries,
named in its docstring (the page's tests pin the sum).

- ministry: plans and reports waiting for approval (oldest first, with how long they have
  waited), provinces late or overdue for the current period, what was sent back and not sent
  again;
- province staff: their province's year (each fund's plan, each period's report and its
  deadline, what was sent back and why), the projects that need them, their latest changes;
- viewer: the latest approved reports; administrator: the accounts that cannot work.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.i18n import user_display_name, vietnamese_sort_key

from .. import access
from ..models import (
    ApprovalStatus,
    BudgetPlan,
    DeadlineCode,
    Disbursement,
    FundingSource,
    IndicatorTarget,
    Period,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    ReportingPeriod,
    UserProfile,
    era_note,
    expected_in,
    fund_short_label,
    period_end,
    province_label,
)
from .calendar import ReportingCalendar
from .figures import ProvinceMap
from .reporting import SENT_STATUSES, report_due_date, report_lateness

S = ReportingPeriod.Status

# A project with no step, payment or output for this many days is shown to its province's staff.
STALE_PROJECT_DAYS = 60


def _plan_url(province_id: int, year: int) -> str:
    return reverse("programmes:year-plan-edit", kwargs={"province_id": province_id, "year": year})


def _report_url(province_id: int, year: int, period: str) -> str:
    return reverse("programmes:period", kwargs={"province_id": province_id, "year": year, "period": period})


def plan_title(plan: BudgetPlan) -> str:
    return _("%(fund)s plan %(year)s") % {"fund": fund_short_label(plan.funding_source), "year": plan.year}


def report_title(year: int, period: str) -> str:
    return _("%(period)s %(year)s report") % {"period": str(Period(period).label).lower(), "year": year}


def waited_days(since: datetime.datetime | None, today: datetime.date) -> int | None:
    return (today - timezone.localdate(since)).days if since else None


# ---- Ministry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingItem:
    """A plan or report submitted and waiting for the ministry's decision."""

    kind: str  # "plan" or "report"
    title: str
    province: Province
    since: datetime.datetime | None  # when it was submitted
    waited_days: int | None
    url: str


def waiting_for_approval(today: datetime.date) -> list[WaitingItem]:
    """Every submitted plan and report, oldest first (the longest waiting at the top). A plan's
    submission time is its last change: a submitted plan cannot change until it is decided.
    Two queries: the submitted plans, the submitted reports (each with its province)."""
    items = [
        WaitingItem(
            "plan",
            plan_title(plan),
            plan.province,
            plan.updated_at,
            waited_days(plan.updated_at, today),
            _plan_url(plan.province_id, plan.year),
        )
        for plan in BudgetPlan.objects.filter(status=ApprovalStatus.SUBMITTED).select_related("province")
    ]
    items += [
        WaitingItem(
            "report",
            report_title(report.year, report.period),
            report.province,
            report.submitted_at,
            waited_days(report.submitted_at, today),
            _report_url(report.province_id, report.year, report.period),
        )
        for report in ReportingPeriod.objects.filter(status=S.SUBMITTED).select_related("province")
    ]
    oldest = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(items, key=lambda item: (item.since or oldest, item.province.code, item.title))


@dataclass(frozen=True)
class SentBackItem:
    """A plan or report the ministry sent back (or reopened) that the province has not sent again."""

    kind: str
    title: str
    province: Province
    reason: str
    since: datetime.datetime
    url: str


def sent_back(province_ids: frozenset[int] | None = None, *, since_year: int) -> list[SentBackItem]:
    """Plans in draft and reports open again with the reason they were sent back, of `since_year`
    on, of the provinces `province_ids` (None: every province), the most recent first.
    Two queries: the plans, the reports (each with its province)."""
    plans = (
        BudgetPlan.objects.in_provinces(province_ids)
        .filter(status=ApprovalStatus.DRAFT, year__gte=since_year)
        .exclude(status_reason="")
    )
    reports = (
        ReportingPeriod.objects.in_provinces(province_ids)
        .filter(status=S.OPEN, year__gte=since_year)
        .exclude(status_reason="")
    )
    items = [
        SentBackItem(
            "plan",
            plan_title(plan),
            plan.province,
            plan.status_reason,
            plan.updated_at,
            _plan_url(plan.province_id, plan.year),
        )
        for plan in plans.select_related("province")
    ]
    items += [
        SentBackItem(
            "report",
            report_title(report.year, report.period),
            report.province,
            report.status_reason,
            report.updated_at,
            _report_url(report.province_id, report.year, report.period),
        )
        for report in reports.select_related("province")
    ]
    return sorted(items, key=lambda item: item.since, reverse=True)


def current_period(today: datetime.date) -> tuple[int, str] | None:
    """The latest period (of this year or last) that has ended on `today`: its reports are due
    now or were due last. None before the first period of last year ended (never in practice)."""
    ended = [
        (period_end(year, code), year, code)
        for year in (today.year - 1, today.year)
        for code in Period.values
        if period_end(year, code) < today
    ]
    if not ended:
        return None
    _end, year, code = max(ended)
    return year, code


@dataclass(frozen=True)
class LateProvince:
    province: Province
    lateness: str  # "overdue" (not sent, the due date passed) or "late" (sent after it)
    submitted_at: datetime.datetime | None
    url: str


@dataclass(frozen=True)
class PeriodWatch:
    """The reports of one period across the provinces: how many are expected and sent, who is
    late or overdue."""

    year: int
    period: str
    title: str
    end: datetime.date
    due: datetime.date
    expected: int
    sent: int
    overdue: list[LateProvince]
    late: list[LateProvince]


def period_watch(
    year: int, period: str, *, today: datetime.date, calendar: ReportingCalendar, provinces: ProvinceMap
) -> PeriodWatch:
    """The provinces late or overdue for `period` of `year` (in force at its end). One query:
    the period's reports."""
    records = {
        report.province_id: report
        for report in ReportingPeriod.objects.filter(year=year, period=period).only(
            "province_id", "status", "deadline", "submitted_at"
        )
    }
    end = period_end(year, period)
    expected = sorted(
        (p for p in provinces.by_id.values() if p.in_force_on(end)), key=lambda p: (p.region.order, p.name)
    )
    overdue, late, sent = [], [], 0
    for province in expected:
        report = records.get(province.pk)
        sent += bool(report is not None and report.status in SENT_STATUSES)
        lateness = report_lateness(report, report_due_date(report, year, period, calendar), today)
        if lateness:
            line = LateProvince(
                province,
                lateness,
                report.submitted_at if report is not None else None,
                _report_url(province.pk, year, period),
            )
            (overdue if lateness == "overdue" else late).append(line)
    return PeriodWatch(
        year=year,
        period=period,
        title=report_title(year, period),
        end=end,
        due=calendar.report_due(year, period),
        expected=len(expected),
        sent=sent,
        overdue=overdue,
        late=late,
    )


@dataclass(frozen=True)
class PlanStatusRow:
    """A province's plans of a year, each fund's status (or "none"), for the plan chooser."""

    province: Province
    era: str
    statuses: list[tuple[str, str, str]]  # (fund label, status code or "none", status label)
    waiting: bool  # a plan is submitted: the ministry's decision is awaited
    url: str


def plan_statuses(year: int) -> list[PlanStatusRow]:
    """Every province in force in `year`, by name, with its plans' statuses. Two queries: the
    provinces, the year's plans."""
    plans = {(plan.province_id, plan.funding_source): plan for plan in BudgetPlan.objects.filter(year=year)}
    rows = []
    for province in Province.objects.active_in_year(year):
        statuses = []
        for fund in FundingSource.values:
            plan = plans.get((province.pk, fund))
            statuses.append(
                (
                    fund_short_label(fund),
                    plan.status if plan else "none",
                    str(plan.get_status_display()) if plan else _("Not entered"),
                )
            )
        rows.append(
            PlanStatusRow(
                province=province,
                era=era_note(province, year),
                statuses=statuses,
                waiting=any(code == ApprovalStatus.SUBMITTED for _label, code, _text in statuses),
                url=_plan_url(province.pk, year),
            )
        )
    return sorted(rows, key=lambda row: (not row.waiting, vietnamese_sort_key(row.province.name)))


# ---- Province staff -----------------------------------------------------------------------


@dataclass(frozen=True)
class FundLine:
    fund: str
    label: str
    title: str
    plan: BudgetPlan | None
    status: str  # the plan's status, or "none"
    status_label: str
    reason: str  # why it was last sent back, while it is a draft again
    url: str


@dataclass(frozen=True)
class ReportLine:
    period: str
    title: str
    end: datetime.date
    due: datetime.date
    status: str  # the report's status, or "none"
    status_label: str
    lateness: str
    reason: str  # why it was sent back or reopened, while it is open again
    to_send: bool  # the period has ended and the report is not sent
    url: str


@dataclass(frozen=True)
class ProvinceYear:
    province: Province
    year: int
    funds: list[FundLine]
    reports: list[ReportLine]


def working_year(province: Province, today: datetime.date) -> int:
    """The year a province's staff work on: this year, or the province's last year when it
    ended before (the provinces merged away on 1 July 2025 work on 2025)."""
    if province.active_in_year(today.year):
        return today.year
    return province.valid_to.year if province.valid_to else today.year


def working_year_of(user, today: datetime.date) -> int:
    """The year a user's pages open at: `working_year` of their province for province staff
    (no query beyond their territory's, which their pages read anyway), this year otherwise."""
    if access.role_of(user) != access.Role.PROVINCE_STAFF:
        return today.year
    province = access.user_province(user)
    return working_year(province, today) if province is not None else today.year


def province_year(province: Province, year: int, *, today: datetime.date, calendar: ReportingCalendar) -> ProvinceYear:
    """A province's year at a glance. Two queries: its plans of the year, its reports of the year."""
    plans = {plan.funding_source: plan for plan in BudgetPlan.objects.filter(province=province, year=year)}
    funds = []
    for fund in FundingSource.values:
        plan = plans.get(fund)
        funds.append(
            FundLine(
                fund=fund,
                label=fund_short_label(fund),
                title=_("%(fund)s plan %(year)s") % {"fund": fund_short_label(fund), "year": year},
                plan=plan,
                status=plan.status if plan else "none",
                status_label=str(plan.get_status_display()) if plan else _("Not entered"),
                reason=plan.status_reason if plan and plan.status == ApprovalStatus.DRAFT else "",
                url=_plan_url(province.pk, year),
            )
        )
    records = {report.period: report for report in ReportingPeriod.objects.filter(province=province, year=year)}
    reports = []
    for code in Period.values:
        if not expected_in(province, year, code):
            continue
        record = records.get(code)
        due = report_due_date(record, year, code, calendar)
        status = record.status if record else "none"
        reports.append(
            ReportLine(
                period=code,
                title=report_title(year, code),
                end=period_end(year, code),
                due=due,
                status=status,
                status_label=str(record.get_status_display()) if record else _("Not yet created"),
                lateness=report_lateness(record, due, today),
                reason=record.status_reason if record and record.status == S.OPEN else "",
                to_send=period_end(year, code) < today and status not in SENT_STATUSES,
                url=_report_url(province.pk, year, code),
            )
        )
    return ProvinceYear(province=province, year=year, funds=funds, reports=reports)


@dataclass(frozen=True)
class ProjectTask:
    """A project that waits for its province: to be contracted, settled, or moved forward."""

    project: Project
    deadline: datetime.date | None
    overdue: bool
    last_activity: datetime.date | None
    url: str


@dataclass(frozen=True)
class ProjectTasks:
    not_contracted: list[ProjectTask]
    not_settled: list[ProjectTask]
    no_progress: list[ProjectTask]

    @property
    def count(self) -> int:
        return len(self.not_contracted) + len(self.not_settled) + len(self.no_progress)


def _latest(model, field: str = "date"):
    rows = model.objects.filter(project=OuterRef("pk")).order_by().values("project").annotate(last=Max(field))
    return Subquery(rows.values("last")[:1])


def projects_needing(
    province_ids: frozenset[int] | None, *, today: datetime.date, calendar: ReportingCalendar
) -> ProjectTasks:
    """The projects of `province_ids` (None: all) that need their staff:

    - approved but not contracted, with their year's contract deadline (30/06 by default);
    - accepted but not settled, with their settlement deadline (22/01 of the next year);
    - contracted or in progress with no step, payment or output recorded for STALE_PROJECT_DAYS.

    Each list by deadline (or oldest activity) first. One query: the projects, each with the
    dates of its last step, payment and output (one subquery per relation, docs/architecture.md C7).
    """
    projects = (
        Project.objects.in_provinces(province_ids)
        .filter(
            status__in=(
                ProjectStatus.APPROVED,
                ProjectStatus.ACCEPTED,
                ProjectStatus.CONTRACTED,
                ProjectStatus.IN_PROGRESS,
            ),
            year__lte=today.year,
        )
        .select_related("province")
        .annotate(
            last_step=_latest(ProjectTransition),
            last_payment=_latest(Disbursement),
            last_output=_latest(ProjectOutput),
        )
    )
    not_contracted, not_settled, no_progress = [], [], []
    stale_before = today - datetime.timedelta(days=STALE_PROJECT_DAYS)
    for project in projects:
        url = reverse("admin:programmes_project_change", args=[project.pk])
        dates = [day for day in (project.last_step, project.last_payment, project.last_output) if day]
        last = max(dates) if dates else project.status_changed_on
        if project.status == ProjectStatus.APPROVED:
            deadline = calendar.date_of(DeadlineCode.CONTRACTS, project.year)
            not_contracted.append(ProjectTask(project, deadline, today > deadline, last, url))
        elif project.status == ProjectStatus.ACCEPTED:
            deadline = calendar.date_of(DeadlineCode.SETTLEMENT, project.year)
            not_settled.append(ProjectTask(project, deadline, today > deadline, last, url))
        elif last is None or last < stale_before:
            no_progress.append(ProjectTask(project, None, False, last, url))
    by_deadline = lambda task: (task.deadline, task.project.code)  # noqa: E731
    return ProjectTasks(
        not_contracted=sorted(not_contracted, key=by_deadline),
        not_settled=sorted(not_settled, key=by_deadline),
        no_progress=sorted(no_progress, key=lambda task: (task.last_activity or datetime.date.min, task.project.code)),
    )


@dataclass(frozen=True)
class Change:
    """One change the user made, newest first: when, what, and its history page."""

    when: datetime.datetime
    action: str
    what: str
    url: str


_ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


def _change_label(model_name: str, row) -> str:
    if model_name == "budgetplan":
        return _("%(fund)s plan %(year)s") % {"fund": fund_short_label(row.funding_source), "year": row.year}
    if model_name == "indicatortarget":
        return _("Target %(year)s: %(indicator)s") % {"year": row.year, "indicator": row.indicator.name}
    if model_name == "project":
        return f"{row.code} – {row.title}"
    if model_name == "reportingperiod":
        return report_title(row.year, row.period)
    kind = _("Disbursement") if model_name == "disbursement" else _("Output")
    return f"{kind} – {row.project.code}"


def latest_changes(user, *, limit: int = 8) -> list[Change]:
    """The `limit` latest changes `user` made to plans, targets, projects, money, outputs and
    reports, newest first; edits of one record in a row (save, then submit…) are one change, the
    newest. Six queries: the newest history rows of each model (three times `limit`, so that
    collapsed edits still leave `limit` changes when there are)."""
    sources = (
        (BudgetPlan, ()),
        (IndicatorTarget, ("indicator",)),
        (Project, ()),
        (Disbursement, ("project",)),
        (ProjectOutput, ("project",)),
        (ReportingPeriod, ()),
    )
    rows = []
    for model, related in sources:
        history = model.history.model.objects.filter(history_user=user).order_by("-history_date", "-history_id")
        if related:
            history = history.select_related(*related)
        for row in history[: limit * 3]:
            rows.append((row.history_date, model._meta.model_name, row))
    rows.sort(key=lambda item: item[0], reverse=True)
    kept = []
    for item in rows:
        _when, name, row = item
        if kept and (kept[-1][1], kept[-1][2].id, kept[-1][2].history_type) == (name, row.id, row.history_type):
            continue
        kept.append(item)
    rows = kept
    return [
        Change(
            when=when,
            action=str(_ACTIONS[row.history_type]),
            what=_change_label(name, row),
            url=reverse("reports:audit-record", args=[name, row.id]),
        )
        for when, name, row in rows[:limit]
    ]


# ---- Viewer and administrator -------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedReport:
    title: str
    province: Province
    approved_at: datetime.datetime | None
    approved_by: str
    url: str


def latest_approved_reports(*, limit: int = 10) -> list[ApprovedReport]:
    """The `limit` reports approved last, newest first. One query."""
    reports = (
        ReportingPeriod.objects.filter(status=S.APPROVED, approved_at__isnull=False)
        .select_related("province", "approved_by")
        .order_by("-approved_at", "-pk")[:limit]
    )
    return [
        ApprovedReport(
            report_title(report.year, report.period),
            report.province,
            report.approved_at,
            user_display_name(report.approved_by),
            _report_url(report.province_id, report.year, report.period),
        )
        for report in reports
    ]


@dataclass(frozen=True)
class AccountIssue:
    user: object
    problem: str
    url: str


def accounts_that_cannot_work(today: datetime.date) -> list[AccountIssue]:
    """Active accounts, superusers aside, that cannot work: without a portal role, province
    staff without a province, or province staff of a province no longer in force (to be moved
    to its successor). One query."""
    User = get_user_model()
    memberships = User.groups.through.objects.filter(user_id=OuterRef("pk"))
    profiles = UserProfile.objects.filter(user_id=OuterRef("pk"), province__isnull=False)
    roles = [role.value for role in access.Role]
    users = (
        User.objects.filter(is_active=True, is_superuser=False)
        .annotate(
            has_role=Exists(memberships.filter(group__name__in=roles)),
            is_province_staff=Exists(memberships.filter(group__name=access.Role.PROVINCE_STAFF.value)),
            has_province=Exists(profiles),
            province_ended=Exists(profiles.filter(province__valid_to__lt=today)),
        )
        .filter(Q(has_role=False) | Q(is_province_staff=True, has_province=False) | Q(province_ended=True))
        .select_related("portal_profile__province__merged_into")
        .order_by("username")
    )
    issues = []
    for user in users:
        if not user.has_role:
            problem = _("No role: the account sees nothing.")
        elif not user.has_province:
            problem = _("Province staff without a province: the account sees no record.")
        else:
            province = user.portal_profile.province
            successor = province.merged_into
            problem = _("Works for %(province)s, which is no longer in force: move the account to %(successor)s.") % {
                "province": province_label(province, province.valid_to.year),
                "successor": successor.name if successor else _("its successor"),
            }
        issues.append(AccountIssue(user, problem, reverse("admin:auth_user_change", args=[user.pk])))
    return issues
