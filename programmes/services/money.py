"""Money paid to projects and their outputs: each one checked against its project's contract,
its support and the approved reports that lock its date, then saved.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

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
    locks.check_date_unlocked(project.province, disbursement.date)
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
                % {"total": money_text(total), "support": money_text(project.support_vnd)}
            }
        )


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
    if project_disbursed_vnd(disbursement.project, exclude_pk=disbursement.pk) < 0:
        raise ValidationError(_("Deleting this payment would leave more recovered than disbursed."))
    authored(disbursement, user).delete()


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
