"""Locks: an approved report freezes the disbursements and outputs dated inside it and its
year's plans and targets, until a ministry official reopens it. Each function answers with the
reason, in the user's language, or None when the record may change.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.i18n import user_display_name

from ..models import (
    ApprovalStatus,
    BudgetPlan,
    Period,
    Province,
    ReportingPeriod,
    fund_short_label,
)

S = ReportingPeriod.Status


def _period_label(period: ReportingPeriod) -> str:
    return str(Period(period.period).label)


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
            "The %(fund)s plan was approved (decision %(number)s of %(date)s); its amount changes only by a "
            "revision decision, entered under “Revise the plan” on the year-plan page."
        ) % {
            "fund": fund_short_label(plan.funding_source),
            "number": plan.decision_number or "…",
            "date": plan.approved_on.strftime("%d/%m/%Y") if plan.approved_on else "…",
        }
    return year_lock_reason(plan.province, plan.year)


def year_lock_reason(province: Province, year: int) -> str | None:
    """Plans and targets of a year are locked once any of its reports is approved."""
    return date_lock_reason(province, datetime.date(year, 1, 1))


def closing_period(province: Province, year: int) -> ReportingPeriod | None:
    """The approved full-year report that closes `year` for a record of `province`, or None.

    After the 2025 merger the new province's FY report closes its predecessors' year too.
    """
    candidates = [province.pk] + ([province.merged_into_id] if province.merged_into_id else [])
    return (
        ReportingPeriod.objects.filter(province_id__in=candidates, year=year, period=Period.FY, status=S.APPROVED)
        .select_related("province", "approved_by")
        .first()
    )


def year_closed_reason(province: Province, year: int) -> str | None:
    """Why `year` is closed for the records of `province` (its FY report approved), or None."""
    period = closing_period(province, year)
    return lock_message(period) if period else None


def project_lock_reason(project) -> str | None:
    """Why a project's province, year, fund, category and support cannot change, or None.

    They are frozen when a disbursement or an output of the project is dated in an approved report
    of its province (moving the project would move that money or output out of the report), and
    when the project's year is closed (its FY report approved: the year loses no project).
    """
    reason = year_closed_reason(project.province, project.year)
    if reason:
        return reason
    candidates = [project.province_id] + ([project.province.merged_into_id] if project.province.merged_into_id else [])
    approved = ReportingPeriod.objects.filter(province_id__in=candidates, status=S.APPROVED).select_related(
        "province", "approved_by"
    )
    for period in sorted(approved, key=lambda period: period.end_date):
        window = {"date__gte": datetime.date(period.year, 1, 1), "date__lte": period.end_date}
        if project.disbursements.filter(**window).exists() or project.outputs.filter(**window).exists():
            return lock_message(period)
    return None
