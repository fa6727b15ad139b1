"""REST API v1 for the programme records (DESIGN §5): regions, provinces, plans, targets,
projects with their lifecycle, disbursements and outputs.

Thin on purpose (STYLE C13): every read is scoped by `programmes.access`, every write goes
through `programmes.services` (the same rules, locks and history as the admin and the
pages), and a refused write answers 400 with field messages, having saved nothing.
"""

from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from common.api import run

from . import access, services
from .models import (
    MAX_YEAR,
    MIN_YEAR,
    ActivityCategory,
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    Indicator,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    Region,
)


class CodeField(serializers.SlugRelatedField):
    """A reference by code (category, indicator). Refuses text that cannot be a code before
    asking the database: PostgreSQL rejects a NUL byte in a query with an error, not a miss."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 64:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data).replace("\x00", ""))
        return super().to_internal_value(data)


class ReadOnlyForAll:
    """Reads for every role (scoped by province); writes need a province the user enters."""

    def require_edit(self, province) -> None:
        if not access.can_edit_province(self.request.user, province):
            raise PermissionDenied(_("You may not enter records for this province."))

    def check_permissions(self, request):
        super().check_permissions(request)
        if access.role_of(request.user) is None:
            raise PermissionDenied(_("Your account has no role in the portal; ask an administrator."))
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and access.editable_province_ids(request.user) == frozenset()
        ):
            raise PermissionDenied(_("Your role may read but not change records."))


# --- reference data --------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "name_en"]


class RegionViewSet(ReadOnlyForAll, viewsets.ReadOnlyModelViewSet):
    """The three khuyến công regions."""

    queryset = Region.objects.order_by("order", "code")
    serializer_class = RegionSerializer
    lookup_field = "code"
    pagination_class = None


class ProvinceSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Province
        fields = ["id", "code", "name", "kind", "region", "valid_from", "valid_to", "merged_into"]


class ProvinceFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code", label=_("Region code"))
    active_on = filters.DateFilter(method="filter_active_on", label=_("In force on (YYYY-MM-DD)"))

    class Meta:
        model = Province
        fields = ["region", "active_on", "code"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class ProvinceViewSet(ReadOnlyForAll, viewsets.ReadOnlyModelViewSet):
    """Provinces of both eras: 63 to 30/06/2025, 34 from 01/07/2025 (`merged_into` links them)."""

    queryset = Province.objects.select_related("region").order_by("code", "valid_from")
    serializer_class = ProvinceSerializer
    filterset_class = ProvinceFilter


# --- plans and targets -----------------------------------------------------------------------


class RecordFilter(filters.FilterSet):
    """Filters shared by the province records: year, province (id), region (code), fund."""

    region = filters.CharFilter(field_name="province__region__code", label=_("Region code"))


class BudgetPlanSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    planned_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=0)

    class Meta:
        model = BudgetPlan
        fields = [
            "id",
            "province",
            "year",
            "funding_source",
            "planned_vnd",
            "original_vnd",
            "status",
            "decision_number",
            "approved_on",
            "notes",
            "status_reason",
            "updated_at",
        ]
        read_only_fields = ["original_vnd", "status_reason", "updated_at"]
        # Uniqueness and every other rule are the model's (full_clean, in the service): one message.
        validators = []


class BudgetPlanFilter(RecordFilter):
    class Meta:
        model = BudgetPlan
        fields = ["year", "province", "region", "funding_source", "status"]


@extend_schema_view(
    list=extend_schema(summary="Budget plans (kế hoạch kinh phí)"),
    create=extend_schema(summary="Create a plan; a status other than draft needs an approver"),
)
class BudgetPlanViewSet(ReadOnlyForAll, viewsets.ModelViewSet):
    """Plans by province, year and fund. Writes go through services.budget_plan_save (locks)."""

    serializer_class = BudgetPlanSerializer
    filterset_class = BudgetPlanFilter

    def get_queryset(self):
        return access.visible(self.request.user, BudgetPlan.objects.select_related("province")).order_by(
            "-year", "province__code", "funding_source"
        )

    def _check_status(self, status: str, previous: str | None) -> None:
        if status != (previous or ApprovalStatus.DRAFT) and not access.can_approve(self.request.user):
            raise PermissionDenied(_("Only ministry officials and administrators change a plan's status."))

    def perform_create(self, serializer):
        data = serializer.validated_data
        self.require_edit(data["province"])
        self._check_status(data.get("status", ApprovalStatus.DRAFT), None)
        serializer.instance = run(services.budget_plan_save, plan=BudgetPlan(**data), user=self.request.user)

    def perform_update(self, serializer):
        plan = serializer.instance
        self.require_edit(plan.province)
        data = serializer.validated_data
        if "province" in data:
            self.require_edit(data["province"])
        self._check_status(data.get("status", plan.status), plan.status)
        for name, value in data.items():
            setattr(plan, name, value)
        serializer.instance = run(services.budget_plan_save, plan=plan, user=self.request.user)

    def perform_destroy(self, instance):
        self.require_edit(instance.province)
        run(services.budget_plan_delete, plan=instance, user=self.request.user)


class IndicatorTargetSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    indicator = CodeField(slug_field="code", queryset=Indicator.objects.all())
    target = serializers.IntegerField(min_value=0, max_value=10**9)

    class Meta:
        model = IndicatorTarget
        fields = ["id", "province", "year", "indicator", "target", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []


class IndicatorTargetFilter(RecordFilter):
    indicator = filters.CharFilter(field_name="indicator__code")

    class Meta:
        model = IndicatorTarget
        fields = ["year", "province", "region", "indicator"]


class IndicatorTargetViewSet(ReadOnlyForAll, viewsets.ModelViewSet):
    """A province's target for an indicator in a year (trained workers, models built…)."""

    serializer_class = IndicatorTargetSerializer
    filterset_class = IndicatorTargetFilter

    def get_queryset(self):
        return access.visible(
            self.request.user, IndicatorTarget.objects.select_related("province", "indicator")
        ).order_by("-year", "province__code", "indicator__order")

    def perform_create(self, serializer):
        self.require_edit(serializer.validated_data["province"])
        target = IndicatorTarget(**serializer.validated_data)
        serializer.instance = run(services.indicator_target_save, target=target, user=self.request.user)

    def perform_update(self, serializer):
        target = serializer.instance
        self.require_edit(target.province)
        if "province" in serializer.validated_data:
            self.require_edit(serializer.validated_data["province"])
        for name, value in serializer.validated_data.items():
            setattr(target, name, value)
        serializer.instance = run(services.indicator_target_save, target=target, user=self.request.user)

    def perform_destroy(self, instance):
        self.require_edit(instance.province)
        run(services.indicator_target_delete, target=instance, user=self.request.user)


# --- projects --------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    code = serializers.CharField(max_length=64, required=False, allow_blank=True)
    category = CodeField(slug_field="code", queryset=ActivityCategory.objects.all())
    support_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=0)
    counterpart_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=0, required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    status_date = serializers.DateField(
        write_only=True,
        required=False,
        help_text="On create: the date of the lifecycle steps implied by `status` (default 1 January of the year).",
    )
    disbursed_vnd = serializers.DecimalField(max_digits=20, decimal_places=0, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            *Project.DESCRIPTIVE_FIELDS,
            "status",
            "status_date",
            "status_changed_on",
            "disbursed_vnd",
            "updated_at",
        ]
        read_only_fields = ["status_changed_on", "updated_at"]
        validators = []


class ProjectFilter(RecordFilter):
    category = filters.CharFilter(field_name="category__code")

    class Meta:
        model = Project
        fields = ["year", "province", "region", "funding_source", "status", "category"]


class TransitionSerializer(serializers.ModelSerializer):
    to = serializers.ChoiceField(source="to_status", choices=ProjectStatus.choices)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ProjectTransition
        fields = ["id", "from_status", "to", "date", "document_number", "note", "user", "recorded_at"]
        read_only_fields = ["from_status", "user", "recorded_at"]


class ProjectViewSet(ReadOnlyForAll, viewsets.ModelViewSet):
    """Projects (đề án). Create in any lifecycle status (historical records: the implied steps
    are recorded at `status_date`); move on with POST /projects/{id}/transitions/."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def get_queryset(self):
        queryset = Project.objects.select_related("province", "category").with_disbursed_vnd()
        return access.visible(self.request.user, queryset).order_by("-year", "province__code", "code")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        self.require_edit(data["province"])
        status = data.pop("status", ProjectStatus.PROPOSED)
        status_date = data.pop("status_date", None)
        project = run(services.project_create, user=self.request.user, status=status, status_date=status_date, **data)
        serializer.instance = self.get_queryset().get(pk=project.pk)

    def perform_update(self, serializer):
        project = serializer.instance
        self.require_edit(project.province)
        data = dict(serializer.validated_data)
        data.pop("status_date", None)
        status = data.pop("status", project.status)
        if status != project.status:
            raise ValidationError({"status": [_("Change the status with POST /projects/{id}/transitions/.")]})
        if "province" in data:
            self.require_edit(data["province"])
        run(services.project_update, project=project, user=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=project.pk)

    def perform_destroy(self, instance):
        self.require_edit(instance.province)
        try:
            instance.delete()
        except ProtectedError:
            raise ValidationError(
                {"non_field_errors": [_("The project has disbursements or outputs; cancel it instead of deleting it.")]}
            ) from None

    @extend_schema(
        request=TransitionSerializer, responses={200: TransitionSerializer(many=True), 201: TransitionSerializer}
    )
    @action(detail=True, methods=["get", "post"], serializer_class=TransitionSerializer, pagination_class=None)
    def transitions(self, request, pk=None):
        """GET: the project's lifecycle steps. POST {"to", "date", "document_number", "note"}: one more step."""
        project = self.get_object()
        if request.method == "GET":
            steps = project.transitions.select_related("user").order_by("date", "id")
            return Response(TransitionSerializer(steps, many=True).data)
        self.require_edit(project.province)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        step = run(
            services.project_transition,
            project=project,
            to_status=data["to_status"],
            date=data["date"],
            document_number=data.get("document_number", ""),
            note=data.get("note", ""),
            user=request.user,
        )
        return Response(TransitionSerializer(step).data, status=201)


# --- money and outputs of a project ------------------------------------------------------------


class ProjectChildViewSet(ReadOnlyForAll, viewsets.ModelViewSet):
    """Records nested under /projects/{project_pk}/: the project must be visible (else 404)."""

    model = None

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            visible = access.visible(self.request.user, Project.objects.select_related("province"))
            self._project = get_object_or_404(visible, pk=self.kwargs["project_pk"])
        return self._project

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no project
            return self.model.objects.none()
        return self.model.objects.filter(project=self.get_project()).select_related("project__province")


class DisbursementSerializer(serializers.ModelSerializer):
    amount_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=1)

    class Meta:
        model = Disbursement
        fields = ["id", "date", "amount_vnd", "kind", "document_number", "note", "updated_at"]
        read_only_fields = ["updated_at"]


class DisbursementViewSet(ProjectChildViewSet):
    """Money paid to a project (advance, payment) or returned by it (recovery, counted negative)."""

    model = Disbursement
    serializer_class = DisbursementSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return super().get_queryset().order_by("date", "id")

    def perform_create(self, serializer):
        project = self.get_project()
        self.require_edit(project.province)
        serializer.instance = run(
            services.disbursement_create, project=project, user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        self.require_edit(self.get_project().province)
        serializer.instance = run(
            services.disbursement_update,
            disbursement=serializer.instance,
            user=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        self.require_edit(self.get_project().province)
        run(services.disbursement_delete, disbursement=instance, user=self.request.user)


class ProjectOutputSerializer(serializers.ModelSerializer):
    indicator = CodeField(slug_field="code", queryset=Indicator.objects.all())
    value = serializers.IntegerField(min_value=1, max_value=10**9)

    class Meta:
        model = ProjectOutput
        fields = ["id", "indicator", "date", "value", "note", "updated_at"]
        read_only_fields = ["updated_at"]


class ProjectOutputViewSet(ProjectChildViewSet):
    """What a project achieved: so many workers trained, models built… on a date."""

    model = ProjectOutput
    serializer_class = ProjectOutputSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("indicator").order_by("date", "id")

    def perform_create(self, serializer):
        project = self.get_project()
        self.require_edit(project.province)
        serializer.instance = run(
            services.output_create, project=project, user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        self.require_edit(self.get_project().province)
        serializer.instance = run(
            services.output_update, output=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        self.require_edit(self.get_project().province)
        run(services.output_delete, output=instance, user=self.request.user)
