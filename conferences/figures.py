"""The portal's figures of a conference's region, and the figures its report quoted beside them.

A conference looks back on its region's previous year in full and on its own year up to the last
reporting cut-off before it (`conference_cutoff`): the two summaries of `conference_figures`,
from which the briefing is built and against which the figures the conference's report quoted
(`ReportedFigure`) are set, with the difference (`reported_lines`).

Why the last reporting cut-off rather than the conference's day: provinces report at 30/06 and
30/09, and a disbursement made in the weeks before a conference is often entered only with the
next report, so figures "to 28/07" would be incomplete in a way no one can see; the figures
quoted at the conferences are the 6- and 9-month ones (docs/reference/example_south_2016.md).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from programmes.models import Period, fund_short_label
from programmes.rules import progress
from programmes.selectors import ProvinceMap, Scope, Summary, cutoff_date, summary

from .models import Conference, ReportedFigure

# Reporting cut-offs that a conference's figures may stop at, latest first.
CUTOFF_PERIODS = (Period.FY, Period.M9, Period.H1)

F = ReportedFigure.Figure
MONEY_FIGURES = frozenset({F.ORIGINAL_PLAN, F.PLAN, F.ACTUAL})
COUNT_FIGURES = frozenset({F.OUTPUT, F.PLANS_APPROVED})


def conference_cutoff(day: datetime.date) -> tuple[datetime.date, str | None]:
    """The last reporting cut-off (30/06, 30/09 or 31/12) of `day`'s year on or before `day`,
    with its period code; `day` itself with None when no cut-off of the year has passed."""
    for period in CUTOFF_PERIODS:
        end = cutoff_date(day.year, period)
        if end <= day:
            return end, str(period)
    return day, None


@dataclass(frozen=True)
class ConferenceFigures:
    """The region's previous year in full and the conference's year to its cut-off."""

    previous: Summary
    current: Summary
    period: str | None  # "H1", "9M", "FY" for a reporting cut-off; None when cut at the conference's day


def conference_figures(conference: Conference, *, provinces: ProvinceMap | None = None) -> ConferenceFigures:
    """The two summaries of `conference`'s region: its year to `conference_cutoff`, and the
    previous year to 31/12 on the conference year's territory, listing the same provinces (in
    2025 the centre compares its 11 provinces with their predecessors' 2024).

    Queries: provinces (unless `provinces` is given), then 7 for each summary.
    """
    provinces = provinces or ProvinceMap.load()
    scope = Scope(region=conference.region)
    year = conference.year
    as_of, period = conference_cutoff(conference.start_date)
    current = summary(year=year, as_of=as_of, scope=scope, provinces=provinces)
    previous = summary(
        year=year - 1,
        as_of=datetime.date(year - 1, 12, 31),
        scope=scope,
        provinces=provinces,
        region_year=year,
        listed_on=current.cutoff_day,
    )
    return ConferenceFigures(previous=previous, current=current, period=period)


@dataclass(frozen=True)
class ReportedLine:
    """A figure as the conference's report quoted it, beside the portal's for the same scope,
    year, cut-off and basis. `computed` is None where the portal has no record behind the figure;
    percentages are compared at the two decimals the portal shows."""

    reported: ReportedFigure
    computed: Decimal | int | None
    kind: str  # "money", "pct" or "count"
    year: int

    @property
    def difference(self) -> Decimal | None:
        """Reported minus the portal's; None when the portal has no figure."""
        return progress.difference(self.reported.value, self.computed)

    @property
    def label(self) -> str:
        figure = self.reported
        if figure.indicator_id:
            what = f"{figure.get_figure_display()}: {figure.indicator.name}"
        else:
            fund = _("Total") if figure.fund == ReportedFigure.Fund.TOTAL else fund_short_label(figure.fund)
            what = f"{figure.get_figure_display()} – {fund}"
        return f"{what} ({self.year})"


def _computed(figure: ReportedFigure, result: Summary) -> Decimal | int | None:
    """The portal's value of `figure` in `result`, in the figure's unit."""
    if figure.figure in ReportedFigure.INDICATOR_FIGURES:
        indicator = next((i for i in result.indicators if i.code == figure.indicator.code), None)
        if indicator is None:
            return None
        if figure.figure == F.OUTPUT:
            return indicator.actual
        return progress.round_pct(indicator.completion_pct)
    if figure.figure == F.PLANS_APPROVED:
        return result.plans_approved[figure.fund].approved
    value = getattr(result.funds[figure.fund], figure.figure)
    return value if figure.figure in MONEY_FIGURES else progress.round_pct(value)


def reported_lines(figures: ConferenceFigures, reported: Iterable[ReportedFigure]) -> list[ReportedLine]:
    """Each reported figure beside the portal's (no query: `reported` comes with its indicators)."""
    lines = []
    for figure in reported:
        result = figures.previous if figure.year == ReportedFigure.Year.PREVIOUS else figures.current
        if figure.figure in MONEY_FIGURES:
            kind = "money"
        elif figure.figure in COUNT_FIGURES:
            kind = "count"
        else:
            kind = "pct"
        lines.append(ReportedLine(reported=figure, computed=_computed(figure, result), kind=kind, year=result.year))
    return lines
