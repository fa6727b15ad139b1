"""The figures of docs/design.md §4 for a year, a scope and a cut-off date: `summary`.

One definition of every figure, used by the dashboards, the API and the Excel workbooks. The
database returns sums grouped by province (a few hundred rows at most, whatever the number of
projects and disbursements); the roll-ups to a province's territory, a region and the nation
are sums of those rows in Python, and every ratio comes from `rules.progress`. The number of
queries is fixed: see `summary`.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    MONEY_SUM,
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    Indicator,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    signed_amount_vnd,
)
from .figures import (
    COMMITTED_STATUSES,
    FUNDS,
    TOTAL,
    ZERO,
    ApprovalCount,
    FundFigures,
    IndicatorFigures,
    ProvinceMap,
    ProvinceRow,
    RegionRow,
    Scope,
    Summary,
    TrendPoint,
)
from .reporting import _reporting


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
    """The figures of docs/design.md §4 for `scope` in `year`, up to `as_of` (default 31/12 of `year`).

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
