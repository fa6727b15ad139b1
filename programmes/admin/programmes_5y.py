"""Admin of the five-year programmes (issue 19, item 3): a programme and its targets on one
page. A national programme (no province) is the ministry's and the administrators'; a
province's programme its staff's. Writes go through services.programme_save / target_save /
target_delete / programme_delete.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import access, services
from ..models import FiveYearProgramme, ProgrammeTarget
from .base import (
    LabelledFormSet,
    LabelledInlineMixin,
    NumberInputsMixin,
    ParentAuthorityMixin,
    PortalAdmin,
    adopt,
    save_rows_one_by_one,
)
from .establishments import _add_service_error
from .products import NationalRecordsMixin, UserFormMixin

NATIONAL_PROGRAMMES_ONLY_MINISTRY = _("Choose your province: the national programmes are entered by the ministry.")


class ProgrammeForm(UserFormMixin, forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        national = not self.instance.province_id and "province" in self.fields
        if self.user is not None and national and not access.may_edit_record(self.user, None):
            self.add_error("province", NATIONAL_PROGRAMMES_ONLY_MINISTRY)

    class Meta:
        model = FiveYearProgramme
        fields = ("level", "province", "start_year", "title", "decision_number", "decided_on", "decided_by", "notes")


class TargetForm(forms.ModelForm):
    class Meta:
        model = ProgrammeTarget
        fields = ("order", "kind", "name", "value", "unit", "indicator")

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.target_check(target=self.instance)
        except ValidationError as error:
            _add_service_error(self, error, {})


# ParentAuthorityMixin: a stacked inline is not a PortalTabularInline, and without it the rows of
# a programme the user only reads were offered as editable on its read-only page.
class TargetInline(ParentAuthorityMixin, LabelledInlineMixin, NumberInputsMixin, admin.StackedInline):
    # Stacked, not a table: six fields with long indicator names did not fit 1366 px.
    formset = LabelledFormSet
    save_service = None
    model = ProgrammeTarget
    form = TargetForm
    fields = ("order", "kind", "name", "value", "unit", "indicator")
    extra = 1

    def _parent_editable(self, request, obj) -> bool:
        return obj is None or access.may_edit_record(request.user, obj.province)


@admin.register(FiveYearProgramme)
class FiveYearProgrammeAdmin(NationalRecordsMixin, PortalAdmin):
    form = ProgrammeForm
    list_display = ("title", "period", "level", "province", "decision_number", "decided_on", "page")
    list_filter = ("level", "start_year")
    search_fields = ("title", "decision_number", "province__name")
    list_select_related = ("province",)
    autocomplete_fields = ("province",)
    inlines = (TargetInline,)

    @admin.display(description=_("Period"), ordering="start_year")
    def period(self, obj: FiveYearProgramme) -> str:
        return f"{obj.start_year}–{obj.end_year}"

    @admin.display(description=_("Progress"))
    def page(self, obj: FiveYearProgramme) -> str:
        return format_html('<a href="{}">{}</a>', reverse("programmes:programme", args=[obj.pk]), _("Progress"))

    def save_model(self, request, obj, form, change):
        adopt(obj, services.programme_save(programme=obj, user=request.user))

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgrammeTarget:
            return super().save_formset(request, form, formset, change)
        save_rows_one_by_one(
            formset,
            parent_field="programme",
            parent=form.instance,
            save=lambda row: services.target_save(target=row, user=request.user),
            delete=lambda row: services.target_delete(target=row, user=request.user),
        )
        return None

    @staticmethod
    def delete_service(obj: FiveYearProgramme, user) -> None:
        services.programme_delete(programme=obj, user=user)
