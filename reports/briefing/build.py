"""A conference's briefing: the figures of its region from the portal's own records (docs/design.md §6).

Read-only and built on the two summaries of `conferences.figures.conference_figures` (its year
to the last reporting cut-off before the conference, the previous year in full on the same
territory), so every figure is the one the dashboards, the summary endpoint and the workbooks
show for the same region and cut-off; the figures the conference's report quoted are set beside
them (`conferences.figures.reported_lines`). Besides the two summaries (sharing one ProvinceMap),
one query reads the collaborator networks of the region's centres in the conference's year.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conferences.figures import ReportedLine, conference_cutoff, conference_figures, reported_lines
from conferences.models import Conference
from programmes.models import CollaboratorNetwork, Period, Province, fund_short_label
from programmes.selectors import (
    FUNDS,
    TOTAL,
    ApprovalCount,
    FundFigures,
    IndicatorFigures,
    ProvinceMap,
    ProvinceRow,
    Scope,
    Summary,
)

# The conference's cut-off, under the name the briefing's callers know.
briefing_cutoff = conference_cutoff


@dataclass(frozen=True)
class NetworkCentre:
    """A centre of the region with collaborators in the conference's year."""

    province: Province
    centre_name: str
    district_collaborators: int
    commune_collaborators: int


@dataclass(frozen=True)
class FundLine:
    """A fund (or the total) in both years."""

    code: str  # "KCQG", "KCDP" or "total"
    previous: FundFigures
    current: FundFigures

    @property
    def is_total(self) -> bool:
        return self.code == TOTAL

    @property
    def label(self) -> str:
        return str(_("Total")) if self.is_total else fund_short_label(self.code)


@dataclass(frozen=True)
class ApprovalLine:
    """Provinces with an approved plan of a fund, in both years."""

    fund: str
    previous: ApprovalCount
    current: ApprovalCount

    @property
    def label(self) -> str:
        return fund_short_label(self.fund)


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator's target and result in both years (the previous year's None when absent)."""

    current: IndicatorFigures
    previous: IndicatorFigures | None


@dataclass(frozen=True)
class ProvinceLine:
    """A province of the region in force at the cut-off: its territory's records in both years
    and its collaborator network."""

    province: Province
    current: ProvinceRow
    previous: ProvinceRow | None
    network: NetworkCentre | None


@dataclass(frozen=True)
class Briefing:
    conference: Conference
    previous: Summary  # the previous year, to 31/12
    current: Summary  # the conference's year, to `current.as_of`
    period: str | None  # "H1", "9M", "FY" for a reporting cut-off; None when cut at the conference's day
    funds: list[FundLine]  # KCQG, KCDP, total
    approvals: list[ApprovalLine]  # by fund
    indicators: list[IndicatorLine]
    district_centres: list[NetworkCentre]
    commune_centres: list[NetworkCentre]
    provinces: list[ProvinceLine]
    generated_at: datetime.datetime
    reported: list[ReportedLine] = field(default_factory=list)  # what the conference's report quoted

    @property
    def year(self) -> int:
        return self.current.year

    @property
    def previous_year(self) -> int:
        return self.previous.year

    @property
    def as_of(self) -> datetime.date:
        return self.current.as_of

    @property
    def period_label(self) -> str:
        """`6 months`, `9 months`, `Full year`; '' when cut at the conference's day."""
        return str(Period(self.period).label) if self.period else ""

    @property
    def approvals_current(self) -> list[tuple[str, ApprovalCount]]:
        """(fund label, count) of the conference's year, for the list of provinces without a plan."""
        return [(line.label, line.current) for line in self.approvals]

    @property
    def approvals_by_fund(self) -> dict[str, ApprovalLine]:
        return {line.fund: line for line in self.approvals}

    @property
    def district_count(self) -> int:
        """Centres with district-level collaborators in the conference's year."""
        return len(self.district_centres)

    @property
    def commune_count(self) -> int:
        """Centres with commune-level collaborators in the conference's year."""
        return len(self.commune_centres)

    @property
    def centre_count(self) -> int:
        """The region's provinces in force at the cut-off: one centre each."""
        return self.current.province_count


def build_briefing(
    conference: Conference, *, provinces: ProvinceMap | None = None, now: datetime.datetime | None = None
) -> Briefing:
    """The briefing of `conference` (its region, its year up to the cut-off, the previous year).

    Queries: provinces (unless `provinces` is given), 7 for each summary, 1 for the networks, 1
    for the figures the conference's report quoted (with their indicators).
    """
    provinces = provinces or ProvinceMap.load()
    scope = Scope(region=conference.region)
    year = conference.year
    figures = conference_figures(conference, provinces=provinces)
    previous, current, period = figures.previous, figures.current, figures.period

    in_force = provinces.in_force_on(provinces.territory(scope, year), current.cutoff_day)
    networks = _networks(year, in_force, provinces)
    previous_rows = {row.province.pk: row for row in previous.provinces}
    previous_indicators = {indicator.code: indicator for indicator in previous.indicators}
    return Briefing(
        conference=conference,
        previous=previous,
        current=current,
        period=period,
        funds=[FundLine(code, previous.funds[code], current.funds[code]) for code in (*FUNDS, TOTAL)],
        approvals=[ApprovalLine(fund, previous.plans_approved[fund], current.plans_approved[fund]) for fund in FUNDS],
        indicators=[
            IndicatorLine(indicator, previous_indicators.get(indicator.code)) for indicator in current.indicators
        ],
        district_centres=[centre for centre in networks.values() if centre.district_collaborators > 0],
        commune_centres=[centre for centre in networks.values() if centre.commune_collaborators > 0],
        provinces=[
            ProvinceLine(row.province, row, previous_rows.get(row.province.pk), networks.get(row.province.pk))
            for row in current.provinces
        ],
        generated_at=now or timezone.now(),
        reported=reported_lines(
            figures, conference.reported_figures.select_related("indicator").order_by("order", "id")
        ),
    )


def _networks(year: int, province_ids: set[int], provinces: ProvinceMap) -> dict[int, NetworkCentre]:
    """Province id -> its centre's network in `year`, for the centres with any collaborator (one query)."""
    rows = (
        CollaboratorNetwork.objects.filter(year=year, centre__province_id__in=province_ids)
        .filter(Q(district_collaborators__gt=0) | Q(commune_collaborators__gt=0))
        .values_list("centre__province_id", "centre__name", "district_collaborators", "commune_collaborators")
        .order_by("centre__province__code")
    )
    return {
        province_id: NetworkCentre(provinces.by_id[province_id], name, district, commune)
        for province_id, name, district, commune in rows
    }
