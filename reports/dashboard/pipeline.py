"""The pipeline page (issue 18, item 2): where the year's projects wait, for a scope.

`?year=` and `?region=` or `?province=` as the dashboards (`ReportFilterForm`; the cut-off is
today: the lists are about projects waiting now). Each list has its Excel copy
(`pipeline_excel?list=…`, the same filters). Province staff see their own territory only.
Queries: session, user, role, provinces, then the selector's projects and steps: 6.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common import numbers
from common.i18n import user_display_name
from common.list_excel import COUNT, LONG_TEXT, TEXT, Column, filename, heading_lines, list_workbook
from common.xlsx import file_response
from programmes import access
from programmes.models import ProjectStatus, era_note, province_label
from programmes.selectors import Pipeline, ProvinceMap, pipeline
from programmes.selectors.pipeline import WAITING_STEPS, ProjectLine

from .forms import ReportFilterForm, current_year
from .page import place_of
from .views import dashboard_view


@dataclass(frozen=True)
class ProjectList:
    key: str
    title: str
    note: str
    lines: list[ProjectLine]
    days_label: str
    excel_url: str
    reason: bool = False  # the list shows the document and the reason of each stop


def _lists(result: Pipeline, excel_query: str) -> list[ProjectList]:
    def excel(key):
        return f"{reverse('reports:pipeline-excel')}?{excel_query}&list={key}"

    contract = result.contract_deadline.strftime("%d/%m/%Y")
    settlement = result.settlement_deadline.strftime("%d/%m/%Y")
    return [
        ProjectList(
            "stale",
            _("No step for 60 days or more"),
            _("Projects neither settled nor cancelled whose last lifecycle step is 60 days old or more."),
            result.stale,
            _("Days since the last step"),
            excel("stale"),
        ),
        ProjectList(
            "not-contracted",
            _("Approved but not contracted by %(date)s") % {"date": contract},
            _("Approved on or before %(date)s and not contracted (nor cancelled) by then.") % {"date": contract}
            if result.contract_deadline_passed
            else _("The deadline of %(date)s has not passed yet.") % {"date": contract},
            result.not_contracted,
            _("Days from the approval to the deadline"),
            excel("not-contracted"),
        ),
        ProjectList(
            "not-settled",
            _("Accepted but not settled by %(date)s") % {"date": settlement},
            _("Accepted on or before %(date)s and not settled by then.") % {"date": settlement}
            if result.settlement_deadline_passed
            else _("The deadline of %(date)s has not passed yet.") % {"date": settlement},
            result.not_settled,
            _("Days from the acceptance to the deadline"),
            excel("not-settled"),
        ),
        ProjectList(
            "stops",
            _("Cancellations and suspensions"),
            _("Every cancellation and suspension of the year's projects, latest first, with its reason."),
            result.stops,
            _("Days since"),
            excel("stops"),
            reason=True,
        ),
    ]


def _scope_or_refusal(request, form):
    """None when the user may read the form's scope; else a redirect to their own province's
    page (province staff asking for the nation or a region) or PermissionDenied."""
    province_id = form.cleaned_data["province"]
    if access.can_read_scope(request.user, province_id):
        return None
    if province_id is not None:
        raise Http404(_("There is no such province."))
    own = access.user_province(request.user)
    if own is None:
        raise PermissionDenied(_("You are not allowed to see the dashboards."))
    query = urlencode({"year": form.cleaned_data["year"], "province": own.pk})
    return redirect(f"{reverse('reports:pipeline')}?{query}")


def _form(request, provinces):
    form = ReportFilterForm(request.GET, provinces=provinces, default_year=current_year())
    return form, form.is_valid()


def _scope_query(form) -> str:
    data = form.cleaned_data
    params = {"year": data["year"]}
    if data["region"]:
        params["region"] = data["region"]
    if data["province"] is not None:
        params["province"] = data["province"]
    return urlencode(params)


@dashboard_view
def pipeline_page(request):
    provinces = ProvinceMap.load()
    form, valid = _form(request, provinces)
    context = {"form": form, "regions": provinces.regions(), "years": list(range(current_year() + 1, 2007, -1))}
    if not valid:
        return render(request, "reports/pipeline.html", context, status=400)
    refusal = _scope_or_refusal(request, form)
    if refusal is not None:
        return refusal
    data = form.cleaned_data
    result = pipeline(year=data["year"], scope=form.scope, provinces=provinces)
    place = place_of(provinces, data["region"] or None, data["province"])
    query = _scope_query(form)
    context.update(
        {
            "result": result,
            "year": data["year"],
            "scope_name": place["scope_name"],
            "chosen_region": data["region"],
            "steps": [(ProjectStatus(f.status).label, f, days_text(f.median_days)) for f in result.steps],
            "province_steps": [
                (line, era_note(line.province, data["year"]), [(f, days_text(f.median_days)) for f in line.steps])
                for line in result.by_province
            ],
            "step_labels": [ProjectStatus(status).label for status in WAITING_STEPS],
            "lists": _lists(result, query),
            "steps_excel_url": f"{reverse('reports:pipeline-excel')}?{query}&list=steps",
            "dashboard_query": urlencode({"year": data["year"]}),
            "project_links": request.user.is_staff,  # the project's page is in the admin
        }
    )
    return render(request, "reports/pipeline.html", context)


LIST_KEYS = ("stale", "not-contracted", "not-settled", "stops", "steps")


@dashboard_view
def pipeline_excel(request):
    """One list of the pipeline page as .xlsx (`?list=` one of LIST_KEYS), same filters and
    access as the page; a bad filter or list is 400 with the page's message."""
    provinces = ProvinceMap.load()
    form, valid = _form(request, provinces)
    key = request.GET.get("list", "")
    if not valid or key not in LIST_KEYS:
        if valid:
            form.add_error(None, _("Choose one of the lists of the page to download."))
        context = {"form": form, "regions": provinces.regions(), "years": list(range(current_year() + 1, 2007, -1))}
        return render(request, "reports/pipeline.html", context, status=400)
    data = form.cleaned_data
    if not access.can_read_scope(request.user, data["province"]):
        raise PermissionDenied(_("You may download the report of your own province only."))
    result = pipeline(year=data["year"], scope=form.scope, provinces=provinces)
    place = place_of(provinces, data["region"] or None, data["province"])
    heading = heading_lines(
        scope=place["scope_name"],
        filters=[
            _("Year: %(year)s") % {"year": data["year"]},
            _("As of %(date)s") % {"date": result.today.strftime("%d/%m/%Y")},
        ],
        by=user_display_name(request.user),
    )
    if key == "steps":
        title, columns, rows = _steps_sheet(result)
    else:
        chosen = next(item for item in _lists(result, "") if item.key == key)
        title, columns, rows = _list_sheet(chosen, data["year"])
    return file_response(
        lambda output: list_workbook(output, title=title, heading=heading, columns=columns, rows=rows),
        filename(title, data["year"]),
    )


def _list_sheet(chosen: ProjectList, year: int):
    columns = [
        Column(_("Code"), 20),
        Column(_("Title"), 48, LONG_TEXT),
        Column(_("Province"), 22),
        Column(_("Status today"), 16),
        Column(_("Since"), 12, TEXT),
        Column(chosen.days_label, 14, COUNT),
    ]
    if chosen.reason:
        columns[3:4] = [Column(_("Stop"), 14), Column(_("Status today"), 16)]
        columns += [Column(_("Decision or contract number"), 18), Column(_("Reason"), 48, LONG_TEXT)]

    def row(line: ProjectLine):
        base = [line.code, line.title, province_label(line.province, year)]
        if chosen.reason:
            base += [line.stop_label]
        base += [line.status_label, line.since, line.days]
        if chosen.reason:
            base += [line.document_number, line.note]
        return base

    return chosen.title, columns, (row(line) for line in chosen.lines)


def _steps_sheet(result: Pipeline):
    columns = [
        Column(_("Province"), 22),
        Column(_("Step"), 16),
        Column(_("Projects"), 10, COUNT),
        Column(_("Still there"), 10, COUNT),
        Column(_("Median (days)"), 12, TEXT),
        Column(_("Slowest (days)"), 12, COUNT),
        Column(_("Slowest project"), 22),
    ]
    rows = []
    for line in [(None, result.steps), *((p.province, p.steps) for p in result.by_province)]:
        province, steps = line
        for figures in steps:
            if not figures.count:
                continue
            rows.append(
                [
                    province_label(province, result.year) if province else _("Whole scope"),
                    str(ProjectStatus(figures.status).label),
                    figures.count,
                    figures.ongoing,
                    days_text(figures.median_days),
                    figures.max_days,
                    figures.slowest.code if figures.slowest else "",
                ]
            )
    return _("Time at each lifecycle step"), columns, rows


def days_text(value: Decimal | None) -> str:
    """A median of days as written: `18,5` (`18.5` in English), `36`; '' for None."""
    if value is None:
        return ""
    return numbers.format_decimal(value, 0 if value == value.to_integral_value() else 1, get_language() or "vi")
