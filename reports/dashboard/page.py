"""The dashboard page's rows, links and charts, made from one `summary` result: the view picks
values (orders the province table, sends rows to the chart geometry of `charts`, builds links);
it computes no figure.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.i18n import vietnamese_sort_key
from programmes import access
from programmes.models import FUND_SHORT_LABELS, Period, ProjectStatus, Province
from programmes.selectors import (
    FUNDS,
    TOTAL,
    ApprovalCount,
    FundFigures,
    IndicatorFigures,
    PeriodCompleteness,
    ProvinceMap,
    ProvinceRow,
    RegionRow,
    Summary,
)

from ..templatetags import report_format as fmt
from . import charts
from .forms import ReportFilterForm, current_year

FIRST_YEAR = 2008  # the provinces' current boundaries (before the 2025 merger) date from 08/2008


TREND_YEARS = 10


# Chart sizes in SVG units: "wide" fills a card on a desktop (the whole width, or half of it),
# "narrow" a phone's card (about 320 px), so that chart text stays readable on both.
FULL_WIDTH, HALF_WIDTH, NARROW_WIDTH = 1100, 520, 320


SORTS = {
    "name": lambda row: vietnamese_sort_key(row.province.name),
    "original": lambda row: row.original_plan_total_vnd,
    "plan": lambda row: row.plan_total_vnd,
    "actual": lambda row: row.actual_total_vnd,
    "completion": lambda row: row.completion_pct,
}


# The first click on a column: names A→Z, figures largest first.
FIRST_DIRECTION = {"name": "", "original": "-", "plan": "-", "actual": "-", "completion": "-"}

# `?era=own`: in a year with both eras (2025), the table of every province with its own records
# of the days it was in force, instead of the provinces of the cut-off with their territories.
BY_ERA = "own"


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None


@dataclass(frozen=True)
class FundLine:
    code: str
    label: str
    figures: FundFigures
    is_total: bool


@dataclass(frozen=True)
class RegionLine:
    row: RegionRow
    url: str
    meter: charts.Meter


@dataclass(frozen=True)
class ProvinceLine:
    row: ProvinceRow
    url: str
    era: str  # "01/01–30/06/2025" in the table by era; "" when the row covers the whole year
    meter: charts.Meter


def province_rows(result: Summary, by_era: bool) -> list[ProvinceRow]:
    """The rows of the province table: by era (`era_rows`) when asked for and the year has two
    eras, else the provinces of the cut-off with their territories (`provinces`)."""
    return result.era_rows if by_era and result.has_two_eras else result.provinces


def dated(row: ProvinceRow, year: int) -> str:
    """`01/01/2025–30/06/2025` for a row of part of `year`; '' for a row of the whole year."""
    if row.start == datetime.date(year, 1, 1) and row.end == datetime.date(year, 12, 31):
        return ""
    return f"{row.start:%d/%m/%Y}–{row.end:%d/%m/%Y}"


@dataclass(frozen=True)
class SortHeader:
    url: str
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)


@dataclass(frozen=True)
class IndicatorLine:
    indicator: IndicatorFigures
    meter: charts.Meter


@dataclass(frozen=True)
class ReportingLine:
    period: PeriodCompleteness
    label: str
    ongoing: bool  # the period has not ended yet: its reports are not due


@dataclass(frozen=True)
class ApprovalLine:
    fund: str
    count: ApprovalCount


@dataclass(frozen=True)
class ChartPair:
    """The same chart drawn for a wide card and for a phone; CSS shows one of them."""

    wide: object
    narrow: object
    title: str
    summary: str


def place_of(provinces: ProvinceMap, region_code: str | None, province_id: int | None) -> dict:
    """The scope's region and province objects (from the map, no query) and its display name."""
    if province_id is not None:
        chosen = provinces.by_id[province_id]
        return {"province": chosen, "region": chosen.region, "scope_name": chosen.name}
    if region_code:
        chosen = next(region for region in provinces.regions() if region.code == region_code)
        return {"province": None, "region": chosen, "scope_name": fmt.in_language(chosen)}
    return {"province": None, "region": None, "scope_name": _("Whole country")}


def breadcrumbs_for(place: dict, query: str, *, reads_nation: bool = True) -> list[Crumb]:
    """Cả nước › region › province, each linking to its page for the same year and cut-off;
    the nation and the region are plain text for a user who may not read them (province staff),
    so that no crumb leads back to where it came from."""
    crumbs = [Crumb(_("Whole country"), page_url("reports:national", query) if reads_nation else None)]
    if place["region"] is not None:
        crumbs.append(
            Crumb(
                fmt.in_language(place["region"]),
                page_url("reports:region", query, code=place["region"].code) if reads_nation else None,
            )
        )
    if place["province"] is not None:
        crumbs.append(Crumb(place["province"].name, None))
    crumbs[-1] = Crumb(crumbs[-1].label, None)
    return crumbs


def filter_bar(form: ReportFilterForm, this_year: int) -> dict:
    """What the filter bar shows: the chosen (or default) year, cut-off and the year list."""
    data = getattr(form, "cleaned_data", {})
    chosen_year = data.get("year") or this_year
    years = list(range(this_year + 1, FIRST_YEAR - 1, -1))
    if chosen_year not in years:  # a year the form accepts but the list does not offer
        years = sorted({*years, chosen_year}, reverse=True)
    custom = bool(form.data.get("as_of")) or form.uses_today
    as_of = data.get("as_of") if custom and "as_of" not in form.errors else None
    today = form.today or timezone.localdate()
    return {
        "years": years,
        "chosen_year": chosen_year,
        "periods": list(Period.choices),
        "chosen_period": "" if custom else (data.get("period") or Period.FY),
        # An <input type="date"> takes only YYYY-MM-DD: a date it cannot show is left empty.
        "chosen_as_of": as_of.isoformat() if as_of else "",
        "sort": form.data.get("sort", ""),
        # "Up to today" in one click, for the current year.
        "today_url": urlencode({"year": today.year, "as_of": today.isoformat()}) if chosen_year == today.year else "",
        "today": today,
    }


def filter_query_of(form: ReportFilterForm) -> str:
    """The query string that keeps the year and cut-off across the drill-down links."""
    data = form.cleaned_data
    params = {"year": data["year"]}
    if form.data.get("as_of") or form.uses_today:
        params["as_of"] = data["as_of"].isoformat()
    else:
        params["period"] = data.get("period") or Period.FY
    return urlencode(params)


def period_label(form: ReportFilterForm) -> str:
    """`6 tháng`, `9 tháng`, `Cả năm`, or empty for a cut-off date (chosen, or today's)."""
    if form.data.get("as_of") or form.uses_today:
        return ""
    return Period(form.cleaned_data.get("period") or Period.FY).label


def page_url(name: str, query: str, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs)}?{query}" if query else reverse(name, kwargs=kwargs)


def fund_lines(result: Summary) -> list[FundLine]:
    labels = {**FUND_SHORT_LABELS, TOTAL: _("Total")}
    return [FundLine(key, labels[key], result.funds[key], key == TOTAL) for key in (*FUNDS, TOTAL)]


def sorted_rows(rows: list[ProvinceRow], sort: str) -> list[ProvinceRow]:
    """The province rows in the order of `sort` (`plan`, `-plan`…); rows without a value last.

    An unknown `sort` keeps the selector's order (by province code, then era).
    """
    key = SORTS.get(sort.removeprefix("-"))
    if key is None:
        return list(rows)
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    return sorted(known, key=key, reverse=sort.startswith("-")) + unknown


def sort_headers(path: str, query: str, sort: str) -> dict[str, SortHeader]:
    """For each sortable column: the link that sorts by it (flipping the direction when the
    table is already sorted by it) and its aria-sort value."""
    headers = {}
    for name, first in FIRST_DIRECTION.items():
        if sort.removeprefix("-") == name:
            descending = sort.startswith("-")
            target = name if descending else f"-{name}"
            aria = "descending" if descending else "ascending"
        else:
            target, aria = f"{first}{name}", ""
        params = f"{query}&sort={target}" if query else f"sort={target}"
        headers[name] = SortHeader(url=f"{path}?{params}#provinces", aria_sort=aria)
    return headers


def territory_table(provinces: ProvinceMap, chosen: Province | None, year: int, query: str, *, user=None) -> dict:
    """For a province page: the provinces merged into it (its figures include theirs) and the
    province it became part of, with links to those `user` may read (all when no user is
    given); the others are named without a link."""
    if chosen is None:
        return {"predecessors": [], "successor": None}
    predecessors = sorted(
        (p for p in provinces.by_id.values() if p.merged_into_id == chosen.pk), key=lambda p: (p.code, p.valid_from)
    )
    successor = provinces.by_id.get(chosen.merged_into_id) if chosen.merged_into_id else None
    successor_link = None
    if successor is not None:
        # The successor's page for the same year when it was already in force, else for this year.
        successor_query = query if successor.active_in_year(year) else urlencode({"year": current_year()})
        readable = user is None or access.can_read_scope(user, successor.pk)
        successor_link = Crumb(
            successor.name,
            page_url("reports:province", successor_query, province_id=successor.pk) if readable else None,
        )
    return {
        # A predecessor's own page: for the same year and cut-off while it was in force, else
        # for its last year (2025, January–June).
        "predecessors": [
            Crumb(
                str(p),
                page_url("reports:province", query, province_id=p.pk)
                if p.active_in_year(year)
                else page_url("reports:province", urlencode({"year": p.valid_to.year}), province_id=p.pk),
            )
            for p in predecessors
        ],
        "successor": successor_link,
        "successor_from": successor.valid_from if successor is not None else None,
    }


def _era(row: ProvinceRow, year: int) -> str:
    """`old` for a row of a province that ended during `year`, `new` for one that began during
    it, else '' (a row of the whole year, such as a new province with its territory)."""
    if row.end < datetime.date(year, 12, 31):
        return "old"
    if row.start > datetime.date(year, 1, 1):
        return "new"
    return ""


def completion_chart(result: Summary, rows: list[ProvinceRow] | None = None) -> ChartPair | None:
    """Completion by province (of `rows`, default the provinces of the cut-off), highest first
    (provinces with nothing planned last).

    Names are short (`TP Hồ Chí Minh`); in the table by era (2025) each is marked old or new,
    since a name may then appear twice.
    """
    rows = result.provinces if rows is None else rows
    if len(rows) < 2:
        return None
    ranked = sorted_rows(rows, "-completion")
    eras = [_era(row, result.year) for row in ranked]
    both = {"old", "new"} <= set(eras)
    marks = {"old": _("%(name)s (old)"), "new": _("%(name)s (new)")}
    bars = []
    for row, era in zip(ranked, eras, strict=True):
        name = row.province.name.replace("Thành phố ", "TP ", 1)
        bars.append((marks[era] % {"name": name} if both and era else name, row.completion_pct))
    options = {"reference": 100, "bar_height": 14, "gap": 8}
    wide = charts.hbar_chart(bars, width=FULL_WIDTH, label_width=200, value_width=80, **options)
    narrow = charts.hbar_chart(bars, width=NARROW_WIDTH, label_width=134, value_width=58, label_chars=22, **options)
    if wide.highest is None:
        text = _("Completion of the plan by province: no province has an approved plan.")
    else:
        text = _(
            "Disbursement as a share of the plan as revised, by %(count)s provinces, highest first: from "
            "%(high)s (%(high_pct)s) to %(low)s (%(low_pct)s). The province table gives every figure."
        ) % {
            "count": len(bars),
            "high": wide.highest.label,
            "high_pct": fmt.pct(wide.highest.value),
            "low": wide.lowest.label,
            "low_pct": fmt.pct(wide.lowest.value),
        }
    return ChartPair(wide, narrow, _("Completion of the plan by province"), text)


def trend_chart(result: Summary) -> ChartPair | None:
    """Plan and actual per year, the last year cut at the page's cut-off date."""
    if not result.trend:
        return None
    groups = [(str(point.year), (point.plan_vnd, point.actual_vnd)) for point in result.trend]
    wide = charts.column_chart(groups, width=HALF_WIDTH, height=270, left=52, top=30)
    narrow = charts.column_chart(groups, width=NARROW_WIDTH, height=230, left=44, top=30, max_column_width=12)
    first, last = result.trend[0], result.trend[-1]
    text = _(
        "Plan and disbursement by year, %(first)s–%(last)s, in billion đồng. %(last)s: plan %(plan)s, "
        "disbursed %(actual)s. The table below gives every year."
    ) % {
        "first": first.year,
        "last": last.year,
        "plan": fmt.billion_vnd(last.plan_vnd),
        "actual": fmt.billion_vnd(last.actual_vnd),
    }
    return ChartPair(wide, narrow, _("Plan and disbursement over the years"), text)


def pipeline_chart(result: Summary) -> ChartPair:
    """The year's projects by lifecycle status, in lifecycle order."""
    rows = [(str(ProjectStatus(status).label), count) for status, count in result.pipeline.items()]
    options = {"bar_height": 14, "gap": 10, "min_step": 1, "keys": list(result.pipeline)}
    wide = charts.hbar_chart(rows, width=HALF_WIDTH, label_width=150, value_width=52, **options)
    narrow = charts.hbar_chart(rows, width=NARROW_WIDTH, label_width=118, value_width=44, label_chars=18, **options)
    present = [f"{label}: {fmt.digits(count)}" for label, count in rows if count]
    if present:
        text = _("Projects of %(year)s by status: %(list)s.") % {"year": result.year, "list": "; ".join(present)}
    else:
        text = _("No project in %(year)s.") % {"year": result.year}
    return ChartPair(wide, narrow, _("Projects by status"), text)
