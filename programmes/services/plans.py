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
from django.utils.translation import gettext_lazy

from common.numbers import MAX_AMOUNT_VND, exceeds_max_amount

from ..models import (
    ApprovalStatus,
    BudgetPlan,
    FundingSource,
    Indicator,
    IndicatorTarget,
    PlanRevision,
    Province,
    validate_province_year,
)
from ..selectors import locks
from .notifications import notify_plan_event, notify_plan_revised
from .support import authored, money_text, require_reason, today, with_reason

# The refusals of a revision, named so that the pages, the API and the tests say the same thing.
REVISE_NOT_APPROVED = gettext_lazy(
    "Only an approved plan can be revised by decision; a draft or submitted plan is corrected directly."
)
REVISE_SAME_AMOUNT = gettext_lazy("The revised amount is the plan's current amount; nothing to revise.")
REVISE_AMOUNT_INVALID = gettext_lazy("Enter the revised amount as a whole, non-negative number of đồng.")
REVISE_AMOUNT_TOO_LARGE = gettext_lazy("The amount cannot exceed %(max)s.")
REVISE_DECISION_REQUIRED = gettext_lazy("Enter the number of the revision decision.")
REVISE_DATE_BEFORE_APPROVAL = gettext_lazy(
    "The revision decision cannot be dated before the plan's approval (%(date)s)."
)
REVISE_DATE_IN_FUTURE = gettext_lazy("The revision decision cannot be dated in the future.")
REVISE_DATE_OUTSIDE_YEAR = gettext_lazy("A revision of the %(year)s plan is decided within %(year)s.")
REVISE_YEAR_CLOSED = gettext_lazy(
    "The year is closed: %(lock)s A plan is no longer revised once the year's full-year report is approved."
)
REVISION_HISTORY_REASON = gettext_lazy("Revised under decision %(number)s of %(date)s: %(from)s → %(to)s. %(reason)s")


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


def _to_draft(plan: BudgetPlan, *, expected: str, refusal: str, user, reason: str, event: str) -> BudgetPlan:
    reason = require_reason(reason)
    plan = BudgetPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _check_year_open(plan)
    if plan.status != expected:
        raise ValidationError(refusal, code="status")
    plan.status = ApprovalStatus.DRAFT
    plan.status_reason = reason
    with_reason(plan, reason, user).save()
    notify_plan_event(plan=plan, event=event, actor=user, reason=reason)
    return plan


@transaction.atomic
def plan_send_back(*, plan: BudgetPlan, user, reason: str) -> BudgetPlan:
    """Send a submitted plan back to the province (draft) for correction, with a required reason."""
    return _to_draft(
        plan,
        expected=ApprovalStatus.SUBMITTED,
        refusal=_("Only a submitted plan can be sent back."),
        user=user,
        reason=reason,
        event="returned",
    )


@transaction.atomic
def plan_reopen(*, plan: BudgetPlan, user, reason: str) -> BudgetPlan:
    """Reopen an approved plan (back to draft, its first-approved amount and revisions kept), with a
    required reason. Refused once a report of its year is approved: the plan is then changed by
    revision (`budget_plan_revise`)."""
    return _to_draft(
        plan,
        expected=ApprovalStatus.APPROVED,
        refusal=_("Only an approved plan can be reopened."),
        user=user,
        reason=reason,
        event="reopened",
    )


@transaction.atomic
def plan_return(*, plan: BudgetPlan, user, reason: str) -> BudgetPlan:
    """Send a submitted plan back or reopen an approved one (`plan_send_back`, `plan_reopen`):
    the pages' one "return" step, kept under its old name."""
    stored = BudgetPlan.objects.only("status").get(pk=plan.pk)
    if stored.status == ApprovalStatus.DRAFT:
        require_reason(reason)
        raise ValidationError(_("The plan is already a draft."), code="status")
    if stored.status == ApprovalStatus.SUBMITTED:
        return plan_send_back(plan=plan, user=user, reason=reason)
    return plan_reopen(plan=plan, user=user, reason=reason)


@transaction.atomic
def budget_plan_revise(
    *,
    plan: BudgetPlan,
    planned_vnd: Decimal,
    decision_number: str,
    decided_on: datetime.date,
    reason: str,
    user=None,
) -> PlanRevision:
    """Revise an approved plan by a decision (a supplementary allocation, a cut): the plan's
    `planned_vnd` becomes `planned_vnd`, its `original_vnd` never changes, a `PlanRevision` row and
    the plan's history row (reason "Revised under decision … of …") are written, all at once.

    Allowed while the year is open: the lock an approved 6- or 9-month report puts on the year's
    plans gives way to a revision, and only to it; an approved FY report of the plan's province (or
    of the province it became part of) closes the year. Refused (ValidationError keyed by field,
    saving nothing): a plan not approved; an amount not whole, negative, above the maximum or equal
    to the current one; no decision number or reason; a decision dated before the approval, in the
    future or outside the plan year.
    """
    reason = require_reason(reason)
    plan = BudgetPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    if plan.status != ApprovalStatus.APPROVED:
        raise ValidationError(REVISE_NOT_APPROVED, code="status")
    closed = locks.year_closed_reason(plan.province, plan.year)
    if closed:
        raise ValidationError(REVISE_YEAR_CLOSED % {"lock": closed}, code="locked")
    errors: dict[str, str] = {}
    try:
        amount = Decimal(planned_vnd)
    except (ArithmeticError, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount != amount.to_integral_value():
        errors["planned_vnd"] = REVISE_AMOUNT_INVALID
    elif exceeds_max_amount(amount):
        errors["planned_vnd"] = REVISE_AMOUNT_TOO_LARGE % {"max": money_text(Decimal(MAX_AMOUNT_VND))}
    elif amount == plan.planned_vnd:
        errors["planned_vnd"] = REVISE_SAME_AMOUNT
    decision_number = (decision_number or "").strip()
    if not decision_number:
        errors["decision_number"] = REVISE_DECISION_REQUIRED
    if not isinstance(decided_on, datetime.date):
        errors["decided_on"] = _("Enter the date of the revision decision.")
    elif plan.approved_on and decided_on < plan.approved_on:
        errors["decided_on"] = REVISE_DATE_BEFORE_APPROVAL % {"date": plan.approved_on.strftime("%d/%m/%Y")}
    elif decided_on > today():
        errors["decided_on"] = REVISE_DATE_IN_FUTURE
    elif decided_on.year != plan.year:
        # A plan approved in December of the year before is revised within its own year: a
        # decision of the next year concerns the next year's plan.
        errors["decided_on"] = REVISE_DATE_OUTSIDE_YEAR % {"year": plan.year}
    if errors:
        raise ValidationError(errors)
    revision = PlanRevision(
        plan=plan,
        from_vnd=plan.planned_vnd,
        to_vnd=amount,
        decision_number=decision_number,
        decided_on=decided_on,
        reason=reason,
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    revision.full_clean()
    authored(revision, user).save()
    history_reason = REVISION_HISTORY_REASON % {
        "number": decision_number,
        "date": decided_on.strftime("%d/%m/%Y"),
        "from": money_text(plan.planned_vnd),
        "to": money_text(amount),
        "reason": reason,
    }
    plan.planned_vnd = amount
    plan.full_clean()
    with_reason(plan, history_reason, user).save()
    notify_plan_revised(plan=plan, actor=user, reason=reason)
    return revision
