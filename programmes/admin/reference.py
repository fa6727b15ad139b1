"""Admin of the reference data: regions, provinces (with their eras), extension centres and
their networks, activity categories, indicators.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.admin import yes_no_icon
from common.forms import CountFormField, GroupedNumberInput

from .. import access, services
from ..models import (
    ActivityCategory,
    CollaboratorNetwork,
    ExtensionCentre,
    Indicator,
    Province,
    Region,
)
from .base import NUMBER_INPUTS, PortalAdmin, PortalTabularInline, ServiceCheckedForm


@admin.register(Region)
class RegionAdmin(PortalAdmin):
    list_display = ("name", "code", "order")
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


@admin.display(description=_("In use"), ordering="is_active")
def in_use(obj) -> str:
    return yes_no_icon(obj.is_active)


class ActivityCategoryForm(ServiceCheckedForm):
    """A content's validity is checked against the projects that use it (services.category_check)."""

    check = staticmethod(lambda category: services.category_check(category=category))

    class Meta:
        model = ActivityCategory
        fields = ("code", "order", "name", "name_en", "legal_basis", "valid_from", "valid_to", "is_active")


@admin.register(ActivityCategory)
class ActivityCategoryAdmin(PortalAdmin):
    form = ActivityCategoryForm
    list_display = ("order", "name", "code", "legal_basis", "valid_from", "valid_to", in_use)
    list_display_links = ("order", "name")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "code")

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj, user=request.user)


@admin.register(Indicator)
class IndicatorAdmin(PortalAdmin):
    # The category is on the indicator's page and in the list's filter: the list fits 1366 px.
    list_display = ("order", "name", "unit", "code", in_use)
    list_display_links = ("order", "name")
    list_filter = ("is_active", "category")
    search_fields = ("name", "name_en", "code", "unit")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
