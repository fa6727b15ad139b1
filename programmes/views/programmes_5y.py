"""The five-year programmes' pages (issue 19, item 3): the list, and a programme's page with its
decision, its targets and their progress to date from the yearly records (selectors.programmes_5y,
on the dashboards' arithmetic: "no data" where nothing is recorded, never a made-up 0). Every
portal role reads them; province staff read the national programmes and their own province's,
the national programmes' progress over the provinces they read."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy

from common.gates import role_gate

from .. import access
from ..models import FiveYearProgramme
from ..selectors.programmes_5y import programme_progress

PROGRAMMES_REFUSAL = gettext_lazy("You are not allowed to see the five-year programmes.")


@role_gate(access.may_view_reports, PROGRAMMES_REFUSAL)
def programme_list(request):
    programmes = access.visible(request.user, FiveYearProgramme.objects.select_related("province"))
    return render(request, "programmes/programmes_5y/list.html", {"programmes": list(programmes)})


@role_gate(access.may_view_reports, PROGRAMMES_REFUSAL)
def programme_page(request, pk: int):
    programme = access.get_visible_or_404(request.user, FiveYearProgramme.objects.select_related("province"), pk=pk)
    figures = programme_progress(programme, province_ids=access.visible_province_ids(request.user))
    partial = programme.province_id is None and access.visible_province_ids(request.user) is not None
    context = {"programme": programme, "figures": figures, "partial": partial}
    return render(request, "programmes/programmes_5y/programme.html", context)
