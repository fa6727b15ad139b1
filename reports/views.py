"""Dashboards: national → region → province, for a year and a cut-off date (DESIGN §6).

Each page parses its filters with `ReportFilterForm`, calls `selectors.summary` once and hands
the result to the template, which only formats it (STYLE C20). The view picks values: it
orders the province table, sends the rows to the chart geometry of `charts.py` and builds
links; it computes no figure. Who may see the dashboards is decided in one place,
`may_view_dashboards`.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate
from common.i18n import user_display_name, vietnamese_sort_key
from common.xlsx import file_response
from programmes import access
from programmes.models import FUND_SHORT_LABELS, Period, ProjectStatus, Province, era_note, fund_short_label
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
    summary,
)

from . import charts, excel
from .forms import ReportFilterForm, current_year
from .templatetags import report_format as fmt

FIRST_YEAR = 2008  # the provinces' current boundaries (before the 2025 merger) date from 08/2008
TREND_YEARS = 10

# Chart sizes in SVG units: "wide" fills a card on a desktop (the whole width, or half of it),
# "narrow" a phone's card (about 320 px), so that chart text stays readable on both.
FULL_WIDTH, HALF_WIDTH, NARROW_WIDTH = 1100, 520, 320

SORTS = {
    "name": lambda row: vietnamese_sort_key(row.province.name),
    "plan": lambda row: row.plan_total_vnd,
    "actual": lambda row: row.actual_total_vnd,
    "completion": lambda row: row.completion_pct,
}
# The first click on a column: names A→Z, figures largest first.
FIRST_DIRECTION = {"name": "", "plan": "-", "actual": "-", "completion": "-"}


def may_view_dashboards(user) -> bool:
    """True when `user` has a portal role (DESIGN §7); which scopes they see is `_check_scope`."""
    return access.role_of(user) is not None


def _check_scope(request, region_code: str | None, province_id: int | None):
    """None when the user may see this scope; otherwise the response to give instead.

    Nation-wide roles see every scope. Province staff see their own territory only: the
    nation's and regions' pages, whose tables list every province, send them to their own
    province's page; another province's page does not exist for them (404).
    """
    if access.can_read_scope(request.user, province_id):
        return None
    if province_id is not None:
        raise Http404(_("There is no such province."))
    own = access.user_province(request.user)
    if own is None:
        raise PermissionDenied(_("You are not allowed to see the dashboards."))
    target = reverse("reports:province", kwargs={"province_id": own.pk})
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)


# Anonymous visitors go to the login page; signed-in users who may not view get 403.
dashboard_view = role_gate(may_view_dashboards, gettext_lazy("You are not allowed to see the dashboards."))


@dashboard_view
def national(request):
    return _dashboard(request)


@dashboard_view
def region(request, code: str):
    return _dashboard(request, region_code=code)


@dashboard_view
def province(request, province_id: int):
    return _dashboard(request, province_id=province_id)


# ---- Rows of the page -------------------------------------------------------------------------


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
    era: str  # "until 30/06/2025" / "from 01/07/2025" when in force only part of the year
    meter: charts.Meter


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


# ---- The page ---------------------------------------------------------------------------------


def _dashboard(request, *, region_code: str | None = None, province_id: int | None = None):
    elsewhere = _check_scope(request, region_code, province_id)
    if elsewhere is not None:
        return elsewhere
    provinces = ProvinceMap.load()
    if region_code is not None and region_code not in {region.code for region in provinces.regions()}:
        raise Http404(_("There is no such region."))
    if province_id is not None and province_id not in provinces.by_id:
        raise Http404(_("There is no such province."))
    # The scope comes from the path, never from the query string.
    data = request.GET.copy()
    data["region"] = region_code or ""
    data["province"] = "" if province_id is None else str(province_id)
    this_year = current_year()
    form = ReportFilterForm(data, provinces=provinces, default_year=this_year)
    valid = form.is_valid()
    place = _place(provinces, region_code, province_id)
    context = {
        "form": form,
        "kind": "province" if province_id is not None else "region" if region_code else "nation",
        **place,
        **_filter_bar(form, this_year),
    }
    if not valid:
        # The province page of a year outside the province's era still points to its successor
        # (or predecessors) for the year asked, when the year itself was valid.
        year = form.cleaned_data.get("year")
        query = urlencode({"year": year}) if year else ""
        context["breadcrumbs"] = _breadcrumbs(place, query)
        context.update(_territory(provinces, place["province"], year or this_year, query))
        return render(request, "reports/dashboard.html", context, status=400)

    year, as_of = form.cleaned_data["year"], form.cleaned_data["as_of"]
    result = summary(year=year, as_of=as_of, scope=form.scope, provinces=provinces, trend_years=TREND_YEARS)
    query = _filter_query(form)
    sort = request.GET.get("sort", "")
    rows = _sorted(result.provinces, sort)
    funds = _fund_lines(result)
    context.update(
        {
            "summary": result,
            "year": year,
            "previous_year": year - 1,
            "as_of": as_of,
            "period_label": _period_label(form),
            "filter_query": query,
            "breadcrumbs": _breadcrumbs(place, query),
            "funds": funds,
            "fund_parts": [line for line in funds if not line.is_total],
            "approvals": [ApprovalLine(fund_short_label(fund), result.plans_approved[fund]) for fund in FUNDS],
            "region_lines": [
                RegionLine(row, _url("reports:region", query, code=row.region.code), charts.meter(row.completion_pct))
                for row in result.regions
            ],
            "province_lines": [
                ProvinceLine(
                    row,
                    _url("reports:province", query, province_id=row.province.pk),
                    era_note(row.province, year),
                    charts.meter(row.completion_pct),
                )
                for row in rows
            ],
            "sort_headers": _sort_headers(request.path, query, sort),
            "indicator_lines": [
                IndicatorLine(indicator, charts.meter(indicator.completion_pct)) for indicator in result.indicators
            ],
            "reporting_lines": [
                ReportingLine(period, Period(period.period).label, period.end >= timezone.localdate())
                for period in result.reporting
            ],
            "completion_chart": _completion_chart(result),
            "trend_chart": _trend_chart(result),
            "pipeline_chart": _pipeline_chart(result),
            "total_meter": charts.meter(result.total.completion_pct),
            "multi_province": len(result.provinces) > 1,
            "scope_era": era_note(place["province"], year) if place["province"] is not None else "",
            **_territory(provinces, place.get("province"), year, query),
        }
    )
    return render(request, "reports/dashboard.html", context)


def _place(provinces: ProvinceMap, region_code: str | None, province_id: int | None) -> dict:
    """The scope's region and province objects (from the map, no query) and its display name."""
    if province_id is not None:
        chosen = provinces.by_id[province_id]
        return {"province": chosen, "region": chosen.region, "scope_name": chosen.name}
    if region_code:
        chosen = next(region for region in provinces.regions() if region.code == region_code)
        return {"province": None, "region": chosen, "scope_name": fmt.in_language(chosen)}
    return {"province": None, "region": None, "scope_name": _("Whole country")}


def _breadcrumbs(place: dict, query: str) -> list[Crumb]:
    """Cả nước › region › province, each linking to its page for the same year and cut-off."""
    crumbs = [Crumb(_("Whole country"), _url("reports:national", query))]
    if place["region"] is not None:
        crumbs.append(Crumb(fmt.in_language(place["region"]), _url("reports:region", query, code=place["region"].code)))
    if place["province"] is not None:
        crumbs.append(Crumb(place["province"].name, None))
    crumbs[-1] = Crumb(crumbs[-1].label, None)
    return crumbs


def _filter_bar(form: ReportFilterForm, this_year: int) -> dict:
    """What the filter bar shows: the chosen (or default) year, cut-off and the year list."""
    data = getattr(form, "cleaned_data", {})
    chosen_year = data.get("year") or this_year
    years = list(range(this_year + 1, FIRST_YEAR - 1, -1))
    if chosen_year not in years:  # a year the form accepts but the list does not offer
        years = sorted({*years, chosen_year}, reverse=True)
    custom = bool(form.data.get("as_of"))
    as_of = data.get("as_of") if custom and "as_of" not in form.errors else None
    return {
        "years": years,
        "chosen_year": chosen_year,
        "periods": list(Period.choices),
        "chosen_period": "" if custom else (data.get("period") or Period.FY),
        # An <input type="date"> takes only YYYY-MM-DD: a date it cannot show is left empty.
        "chosen_as_of": as_of.isoformat() if as_of else "",
        "sort": form.data.get("sort", ""),
    }


def _filter_query(form: ReportFilterForm) -> str:
    """The query string that keeps the year and cut-off across the drill-down links."""
    data = form.cleaned_data
    params = {"year": data["year"]}
    if form.data.get("as_of"):
        params["as_of"] = data["as_of"].isoformat()
    else:
        params["period"] = data.get("period") or Period.FY
    return urlencode(params)


def _period_label(form: ReportFilterForm) -> str:
    """`6 tháng`, `9 tháng`, `Cả năm`, or empty for a cut-off date chosen by hand."""
    if form.data.get("as_of"):
        return ""
    return Period(form.cleaned_data.get("period") or Period.FY).label


def _url(name: str, query: str, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs)}?{query}" if query else reverse(name, kwargs=kwargs)


def _fund_lines(result: Summary) -> list[FundLine]:
    labels = {**FUND_SHORT_LABELS, TOTAL: _("Total")}
    return [FundLine(key, labels[key], result.funds[key], key == TOTAL) for key in (*FUNDS, TOTAL)]


def _sorted(rows: list[ProvinceRow], sort: str) -> list[ProvinceRow]:
    """The province rows in the order of `sort` (`plan`, `-plan`…); rows without a value last.

    An unknown `sort` keeps the selector's order (by province code, then era).
    """
    key = SORTS.get(sort.removeprefix("-"))
    if key is None:
        return list(rows)
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    return sorted(known, key=key, reverse=sort.startswith("-")) + unknown


def _sort_headers(path: str, query: str, sort: str) -> dict[str, SortHeader]:
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


def _territory(provinces: ProvinceMap, chosen: Province | None, year: int, query: str) -> dict:
    """For a province page: the provinces merged into it (its figures include theirs) and the
    province it became part of, with links."""
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
        successor_link = Crumb(successor.name, _url("reports:province", successor_query, province_id=successor.pk))
    return {
        # A predecessor's own page: for the same year and cut-off while it was in force, else
        # for its last year (2025, January–June).
        "predecessors": [
            Crumb(
                str(p),
                _url("reports:province", query, province_id=p.pk)
                if p.active_in_year(year)
                else _url("reports:province", urlencode({"year": p.valid_to.year}), province_id=p.pk),
            )
            for p in predecessors
        ],
        "successor": successor_link,
        "successor_from": successor.valid_from if successor is not None else None,
    }


# ---- Charts -----------------------------------------------------------------------------------


def _era(row: ProvinceRow, year: int) -> str:
    """`old` for a province that ended during `year`, `new` for one that began during it, else ''."""
    if row.province.valid_to is not None and row.province.valid_to < datetime.date(year, 12, 31):
        return "old"
    if row.province.valid_from > datetime.date(year, 1, 1):
        return "new"
    return ""


def _completion_chart(result: Summary) -> ChartPair | None:
    """Completion by province, highest first (provinces with nothing planned last).

    Names are short (`TP Hồ Chí Minh`); in a year with both eras (2025) each is marked old or
    new, since a name may then appear twice.
    """
    if len(result.provinces) < 2:
        return None
    ranked = _sorted(result.provinces, "-completion")
    eras = [_era(row, result.year) for row in ranked]
    both = {"old", "new"} <= set(eras)
    marks = {"old": _("%(name)s (old)"), "new": _("%(name)s (new)")}
    rows = []
    for row, era in zip(ranked, eras, strict=True):
        name = row.province.name.replace("Thành phố ", "TP ", 1)
        rows.append((marks[era] % {"name": name} if both and era else name, row.completion_pct))
    options = {"reference": 100, "bar_height": 14, "gap": 8}
    wide = charts.hbar_chart(rows, width=FULL_WIDTH, label_width=200, value_width=80, **options)
    narrow = charts.hbar_chart(rows, width=NARROW_WIDTH, label_width=134, value_width=58, label_chars=22, **options)
    if wide.highest is None:
        text = _("Completion of the plan by province: no province has an approved plan.")
    else:
        text = _(
            "Completion of the plan by %(count)s provinces, highest first: from %(high)s (%(high_pct)s) "
            "to %(low)s (%(low_pct)s). The province table gives every figure."
        ) % {
            "count": len(rows),
            "high": wide.highest.label,
            "high_pct": fmt.pct(wide.highest.value),
            "low": wide.lowest.label,
            "low_pct": fmt.pct(wide.lowest.value),
        }
    return ChartPair(wide, narrow, _("Completion of the plan by province"), text)


def _trend_chart(result: Summary) -> ChartPair | None:
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


def _pipeline_chart(result: Summary) -> ChartPair:
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


# ---- Excel export -----------------------------------------------------------------------------


@dashboard_view
def excel_export(request):
    """The dashboard's figures and the scope's projects as an .xlsx file, for the same filters
    (`year`, `region` or `province`, `as_of` or `period`) and the same access as the dashboards.

    Province staff download their own territory only: the nation, a region or another province
    is 403 (a file is not a page to redirect). Bad filters give the dashboard's error page (400).
    The workbook is written to a temporary file and streamed from it, so that a scope with
    100,000 projects is never held in memory.
    """
    provinces = ProvinceMap.load()
    this_year = current_year()
    form = ReportFilterForm(request.GET, provinces=provinces, default_year=this_year)
    if not form.is_valid():
        context = {
            "form": form,
            "kind": "nation",
            "scope_name": _("Excel report"),
            "breadcrumbs": [Crumb(_("Whole country"), reverse("reports:national")), Crumb(_("Excel report"), None)],
            "predecessors": [],
            "successor": None,
            **_filter_bar(form, this_year),
        }
        return render(request, "reports/dashboard.html", context, status=400)
    data = form.cleaned_data
    if not access.can_read_scope(request.user, data["province"]):
        raise PermissionDenied(_("You may download the report of your own province only."))
    scope = form.scope
    result = summary(year=data["year"], as_of=data["as_of"], scope=scope, provinces=provinces)
    place = _place(provinces, data["region"] or None, data["province"])
    heading = excel.heading_lines(
        scope_name=place["scope_name"],
        result=result,
        period_label=_period_label(form),
        generated_by=user_display_name(request.user),
    )
    territory = None if scope.kind == "nation" else provinces.territory(scope)
    projects = excel.project_rows(request.user, result, territory)
    place_slug = {
        "nation": "ca-nuoc",
        "region": data["region"],
        "province": f"tinh-{scope.province and scope.province.code}",
    }
    filename = f"khuyen-cong-{result.year}-{place_slug[scope.kind]}-{result.as_of:%Y%m%d}.xlsx"
    return file_response(
        lambda output: excel.report_workbook(result, projects, heading=heading, output=output), filename
    )
