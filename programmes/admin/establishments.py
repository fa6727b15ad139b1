"""Admin of the establishments' register and of the projects' beneficiaries: the register's
list and page (with the supports received, read-only), the beneficiaries' rows on a project's
page, where a possible double funding is shown as a warning to confirm
(services.project_beneficiary_add).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import LabelledFormSet, LabelledInlineMixin

from .. import access, services
from ..models import Establishment, ProjectBeneficiary
from .base import PortalAdmin, PortalTabularInline, adopt

CONFIRM_LABEL = _("Save despite the double-funding warning")


def _add_service_error(form: forms.Form, error: ValidationError, fields: dict[str, str]) -> None:
    """A service's refusal on the form's field it is about (or above the form)."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            name = fields.get(key, key)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class BeneficiaryForm(forms.ModelForm):
    """An establishment attached to a project: the territory and double-funding checks of the
    service run on validation, so a warning shows on the row with a box to confirm it."""

    # The inline's column heading is the visible label; the box of each row names itself too.
    confirm_double_funding = forms.BooleanField(
        label=CONFIRM_LABEL, required=False, widget=forms.CheckboxInput(attrs={"aria-label": CONFIRM_LABEL})
    )
    SERVICE_FIELDS = {"confirm": "confirm_double_funding", "establishment": "establishment"}

    class Meta:
        model = ProjectBeneficiary
        fields = ("project", "establishment", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "establishment" in self.fields:
            # Another establishment is another link: remove this one and add that.
            self.fields["establishment"].disabled = True

    def _post_clean(self):
        super()._post_clean()
        instance = self.instance
        if self.errors or instance.pk or not (instance.project_id and instance.establishment_id):
            return
        try:
            services.beneficiary_check(
                project=instance.project,
                establishment=instance.establishment,
                confirm=self.cleaned_data.get("confirm_double_funding", False),
            )
        except ValidationError as error:
            _add_service_error(self, error, self.SERVICE_FIELDS)


class BeneficiaryFormSet(LabelledFormSet):
    """New rows are saved through the service (history author, the confirmation recorded)."""

    user = None

    def save_new(self, form, commit=True):
        result = services.project_beneficiary_add(
            project=self.instance,
            establishment=form.cleaned_data["establishment"],
            confirm=form.cleaned_data.get("confirm_double_funding", False),
            note=form.cleaned_data.get("note", ""),
            user=self.user,
        )
        return result.link

    def delete_existing(self, obj, commit=True):
        if commit:
            services.project_beneficiary_remove(link=obj, user=self.user)


class BeneficiaryInline(PortalTabularInline):
    """The establishments a project supports, on the project's page."""

    model = ProjectBeneficiary
    form = BeneficiaryForm
    formset = BeneficiaryFormSet
    fields = ("establishment", "note", "confirm_double_funding", "double_funding_confirmed")
    readonly_fields = ("double_funding_confirmed",)
    autocomplete_fields = ("establishment",)
    extra = 0
    verbose_name = _("beneficiary establishment")
    verbose_name_plural = _("beneficiary establishments")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("establishment", "project__province")


class SupportInline(LabelledInlineMixin, admin.TabularInline):
    """The supports an establishment received, read-only: they are entered on the projects."""

    model = ProjectBeneficiary
    fields = ("project", "project_year", "project_category", "note", "double_funding_confirmed")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("support received")
    verbose_name_plural = _("supports received")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project__category", "project__province")

    @admin.display(description=_("year"))
    def project_year(self, obj: ProjectBeneficiary) -> int:
        return obj.project.year

    @admin.display(description=_("activity category"))
    def project_category(self, obj: ProjectBeneficiary) -> str:
        return str(obj.project.category)


@admin.register(Establishment)
class EstablishmentAdmin(PortalAdmin):
    # The tax code, the commune and the sector are searched and on the form, not columns: at 1366 px the list fits.
    list_display = (
        "name",
        "legal_form",
        "province",
        "women_owned",
        "ethnic_minority_owned",
        "support_count",
    )
    list_filter = ("legal_form", "women_owned", "ethnic_minority_owned", "province__region")
    search_fields = ("name", "=tax_code", "commune", "sector")
    list_select_related = ("province",)
    autocomplete_fields = ("province",)
    inlines = (SupportInline,)
    actions = ("link_projects_by_name",)
    excel_values = {"support_count": "support_total"}
    fieldsets = (
        (None, {"fields": ("name", "tax_code", "legal_form", ("province", "registered_on"))}),
        (_("Location and trade"), {"fields": ("commune", "address", "sector")}),
        (_("Priorities (Decree 235/2025)"), {"fields": ("women_owned", "ethnic_minority_owned")}),
        (None, {"fields": ("notes",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(support_total=Count("supports"))

    @admin.display(description=_("Supports"), ordering="support_total")
    def support_count(self, obj: Establishment) -> int:
        return obj.support_total

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.establishment_update(establishment=obj, user=request.user, **fields)
            return
        adopt(obj, services.establishment_create(user=request.user, **form.cleaned_data))

    @staticmethod
    def delete_service(obj: Establishment, user) -> None:
        services.establishment_delete(establishment=obj, user=user)

    @admin.action(description=_("Link the projects naming these establishments as beneficiary"))
    def link_projects_by_name(self, request, queryset):
        editable = access.editable(request.user, queryset)
        made = services.beneficiaries_link_by_name(establishments=editable, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d project linked by its beneficiary's name.",
                "%(count)d projects linked by their beneficiary's name.",
                made,
            )
            % {"count": made},
            messages.SUCCESS if made else messages.INFO,
        )


class BeneficiaryAdminForm(BeneficiaryForm):
    """The stand-alone page of one link (the project page's rows are the usual way)."""


@admin.register(ProjectBeneficiary)
class ProjectBeneficiaryAdmin(PortalAdmin):
    form = BeneficiaryAdminForm
    # The province (the project's, a filter) and the note stay off the list: at 1366 px it fits.
    list_display = ("project_code", "establishment", "year", "double_funding_confirmed")
    list_filter = ("double_funding_confirmed", "project__year", "project__province__region")
    search_fields = ("project__code", "project__title", "establishment__name", "=establishment__tax_code")
    list_select_related = ("project__province", "establishment")
    autocomplete_fields = ("project", "establishment")
    fields = ("project", "establishment", "note", "confirm_double_funding")

    @admin.display(description=_("Project"), ordering="project__code")
    def project_code(self, obj: ProjectBeneficiary) -> str:
        # The code, not the code and the title: a title is a sentence and pushed the list off 1366 px.
        return obj.project.code

    @admin.display(description=_("Province"), ordering="project__province__code")
    def province(self, obj: ProjectBeneficiary) -> str:
        return str(obj.project.province)

    @admin.display(description=_("Year"), ordering="project__year")
    def year(self, obj: ProjectBeneficiary) -> int:
        return obj.project.year

    def get_readonly_fields(self, request, obj=None):
        return ("project", "establishment") if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("project", "establishment", "note") if obj is not None else self.fields

    def save_model(self, request, obj, form, change):
        if change:
            services.project_beneficiary_update(link=obj, note=obj.note, user=request.user)
            return
        result = services.project_beneficiary_add(
            project=obj.project,
            establishment=obj.establishment,
            confirm=form.cleaned_data.get("confirm_double_funding", False),
            note=obj.note,
            user=request.user,
        )
        adopt(obj, result.link)

    @staticmethod
    def delete_service(obj: ProjectBeneficiary, user) -> None:
        services.project_beneficiary_remove(link=obj, user=user)
