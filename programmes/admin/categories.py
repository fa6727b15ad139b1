"""Admin of the mapping between activity contents (issue 19, item 4): which later content
(Decree 235/2025) is compared with which content of the 2012 list. Reference data: the
administrators change it, every role reads it. Writes go through services.category_mapping_save
and category_mapping_delete.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import CategoryMapping
from .base import PortalAdmin, ServiceCheckedForm


class CategoryMappingForm(ServiceCheckedForm):
    check = staticmethod(lambda mapping: services.mapping_check(mapping=mapping))

    class Meta:
        model = CategoryMapping
        fields = ("category", "comparable_with", "note")


@admin.register(CategoryMapping)
class CategoryMappingAdmin(PortalAdmin):
    form = CategoryMappingForm
    list_display = ("category", "comparable_with", "valid_from", "note")
    list_select_related = ("category", "comparable_with")
    search_fields = ("category__name", "comparable_with__name")
    autocomplete_fields = ("category", "comparable_with")

    @admin.display(description=_("Later content in force from"), ordering="category__valid_from")
    def valid_from(self, obj: CategoryMapping):
        return obj.category.valid_from

    def save_model(self, request, obj, form, change):
        services.category_mapping_save(mapping=obj, user=request.user)

    @staticmethod
    def delete_service(obj: CategoryMapping, user) -> None:
        services.category_mapping_delete(mapping=obj, user=user)
