"""The API of the five-year programmes (issue 19, item 3): the programmes with their targets
(written through services.programme_save, target_save), and GET /five-year-programmes/{id}/progress/,
the programme page's figures (None where nothing is recorded). A national programme is written by
the ministry and the administrators, a province's by its staff.
"""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.api import run

from .. import access, services
from ..models import FiveYearProgramme, Indicator, ProgrammeTarget
from ..selectors.programmes_5y import programme_progress
from .products import NationalWrites
from .serializers import CodeField


class TargetSerializer(serializers.ModelSerializer):
    indicator = CodeField(slug_field="code", queryset=Indicator.objects.all(), required=False, allow_null=True)

    class Meta:
        model = ProgrammeTarget
        fields = ["id", "order", "kind", "name", "value", "unit", "indicator"]


class ProgrammeSerializer(serializers.ModelSerializer):
    targets = TargetSerializer(many=True, required=False)

    class Meta:
        model = FiveYearProgramme
        fields = [
            "id",
            "level",
            "province",
            "start_year",
            "end_year",
            "title",
            "decision_number",
            "decided_on",
            "decided_by",
            "notes",
            "targets",
            "updated_at",
        ]
        read_only_fields = ["end_year", "updated_at"]
        validators = []


class TargetProgressSerializer(serializers.Serializer):
    name = serializers.CharField(source="target.name")
    kind = serializers.CharField(source="target.kind")
    value = serializers.DecimalField(source="target.value", max_digits=12, decimal_places=2, coerce_to_string=False)
    unit = serializers.CharField(source="target.unit")
    measured = serializers.BooleanField()
    actual = serializers.DecimalField(max_digits=20, decimal_places=0, allow_null=True, coerce_to_string=False)
    completion_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False)


class YearMoneySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    projects = serializers.IntegerField()
    support_vnd = serializers.DecimalField(max_digits=20, decimal_places=0, allow_null=True, coerce_to_string=False)
    disbursed_vnd = serializers.DecimalField(max_digits=20, decimal_places=0, allow_null=True, coerce_to_string=False)


class ProgressSerializer(serializers.Serializer):
    targets = TargetProgressSerializer(many=True)
    years = YearMoneySerializer(many=True)
    support_total_vnd = serializers.DecimalField(
        max_digits=20, decimal_places=0, allow_null=True, coerce_to_string=False
    )
    disbursed_total_vnd = serializers.DecimalField(
        max_digits=20, decimal_places=0, allow_null=True, coerce_to_string=False
    )


class ProgrammeViewSet(NationalWrites, viewsets.ModelViewSet):
    """Five-year programmes (national and provincial) with their decision and targets."""

    serializer_class = ProgrammeSerializer
    filterset_fields = ["level", "start_year", "province"]

    def get_queryset(self):
        targets = Prefetch("targets", queryset=ProgrammeTarget.objects.select_related("indicator"))
        queryset = FiveYearProgramme.objects.prefetch_related(targets)
        return access.visible(self.request.user, queryset).order_by("-start_year", "level", "id")

    def require_programme(self, programme: FiveYearProgramme) -> None:
        self.require_round(programme)  # the same authority check: the record's province, or None

    def _save(self, serializer, programme):
        data = dict(serializer.validated_data)
        targets = data.pop("targets", None)
        for name, value in data.items():
            setattr(programme, name, value)
        self.require_programme(programme)
        # The programme and its targets as one change: a refused target saves nothing.
        with transaction.atomic():
            run(services.programme_save, programme=programme, user=self.request.user)
            if targets is not None:
                for old in programme.targets.all():
                    run(services.target_delete, target=old, user=self.request.user)
                for fields in targets:
                    target = ProgrammeTarget(programme=programme, **fields)
                    run(services.target_save, target=target, user=self.request.user)
        serializer.instance = self.get_queryset().get(pk=programme.pk)

    def perform_create(self, serializer):
        self._save(serializer, FiveYearProgramme())

    def perform_update(self, serializer):
        self.require_programme(serializer.instance)
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        self.require_programme(instance)
        run(services.programme_delete, programme=instance, user=self.request.user)

    @extend_schema(responses={200: ProgressSerializer})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Targets with their progress to date, and the programme's money year by year."""
        programme = self.get_object()
        figures = programme_progress(programme, province_ids=access.visible_province_ids(request.user))
        return Response(ProgressSerializer(figures).data)
