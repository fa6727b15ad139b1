"""The figures of docs/design.md §4 for a year, a scope and a cut-off date: `summary`.

One definition of every figure, used by the dashboards, the API and the Excel workbooks. The
database returns sums grouped by province (a few hundred rows at most, whatever the number of
projects and disbursements); the roll-ups to a province's territory, a region and the nation
are sums of those rows in Python, and every ratio comes from `rules.progress`. The number of
queries is fixed: see `summary`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.replica import figures_from_replica

from ..models import (
    MONEY_SUM,
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    DisbursementRollup,
    Indicator,
    IndicatorTarget,
    OutputRollup,
    Project,
    ProjectOutput,
    ProjectStatus,
    Province,
    signed_amount_vnd,
)
from ..rules import progress
from .figure_cache import cached_summary, summary_years
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
    _year_end,
)
from .reporting import _reporting

PlanKey = tuple[int, int, str]  # (year, province id, fund)


Indexed = dict[tuple[int, str], dict[int, Decimal]]  # (year, fund) -> province id -> đồng


def _indexed(source: dict[PlanKey, Decimal]) -> Indexed:
    index: Indexed = {}
    for (year, pid, fund), amount in source.items():
        index.setdefault((year, fund), {})[pid] = amount
    return index


@dataclass(frozen=True)
class _Records:
    """The grouped rows every figure of a summary is summed from (one query each), indexed by
    (year, fund) so that a territory's sum reads only its own provinces' rows."""

    plans: dict[PlanKey, Decimal]  # Σ planned đồng (as revised) of approved plans
    original_plans: dict[PlanKey, Decimal]  # Σ first-approved đồng of the same plans
    actuals: dict[PlanKey, Decimal]  # net đồng disbursed to the year's projects
    projects: set[PlanKey]  # (year, province, fund) that have at least one project
    _index: dict[str, Indexed] = field(init=False, repr=False, compare=False)
    _with_projects: dict[tuple[int, str | None], set[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        index = {name: _indexed(getattr(self, name)) for name in ("plans", "original_plans", "actuals")}
        with_projects: dict[tuple[int, str | None], set[int]] = {}
        for year, pid, fund in self.projects:
            with_projects.setdefault((year, fund), set()).add(pid)
            with_projects.setdefault((year, None), set()).add(pid)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_with_projects", with_projects)

    def plan(self, year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
        return _sum_of(self._index["plans"], year, ids, fund)

    def original_plan(self, year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
        return _sum_of(self._index["original_plans"], year, ids, fund)

    def actual(self, year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
        """None when no project of that year and fund exists among `ids`: no money was due."""
        if not self._any_project(year, ids, fund):
            return None
        return _sum_of(self._index["actuals"], year, ids, fund) or ZERO

    def has_projects(self, year: int, ids: Iterable[int] | None) -> bool:
        return self._any_project(year, ids, None)

    def _any_project(self, year: int, ids: Iterable[int] | None, fund: str | None) -> bool:
        found = self._with_projects.get((year, fund), set())
        return bool(found) if ids is None else not found.isdisjoint(ids)


def _sum_of(index: Indexed, year: int, ids: Iterable[int] | None, fund: str) -> Decimal | None:
    """Σ of the indexed rows for `year` and `fund` among `ids` (None: every province); None when no row."""
    rows = index.get((year, fund), {})
    return progress.total(rows.values() if ids is None else (rows[pid] for pid in set(ids) if pid in rows))


def _plans_query(years: list[int]):
    """(year, province id, fund, Σ planned đồng as revised, Σ first-approved đồng) of approved
    plans. A plan approved before first-approved amounts were kept counts its planned amount as
    first approved."""
    return (
        BudgetPlan.objects.filter(year__in=years, status=ApprovalStatus.APPROVED)
        .values_list("year", "province_id", "funding_source")
        .annotate(
            planned=Sum("planned_vnd"),
            original=Sum(Coalesce("original_vnd", "planned_vnd"), output_field=MONEY_SUM),
        )
        .order_by()
    )


def _plans(years: list[int]) -> tuple[dict[PlanKey, Decimal], dict[PlanKey, Decimal]]:
    """Σ planned đồng (as revised) and Σ first-approved đồng of approved plans, by
    (year, province id, fund) (`_plans_query`)."""
    planned, original = {}, {}
    for year, pid, fund, planned_total, original_total in _plans_query(years):
        planned[year, pid, fund] = planned_total
        original[year, pid, fund] = original_total
    return planned, original


# The kinds of rows of `_plans_and_actuals`' one statement.
_PLAN, _ACTUAL = 0, 1


def _plans_and_actuals(
    years: list[int], year: int, earlier: list[int], as_of: datetime.date
) -> tuple[dict[PlanKey, Decimal], dict[PlanKey, Decimal], dict[PlanKey, Decimal]]:
    """`_plans(years)` and `_actuals(year, earlier, as_of)` in one statement (a UNION ALL of the
    plans' sums and the disbursements' branches, each row tagged with its kind): the same
    figures for one query less on every dashboard."""
    zero = Value(ZERO, output_field=MONEY_SUM)
    branches = [_plans_query(years).annotate(kind=Value(_PLAN))]
    branches += [branch.annotate(second=zero, kind=Value(_ACTUAL)) for branch in _actual_branches(year, earlier, as_of)]
    planned, original, actual_rows = {}, {}, []
    for row_year, pid, fund, amount, second, kind in (
        branches[0].union(*branches[1:], all=True).order_by()
    ):  # no Meta ordering
        if kind == _PLAN:
            planned[row_year, pid, fund] = amount
            original[row_year, pid, fund] = second
        else:
            actual_rows.append((row_year, pid, fund, amount))
    return planned, original, _by_key(actual_rows)


def _whole_months_end(as_of: datetime.date) -> datetime.date:
    """The first day after the last whole month on or before `as_of`: the rollup holds the
    months before it, the raw rows the days from it to `as_of` (none when `as_of` ends a month)."""
    following = as_of + datetime.timedelta(days=1)
    return following if following.day == 1 else as_of.replace(day=1)


def _by_key(rows) -> dict:
    """Σ of (*key, amount) rows by key: the rollup's whole months and the raw partial month of a
    cut-off come from one UNION ALL, a key possibly in both."""
    found: dict = {}
    for *key, amount in rows:
        key = tuple(key) if len(key) > 1 else key[0]
        found[key] = found.get(key, 0) + amount
    return found


def _actual_branches(year: int, years: list[int], as_of: datetime.date) -> list:
    """The querysets of `_actuals`' UNION ALL: the rollup's whole months, and the raw rows of a
    cut-off's unfinished month when it has one; each row (project year, province id, fund, đồng)."""
    months_end = _whole_months_end(as_of)
    current = Q(project_year=year, month__lt=months_end)
    earlier = Q(project_year__in=[y for y in years if y < year], month__year__lte=F("project_year"))
    branches = [
        DisbursementRollup.objects.filter(current | earlier)
        .values_list("project_year", "province_id", "funding_source")
        .annotate(total=Sum("total_vnd"))
        .order_by()
    ]
    if months_end <= as_of:
        branches.append(
            Disbursement.objects.filter(project__year=year, date__gte=months_end, date__lte=as_of)
            .values_list("project__year", "project__province_id", "project__funding_source")
            .annotate(total=Coalesce(Sum(signed_amount_vnd()), ZERO, output_field=MONEY_SUM))
            .order_by()
        )
    return branches


def _actuals(year: int, years: list[int], as_of: datetime.date) -> dict[PlanKey, Decimal]:
    """(project year, province id, fund) -> net đồng disbursed to that year's projects.

    `year`'s projects count their disbursements dated on or before `as_of` (which may fall in
    January of the next year, when projects are settled). Earlier `years` of a trend are cut at
    their own 31 December, as their summary with the default cut-off would be.

    Whole months come from the rollup (`DisbursementRollup`); only the days of a cut-off that
    does not end a month are summed from the raw disbursements, in the same query.
    """
    first, *rest = _actual_branches(year, years, as_of)
    return _by_key(first.union(*rest, all=True) if rest else first)


@figures_from_replica  # on the replica when DATABASE_REPLICA_URL is set (common/replica.py)
@cached_summary  # through the figures' cache, keyed on the versions of the years read (figure_cache.py)
def summary(
    *,
    year: int,
    as_of: datetime.date | None = None,
    scope: Scope | None = None,
    provinces: ProvinceMap | None = None,
    trend_years: int = 0,
    today: datetime.date | None = None,
    region_year: int | None = None,
    listed_on: datetime.date | None = None,
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
    - disbursements and outputs of whole months are read from the rollup tables (kept exact by
      database triggers, models/rollup.py), the days of a cut-off's unfinished month from the
      raw rows;
    - plans approved: provinces in force on 1 January with an approved plan of the fund;
    - no data is not zero: a plan with no approved plan behind it, an actual or an output with
      no project of the year behind it, a target never set, are None, and so is every ratio
      that needs them;
    - `provinces`: the provinces in force at the cut-off, each with its territory's records of
      the whole year; `era_rows`: every province that has the year's records, its own only;
    - `trend_years` > 0 adds that many years ending with `year` (each cut at its own 31/12,
      the last at `as_of`), on the scope's territory of `year`;
    - `region_year` (default `year`): the year whose year-end provinces make a region's
      territory, and `listed_on` (default the cut-off, at most 31/12 of `year`): the day whose
      provinces `provinces` lists — so that a briefing's previous year is computed on the
      conference year's territory and lists the same provinces (2024 for the 2025 groupings).

    Queries, whatever the size of the data: provinces (unless `provinces` is given), plans
    and disbursements (one UNION ALL), projects by year/province/status/fund, indicators with
    their targets and outputs (correlated subqueries), the reporting calendar, reporting
    periods: 6.
    """
    scope = scope or Scope()
    as_of = as_of or _year_end(year)
    today = today or timezone.localdate()
    provinces = provinces or ProvinceMap.load()
    ids = provinces.territory(scope, region_year or year)
    trend_range = list(range(year - trend_years + 1, year + 1)) if trend_years > 0 else [year]
    years = summary_years(year, trend_years)  # what the cache keys on: read nothing outside it

    plans, original_plans, actuals = _plans_and_actuals(years, year, [y for y in trend_range if y < year], as_of)
    committed_by_province, pipeline, projects = _projects(year, trend_range, ids)
    committed = {
        fund: progress.total(amount for (pid, row_fund), amount in committed_by_province.items() if row_fund == fund)
        for fund in FUNDS
    }
    records = _Records(
        plans=plans,
        original_plans=original_plans,
        actuals=actuals,
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
    by_code = sorted((provinces.by_id[pid] for pid in expected), key=lambda p: (p.code, p.valid_from))
    plans_approved = {
        fund: ApprovalCount(
            approved=sum(1 for pid in expected if (pid, fund) in with_plan),
            expected=len(expected),
            missing=tuple(p for p in by_code if (p.pk, fund) not in with_plan),
        )
        for fund in FUNDS
    }
    scope_actual = funds[TOTAL].actual_vnd
    cutoff_day = min(as_of, _year_end(year))
    listed_day = listed_on or cutoff_day

    def row(province: Province, among: set[int], start: datetime.date, end: datetime.date) -> ProvinceRow:
        return ProvinceRow(
            province=province,
            plan_vnd={fund: records.plan(year, among, fund) for fund in FUNDS},
            original_plan_vnd={fund: records.original_plan(year, among, fund) for fund in FUNDS},
            actual_vnd={fund: records.actual(year, among, fund) for fund in FUNDS},
            scope_actual_vnd=scope_actual,
            start=start,
            end=end,
            original_plan_prev_vnd={fund: records.original_plan(year - 1, among, fund) for fund in FUNDS},
            committed_vnd={
                fund: progress.total(committed_by_province.get((pid, fund)) for pid in among) for fund in FUNDS
            },
        )

    year_start = datetime.date(year, 1, 1)
    rows = [
        row(province, provinces.own_territory(province) & ids, year_start, _year_end(year))
        for province in sorted(
            (provinces.by_id[pk] for pk in provinces.in_force_on(ids, listed_day)),
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
            members = provinces.territory(Scope(region=region), region_year or year)
            if not members:
                continue
            regions.append(
                RegionRow(
                    region=region,
                    plan_vnd={fund: records.plan(year, members, fund) for fund in FUNDS},
                    original_plan_vnd={fund: records.original_plan(year, members, fund) for fund in FUNDS},
                    actual_vnd={fund: records.actual(year, members, fund) for fund in FUNDS},
                    province_count=len(provinces.in_force_on(members, listed_day)),
                    scope_actual_vnd=scope_actual,
                )
            )
    return Summary(
        year=year,
        as_of=as_of,
        scope=scope,
        province_count=1 if scope.kind == "province" else len(provinces.in_force_on(ids, listed_day)),
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


def _projects(
    year: int, years: list[int], ids: set[int]
) -> tuple[dict[tuple[int, str], Decimal], dict[str, int], set[PlanKey]]:
    """Support of `year`'s contracted projects by (province id, fund), the number of its
    projects by status, and the (year, province, fund) of `years` that have projects at all."""
    rows = (
        Project.objects.filter(year__in=sorted({year, *years}), province_id__in=ids)
        .values_list("year", "province_id", "status", "funding_source")
        .annotate(n=Count("id"), support=Sum("support_vnd"))
        .order_by()
    )
    committed: dict[tuple[int, str], Decimal] = {}
    pipeline = dict.fromkeys(ProjectStatus.values, 0)
    existing: set[PlanKey] = set()
    for row_year, pid, status, fund, count, support in rows:
        existing.add((row_year, pid, fund))
        if row_year != year:
            continue
        pipeline[status] += count
        if status in COMMITTED_STATUSES:
            committed[pid, fund] = committed.get((pid, fund), ZERO) + support
    return committed, pipeline, existing


ByProvince = dict[int, dict[int, int]]  # province id -> indicator id -> Σ


def _grouped(rows) -> ByProvince:
    """(province id, indicator id, Σ) rows summed by province and indicator (a key may come
    twice: the rollup's whole months and the raw rows of a cut-off's unfinished month)."""
    found: ByProvince = {}
    for pid, indicator, total in rows:
        by_indicator = found.setdefault(pid, {})
        by_indicator[indicator] = by_indicator.get(indicator, 0) + total
    return found


def _targets(years: list[int], ids: set[int] | None = None) -> dict[int, ByProvince]:
    """Σ targets by year, then province and indicator: one query, `ids` (None: every province)."""
    rows = IndicatorTarget.objects.filter(year__in=years)
    if ids is not None:
        rows = rows.filter(province_id__in=ids)
    by_year: dict[int, list[tuple[int, int, int]]] = {}
    for year, pid, indicator, total in (
        rows.values_list("year", "province_id", "indicator_id").annotate(total=Sum("target")).order_by()
    ):
        by_year.setdefault(year, []).append((pid, indicator, total))
    return {year: _grouped(found) for year, found in by_year.items()}


def _outputs(year: int, as_of: datetime.date, ids: set[int] | None = None) -> ByProvince:
    """Σ outputs of `year`'s projects dated on or before `as_of`, by province and indicator, of
    `ids` (None: every province). Whole months from the rollup (`OutputRollup`), the days of a
    cut-off that does not end a month from the raw outputs, in one query (as `_actuals`)."""
    months_end = _whole_months_end(as_of)
    rolled = OutputRollup.objects.filter(project_year=year, month__lt=months_end)
    if ids is not None:
        rolled = rolled.filter(province_id__in=ids)
    rows = rolled.values_list("province_id", "indicator_id").annotate(total=Sum("total")).order_by()
    if months_end <= as_of:
        raw = ProjectOutput.objects.filter(project__year=year, date__gte=months_end, date__lte=as_of)
        if ids is not None:
            raw = raw.filter(project__province_id__in=ids)
        rows = rows.union(
            raw.values_list("project__province_id", "indicator_id").annotate(total=Sum("value")).order_by(), all=True
        )
    return _grouped(rows)


def _indicators(year: int, as_of: datetime.date, ids: set[int], *, has_projects: bool) -> list[IndicatorFigures]:
    """Targets and outputs by indicator; a target is None where none was set, an output None
    where the scope has no project of the year.

    One query (the dashboard's budget of queries): the indicators, each with its scope's
    Σ target and Σ output as correlated subqueries (whole months from the rollup, the days of
    a cut-off that does not end a month from the raw outputs, as `_actuals`). A sum over no
    row is NULL, so that an indicator without a target or an output stays out of `targets` or
    `outputs`. The same sources and the same split of the months as `_targets` and `_outputs`,
    which a batch of territories reads by province (`cutoff_figures`); a test holds the two
    equal across the 2025 merger (tests/programmes/test_report_list_figures.py).
    """

    def total(queryset, column: str) -> Subquery:
        return Subquery(queryset.order_by().values("indicator_id").annotate(total=Sum(column)).values("total")[:1])

    months_end = _whole_months_end(as_of)
    rows = Indicator.objects.order_by("order", "code").annotate(
        target_total=total(
            IndicatorTarget.objects.filter(indicator=OuterRef("pk"), year=year, province_id__in=ids), "target"
        ),
        rolled_total=total(
            OutputRollup.objects.filter(
                indicator=OuterRef("pk"), project_year=year, province_id__in=ids, month__lt=months_end
            ),
            "total",
        ),
    )
    if months_end <= as_of:
        rows = rows.annotate(
            raw_total=total(
                ProjectOutput.objects.filter(
                    indicator=OuterRef("pk"),
                    project__year=year,
                    project__province_id__in=ids,
                    date__gte=months_end,
                    date__lte=as_of,
                ),
                "value",
            )
        )
    indicators = list(rows)
    targets = {i.pk: i.target_total for i in indicators if i.target_total is not None}
    outputs = {}
    for indicator in indicators:
        parts = [indicator.rolled_total, getattr(indicator, "raw_total", None)]
        if any(part is not None for part in parts):
            outputs[indicator.pk] = sum(part for part in parts if part is not None)
    return _indicator_rows(indicators, targets, outputs, has_projects=has_projects)


def _territory(by_province: ByProvince, ids: Iterable[int]) -> dict[int, int]:
    """Σ by indicator of the provinces `ids` (a territory)."""
    totals: dict[int, int] = {}
    for pid in set(ids):
        for indicator, total in by_province.get(pid, {}).items():
            totals[indicator] = totals.get(indicator, 0) + total
    return totals


def _indicator_rows(
    indicators: Iterable[Indicator], targets: dict[int, int], outputs: dict[int, int], *, has_projects: bool
) -> list[IndicatorFigures]:
    """One row per indicator that is active or has a target or an output in the scope: the
    target (None when never set) and the outputs (None without a project of the year)."""
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
        for indicator in indicators
        if indicator.is_active or indicator.pk in targets or indicator.pk in outputs
    ]


def _indicator_figures(
    indicators: Iterable[Indicator],
    targets: ByProvince,
    outputs: ByProvince,
    ids: Iterable[int],
    *,
    has_projects: bool,
) -> list[IndicatorFigures]:
    """`_indicator_rows` of the territory `ids`, from rows by province (`_targets`, `_outputs`)."""
    ids = set(ids)
    return _indicator_rows(indicators, _territory(targets, ids), _territory(outputs, ids), has_projects=has_projects)


@dataclass(frozen=True)
class CutoffFigures:
    """A report's figures: plan, first-approved plan and actual by fund (and the total) and the
    indicators' targets and outputs, for one territory cut at one day. The same figures as
    `summary()`'s `funds` and `indicators` for that territory and day (the other amounts of
    `FundFigures`, which a report does not keep, are None)."""

    year: int
    as_of: datetime.date
    funds: dict[str, FundFigures]
    indicators: list[IndicatorFigures]


Cutoff = tuple[int, datetime.date, frozenset[int]]  # (year, cut-off day, territory's province ids)


def cutoff_figures(cutoffs: Iterable[Cutoff]) -> dict[Cutoff, CutoffFigures]:
    """`CutoffFigures` for each (year, as_of, ids) of `cutoffs`, from the same grouped rows and the
    same sums as `summary()` (`_Records` for the money; `_targets`, `_outputs` and
    `_indicator_figures` for the indicators, the rollup giving the whole months): a list of
    reports gets every report's figures without a summary per report.

    Queries, whatever the number of territories: plans, projects, targets, indicators, and per
    distinct (year, as_of) one of disbursements and one of outputs; none when `cutoffs` is empty.
    """
    wanted = set(cutoffs)
    if not wanted:
        return {}
    years = sorted({year for year, _day, _ids in wanted})
    days = sorted({(year, day) for year, day, _ids in wanted})
    plans, original_plans = _plans(years)
    projects = set(
        Project.objects.filter(year__in=years)
        .values_list("year", "province_id", "funding_source")
        .distinct()
        .order_by()
    )
    targets = _targets(years)
    indicators = list(Indicator.objects.order_by("order", "code"))
    actuals = {(year, day): _actuals(year, [], day) for year, day in days}
    outputs = {(year, day): _outputs(year, day) for year, day in days}
    records_of = {
        key: _Records(plans=plans, original_plans=original_plans, actuals=actuals[key], projects=projects)
        for key in days
    }
    result = {}
    for year, day, ids in wanted:
        records = records_of[year, day]
        funds = {
            fund: FundFigures(
                plan_vnd=records.plan(year, ids, fund),
                original_plan_vnd=records.original_plan(year, ids, fund),
                actual_vnd=records.actual(year, ids, fund),
                plan_prev_vnd=None,
                original_plan_prev_vnd=None,
                nation_plan_vnd=None,
                nation_actual_vnd=None,
                committed_vnd=None,
            )
            for fund in FUNDS
        }
        funds[TOTAL] = FundFigures(
            **{
                name: progress.total(getattr(funds[f], name) for f in FUNDS)
                for name in FundFigures.__dataclass_fields__
            }
        )
        result[year, day, ids] = CutoffFigures(
            year=year,
            as_of=day,
            funds=funds,
            indicators=_indicator_figures(
                indicators,
                targets.get(year, {}),
                outputs[year, day],
                ids,
                has_projects=records.has_projects(year, ids),
            ),
        )
    return result
