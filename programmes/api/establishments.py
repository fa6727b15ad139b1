"""The API of the establishments' register and of the projects' beneficiaries.

`/establishments/` lists, reads, creates, changes and deletes establishments (scoped by
province); `/establishments/{id}/supports/` lists every support one received.
`/projects/{project_pk}/beneficiaries/` lists a project's establishments and attaches one:
a possible double funding answers 400 with the warnings under `confirm`, unless the body says
`"confirm": true`, in which case the link is saved (201) and the warnings confirmed are
returned under `warnings`.
"""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.api import run

from .. import access, services
from ..models import Establishment, Project, ProjectBeneficiary
from ..selectors.establishments import establishment_supports
from .permissions import ReadOnlyForAll


class EstablishmentSerializer(serializers.ModelSerializer):
    support_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Establishment
        fields = [
            "id",
            "name",
            "tax_code",
            "legal_form",
            "province",
            "commune",
            "address",
            "sector",
            "women_owned",
            "ethnic_minority_owned",
            "registered_on",
            "notes",
            "support_count",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # The uniqueness of the tax code and every other rule are the model's (full_clean in
        # the service): one message, in Vietnamese.
        validators = []
        extra_kwargs = {"tax_code": {"validators": []}}


class SupportSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    year = serializers.IntegerField()
    province = serializers.CharField()
    fund = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    cancelled = serializers.BooleanField()
    support_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    disbursed_vnd = serializers.DecimalField(max_digits=20, decimal_places=0)
    double_funding_confirmed = serializers.BooleanField()


class SupportsSerializer(serializers.Serializer):
    rows = SupportSerializer(many=True)
    support_by_fund_vnd = serializers.DictField(child=serializers.DecimalField(max_digits=20, decimal_places=0))
    total_support_vnd = serializers.DecimalField(max_digits=20, decimal_places=0)
    disbursed_vnd = serializers.DecimalField(max_digits=20, decimal_places=0)


class BeneficiarySerializer(serializers.ModelSerializer):
    establishment = serializers.PrimaryKeyRelatedField(queryset=Establishment.objects.all())
    establishment_name = serializers.CharField(source="establishment.name", read_only=True)
    confirm = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Save despite a possible double funding (a support of the same content a year apart).",
    )
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True, default=list)

    class Meta:
        model = ProjectBeneficiary
        fields = [
            "id",
            "establishment",
            "establishment_name",
            "note",
            "double_funding_confirmed",
            "confirm",
            "warnings",
            "created_at",
        ]
        read_only_fields = ["double_funding_confirmed", "created_at"]
        validators = []


class EstablishmentFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="province__region__code", label=_("Region code"))
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Establishment
        fields = ["province", "region", "legal_form", "tax_code", "women_owned", "ethnic_minority_owned", "name"]


@extend_schema_view(
    list=extend_schema(summary="Rural industrial establishments (cơ sở CNNT)"),
    create=extend_schema(summary="Register an establishment (province in force on `registered_on`)"),
)
class EstablishmentViewSet(ReadOnlyForAll, viewsets.ModelViewSet):
    """The establishments' register: scoped by province (staff of a new province see their
    predecessors' establishments); writes through services.establishment_*."""

    serializer_class = EstablishmentSerializer
    filterset_class = EstablishmentFilter

    def get_queryset(self):
        queryset = Establishment.objects.annotate(support_count=Count("supports"))
        return access.visible(self.request.user, queryset).order_by("province__code", "name", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        self.require_edit(data["province"])
        establishment = run(services.establishment_create, user=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=establishment.pk)

    def perform_update(self, serializer):
        establishment = serializer.instance
        self.require_edit(establishment.province)
        data = dict(serializer.validated_data)
        if "province" in data:
            self.require_edit(data["province"])
        run(services.establishment_update, establishment=establishment, user=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=establishment.pk)

    def perform_destroy(self, instance):
        self.require_edit(instance.province)
        run(services.establishment_delete, establishment=instance, user=self.request.user)

    @extend_schema(responses={200: SupportsSerializer})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def supports(self, request, pk=None):
        """Every support the establishment received (projects across years, funds and contents)."""
        establishment = self.get_object()
        return Response(SupportsSerializer(establishment_supports(establishment)).data)


@extend_schema_view(
    create=extend_schema(
        summary="Attach an establishment to the project",
        description=(
            "A possible double funding (the same establishment supported for the same content in "
            "the same year or a year apart) answers 400 with the warnings under `confirm`; send "
            '`"confirm": true` to save anyway: the answer (201) lists the warnings confirmed.'
        ),
        responses={201: BeneficiarySerializer, 400: OpenApiResponse(description="Refused, or a warning to confirm")},
    ),
)
class ProjectBeneficiaryViewSet(ReadOnlyForAll, viewsets.ModelViewSet):
    """A project's beneficiary establishments: the project must be visible (else 404)."""

    serializer_class = BeneficiarySerializer
    pagination_class = None
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            visible = access.visible(self.request.user, Project.objects.select_related("province"))
            self._project = get_object_or_404(visible, pk=self.kwargs["project_pk"])
        return self._project

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no project
            return ProjectBeneficiary.objects.none()
        return (
            ProjectBeneficiary.objects.filter(project=self.get_project())
            .select_related("establishment", "project__province")
            .order_by("establishment__name", "id")
        )

    def perform_create(self, serializer):
        project = self.get_project()
        self.require_edit(project.province)
        data = serializer.validated_data
        establishment = data["establishment"]
        if not access.visible(self.request.user, Establishment).filter(pk=establishment.pk).exists():
            raise ValidationError({"establishment": [_("No such establishment in the provinces you may see.")]})
        result = run(
            services.project_beneficiary_add,
            project=project,
            establishment=establishment,
            confirm=data.get("confirm", False),
            note=data.get("note", ""),
            user=self.request.user,
        )
        result.link.warnings = result.warnings
        serializer.instance = result.link

    def perform_destroy(self, instance):
        self.require_edit(self.get_project().province)
        run(services.project_beneficiary_remove, link=instance, user=self.request.user)
