"""Read side of the programme: the figures of DESIGN §4 for a year, a scope and a cut-off date.

One definition of every figure, used by the dashboards, the API and the Excel workbooks. The
database returns sums grouped by province (a few hundred rows at most, whatever the number of
projects and disbursements); the roll-ups to a province's territory, a region and the nation
are sums of those rows in Python, and every ratio comes from `progress.py`. The number of
queries is fixed: see `summary`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    MONEY_SUM,
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Period,
    Project,
    ProjectOutput,
    ProjectStatus,
    Province,
    Region,
    ReportingPeriod,
    period_end,
    signed_amount_vnd,
)
from .rules import progress

FUNDS: tuple[str, ...] = tuple(FundingSource.values)
TOTAL = "total"
ZERO = Decimal(0)

# Projects whose contract has been signed: their support is money committed to be disbursed.
COMMITTED_STATUSES = (
    ProjectStatus.CONTRACTED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.ACCEPTED,
    ProjectStatus.SETTLED,
    ProjectStatus.SUSPENDED,
)

# The ministry sets each report's deadline; when a period has none, it is due this many days
# after the period ends (the monthly progress reports of TT 36/2013 are due by the 25th).
DEFAULT_REPORT_DELAY_DAYS = 15

TREND_YEARS = 10


def cutoff_date(year: int, period: str) -> datetime.date:
    """The cut-off date of a reporting period of `year`: 30/06 (H1), 30/09 (9M), 31/12 (FY)."""
    return period_end(year, period)


@dataclass(frozen=True)
class Scope:
    """Nation (both None), a region, or a province: its territory, i.e. itself and the provinces
    merged into it, so that a post-2025 province is compared with its predecessors."""

    region: Region | None = None
    province: Province | None = None

    @property
    def kind(self) -> str:
        if self.province is not None:
            return "province"
        if self.region is not None:
            return "region"
        return "nation"


@dataclass
class ProvinceMap:
    """Every province with its region, loaded in one query and shared by the selectors."""

    by_id: dict[int, Province]

    @classmethod
    def load(cls) -> "ProvinceMap":
        return cls({p.pk: p for p in Province.objects.select_related("region").order_by("code", "valid_from")})

    def regions(self) -> list[Region]:
        """The regions that have provinces, in their display order."""
        found = {p.region_id: p.region for p in self.by_id.values()}
        return sorted(found.values(), key=lambda region: (region.order, region.code))

    def territory(self, scope: Scope) -> set[int]:
        """Ids of the provinces whose records count for `scope`, of every era."""
        if scope.province is not None:
            pk = scope.province.pk
            return {pk} | {other for other, p in self.by_id.items() if p.merged_into_id == pk}
        if scope.region is not None:
            return {pk for pk, p in self.by_id.items() if p.region_id == scope.region.pk}
        return set(self.by_id)

    def in_force_on(self, ids: Iterable[int], day: datetime.date) -> set[int]:
        """The provinces of `ids` in force on `day`."""
        return {pk for pk in ids if self.by_id[pk].in_force_on(day)}

    def in_year(self, ids: Iterable[int], year: int) -> list[Province]:
        """The provinces of `ids` in force on some day of `year`, by code then era."""
        return sorted(
            (self.by_id[pk] for pk in ids if self.by_id[pk].active_in_year(year)),
            key=lambda p: (p.code, p.valid_from),
        )


@dataclass(frozen=True)
class FundFigures:
    """Plan and actual of one fund (or the total) for a scope, with the nation's to compare.

    Percentages are exact Decimals (round with `progress.round_pct` to show), None when there
    is nothing to divide by.
    """

    plan_vnd: Decimal
    actual_vnd: Decimal
    plan_prev_vnd: Decimal
    nation_plan_vnd: Decimal
    nation_actual_vnd: Decimal
    committed_vnd: Decimal

    @property
    def completion_pct(self) -> Decimal | None:
        return progress.completion_pct(self.actual_vnd, self.plan_vnd)

    @property
    def plan_growth_pct(self) -> Decimal | None:
        return progress.growth_pct(self.plan_vnd, self.plan_prev_vnd)

    @property
    def plan_share_pct(self) -> Decimal | None:
        return progress.share_pct(self.plan_vnd, self.nation_plan_vnd)

    @property
    def actual_share_pct(self) -> Decimal | None:
        return progress.share_pct(self.actual_vnd, self.nation_actual_vnd)

    @property
    def disbursement_rate_pct(self) -> Decimal | None:
        """Disbursed as a share of the support of contracted projects; None when none is contracted."""
        return progress.ratio_pct(self.actual_vnd, self.committed_vnd)


@dataclass(frozen=True)
class ApprovalCount:
    approved: int
    expected: int


@dataclass(frozen=True)
class IndicatorFigures:
    code: str
    name: str
    name_en: str
    unit: str
    unit_en: str
    target: int
    actual: int

    @property
    def completion_pct(self) -> Decimal | None:
        return progress.completion_pct(self.actual, self.target)


@dataclass(frozen=True)
class PeriodCompleteness:
    """How many of a period's expected reports are submitted, approved, and late (as of today)."""

    period: str
    end: datetime.date
    expected: int
    submitted: int
    approved: int
    late: int
    missing_provinces: tuple[Province, ...]

    @property
    def submitted_pct(self) -> Decimal | None:
        return progress.ratio_pct(self.submitted, self.expected)


class _PlanActualRow:
    """Totals and ratios of a table row with `plan_vnd`/`actual_vnd` by fund and the scope's actual."""

    plan_vnd: dict[str, Decimal]
    actual_vnd: dict[str, Decimal]
    scope_actual_vnd: Decimal

    @property
    def plan_total_vnd(self) -> Decimal:
        return sum(self.plan_vnd.values(), ZERO)

    @property
    def actual_total_vnd(self) -> Decimal:
        return sum(self.actual_vnd.values(), ZERO)

    @property
    def completion_pct(self) -> Decimal | None:
        return progress.completion_pct(self.actual_total_vnd, self.plan_total_vnd)

    @property
    def actual_share_pct(self) -> Decimal | None:
        return progress.share_pct(self.actual_total_vnd, self.scope_actual_vnd)


@dataclass(frozen=True)
class ProvinceRow(_PlanActualRow):
    """One province's line of the province table (its own records only, so that rows add up)."""

    province: Province
    plan_vnd: dict[str, Decimal]
    actual_vnd: dict[str, Decimal]
    scope_actual_vnd: Decimal


@dataclass(frozen=True)
class RegionRow(_PlanActualRow):
    """A region's line on the national dashboard: the sum of its provinces' rows."""

    region: Region
    plan_vnd: dict[str, Decimal]
    actual_vnd: dict[str, Decimal]
    province_count: int
    scope_actual_vnd: Decimal


@dataclass(frozen=True)
class TrendPoint:
    year: int
    plan_vnd: Decimal
    actual_vnd: Decimal

    @property
    def completion_pct(self) -> Decimal | None:
        return progress.completion_pct(self.actual_vnd, self.plan_vnd)


@dataclass(frozen=True)
class Summary:
    """Everything a dashboard, the summary endpoint or a workbook shows for one scope and cut-off."""

    year: int
    as_of: datetime.date
    scope: Scope
    province_count: int
    funds: dict[str, FundFigures]  # "KCQG", "KCDP" and "total"
    plans_approved: dict[str, ApprovalCount]  # by fund
    indicators: list[IndicatorFigures]
    pipeline: dict[str, int]  # project status -> number of the year's projects
    reporting: list[PeriodCompleteness]
    provinces: list[ProvinceRow] = field(default_factory=list)
    regions: list[RegionRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def total(self) -> FundFigures:
        return self.funds[TOTAL]

    @property
    def project_count(self) -> int:
        return sum(self.pipeline.values())


def _plans(years: list[int]) -> dict[tuple[int, int, str], Decimal]:
    """(year, province id, fund) -> Σ planned đồng of approved plans."""
    rows = (
        BudgetPlan.objects.filter(year__in=years, status=ApprovalStatus.APPROVED)
        .values_list("year", "province_id", "funding_source")
        .annotate(total=Sum("planned_vnd"))
        .order_by()
    )
    return {(year, pid, fund): total for year, pid, fund, total in rows}


def _actuals(year: int, years: list[int], as_of: datetime.date) -> dict[tuple[int, int, str], Decimal]:
    """(project year, province id, fund) -> net đồng disbursed to that year's projects.

    `year`'s projects count their disbursements dated on or before `as_of` (which may fall in
    January of the next year, when projects are settled). Earlier `years` of a trend are cut at
    their own 31 December, as their summary with the default cut-off would be.
    """
    current = Q(project__year=year, date__lte=as_of)
    earlier = Q(project__year__in=[y for y in years if y < year], date__year__lte=F("project__year"))
    rows = (
        Disbursement.objects.filter(current | earlier)
        .values_list("project__year", "project__province_id", "project__funding_source")
        .annotate(total=Coalesce(Sum(signed_amount_vnd()), ZERO, output_field=MONEY_SUM))
        .order_by()
    )
    return {(year, pid, fund): total for year, pid, fund, total in rows}


def summary(
    *,
    year: int,
    as_of: datetime.date | None = None,
    scope: Scope | None = None,
    provinces: ProvinceMap | None = None,
    trend_years: int = 0,
    today: datetime.date | None = None,
) -> Summary:
    """The figures of DESIGN §4 for `scope` in `year`, up to `as_of` (default 31/12 of `year`).

    - plan: Σ planned đồng of the year's approved plans of the scope's territory;
    - actual: Σ disbursements of the year's projects dated on or before `as_of`, recoveries
      negative;
    - growth: plan against the previous year's plan of the same territory (a post-2025
      province against its predecessors; a region against its provinces of each era);
    - share: against the nation; indicator completion: outputs dated ≤ `as_of` over targets;
    - plans approved: provinces in force on 1 January with an approved plan of the fund;
    - `trend_years` > 0 adds that many years ending with `year` (each cut at its own 31/12,
      the last at `as_of`).

    Queries, whatever the size of the data: provinces (unless `provinces` is given), plans,
    disbursements, committed support and pipeline, targets, outputs, indicators, reporting
    periods: 8.
    """
    scope = scope or Scope()
    as_of = as_of or datetime.date(year, 12, 31)
    today = today or timezone.localdate()
    provinces = provinces or ProvinceMap.load()
    ids = provinces.territory(scope)
    years = sorted({year, year - 1, *range(year - max(trend_years, 1) + 1, year + 1)})

    plans = _plans(years)
    actuals = _actuals(year, list(range(year - trend_years + 1, year)), as_of)
    committed, pipeline = _committed_and_pipeline(year, ids)

    def sums(source, wanted_year: int, among: set[int] | None) -> dict[str, Decimal]:
        totals = dict.fromkeys(FUNDS, ZERO)
        for (row_year, pid, fund), amount in source.items():
            if row_year == wanted_year and (among is None or pid in among):
                totals[fund] += amount
        return totals

    plan, plan_prev, nation_plan = sums(plans, year, ids), sums(plans, year - 1, ids), sums(plans, year, None)
    actual, nation_actual = sums(actuals, year, ids), sums(actuals, year, None)
    funds = {
        fund: FundFigures(
            plan_vnd=plan[fund],
            actual_vnd=actual[fund],
            plan_prev_vnd=plan_prev[fund],
            nation_plan_vnd=nation_plan[fund],
            nation_actual_vnd=nation_actual[fund],
            committed_vnd=committed[fund],
        )
        for fund in FUNDS
    }
    funds[TOTAL] = FundFigures(
        **{name: sum((getattr(funds[f], name) for f in FUNDS), ZERO) for name in FundFigures.__dataclass_fields__}
    )

    expected = provinces.in_force_on(ids, datetime.date(year, 1, 1))
    with_plan = {(pid, fund) for (row_year, pid, fund) in plans if row_year == year}
    plans_approved = {
        fund: ApprovalCount(approved=sum(1 for pid in expected if (pid, fund) in with_plan), expected=len(expected))
        for fund in FUNDS
    }
    scope_actual = funds[TOTAL].actual_vnd
    rows = [
        ProvinceRow(
            province=province,
            plan_vnd={fund: plans.get((year, province.pk, fund), ZERO) for fund in FUNDS},
            actual_vnd={fund: actuals.get((year, province.pk, fund), ZERO) for fund in FUNDS},
            scope_actual_vnd=scope_actual,
        )
        for province in provinces.in_year(ids, year)
    ]
    trend = [
        TrendPoint(
            year=trend_year,
            plan_vnd=sum(sums(plans, trend_year, ids).values(), ZERO),
            actual_vnd=sum(sums(actuals, trend_year, ids).values(), ZERO),
        )
        for trend_year in range(year - trend_years + 1, year + 1)
    ]
    while len(trend) > 1 and not (trend[0].plan_vnd or trend[0].actual_vnd):
        trend.pop(0)  # years before the portal's records begin
    regions = []
    for region in provinces.regions():
        members = [row for row in rows if row.province.region_id == region.pk]
        if not members:
            continue
        regions.append(
            RegionRow(
                region=region,
                plan_vnd={fund: sum((row.plan_vnd[fund] for row in members), ZERO) for fund in FUNDS},
                actual_vnd={fund: sum((row.actual_vnd[fund] for row in members), ZERO) for fund in FUNDS},
                province_count=len(
                    provinces.in_force_on((row.province.pk for row in members), min(as_of, _year_end(year)))
                ),
                scope_actual_vnd=scope_actual,
            )
        )
    return Summary(
        year=year,
        as_of=as_of,
        scope=scope,
        province_count=1 if scope.kind == "province" else len(provinces.in_force_on(ids, min(as_of, _year_end(year)))),
        funds=funds,
        plans_approved=plans_approved,
        indicators=_indicators(year, as_of, ids),
        pipeline=pipeline,
        reporting=_reporting(year, ids, provinces, today),
        provinces=rows,
        regions=regions,
        trend=trend,
    )


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _committed_and_pipeline(year: int, ids: set[int]) -> tuple[dict[str, Decimal], dict[str, int]]:
    """Support of contracted projects by fund, and the number of projects by status."""
    rows = (
        Project.objects.filter(year=year, province_id__in=ids)
        .values_list("status", "funding_source")
        .annotate(n=Count("id"), support=Sum("support_vnd"))
        .order_by()
    )
    committed = dict.fromkeys(FUNDS, ZERO)
    pipeline = dict.fromkeys(ProjectStatus.values, 0)
    for status, fund, count, support in rows:
        pipeline[status] += count
        if status in COMMITTED_STATUSES:
            committed[fund] += support
    return committed, pipeline


def _indicators(year: int, as_of: datetime.date, ids: set[int]) -> list[IndicatorFigures]:
    targets = dict(
        IndicatorTarget.objects.filter(year=year, province_id__in=ids)
        .values_list("indicator_id")
        .annotate(total=Sum("target"))
        .order_by()
    )
    outputs = dict(
        ProjectOutput.objects.filter(project__year=year, project__province_id__in=ids, date__lte=as_of)
        .values_list("indicator_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return [
        IndicatorFigures(
            code=indicator.code,
            name=indicator.name,
            name_en=indicator.name_en,
            unit=indicator.unit,
            unit_en=indicator.unit_en,
            target=targets.get(indicator.pk, 0),
            actual=outputs.get(indicator.pk, 0),
        )
        for indicator in Indicator.objects.order_by("order", "code")
        if indicator.is_active or indicator.pk in targets or indicator.pk in outputs
    ]


def report_due_date(period: ReportingPeriod | None, year: int, code: str) -> datetime.date:
    """When a period's report is due: its own deadline, else DEFAULT_REPORT_DELAY_DAYS after its end."""
    if period is not None and period.deadline is not None:
        return period.deadline
    return period_end(year, code) + datetime.timedelta(days=DEFAULT_REPORT_DELAY_DAYS)


SENT_STATUSES = (ReportingPeriod.Status.SUBMITTED, ReportingPeriod.Status.APPROVED)


def report_lateness(report: ReportingPeriod | None, due: datetime.date, today: datetime.date) -> str:
    """`late` when the report was submitted after `due`; `overdue` when it is not submitted and
    `due` has passed; "" otherwise. The one rule behind every count of late reports."""
    if report is not None and report.status in SENT_STATUSES:
        sent_on = timezone.localdate(report.submitted_at) if report.submitted_at else None
        return "late" if sent_on and sent_on > due else ""
    return "overdue" if today > due else ""


def reporting_completeness(
    *, year: int, scope: Scope | None = None, provinces: ProvinceMap, today: datetime.date | None = None
) -> list[PeriodCompleteness]:
    """Per period of `year`: reports expected from `scope`'s provinces, submitted, approved, late.

    The `reporting` part of `summary` on its own: one query (the year's reports).
    """
    return _reporting(year, provinces.territory(scope or Scope()), provinces, today or timezone.localdate())


def _reporting(year: int, ids: set[int], provinces: ProvinceMap, today: datetime.date) -> list[PeriodCompleteness]:
    """Per period: provinces in force at its end are expected to report; late means submitted
    after the due date, or not submitted and the due date has passed."""
    found: dict[str, dict[int, ReportingPeriod]] = defaultdict(dict)
    for period in ReportingPeriod.objects.filter(year=year, province_id__in=ids).only(
        "province_id", "period", "status", "deadline", "submitted_at"
    ):
        found[period.period][period.province_id] = period
    result = []
    for code in Period.values:
        end = period_end(year, code)
        expected = sorted(provinces.in_force_on(ids, end), key=lambda pk: provinces.by_id[pk].code)
        submitted = approved = late = 0
        missing = []
        for pid in expected:
            report = found[code].get(pid)
            late += bool(report_lateness(report, report_due_date(report, year, code), today))
            if report is not None and report.status in SENT_STATUSES:
                submitted += 1
                approved += report.status == ReportingPeriod.Status.APPROVED
            else:
                missing.append(provinces.by_id[pid])
        result.append(
            PeriodCompleteness(
                period=code,
                end=end,
                expected=len(expected),
                submitted=submitted,
                approved=approved,
                late=late,
                missing_provinces=tuple(missing),
            )
        )
    return result


def scope_for(*, region_code: str | None = None, province_id: int | None = None, provinces: ProvinceMap) -> Scope:
    """The Scope for a region code or a province id, resolved from `provinces` without a query.

    Raises KeyError for an unknown code or id (forms turn it into a message).
    """
    if province_id is not None:
        return Scope(province=provinces.by_id[province_id])
    if region_code:
        regions = {region.code: region for region in provinces.regions()}
        return Scope(region=regions[region_code])
    return Scope()
