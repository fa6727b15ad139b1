"""The figures a report was approved with, and the same figures as the records give them now
(issue 13, item 4): an approved report keeps what it said, and its page and the API set the live
figures beside them with the difference (a revision after the 6-month report moves the plan).

The stored shape (`ReportingPeriod.approved_figures`, JSON):
    {"as_of": "2025-06-30",
     "funds": {"KCQG": {"plan_vnd": "…", "original_plan_vnd": "…", "actual_vnd": "…"}, "KCDP": …, "total": …},
     "indicators": {"<code>": {"target": int | None, "actual": int | None}, …}}
amounts as decimal strings of whole đồng, None (null) where no record is behind the figure.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.i18n import localized

from ..models import FundingSource, ReportingPeriod
from ..rules import progress
from .figures import FUNDS, TOTAL, IndicatorFigures, ProvinceMap, Summary
from .summaries import CutoffFigures, cutoff_figures

FUND_KEYS = (*FUNDS, TOTAL)
AMOUNTS = ("plan_vnd", "original_plan_vnd", "actual_vnd")
COUNTS = ("target", "actual")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal(1)))


PeriodKey = tuple[int, int, str]  # (province id, year, period)


def _key(period: ReportingPeriod) -> PeriodKey:
    return (period.province_id, period.year, period.period)


def live_cutoffs(
    periods: Iterable[ReportingPeriod], provinces: ProvinceMap | None = None
) -> dict[PeriodKey, CutoffFigures]:
    """Each report's figures as the records give them now, for its province's territory (the
    province and those merged into it) cut at the period's end: `summaries.cutoff_figures`, the
    sums of `summary()`. Keyed by (province id, year, period).

    Queries: provinces (unless `provinces` is given, or no period), then those of
    `cutoff_figures` (four, and two per distinct cut-off day), whatever the number of reports.
    """
    periods = list(periods)
    if not periods:
        return {}
    provinces = provinces or ProvinceMap.load()
    wanted = {
        _key(period): (
            period.year,
            period.end_date,
            frozenset(provinces.own_territory(provinces.by_id[period.province_id])),
        )
        for period in periods
    }
    computed = cutoff_figures(wanted.values())
    return {key: computed[cutoff] for key, cutoff in wanted.items()}


def live_figures_of(periods: Iterable[ReportingPeriod], provinces: ProvinceMap | None = None) -> dict[PeriodKey, dict]:
    """`live_cutoffs` in the stored shape of the module's docstring: what approving each of
    `periods` now would store (the approval service and the demo loader store exactly this)."""
    return {key: figures_of(figures) for key, figures in live_cutoffs(periods, provinces).items()}


def live_figures(period: ReportingPeriod) -> dict:
    """One report's figures as the records give them now (`live_figures_of` of it alone)."""
    return live_figures_of([period])[_key(period)]


def figures_of(figures: Summary | CutoffFigures) -> dict:
    """The stored shape of a report's figures, from a `summary()` of its territory and cut-off
    already computed (the report's page has one: it need not compute them twice), or from
    `cutoff_figures`."""
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


AMOUNT_LABELS = {
    "plan_vnd": gettext_lazy("plan as revised"),
    "original_plan_vnd": gettext_lazy("first-approved plan"),
    "actual_vnd": gettext_lazy("disbursed"),
}


def label_of(row: FigureComparison, indicators: dict[str, IndicatorFigures]) -> str:
    """`row`'s figure in words, in the user's language ("KCQG: plan as revised", "Trained
    workers: target"); `indicators` by code give the indicators' names."""
    if row.group == "indicator":
        code, part = row.key.split(":")
        item = indicators.get(code)
        name = localized(item.name, item.name_en) if item is not None else code
        return f"{name}: {_('target') if part == 'target' else _('done')}"
    fund = _("Total") if row.group == TOTAL else FundingSource(row.group).label
    return f"{fund}: {AMOUNT_LABELS[row.key]}"


@dataclass(frozen=True)
class ApprovedFigures:
    """An approved report's figures on the list of reports and in its Excel copy: the total plan
    (as revised) and disbursed as approved and as the records give them now, and every figure
    that differs, labelled."""

    rows: list[FigureComparison]
    changes: list[tuple[str, FigureComparison]]  # (label, row) of each figure that differs

    def _row(self, key: str) -> FigureComparison:
        return next(row for row in self.rows if row.group == TOTAL and row.key == key)

    @property
    def plan(self) -> FigureComparison:
        return self._row("plan_vnd")

    @property
    def actual(self) -> FigureComparison:
        return self._row("actual_vnd")

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def approved_figures(
    periods: Iterable[ReportingPeriod], provinces: ProvinceMap | None = None
) -> dict[PeriodKey, ApprovedFigures]:
    """For each of `periods` approved with its figures stored: those figures beside the live ones
    (`live_cutoffs`, one batch for all), keyed by (province id, year, period). Reports not
    approved, or approved before the portal kept figures, are left out.

    Queries: none when no such report; else those of `live_cutoffs`.
    """
    kept = [
        period for period in periods if period.status == ReportingPeriod.Status.APPROVED and period.approved_figures
    ]
    result = {}
    for key, live in live_cutoffs(kept, provinces).items():
        period = next(p for p in kept if _key(p) == key)
        rows = compare(period, figures_of(live))
        names = {item.code: item for item in live.indicators}
        result[key] = ApprovedFigures(rows=rows, changes=[(label_of(row, names), row) for row in rows if row.changed])
    return result
