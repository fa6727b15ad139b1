"""The reporting calendar: the programme's yearly deadlines (docs/reference/domain.md §3, §4) as
data with defaults, which the administrator edits. The start pages, the reports' due dates and
the reminders read them through `selectors.calendar.ReportingCalendar`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .reporting import Period


class DeadlineCode(models.TextChoices):
    """The deadlines of a year, in the order of the year they concern."""

    REPORT_Q1 = "report_q1", _("First-quarter report")
    PROPOSALS = "proposals", _("Project proposals for next year")
    APPRAISALS = "appraisals", _("Base-level appraisals sent to the ministry")
    REPORT_H1 = "report_h1", _("6-month report")
    CONTRACTS = "contracts", _("Contracts of the year's approved projects")
    REPORT_9M = "report_9m", _("9-month report")
    REPORT_FY = "report_fy", _("Annual report")
    SETTLEMENT = "settlement", _("Liquidation and settlement of the year's projects")


# The period a report deadline belongs to; the first quarter is reported outside the portal's
# approval workflow (its figures are the dashboard's up to 31/03), so it has no Period.
REPORT_PERIODS = {
    DeadlineCode.REPORT_H1: Period.H1,
    DeadlineCode.REPORT_9M: Period.M9,
    DeadlineCode.REPORT_FY: Period.FY,
}
PERIOD_DEADLINES = {period: code for code, period in REPORT_PERIODS.items()}

# The last day a report covers, as (month, day) of the year it concerns.
COVERS_TO = {
    DeadlineCode.REPORT_Q1: (3, 31),
    DeadlineCode.REPORT_H1: (6, 30),
    DeadlineCode.REPORT_9M: (9, 30),
    DeadlineCode.REPORT_FY: (12, 31),
}


class DeadlineDefault:
    """A deadline's built-in date: (month, day), in the year it concerns or the next one."""

    def __init__(self, month: int, day: int, *, following_year: bool = False, remind_days: int = 7):
        self.month, self.day, self.following_year, self.remind_days = month, day, following_year, remind_days


# The reports are due 15 days after their period ends (selectors.figures.DEFAULT_REPORT_DELAY_DAYS,
# the rule before the calendar existed); the others are the dates of TT 36/2013 (domain.md §3).
DEFAULTS = {
    DeadlineCode.REPORT_Q1: DeadlineDefault(4, 15),
    DeadlineCode.PROPOSALS: DeadlineDefault(5, 20),
    DeadlineCode.APPRAISALS: DeadlineDefault(6, 15),
    DeadlineCode.REPORT_H1: DeadlineDefault(7, 15),
    DeadlineCode.CONTRACTS: DeadlineDefault(6, 30),
    DeadlineCode.REPORT_9M: DeadlineDefault(10, 15),
    DeadlineCode.REPORT_FY: DeadlineDefault(1, 15, following_year=True),
    DeadlineCode.SETTLEMENT: DeadlineDefault(1, 22, following_year=True),
}


class Deadline(models.Model):
    """One deadline of the programme's year: its day and month, and whether it falls in the
    year after the one it concerns (the annual report, the settlement of 22 January)."""

    code = models.CharField(_("deadline"), max_length=16, choices=DeadlineCode.choices, unique=True)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    following_year = models.BooleanField(
        _("in the following year"),
        default=False,
        help_text=_("Ticked when the deadline falls in the year after the one it concerns (e.g. 22/01 of year N+1)."),
    )
    remind_days = models.PositiveSmallIntegerField(
        _("reminder (days before)"),
        default=7,
        help_text=_("How many days before the deadline the province's staff are reminded by the portal."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown on the calendar page, e.g. the legal basis."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("deadline")
        verbose_name_plural = _("reporting calendar")
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="deadline_month_valid"),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="deadline_day_valid"),
            models.CheckConstraint(condition=Q(remind_days__lte=60), name="deadline_remind_days_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.day:02d}/{self.month:02d})"

    def clean(self) -> None:
        if not (self.month and self.day):
            return
        try:
            # A non-leap year: a deadline must exist in every year, so 29/02 is refused.
            datetime.date(2023, self.month, self.day)
        except ValueError:
            raise ValidationError(
                {
                    "day": _("Day %(day)s does not exist in month %(month)s of every year.")
                    % {"month": self.month, "day": self.day}
                }
            ) from None
