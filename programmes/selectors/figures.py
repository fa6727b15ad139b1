"""The shapes of the programme's figures (docs/design.md §4): the scope of a summary, the map
of provinces it is computed over, and the rows a summary returns. No query but `ProvinceMap.load`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import (
    FundingSource,
    ProjectStatus,
    Province,
    Region,
    period_end,
)
from ..rules import progress

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
                p for p in self.by_id.values() if p.region_id == scope.region.pk and p.in_force_on(_year_end(year))
            ]
            return set().union(*(self.own_territory(p) for p in members))
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
    """Provinces with an approved plan of a fund among those expected to have one (in force on
    1 January), and the ones without (`missing`, by code), so that a page can name them."""

    approved: int
    expected: int
    missing: tuple[Province, ...] = field(default=(), compare=False)


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

    `original_plan_prev_vnd`: the first-approved plans of the previous year on the same
    records (a territory's, or the province's own); `committed_vnd`: the support of the year's
    contracted projects. Both by fund, None where no record is behind them (the map's plan
    growth and disbursement against contracted support).
    """

    province: Province
    plan_vnd: ByFund
    original_plan_vnd: ByFund
    actual_vnd: ByFund
    scope_actual_vnd: Decimal | None
    start: datetime.date
    end: datetime.date
    original_plan_prev_vnd: ByFund = field(default_factory=dict)
    committed_vnd: ByFund = field(default_factory=dict)

    @property
    def original_plan_prev_total_vnd(self) -> Decimal | None:
        return progress.total(self.original_plan_prev_vnd.values())

    @property
    def committed_total_vnd(self) -> Decimal | None:
        return progress.total(self.committed_vnd.values())

    @property
    def plan_growth_pct(self) -> Decimal | None:
        """The first-approved plan against the previous year's, as `FundFigures.plan_growth_pct`."""
        return progress.growth_pct(self.original_plan_total_vnd, self.original_plan_prev_total_vnd)

    @property
    def disbursement_rate_pct(self) -> Decimal | None:
        """Disbursed as a share of the support of contracted projects; None when none is contracted."""
        return progress.ratio_pct(self.actual_total_vnd, self.committed_total_vnd)


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
