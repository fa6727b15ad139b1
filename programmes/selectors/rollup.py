"""The rollup tables (models/rollup.py) compared with the raw rows they sum: `figure_differences`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from ..models import MONEY_SUM, Disbursement, DisbursementRollup, OutputRollup, ProjectOutput, signed_amount_vnd


@dataclass(frozen=True)
class FigureDifference:
    """One key whose rollup row disagrees with the raw rows: (table, key), and the (sum, count)
    each side holds; None on a side that has no row for the key."""

    table: str  # "disbursements" or "outputs"
    key: tuple  # (project year, province id, fund or indicator id, month's first day)
    rollup: tuple[Decimal | int, int] | None
    raw: tuple[Decimal | int, int] | None


def _raw_disbursements() -> dict[tuple, tuple]:
    rows = (
        Disbursement.objects.annotate(month=TruncMonth("date"))
        .values_list("project__year", "project__province_id", "project__funding_source", "month")
        .annotate(total=Sum(signed_amount_vnd(), output_field=MONEY_SUM), n=Count("id"))
        .order_by()
    )
    return {(y, pid, fund, month): (Decimal(total), n) for y, pid, fund, month, total, n in rows}


def _raw_outputs() -> dict[tuple, tuple]:
    rows = (
        ProjectOutput.objects.annotate(month=TruncMonth("date"))
        .values_list("project__year", "project__province_id", "indicator_id", "month")
        .annotate(total=Sum("value"), n=Count("id"))
        .order_by()
    )
    return {(y, pid, indicator, month): (int(total), n) for y, pid, indicator, month, total, n in rows}


def figure_differences() -> list[FigureDifference]:
    """Every key where the rollup tables and the raw rows disagree (sum or count), disbursements
    first, then outputs, each by key; [] when the rollup is exact. Four queries."""
    rollups = {
        "disbursements": {
            (r.project_year, r.province_id, r.funding_source, r.month): (Decimal(r.total_vnd), r.row_count)
            for r in DisbursementRollup.objects.all()
        },
        "outputs": {
            (r.project_year, r.province_id, r.indicator_id, r.month): (int(r.total), r.row_count)
            for r in OutputRollup.objects.all()
        },
    }
    raws = {"disbursements": _raw_disbursements(), "outputs": _raw_outputs()}
    found = []
    for table in ("disbursements", "outputs"):
        rollup, raw = rollups[table], raws[table]
        for key in sorted(rollup.keys() | raw.keys(), key=lambda k: tuple(str(part) for part in k)):
            if rollup.get(key) != raw.get(key):
                found.append(FigureDifference(table=table, key=key, rollup=rollup.get(key), raw=raw.get(key)))
    return found
