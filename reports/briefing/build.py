"""A conference's briefing: the figures of its region from the portal's own records (docs/design.md §6).

Read-only and built on `programmes.selectors.summary`, so every figure is the one the dashboards,
the summary endpoint and the workbooks show for the same region and cut-off:

- the previous year in full: `summary(year − 1, as_of=31/12)`, on the conference year's
  territory and provinces (a region of 2025 against its provinces' predecessors in 2024);
- the conference's year up to the last reporting cut-off on or before the conference's first
  day (30/06 for a conference in July–September, 30/09 for one in October–December), or up
  to the conference's day itself when it is held before 30 June.

Why the last reporting cut-off rather than the conference's day (docs/design.md §6 says "to the
conference date"): provinces report at 30/06 and 30/09, and a disbursement made in the weeks
before a conference is often entered only with the next report, so figures "to 28/07" would
be incomplete in a way no one can see; the figures quoted at the conferences are the 6- and
9-month ones (the 7th southern conference, 28/07/2016, reported the first six months:
docs/reference/example_south_2016.md). The briefing names its cut-off date everywhere, and the
summary endpoint gives the same figures for any other date.

Besides the two summaries (sharing one ProvinceMap), one query reads the collaborator networks
of the region's centres in the conference's year.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    cutoff_date,
    summary,
)

# How officials write the funds.
# Reporting cut-offs that a briefing may stop at, latest first.
CUTOFF_PERIODS = (Period.FY, Period.M9, Period.H1)


def briefing_cutoff(day: datetime.date) -> tuple[datetime.date, str | None]:
    """The last reporting cut-off (30/06, 30/09 or 31/12) of `day`'s year on or before `day`,
    with its period code; `day` itself with None when no cut-off of the year has passed."""
    for period in CUTOFF_PERIODS:
        end = cutoff_date(day.year, period)
        if end <= day:
            return end, str(period)
    return day, None


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

    Queries: provinces (unless `provinces` is given), 7 for each summary, 1 for the networks.
    """
    provinces = provinces or ProvinceMap.load()
    scope = Scope(region=conference.region)
    year = conference.year
    as_of, period = briefing_cutoff(conference.start_date)
    current = summary(year=year, as_of=as_of, scope=scope, provinces=provinces)
    # The previous year on the conference year's territory and listing the conference year's
    # provinces: in 2025 the centre compares its 11 provinces with their predecessors' 2024.
    previous = summary(
        year=year - 1,
        as_of=datetime.date(year - 1, 12, 31),
        scope=scope,
        provinces=provinces,
        region_year=year,
        listed_on=current.cutoff_day,
    )

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
