"""The figures a report was approved with, and the same figures as the records give them now
(issue 13, item 4): an approved report keeps what it said, and its page and the API set the live
figures beside them with the difference (a revision after the 6-month report moves the plan).

The stored shape (`ReportingPeriod.approved_figures`, JSON):
    {"as_of": "2025-06-30",
     "funds": {"KCQG": {"plan_vnd": "…", "original_plan_vnd": "…", "actual_vnd": "…"}, "KCDP": …, "total": …},
     "indicators": {"<code>": {"target": int | None, "actual": int | None}, …}}
amounts as decimal strings of whole đồng, None (null) where no record is behind the figure.
"""

from dataclasses import dataclass
from decimal import Decimal

from ..models import ReportingPeriod
from ..rules import progress
from .figures import FUNDS, TOTAL, Scope, Summary
from .summaries import summary

FUND_KEYS = (*FUNDS, TOTAL)
AMOUNTS = ("plan_vnd", "original_plan_vnd", "actual_vnd")
COUNTS = ("target", "actual")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal(1)))


def live_figures(period: ReportingPeriod) -> dict:
    """The report's figures as the records give them now: `summary()` for the province's
    territory, cut at the period's end. The shape of the module's docstring."""
    return figures_of(summary(year=period.year, as_of=period.end_date, scope=Scope(province=period.province)))


def figures_of(figures: Summary) -> dict:
    """The stored shape of a report's figures, from a `summary()` already computed (the report's
    page has one: it need not compute it twice)."""
    return {
        "as_of": figures.as_of.isoformat(),
        "funds": {
            key: {name: _amount(getattr(figures.funds[key], name)) for name in AMOUNTS}
            for key in FUND_KEYS
            if key in figures.funds
        },
        "indicators": {item.code: {"target": item.target, "actual": item.actual} for item in figures.indicators},
    }


@dataclass(frozen=True)
class FigureComparison:
    """One figure of a report: as approved, as the records give it now, and live − approved.

    `approved` is None when the report stored no figures (not approved, or approved before the
    portal kept them) or no record was behind the figure; `difference` is None when either is.
    """

    group: str  # a fund code, "total", or "indicator"
    key: str  # plan_vnd / original_plan_vnd / actual_vnd, or an indicator code + ":target|actual"
    approved: Decimal | int | None
    live: Decimal | int | None
    difference: Decimal | None

    @property
    def changed(self) -> bool:
        return self.approved != self.live


def _parse(value, integer: bool):
    if value is None:
        return None
    return int(value) if integer else Decimal(value)


def compare(period: ReportingPeriod, live: dict | None = None) -> list[FigureComparison]:
    """Every figure of `period`'s report, approved beside live (funds first, then indicators).

    `live` (default `live_figures(period)`) may be passed when the caller already has it.
    """
    live = live if live is not None else live_figures(period)
    approved = period.approved_figures or {}
    rows: list[FigureComparison] = []
    for fund, amounts in live["funds"].items():
        stored = (approved.get("funds") or {}).get(fund) or {}
        for name in AMOUNTS:
            then, now = _parse(stored.get(name), False), _parse(amounts.get(name), False)
            rows.append(FigureComparison(fund, name, then, now, progress.difference(now, then)))
    for code, counts in live["indicators"].items():
        stored = (approved.get("indicators") or {}).get(code) or {}
        for name in COUNTS:
            then, now = _parse(stored.get(name), True), _parse(counts.get(name), True)
            rows.append(FigureComparison("indicator", f"{code}:{name}", then, now, progress.difference(now, then)))
    return rows
