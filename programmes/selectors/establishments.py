"""Reads about establishments: the supports an establishment received (its page, the API),
the supports a new one would duplicate (the double-funding warning) and the provinces whose
establishments a project may support.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from ..models import (
    MONEY_SUM,
    Disbursement,
    Establishment,
    Project,
    ProjectBeneficiary,
    ProjectStatus,
    Province,
    fund_short_label,
    signed_amount_vnd,
)
from ..rules import records


@dataclass(frozen=True)
class SupportRow:
    """One support an establishment received: a project it is a beneficiary of."""

    project_id: int
    code: str
    title: str
    year: int
    province: str
    fund: str
    category: str
    status: str
    cancelled: bool
    support_vnd: Decimal
    disbursed_vnd: Decimal
    double_funding_confirmed: bool


@dataclass(frozen=True)
class EstablishmentSupports:
    """Every support of an establishment, newest year first, and their sums by fund (KCQG,
    KCĐP); the sums leave cancelled projects out and are 0 when there is no support."""

    rows: list[SupportRow]
    support_by_fund_vnd: dict[str, Decimal]
    total_support_vnd: Decimal
    disbursed_vnd: Decimal


def _disbursed_subquery() -> Coalesce:
    """Net đồng disbursed to the link's project (C7: a subquery, not a join)."""
    totals = (
        Disbursement.objects.filter(project=OuterRef("project"))
        .order_by()
        .values("project")
        .annotate(total=Sum(signed_amount_vnd()))
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=MONEY_SUM), Decimal(0), output_field=MONEY_SUM)


def establishment_supports(establishment: Establishment) -> EstablishmentSupports:
    """The supports `establishment` received across years, funds and contents, in one query
    (the links with their projects, provinces, categories and net disbursed amounts)."""
    links = (
        ProjectBeneficiary.objects.filter(establishment=establishment)
        .select_related("project__province", "project__category")
        .annotate(disbursed_vnd=_disbursed_subquery())
        .order_by("-project__year", "project__code")
    )
    rows = [
        SupportRow(
            project_id=link.project_id,
            code=link.project.code,
            title=link.project.title,
            year=link.project.year,
            province=link.project.province.name,
            fund=fund_short_label(link.project.funding_source),
            category=link.project.category.name,
            status=str(ProjectStatus(link.project.status).label),
            cancelled=link.project.status == ProjectStatus.CANCELLED,
            support_vnd=link.project.support_vnd,
            disbursed_vnd=link.disbursed_vnd,
            double_funding_confirmed=link.double_funding_confirmed,
        )
        for link in links
    ]
    counted = [row for row in rows if not row.cancelled]
    by_fund = records.sum_by_key((row.fund, row.support_vnd) for row in counted)
    return EstablishmentSupports(
        rows=rows,
        support_by_fund_vnd=by_fund,
        total_support_vnd=Decimal(sum(by_fund.values(), Decimal(0))),
        disbursed_vnd=sum((row.disbursed_vnd for row in counted), Decimal(0)),
    )


@dataclass(frozen=True)
class PossibleDouble:
    """An earlier support of the same content for the same establishment, a year apart or less."""

    establishment: str
    category: str
    year: int
    code: str


def double_funding_matches(*, establishment: Establishment, project: Project) -> list[PossibleDouble]:
    """The other supports of `establishment` with `project`'s content (category) in the years
    `rules.records.double_funding_years(project.year)`, cancelled projects left out; one query.
    Empty when there is none (or the project has no category or year yet)."""
    if not (project.category_id and project.year):
        return []
    links = (
        ProjectBeneficiary.objects.filter(
            establishment=establishment,
            project__category_id=project.category_id,
            project__year__in=list(records.double_funding_years(project.year)),
        )
        .exclude(project__status=ProjectStatus.CANCELLED)
        .exclude(project_id=project.pk)
        .select_related("project__category")
        .order_by("project__year", "project__code")
    )
    return [
        PossibleDouble(
            establishment=establishment.name,
            category=link.project.category.name,
            year=link.project.year,
            code=link.project.code,
        )
        for link in links
    ]


def current_province_id(province: Province) -> int:
    """The province in force today that `province` is or became part of (its territory)."""
    return province.merged_into_id or province.pk


def project_territory_ids(project: Project) -> frozenset[int]:
    """The provinces whose establishments `project` may support: every province of its
    territory, i.e. the province in force today that the project's province is or became part
    of, and the provinces merged into it (an establishment registered in new Thành phố Hồ Chí
    Minh may have had a 2024 project of Bình Dương; one query)."""
    current = current_province_id(project.province)
    return frozenset(Province.objects.filter(Q(pk=current) | Q(merged_into_id=current)).values_list("pk", flat=True))
