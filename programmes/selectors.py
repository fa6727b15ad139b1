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

from . import progress
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

    def own_territory(self, province: Province) -> set[int]:
        """`province` and the provinces merged into it: whose records count for it."""
        return {province.pk} | {other for other, p in self.by_id.items() if p.merged_into_id == province.pk}

    def territory(self, scope: Scope, year: int | None = None) -> set[int]:
        """Ids of the provinces whose records count for `scope`, of every era.

        A province: itself and its predecessors. A region in `year`: the territories of its
        provinces in force at the end of that year, so that a region is the same piece of the
        country across the years it is compared with (in 2025 the centre counts old Thanh Hóa's
        January–June records, the north does not). Without a year, the provinces of every era
        whose own region is the scope's. The nation: every province.
        """
        if scope.province is not None:
            return self.own_territory(scope.province)
        if scope.region is not None:
            if year is None:
                return {pk for pk, p in self.by_id.items() if p.region_id == scope.region.pk}
            members = [
                p for p in self.by_id.values() if p.region_id == scope.region.pk and _in_force(p, _year_end(year))
            ]
            return set().union(*(self.own_territory(p) for p in members))
        return set(self.by_id)

    def in_force_on(self, ids: Iterable[int], day: datetime.date) -> set[int]:
        """The provinces of `ids` in force on `day`."""
        return {pk for pk in ids if _in_force(self.by_id[pk], day)}

    def in_year(self, ids: Iterable[int], year: int) -> list[Province]:
        """The provinces of `ids` in force on some day of `year`, by code then era."""
        return sorted(
            (self.by_id[pk] for pk in ids if self.by_id[pk].active_in_year(year)),
            key=lambda p: (p.code, p.valid_from),
        )


def _in_force(province: Province, day: datetime.date) -> bool:
    return province.valid_from <= day and (province.valid_to is None or province.valid_to >= day)


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


@dataclass(frozen=True)
class FundFigures:
    """Plan and actual of one fund (or the total) for a scope, with the nation's to compare.

    Amounts are whole đồng; None means no record behind the figure (no approved plan; no project
    of the year), never 0. `plan_vnd` is the plan as revised, `original_plan_vnd` as first
    approved. Percentages are exact Decimals (round with `progress.round_pct` to show), None when
    a figure is missing or there is nothing to divide by.
    """

    plan_vnd: Decimal | None
    original_plan_vnd: Decimal | None
    actual_vnd: Decimal | None
    plan_prev_vnd: Decimal | None
    original_plan_prev_vnd: Decimal | None
    nation_plan_vnd: Decimal | None
    nation_actual_vnd: Decimal | None
    committed_vnd: Decimal | None

    @property
    def completion_pct(self) -> Decimal | None:
        """Actual over the plan as revised."""
        return progress.completion_pct(self.actual_vnd, self.plan_vnd)

    @property
    def plan_growth_pct(self) -> Decimal | None:
        """The first-approved plan against the previous year's first-approved plan (the ministry's
        convention for growth)."""
        return progress.growth_pct(self.original_plan_vnd, self.original_plan_prev_vnd)

    @property
    def revised_plan_growth_pct(self) -> Decimal | None:
        """The plan as revised against the previous year's plan as revised."""
        return progress.growth_pct(self.plan_vnd, self.plan_prev_vnd)

    @property
    def plan_share_pct(self) -> Decimal | None:
        """The plan as revised, as a share of the nation's plan as revised."""
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
    """An indicator's target and output for a scope; None where no target is set or no project
    of the year is recorded."""

    code: str
    name: str
    name_en: str
    unit: str
    unit_en: str
    target: int | None
    actual: int | None

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


ByFund = dict[str, Decimal | None]


class _PlanActualRow:
    """Totals and ratios of a table row with `plan_vnd`/`original_plan_vnd`/`actual_vnd` by fund
    and the scope's actual."""

    plan_vnd: ByFund
    original_plan_vnd: ByFund
    actual_vnd: ByFund
    scope_actual_vnd: Decimal | None

    @property
    def plan_total_vnd(self) -> Decimal | None:
        return progress.total(self.plan_vnd.values())

    @property
    def original_plan_total_vnd(self) -> Decimal | None:
        return progress.total(self.original_plan_vnd.values())

    @property
    def actual_total_vnd(self) -> Decimal | None:
        return progress.total(self.actual_vnd.values())

    @property
    def completion_pct(self) -> Decimal | None:
        """Actual over the plan as revised."""
        return progress.completion_pct(self.actual_total_vnd, self.plan_total_vnd)

    def fund_completion_pct(self, fund: str) -> Decimal | None:
        return progress.completion_pct(self.actual_vnd[fund], self.plan_vnd[fund])

    @property
    def actual_share_pct(self) -> Decimal | None:
        return progress.share_pct(self.actual_total_vnd, self.scope_actual_vnd)


@dataclass(frozen=True)
class ProvinceRow(_PlanActualRow):
    """One province's line of the province table.

    In the table of a cut-off (`Summary.provinces`) the province is one in force at the cut-off
    and the figures are its territory's for the whole year (a new province with its
    predecessors' records), so that rows add up to the scope. In the breakdown by era
    (`Summary.era_rows`) the figures are the province's own records only, of the days of the
    year it was in force (`start`–`end`).
    """

    province: Province
    plan_vnd: ByFund
    original_plan_vnd: ByFund
    actual_vnd: ByFund
    scope_actual_vnd: Decimal | None
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class RegionRow(_PlanActualRow):
    """A region's line on the national dashboard: the sum of its provinces' rows."""

    region: Region
    plan_vnd: ByFund
    original_plan_vnd: ByFund
    actual_vnd: ByFund
    province_count: int
    scope_actual_vnd: Decimal | None


@dataclass(frozen=True)
class TrendPoint:
    year: int
    plan_vnd: Decimal | None
    actual_vnd: Decimal | None

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
    era_rows: list[ProvinceRow] = field(default_factory=list)
    regions: list[RegionRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def total(self) -> FundFigures:
        return self.funds[TOTAL]

    @property
    def project_count(self) -> int:
        return sum(self.pipeline.values())

    @property
    def cutoff_day(self) -> datetime.date:
        """The day whose provinces the table lists: the cut-off, at most the year's end."""
        return min(self.as_of, _year_end(self.year))

    @property
    def has_two_eras(self) -> bool:
        """True when some province of the year was in force for part of it only (2025): the
        table by era (`era_rows`) then differs from the table of the cut-off."""
        year_start, year_end = datetime.date(self.year, 1, 1), _year_end(self.year)
        return any(row.start != year_start or row.end != year_end for row in self.era_rows)


PlanKey = tuple[int, int, str]  # (year, province id, fund)


@dataclass(frozen=True)
class _Records:
    """The grouped rows every figure of a summary is summed from (one query each)."""

    plans: dict[PlanKey, Decimal]  # Σ planned đồng (as revised) of approved plans
    original_plans: dict[PlanKey, Decimal]  # Σ first-approved đồng of the same plans
    actuals: dict[PlanKey, Decimal]  # net đồng disbursed to the year's projects
    projects: set[PlanKey]  # (year, province, fund) that have at least one project

    def plan(self, year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
        return _sum_of(self.plans, year, ids, fund)

    def original_plan(self, year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
        return _sum_of(self.original_plans, year, ids, fund)

    def actual(self, year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
        """None when no project of that year and fund exists among `ids`: no money was due."""
        ids = None if ids is None else set(ids)
        if not any(y == year and f == fund and (ids is None or pid in ids) for y, pid, f in self.projects):
            return None
        return _sum_of(self.actuals, year, ids, fund) or ZERO

    def has_projects(self, year: int, ids: Iterable[int] | None) -> bool:
        ids = None if ids is None else set(ids)
        return any(y == year and (ids is None or pid in ids) for y, pid, _f in self.projects)


def _sum_of(source: dict[PlanKey, Decimal], year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
    """Σ of `source` for `year` and `fund` among `ids` (None: every province); None when no row."""
    among = None if ids is None else set(ids)
    return progress.total(
        amount
        for (row_year, pid, row_fund), amount in source.items()
        if row_year == year and row_fund == fund and (among is None or pid in among)
    )


def _plans(years: list[int]) -> tuple[dict[PlanKey, Decimal], dict[PlanKey, Decimal]]:
    """Σ planned đồng (as revised) and Σ first-approved đồng of approved plans, by
    (year, province id, fund). A plan approved before first-approved amounts were kept counts
    its planned amount as first approved."""
    rows = (
        BudgetPlan.objects.filter(year__in=years, status=ApprovalStatus.APPROVED)
        .values_list("year", "province_id", "funding_source")
        .annotate(
            planned=Sum("planned_vnd"),
            original=Sum(Coalesce("original_vnd", "planned_vnd"), output_field=MONEY_SUM),
        )
        .order_by()
    )
    planned, original = {}, {}
    for year, pid, fund, planned_total, original_total in rows:
        planned[year, pid, fund] = planned_total
        original[year, pid, fund] = original_total
    return planned, original


def _actuals(year: int, years: list[int], as_of: datetime.date) -> dict[PlanKey, Decimal]:
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

    - plan: Σ planned đồng (as revised) of the year's approved plans of the scope's territory;
      first-approved plan: Σ of the same plans' first approved amounts;
    - actual: Σ disbursements of the year's projects dated on or before `as_of`, recoveries
      negative;
    - completion divides actual by the plan as revised; growth compares first-approved plans
      with the previous year's, on the same territory (a post-2025 province against its
      predecessors; a region against the territories of the provinces it has at the end of the
      year); revised-plan growth compares the plans as revised;
    - share: against the nation; indicator completion: outputs dated ≤ `as_of` over targets;
    - plans approved: provinces in force on 1 January with an approved plan of the fund;
    - no data is not zero: a plan with no approved plan behind it, an actual or an output with
      no project of the year behind it, a target never set, are None, and so is every ratio
      that needs them;
    - `provinces`: the provinces in force at the cut-off, each with its territory's records of
      the whole year; `era_rows`: every province that has the year's records, its own only;
    - `trend_years` > 0 adds that many years ending with `year` (each cut at its own 31/12,
      the last at `as_of`), on the scope's territory of `year`.

    Queries, whatever the size of the data: provinces (unless `provinces` is given), plans,
    disbursements, projects by year/province/status/fund, targets, outputs, indicators,
    reporting periods: 8.
    """
    scope = scope or Scope()
    as_of = as_of or _year_end(year)
    today = today or timezone.localdate()
    provinces = provinces or ProvinceMap.load()
    ids = provinces.territory(scope, year)
    trend_range = list(range(year - trend_years + 1, year + 1)) if trend_years > 0 else [year]
    years = sorted({year, year - 1, *trend_range})

    plans, original_plans = _plans(years)
    committed, pipeline, projects = _projects(year, trend_range, ids)
    records = _Records(
        plans=plans,
        original_plans=original_plans,
        actuals=_actuals(year, [y for y in trend_range if y < year], as_of),
        projects=projects,
    )

    funds = {
        fund: FundFigures(
            plan_vnd=records.plan(year, ids, fund),
            original_plan_vnd=records.original_plan(year, ids, fund),
            actual_vnd=records.actual(year, ids, fund),
            plan_prev_vnd=records.plan(year - 1, ids, fund),
            original_plan_prev_vnd=records.original_plan(year - 1, ids, fund),
            nation_plan_vnd=records.plan(year, None, fund),
            nation_actual_vnd=records.actual(year, None, fund),
            committed_vnd=committed.get(fund),
        )
        for fund in FUNDS
    }
    funds[TOTAL] = FundFigures(
        **{name: progress.total(getattr(funds[f], name) for f in FUNDS) for name in FundFigures.__dataclass_fields__}
    )

    expected = provinces.in_force_on(ids, datetime.date(year, 1, 1))
    with_plan = {(pid, fund) for (row_year, pid, fund) in plans if row_year == year}
    plans_approved = {
        fund: ApprovalCount(approved=sum(1 for pid in expected if (pid, fund) in with_plan), expected=len(expected))
        for fund in FUNDS
    }
    scope_actual = funds[TOTAL].actual_vnd
    cutoff_day = min(as_of, _year_end(year))

    def row(province: Province, among: set[int], start: datetime.date, end: datetime.date) -> ProvinceRow:
        return ProvinceRow(
            province=province,
            plan_vnd={fund: records.plan(year, among, fund) for fund in FUNDS},
            original_plan_vnd={fund: records.original_plan(year, among, fund) for fund in FUNDS},
            actual_vnd={fund: records.actual(year, among, fund) for fund in FUNDS},
            scope_actual_vnd=scope_actual,
            start=start,
            end=end,
        )

    year_start = datetime.date(year, 1, 1)
    rows = [
        row(province, provinces.own_territory(province) & ids, year_start, _year_end(year))
        for province in sorted(
            (provinces.by_id[pk] for pk in provinces.in_force_on(ids, cutoff_day)),
            key=lambda p: (p.code, p.valid_from),
        )
    ]
    era_rows = [
        row(
            province,
            {province.pk},
            max(province.valid_from, year_start),
            min(province.valid_to or _year_end(year), _year_end(year)),
        )
        for province in provinces.in_year(ids, year)
    ]
    trend = [
        TrendPoint(
            year=trend_year,
            plan_vnd=progress.total(records.plan(trend_year, ids, fund) for fund in FUNDS),
            actual_vnd=progress.total(records.actual(trend_year, ids, fund) for fund in FUNDS),
        )
        for trend_year in (trend_range if trend_years > 0 else [])
    ]
    while len(trend) > 1 and trend[0].plan_vnd is None and trend[0].actual_vnd is None:
        trend.pop(0)  # years before the portal's records begin
    regions = []
    if scope.kind == "nation":
        for region in provinces.regions():
            members = provinces.territory(Scope(region=region), year)
            if not members:
                continue
            regions.append(
                RegionRow(
                    region=region,
                    plan_vnd={fund: records.plan(year, members, fund) for fund in FUNDS},
                    original_plan_vnd={fund: records.original_plan(year, members, fund) for fund in FUNDS},
                    actual_vnd={fund: records.actual(year, members, fund) for fund in FUNDS},
                    province_count=len(provinces.in_force_on(members, cutoff_day)),
                    scope_actual_vnd=scope_actual,
                )
            )
    return Summary(
        year=year,
        as_of=as_of,
        scope=scope,
        province_count=1 if scope.kind == "province" else len(provinces.in_force_on(ids, cutoff_day)),
        funds=funds,
        plans_approved=plans_approved,
        indicators=_indicators(year, as_of, ids, has_projects=records.has_projects(year, ids)),
        pipeline=pipeline,
        reporting=_reporting(year, ids, provinces, today),
        provinces=rows,
        era_rows=era_rows,
        regions=regions,
        trend=trend,
    )


def _projects(year: int, years: list[int], ids: set[int]) -> tuple[dict[str, Decimal], dict[str, int], set[PlanKey]]:
    """Support of `year`'s contracted projects by fund, the number of its projects by status,
    and the (year, province, fund) of `years` that have projects at all."""
    rows = (
        Project.objects.filter(year__in=sorted({year, *years}), province_id__in=ids)
        .values_list("year", "province_id", "status", "funding_source")
        .annotate(n=Count("id"), support=Sum("support_vnd"))
        .order_by()
    )
    committed: dict[str, Decimal] = {}
    pipeline = dict.fromkeys(ProjectStatus.values, 0)
    existing: set[PlanKey] = set()
    for row_year, pid, status, fund, count, support in rows:
        existing.add((row_year, pid, fund))
        if row_year != year:
            continue
        pipeline[status] += count
        if status in COMMITTED_STATUSES:
            committed[fund] = committed.get(fund, ZERO) + support
    return committed, pipeline, existing


def _indicators(year: int, as_of: datetime.date, ids: set[int], *, has_projects: bool) -> list[IndicatorFigures]:
    """Targets and outputs by indicator; a target is None where none was set, an output None
    where the scope has no project of the year."""
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
            target=targets.get(indicator.pk),
            actual=outputs.get(indicator.pk, 0) if has_projects else None,
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
    return _reporting(year, provinces.territory(scope or Scope(), year), provinces, today or timezone.localdate())


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
