"""Figures of the typical-products selection: by round (entered, recognised, certificates
valid on a day, and the figures the round's report published), by level, region, province and
product group; a round's list as a province sends it up; a province-year's output indicator
beside its recognised products. Counts are 0 where nothing is entered; a published figure is
None when the report gave none.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ..models import (
    ProductEntry,
    ProductGroup,
    Project,
    ProjectOutput,
    Province,
    SelectionLevel,
    SelectionRound,
)
from ..rules import records
from .establishments import current_province_id


@dataclass(frozen=True)
class Counts:
    entered: int
    recognised: int
    certified_valid: int


@dataclass(frozen=True)
class RoundRow:
    round_id: int
    label: str
    level: str
    level_label: str
    year: int
    place: str
    region_code: str
    decision_number: str
    counts: Counts
    reported_entered: int | None
    reported_recognised: int | None


@dataclass(frozen=True)
class GroupRow:
    label: str
    key: str
    counts: Counts


@dataclass(frozen=True)
class ProductFigures:
    """The figures of the rounds chosen (see `product_figures`)."""

    on: datetime.date
    rounds: list[RoundRow]
    by_level: list[GroupRow]
    by_group: list[GroupRow]
    by_province: list[GroupRow]
    total: Counts
    reported_entered: int | None
    reported_recognised: int | None


def _counts(prefix: str, on: datetime.date) -> dict[str, Count]:
    """Annotations counting the entries under `prefix` (`entries__` from a round, `` from an
    entry): entered, recognised, certificates valid on `on`. One join path (entry → its one
    certificate), so the counts do not multiply each other (C7)."""
    recognised = Q(**{f"{prefix}average_score__gte": records.RECOGNITION_SCORE})
    valid = Q(**{f"{prefix}certificate__issued_on__lte": on, f"{prefix}certificate__valid_to__gte": on})
    key = f"{prefix}id" if prefix else "id"
    return {
        "n_entered": Count(key, distinct=True),
        "n_recognised": Count(key, filter=recognised, distinct=True),
        "n_valid": Count(key, filter=valid, distinct=True),
    }


def _from(row: Mapping[str, Any]) -> Counts:
    return Counts(entered=row["n_entered"], recognised=row["n_recognised"], certified_valid=row["n_valid"])


def _sum_reported(values: list[int | None]) -> int | None:
    given = [value for value in values if value is not None]
    return sum(given) if given else None


def product_figures(
    rounds: QuerySet[SelectionRound], *, on: datetime.date, entries: QuerySet[ProductEntry] | None = None
) -> ProductFigures:
    """The figures of `rounds` (a queryset, already scoped and filtered) with certificates
    valid on `on`; `entries` (scoped: the entries of those rounds the user reads) for the
    groups and provinces, the rounds' own entries when None. Four queries: the rounds with
    their counts, the counts by product group, by province, and by level."""
    # Any: the stubs cannot see the counts `_counts` annotates (n_entered…).
    rows: list[Any] = list(
        rounds.select_related("province", "region")
        .annotate(**_counts("entries__", on))
        .order_by("-year", "level", "region__order", "province__code", "id")
    )
    entries = ProductEntry.objects.filter(round__in=rounds) if entries is None else entries
    round_rows = [
        RoundRow(
            round_id=row.pk,
            label=str(row),
            level=row.level,
            level_label=str(SelectionLevel(row.level).label),
            year=row.year,
            place=str(row.province or row.region or ""),
            region_code=row.region.code if row.region_id else "",
            decision_number=row.decision_number,
            counts=Counts(row.n_entered, row.n_recognised, row.n_valid),
            reported_entered=row.reported_entered,
            reported_recognised=row.reported_recognised,
        )
        for row in rows
    ]
    group_labels = dict(ProductGroup.choices)
    by_group = [
        GroupRow(label=str(group_labels.get(row["group"], row["group"])), key=row["group"], counts=_from(row))
        for row in entries.order_by().values("group").annotate(**_counts("", on)).order_by("group")
    ]
    by_province = [
        GroupRow(label=row["establishment__province__name"], key=str(row["establishment__province"]), counts=_from(row))
        for row in entries.order_by()
        .values("establishment__province", "establishment__province__name", "establishment__province__code")
        .annotate(**_counts("", on))
        .order_by("establishment__province__code")
    ]
    level_labels = dict(SelectionLevel.choices)
    by_level = [
        GroupRow(label=str(level_labels[row["round__level"]]), key=row["round__level"], counts=_from(row))
        for row in entries.order_by().values("round__level").annotate(**_counts("", on)).order_by("round__level")
    ]
    total = Counts(
        entered=sum(row.counts.entered for row in round_rows),
        recognised=sum(row.counts.recognised for row in round_rows),
        certified_valid=sum(row.counts.certified_valid for row in round_rows),
    )
    return ProductFigures(
        on=on,
        rounds=round_rows,
        by_level=by_level,
        by_group=by_group,
        by_province=by_province,
        total=total,
        reported_entered=_sum_reported([row.reported_entered for row in round_rows]),
        reported_recognised=_sum_reported([row.reported_recognised for row in round_rows]),
    )


@dataclass(frozen=True)
class SentUpRow:
    product_name: str
    group: str
    establishment: str
    tax_code: str
    commune: str
    average_score: object
    certificate_number: str
    issued_on: datetime.date | None
    valid_to: datetime.date | None


def round_sent_up(round_: SelectionRound) -> list[SentUpRow]:
    """The recognised products of `round_` with their certificates: the list a province (or a
    region) sends up to the next level; best score first. One query."""
    entries = (
        round_.entries.filter(average_score__gte=records.RECOGNITION_SCORE)
        .select_related("establishment", "certificate")
        .order_by("-average_score", "product_name", "id")
    )
    group_labels = dict(ProductGroup.choices)
    rows = []
    for entry in entries:
        certificate = getattr(entry, "certificate", None)
        rows.append(
            SentUpRow(
                product_name=entry.product_name,
                group=str(group_labels[entry.group]),
                establishment=entry.establishment.name,
                tax_code=entry.establishment.tax_code,
                commune=entry.establishment.commune,
                average_score=entry.average_score,
                certificate_number=certificate.number if certificate else "",
                issued_on=certificate.issued_on if certificate else None,
                valid_to=certificate.valid_to if certificate else None,
            )
        )
    return rows


@dataclass(frozen=True)
class IndicatorComparison:
    """A province-year's typical-products output (from the projects' outputs) beside the
    products its own rounds recognised; `output` None when no output is recorded."""

    output: int | None
    recognised: int


def typical_products_comparison(province: Province, year: int) -> IndicatorComparison:
    """For `province` (and the provinces of its territory) in `year`: the `typical_products`
    indicator's outputs and the products its provincial rounds recognised (the level the
    province's reports count). Two queries."""
    current = current_province_id(province)
    territory = Q(province_id=current) | Q(province__merged_into_id=current)
    output = ProjectOutput.objects.filter(
        indicator__code="typical_products",
        date__year=year,
        project__in=Project.objects.filter(territory),
    ).aggregate(total=Sum("value"))["total"]
    recognised = (
        ProductEntry.objects.filter(
            round__year=year,
            round__level=SelectionLevel.PROVINCE,
            average_score__gte=records.RECOGNITION_SCORE,
        )
        .filter(Q(round__province_id=current) | Q(round__province__merged_into_id=current))
        .count()
    )
    return IndicatorComparison(output=output, recognised=recognised)
