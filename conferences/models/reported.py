"""What a conference's report quoted, kept beside the portal's own figures (ReportedFigure)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programmes.models import Indicator

from .conferences import Conference


class ReportedFigure(models.Model):
    """A figure the conference's report quoted, as printed, to be shown beside the portal's.

    Published regional figures are rounded ("gần 128 tỷ") and sometimes disagree with themselves;
    keeping what was said lets the page and the briefing show the difference instead of quietly
    replacing one with the other. `value` is in the figure's unit: whole đồng for amounts, a
    percentage for ratios (19.2 for 19,2 %), a count for outputs and approved plans.
    """

    class Figure(models.TextChoices):
        ORIGINAL_PLAN = "original_plan_vnd", _("First-approved plan (đồng)")
        PLAN = "plan_vnd", _("Plan as revised (đồng)")
        ACTUAL = "actual_vnd", _("Disbursed (đồng)")
        COMPLETION = "completion_pct", _("Completion of the plan as revised (%)")
        PLAN_GROWTH = "plan_growth_pct", _("Growth of the first-approved plan (%)")
        PLAN_SHARE = "plan_share_pct", _("Share of the national plan (%)")
        ACTUAL_SHARE = "actual_share_pct", _("Share of national disbursement (%)")
        OUTPUT = "output", _("Output of an indicator")
        OUTPUT_COMPLETION = "output_completion_pct", _("Completion of an indicator's target (%)")
        PLANS_APPROVED = "plans_approved", _("Provinces with an approved plan")

    class Year(models.TextChoices):
        PREVIOUS = "previous", _("The previous year, in full")
        CURRENT = "current", _("The conference's year, to the briefing's cut-off")

    class Fund(models.TextChoices):
        TOTAL = "total", _("Both funds")
        KCQG = "KCQG", _("National fund (KCQG)")
        KCDP = "KCDP", _("Local fund (KCĐP)")

    FUND_FIGURES = frozenset(
        {
            Figure.ORIGINAL_PLAN,
            Figure.PLAN,
            Figure.ACTUAL,
            Figure.COMPLETION,
            Figure.PLAN_GROWTH,
            Figure.PLAN_SHARE,
            Figure.ACTUAL_SHARE,
            Figure.PLANS_APPROVED,
        }
    )
    INDICATOR_FIGURES = frozenset({Figure.OUTPUT, Figure.OUTPUT_COMPLETION})

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="reported_figures", verbose_name=_("conference")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    figure = models.CharField(_("figure"), max_length=32, choices=Figure.choices)
    year = models.CharField(_("year of the figure"), max_length=8, choices=Year.choices, default=Year.CURRENT)
    fund = models.CharField(_("fund"), max_length=8, choices=Fund.choices, blank=True)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("indicator")
    )
    value = models.DecimalField(
        _("value"),
        max_digits=20,
        decimal_places=2,
        help_text=_("In the figure's unit: đồng, a percentage (19.2) or a count."),
    )
    quoted_as = models.CharField(
        _("as printed"), max_length=255, blank=True, help_text=_("The words of the report, e.g. “gần 128 tỷ đồng”.")
    )
    source = models.CharField(_("source"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["conference", "order", "id"]
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        constraints = [
            models.CheckConstraint(
                condition=~Q(figure__in=["output", "output_completion_pct"]) | Q(indicator__isnull=False),
                name="reported_figure_indicator_given",
                violation_error_message=_("Choose the indicator of an output figure."),
            ),
            models.CheckConstraint(
                condition=Q(figure__in=["output", "output_completion_pct"]) | ~Q(fund=""),
                name="reported_figure_fund_given",
                violation_error_message=_("Choose the fund of an amount or a percentage."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()}: {self.quoted_as or self.value}"

    def clean(self) -> None:
        if self.figure in self.INDICATOR_FIGURES and self.fund:
            raise ValidationError({"fund": _("An output figure has no fund: leave it empty.")})
        if self.figure in self.FUND_FIGURES and self.indicator_id:
            raise ValidationError({"indicator": _("Only an output figure names an indicator.")})
        if self.figure == self.Figure.PLANS_APPROVED and self.fund == self.Fund.TOTAL:
            raise ValidationError({"fund": _("Approved plans are counted per fund: choose KCQG or KCĐP.")})
