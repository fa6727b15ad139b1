"""Dashboards: national → region → province, for a year and a cut-off date (docs/design.md §6).

Each page parses its filters with `ReportFilterForm`, calls `selectors.summary` once and hands
the result to the template, which only formats it (docs/architecture.md, C20). The view picks values: it
orders the province table, sends the rows to the chart geometry of `charts.py` and builds
links; it computes no figure. Who may see the dashboards is decided in one place,
`may_view_dashboards`.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate
from common.i18n import user_display_name
from common.xlsx import file_response
from programmes import access
from programmes.models import Period, Province, era_note, fund_short_label
from programmes.selectors import (
    FUNDS,
    ProvinceMap,
    summary,
)

from ..maps.page import MAP_PARAM, page_map
from . import charts, excel
from .forms import ReportFilterForm, current_year
from .page import (
    BY_ERA,
    TREND_YEARS,
    ApprovalLine,
    Crumb,
    IndicatorLine,
    ProvinceLine,
    RegionLine,
    ReportingLine,
    breadcrumbs_for,
    completion_chart,
    dated,
    filter_bar,
    filter_query_of,
    fund_lines,
    page_url,
    period_label,
    pipeline_chart,
    place_of,
    province_rows,
    sort_headers,
    sorted_rows,
    territory_table,
    trend_chart,
)


def may_view_dashboards(user) -> bool:
    """True when `user` has a portal role (docs/design.md §7); which scopes they see is `_check_scope`."""
    return access.role_of(user) is not None


def _check_scope(request, region_code: str | None, province_id: int | None):
    """None when the user may see this scope; otherwise the response to give instead.

    Nation-wide roles see every scope. Province staff see their own territory only: the
    nation's and regions' pages, whose tables list every province, send them to their own
    province's page, saying why (the menu's "Reports" leads there); another province's page is
    refused (403, which names the province and offers their own).
    """
    if access.can_read_scope(request.user, province_id):
        return None
    if province_id is not None:
        province = Province.objects.filter(pk=province_id).first()
        if province is None:
            raise Http404(_("There is no such province."))
        raise PermissionDenied(
            _("The figures of %(province)s are outside your account's scope.") % {"province": province.name}
        )
    own = access.user_province(request.user)
    if own is None:
        raise PermissionDenied(_("You are not allowed to see the dashboards."))
    messages.info(
        request,
        _(
            "The figures of the whole country and of the regions are outside your account's scope: "
            "here are those of %(province)s."
        )
        % {"province": own.name},
    )
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
    default_year = this_year
    if province_id is not None and not provinces.by_id[province_id].active_in_year(this_year):
        # A province merged away opens at its last year (2025), not at an error for this year.
        default_year = provinces.by_id[province_id].valid_to.year
    form = ReportFilterForm(data, provinces=provinces, default_year=default_year, today=timezone.localdate())
    valid = form.is_valid()
    place = place_of(provinces, region_code, province_id)
    reads_nation = access.sees_everything(request.user)
    context = {
        "form": form,
        "kind": "province" if province_id is not None else "region" if region_code else "nation",
        **place,
        **filter_bar(form, this_year),
    }
    if not valid:
        # The province page of a year outside the province's era still points to its successor
        # (or predecessors) for the year asked, when the year itself was valid.
        year = form.cleaned_data.get("year")
        query = urlencode({"year": year}) if year else ""
        context["breadcrumbs"] = breadcrumbs_for(place, query, reads_nation=reads_nation)
        context.update(territory_table(provinces, place["province"], year or this_year, query, user=request.user))
        return render(request, "reports/dashboard.html", context, status=400)

    year, as_of = form.cleaned_data["year"], form.cleaned_data["as_of"]
    result = summary(year=year, as_of=as_of, scope=form.scope, provinces=provinces, trend_years=TREND_YEARS)
    query = filter_query_of(form)
    sort = request.GET.get("sort", "")
    by_era = request.GET.get("era") == BY_ERA and result.has_two_eras
    table_rows = province_rows(result, by_era)
    rows = sorted_rows(table_rows, sort)
    funds = fund_lines(result)
    table_query = f"{query}&era={BY_ERA}" if by_era else query
    context.update(
        {
            "summary": result,
            "year": year,
            "previous_year": year - 1,
            "as_of": as_of,
            "period_label": period_label(form),
            "filter_query": query,
            "breadcrumbs": breadcrumbs_for(place, query, reads_nation=reads_nation),
            "funds": funds,
            "fund_parts": [line for line in funds if not line.is_total],
            "approvals": [ApprovalLine(fund_short_label(fund), result.plans_approved[fund]) for fund in FUNDS],
            "approval_pairs": [(fund_short_label(fund), result.plans_approved[fund]) for fund in FUNDS],
            "region_lines": [
                RegionLine(
                    row, page_url("reports:region", query, code=row.region.code), charts.meter(row.completion_pct)
                )
                for row in result.regions
            ],
            "province_lines": [
                ProvinceLine(
                    row,
                    page_url("reports:province", query, province_id=row.province.pk),
                    dated(row, year),
                    charts.meter(row.completion_pct),
                )
                for row in rows
            ],
            "by_era": by_era,
            "era_switch": _era_switch(request.path, query, sort, by_era) if result.has_two_eras else None,
            "sort_headers": sort_headers(request.path, table_query, sort),
            "indicator_lines": [
                IndicatorLine(indicator, charts.meter(indicator.completion_pct)) for indicator in result.indicators
            ],
            "reporting_lines": [
                ReportingLine(period, Period(period.period).label, period.end >= timezone.localdate())
                for period in result.reporting
            ],
            "completion_chart": completion_chart(result, table_rows),
            "trend_chart": trend_chart(result),
            "pipeline_chart": pipeline_chart(result),
            # National and regional pages only: a province page has a single province to colour.
            "province_map": None
            if province_id is not None
            else page_map(
                result,
                measure=request.GET.get(MAP_PARAM),
                url=lambda p: page_url("reports:province", query, province_id=p.pk),
                path=request.path,
                params=request.GET.dict(),
                regional=region_code is not None,
            ),
            "total_meter": charts.meter(result.total.completion_pct),
            "multi_province": len(table_rows) > 1,
            "excel_query": table_query,
            "scope_era": era_note(place["province"], year) if place["province"] is not None else "",
            **territory_table(provinces, place.get("province"), year, query, user=request.user),
        }
    )
    return render(request, "reports/dashboard.html", context)


def _era_switch(path: str, query: str, sort: str, by_era: bool) -> dict:
    """The link between the table of the cut-off's provinces and the table by era."""
    params = f"{query}&sort={sort}" if sort else query
    if by_era:
        return {"url": f"{path}?{params}#provinces", "label": _("Show the provinces in force at the cut-off")}
    return {
        "url": f"{path}?{params}&era={BY_ERA}#provinces",
        "label": _("Show each province of the year with its own records, by era"),
    }


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
    form = ReportFilterForm(request.GET, provinces=provinces, default_year=this_year, today=timezone.localdate())
    if not form.is_valid():
        context = {
            "form": form,
            "kind": "nation",
            "scope_name": _("Excel report"),
            "breadcrumbs": [Crumb(_("Whole country"), reverse("reports:national")), Crumb(_("Excel report"), None)],
            "predecessors": [],
            "successor": None,
            **filter_bar(form, this_year),
        }
        return render(request, "reports/dashboard.html", context, status=400)
    data = form.cleaned_data
    if not access.can_read_scope(request.user, data["province"]):
        raise PermissionDenied(_("You may download the report of your own province only."))
    scope = form.scope
    result = summary(year=data["year"], as_of=data["as_of"], scope=scope, provinces=provinces)
    place = place_of(provinces, data["region"] or None, data["province"])
    heading = excel.heading_lines(
        scope_name=place["scope_name"],
        result=result,
        period_label=period_label(form),
        generated_by=user_display_name(request.user),
    )
    territory = None if scope.kind == "nation" else provinces.territory(scope, result.year)
    projects = excel.project_rows(request.user, result, territory)
    by_era = request.GET.get("era") == BY_ERA and result.has_two_eras
    place_slug = {
        "nation": "ca-nuoc",
        "region": data["region"],
        "province": f"tinh-{scope.province and scope.province.code}",
    }
    filename = f"khuyen-cong-{result.year}-{place_slug[scope.kind]}-{result.as_of:%Y%m%d}.xlsx"
    return file_response(
        lambda output: excel.report_workbook(result, projects, heading=heading, output=output, by_era=by_era),
        filename,
    )
