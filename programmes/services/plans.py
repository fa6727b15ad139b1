"""A province's year plan: budget plans and indicator targets saved one by one or as the whole
year-plan grid, and a plan's approval (draft → submitted → approved, or back to draft).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
from .support import authored, require_reason, with_reason


@transaction.atomic
def budget_plan_save(*, plan: BudgetPlan, user=None) -> BudgetPlan:
    """Validate and save `plan`; at its first approval remember the approved amount.

    Refused (ValidationError) while the stored plan is locked: submitted, approved, or covered by
    an approved report (locks.plan_lock_reason). Status changes go through `plan_submit`,
    `plan_approve` and `plan_return`.
    """
    plan.full_clean()  # first: a year out of range is a field error, not a lock question
    stored = BudgetPlan.objects.select_related("province").filter(pk=plan.pk).first() if plan.pk else None
    reason = locks.plan_lock_reason(stored) if stored else locks.year_lock_reason(plan.province, plan.year)
    if reason:
        raise ValidationError(reason, code="locked")
    if plan.status == ApprovalStatus.APPROVED and plan.original_vnd is None:
        plan.original_vnd = plan.planned_vnd
    plan.full_clean()
    authored(plan, user).save()
    return plan


@transaction.atomic
def budget_plan_delete(*, plan: BudgetPlan, user=None) -> None:
    """Delete a plan unless it is locked (submitted, approved, or its year's report approved)."""
    reason = locks.plan_lock_reason(plan)
    if reason:
        raise ValidationError(reason, code="locked")
    authored(plan, user).delete()


@transaction.atomic
def indicator_target_save(*, target: IndicatorTarget, user=None) -> IndicatorTarget:
    """Validate and save a target; refused once a report of its year is approved (or of the year
    it was moved from)."""
    target.full_clean()  # first: a year out of range is a field error, not a lock question
    stored = IndicatorTarget.objects.select_related("province").filter(pk=target.pk).first() if target.pk else None
    for province, year in {(target.province, target.year), *([(stored.province, stored.year)] if stored else [])}:
        reason = locks.year_lock_reason(province, year)
        if reason:
            raise ValidationError(reason, code="locked")
    target.full_clean()
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

    Two first saves of a year plan at the same moment get the answers of two saves one after the
    other (the second finds the first's records): on PostgreSQL the province's row is locked
    first, so the second waits for the first; should an insert still meet a record inserted
    meanwhile (the unique constraints' IntegrityError), the save is run once more.
    """
    arguments = {"province": province, "year": year, "amounts_vnd": amounts_vnd, "targets": targets, "user": user}
    try:
        return _year_plan_save(**arguments)
    except IntegrityError:
        # Rolled back to before the look-ups: the records the other request inserted are there now.
        return _year_plan_save(**arguments)


def _stored_plans(province: Province, year: int) -> dict[str, BudgetPlan]:
    return {
        plan.funding_source: plan
        for plan in BudgetPlan.objects.filter(province=province, year=year).select_related("province")
    }


@transaction.atomic
def _year_plan_save(*, province, year, amounts_vnd, targets, user) -> YearPlanResult:
    validate_province_year(province, year)
    # Serialises saves of the province's plans before they are read (no_key: inserts of rows that
    # refer to the province are not held up); SQLite serialises writes by itself.
    Province.objects.select_for_update(no_key=True).only("pk").get(pk=province.pk)
    created = updated = deleted = unchanged = 0
    plans = _stored_plans(province, year)
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
    return plan
