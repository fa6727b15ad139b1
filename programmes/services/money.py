"""Money paid to projects and their outputs: each one checked against its project's contract,
its support and the approved reports that lock its date, then saved.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from ..models import (
    MONEY_SUM,
    Disbursement,
    Project,
    ProjectOutput,
    disbursement_date_check,
    output_date_check,
    signed_amount_vnd,
)
from ..selectors import locks
from .support import authored, money_text

# The refusals of the project's net total, as the admin, the API and the tests name them. A row
# alone is told about its amount; rows saved together (the project page's inline rows) about
# their sum; a deletion about what it would leave.
RECOVERY_TOO_LARGE = gettext_lazy("The recovery is larger than what was disbursed to the project.")
OVER_SUPPORT = gettext_lazy("Disbursements would total %(total)s, more than the project's support of %(support)s.")
ROWS_OVER_SUPPORT = gettext_lazy(
    "Together these rows bring the project's disbursements to %(total)s, more than its support "
    "of %(support)s. Nothing was saved."
)
ROWS_RECOVER_MORE = gettext_lazy(
    "Together these rows return %(recovered)s more than was disbursed to the project. Nothing was saved."
)
DELETE_LEAVES_MORE_RECOVERED = gettext_lazy("Deleting this payment would leave more recovered than disbursed.")


def net_total_check(project: Project, total_vnd: Decimal, *, together: bool = False) -> None:
    """The one rule of a project's money: its net disbursed total (recoveries subtracted) stays
    between 0 and its support. Raise ValidationError (a plain message) when `total_vnd` does
    not; `together` words the message for several rows saved at once."""
    if total_vnd < 0:
        raise ValidationError(
            ROWS_RECOVER_MORE % {"recovered": money_text(-total_vnd)} if together else str(RECOVERY_TOO_LARGE),
            code="recovered_too_much",
        )
    if total_vnd > project.support_vnd:
        template = ROWS_OVER_SUPPORT if together else OVER_SUPPORT
        raise ValidationError(
            template % {"total": money_text(total_vnd), "support": money_text(project.support_vnd)},
            code="over_support",
        )


def project_disbursed_vnd(
    project: Project, *, exclude_pk: int | None = None, exclude_pks: Iterable[int] = ()
) -> Decimal:
    """Net đồng disbursed to `project` (recoveries subtracted), leaving out the rows `exclude_pk`
    and `exclude_pks`; 0 when nothing was paid."""
    excluded = {*exclude_pks, *([exclude_pk] if exclude_pk else [])}
    queryset = Disbursement.objects.filter(project=project)
    if excluded:
        queryset = queryset.exclude(pk__in=excluded)
    return queryset.aggregate(total=Coalesce(Sum(signed_amount_vnd()), Decimal(0), output_field=MONEY_SUM))["total"]


def disbursement_check(disbursement: Disbursement, *, others_vnd: Decimal | None = None) -> None:
    """Raise ValidationError when `disbursement` may not be recorded on its project: the date
    rules, then the net total, which must stay between 0 and the project's support.

    `others_vnd` is the net amount of the project's other disbursements; read from the
    database when None.
    """
    project = disbursement.project
    disbursement_date_check(disbursement)
    locks.check_date_unlocked(project.province, disbursement.date)
    if disbursement.amount_vnd is None:
        return
    if others_vnd is None:
        others_vnd = project_disbursed_vnd(project, exclude_pk=disbursement.pk)
    try:
        net_total_check(project, others_vnd + disbursement.signed_amount_vnd)
    except ValidationError as error:
        raise ValidationError({"amount_vnd": error.messages}) from None


def output_check(output: ProjectOutput) -> None:
    """Raise ValidationError when `output` may not be recorded: the date rules and the locks."""
    output_date_check(output)
    locks.check_date_unlocked(output.project.province, output.date)


@transaction.atomic
def disbursement_create(*, project: Project, user=None, **fields) -> Disbursement:
    """Record money paid to or returned from `project`; ValidationError and nothing saved if refused."""
    # Lock the project so that two simultaneous payments cannot both pass the support check.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    disbursement = Disbursement(project=project, **fields)
    disbursement.full_clean()
    disbursement_check(disbursement)
    authored(disbursement, user).save()
    return disbursement


@transaction.atomic
def disbursement_update(*, disbursement: Disbursement, user=None, **fields) -> Disbursement:
    """Change a recorded disbursement under the same rules as a new one."""
    Project.objects.select_for_update().filter(pk=disbursement.project_id).first()
    stored = Disbursement.objects.get(pk=disbursement.pk)
    locks.check_date_unlocked(disbursement.project.province, stored.date)
    for name, value in fields.items():
        setattr(disbursement, name, value)
    disbursement.full_clean()
    disbursement_check(disbursement)
    authored(disbursement, user).save()
    return disbursement


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user=None) -> None:
    """Delete a disbursement unless an approved report covers it; the net total may not go negative."""
    locks.check_date_unlocked(disbursement.project.province, disbursement.date)
    Project.objects.select_for_update().filter(pk=disbursement.project_id).first()
    if project_disbursed_vnd(disbursement.project, exclude_pk=disbursement.pk) < 0:
        raise ValidationError(str(DELETE_LEAVES_MORE_RECOVERED), code="recovered_too_much")
    authored(disbursement, user).delete()


@transaction.atomic
def disbursements_save(
    *, project: Project, rows: Sequence[Disbursement], deleted: Sequence[Disbursement], user=None
) -> None:
    """Save new and changed disbursements of `project` and delete others, as one change (the
    project page's rows): each row under the date rules and the locks (a changed or deleted
    row's stored date too), and the project's net total as it stands after all of them
    within 0…support (`net_total_check`, worded for rows together). ValidationError, and
    nothing saved, when refused."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    touched = {row.pk for row in (*rows, *deleted) if row.pk}
    stored = {row.pk: row.date for row in Disbursement.objects.filter(pk__in=touched)}
    for row in deleted:
        locks.check_date_unlocked(project.province, stored[row.pk])
    for row in rows:
        if row.pk in stored:
            locks.check_date_unlocked(project.province, stored[row.pk])
        row.full_clean()
        disbursement_date_check(row)
        locks.check_date_unlocked(project.province, row.date)
    total = project_disbursed_vnd(project, exclude_pks=touched)
    net_total_check(project, total + sum((row.signed_amount_vnd for row in rows), Decimal(0)), together=True)
    for row in deleted:
        authored(row, user).delete()
    for row in rows:
        authored(row, user).save()


@transaction.atomic
def output_create(*, project: Project, user=None, **fields) -> ProjectOutput:
    """Record an output of `project`; ValidationError and nothing saved if refused."""
    output = ProjectOutput(project=project, **fields)
    output.full_clean()
    output_check(output)
    authored(output, user).save()
    return output


@transaction.atomic
def output_update(*, output: ProjectOutput, user=None, **fields) -> ProjectOutput:
    """Change a recorded output under the same rules as a new one (its old date must be open too)."""
    stored = ProjectOutput.objects.get(pk=output.pk)
    locks.check_date_unlocked(output.project.province, stored.date)
    for name, value in fields.items():
        setattr(output, name, value)
    output.full_clean()
    output_check(output)
    authored(output, user).save()
    return output


@transaction.atomic
def output_delete(*, output: ProjectOutput, user=None) -> None:
    """Delete an output unless an approved report covers it."""
    locks.check_date_unlocked(output.project.province, output.date)
    authored(output, user).delete()


@transaction.atomic
def outputs_save(
    *, project: Project, rows: Sequence[ProjectOutput], deleted: Sequence[ProjectOutput], user=None
) -> None:
    """Save new and changed outputs of `project` and delete others, as one change: each under
    the date rules and the locks (a changed or deleted row's stored date too). ValidationError,
    and nothing saved, when refused."""
    touched = {row.pk for row in (*rows, *deleted) if row.pk}
    stored = {row.pk: row.date for row in ProjectOutput.objects.filter(pk__in=touched)}
    for row in deleted:
        locks.check_date_unlocked(project.province, stored[row.pk])
    for row in rows:
        if row.pk in stored:
            locks.check_date_unlocked(project.province, stored[row.pk])
        row.full_clean()
        output_check(row)
    for row in deleted:
        authored(row, user).delete()
    for row in rows:
        authored(row, user).save()
