"""Admin of the projects: the project page with its money, outputs and lifecycle steps, and the
step screen that moves a project to its next status (services.project_transition).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from common.admin import LabelledInlineMixin

from .. import services
from ..models import (
    Project,
    ProjectStatus,
    ProjectTransition,
)
from .base import PortalAdmin, adopt, fund, money
from .disbursements import DisbursementInline, ProjectOutputInline
from .establishments import BeneficiaryInline


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

    def _post_clean(self):
        # The locks on the record behind an approved report are the service's (project_check):
        # asked here so that a refusal lands on the form, not in a server error at save time.
        super()._post_clean()
        if self.errors or not (self.instance.province_id and self.instance.year):
            return
        try:
            services.project_check(project=self.instance)
        except ValidationError as error:
            self._update_errors(error)


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
    list_display = ("code", "title", "province", "year", fund, "status", "support", "disbursed")
    excel_list_display = ("code", "title", "province", "year", fund, "category_short", "status", "support", "disbursed")
    list_display_links = ("code", "title")
    list_filter = ("status", "year", "funding_source", "category", "project_type", "province__region")
    search_fields = ("code", "title", "beneficiary_name", "implementing_unit", "province__name")
    list_select_related = ("province", "category")
    # Nine categories: a plain list reads better than a search box.
    autocomplete_fields = ("province",)
    readonly_fields = ("status", "status_changed_on", "disbursed")
    excel_values = {"category_short": "category", "support": "support_vnd", "disbursed": "disbursed_vnd"}
    # Django's "delete selected", replaced by one that asks the service first (same name).
    actions = ["delete_selected"]

    def get_fieldsets(self, request, obj=None):
        money_fields = ["support_vnd", "counterpart_vnd", "capital_recovery"]
        lifecycle = ["proposed_on", "status"]
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
        return [DisbursementInline, ProjectOutputInline, BeneficiaryInline, ProjectTransitionInline]

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

    @staticmethod
    def project_lock(request, obj: Project) -> str | None:
        """services.project_lock_reason, asked once per request and project (the change page asks
        for the read-only fields several times)."""
        cache = request.__dict__.setdefault("_project_locks", {})
        if obj.pk not in cache:
            cache[obj.pk] = services.project_lock_reason(obj)
        return cache[obj.pk]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and self.project_lock(request, obj):
            # What an approved report hangs on is shown, not offered (the reason is above the form).
            readonly = (*readonly, *services.LOCKED_PROJECT_FIELDS)
        return readonly

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            try:
                services.project_delete_check(project=obj)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        # The lifecycle steps are not deleted one by one (their admin refuses it) but with their
        # project, by the service: they do not ask for a permission of their own here.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(ProjectTransition._meta.verbose_name)
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        services.project_delete(project=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # The "delete selected" action checked every project before its confirmation page.
        with transaction.atomic():
            for project in queryset.select_related("province"):
                services.project_delete(project=project, user=request.user)

    @admin.action(permissions=["delete"], description=django_delete_selected.short_description)
    def delete_selected(self, request, queryset):
        """Django's "delete selected", after the service's checks: one refused project, none deleted."""
        refusals = []
        for project in queryset.select_related("province"):
            try:
                services.project_delete_check(project=project)
            except ValidationError as error:
                refusals.append(f"{project.code}: {' '.join(error.messages)}")
        if refusals:
            self.message_user(request, " ".join(refusals), messages.ERROR)
            return None
        return django_delete_selected(self, request, queryset)

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.project_update(project=obj, user=request.user, **fields)
            return
        fields = {name: value for name, value in form.cleaned_data.items() if name != "status"}
        adopt(obj, services.project_create(user=request.user, **fields))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        reason = self.project_lock(request, obj) if obj is not None else None
        if reason and request.method == "GET":
            message = _("Province, year, fund, category and support are read-only. %(reason)s")
            messages.warning(request, message % {"reason": reason})
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

    list_display = ("project_code", "province", "from_status", "to_status", "date", "document_number", "user")
    excel_list_display = ("project", "province", "from_status", "to_status", "date", "document_number", "user")
    list_filter = ("to_status", "date", "project__year", "project__province__region")
    search_fields = ("project__code", "project__title", "document_number", "user__username")
    list_select_related = ("project__province", "user")

    @admin.display(description=_("Project"), ordering="project__code")
    def project_code(self, obj: ProjectTransition) -> str:
        return obj.project.code

    @admin.display(description=_("Province"), ordering="project__province__code")
    def province(self, obj: ProjectTransition) -> str:
        return str(obj.project.province)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
