"""The API of the typical-products selection: rounds, entries, certificates (scoped, written
through the services) and the figures (GET /product-figures/?year=&level=&region=&province=&on=).
A regional or national round, and its entries and certificates, are written by the ministry
and the administrators; a province's by its staff.
"""

import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import run

from .. import access, services
from ..models import (
    Establishment,
    ProductCertificate,
    ProductEntry,
    Province,
    Region,
    SelectionLevel,
    SelectionRound,
)
from ..selectors.products import product_figures
from .permissions import ReadOnlyForAll
from .serializers import CodeField

ROUND_NOT_YOURS = _("You may not enter records of this round.")


class NationalWrites:
    """Reads for every role (scoped); writes for whoever may change the owning round."""

    def check_permissions(self, request):
        super().check_permissions(request)
        if access.role_of(request.user) is None:
            raise PermissionDenied(_("Your account has no role in the portal; ask an administrator."))
        if request.method not in ("GET", "HEAD", "OPTIONS") and not (
            access.editable_province_ids(request.user) != frozenset() or access.may_edit_record(request.user, None)
        ):
            raise PermissionDenied(_("Your role may read but not change records."))

    # The write each method is, for the Django permission that access.may_write asks.
    METHOD_ACTIONS = ReadOnlyForAll.METHOD_ACTIONS

    def require_round(self, round_: SelectionRound) -> None:
        """PermissionDenied unless the user may make this request's write on the viewset's
        model in `round_`'s province (None: a regional or national round): the admin's check
        (access.may_write)."""
        action = self.METHOD_ACTIONS[self.request.method]
        model = self.get_serializer_class().Meta.model
        if not access.may_write(self.request.user, action, model, round_.province):
            raise PermissionDenied(ROUND_NOT_YOURS)


class RoundSerializer(serializers.ModelSerializer):
    region = CodeField(slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True)
    entered = serializers.IntegerField(read_only=True)

    class Meta:
        model = SelectionRound
        fields = [
            "id",
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
            "entered",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        validators = []


class EntrySerializer(serializers.ModelSerializer):
    round = serializers.PrimaryKeyRelatedField(queryset=SelectionRound.objects.all())
    establishment = serializers.PrimaryKeyRelatedField(queryset=Establishment.objects.all())
    recognised = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = ProductEntry
        fields = [
            "id",
            "round",
            "establishment",
            "product_name",
            "group",
            "average_score",
            "qualifying_certificate",
            "recognised",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        validators = []


class CertificateSerializer(serializers.ModelSerializer):
    entry = serializers.PrimaryKeyRelatedField(queryset=ProductEntry.objects.all())

    class Meta:
        model = ProductCertificate
        fields = ["id", "entry", "number", "issued_on", "valid_to"]
        read_only_fields = ["valid_to"]


class RoundFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code")

    class Meta:
        model = SelectionRound
        fields = ["year", "level", "province", "region"]


class RoundViewSet(NationalWrites, viewsets.ModelViewSet):
    """Selection rounds by level (commune, district before 07/2025, province, region, nation)."""

    serializer_class = RoundSerializer
    filterset_class = RoundFilter

    def get_queryset(self):
        queryset = SelectionRound.objects.select_related("region").annotate(entered=Count("entries"))
        return access.visible(self.request.user, queryset).order_by("-year", "level", "id")

    def _save(self, serializer, round_):
        for name, value in serializer.validated_data.items():
            setattr(round_, name, value)
        self.require_round(round_)
        run(services.round_save, round=round_, user=self.request.user)
        serializer.instance = self.get_queryset().get(pk=round_.pk)

    def perform_create(self, serializer):
        self._save(serializer, SelectionRound())

    def perform_update(self, serializer):
        self.require_round(serializer.instance)
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        self.require_round(instance)
        run(services.round_delete, round=instance, user=self.request.user)


class EntryViewSet(NationalWrites, viewsets.ModelViewSet):
    """Products entered in rounds; `recognised` once the average score is 70 or more."""

    serializer_class = EntrySerializer
    filterset_fields = ["round", "group", "establishment"]

    def get_queryset(self):
        queryset = ProductEntry.objects.select_related("round__province", "establishment__province")
        return access.visible(self.request.user, queryset).order_by("round", "product_name", "id")

    def _save(self, serializer, entry):
        for name, value in serializer.validated_data.items():
            setattr(entry, name, value)
        self.require_round(entry.round)
        if not access.visible(self.request.user, Establishment).filter(pk=entry.establishment_id).exists():
            raise ValidationError({"establishment": [_("No such establishment in the provinces you may see.")]})
        run(services.entry_save, entry=entry, user=self.request.user)
        serializer.instance = entry

    def perform_create(self, serializer):
        self._save(serializer, ProductEntry())

    def perform_update(self, serializer):
        self.require_round(serializer.instance.round)
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        self.require_round(instance.round)
        run(services.entry_delete, entry=instance, user=self.request.user)


class CertificateViewSet(NationalWrites, viewsets.ModelViewSet):
    """Certificates of recognised products, valid to 31/12 of the third year from issue."""

    serializer_class = CertificateSerializer
    filterset_fields = ["entry"]

    def get_queryset(self):
        queryset = ProductCertificate.objects.select_related("entry__round__province")
        return access.visible(self.request.user, queryset).order_by("-issued_on", "id")

    def _save(self, serializer, certificate):
        for name, value in serializer.validated_data.items():
            setattr(certificate, name, value)
        self.require_round(certificate.entry.round)
        serializer.instance = run(services.certificate_save, certificate=certificate, user=self.request.user)

    def perform_create(self, serializer):
        self._save(serializer, ProductCertificate())

    def perform_update(self, serializer):
        self.require_round(serializer.instance.entry.round)
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        self.require_round(instance.entry.round)
        run(services.certificate_delete, certificate=instance, user=self.request.user)


class CountsSerializer(serializers.Serializer):
    entered = serializers.IntegerField()
    recognised = serializers.IntegerField()
    certified_valid = serializers.IntegerField()


class RoundRowSerializer(serializers.Serializer):
    round_id = serializers.IntegerField()
    label = serializers.CharField()
    level = serializers.CharField()
    year = serializers.IntegerField()
    place = serializers.CharField()
    region_code = serializers.CharField()
    decision_number = serializers.CharField()
    counts = CountsSerializer()
    reported_entered = serializers.IntegerField(allow_null=True)
    reported_recognised = serializers.IntegerField(allow_null=True)


class GroupRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    counts = CountsSerializer()


class FiguresSerializer(serializers.Serializer):
    on = serializers.DateField()
    rounds = RoundRowSerializer(many=True)
    by_level = GroupRowSerializer(many=True)
    by_group = GroupRowSerializer(many=True)
    by_province = GroupRowSerializer(many=True)
    total = CountsSerializer()
    reported_entered = serializers.IntegerField(allow_null=True)
    reported_recognised = serializers.IntegerField(allow_null=True)


class FiguresQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    level = serializers.ChoiceField(choices=SelectionLevel.choices, required=False)
    region = CodeField(slug_field="code", queryset=Region.objects.all(), required=False)
    province = serializers.PrimaryKeyRelatedField(queryset=Province.objects.all(), required=False)
    on = serializers.DateField(required=False, help_text="Certificates valid on this day (default today).")


def filtered_rounds(user, data: dict):
    """The rounds the user reads, filtered by the figures' query (year, level, region, province)."""
    rounds = access.visible(user, SelectionRound)
    if data.get("year"):
        rounds = rounds.filter(year=data["year"])
    if data.get("level"):
        rounds = rounds.filter(level=data["level"])
    if data.get("region"):
        rounds = rounds.filter(region=data["region"]) | rounds.filter(province__region=data["region"])
    if data.get("province"):
        rounds = rounds.filter(province=data["province"])
    return rounds


class FiguresView(NationalWrites, APIView):
    """Entered vs recognised, and certificates valid on a day, by round, level, group and province."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("level", str, enum=SelectionLevel.values),
            OpenApiParameter("region", str),
            OpenApiParameter("province", int),
            OpenApiParameter("on", datetime.date),
        ],
        responses={200: FiguresSerializer},
    )
    def get(self, request):
        query = FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rounds = filtered_rounds(request.user, data)
        entries = access.visible(request.user, ProductEntry).filter(round__in=rounds)
        figures = product_figures(rounds, on=data.get("on") or timezone.localdate(), entries=entries)
        return Response(FiguresSerializer(figures).data)
