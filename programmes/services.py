"""Write side of the programme: every change to plans, targets, projects, money and outputs.

The admin, the pages, the API and the imports all call these functions, so a rule written here
holds everywhere. Each function validates before it writes and writes inside one transaction:
on a ValidationError nothing has been saved.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.numbers import format_vnd

from . import workflow
from .models import (
    MONEY_SUM,
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    disbursement_date_check,
    output_date_check,
    signed_amount_vnd,
)
from .rules import lifecycle

S = ProjectStatus

# The lifecycle's table and sets, as the services' callers have always read them here.
PROJECT_TRANSITIONS = lifecycle.TRANSITIONS
DOCUMENT_REQUIRED = lifecycle.DOCUMENT_REQUIRED
MONEY_STATUSES = lifecycle.MONEY_STATUSES


def _status_label(status: str) -> str:
    return str(ProjectStatus(status).label)


def _today() -> datetime.date:
    return timezone.localdate()


def _by(record, user):
    """`record`, with `user` recorded as the author of the history row its next save or delete
    writes (simple-history reads the request's user only inside a web request)."""
    if user is not None and getattr(user, "is_authenticated", False):
        record._history_user = user
    return record


def _money(value: Decimal) -> str:
    return format_vnd(value, get_language())


def allowed_next_statuses(project: Project) -> list[str]:
    """The statuses `project` may move to now, in lifecycle order; empty for a closed project."""
    resumed = _status_before_suspension(project) if project.status == S.SUSPENDED else None
    return lifecycle.next_statuses(project.status, resumed_from=resumed)


def _status_before_suspension(project: Project) -> str | None:
    last = (
        project.transitions.filter(to_status=S.SUSPENDED)
        .order_by("-date", "-id")
        .values_list("from_status", flat=True)
        .first()
    )
    return last or None


def _last_transition_date(project: Project) -> datetime.date | None:
    return project.transitions.order_by("-date", "-id").values_list("date", flat=True).first()


def _check_transition(
    project: Project,
    to_status: str,
    date: datetime.date,
    document_number: str,
    previous: datetime.date | None,
) -> None:
    """Raise ValidationError (with Vietnamese messages) when the move is not allowed."""
    if to_status not in ProjectStatus.values:
        raise ValidationError({"to": _("Unknown status “%(status)s”.") % {"status": to_status}})
    allowed = allowed_next_statuses(project)
    if to_status not in allowed:
        if allowed:
            hint = _("Allowed next steps: %(steps)s.") % {"steps": ", ".join(_status_label(step) for step in allowed)}
        else:
            hint = _("The project is closed; no further step is possible.")
        raise ValidationError(
            {
                "to": _("Project %(code)s cannot go from “%(from)s” to “%(to)s”. %(hint)s")
                % {
                    "code": project.code,
                    "from": _status_label(project.status),
                    "to": _status_label(to_status),
                    "hint": hint,
                }
            }
        )
    if date > _today():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    if previous and date < previous:
        raise ValidationError(
            {
                "date": _("The date cannot be before the previous step (%(date)s).")
                % {"date": previous.strftime("%d/%m/%Y")}
            }
        )
    if to_status in DOCUMENT_REQUIRED and not document_number.strip():
        raise ValidationError(
            {
                "document_number": _("Enter the number of the decision or contract for “%(to)s”.")
                % {"to": _status_label(to_status)}
            }
        )


@transaction.atomic
def project_transition(
    *,
    project: Project,
    to_status: str,
    date: datetime.date,
    document_number: str = "",
    note: str = "",
    user=None,
) -> ProjectTransition:
    """Move `project` one step along its lifecycle and record who did it, when, under which
    document. Raises ValidationError, saving nothing, when the move or its data is not allowed."""
    given = project
    # Lock the row: two officials moving the same project at once must not both succeed.
    project = Project.objects.select_for_update().get(pk=given.pk)
    _check_transition(project, to_status, date, document_number, _last_transition_date(project))
    step = ProjectTransition.objects.create(
        project=project,
        from_status=project.status,
        to_status=to_status,
        date=date,
        document_number=document_number.strip(),
        note=note,
        user=user if user is not None and user.is_authenticated else None,
    )
    project.status = to_status
    project.status_changed_on = date
    _by(project, user).save(update_fields=["status", "status_changed_on", "updated_at"])
    given.status, given.status_changed_on = project.status, project.status_changed_on
    return step


def lifecycle_path(to_status: str) -> list[str]:
    """The shortest chain of statuses from `proposed` to `to_status`, excluding `proposed`;
    ValidationError for a code that is not a status."""
    path = lifecycle.shortest_path(S.PROPOSED, to_status)
    if path is None:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": to_status}})
    return path


def next_project_code(province: Province, year: int, funding_source: str) -> str:
    """A free code `<fund>-<year>-<province code>-<n>`, n one past the highest in use."""
    prefix = f"{funding_source}-{year}-{province.code}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def project_create(
    *,
    user=None,
    status: str = S.PROPOSED,
    status_date: datetime.date | None = None,
    step_dates: Mapping[str, datetime.date] | None = None,
    step_documents: Mapping[str, str] | None = None,
    **fields,
) -> Project:
    """Create a project, directly in any lifecycle status (for historical records).

    The steps from `proposed` to `status` are recorded as transitions, each dated from
    `step_dates` or else `status_date` (default: 1 January of the project's year, or today
    if that is earlier), with numbers from `step_documents`.
    Raises ValidationError, saving nothing, on invalid data.
    """
    step_dates = step_dates or {}
    step_documents = step_documents or {}
    project = Project(**fields)
    project.status = S.PROPOSED
    if not project.code and project.province_id and project.year and project.funding_source:
        project.code = next_project_code(project.province, project.year, project.funding_source)
    project.full_clean()
    _by(project, user).save()
    # A historical project's implied steps default to the start of its year (not today), so
    # that its money and outputs of that year come after its contract.
    default_date = status_date or min(_today(), datetime.date(project.year, 1, 1))
    for step in lifecycle_path(status):
        project_transition(
            project=project,
            to_status=step,
            date=step_dates.get(step, default_date),
            document_number=step_documents.get(step, "")
            or (f"{project.code}/{step}" if step in DOCUMENT_REQUIRED else ""),
            user=user,
        )
    project.refresh_from_db()
    return project


@transaction.atomic
def project_update(*, project: Project, user=None, **fields) -> Project:
    """Change a project's descriptive fields (not its status: that is `project_transition`).

    The support cannot drop below what has already been disbursed.
    """
    if "status" in fields:
        raise ValidationError({"status": _("Change the status through a lifecycle step.")})
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    disbursed = project_disbursed_vnd(project)
    if project.support_vnd < disbursed:
        raise ValidationError(
            {
                "support_vnd": _("The support cannot be less than the %(disbursed)s already disbursed.")
                % {"disbursed": _money(disbursed)}
            }
        )
    _by(project, user).save()
    return project


def project_disbursed_vnd(project: Project, *, exclude_pk: int | None = None) -> Decimal:
    """Net đồng disbursed to `project` (recoveries subtracted); 0 when nothing was paid."""
    queryset = Disbursement.objects.filter(project=project)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.aggregate(total=Coalesce(Sum(signed_amount_vnd()), Decimal(0), output_field=MONEY_SUM))["total"]


def disbursement_check(disbursement: Disbursement, *, others_vnd: Decimal | None = None) -> None:
    """Raise ValidationError when `disbursement` may not be recorded on its project: the date
    rules, then the net total, which must stay between 0 and the project's support.

    `others_vnd` is the net amount of the project's other disbursements; read from the
    database when None.
    """
    project = disbursement.project
    disbursement_date_check(disbursement)
    workflow.check_date_unlocked(project.province, disbursement.date)
    if disbursement.amount_vnd is None:
        return
    if others_vnd is None:
        others_vnd = project_disbursed_vnd(project, exclude_pk=disbursement.pk)
    total = others_vnd + disbursement.signed_amount_vnd
    if total < 0:
        raise ValidationError({"amount_vnd": _("The recovery is larger than what was disbursed to the project.")})
    if total > project.support_vnd:
        raise ValidationError(
            {
                "amount_vnd": _("Disbursements would total %(total)s, more than the project's support of %(support)s.")
                % {"total": _money(total), "support": _money(project.support_vnd)}
            }
        )


def output_check(output: ProjectOutput) -> None:
    """Raise ValidationError when `output` may not be recorded: the date rules and the locks."""
    output_date_check(output)
    workflow.check_date_unlocked(output.project.province, output.date)


@transaction.atomic
def disbursement_create(*, project: Project, user=None, **fields) -> Disbursement:
    """Record money paid to or returned from `project`; ValidationError and nothing saved if refused."""
    # Lock the project so that two simultaneous payments cannot both pass the support check.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    disbursement = Disbursement(project=project, **fields)
    disbursement.full_clean()
    disbursement_check(disbursement)
    _by(disbursement, user).save()
    return disbursement


@transaction.atomic
def disbursement_update(*, disbursement: Disbursement, user=None, **fields) -> Disbursement:
    """Change a recorded disbursement under the same rules as a new one."""
    Project.objects.select_for_update().filter(pk=disbursement.project_id).first()
    stored = Disbursement.objects.get(pk=disbursement.pk)
    workflow.check_date_unlocked(disbursement.project.province, stored.date)
    for name, value in fields.items():
        setattr(disbursement, name, value)
    disbursement.full_clean()
    disbursement_check(disbursement)
    _by(disbursement, user).save()
    return disbursement


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user=None) -> None:
    """Delete a disbursement unless an approved report covers it; the net total may not go negative."""
    workflow.check_date_unlocked(disbursement.project.province, disbursement.date)
    if project_disbursed_vnd(disbursement.project, exclude_pk=disbursement.pk) < 0:
        raise ValidationError(_("Deleting this payment would leave more recovered than disbursed."))
    _by(disbursement, user).delete()


@transaction.atomic
def output_create(*, project: Project, user=None, **fields) -> ProjectOutput:
    """Record an output of `project`; ValidationError and nothing saved if refused."""
    output = ProjectOutput(project=project, **fields)
    output.full_clean()
    output_check(output)
    _by(output, user).save()
    return output


@transaction.atomic
def output_update(*, output: ProjectOutput, user=None, **fields) -> ProjectOutput:
    """Change a recorded output under the same rules as a new one (its old date must be open too)."""
    stored = ProjectOutput.objects.get(pk=output.pk)
    workflow.check_date_unlocked(output.project.province, stored.date)
    for name, value in fields.items():
        setattr(output, name, value)
    output.full_clean()
    output_check(output)
    _by(output, user).save()
    return output


@transaction.atomic
def output_delete(*, output: ProjectOutput, user=None) -> None:
    """Delete an output unless an approved report covers it."""
    workflow.check_date_unlocked(output.project.province, output.date)
    _by(output, user).delete()


@transaction.atomic
def budget_plan_save(*, plan: BudgetPlan, user=None) -> BudgetPlan:
    """Validate and save `plan`; at its first approval remember the approved amount.

    Refused (ValidationError) while the stored plan is locked: submitted, approved, or covered by
    an approved report (workflow.plan_lock_reason). Status changes go through `workflow`.
    """
    plan.full_clean()  # first: a year out of range is a field error, not a lock question
    stored = BudgetPlan.objects.select_related("province").filter(pk=plan.pk).first() if plan.pk else None
    reason = workflow.plan_lock_reason(stored) if stored else workflow.year_lock_reason(plan.province, plan.year)
    if reason:
        raise ValidationError(reason, code="locked")
    if plan.status == ApprovalStatus.APPROVED and plan.original_vnd is None:
        plan.original_vnd = plan.planned_vnd
    plan.full_clean()
    _by(plan, user).save()
    return plan


@transaction.atomic
def budget_plan_delete(*, plan: BudgetPlan, user=None) -> None:
    """Delete a plan unless it is locked (submitted, approved, or its year's report approved)."""
    reason = workflow.plan_lock_reason(plan)
    if reason:
        raise ValidationError(reason, code="locked")
    _by(plan, user).delete()


@transaction.atomic
def indicator_target_save(*, target: IndicatorTarget, user=None) -> IndicatorTarget:
    """Validate and save a target; refused once a report of its year is approved (or of the year
    it was moved from)."""
    target.full_clean()  # first: a year out of range is a field error, not a lock question
    stored = IndicatorTarget.objects.select_related("province").filter(pk=target.pk).first() if target.pk else None
    for province, year in {(target.province, target.year), *([(stored.province, stored.year)] if stored else [])}:
        reason = workflow.year_lock_reason(province, year)
        if reason:
            raise ValidationError(reason, code="locked")
    target.full_clean()
    _by(target, user).save()
    return target


@transaction.atomic
def indicator_target_delete(*, target: IndicatorTarget, user=None) -> None:
    """Delete a target unless a report of its year is approved."""
    reason = workflow.year_lock_reason(target.province, target.year)
    if reason:
        raise ValidationError(reason, code="locked")
    _by(target, user).delete()


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
    from .models import validate_province_year

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
            reason = workflow.plan_lock_reason(plan)
            if reason:
                raise ValidationError({fund: reason})
            _by(plan, user).delete()
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
    targets_locked = workflow.year_lock_reason(province, year)
    for indicator, value in targets.items():
        target = existing.get(indicator.pk)
        if targets_locked and value != (target.target if target else None):
            raise ValidationError({indicator.code: targets_locked})
        if value is None:
            if target is not None:
                _by(target, user).delete()
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
        _by(target, user).save()
    return YearPlanResult(created=created, updated=updated, deleted=deleted, unchanged=unchanged)
