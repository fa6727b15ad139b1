"""Disbursements (giải ngân) and outputs, and the row-level rule on their dates (rules.activity):
a signed contract, a day between it and today, and after a stop only recoveries.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import CountField, MoneyField
from ..rules import activity, lifecycle
from .base import ScopedQuerySet, TimeStamped, whole_non_negative_vnd_check
from .projects import Project, ProjectStatus
from .reference import Indicator
from .sums import DisbursementKind


class Disbursement(TimeStamped):
    """Giải ngân: money paid to (or, for a recovery, returned from) a project.

    `amount_vnd` is always non-negative; a recovery counts negative in every total.
    """

    # PROTECT: deleting a project must not silently erase the money paid to it.
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("project")
    )
    date = models.DateField(_("date"))
    amount_vnd = MoneyField(_("amount (đồng)"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=DisbursementKind.choices, default=DisbursementKind.PAYMENT
    )
    document_number = models.CharField(_("voucher number"), max_length=128, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    province_lookup = "project__province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["project", "date", "id"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            whole_non_negative_vnd_check("disbursement", "amount_vnd"),
            models.CheckConstraint(
                condition=Q(amount_vnd__gt=0),
                name="disbursement_amount_positive",
                violation_error_message=_("A disbursement must be more than 0 đồng."),
            ),
            models.CheckConstraint(condition=Q(kind__in=DisbursementKind.values), name="disbursement_kind_valid"),
        ]
        indexes = [
            # Summaries sum disbursements of a year's projects up to a cut-off date.
            models.Index(fields=["project", "date"], name="disbursement_project_date"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.date:%d/%m/%Y} {self.get_kind_display()}"

    @property
    def signed_amount_vnd(self) -> Decimal:
        """The amount as it counts in totals: negative for a recovery."""
        return -self.amount_vnd if self.kind == DisbursementKind.RECOVERY else self.amount_vnd

    def clean(self) -> None:
        if not self.project_id or self.date is None:
            return
        disbursement_date_check(self)


ACTIVITY_REFUSALS = {
    activity.NOT_CONTRACTED: _(
        "Project %(code)s is “%(status)s”: %(what)s can only be recorded once the contract is signed."
    ),
    activity.NO_CONTRACT_STEP: _("Project %(code)s has no contract step recorded: record it before %(what)s."),
}


def activity_date_check(project: Project, day: datetime.date, what: str) -> None:
    """Money and outputs need a signed contract and a date between it and today (rules.activity):
    ValidationError with the reason otherwise. `what` names the records, in the user's language."""
    signed_on = project.contract_date() if project.status in lifecycle.MONEY_STATUSES else None
    refusal = activity.activity_date_refusal(
        status=project.status, contract_date=signed_on, day=day, today=timezone.localdate()
    )
    if refusal in ACTIVITY_REFUSALS:
        raise ValidationError(
            ACTIVITY_REFUSALS[refusal]
            % {"code": project.code, "status": ProjectStatus(project.status).label, "what": what}
        )
    if refusal == activity.BEFORE_CONTRACT:
        raise ValidationError(
            {
                "date": _("The date is before the contract was signed (%(date)s).")
                % {"date": signed_on.strftime("%d/%m/%Y")}
            }
        )
    if refusal == activity.IN_FUTURE:
        raise ValidationError({"date": _("The date cannot be in the future.")})


def disbursement_date_check(disbursement: Disbursement) -> None:
    """Raise ValidationError when the project's status or contract date forbids this disbursement.

    The row-level rule (used by `Disbursement.clean`); the total is checked by
    `services.disbursement_check`, because a form set changes several rows at once.
    """
    project = disbursement.project
    activity_date_check(project, disbursement.date, _("disbursements"))
    if activity.payment_after_stop(
        status=project.status,
        status_changed_on=project.status_changed_on,
        day=disbursement.date,
        is_recovery=disbursement.kind == DisbursementKind.RECOVERY,
    ):
        raise ValidationError(
            {
                "kind": _("The project is “%(status)s” since %(date)s: only recoveries can be recorded after that.")
                % {
                    "status": ProjectStatus(project.status).label,
                    "date": project.status_changed_on.strftime("%d/%m/%Y"),
                }
            }
        )


def output_date_check(output: "ProjectOutput") -> None:
    """The row-level rule (used by `ProjectOutput.clean`): a signed contract and a sensible date."""
    activity_date_check(output.project, output.date, _("outputs"))


class ProjectOutput(TimeStamped):
    """An output achieved by a project: so many workers trained, models built… on a date."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="outputs", verbose_name=_("project"))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="outputs", verbose_name=_("indicator")
    )
    date = models.DateField(_("date"))
    value = CountField(_("value"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    province_lookup = "project__province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["project", "date", "id"]
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="project_output_value_positive",
                violation_error_message=_("An output must be more than 0."),
            ),
        ]
        indexes = [models.Index(fields=["project", "date"], name="output_project_date")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.indicator.name}: {self.value}"

    def clean(self) -> None:
        if not self.project_id or self.date is None:
            return
        output_date_check(self)
