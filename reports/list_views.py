""" "Download Excel" of the portal's lists: the reporting periods, the completeness of reports,
the conferences, the recommendations tracker and the admin changelists (reports.list_excel).

Each export is its screen's twin: the same permission check, the same filters parsed by the
same code, the same rows from the same row builder or selector, so the same province scoping
and the same figures. Anonymous visitors go to the login page; signed-in users who may not see
the screen get 403. Filters the screen would not understand give the screen with its message
(400), never a file built from something else.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from common.gates import role_gate
from common.i18n import user_display_name
from common.list_excel import chosen_filters, filename, heading_lines, list_workbook
from common.xlsx import file_response
from conferences import selectors as conference_selectors
from conferences import views as conference_views
from programmes import views as programme_views

from . import list_excel
from .list_excel import scope_label

# Query parameters of a changelist that do not choose rows: the page number, the facet counts
# and the changelist's own error flag.
NOT_ROW_PARAMETERS = ("p", "_facets", "e")


list_export = role_gate  # anonymous: the login page; may not view: 403 with the refusal; GET only


def _refused(page):
    """The screen, with its message about the filters, as the answer to an export it refuses."""
    page.status_code = 400
    return page


def _download(request, *, title: str, filters: list[str], columns, rows, name: str):
    heading = heading_lines(scope=scope_label(request.user), filters=filters, by=user_display_name(request.user))
    return file_response(
        lambda output: list_workbook(output, title=title, heading=heading, columns=columns, rows=rows),
        name,
    )


@list_export(programme_views.may_view_reports, gettext_lazy("You are not allowed to see the reports."))
def periods_xlsx(request):
    """The reporting-period list (`programmes.views.period_list`) for the same filters."""
    listing = programme_views.period_list(request.user, request.GET, today=timezone.localdate())
    if listing.form.errors:
        return _refused(programme_views.periods(request))
    filters = chosen_filters(
        listing.form,
        {"region": listing.region_code, "period": listing.period_filter, "status": listing.status_filter},
    )
    return _download(
        request,
        title=_("Reporting periods %(year)s") % {"year": listing.year},
        filters=filters,
        columns=list_excel.period_columns(nationwide=listing.nationwide),
        rows=list_excel.period_rows(listing.groups, year=listing.year, nationwide=listing.nationwide),
        name=filename("ky-bao-cao", listing.year),
    )


@list_export(
    programme_views.may_view_completeness,
    gettext_lazy("Only ministry officials, viewers and administrators see the completeness of reports."),
)
def completeness_xlsx(request):
    """The completeness of a year's reports (`programmes.views.completeness_groups`)."""
    today = timezone.localdate()
    form = programme_views.completeness_form(request.GET, today=today)
    if not form.is_valid():
        return _refused(programme_views.completeness(request))
    year = form.cleaned_data["year"]
    return _download(
        request,
        title=_("Completeness of reports %(year)s") % {"year": year},
        filters=[],
        columns=list_excel.completeness_columns(),
        rows=list_excel.completeness_rows(programme_views.completeness_groups(year=year, today=today)),
        name=filename("tinh-hinh-nop-bao-cao", year),
    )


@list_export(conference_views.may_view_conferences, gettext_lazy("You are not allowed to see the conferences."))
def conferences_xlsx(request):
    """The regional conferences, region by region (`conferences.selectors.conference_chains`)."""
    return _download(
        request,
        title=_("Regional conferences"),
        filters=[],
        columns=list_excel.conference_columns(),
        rows=list_excel.conference_rows(conference_selectors.conference_chains()),
        name=filename("hoi-nghi"),
    )


@list_export(conference_views.may_view_conferences, gettext_lazy("You are not allowed to see the conferences."))
def recommendations_xlsx(request):
    """The recommendations tracker (`conferences.selectors.recommendation_list`) for the same filters."""
    filters = conference_views.recommendation_filters(request.GET)
    if not filters.valid:
        return conference_views.recommendation_list(request)  # the tracker with its message, 400
    rows = conference_selectors.recommendation_list(status=filters.status, addressee=filters.addressee)
    return _download(
        request,
        title=_("Recommendations tracker"),
        filters=chosen_filters(filters.form, {"status": filters.status, "addressed_to": filters.addressee}),
        columns=list_excel.recommendation_columns(),
        rows=list_excel.recommendation_rows(rows),
        name=filename("kien-nghi"),
    )


@require_GET
def changelist_xlsx(request, app_label: str, model_name: str):
    """Every row an admin changelist shows, on all its pages, for the same query string (filters,
    search, date drill-down, ordering) and the same user: the ChangeList itself chooses the
    rows, so its scoping (ScopedAdminMixin.get_queryset) and its joins apply. Mounted behind
    `admin.site.admin_view` (login and staff status), like the changelist."""
    try:
        model = apps.get_model(app_label, model_name)
        model_admin = admin.site.get_model_admin(model)
    except (LookupError, admin.sites.NotRegistered):
        raise Http404(_("There is no such list.")) from None
    if not getattr(model_admin, "excel_export", False):
        raise Http404(_("There is no such list."))
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    params = request.GET.copy()
    for name in NOT_ROW_PARAMETERS:
        params.pop(name, None)
    request.GET = params
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, _("The list's filters were not understood, so no Excel file was made. Filter again."))
        return redirect(reverse(f"admin:{app_label}_{model._meta.model_name}_changelist"))
    columns = list_excel.changelist_columns(changelist)
    return _download(
        request,
        title=list_excel.changelist_title(changelist),
        filters=list_excel.changelist_filters(changelist),
        columns=[column.column for column in columns],
        rows=list_excel.changelist_rows(changelist, columns),
        name=list_excel.changelist_filename(changelist),
    )
