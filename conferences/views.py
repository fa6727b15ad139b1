"""Pages of the regional conferences: the hosts' chain per region, one conference, and the
recommendations tracker (docs/design.md §6).

Every signed-in user with a portal role reads them (docs/design.md §7); the views only parse, call a
selector and pick a template, which formats what it is given (docs/architecture.md, C20).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate
from programmes import access

from . import figures, selectors
from .forms import RecommendationFilterForm
from .models import RecommendationStatus


def may_view_conferences(user) -> bool:
    """True when `user` has a portal role: conferences are public within the portal."""
    return access.role_of(user) is not None


# Anonymous visitors go to the login page; signed-in users without a role get 403.
conference_page = role_gate(may_view_conferences, gettext_lazy("You are not allowed to see the conferences."))


@conference_page
def conference_list(request):
    return render(
        request,
        "conferences/conference_list.html",
        {"chains": selectors.conference_chains(), "can_edit": _may_edit(request.user)},
    )


@conference_page
def conference_detail(request, pk: int):
    detail = selectors.conference_detail(pk)
    if detail is None:
        raise Http404(_("There is no such conference."))
    # The briefing lists every province of the region: nation-wide roles only (as the dashboards).
    nation_wide = access.sees_everything(request.user)
    reported_lines = None
    if nation_wide and detail.reported:
        reported_lines = figures.reported_lines(figures.conference_figures(detail.conference), detail.reported)
    return render(
        request,
        "conferences/conference_detail.html",
        {
            "detail": detail,
            "conference": detail.conference,
            "can_edit": _may_edit(request.user),
            "can_see_briefing": nation_wide,
            "reported_lines": reported_lines,
        },
    )


@dataclass(frozen=True)
class RecommendationFilters:
    """The tracker's filters of a GET, for the page and its Excel copy."""

    form: RecommendationFilterForm
    valid: bool
    status: str  # a RecommendationStatus value, selectors.UNRESOLVED (the default) or selectors.ALL
    addressee: str  # an Addressee value, or "" for every addressee

    @property
    def query(self) -> str:
        return urlencode({"status": self.status, "addressed_to": self.addressee})


def recommendation_filters(params) -> RecommendationFilters:
    """Parse the tracker's filters; `valid` is False (with the errors on the form) when one is
    not understood."""
    form = RecommendationFilterForm(params or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    return RecommendationFilters(
        form=form,
        valid=valid,
        status=data.get("status") or selectors.UNRESOLVED,
        addressee=data.get("addressed_to") or "",
    )


@conference_page
def recommendation_list(request):
    filters = recommendation_filters(request.GET)
    rows = selectors.recommendation_list(status=filters.status, addressee=filters.addressee) if filters.valid else []
    return render(
        request,
        "conferences/recommendation_list.html",
        {
            "form": filters.form,
            "rows": rows,
            "count": len(rows),
            "status": filters.status,
            "addressee": filters.addressee,
            "resolved": RecommendationStatus.RESOLVED.value,
            "excel_url": f"{reverse('exports:recommendations')}?{filters.query}",
        },
        status=200 if filters.valid else 400,
    )


def _may_edit(user) -> bool:
    """Whether to show the links to the data-entry pages (the admin decides again)."""
    return user.is_staff and (access.can_approve(user) or user.is_superuser)
