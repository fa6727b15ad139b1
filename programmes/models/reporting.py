"""Reporting periods (6 months, 9 months, the year): open → submitted → approved; an approved
report locks the records dated inside it (services.reporting).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import ScopedQuerySet, TimeStamped, year_range_check
from .geography import Province, validate_province_year


class Period(models.TextChoices):
    H1 = "H1", _("6 months")
    M9 = "9M", _("9 months")
    FY = "FY", _("Full year")


PERIOD_END = {Period.H1: (6, 30), Period.M9: (9, 30), Period.FY: (12, 31)}


def period_end(year: int, period: str) -> datetime.date:
    """The last day a reporting period covers: 30/06, 30/09 or 31/12 of `year`."""
    month, day = PERIOD_END[Period(period)]
    return datetime.date(year, month, day)


def expected_in(province: Province, year: int, period: str) -> bool:
    """Whether `province` reports `period` of `year`: it is in force on the period's last day."""
    return province.in_force_on(period_end(year, period))


class ReportingPeriod(TimeStamped):
    """A province's 6-month, 9-month or full-year report: open → submitted → approved."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="reporting_periods", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2, choices=Period.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    status_reason = models.TextField(
        _("reason for the last return or reopening"),
        blank=True,
        help_text=_("Why the report was last sent back or reopened."),
    )
    # The figures the report was approved with (selectors.report_figures.snapshot): set by
    # `services.period_approve`, cleared by `period_reopen` (the history keeps every earlier one).
    # None while the report is not approved, and for reports approved before the portal kept them.
    approved_figures = models.JSONField(
        _("figures as approved"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Plan, first-approved plan and actual per fund, targets and outputs at approval."),
    )

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "province__code", "period"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        permissions = [
            ("submit_reportingperiod", _("Can submit the province's reports")),
            ("approve_reportingperiod", _("Can approve, return or reopen reports")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "period"],
                name="reporting_period_unique",
                violation_error_message=_("This province already has this report for this year."),
            ),
            year_range_check("reporting_period"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="reporting_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.province.name} {self.year} – {self.get_period_display()}"

    @property
    def end_date(self) -> datetime.date:
        return period_end(self.year, self.period)

    def clean(self) -> None:
        province = self.province if self.province_id else None
        validate_province_year(province, self.year)
        if province is None or not self.year or self.period not in Period.values:
            return
        # In 2025 the old provinces report the first half, the new ones 9 months and the year.
        end = self.end_date
        if not province.in_force_on(end):
            raise ValidationError(
                {
                    "period": _("%(province)s did not exist on %(date)s, the end of this period.")
                    % {"province": province.name, "date": end.strftime("%d/%m/%Y")}
                }
            )
