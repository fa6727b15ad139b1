"""A province's year plan: budget plans and indicator targets saved one by one or as the whole
year-plan grid, and a plan's approval (draft → submitted → approved, or back to draft).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    ApprovalStatus,
    BudgetPlan,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Province,
    validate_province_year,
)
from ..selectors import locks
from .notifications import notify_plan_event
from .support import authored, require_reason, with_reason


def _stored_and_new_year_locks(record, stored) -> None:
    """Refuse (ValidationError, code "locked") when an approved report locks the year of
    `record` or, for a stored record, the year and province it is moved from."""
    places = {(record.province, record.year)}
    if stored is not None:
        places.add((stored.province, stored.year))
    for province, year in sorted(places, key=lambda place: (place[0].pk, place[1])):
        reason = locks.year_lock_reason(province, year)
        if reason:
            raise ValidationError(reason, code="locked")


def budget_plan_check(plan: BudgetPlan) -> None:
    """Raise ValidationError when `plan` may not be saved: the stored plan is locked
    (submitted, approved, its year's report approved: locks.plan_lock_reason), or the year it
    is moved into is locked. The admin's form asks this too, so the refusal lands on the form."""
    stored = BudgetPlan.objects.select_related("province").filter(pk=plan.pk).first() if plan.pk else None
    reason = locks.plan_lock_reason(stored) if stored else None
    if reason:
        raise ValidationError(reason, code="locked")
    _stored_and_new_year_locks(plan, stored)


@transaction.atomic
def budget_plan_save(*, plan: BudgetPlan, user=None) -> BudgetPlan:
    """Validate and save `plan`; at its first approval remember the approved amount.

    Refused (ValidationError) by `budget_plan_check`. Status changes go through `plan_submit`,
    `plan_approve` and `plan_return`.
    """
    plan.full_clean()  # first: a year out of range is a field error, not a lock question
    budget_plan_check(plan)
    if plan.status == ApprovalStatus.APPROVED and plan.original_vnd is None:
        plan.original_vnd = plan.planned_vnd
    authored(plan, user).save()
    return plan


@transaction.atomic
def budget_plan_delete(*, plan: BudgetPlan, user=None) -> None:
    """Delete a plan unless it is locked (submitted, approved, or its year's report approved)."""
    reason = locks.plan_lock_reason(plan)
    if reason:
        raise ValidationError(reason, code="locked")
    authored(plan, user).delete()


def indicator_target_check(target: IndicatorTarget) -> None:
    """Raise ValidationError when an approved report locks the target's year, or the year
    and province a stored target is moved from."""
    stored = IndicatorTarget.objects.select_related("province").filter(pk=target.pk).first() if target.pk else None
    _stored_and_new_year_locks(target, stored)


@transaction.atomic
def indicator_target_save(*, target: IndicatorTarget, user=None) -> IndicatorTarget:
    """Validate and save a target; refused by `indicator_target_check` once a report of its
    year is approved (or of the year it was moved from)."""
    target.full_clean()  # first: a year out of range is a field error, not a lock question
    indicator_target_check(target)
    authored(target, user).save()
    return target


@transaction.atomic
def indicator_target_delete(*, target: IndicatorTarget, user=None) -> None:
    """Delete a target unless a report of its year is approved."""
    reason = locks.year_lock_reason(target.province, target.year)
    if reason:
        raise ValidationError(reason, code="locked")
    authored(target, user).delete()


@dataclass(frozen=True)
class YearPlanResult:
    """What `year_plan_save` changed, for the message shown to the user."""

    created: int
    updated: int
    deleted: int
    unchanged: int


@transaction.atomic
def year_plan_save(
    *,
    province: Province,
    year: int,
    amounts_vnd: Mapping[str, Decimal | None],
    targets: Mapping[Indicator, int | None],
    user=None,
) -> YearPlanResult:
    """Save a province's whole year plan at once: planned đồng per fund, a target per indicator.

    A None amount or target removes that record; an approved plan cannot be removed. Existing
    approved plans keep their status and first approved amount. All or nothing: on a
    ValidationError (keyed by fund code or indicator code) no record has changed.
    """
    validate_province_year(province, year)
    created = updated = deleted = unchanged = 0
    plans = {
        plan.funding_source: plan
        for plan in BudgetPlan.objects.filter(province=province, year=year).select_related("province")
    }
    for fund in FundingSource.values:
        amount = amounts_vnd.get(fund)
        plan = plans.get(fund)
        if amount is None:
            if plan is None:
                continue
            if plan.status == ApprovalStatus.APPROVED:
                raise ValidationError({fund: _("The approved plan cannot be removed; enter its amount.")})
            reason = locks.plan_lock_reason(plan)
            if reason:
                raise ValidationError({fund: reason})
            authored(plan, user).delete()
            deleted += 1
            continue
        if plan is None:
            plan = BudgetPlan(province=province, year=year, funding_source=fund, planned_vnd=amount)
            created += 1
        elif plan.planned_vnd == amount:
            unchanged += 1
            continue
        else:
            plan.planned_vnd = amount
            updated += 1
        try:
            budget_plan_save(plan=plan, user=user)
        except ValidationError as error:
            raise ValidationError({fund: error.messages}) from None
    existing = {
        target.indicator_id: target
        for target in IndicatorTarget.objects.filter(province=province, year=year).select_related(
            "province", "indicator"
        )
    }
    targets_locked = locks.year_lock_reason(province, year)
    for indicator, value in targets.items():
        target = existing.get(indicator.pk)
        if targets_locked and value != (target.target if target else None):
            raise ValidationError({indicator.code: targets_locked})
        if value is None:
            if target is not None:
                authored(target, user).delete()
                deleted += 1
            continue
        if target is None:
            target = IndicatorTarget(province=province, year=year, indicator=indicator, target=value)
            created += 1
        elif target.target == value:
            unchanged += 1
            continue
        else:
            target.target = value
            updated += 1
        try:
            target.full_clean()
        except ValidationError as error:
            raise ValidationError({indicator.code: error.messages}) from None
        authored(target, user).save()
    return YearPlanResult(created=created, updated=updated, deleted=deleted, unchanged=unchanged)


def _check_year_open(plan: BudgetPlan) -> None:
    """A plan's status does not change once a report of its year is approved."""
    reason = locks.year_lock_reason(plan.province, plan.year)
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
    with_reason(plan, "", user).save()
    notify_plan_event(plan=plan, event="submitted", actor=user)
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
    with_reason(plan, "", user).save()
    notify_plan_event(plan=plan, event="approved", actor=user)
    return plan


@transaction.atomic
def plan_return(*, plan: BudgetPlan, user, reason: str) -> BudgetPlan:
    """Send a submitted or approved plan back to draft (for correction or revision) with a reason."""
    reason = require_reason(reason)
    plan = BudgetPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _check_year_open(plan)
    if plan.status == ApprovalStatus.DRAFT:
        raise ValidationError(_("The plan is already a draft."), code="status")
    plan.status = ApprovalStatus.DRAFT
    plan.status_reason = reason
    with_reason(plan, reason, user).save()
    notify_plan_event(plan=plan, event="returned", actor=user, reason=reason)
    return plan
