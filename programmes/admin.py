"""Data entry (Django admin) for the programme: reference data, plans, targets, projects, money
and outputs.

Thin on purpose (Style C4, C11): the forms validate through the models' `full_clean()`, writes
that carry rules go through `programmes.services`, and every changelist loads the foreign keys
it shows in its one page query (`list_select_related`; the query counts are pinned in
tests/programmes/test_admin.py).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.admin import LabelledFormSet, LabelledInlineMixin, SharedChoicesFormSet
from common.forms import CountFormField, GroupedNumberInput
from common.i18n import localized
from common.numbers import format_vnd, group_digits

from . import access, services
from .fields import CountField, MoneyField
from .models import (
    ActivityCategory,
    BudgetPlan,
    CollaboratorNetwork,
    Disbursement,
    ExtensionCentre,
    Indicator,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    Region,
    ReportingPeriod,
)
from .selectors import locks

MONEY = models.DecimalField(max_digits=18, decimal_places=0)


def money(value: Decimal | int | None) -> str:
    """`1.250.000.000 đ` in Vietnamese, `1,250,000,000 VND` in English; empty for None."""
    return format_vnd(value, get_language())


def count(value: int | None, unit: str = "") -> str:
    """`1.724` (Vietnamese) or `1,724` (English), followed by `unit` when given; empty for None."""
    if value is None:
        return ""
    return f"{group_digits(value, get_language())} {unit}".strip()


@admin.display(description=_("Fund"), ordering="funding_source")
def fund(obj: BudgetPlan | Project) -> str:
    """The fund's short name (KCQG, KCDP), which officials use; the long label is too wide."""
    return obj.funding_source


def _adopt(target: models.Model, saved: models.Model) -> None:
    """Turn the admin's unsaved `target` into the row a service created, so that what follows
    `save_model` (the log entry, the inlines, the redirect) uses the saved row."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


# --- shared behaviour ---------------------------------------------------------------------------

NUMBER_INPUTS = {
    CountField: {"widget": GroupedNumberInput},
    MoneyField: {"widget": GroupedNumberInput},
}


class NumberInputsMixin:
    """Money and counts typed the Vietnamese way (`1.250.000.000`, `1.724`).

    The admin gives every IntegerField (so CountField too) a number input, in which browsers
    refuse the dots; a text input lets WholeNumberFormField read the separators and explain a
    refusal (negative, fraction, not a number) in the user's language.
    """

    formfield_overrides = NUMBER_INPUTS


def record_province(obj: models.Model) -> Province | None:
    """The province a record belongs to, following its model's `province_lookup`."""
    value = obj
    for attribute in type(obj).province_lookup.split("__"):
        value = getattr(value, attribute, None)
        if value is None:
            return None
    return value


class ScopedAdminMixin:
    """Province scoping (programmes.access) for the admin of a province-owned model.

    Lists and pages show only the records the user may see; adding, changing and deleting
    need a province the user may edit, and a record that an approval locks is read-only, with
    the reason shown (`lock_reason`).
    """

    def _scoped(self) -> bool:
        return hasattr(self.model, "province_lookup")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.visible(request.user, queryset) if self._scoped() else queryset

    def has_add_permission(self, request, *args):
        allowed = super().has_add_permission(request, *args)
        if allowed and self._scoped():
            allowed = access.editable_province_ids(request.user) != frozenset()
        return allowed

    def _may_write(self, request, obj) -> bool:
        if obj is None or not self._scoped():
            return True
        return access.can_edit_province(request.user, record_province(obj)) and not self.lock_reason(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_write(request, obj)

    def lock_reason(self, obj) -> str | None:
        """Why `obj` cannot change now (an approval), or None."""
        return None

    def get_changeform_initial_data(self, request):
        """A new record starts in the user's own province (province staff) and this year,
        unless the link that opened the form says otherwise."""
        initial = super().get_changeform_initial_data(request)
        fields = {field.name for field in self.model._meta.get_fields()}
        if "province" in fields and "province" not in initial:
            province = access.user_province(request.user)
            if province is not None and access.can_edit_province(request.user, province):
                initial["province"] = province.pk
        if "year" in fields and "year" not in initial:
            initial["year"] = timezone.localdate().year
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province" and self._scoped():
            ids = access.editable_province_ids(request.user)
            if ids is not None:
                kwargs["queryset"] = Province.objects.filter(pk__in=ids)
        elif db_field.name == "project" and self._scoped():
            kwargs["queryset"] = access.editable(request.user, Project)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PortalAdmin(NumberInputsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50
    # For a column the page formats (money, a count with its unit, shortened text): the
    # attribute holding its value, which the changelist's Excel file writes as a number or in full.
    excel_values: dict[str, str] = {}

    @property
    def excel_export(self) -> bool:
        """Whether the changelist offers "Download Excel" (reports.list_views.changelist_xlsx):
        the province-owned records, scoped as the list is."""
        return self._scoped()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        has_locks = type(self).lock_reason is not ScopedAdminMixin.lock_reason
        if has_locks and request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            reason = self.lock_reason(obj) if obj is not None else None
            if reason:
                messages.warning(request, reason)
        return super().change_view(request, object_id, form_url, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django answers "does not exist, perhaps it was deleted?" for a record outside the
        # user's scope too. A person who followed another province's link deserves the truth:
        # it exists and is not theirs to open (403, nothing of it shown).
        if self._scoped():
            try:
                exists = self.model._default_manager.filter(pk=unquote(object_id)).exists()
            except (ValueError, ValidationError):
                exists = False
            if exists:
                raise PermissionDenied(
                    _("This %(name)s belongs to a province whose records your account may not open.")
                    % {"name": opts.verbose_name}
                )
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)

    def history_view(self, request, object_id, extra_context=None):
        """For a record kept by django-simple-history, its history page: who changed which field
        from what to what, when and why (the admin's own page lists log messages only). That
        page is scoped like this admin's querysets: a record the user may not see is a 404."""
        if not (hasattr(self.model, "history") and self._scoped()):
            return super().history_view(request, object_id, extra_context)
        try:
            pk = int(unquote(object_id))
        except ValueError:
            raise Http404 from None
        return HttpResponseRedirect(reverse("reports:audit-record", args=[self.opts.model_name, pk]))


class YearLockForm(forms.ModelForm):
    """For plans and targets: no new record in a year whose report is already approved."""

    def _post_clean(self):
        super()._post_clean()
        instance = self.instance
        if self.errors or instance.pk or not (instance.province_id and instance.year):
            return
        reason = locks.year_lock_reason(instance.province, instance.year)
        if reason:
            self.add_error(None, reason)


class PortalTabularInline(LabelledInlineMixin, NumberInputsMixin, admin.TabularInline):
    extra = 1
    formset = LabelledFormSet

    def _parent_editable(self, request, obj) -> bool:
        return obj is None or access.can_edit_province(request.user, record_province(obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)


class LockedRowsFormSet(LabelledFormSet):
    """Refuses changes to rows that an approved report locks, and new rows dated inside one.

    Unchanged rows are not checked: a project page with locked history can still take a new
    payment dated in an open period.
    """

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        province = self.instance.province if self.instance.pk else None
        if province is None:
            return
        for form in self.forms:
            deleting = self.can_delete and self._should_delete_form(form)
            if not (form.has_changed() or deleting):
                continue
            days = {form.cleaned_data.get("date")}
            if form.instance.pk:
                days.add(form.initial.get("date"))
            for day in filter(None, days):
                reason = locks.date_lock_reason(province, day)
                if reason:
                    raise ValidationError(reason, code="locked")


# --- geography and centres ----------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(PortalAdmin):
    list_display = ("name", "code", "name_en", "order")
    search_fields = ("name", "name_en", "code")


class EraFilter(admin.SimpleListFilter):
    """Provinces in force today, or those merged away on 1 July 2025."""

    title = _("era")
    parameter_name = "era"

    def lookups(self, request, model_admin):
        return [("current", _("In force")), ("former", _("Before the 2025 merger"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "former":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(Province)
class ProvinceAdmin(PortalAdmin):
    list_display = ("code", "province_with_era", "kind", "region", "valid_from", "valid_to", "merged_into")
    list_display_links = ("code", "province_with_era")
    list_filter = (EraFilter, "region", "kind")
    search_fields = ("name", "=code")
    list_select_related = ("region", "merged_into")
    autocomplete_fields = ("merged_into",)
    list_per_page = 100

    @admin.display(description=_("Province"), ordering="name")
    def province_with_era(self, obj: Province) -> str:
        return str(obj)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Choosing the province of a record (autocomplete): only the provinces the user enters.
        if request.GET.get("app_label") == "programmes" and request.GET.get("field_name") == "province":
            ids = access.editable_province_ids(request.user)
            if ids is not None:
                queryset = queryset.filter(pk__in=ids)
        return queryset, may_have_duplicates


class CollaboratorNetworkInline(PortalTabularInline):
    model = CollaboratorNetwork
    fields = ("year", "district_collaborators", "commune_collaborators")
    # The collaborator counts are plain PositiveIntegerFields: give them the count field too.
    formfield_overrides = {
        **NUMBER_INPUTS,
        models.PositiveIntegerField: {"form_class": CountFormField, "widget": GroupedNumberInput},
    }


@admin.register(ExtensionCentre)
class ExtensionCentreAdmin(PortalAdmin):
    list_display = ("name", "province", "region", "director", "phone", "email")
    list_filter = ("province__region",)
    search_fields = ("name", "director", "province__name", "=province__code")
    list_select_related = ("province__region",)
    autocomplete_fields = ("province",)
    inlines = [CollaboratorNetworkInline]

    @admin.display(description=_("Region"), ordering="province__region__order")
    def region(self, obj: ExtensionCentre) -> str:
        return str(obj.province.region)


# --- categories and indicators -----------------------------------------------------------------


@admin.register(ActivityCategory)
class ActivityCategoryAdmin(PortalAdmin):
    list_display = ("order", "name", "code", "legal_basis", "is_active")
    list_display_links = ("order", "name")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "code")


@admin.register(Indicator)
class IndicatorAdmin(PortalAdmin):
    list_display = ("order", "name", "unit", "code", "category", "is_active")
    list_display_links = ("order", "name")
    list_filter = ("is_active", "category")
    search_fields = ("name", "name_en", "code", "unit")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)


# --- plans and targets -------------------------------------------------------------------------


@admin.register(BudgetPlan)
class BudgetPlanAdmin(PortalAdmin):
    form = YearLockForm
    list_display = (
        "province",
        "year",
        fund,
        "planned",
        "original",
        "status",
        "approved_on",
        "decision_number",
    )
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

    @admin.display(description=_("Planned amount"), ordering="planned_vnd")
    def planned(self, obj: BudgetPlan) -> str:
        return money(obj.planned_vnd)

    @admin.display(description=_("First approved amount"), ordering="original_vnd")
    def original(self, obj: BudgetPlan) -> str:
        return money(obj.original_vnd)

    def save_model(self, request, obj, form, change):
        services.budget_plan_save(plan=obj, user=request.user)


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(PortalAdmin):
    form = YearLockForm
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


# --- projects ----------------------------------------------------------------------------------


class ProjectAdminForm(forms.ModelForm):
    """The project form; on the add page the code may be left empty for the service to number."""

    class Meta:
        model = Project
        fields = Project.DESCRIPTIVE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding and "code" in self.fields:
            self.fields["code"].required = False
            self.fields["code"].help_text = _(
                "Leave empty to number the project automatically (fund-year-province-number, e.g. KCQG-2025-79-001)."
            )


DISBURSEMENTS_OVER_SUPPORT = _(
    "Together these rows bring the project's disbursements to %(total)s, more than its support "
    "of %(support)s. Nothing was saved."
)
DISBURSEMENTS_BELOW_ZERO = _(
    "Together these rows return %(recovered)s more than was disbursed to the project. Nothing was saved."
)


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
        if total < 0:
            raise ValidationError(
                DISBURSEMENTS_BELOW_ZERO % {"recovered": money(-total)},
                code="recovered_too_much",
            )
        if total > project.support_vnd:
            raise ValidationError(
                DISBURSEMENTS_OVER_SUPPORT % {"total": money(total), "support": money(project.support_vnd)},
                code="over_support",
            )


class MoneyRecordInline(PortalTabularInline):
    """Rows that need a signed contract (money, outputs): no new rows before it."""

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.status not in services.MONEY_STATUSES:
            return False
        return super().has_add_permission(request, obj)


class DisbursementInline(MoneyRecordInline):
    model = Disbursement
    formset = DisbursementFormSet
    fields = ("date", "kind", "amount_vnd", "document_number", "note")

    def get_queryset(self, request):
        # Each row's title (Disbursement.__str__) reads the project's code.
        return super().get_queryset(request).select_related("project")


class OutputFormSet(LockedRowsFormSet, SharedChoicesFormSet):
    shared_choice_fields = ("indicator",)


class ProjectOutputInline(MoneyRecordInline):
    model = ProjectOutput
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


class ProjectTransitionInline(LabelledInlineMixin, admin.TabularInline):
    """The lifecycle history; steps are recorded only through the lifecycle step screen."""

    model = ProjectTransition
    fields = ("from_status", "to_status", "date", "document_number", "note", "user", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "user")


class LifecycleStatusField(forms.ChoiceField):
    """Offers the allowed next steps, but lets any known status through: a step that is no
    longer allowed (another official moved the project meanwhile) is refused by the service,
    with its explanation of the allowed steps, rather than by a bare "invalid choice"."""

    def valid_value(self, value):
        return value in ProjectStatus.values


class ProjectTransitionForm(forms.Form):
    """One lifecycle step of `project`: to which status, when, under which document."""

    to_status = LifecycleStatusField(label=_("Next step"))
    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=AdminDateWidget)
    document_number = forms.CharField(
        label=_("Decision or contract number"),
        max_length=128,
        required=False,
        help_text=_("Required for the approval and the contract."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    # Keys of the service's ValidationError -> fields of this form.
    SERVICE_FIELDS = {"to": "to_status", "date": "date", "document_number": "document_number"}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["to_status"].choices = [
            (status, ProjectStatus(status).label) for status in services.allowed_next_statuses(project)
        ]

    def add_service_error(self, error: ValidationError) -> None:
        """Show the service's refusal on the field it is about (or above the form)."""
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                self.add_error(self.SERVICE_FIELDS.get(key), errors)
        else:
            self.add_error(None, error)


@admin.register(Project)
class ProjectAdmin(PortalAdmin):
    form = ProjectAdminForm
    list_display = (
        "code",
        "title",
        "province",
        "year",
        fund,
        "category_short",
        "status",
        "support",
        "disbursed",
    )
    list_display_links = ("code", "title")
    list_filter = ("status", "year", "funding_source", "category", "project_type", "province__region")
    search_fields = ("code", "title", "beneficiary_name", "implementing_unit", "province__name")
    list_select_related = ("province", "category")
    # Nine categories: a plain list reads better than a search box.
    autocomplete_fields = ("province",)
    readonly_fields = ("status", "status_changed_on", "disbursed")
    excel_values = {"category_short": "category", "support": "support_vnd", "disbursed": "disbursed_vnd"}

    def get_fieldsets(self, request, obj=None):
        money_fields = ["support_vnd", "counterpart_vnd", "capital_recovery"]
        lifecycle = ["status"]
        if obj is not None:
            money_fields.append("disbursed")
            lifecycle.append("status_changed_on")
        return [
            (
                None,
                {
                    "fields": [
                        "code",
                        "title",
                        ("province", "year"),
                        ("funding_source", "category"),
                        "project_type",
                    ]
                },
            ),
            (
                _("Implementation and beneficiary"),
                {"fields": ["implementing_unit", ("beneficiary_name", "beneficiary_kind")]},
            ),
            (_("Money"), {"fields": money_fields}),
            (_("Lifecycle"), {"fields": lifecycle}),
        ]

    def get_inlines(self, request, obj):
        if obj is None:
            # Money and outputs need a contract; a new project is only proposed.
            return []
        return [DisbursementInline, ProjectOutputInline, ProjectTransitionInline]

    def get_queryset(self, request):
        # The change page reads the province (scoping) and category: one query with the project.
        return super().get_queryset(request).select_related("province", "category").with_disbursed_vnd()

    @admin.display(description=_("Activity category"), ordering="category__order")
    def category_short(self, obj: Project) -> str:
        return Truncator(str(obj.category)).chars(32)

    @admin.display(description=_("Support"), ordering="support_vnd")
    def support(self, obj: Project) -> str:
        return money(obj.support_vnd)

    @admin.display(description=_("Disbursed"), ordering="disbursed_vnd")
    def disbursed(self, obj: Project) -> str:
        # Not annotated on an unsaved project (add page), where nothing was disbursed yet.
        return money(getattr(obj, "disbursed_vnd", Decimal(0)))

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.project_update(project=obj, user=request.user, **fields)
            return
        fields = {name: value for name, value in form.cleaned_data.items() if name != "status"}
        _adopt(obj, services.project_create(user=request.user, **fields))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            context["next_steps"] = [ProjectStatus(status).label for status in services.allowed_next_statuses(obj)]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_transition"
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id):
        """The lifecycle step screen: record the project's next status through the service."""
        project = self.get_object(request, unquote(object_id))
        if project is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, project):
            raise PermissionDenied
        form = ProjectTransitionForm(request.POST or None, project=project)
        if request.method == "POST" and form.is_valid():
            previous = project.status
            try:
                services.project_transition(
                    project=project,
                    to_status=form.cleaned_data["to_status"],
                    date=form.cleaned_data["date"],
                    document_number=form.cleaned_data["document_number"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                message = _("Project %(code)s moved from “%(from)s” to “%(to)s”.") % {
                    "code": project.code,
                    "from": ProjectStatus(previous).label,
                    "to": ProjectStatus(form.cleaned_data["to_status"]).label,
                }
                self.log_change(request, project, str(message))
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                        args=[project.pk],
                        current_app=self.admin_site.name,
                    )
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Lifecycle step of project %(code)s") % {"code": project.code},
            "opts": self.opts,
            "original": project,
            "adminform": helpers.AdminForm(
                form,
                [(None, {"fields": ["to_status", "date", "document_number", "note"]})],
                prepopulated_fields={},
                model_admin=self,
            ),
            "transitions": project.transitions.select_related("user"),
            "has_next_step": bool(form.fields["to_status"].choices),
            "has_view_permission": True,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/programmes/project/transition.html", context)


@admin.register(ProjectTransition)
class ProjectTransitionAdmin(PortalAdmin):
    """The lifecycle history, read-only: steps are recorded from the project's change page."""

    list_display = ("project", "province", "from_status", "to_status", "date", "document_number", "user")
    list_filter = ("to_status", "date", "project__year", "project__province__region")
    search_fields = ("project__code", "project__title", "document_number", "user__username")
    list_select_related = ("project__province", "user")

    @admin.display(description=_("Province"), ordering="project__province__code")
    def province(self, obj: ProjectTransition) -> str:
        return str(obj.project.province)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- money and outputs -------------------------------------------------------------------------


class ServiceCheckedForm(forms.ModelForm):
    """A money or output row's form: after the model's own checks, the service's `check` (totals,
    locks), whose ValidationError lands on the form like any other."""

    check = None  # a function of the unsaved record, raising ValidationError

    def _post_clean(self):
        super()._post_clean()
        if self.errors or not self.instance.project_id:
            return
        try:
            type(self).check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


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
        _adopt(obj, services.disbursement_create(project=obj.project, user=request.user, **fields))


class ProjectOutputAdminForm(ServiceCheckedForm):
    """Adds the locks (an approved report may cover the output's date)."""

    check = staticmethod(services.output_check)


@admin.register(ProjectOutput)
class ProjectOutputAdmin(PortalAdmin):
    form = ProjectOutputAdminForm
    list_display = ("date", "project_code", "province", "indicator", "output_value", "note")
    list_filter = ("indicator", "project__year", "project__province__region")
    search_fields = ("project__code", "project__title", "indicator__name", "note")
    list_select_related = ("project__province", "indicator")
    autocomplete_fields = ("project", "indicator")
    date_hierarchy = "date"
    fields = ("project", "indicator", "date", "value", "note")
    excel_values = {"output_value": "value"}

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
        _adopt(obj, services.output_create(project=obj.project, user=request.user, **fields))


# --- reporting ---------------------------------------------------------------------------------


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
