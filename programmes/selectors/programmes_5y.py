"""A five-year programme's progress to date from the yearly records (issue 19, item 3), on the
dashboards' arithmetic (selectors.summaries._indicator_rows, rules.progress): an output is None
where the programme's scope has no project of the year, 0 where it has projects but no output;
a completion percentage is None where either side is; a target the portal does not measure (no
indicator, or an outcome percentage) has no progress (None), not 0.

The scope of a national programme is every province; of a province's programme, its territory
(the province and those merged into it).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from ..models import (
    Disbursement,
    FiveYearProgramme,
    Project,
    ProjectOutput,
    Province,
    TargetKind,
    signed_amount_vnd,
)
from ..models.programmes_5y import ProgrammeTarget
from ..rules import progress


@dataclass(frozen=True)
class TargetProgress:
    target: ProgrammeTarget
    # Year by year over the programme's years: None where the scope has no project that year
    # (or the target is not measured).
    by_year: tuple[tuple[int, Decimal | None], ...]

    @property
    def measured(self) -> bool:
        return self.target.kind == TargetKind.COUNT and self.target.indicator_id is not None

    @property
    def actual(self) -> Decimal | None:
        """The outputs to date; None when not measured or nothing is recorded in any year."""
        return progress.total(value for _year, value in self.by_year)

    @property
    def completion_pct(self) -> Decimal | None:
        return progress.completion_pct(self.actual, self.target.value) if self.measured else None


@dataclass(frozen=True)
class YearMoney:
    year: int
    projects: int
    support_vnd: Decimal | None  # None: no project of the year in the scope
    disbursed_vnd: Decimal | None  # None: nothing paid in the year


@dataclass(frozen=True)
class ProgrammeProgress:
    programme: FiveYearProgramme
    targets: tuple[TargetProgress, ...]
    years: tuple[YearMoney, ...]

    @property
    def support_total_vnd(self) -> Decimal | None:
        return progress.total(year.support_vnd for year in self.years)

    @property
    def disbursed_total_vnd(self) -> Decimal | None:
        return progress.total(year.disbursed_vnd for year in self.years)


def programme_scope(programme: FiveYearProgramme) -> frozenset[int] | None:
    """The province ids whose records count for `programme` (None: every province; 1 query
    for a province's programme)."""
    province = programme.province
    if province is None:
        return None
    current = province.merged_into_id or province.pk
    return frozenset(Province.objects.filter(Q(pk=current) | Q(merged_into_id=current)).values_list("pk", flat=True))


def programme_progress(
    programme: FiveYearProgramme, *, province_ids: frozenset[int] | None = None
) -> ProgrammeProgress:
    """`programme`'s targets with their progress, and its money year by year, over its scope
    narrowed to `province_ids` when given (a reader who sees part of a national programme's
    records reads that part).

    Queries: the scope (a province's programme only), the targets with their indicators, the
    projects by year, the outputs by indicator and year, the disbursements by year (4 or 5).
    """
    scope = programme_scope(programme)
    if province_ids is not None:
        scope = province_ids if scope is None else scope & province_ids
    years = list(range(programme.start_year, programme.end_year + 1))
    targets = list(programme.targets.select_related("indicator").order_by("order", "id"))
    projects = Project.objects.filter(year__in=years).in_provinces(scope)
    by_year = {
        row["year"]: row
        for row in projects.order_by().values("year").annotate(count=Count("pk"), support=Sum("support_vnd"))
    }
    outputs = {
        (row["indicator_id"], row["project__year"]): row["total"]
        for row in ProjectOutput.objects.in_provinces(scope)
        .filter(project__year__in=years)
        .order_by()
        .values("indicator_id", "project__year")
        .annotate(total=Sum("value"))
    }
    paid = {
        row["date__year"]: row["total"]
        for row in Disbursement.objects.in_provinces(scope)
        .filter(date__year__in=years)
        .order_by()
        .values("date__year")
        .annotate(total=Sum(signed_amount_vnd()))
    }
    rows = []
    for target in targets:
        measured = target.kind == TargetKind.COUNT and target.indicator_id is not None
        rows.append(
            TargetProgress(
                target=target,
                by_year=tuple(
                    (
                        year,
                        Decimal(outputs.get((target.indicator_id, year), 0)) if measured and year in by_year else None,
                    )
                    for year in years
                ),
            )
        )
    money = tuple(
        YearMoney(
            year=year,
            projects=by_year[year]["count"] if year in by_year else 0,
            support_vnd=by_year[year]["support"] if year in by_year else None,
            disbursed_vnd=paid.get(year),
        )
        for year in years
    )
    return ProgrammeProgress(programme=programme, targets=tuple(rows), years=money)
