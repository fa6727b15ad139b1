"""GET /api/v1/reports/summary/: the figures of docs/design.md §4 as JSON (docs/design.md §5).

Amounts and percentages are decimal strings (percentages rounded half-up to 2 places). A figure
with no record behind it (no approved plan, no project of the year, no target) is null, never
"0", and so is a percentage with nothing to divide by.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from common.numbers import round_pct
from programmes import access
from programmes.selectors import FUNDS, TOTAL, ProvinceMap, Summary, summary
from programmes.selectors.figure_cache import cached, scope_key

from .forms import ReportFilterForm

KEYS = (TOTAL, *FUNDS)


def _pct(value: Decimal | None) -> str | None:
    rounded = round_pct(value)
    return None if rounded is None else str(rounded)


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _by_fund(values: dict[str, Decimal | None], total: Decimal | None, text) -> dict[str, str | None]:
    return {TOTAL: text(total), **{fund: text(values[fund]) for fund in FUNDS}}


def province_rows_payload(result: Summary) -> list[dict]:
    """One row per province in force at the cut-off, with its territory's figures of the year."""
    return [
        {
            "province": row.province.pk,
            "code": row.province.code,
            "name": row.province.name,
            "plan_vnd": _by_fund(row.plan_vnd, row.plan_total_vnd, _amount),
            "original_plan_vnd": _by_fund(row.original_plan_vnd, row.original_plan_total_vnd, _amount),
            "actual_vnd": _by_fund(row.actual_vnd, row.actual_total_vnd, _amount),
            "completion_pct": {
                TOTAL: _pct(row.completion_pct),
                **{fund: _pct(row.fund_completion_pct(fund)) for fund in FUNDS},
            },
        }
        for row in result.provinces
    ]


def summary_payload(result: Summary, *, region: str | None, province: int | None) -> dict:
    """The JSON body of the summary endpoint for a computed Summary (filters echoed back)."""
    funds = result.funds
    return {
        "year": result.year,
        "as_of": result.as_of.isoformat(),
        "region": region,
        "province": province,
        "province_count": result.province_count,
        "plan_vnd": {key: _amount(funds[key].plan_vnd) for key in KEYS},
        "original_plan_vnd": {key: _amount(funds[key].original_plan_vnd) for key in KEYS},
        "actual_vnd": {key: _amount(funds[key].actual_vnd) for key in KEYS},
        "completion_pct": {key: _pct(funds[key].completion_pct) for key in KEYS},
        "plan_growth_pct": {key: _pct(funds[key].plan_growth_pct) for key in KEYS},
        "revised_plan_growth_pct": {key: _pct(funds[key].revised_plan_growth_pct) for key in KEYS},
        "share_of_national_pct": {
            "plan": {key: _pct(funds[key].plan_share_pct) for key in KEYS},
            "actual": {key: _pct(funds[key].actual_share_pct) for key in KEYS},
        },
        "plans_approved": {
            fund: {"approved": count.approved, "expected": count.expected}
            for fund, count in result.plans_approved.items()
        },
        "indicators": [
            {
                "code": indicator.code,
                "unit": indicator.unit,
                "target": indicator.target,
                "actual": indicator.actual,
                "completion_pct": _pct(indicator.completion_pct),
            }
            for indicator in result.indicators
        ],
        "disbursement_rate_pct": {key: _pct(funds[key].disbursement_rate_pct) for key in KEYS},
        "projects_by_status": result.pipeline,
        "reporting": [
            {
                "period": period.period,
                "end": period.end.isoformat(),
                "expected": period.expected,
                "submitted": period.submitted,
                "approved": period.approved,
                "late": period.late,
            }
            for period in result.reporting
        ],
        "provinces": province_rows_payload(result),
    }


class AmountsByFundSerializer(serializers.Serializer):
    """Whole đồng as decimal strings, for the total and each fund; null where no record is behind it."""

    total = serializers.CharField(allow_null=True)
    KCQG = serializers.CharField(allow_null=True)
    KCDP = serializers.CharField(allow_null=True)


class PercentsByFundSerializer(serializers.Serializer):
    """Percentages rounded half-up to 2 places as decimal strings; null with nothing to divide by."""

    total = serializers.CharField(allow_null=True)
    KCQG = serializers.CharField(allow_null=True)
    KCDP = serializers.CharField(allow_null=True)


class ApprovalCountSerializer(serializers.Serializer):
    approved = serializers.IntegerField()
    expected = serializers.IntegerField()


class IndicatorRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.IntegerField(allow_null=True, help_text="null: no target set")
    actual = serializers.IntegerField(allow_null=True, help_text="null: no project of the year in the scope")
    completion_pct = serializers.CharField(allow_null=True)


class ProvinceRowSerializer(serializers.Serializer):
    """A province in force at the cut-off, with its territory's figures of the whole year."""

    province = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    plan_vnd = AmountsByFundSerializer()
    original_plan_vnd = AmountsByFundSerializer()
    actual_vnd = AmountsByFundSerializer()
    completion_pct = PercentsByFundSerializer()


class ReportingRowSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=["H1", "9M", "FY"])
    end = serializers.DateField()
    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    late = serializers.IntegerField()


class ShareSerializer(serializers.Serializer):
    plan = PercentsByFundSerializer()
    actual = PercentsByFundSerializer()


class SummaryResponseSerializer(serializers.Serializer):
    """The shape of the summary (documentation for the OpenAPI schema)."""

    year = serializers.IntegerField()
    as_of = serializers.DateField()
    region = serializers.CharField(allow_null=True)
    province = serializers.IntegerField(allow_null=True)
    province_count = serializers.IntegerField()
    plan_vnd = AmountsByFundSerializer(help_text="Approved plans as revised")
    original_plan_vnd = AmountsByFundSerializer(help_text="The same plans as first approved")
    actual_vnd = AmountsByFundSerializer()
    completion_pct = PercentsByFundSerializer(help_text="Actual over the plan as revised")
    plan_growth_pct = PercentsByFundSerializer(
        help_text="First-approved plan over the previous year's first-approved plan, same territory"
    )
    revised_plan_growth_pct = PercentsByFundSerializer(
        help_text="Plan as revised over the previous year's plan as revised, same territory"
    )
    share_of_national_pct = ShareSerializer()
    plans_approved = serializers.DictField(child=ApprovalCountSerializer())
    indicators = IndicatorRowSerializer(many=True)
    disbursement_rate_pct = PercentsByFundSerializer()
    projects_by_status = serializers.DictField(child=serializers.IntegerField())
    reporting = ReportingRowSerializer(many=True)
    provinces = ProvinceRowSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter("year", int, required=True, description="Plan year, 2000–2100"),
        OpenApiParameter("region", str, description="Region code: north, central_highlands, south"),
        OpenApiParameter("province", int, description="Province id (a province of that year)"),
        OpenApiParameter("as_of", OpenApiTypes.DATE, description="Cut-off date (default 31 December)"),
        OpenApiParameter("period", str, enum=["H1", "9M", "FY"], description="Cut-off by period"),
    ],
    responses={
        200: SummaryResponseSerializer,
        400: OpenApiTypes.OBJECT,
        403: OpenApiTypes.OBJECT,
        404: OpenApiTypes.OBJECT,
    },
)
class ReportSummaryApi(APIView):
    """Plan, actual, completion, growth, share, approved plans and indicators for a year and scope.

    Query: `year` (required), `region` (code) or `province` (id), `as_of` (YYYY-MM-DD, default
    31 December) or `period` (H1, 9M, FY). 400 with field messages on bad filters.
    """

    def get(self, request):
        if access.role_of(request.user) is None:
            raise PermissionDenied()
        provinces = ProvinceMap.load()
        form = ReportFilterForm(request.query_params, provinces=provinces)
        if not form.is_valid():
            return Response(_messages(form), status=400)
        data = form.cleaned_data
        # Province staff read their own territory only; the nation's and regions' figures
        # would disclose other provinces'.
        if not access.can_read_scope(request.user, data["province"]):
            if data["province"] is None:
                raise PermissionDenied(_("Province staff can read their own province's summary only."))
            raise NotFound()
        region, province = data["region"] or None, data["province"]

        def payload(today):
            result = summary(year=data["year"], as_of=data["as_of"], scope=form.scope, provinces=provinces, today=today)
            return summary_payload(result, region=region, province=province)

        # The JSON itself is cached too, by the summary's rules (figure_cache.py): a hit skips
        # unpickling the summary's rows and building the payload.
        body = cached(
            "summary-api",
            year=data["year"],
            trend_years=0,
            today=None,
            parts=(data["as_of"], scope_key(form.scope), region, province),
            compute=payload,
        )
        return Response(body)


def _messages(form: ReportFilterForm) -> dict[str, list[str]]:
    """Form errors as DRF shapes them: {"field": ["message", …]}, general errors under non_field_errors."""
    return {
        ("non_field_errors" if name == "__all__" else name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }
