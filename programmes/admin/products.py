"""Admin of the typical-products selection: rounds (a province's, or the ministry's regional
and national ones), entries with their certificate on the same page, and certificates.
Writes go through services.round_save / entry_save / certificate_save.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .. import access, services
from ..models import ProductCertificate, ProductEntry, SelectionRound
from .base import PortalAdmin, PortalTabularInline, adopt, record_province, save_rows_one_by_one
from .establishments import _add_service_error


class NationalRecordsMixin:
    """A regional or national round (no province) is the ministry's and the administrator's to
    change; a province's round, its entries and certificates follow the province."""

    def has_add_permission(self, request, *args):
        if not admin.ModelAdmin.has_add_permission(self, request, *args):
            return False
        return access.editable_province_ids(request.user) != frozenset() or access.may_edit_record(request.user, None)

    def _may_write(self, request, action: str, obj) -> bool:
        if obj is None:
            return True
        # The API asks the same (access.may_write), a national record's None province included.
        return access.may_write(request.user, action, self.model, self.owner_province(obj))

    def owner_province(self, obj):
        return record_province(obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return access.visible(request.user, queryset)


ROUND_NOT_YOURS = _("You may not enter products in this round.")
NATIONAL_ROUNDS_ONLY_MINISTRY = _("Choose your province: regional and national rounds are entered by the ministry.")


class UserFormMixin:
    """The admin gives the form its user (`get_form`), for the checks of who enters what."""

    user = None


class RoundForm(UserFormMixin, forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        national = not self.instance.province_id and "province" in self.fields
        if self.user is not None and national and not access.may_edit_record(self.user, None):
            self.add_error("province", NATIONAL_ROUNDS_ONLY_MINISTRY)

    class Meta:
        model = SelectionRound
        fields = (
            "level",
            "year",
            "province",
            "region",
            "commune",
            "held_on",
            "decision_number",
            "decided_on",
            "reported_entered",
            "reported_recognised",
            "notes",
        )


@admin.register(SelectionRound)
class SelectionRoundAdmin(NationalRecordsMixin, PortalAdmin):
    form = RoundForm
    list_display = ("__str__", "level", "year", "province", "region", "held_on", "decision_number", "entered")
    list_filter = ("level", "year", "region")
    search_fields = ("decision_number", "province__name", "commune")
    list_select_related = ("province", "region")
    autocomplete_fields = ("province",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description=_("Entered"), ordering="entry_count")
    def entered(self, obj: SelectionRound) -> int:
        return obj.entry_count

    def save_model(self, request, obj, form, change):
        services.round_save(round=obj, user=request.user)

    @staticmethod
    def delete_service(obj: SelectionRound, user) -> None:
        services.round_delete(round=obj, user=user)


class EntryForm(UserFormMixin, forms.ModelForm):
    """An entry, checked by the service's cross-record rules on validation."""

    class Meta:
        model = ProductEntry
        fields = ("round", "establishment", "product_name", "group", "average_score", "qualifying_certificate")

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        if self.user is not None and not access.may_edit_record(self.user, self.instance.round.province):
            self.add_error("round", ROUND_NOT_YOURS)
            return
        try:
            services.entry_check(entry=self.instance)
        except ValidationError as error:
            _add_service_error(self, error, {})


class CertificateForm(forms.ModelForm):
    class Meta:
        model = ProductCertificate
        fields = ("number", "issued_on")


class CertificateFormSet(PortalTabularInline.formset):
    user = None

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form)):
                try:
                    services.certificate_check(entry=self.instance)
                except ValidationError as error:
                    form.add_error(None, error.message_dict.get("entry", error.messages))


class CertificateInline(PortalTabularInline):
    model = ProductCertificate
    form = CertificateForm
    formset = CertificateFormSet
    fields = ("number", "issued_on", "valid_to")
    readonly_fields = ("valid_to",)
    extra = 1
    max_num = 1
    verbose_name = _("certificate")
    verbose_name_plural = _("certificate")

    def _parent_editable(self, request, obj) -> bool:
        return obj is None or access.may_edit_record(request.user, obj.round.province)


@admin.register(ProductEntry)
class ProductEntryAdmin(NationalRecordsMixin, PortalAdmin):
    form = EntryForm
    # The product group is a filter, not a column: at 1366 px the list fits without it.
    list_display = ("product_name", "establishment", "round", "average_score", "recognised_mark")
    list_filter = ("round__level", "round__year", "group", "establishment__province__region")
    search_fields = ("product_name", "establishment__name", "=establishment__tax_code")
    list_select_related = ("establishment", "round__province", "round__region")
    autocomplete_fields = ("establishment", "round", "qualifying_certificate")
    inlines = (CertificateInline,)

    def owner_province(self, obj):
        # An entry is changed by whoever runs its round.
        return obj.round.province

    @admin.display(description=_("Recognised"), boolean=True)
    def recognised_mark(self, obj: ProductEntry) -> bool | None:
        return obj.recognised

    def save_model(self, request, obj, form, change):
        services.entry_save(entry=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductCertificate:
            return super().save_formset(request, form, formset, change)
        save_rows_one_by_one(
            formset,
            parent_field="entry",
            parent=form.instance,
            save=lambda row: services.certificate_save(certificate=row, user=request.user),
            delete=lambda row: services.certificate_delete(certificate=row, user=request.user),
        )
        return None

    @staticmethod
    def delete_service(obj: ProductEntry, user) -> None:
        services.entry_delete(entry=obj, user=user)


@admin.register(ProductCertificate)
class ProductCertificateAdmin(NationalRecordsMixin, PortalAdmin):
    list_display = ("number", "entry", "issued_on", "valid_to")
    list_filter = ("entry__round__level", "entry__round__year")
    search_fields = ("number", "entry__product_name", "entry__establishment__name")
    list_select_related = ("entry__establishment", "entry__round")
    autocomplete_fields = ("entry",)
    fields = ("entry", "number", "issued_on", "valid_to")
    readonly_fields = ("valid_to",)
    date_hierarchy = "issued_on"

    def owner_province(self, obj):
        return obj.entry.round.province

    def save_model(self, request, obj, form, change):
        adopt(obj, services.certificate_save(certificate=obj, user=request.user))

    @staticmethod
    def delete_service(obj: ProductCertificate, user) -> None:
        services.certificate_delete(certificate=obj, user=user)
