""" "Download Excel" of the programme's lists: the reporting periods and the completeness of
reports, beside the pages they copy (views.reporting); `download` writes every list's file.

Each export is its screen's twin: the same permission check, the same filters parsed by the
same code, the same rows from the same read model (selectors.lists), so the same province
scoping and the same figures. Anonymous visitors go to the login page; signed-in users who may
not see the screen get 403. Filters the screen would not understand give the screen with its
message (400), never a file built from something else. Each list declares its columns once,
next to the function that turns the screen's own rows into cell values: no figure is computed
here.
"""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from common.gates import role_gate
from common.i18n import localized, user_display_name
from common.list_excel import (
    COUNT,
    DATE,
    LONG_TEXT,
    MONEY,
    PCT,
    Column,
    chosen_filters,
    filename,
    heading_lines,
    list_workbook,
)
from common.numbers import format_vnd, group_digits
from common.xlsx import file_response

from . import access
from .models import province_label
from .selectors.lists import completeness_groups
from .views import reporting


def scope_label(user) -> str:
    """`Whole country` for the nation-wide roles; the province and those merged into it for
    province staff; empty for a user with neither."""
    if access.sees_everything(user):
        return _("Whole country")
    own = access.user_province(user)
    return _("%(province)s and the provinces merged into it") % {"province": own.name} if own else ""


def refused(page):
    """The screen, with its message about the filters, as the answer to an export it refuses."""
    page.status_code = 400
    return page


def download(request, *, title: str, filters: list[str], columns, rows, name: str):
    """The list's .xlsx as an attachment: its title, the user's scope, `filters` and who made
    it above `columns`, then `rows` (read once, as they are written)."""
    heading = heading_lines(scope=scope_label(request.user), filters=filters, by=user_display_name(request.user))
    return file_response(
        lambda output: list_workbook(output, title=title, heading=heading, columns=columns, rows=rows),
        name,
    )


LATENESS = {"late": gettext_lazy("Late"), "overdue": gettext_lazy("Overdue")}


def period_columns(*, nationwide: bool) -> list[Column]:
    """The columns of the reporting-period list; the region only for the nation-wide roles, as on screen."""
    return [
        Column(_("Period"), 12),
        Column(_("Province"), 30),
        *([Column(_("Region"), 24)] if nationwide else []),
        Column(_("Status"), 16),
        Column(capfirst(_("reason for the last return or reopening")), 36, LONG_TEXT),
        Column(capfirst(_("submitted at")), 19, DATE),
        Column(capfirst(_("submitted by")), 24),
        Column(capfirst(_("approved at")), 19, DATE),
        Column(capfirst(_("approved by")), 24),
        Column(_("Due"), 12, DATE),
        Column(_("Late or overdue"), 14),
        Column(_("Plan as revised, as approved (đồng)"), 18, MONEY),
        Column(_("Disbursed, as approved (đồng)"), 18, MONEY),
        Column(_("Plan as revised, now (đồng)"), 18, MONEY),
        Column(_("Disbursed, now (đồng)"), 18, MONEY),
        Column(_("Changed since approval (as approved → now, difference)"), 48, LONG_TEXT),
    ]


def _figure(value, group: str) -> str:
    language = get_language()
    if value is None:
        return _("no data")
    return group_digits(value, language) if group == "indicator" else format_vnd(value, language)


def _changes(figures) -> str:
    """Each figure of an approved report that the records now give otherwise, one a line."""
    return "\n".join(
        f"{label}: {_figure(row.approved, row.group)} → {_figure(row.live, row.group)} "
        f"({'+' if row.difference and row.difference > 0 else ''}{_figure(row.difference, row.group)})"
        for label, row in figures.changes
    )


def period_rows(groups, *, year: int, nationwide: bool) -> Iterator[list]:
    """The rows of `selectors.lists.period_list`'s groups, in the page's order."""
    for group in groups:
        for row in group.rows:
            reason = row.record.status_reason if row.status == "open" and row.record is not None else ""
            yield [
                group.label,
                province_label(row.province, year),
                *([localized(row.province.region.name, row.province.region.name_en)] if nationwide else []),
                row.status_label,
                reason,
                row.submitted_at,
                row.submitted_by,
                row.approved_at,
                row.approved_by,
                row.due,
                str(LATENESS.get(row.lateness, "")),
                *(
                    [
                        row.figures.plan.approved,
                        row.figures.actual.approved,
                        row.figures.plan.live,
                        row.figures.actual.live,
                        _changes(row.figures),
                    ]
                    if row.figures is not None
                    else [None] * 5
                ),
            ]


def completeness_columns() -> list[Column]:
    return [
        Column(_("Period"), 12),
        Column(_("Region"), 26),
        Column(_("Expected"), 11, COUNT),
        Column(_("Submitted"), 11, COUNT),
        Column(_("Share submitted"), 13, PCT),
        Column(_("Approved"), 13, COUNT),
        Column(_("Late"), 11, COUNT),
        Column(_("Not submitted"), 60, LONG_TEXT),
    ]


def completeness_rows(groups) -> Iterator[list]:
    """The rows of `selectors.lists.completeness_groups`: the selector's figures, as on the page."""
    for group in groups:
        for line in group.lines:
            figures = line.figures
            yield [
                group.label,
                localized(line.region.name, line.region.name_en),
                figures.expected,
                figures.submitted,
                figures.submitted_pct,
                figures.approved,
                figures.late,
                ", ".join(province.name for province, _url in line.missing),
            ]


@role_gate(access.may_view_reports, gettext_lazy("You are not allowed to see the reports."))
def periods_xlsx(request):
    """The reporting-period list (`views.reporting.period_listing`) for the same filters."""
    form, listing = reporting.period_listing(request.user, request.GET, today=timezone.localdate())
    if form.errors:
        return refused(reporting.periods(request))
    filters = chosen_filters(
        form,
        {"region": listing.region_code, "period": listing.period_filter, "status": listing.status_filter},
    )
    return download(
        request,
        title=_("Reporting periods %(year)s") % {"year": listing.year},
        filters=filters,
        columns=period_columns(nationwide=listing.nationwide),
        rows=period_rows(listing.groups, year=listing.year, nationwide=listing.nationwide),
        name=filename("ky-bao-cao", listing.year),
    )


@role_gate(
    access.may_view_completeness,
    gettext_lazy("Only ministry officials, viewers and administrators see the completeness of reports."),
)
def completeness_xlsx(request):
    """The completeness of a year's reports (`selectors.lists.completeness_groups`)."""
    today = timezone.localdate()
    form = reporting.completeness_form(request.GET, today=today)
    if not form.is_valid():
        return refused(reporting.completeness(request))
    year = form.cleaned_data["year"]
    return download(
        request,
        title=_("Completeness of reports %(year)s") % {"year": year},
        filters=[],
        columns=completeness_columns(),
        rows=completeness_rows(completeness_groups(year=year, today=today)),
        name=filename("tinh-hinh-nop-bao-cao", year),
    )
