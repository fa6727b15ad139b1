"""The programme's API endpoints. Thin on purpose: every read is scoped by `programmes.access`,
every write goes through `programmes.services` (the same rules, locks and history as the admin
and the pages), and a refused write answers 400 with field messages, having saved nothing.
"""

from django.db.models import Prefetch
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
    PlanRevision,
    Project,
    ProjectOutput,
    ProjectStatus,
    Province,
    Region,
    ReportingPeriod,
)
from ..selectors import report_figures
from .filters import BudgetPlanFilter, IndicatorTargetFilter, ProjectFilter, ProvinceFilter, ReportingPeriodFilter
from .permissions import ReadOnlyForAll, require_decide_period, require_decide_plans
from .serializers import (
    ApproveSerializer,
    BudgetPlanSerializer,
    DisbursementSerializer,
    IndicatorTargetSerializer,
    PeriodSubmitSerializer,
    ProjectOutputSerializer,
    ProjectSerializer,
    ProvinceSerializer,
    ReasonSerializer,
    RegionSerializer,
    ReportingPeriodDetailSerializer,
    ReportingPeriodListSerializer,
    ReportingPeriodSerializer,
    ReviseSerializer,
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


PLAN_ACTION_RESPONSES = {200: BudgetPlanSerializer}


@extend_schema_view(
    list=extend_schema(summary="Budget plans (kế hoạch kinh phí), each with its revisions"),
    create=extend_schema(
        summary="Create a plan: a draft, or (administrators loading history) an approved plan with its "
        "decision_number and approved_on"
    ),
    update=extend_schema(summary="Change a draft plan; status and decision change only through the actions"),
    partial_update=extend_schema(summary="Change a draft plan; status and decision change only through the actions"),
)
class BudgetPlanViewSet(ReadOnlyForAll, viewsets.ModelViewSet):
    """Plans by province, year and fund. Writes go through services.budget_plan_save (locks); the
    status only through the actions below, each one service of services.plans."""

    serializer_class = BudgetPlanSerializer
    filterset_class = BudgetPlanFilter
    decision_actions = frozenset({"approve", "send_back", "reopen", "revise"})

    def get_queryset(self):
        revisions = PlanRevision.objects.select_related("recorded_by").order_by("decided_on", "id")
        return (
            access.visible(self.request.user, BudgetPlan.objects.select_related("province"))
            .prefetch_related(Prefetch("revisions", queryset=revisions))
            .order_by("-year", "province__code", "funding_source")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        self.require_edit(data["province"])
        status = data.get("status", ApprovalStatus.DRAFT)
        if status == ApprovalStatus.SUBMITTED:
            raise ValidationError({"status": [_("Create the plan as a draft, then POST /budget-plans/{id}/submit/.")]})
        if status == ApprovalStatus.APPROVED:
            if access.role_of(self.request.user) != access.Role.ADMIN:
                raise PermissionDenied(_("Only administrators record a plan already approved (loading history)."))
            missing = {
                name: [message]
                for name, message in (
                    ("decision_number", _("Enter the number of the approval decision.")),
                    ("approved_on", _("Enter the date of the approval decision.")),
                )
                if not data.get(name)
            }
            if missing:
                raise ValidationError(missing)
        serializer.instance = run(services.budget_plan_save, plan=BudgetPlan(**data), user=self.request.user)

    def perform_update(self, serializer):
        plan = serializer.instance
        self.require_edit(plan.province)
        data = serializer.validated_data
        if "province" in data:
            self.require_edit(data["province"])
        for name, value in data.items():
            setattr(plan, name, value)
        serializer.instance = run(services.budget_plan_save, plan=plan, user=self.request.user)

    def perform_destroy(self, instance):
        self.require_edit(instance.province)
        run(services.budget_plan_delete, plan=instance, user=self.request.user)

    def _answer(self, plan):
        return Response(BudgetPlanSerializer(self.get_queryset().get(pk=plan.pk)).data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=None, responses=PLAN_ACTION_RESPONSES, summary="Submit a draft plan for approval")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = self.get_object()
        self.require_edit(plan.province)
        return self._answer(run(services.plan_submit, plan=plan, user=request.user))

    @extend_schema(request=ApproveSerializer, responses=PLAN_ACTION_RESPONSES, summary="Approve a submitted plan")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()
        require_decide_plans(request.user)
        data = self._input(ApproveSerializer)
        return self._answer(run(services.plan_approve, plan=plan, user=request.user, **data))

    @extend_schema(
        request=ReasonSerializer, responses=PLAN_ACTION_RESPONSES, summary="Send a submitted plan back to draft"
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        plan = self.get_object()
        require_decide_plans(request.user)
        data = self._input(ReasonSerializer)
        return self._answer(run(services.plan_send_back, plan=plan, user=request.user, **data))

    @extend_schema(
        request=ReasonSerializer, responses=PLAN_ACTION_RESPONSES, summary="Reopen an approved plan (back to draft)"
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        plan = self.get_object()
        require_decide_plans(request.user)
        data = self._input(ReasonSerializer)
        return self._answer(run(services.plan_reopen, plan=plan, user=request.user, **data))

    @extend_schema(
        request=ReviseSerializer,
        responses=PLAN_ACTION_RESPONSES,
        summary="Revise an approved plan by decision (the first-approved amount is kept)",
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        plan = self.get_object()
        require_decide_plans(request.user)
        data = self._input(ReviseSerializer)
        run(services.budget_plan_revise, plan=plan, user=request.user, **data)
        return self._answer(plan)


@extend_schema_view(
    list=extend_schema(
        summary="Reports of a period (6 months, 9 months, the year), with the figures each was approved with"
    ),
    retrieve=extend_schema(summary="A report, its approved figures beside the live ones"),
)
class ReportingPeriodViewSet(ReadOnlyForAll, viewsets.ReadOnlyModelViewSet):
    """A province's reports. Read-only records: they change only through the actions, each one
    service of services.reporting. A report never submitted has no record yet: it is submitted
    with POST /reporting-periods/submit/ {province, year, period} (which also resubmits one sent
    back)."""

    filterset_class = ReportingPeriodFilter
    decision_actions = frozenset({"approve", "send_back", "reopen"})

    def get_queryset(self):
        queryset = ReportingPeriod.objects.select_related("province", "submitted_by", "approved_by")
        return access.visible(self.request.user, queryset).order_by("-year", "province__code", "period")

    def get_serializer_class(self):
        return ReportingPeriodDetailSerializer if self.action == "retrieve" else ReportingPeriodListSerializer

    def list(self, request, *args, **kwargs):
        """The page of reports, each with its live figures computed for the page at once
        (`report_figures.live_figures_of`: a fixed number of queries, not a summary per report)."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        records = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "live_figures": report_figures.live_figures_of(records)}
        data = ReportingPeriodListSerializer(records, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _answer(self, record, status=200):
        return Response(ReportingPeriodSerializer(self.get_queryset().get(pk=record.pk)).data, status=status)

    def _reason(self):
        serializer = ReasonSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["reason"]

    @extend_schema(
        request=PeriodSubmitSerializer,
        responses={200: ReportingPeriodSerializer},
        summary="Submit a province's report of a period (creating its record if it has none)",
    )
    @action(detail=False, methods=["post"])
    def submit(self, request):
        serializer = PeriodSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not access.can_see_province(request.user, data["province"]):
            raise PermissionDenied(_("You may not enter records for this province."))
        if not access.may_submit_period(request.user, data["province"]):
            raise PermissionDenied(_("Only the province's staff submit its report."))
        return self._answer(run(services.period_submit, user=request.user, **data))

    @extend_schema(request=None, responses={200: ReportingPeriodSerializer}, summary="Approve a submitted report")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        record = self.get_object()
        require_decide_period(request.user)
        return self._answer(run(services.period_approve, period=record, user=request.user))

    @extend_schema(
        request=ReasonSerializer, responses={200: ReportingPeriodSerializer}, summary="Send a submitted report back"
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        record = self.get_object()
        require_decide_period(request.user)
        return self._answer(run(services.period_return, period=record, user=request.user, reason=self._reason()))

    @extend_schema(
        request=ReasonSerializer, responses={200: ReportingPeriodSerializer}, summary="Reopen an approved report"
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        record = self.get_object()
        require_decide_period(request.user)
        return self._answer(run(services.period_reopen, period=record, user=request.user, reason=self._reason()))


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
        # A step changes the project (its status): the project's change permission.
        self.require_edit(project.province, action="change", model=Project)
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
