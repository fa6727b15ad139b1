"""The API of the activity contents that change with the law (issue 19, item 4):

- GET /activity-categories/?in_force=YEAR — the contents (with their validity and the earlier
  content each later one is compared with), those in force in YEAR when given;
- GET /category-figures/?year=2024&year=2026&comparable=true&province=ID — projects, support and
  disbursements by content for each year, over the provinces the user reads (the province's
  territory when given); `comparable` folds the Decree 235/2025 contents into the 2012 ones.

Read-only: the contents and their mapping are reference data, changed in the admin.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access
from ..models import MAX_YEAR, MIN_YEAR, ActivityCategory, Province
from ..selectors.categories import category_figures
from .permissions import ReadOnlyForAll

# A trend of more years than this is a report, not a request: the figures' query stays small.
MAX_YEARS = 12


class CategorySerializer(serializers.ModelSerializer):
    comparable_with = serializers.SerializerMethodField(
        help_text="The code of the earlier content this one is compared with in trends; null if none."
    )

    class Meta:
        model = ActivityCategory
        fields = [
            "code",
            "order",
            "name",
            "name_en",
            "legal_basis",
            "valid_from",
            "valid_to",
            "is_active",
            "comparable_with",
        ]

    def get_comparable_with(self, category: ActivityCategory) -> str | None:
        mapping = getattr(category, "mapping", None)
        return mapping.comparable_with.code if mapping is not None else None


class CategoryQuery(serializers.Serializer):
    in_force = serializers.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)


class CategoryViewSet(ReadOnlyForAll, viewsets.ReadOnlyModelViewSet):
    """Activity contents of Decree 45/2012 Art. 4 as amended by Decree 235/2025, with their validity."""

    serializer_class = CategorySerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return ActivityCategory.objects.select_related("mapping__comparable_with")

    @extend_schema(parameters=[OpenApiParameter("in_force", int, description="Only the contents in force that year.")])
    def list(self, request, *args, **kwargs):
        query = CategoryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        categories = list(self.get_queryset())
        year = query.validated_data.get("in_force")
        if year is not None:
            categories = [category for category in categories if category.in_force_in(year)]
        return Response(self.get_serializer(categories, many=True).data)


class FiguresQuery(serializers.Serializer):
    year = serializers.ListField(
        child=serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR), min_length=1, max_length=MAX_YEARS
    )
    comparable = serializers.BooleanField(required=False, default=False)
    province = serializers.PrimaryKeyRelatedField(queryset=Province.objects.all(), required=False)


class YearFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    in_force = serializers.BooleanField()
    projects = serializers.IntegerField()
    support_vnd = serializers.DecimalField(max_digits=20, decimal_places=0, allow_null=True, coerce_to_string=False)
    disbursed_vnd = serializers.DecimalField(max_digits=20, decimal_places=0, allow_null=True, coerce_to_string=False)


class CategoryFiguresSerializer(serializers.Serializer):
    code = serializers.CharField(source="category.code")
    name = serializers.CharField(source="category.name")
    folded = serializers.SerializerMethodField(help_text="Codes of the later contents counted in this row.")
    years = YearFiguresSerializer(many=True)

    def get_folded(self, row) -> list[str]:
        return [category.code for category in row.folded]


class CategoryFiguresView(ReadOnlyForAll, APIView):
    """Projects, support and disbursements by activity content, year by year (None: nothing recorded)."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, many=True, required=True),
            OpenApiParameter("comparable", bool, description="Fold the Decree 235/2025 contents into the 2012 list."),
            OpenApiParameter("province", int),
        ],
        responses={200: CategoryFiguresSerializer(many=True)},
    )
    def get(self, request):
        data = {**request.query_params.dict(), "year": request.query_params.getlist("year")}
        query = FiguresQuery(data=data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        ids = access.visible_province_ids(request.user)
        province = data.get("province")
        if province is not None:
            current = province.merged_into_id or province.pk
            territory = frozenset(
                Province.objects.filter(Q(pk=current) | Q(merged_into_id=current)).values_list("pk", flat=True)
            )
            if ids is not None and not territory & ids:
                raise ValidationError({"province": [_("Your account does not read this province's records.")]})
            ids = territory if ids is None else territory & ids
        rows = category_figures(years=data["year"], province_ids=ids, comparable=data["comparable"])
        return Response(CategoryFiguresSerializer(rows, many=True).data)
