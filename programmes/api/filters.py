"""The API lists' filters (`?year=`, `?province=`, `?region=`, `?active_on=`…)."""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters

from ..models import (
    BudgetPlan,
    IndicatorTarget,
    Project,
    Province,
    ReportingPeriod,
)


class ProvinceFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code", label=_("Region code"))
    active_on = filters.DateFilter(method="filter_active_on", label=_("In force on (YYYY-MM-DD)"))

    class Meta:
        model = Province
        fields = ["region", "active_on", "code"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class RecordFilter(filters.FilterSet):
    """Filters shared by the province records: year, province (id), region (code), fund."""

    region = filters.CharFilter(field_name="province__region__code", label=_("Region code"))


class BudgetPlanFilter(RecordFilter):
    class Meta:
        model = BudgetPlan
        fields = ["year", "province", "region", "funding_source", "status"]


class IndicatorTargetFilter(RecordFilter):
    indicator = filters.CharFilter(field_name="indicator__code")

    class Meta:
        model = IndicatorTarget
        fields = ["year", "province", "region", "indicator"]


class ProjectFilter(RecordFilter):
    category = filters.CharFilter(field_name="category__code")

    class Meta:
        model = Project
        fields = ["year", "province", "region", "funding_source", "status", "category"]


class ReportingPeriodFilter(RecordFilter):
    class Meta:
        model = ReportingPeriod
        fields = ["year", "province", "region", "period", "status"]
