"""The programme admin's toolkit: province scoping and locks on every page (ScopedAdminMixin,
PortalAdmin), Vietnamese number inputs, and the display helpers of its columns (money, counts,
the fund's short name). The conferences' admin uses it too.
"""

import dataclasses
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from common.admin import BoundedChangeListMixin, LabelledFormSet, LabelledInlineMixin
from common.forms import GroupedNumberInput
from common.numbers import format_vnd, group_digits

from .. import access
from ..fields import CountField, MoneyField
from ..models import (
    BudgetPlan,
    Project,
    Province,
    fund_short_label,
)
from ..selectors import locks

MONEY = models.DecimalField(max_digits=18, decimal_places=0)


def money(value: Decimal | int | None) -> str:
    """`1.250.000.000 đ` in Vietnamese, `1,250,000,000 VND` in English; empty for None."""
    return format_vnd(value, get_language())


def count(value: int | None, unit: str = "") -> str:
    """`1.724` (Vietnamese) or `1,724` (English), followed by `unit` when given; empty for None."""
    if value is None:
        return ""
    return f"{group_digits(value, get_language())} {unit}".strip()


@admin.display(description=pgettext_lazy("short column heading", "Fund"), ordering="funding_source")
def fund(obj: BudgetPlan | Project) -> str:
    """The fund's short name (KCQG, KCĐP), which officials use; the long label is too wide. The
    code (`KCDP`) is ASCII, the name is not: the list and its Excel copy show the name."""
    return fund_short_label(obj.funding_source)


def adopt(target: models.Model, saved: models.Model) -> None:
    """Turn the admin's unsaved `target` into the row a service created, so that what follows
    `save_model` (the log entry, the inlines, the redirect) uses the saved row."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


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

    def _may_write(self, request, action: str, obj) -> bool:
        if obj is None or not self._scoped():
            return True
        # The API asks the same (access.may_write): the permission and the province.
        return access.may_write(request.user, action, self.model, record_province(obj)) and not self.lock_reason(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_write(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_write(request, "delete", obj)

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


def _refusal_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def delete_selected_through_the_service(modeladmin, request, queryset):
    """Django's "delete selected" with every deletion asked of the admin's service
    (`delete_queryset`), all or nothing: a refusal is shown as the page's message and nothing
    is deleted, where Django's action would answer 500 after deleting part of the selection."""
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return django_delete_selected(modeladmin, request, queryset)
    except ValidationError as error:
        modeladmin.message_user(request, _refusal_text(error), messages.ERROR)
        return None


delete_selected_through_the_service.short_description = django_delete_selected.short_description
delete_selected_through_the_service.allowed_permissions = ("delete",)


class PortalAdmin(BoundedChangeListMixin, NumberInputsMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The portal's model admin. Writes that carry rules go through `programmes.services`:
    `save_model` in each admin; deletions through `delete_service` (on the record's page and
    with "delete selected"); the inlines' rows through their inline's `save_service`."""

    list_per_page = 50
    # No second COUNT(*) of the unfiltered table for "N of M selected" on every list: at
    # national scale (400,000 disbursements, 546,871 lifecycle steps) it costs a table scan
    # per page view, on top of the paginator's count of the filtered rows.
    show_full_result_count = False
    # `delete_service(obj, user)` deletes one record under the service's rules, raising
    # ValidationError when refused; None where no rule guards a deletion (reference data).
    delete_service = None
    # For a column the page formats (money, a count with its unit, shortened text): the
    # attribute holding its value, which the changelist's Excel file writes as a number or in full.
    excel_values: dict[str, str] = {}
    # The columns of the changelist's Excel copy, when it has more than the page: a list must fit
    # a 1366 px screen, so its secondary columns (a category, a note, a decision number) are on
    # the record's page and in the file, not on the list. The page's own columns still choose
    # the order (`?o=` counts them), so reports.changelist_export reads this for the cells only.
    excel_list_display: tuple | None = None

    @property
    def excel_export(self) -> bool:
        """Whether the changelist offers "Download Excel" (reports.changelist_export.changelist_xlsx):
        the province-owned records, scoped as the list is."""
        return self._scoped()

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if "delete_selected" in actions and self.delete_service is not None:
            actions["delete_selected"] = dataclasses.replace(
                actions["delete_selected"], func=delete_selected_through_the_service
            )
        return actions

    def deletion_order(self, objects: list) -> list:
        """The order in which several selected records are deleted (see DisbursementAdmin)."""
        return objects

    def delete_model(self, request, obj):
        if self.delete_service is None:
            return super().delete_model(request, obj)
        type(self).delete_service(obj, request.user)

    def delete_queryset(self, request, queryset):
        if self.delete_service is None:
            return super().delete_queryset(request, queryset)
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in self.deletion_order(list(queryset)):
                type(self).delete_service(obj, request.user)

    def delete_view(self, request, object_id, extra_context=None):
        # The service may refuse after the confirmation (the net total, a lock taken meanwhile):
        # Django's view runs in a transaction, so the refusal rolls back its log entry too, and
        # the user is sent back to the record with the reason instead of a 500.
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, _refusal_text(error), messages.ERROR)
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id])
            return HttpResponseRedirect(url)

    def save_formset(self, request, form, formset, change):
        service = getattr(formset, "save_service", None)
        if service is None:
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        service(project=form.instance, rows=rows, deleted=formset.deleted_objects, user=request.user)
        formset.save_m2m()

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


def save_rows_one_by_one(formset, *, parent_field: str, parent: models.Model, save, delete) -> None:
    """Save an inline's rows one by one through a record's services: `delete(row)` for each
    deleted row, then `save(row)` for each new or changed one with `parent_field` set to
    `parent`. Fills what Django's change message reads of a formset it did not save itself
    (`new_objects`, `changed_objects`, `deleted_objects`)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for deleted in formset.deleted_forms:
        if deleted.instance.pk:
            delete(deleted.instance)
            formset.deleted_objects.append(deleted.instance)
    for row_form in formset.forms:
        if row_form in formset.deleted_forms or not row_form.has_changed():
            continue
        row = row_form.instance
        setattr(row, parent_field, parent)
        adding = row.pk is None
        save(row)
        if adding:
            formset.new_objects.append(row)
        else:
            formset.changed_objects.append((row, row_form.changed_data))


class ServiceCheckedForm(forms.ModelForm):
    """A form whose record a service checks before saving it: after the model's own checks, the
    service's `check` (totals, locks) runs on the unsaved record, and its ValidationError lands
    on the form like any other, rather than as a 500 from `save_model`."""

    check = None  # a function of the unsaved record, raising ValidationError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            type(self).check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class ParentAuthorityMixin:
    """An inline's rows are added, changed and deleted only where its parent record is editable
    by the user (`_parent_editable`, the province's authority by default), whatever the inline's
    layout (tabular or stacked): a record the user only reads shows its rows read-only."""

    def _parent_editable(self, request, obj) -> bool:
        return obj is None or access.can_edit_province(request.user, record_province(obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)


class PortalTabularInline(ParentAuthorityMixin, LabelledInlineMixin, NumberInputsMixin, admin.TabularInline):
    extra = 1
    formset = LabelledFormSet
    # `save_service(project=…, rows=…, deleted=…, user=…)` saves the rows of one submit as one
    # change under the service's rules (PortalAdmin.save_formset); None: Django's own save.
    save_service = None

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        service = type(self).save_service
        formset.save_service = None if service is None else staticmethod(service)
        return formset


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
