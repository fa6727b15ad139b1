"""Admin of the money and the outputs, on their own pages and as the project page's inlines:
every row checked by the services' rules (the contract, the support, the locks).
"""

import datetime
from decimal import Decimal

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import SharedChoicesFormSet
from common.i18n import localized

from .. import services
from ..models import (
    Disbursement,
    ProjectOutput,
    ProjectStatus,
)
from ..selectors import locks
from .base import LockedRowsFormSet, PortalAdmin, PortalTabularInline, ServiceCheckedForm, adopt, count, money


class DisbursementFormSet(LockedRowsFormSet):
    """Checks the project's disbursements as they will stand after this submit.

    Each row's own `clean()` compares it with the rows already in the database, so two new rows
    of 300 million on a 500-million project each pass alone: their sum is refused here.
    """

    def clean(self):
        super().clean()
        project = self.instance
        if project.pk is None or any(self.errors):
            return
        listed = [form.instance.pk for form in self.initial_forms if form.instance.pk]
        # Rows of the project not in this form set: none, unless someone added one meanwhile.
        total = sum(
            (row.signed_amount_vnd for row in project.disbursements.exclude(pk__in=listed)),
            Decimal(0),
        )
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            if form.instance.amount_vnd is not None:
                total += form.instance.signed_amount_vnd
        services.net_total_check(project, total, together=True)


class MoneyRecordInline(PortalTabularInline):
    """Rows that need a signed contract (money, outputs): no new rows before it. A closed section
    says why and which step opens it (`closed_notes`, shown by tabular_explained.html), instead of
    showing bare headers."""

    template = "admin/programmes/edit_inline/tabular_explained.html"
    # Why nothing can be added before the contract, for this inline's records.
    not_yet_message = ""

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.status not in services.MONEY_STATUSES:
            return False
        return super().has_add_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.closed_notes = self.closed_notes(request, obj) if obj is not None and obj.pk else []
        return formset

    def closed_notes(self, request, project) -> list[str]:
        """Why rows cannot be added (before the contract; after a stop) or changed (an approved
        report's period), each with what opens them; [] when the section is open."""
        notes = []
        status = ProjectStatus(project.status)
        if project.status not in services.MONEY_STATUSES:
            notes.append(
                self.not_yet_message
                % {
                    "status": status.label,
                    "step": ProjectStatus.CONTRACTED.label,
                    "button": _("Record a lifecycle step"),
                }
            )
        elif self.model is Disbursement and project.status in (ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED):
            notes.append(
                _("The project is “%(status)s”: only money returned (a recovery) can be added.")
                % {"status": status.label}
            )
        lock = _locked_period_note(request, project)
        if lock:
            notes.append(lock)
        return notes


def _locked_period_note(request, project) -> str | None:
    """The lock of the project's year, when an approved report covers part of it; computed once
    per request for the page's two inlines."""
    cache = request.__dict__.setdefault("_locked_period_notes", {})
    if project.pk not in cache:
        period = locks.covering_approved_period(project.province, datetime.date(project.year, 1, 1))
        cache[project.pk] = (
            _("Rows dated in the period of an approved report cannot be added or changed. %(lock)s")
            % {"lock": locks.lock_message(period)}
            if period is not None
            else None
        )
    return cache[project.pk]


class DisbursementInline(MoneyRecordInline):
    model = Disbursement
    save_service = staticmethod(services.disbursements_save)
    not_yet_message = _(
        "No disbursement can be recorded yet: the project is “%(status)s”. Money is paid under a signed "
        "contract: once the step “%(step)s” is recorded (the button “%(button)s” above), payments can be added here."
    )
    formset = DisbursementFormSet
    fields = ("date", "kind", "amount_vnd", "document_number", "note")

    def get_queryset(self, request):
        # Each row's title (Disbursement.__str__) reads the project's code.
        return super().get_queryset(request).select_related("project")


class OutputFormSet(LockedRowsFormSet, SharedChoicesFormSet):
    shared_choice_fields = ("indicator",)


class ProjectOutputInline(MoneyRecordInline):
    model = ProjectOutput
    save_service = staticmethod(services.outputs_save)
    not_yet_message = _(
        "No output can be recorded yet: the project is “%(status)s”. Outputs come from the work done under "
        "its contract: once the step “%(step)s” is recorded (the button “%(button)s” above), they can be added here."
    )
    formset = OutputFormSet
    fields = ("indicator", "date", "value", "note")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "indicator":
            # Indicators are reference data: no add/change/delete/view icons on every row.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "indicator")


class DisbursementAdminForm(ServiceCheckedForm):
    """Adds the project's total and the locks: net disbursed stays within 0…support."""

    check = staticmethod(services.disbursement_check)


@admin.register(Disbursement)
class DisbursementAdmin(PortalAdmin):
    form = DisbursementAdminForm
    list_display = ("date", "project_code", "province", "kind", "amount", "document_number")
    list_filter = ("kind", "project__year", "project__funding_source", "project__province__region")
    search_fields = ("project__code", "project__title", "document_number")
    list_select_related = ("project__province",)
    autocomplete_fields = ("project",)
    date_hierarchy = "date"
    fields = ("project", "date", "kind", "amount_vnd", "document_number", "note")
    excel_values = {"amount": "signed_amount_vnd"}  # a recovery negative, as on the page

    @staticmethod
    def delete_service(obj: Disbursement, user) -> None:
        services.disbursement_delete(disbursement=obj, user=user)

    def deletion_order(self, objects: list[Disbursement]) -> list[Disbursement]:
        # Recoveries first: deleting a recovery never takes the net total below zero, so a
        # payment and its recovery selected together can both go.
        return sorted(objects, key=lambda row: row.signed_amount_vnd)

    @admin.display(description=_("Project"), ordering="project__code")
    def project_code(self, obj: Disbursement) -> str:
        return obj.project.code

    @admin.display(description=_("Province"), ordering="project__province__code")
    def province(self, obj: Disbursement) -> str:
        return str(obj.project.province)

    def lock_reason(self, obj: Disbursement) -> str | None:
        return locks.date_lock_reason(obj.project.province, obj.date)

    @admin.display(description=_("Amount"), ordering="amount_vnd")
    def amount(self, obj: Disbursement) -> str:
        # As it counts in the totals: a recovery shows negative.
        return money(obj.signed_amount_vnd)

    def save_model(self, request, obj, form, change):
        fields = {name: value for name, value in form.cleaned_data.items() if name != "project"}
        if change:
            services.disbursement_update(disbursement=obj, user=request.user, **fields)
            return
        adopt(obj, services.disbursement_create(project=obj.project, user=request.user, **fields))


class ProjectOutputAdminForm(ServiceCheckedForm):
    """Adds the locks (an approved report may cover the output's date)."""

    check = staticmethod(services.output_check)


@admin.register(ProjectOutput)
class ProjectOutputAdmin(PortalAdmin):
    form = ProjectOutputAdminForm
    list_display = ("date", "project_code", "province", "indicator", "output_value")
    excel_list_display = ("date", "project_code", "province", "indicator", "output_value", "note")
    list_filter = ("indicator", "project__year", "project__province__region")
    search_fields = ("project__code", "project__title", "indicator__name", "note")
    list_select_related = ("project__province", "indicator")
    autocomplete_fields = ("project", "indicator")
    date_hierarchy = "date"
    fields = ("project", "indicator", "date", "value", "note")
    excel_values = {"output_value": "value"}

    @staticmethod
    def delete_service(obj: ProjectOutput, user) -> None:
        services.output_delete(output=obj, user=user)

    @admin.display(description=_("Project"), ordering="project__code")
    def project_code(self, obj: ProjectOutput) -> str:
        return obj.project.code

    @admin.display(description=_("Province"), ordering="project__province__code")
    def province(self, obj: ProjectOutput) -> str:
        return str(obj.project.province)

    @admin.display(description=_("Value"), ordering="value")
    def output_value(self, obj: ProjectOutput) -> str:
        unit = localized(obj.indicator.unit, obj.indicator.unit_en)
        return count(obj.value, unit)

    def lock_reason(self, obj: ProjectOutput) -> str | None:
        return locks.date_lock_reason(obj.project.province, obj.date)

    def save_model(self, request, obj, form, change):
        fields = {name: value for name, value in form.cleaned_data.items() if name != "project"}
        if change:
            services.output_update(output=obj, user=request.user, **fields)
            return
        adopt(obj, services.output_create(project=obj.project, user=request.user, **fields))
