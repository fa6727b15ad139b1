"""The API's shapes of the programme's records (docs/design.md §5): what is read and what a
write may send; references to categories and indicators by code.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers

from ..models import (
    MAX_YEAR,
    MIN_YEAR,
    ActivityCategory,
    BudgetPlan,
    Disbursement,
    Indicator,
    IndicatorTarget,
    Period,
    PlanRevision,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    Region,
    ReportingPeriod,
)
from ..selectors import report_figures


class CodeField(serializers.SlugRelatedField):
    """A reference by code (category, indicator). Refuses text that cannot be a code before
    asking the database: PostgreSQL rejects a NUL byte in a query with an error, not a miss."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 64:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data).replace("\x00", ""))
        return super().to_internal_value(data)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "name_en"]


class ProvinceSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Province
        fields = ["id", "code", "name", "kind", "region", "valid_from", "valid_to", "merged_into"]


class PlanRevisionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PlanRevision
        fields = ["id", "from_vnd", "to_vnd", "decision_number", "decided_on", "reason", "recorded_by", "recorded_at"]
        read_only_fields = fields


class BudgetPlanSerializer(serializers.ModelSerializer):
    """A plan. `status` is written only on create (draft; `approved` by an administrator loading
    history, with `decision_number` and `approved_on`); afterwards it, the decision and the
    first-approved amount change only through the actions (submit, approve, send-back, reopen,
    revise)."""

    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    planned_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=0)
    revisions = PlanRevisionSerializer(many=True, read_only=True)

    # Fields an update may not change, and the action that changes each.
    WORKFLOW_FIELDS = {
        "status": "submit, approve, send-back, reopen",
        "decision_number": "approve, revise",
        "approved_on": "approve",
    }

    def validate(self, attrs):
        if self.instance is not None:
            errors = {
                name: _("“%(field)s” is changed only through the actions POST /budget-plans/{id}/%(actions)s/.")
                % {"field": name, "actions": "{" + actions + "}"}
                for name, actions in self.WORKFLOW_FIELDS.items()
                if name in attrs and attrs[name] != getattr(self.instance, name)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return attrs

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
            "revisions",
            "updated_at",
        ]
        read_only_fields = ["original_vnd", "status_reason", "revisions", "updated_at"]
        # Uniqueness and every other rule are the model's (full_clean, in the service): one message.
        validators = []


class IndicatorTargetSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    indicator = CodeField(slug_field="code", queryset=Indicator.objects.all())
    target = serializers.IntegerField(min_value=0, max_value=10**9)

    class Meta:
        model = IndicatorTarget
        fields = ["id", "province", "year", "indicator", "target", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []


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


class TransitionSerializer(serializers.ModelSerializer):
    to = serializers.ChoiceField(source="to_status", choices=ProjectStatus.choices)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ProjectTransition
        fields = ["id", "from_status", "to", "date", "document_number", "note", "user", "recorded_at"]
        read_only_fields = ["from_status", "user", "recorded_at"]


class DisbursementSerializer(serializers.ModelSerializer):
    amount_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=1)

    class Meta:
        model = Disbursement
        fields = ["id", "date", "amount_vnd", "kind", "document_number", "note", "updated_at"]
        read_only_fields = ["updated_at"]


class ProjectOutputSerializer(serializers.ModelSerializer):
    indicator = CodeField(slug_field="code", queryset=Indicator.objects.all())
    value = serializers.IntegerField(min_value=1, max_value=10**9)

    class Meta:
        model = ProjectOutput
        fields = ["id", "indicator", "date", "value", "note", "updated_at"]
        read_only_fields = ["updated_at"]


class ApproveSerializer(serializers.Serializer):
    decision_number = serializers.CharField(max_length=64)
    approved_on = serializers.DateField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReviseSerializer(serializers.Serializer):
    planned_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=0)
    decision_number = serializers.CharField(max_length=64)
    decided_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class ReportingPeriodSerializer(serializers.ModelSerializer):
    """A province's report of a period. `approved_figures`: what it was approved with (null until
    approved); the list and the detail add `live_figures`, the same figures as the records give
    them now, and `changed_figures`, those that differ."""

    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    end_date = serializers.DateField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "province",
            "year",
            "period",
            "end_date",
            "status",
            "deadline",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
            "status_reason",
            "approved_figures",
        ]
        read_only_fields = fields


def _changed(period, live: dict) -> list[dict] | None:
    """The figures of an approved report that the records now give otherwise: group (a fund,
    "total" or "indicator"), key, approved, live, difference (live − approved); None for a report
    without stored figures (not approved, or approved before the portal kept them)."""
    if not period.approved_figures:
        return None
    return [
        {
            "group": row.group,
            "key": row.key,
            "approved": None if row.approved is None else str(row.approved),
            "live": None if row.live is None else str(row.live),
            "difference": None if row.difference is None else str(row.difference),
        }
        for row in report_figures.compare(period, live)
        if row.changed
    ]


class ReportingPeriodListSerializer(ReportingPeriodSerializer):
    """A report in the list: as the detail, `live_figures` (the figures as the records give them
    now) and `changed_figures` (each figure that differs from the approved one, with the
    difference), computed for the whole page at once (`report_figures.live_figures_of`, passed
    in the context as `live_figures`)."""

    live_figures = serializers.SerializerMethodField()
    changed_figures = serializers.SerializerMethodField()

    class Meta(ReportingPeriodSerializer.Meta):
        fields = [*ReportingPeriodSerializer.Meta.fields, "live_figures", "changed_figures"]
        read_only_fields = fields

    def _live(self, period) -> dict:
        computed = self.context.get("live_figures")
        if computed is None:
            return report_figures.live_figures(period)
        return computed[period.province_id, period.year, period.period]

    def get_live_figures(self, period) -> dict:
        return self._live(period)

    def get_changed_figures(self, period) -> list[dict] | None:
        return _changed(period, self._live(period))


class ReportingPeriodDetailSerializer(ReportingPeriodListSerializer):
    """A report, its approved figures beside the live ones (computed for it alone)."""


class PeriodSubmitSerializer(serializers.Serializer):
    province = serializers.PrimaryKeyRelatedField(queryset=Province.objects.all())
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    period = serializers.ChoiceField(choices=Period.choices)
