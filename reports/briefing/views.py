"""The conference briefing: a printable page and an Excel download (docs/design.md §6).

The figures cover every province of the conference's region, so only the nation-wide roles
(ministry, viewer, administrator) see them, as on the region dashboards; province staff get 403.
"""

import functools
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate
from common.xlsx import XLSX
from conferences.selectors import conference_for_briefing
from programmes import access

from ..maps.page import MAP_PARAM, page_map
from .build import build_briefing
from .excel import briefing_workbook


def may_view_briefings(user) -> bool:
    """Nation-wide roles only: a briefing lists every province of a region."""
    return access.role_of(user) is not None and access.sees_everything(user)


def briefing_view(view):
    """Anonymous visitors go to the login page; users who may not view get 403; GET only; the
    view gets the conference, or the answer is 404 when there is none."""

    @functools.wraps(view)
    def with_conference(request, pk: int):
        conference = conference_for_briefing(pk)
        if conference is None:
            raise Http404(_("There is no such conference."))
        return view(request, conference)

    return role_gate(
        may_view_briefings, gettext_lazy("Only the ministry's and nation-wide accounts see the conference briefings.")
    )(with_conference)


@briefing_view
def briefing_page(request, conference):
    briefing = build_briefing(conference)
    # A province's dashboard for the briefing's year and cut-off: the figures the map and the
    # lists of missing provinces point to.
    province_query = urlencode({"year": briefing.year, "as_of": briefing.as_of.isoformat()})

    def province_url(province):
        return f"{reverse('reports:province', kwargs={'province_id': province.pk})}?{province_query}"

    return render(
        request,
        "reports/briefing.html",
        {
            "briefing": briefing,
            "province_query": province_query,
            "province_map": page_map(
                briefing.current,
                measure=request.GET.get(MAP_PARAM),
                url=province_url,
                path=request.path,
                params=request.GET.dict(),
                regional=True,
            ),
        },
    )


@briefing_view
def briefing_xlsx(request, conference):
    content = briefing_workbook(build_briefing(conference))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"bao-cao-hoi-nghi-{conference.region.code}-{conference.edition}-{conference.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
