"""The reporting workflow (DESIGN §3, §7): plans and reports go draft/open → submitted → approved.

Province staff submit; ministry officials approve, or send back with a reason; an approved
report locks the disbursements and outputs dated inside it and the year's plans and targets
until it is reopened with a reason (DHIS2-style data approval). Every change is saved with
its reason in the record's history (django-simple-history).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.i18n import user_display_name

from .models import (
    PERIOD_END,
    ApprovalStatus,
    BudgetPlan,
    Period,
    Province,
    ReportingPeriod,
    fund_short_label,
    period_end,
)

S = ReportingPeriod.Status


def _period_label(period: ReportingPeriod) -> str:
    return str(Period(period.period).label)


def _with_reason(record, reason: str, user):
    """Attach `reason` and `user` to the history row the next save writes (the user too, so a
    step taken outside a web request, by a script or an import, still says who took it)."""
    record._change_reason = reason or ""
    if user is not None:
        record._history_user = user
    return record


# --- locks ------------------------------------------------------------------------------------


def covering_approved_period(province: Province, day: datetime.date) -> ReportingPeriod | None:
    """The approved report that covers `day` for a record of `province`, or None.

    A report covers its year from 1 January to the period's end. After the 2025 merger the new
    province reports for its predecessors' records too, so its approved reports lock them.
    """
    candidates = [province.pk] + ([province.merged_into_id] if province.merged_into_id else [])
    approved = ReportingPeriod.objects.filter(
        province_id__in=candidates, year=day.year, status=S.APPROVED
    ).select_related("province", "approved_by")
    covering = [period for period in approved if day <= period.end_date]
    return min(covering, key=lambda period: period.end_date, default=None)


def lock_message(period: ReportingPeriod) -> str:
    """Why a record is locked, by whom and since when, in the user's language."""
    return _(
        "Locked: the %(period)s %(year)s report of %(province)s was approved by %(user)s on %(date)s. "
        "A ministry official must reopen it before this record can change."
    ) % {
        "period": _period_label(period).lower(),
        "year": period.year,
        "province": period.province.name,
        "user": user_display_name(period.approved_by),
        "date": timezone.localtime(period.approved_at).strftime("%d/%m/%Y") if period.approved_at else "…",
    }


def date_lock_reason(province: Province, day: datetime.date) -> str | None:
    """The lock message for a record of `province` dated `day`, or None when it may change."""
    period = covering_approved_period(province, day)
    return lock_message(period) if period else None


def check_date_unlocked(province: Province, day: datetime.date) -> None:
    """ValidationError when an approved report covers `day` for `province`."""
    reason = date_lock_reason(province, day)
    if reason:
        raise ValidationError(reason, code="locked")


def plan_lock_reason(plan: BudgetPlan) -> str | None:
    """Why a plan's amount cannot be changed by province staff now, or None."""
    if plan.pk and plan.status == ApprovalStatus.SUBMITTED:
        return _("The %(fund)s plan has been submitted and awaits the ministry's decision.") % {
            "fund": fund_short_label(plan.funding_source)
        }
    if plan.pk and plan.status == ApprovalStatus.APPROVED:
        return _(
            "The %(fund)s plan was approved (decision %(number)s of %(date)s). A ministry official must send it "
            "back before it can be revised."
        ) % {
            "fund": fund_short_label(plan.funding_source),
            "number": plan.decision_number or "…",
            "date": plan.approved_on.strftime("%d/%m/%Y") if plan.approved_on else "…",
        }
    return year_lock_reason(plan.province, plan.year)


def year_lock_reason(province: Province, year: int) -> str | None:
    """Plans and targets of a year are locked once any of its reports is approved."""
    return date_lock_reason(province, datetime.date(year, 1, 1))


# --- reports ----------------------------------------------------------------------------------


def expected_in(province: Province, year: int, period: str) -> bool:
    """Whether `province` reports `period` of `year`: it is in force on the period's last day."""
    end = period_end(year, period)
    return province.in_force_on(end)


@transaction.atomic
def period_submit(*, province: Province, year: int, period: str, user, today: datetime.date | None = None):
    """Submit a province's report for a period (creating its record); ValidationError if not allowed."""
    today = today or timezone.localdate()
    if period not in PERIOD_END:
        raise ValidationError({"period": _("Unknown reporting period.")})
    if not expected_in(province, year, period):
        raise ValidationError({"period": _("%(province)s does not report this period.") % {"province": province.name}})
    if period_end(year, period) > today:
        raise ValidationError(
            {
                "period": _("The period ends on %(date)s; it can be reported after that.")
                % {"date": period_end(year, period).strftime("%d/%m/%Y")}
            }
        )
    record = ReportingPeriod.objects.select_for_update().filter(province=province, year=year, period=period).first()
    if record is None:
        record = ReportingPeriod(province=province, year=year, period=period)
    if record.status != S.OPEN:
        raise ValidationError(
            _("This report is already “%(status)s”.") % {"status": record.get_status_display()}, code="status"
        )
    record.status = S.SUBMITTED
    record.submitted_at = timezone.now()
    record.submitted_by = user
    record.status_reason = ""
    _with_reason(record, "", user).save()
    return record


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: it is recorded and shown to the province.")})
    return reason


@transaction.atomic
def period_approve(*, period: ReportingPeriod, user) -> ReportingPeriod:
    """Approve a submitted report: it then locks the records it covers."""
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != S.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."), code="status")
    period.status = S.APPROVED
    period.approved_at = timezone.now()
    period.approved_by = user
    _with_reason(period, "", user).save()
    return period


@transaction.atomic
def period_return(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    """Send a submitted report back to the province with a required reason."""
    reason = _require_reason(reason)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != S.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be sent back."), code="status")
    period.status = S.OPEN
    period.status_reason = reason
    period.submitted_at = None
    period.submitted_by = None
    _with_reason(period, reason, user).save()
    return period


@transaction.atomic
def period_reopen(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    """Reopen an approved report (unlocking its records) with a required reason."""
    reason = _require_reason(reason)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != S.APPROVED:
        raise ValidationError(_("Only an approved report can be reopened."), code="status")
    period.status = S.OPEN
    period.status_reason = reason
    period.approved_at = None
    period.approved_by = None
    _with_reason(period, reason, user).save()
    return period


# --- plans ------------------------------------------------------------------------------------


def _check_year_open(plan: BudgetPlan) -> None:
    """A plan's status does not change once a report of its year is approved."""
    reason = year_lock_reason(plan.province, plan.year)
    if reason:
        raise ValidationError(reason, code="locked")


@transaction.atomic
def plan_submit(*, plan: BudgetPlan, user) -> BudgetPlan:
    """Submit a draft plan for approval."""
    plan = BudgetPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _check_year_open(plan)
    if plan.status != ApprovalStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be submitted."), code="status")
    plan.status = ApprovalStatus.SUBMITTED
    plan.status_reason = ""
    _with_reason(plan, "", user).save()
    return plan


@transaction.atomic
def plan_approve(*, plan: BudgetPlan, user, decision_number: str, approved_on: datetime.date) -> BudgetPlan:
    """Approve a submitted plan under a decision; the first approved amount is kept for revisions."""
    plan = BudgetPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _check_year_open(plan)
    if plan.status != ApprovalStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be approved."), code="status")
    if not (decision_number or "").strip():
        raise ValidationError({"decision_number": _("Enter the number of the approval decision.")})
    plan.status = ApprovalStatus.APPROVED
    plan.decision_number = decision_number.strip()
    plan.approved_on = approved_on
    if plan.original_vnd is None:
        plan.original_vnd = plan.planned_vnd
    plan.full_clean()
    _with_reason(plan, "", user).save()
    return plan


@transaction.atomic
def plan_return(*, plan: BudgetPlan, user, reason: str) -> BudgetPlan:
    """Send a submitted or approved plan back to draft (for correction or revision) with a reason."""
    reason = _require_reason(reason)
    plan = BudgetPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _check_year_open(plan)
    if plan.status == ApprovalStatus.DRAFT:
        raise ValidationError(_("The plan is already a draft."), code="status")
    plan.status = ApprovalStatus.DRAFT
    plan.status_reason = reason
    _with_reason(plan, reason, user).save()
    return plan
