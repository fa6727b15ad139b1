"""Figures by activity content (issue 19, item 4): a year's figures use the contents in force
that year, and a trend across Decree 235/2025 can fold its new contents into the 2012 contents
they are comparable with (models.CategoryMapping), on the dashboards' arithmetic
(rules.progress: `None` where nothing is recorded, not 0).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from ..models import ActivityCategory, Disbursement, Project, signed_amount_vnd
from ..rules import progress


@dataclass(frozen=True)
class CategoryYear:
    """One content's figures in one year. `projects` is 0 when none was recorded; the amounts
    are None then (nothing recorded), and `disbursed_vnd` is None when nothing was paid."""

    year: int
    in_force: bool
    projects: int
    support_vnd: Decimal | None
    disbursed_vnd: Decimal | None


@dataclass(frozen=True)
class CategoryRow:
    category: ActivityCategory
    # The later contents folded into this one (comparable=True), in their order; empty otherwise.
    folded: tuple[ActivityCategory, ...]
    years: tuple[CategoryYear, ...]


def categories_in_force(year: int) -> list[ActivityCategory]:
    """The activity contents that apply on at least one day of `year`, in their order (1 query)."""
    return [category for category in ActivityCategory.objects.all() if category.in_force_in(year)]


def category_figures(
    *, years: Iterable[int], province_ids: frozenset[int] | None = None, comparable: bool = False
) -> list[CategoryRow]:
    """Projects, support and disbursements by activity content for each of `years`, over the
    projects of `province_ids` (None: every province).

    A content is listed when it is in force in one of the years or has a record in one of them.
    With `comparable`, each later content with a mapping is folded into its earlier content (the
    2012 list then reads across the change), its figures added by `progress.fold`.

    Disbursements count in the year they are dated, as on the dashboards; support is the
    projects' approved support in their year. Queries: the contents with their mappings, the
    projects by content and year, the disbursements by content and year (3).
    """
    years = sorted(set(years))
    if not years:
        return []
    categories = list(ActivityCategory.objects.select_related("mapping"))
    projects = Project.objects.filter(year__in=years).in_provinces(province_ids)
    by_project = {
        (row["category_id"], row["year"]): row
        for row in projects.order_by()
        .values("category_id", "year")
        .annotate(count=Count("pk"), support=Sum("support_vnd"))
    }
    paid = (
        Disbursement.objects.in_provinces(province_ids)
        .filter(date__gte=datetime.date(years[0], 1, 1), date__lte=datetime.date(years[-1], 12, 31))
        .order_by()
        .values("project__category_id", "date__year")
        .annotate(total=Sum(signed_amount_vnd()))
    )
    by_paid = {(row["project__category_id"], row["date__year"]): row["total"] for row in paid}
    into = {}
    if comparable:
        into = {
            category.pk: category.mapping.comparable_with_id for category in categories if hasattr(category, "mapping")
        }
    by_pk = {category.pk: category for category in categories}
    support = {
        year: progress.fold({pk: (by_project.get((pk, year)) or {}).get("support") for pk in by_pk}, into)
        for year in years
    }
    disbursed = {year: progress.fold({pk: by_paid.get((pk, year)) for pk in by_pk}, into) for year in years}
    rows = []
    for category in categories:
        if category.pk in into:
            continue
        members = [category.pk, *(pk for pk, target in into.items() if target == category.pk)]
        cells = tuple(
            CategoryYear(
                year=year,
                in_force=any(by_pk[pk].in_force_in(year) for pk in members),
                projects=sum((by_project.get((pk, year)) or {}).get("count", 0) for pk in members),
                support_vnd=support[year][category.pk],
                disbursed_vnd=disbursed[year][category.pk],
            )
            for year in years
        )
        if any(cell.in_force or cell.projects or cell.disbursed_vnd is not None for cell in cells):
            rows.append(CategoryRow(category=category, folded=tuple(by_pk[pk] for pk in members[1:]), years=cells))
    return rows
