"""REST API v1 for the regional conferences: a read-only list and detail (docs/design.md §5).

Thin on purpose (docs/architecture.md, C13): the querysets come from `conferences.selectors`; every user with a
portal role reads (docs/design.md §7), and changes are made in the admin by the ministry.
`GET /api/v1/conferences/?region=south&year=2016`, `GET /api/v1/conferences/{id}/` with the
papers, recommendations and awards nested.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated

from programmes import access
from programmes.models import Province

from . import selectors
from .models import Award, Conference, Paper, Recommendation, ReportedFigure


class HasPortalRole(BasePermission):
    """Any signed-in user with a portal role (province staff, ministry, viewer, administrator)."""

    message = gettext_lazy("Your account has no role in the portal; ask an administrator.")

    def has_permission(self, request, view) -> bool:
        return access.role_of(request.user) is not None


class ProvinceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name"]


class ConferenceFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code", label=gettext_lazy("Region code"))
    year = filters.NumberFilter(field_name="year", label=gettext_lazy("Year"))

    class Meta:
        model = Conference
        fields = ["region", "year"]


class PaperSerializer(serializers.ModelSerializer):
    province = ProvinceRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Paper
        fields = ["id", "order", "presenter", "position", "organisation", "province", "title", "summary"]


class RecommendationSerializer(serializers.ModelSerializer):
    province = ProvinceRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "order",
            "raised_by",
            "province",
            "addressed_to",
            "addressed_to_other",
            "text",
            "status",
            "response",
            "resolved_on",
        ]


class AwardSerializer(serializers.ModelSerializer):
    province = ProvinceRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "order",
            "award_type",
            "recipient_kind",
            "recipient_name",
            "recipient_detail",
            "province",
            "reason",
        ]


class ConferenceListApi(generics.ListAPIView):
    """The regional conferences, newest first; filter by `region` (code) and `year`."""

    class OutputSerializer(serializers.ModelSerializer):
        region = serializers.SlugRelatedField(slug_field="code", read_only=True)
        edition_roman = serializers.CharField(read_only=True)
        title = serializers.CharField(read_only=True)
        host_province = ProvinceRefSerializer(read_only=True)
        next_host_province = ProvinceRefSerializer(read_only=True, allow_null=True)
        attending_count = serializers.IntegerField(read_only=True)

        class Meta:
            ref_name = "ConferenceSummary"
            model = Conference
            fields = [
                "id",
                "region",
                "edition",
                "edition_roman",
                "title",
                "year",
                "start_date",
                "end_date",
                "host_province",
                "venue",
                "city",
                "organiser",
                "attendee_count",
                "attending_count",
                "next_host_province",
            ]

    permission_classes = [IsAuthenticated, HasPortalRole]
    serializer_class = OutputSerializer
    filterset_class = ConferenceFilter

    def get_queryset(self):
        return selectors.conference_list()


class ReportedFigureSerializer(serializers.ModelSerializer):
    """A figure as the conference's report quoted it: `value` in its unit (đồng, percent or count)."""

    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)

    class Meta:
        model = ReportedFigure
        fields = ["id", "order", "year", "figure", "fund", "indicator", "value", "quoted_as", "source"]


class ConferenceDetailApi(generics.RetrieveAPIView):
    """One conference with its attending provinces, papers, recommendations, awards and the
    figures its report quoted."""

    class OutputSerializer(serializers.ModelSerializer):
        region = serializers.SlugRelatedField(slug_field="code", read_only=True)
        edition_roman = serializers.CharField(read_only=True)
        title = serializers.CharField(read_only=True)
        host_province = ProvinceRefSerializer(read_only=True)
        next_host_province = ProvinceRefSerializer(read_only=True, allow_null=True)
        attending_provinces = ProvinceRefSerializer(many=True, read_only=True)
        papers = PaperSerializer(many=True, read_only=True)
        recommendations = RecommendationSerializer(many=True, read_only=True)
        awards = AwardSerializer(many=True, read_only=True)
        reported_figures = ReportedFigureSerializer(many=True, read_only=True)

        class Meta:
            ref_name = "ConferenceDetail"
            model = Conference
            fields = [
                "id",
                "region",
                "edition",
                "edition_roman",
                "title",
                "year",
                "start_date",
                "end_date",
                "host_province",
                "venue",
                "city",
                "organiser",
                "chairs",
                "attendee_count",
                "attending_provinces",
                "summary",
                "next_host_province",
                "papers",
                "recommendations",
                "awards",
                "reported_figures",
            ]

    permission_classes = [IsAuthenticated, HasPortalRole]
    serializer_class = OutputSerializer
    filter_backends = []

    def get_object(self):
        conference = selectors.conference_with_parts().filter(pk=self.kwargs["pk"]).first()
        if conference is None:
            raise NotFound(_("There is no such conference."))
        return conference
