"""The programme's API endpoints. Thin on purpose: every read is scoped by `programmes.access`,
every write goes through `programmes.services` (the same rules, locks and history as the admin
and the pages), and a refused write answers 400 with field messages, having saved nothing.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from common.api import run

from .. import access, services
from ..models import (
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    Province,
    Region,
)
from .filters import BudgetPlanFilter, IndicatorTargetFilter, ProjectFilter, ProvinceFilter
from .permissions import ReadOnlyForAll
from .serializers import (
    BudgetPlanSerializer,
    DisbursementSerializer,
    IndicatorTargetSerializer,
    ProjectOutputSerializer,
    ProjectSerializer,
    ProvinceSerializer,
    RegionSerializer,
    TransitionSerializer,
)


class RegionViewSet(ReadOnlyForAll, viewsets.ReadOnlyModelViewSet):
    """The three khuyến công regions."""

    queryset = Region.objects.order_by("order", "code")
    serializer_class = RegionSerializer
    lookup_field = "code"
    pagination_class = None


class ProvinceViewSet(ReadOnlyForAll, viewsets.ReadOnlyModelViewSet):
    """Provinces of both eras: 63 to 30/06/2025, 34 from 01/07/2025 (`merged_into` links them)."""

    queryset = Province.objects.select_related("region").order_by("code", "valid_from")
    serializer_class = ProvinceSerializer
    filterset_class = ProvinceFilter


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
        run(services.project_delete, project=instance, user=self.request.user)

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
