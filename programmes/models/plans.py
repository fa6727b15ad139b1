"""A province's year: its budget plans per fund (kế hoạch kinh phí) and its indicator targets."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import CountField, MoneyField
from .base import ScopedQuerySet, TimeStamped, whole_non_negative_vnd_check, year_range_check
from .geography import Province, validate_province_year
from .reference import FundingSource, Indicator


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class BudgetPlan(TimeStamped):
    """Kế hoạch kinh phí: one province's planned amount for one year and one fund."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="budget_plans", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    funding_source = models.CharField(_("funding source"), max_length=4, choices=FundingSource.choices)
    planned_vnd = MoneyField(_("planned amount (đồng)"))
    original_vnd = MoneyField(
        _("first approved amount (đồng)"),
        null=True,
        blank=True,
        help_text=_("Kept when the plan is revised; filled in at the first approval."),
    )
    status = models.CharField(_("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status_reason = models.TextField(
        _("reason for the last return"), blank=True, help_text=_("Why the plan was last sent back to draft.")
    )

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "province__code", "funding_source"]
        verbose_name = _("budget plan")
        verbose_name_plural = _("budget plans")
        permissions = [("approve_budgetplan", _("Can approve or return budget plans"))]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "funding_source"],
                name="budget_plan_unique_per_fund",
                violation_error_message=_("This province already has a plan for this year and fund."),
            ),
            year_range_check("budget_plan"),
            whole_non_negative_vnd_check("budget_plan", "planned_vnd"),
            whole_non_negative_vnd_check("budget_plan", "original_vnd"),
            models.CheckConstraint(
                condition=Q(funding_source__in=FundingSource.values),
                name="budget_plan_funding_source_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApprovalStatus.APPROVED) | Q(approved_on__isnull=False),
                name="budget_plan_approved_has_date",
                violation_error_message=_("An approved plan needs its approval date."),
            ),
        ]
        indexes = [
            # Summary selectors filter plans by year and status before summing.
            models.Index(fields=["year", "status"], name="budget_plan_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.province.name} {self.year} {self.get_funding_source_display()}"

    def clean(self) -> None:
        validate_province_year(self.province if self.province_id else None, self.year)
        if self.approved_on and self.year and abs(self.approved_on.year - self.year) > 1:
            raise ValidationError(
                {"approved_on": _("The approval date must fall in the plan year or the year before.")}
            )


class PlanRevision(models.Model):
    """A revision of an approved plan by a decision (điều chỉnh kế hoạch): a supplementary
    allocation, or a decision that raises or cuts the plan during the year.

    Written only by `services.budget_plan_revise`, together with the plan's new `planned_vnd`;
    never changed afterwards. The plan's `original_vnd` (first approved) stays as it was, so the
    revisions of a plan read in order go from `original_vnd` to today's `planned_vnd`.
    """

    plan = models.ForeignKey(
        BudgetPlan, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("budget plan")
    )
    from_vnd = MoneyField(_("amount before (đồng)"))
    to_vnd = MoneyField(_("amount after (đồng)"))
    decision_number = models.CharField(_("decision number"), max_length=64)
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    province_lookup = "plan__province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["plan", "decided_on", "id"]
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        constraints = [
            whole_non_negative_vnd_check("plan_revision", "from_vnd"),
            whole_non_negative_vnd_check("plan_revision", "to_vnd"),
            models.CheckConstraint(
                condition=~Q(from_vnd=models.F("to_vnd")),
                name="plan_revision_changes_the_amount",
                violation_error_message=_("A revision must change the planned amount."),
            ),
            models.CheckConstraint(
                condition=~Q(decision_number="") & ~Q(reason=""),
                name="plan_revision_has_decision_and_reason",
                violation_error_message=_("A revision needs its decision number and its reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} – {self.decision_number} ({self.decided_on:%d/%m/%Y})"


class IndicatorTarget(TimeStamped):
    """A province's target for one indicator in one year."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="indicator_targets", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("indicator")
    )
    target = CountField(_("target"))

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "province__code", "indicator__order"]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "indicator"],
                name="indicator_target_unique",
                violation_error_message=_("This province already has a target for this indicator in this year."),
            ),
            year_range_check("indicator_target"),
            models.CheckConstraint(condition=Q(target__gte=0), name="indicator_target_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.province.name} {self.year} {self.indicator.name}"

    def clean(self) -> None:
        validate_province_year(self.province if self.province_id else None, self.year)
