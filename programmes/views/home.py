"""The home page: what the portal is for visitors, their tasks for signed-in users."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.i18n import user_display_name

from .. import access
from ..forms import (
    MERGER_YEAR,
)
from ..selectors.lists import (
    _year_rows,
)


@require_GET
def home(request):
    """Anonymous visitors read what the portal is; signed-in users get their tasks."""
    if not request.user.is_authenticated:
        return render(request, "home.html", {"anonymous": True})
    years = _year_rows(timezone.localdate())
    context = {
        "anonymous": False,
        # Family name first, as the header shows it (Django's get_full_name puts it last).
        "display_name": user_display_name(request.user),
        "can_edit_year_plan": access.may_edit_year_plan(request.user),
        "years": years,
        "shows_merger_year": any(row.year == MERGER_YEAR for row in years),
    }
    return render(request, "home.html", context)
