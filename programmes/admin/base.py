"""The programme admin's toolkit: province scoping and locks on every page (ScopedAdminMixin,
PortalAdmin), Vietnamese number inputs, and the display helpers of its columns (money, counts,
the fund's short name). The conferences' admin uses it too.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
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


@admin.display(description=_("Fund"), ordering="funding_source")
def fund(obj: BudgetPlan | Project) -> str:
    """The fund's short name (KCQG, KCDP), which officials use; the long label is too wide."""
    return obj.funding_source


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


class PortalAdmin(BoundedChangeListMixin, NumberInputsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50
    # For a column the page formats (money, a count with its unit, shortened text): the
    # attribute holding its value, which the changelist's Excel file writes as a number or in full.
    excel_values: dict[str, str] = {}

    @property
    def excel_export(self) -> bool:
        """Whether the changelist offers "Download Excel" (reports.changelist_export.changelist_xlsx):
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
