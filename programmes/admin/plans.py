"""Admin of the year's plans and targets, and of the reporting periods; their status changes
only through the approval steps (services.plans, services.reporting).
"""

from django.contrib import admin
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from common.i18n import localized, user_display_name

from .. import services
from ..models import (
    BudgetPlan,
    IndicatorTarget,
    PlanRevision,
    ReportingPeriod,
)
from ..selectors import locks
from .base import PortalAdmin, ServiceCheckedForm, count, fund, money


class BudgetPlanAdminForm(ServiceCheckedForm):
    check = staticmethod(services.budget_plan_check)


class IndicatorTargetAdminForm(ServiceCheckedForm):
    check = staticmethod(services.indicator_target_check)


class PlanRevisionInline(admin.TabularInline):
    """The plan's revisions by decision, oldest first, read-only: a revision is made only by
    `services.budget_plan_revise` (the year-plan page, `POST /api/v1/budget-plans/{id}/revise/`),
    with the plan's new amount, and is never changed or removed afterwards."""

    model = PlanRevision
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = _("revision by decision")
    verbose_name_plural = _("revisions by decision (made on the year-plan page; read-only here)")
    fields = ("decision_number", "decided_on", "amount_before", "amount_after", "reason", "recorded")
    readonly_fields = fields
    ordering = ("decided_on", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Amount before"))
    def amount_before(self, obj: PlanRevision) -> str:
        return money(obj.from_vnd)

    @admin.display(description=_("Amount after"))
    def amount_after(self, obj: PlanRevision) -> str:
        return money(obj.to_vnd)

    @admin.display(description=_("Recorded by"))
    def recorded(self, obj: PlanRevision) -> str:
        """Who recorded the revision and when; "the system" for one loaded with the history."""
        when = formats.date_format(timezone.localtime(obj.recorded_at), "SHORT_DATETIME_FORMAT")
        return f"{user_display_name(obj.recorded_by)}, {when}"


@admin.register(BudgetPlan)
class BudgetPlanAdmin(PortalAdmin):
    form = BudgetPlanAdminForm
    list_display = ("province", "year", fund, "planned", "original", "status", "approved_on")
    excel_list_display = ("province", "year", fund, "planned", "original", "status", "approved_on", "decision_number")
    list_filter = ("year", "funding_source", "status", "province__region")
    search_fields = ("province__name", "=province__code", "decision_number")
    list_select_related = ("province",)
    autocomplete_fields = ("province",)
    fields = (
        "province",
        "year",
        "funding_source",
        "planned_vnd",
        "original",
        "status",
        "decision_number",
        "approved_on",
        "notes",
    )
    # The first approved amount is remembered at the first approval; status, decision and date
    # change only through the approval workflow (services.plans), never by editing the record.
    readonly_fields = ("original", "status", "decision_number", "approved_on")
    excel_values = {"planned": "planned_vnd", "original": "original_vnd"}

    def lock_reason(self, obj: BudgetPlan) -> str | None:
        return locks.plan_lock_reason(obj)

    def get_inlines(self, request, obj):
        # A new plan has no revision yet (a plan is revised once approved, by decision).
        return [] if obj is None else [PlanRevisionInline]

    @admin.display(description=_("Planned amount"), ordering="planned_vnd")
    def planned(self, obj: BudgetPlan) -> str:
        return money(obj.planned_vnd)

    @admin.display(description=_("First approved amount"), ordering="original_vnd")
    def original(self, obj: BudgetPlan) -> str:
        return money(obj.original_vnd)

    def save_model(self, request, obj, form, change):
        services.budget_plan_save(plan=obj, user=request.user)

    @staticmethod
    def delete_service(obj: BudgetPlan, user) -> None:
        services.budget_plan_delete(plan=obj, user=user)


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(PortalAdmin):
    form = IndicatorTargetAdminForm
    list_display = ("province", "year", "indicator", "target_value")
    list_filter = ("year", "indicator", "province__region")
    search_fields = ("province__name", "=province__code", "indicator__name")
    list_select_related = ("province", "indicator")
    autocomplete_fields = ("province", "indicator")
    excel_values = {"target_value": "target"}

    @admin.display(description=_("Target value"), ordering="target")
    def target_value(self, obj: IndicatorTarget) -> str:
        unit = localized(obj.indicator.unit, obj.indicator.unit_en)
        return count(obj.target, unit)

    def lock_reason(self, obj: IndicatorTarget) -> str | None:
        return locks.year_lock_reason(obj.province, obj.year)

    def save_model(self, request, obj, form, change):
        services.indicator_target_save(target=obj, user=request.user)

    @staticmethod
    def delete_service(obj: IndicatorTarget, user) -> None:
        services.indicator_target_delete(target=obj, user=user)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(PortalAdmin):
    list_display = (
        "province",
        "year",
        "period",
        "status",
        "deadline",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
    )
    list_filter = ("year", "period", "status", "province__region")
    search_fields = ("province__name", "=province__code")
    list_select_related = ("province", "submitted_by", "approved_by")
    autocomplete_fields = ("province",)
    # Reports are submitted, approved, sent back and reopened on the reporting pages, where
    # each step is checked and recorded; here they are only looked at.
    readonly_fields = ("submitted_at", "submitted_by", "approved_at", "approved_by", "status_reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
