"""Pages of the programme: the home page and the province year-plan grid.

Views stay thin: they parse the request with a form, read, call a service to write, and pick a
template. Who may enter a year plan is decided in one place, `may_edit_year_plan`.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import access, services
from .forms import MERGER_YEAR, YearPlanChooseForm, YearPlanForm, era_note, province_label
from .models import (
    MAX_YEAR,
    MIN_YEAR,
    ApprovalStatus,
    BudgetPlan,
    Indicator,
    IndicatorTarget,
    Province,
)
from .numbers import group_digits

YEAR_PLAN_PERMISSIONS = ("programmes.change_budgetplan", "programmes.change_indicatortarget")


def may_edit_year_plan(user, province: Province | None = None) -> bool:
    """True when `user` may enter year plans: of `province`, or of some province when None.

    Needs both change permissions and a province the user enters records for (programmes.access:
    province staff for their own territory).
    """
    if not (user.is_authenticated and user.has_perms(YEAR_PLAN_PERMISSIONS)):
        return False
    if province is None:
        return access.editable_province_ids(user) != frozenset()
    return access.can_edit_province(user, province)


def _get_year_plan_province(user, province_id: int, year: int) -> Province:
    """The province whose `year` plan `user` may edit. PermissionDenied when the user may not
    enter plans; Http404 for a year outside 2000–2100, an unknown province, or a province not in
    force in `year`."""
    if not may_edit_year_plan(user):
        raise PermissionDenied(_("You are not allowed to enter year plans."))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("No year plan for this year."))
    province = Province.objects.filter(pk=province_id).first()
    if province is None or not province.active_in_year(year):
        raise Http404(_("This province was not in force in that year."))
    if not may_edit_year_plan(user, province):
        raise PermissionDenied(_("You are not allowed to enter this province's year plan."))
    return province


@dataclass(frozen=True)
class YearRow:
    """One year of the home page's table."""

    year: int
    provinces: int
    provinces_with_plan: int
    plans_approved: int
    is_current: bool


def _year_rows(today) -> list[YearRow]:
    """Every year from the first with a plan (or this year) to next year, newest first, with
    the number of provinces in force, of provinces with a plan, and of approved plans."""
    by_year = {
        row["year"]: row
        for row in BudgetPlan.objects.order_by()
        .values("year")
        .annotate(
            provinces=Count("province", distinct=True),
            approved=Count("pk", filter=Q(status=ApprovalStatus.APPROVED)),
        )
    }
    eras = list(Province.objects.order_by().values_list("valid_from", "valid_to"))
    first = min([today.year, *by_year])
    last = min(max([today.year + 1, *by_year]), MAX_YEAR)
    years = range(last, first - 1, -1)
    return [
        YearRow(
            year=year,
            provinces=sum(1 for start, end in eras if start.year <= year and (end is None or end.year >= year)),
            provinces_with_plan=by_year.get(year, {}).get("provinces", 0),
            plans_approved=by_year.get(year, {}).get("approved", 0),
            is_current=year == today.year,
        )
        for year in years
    ]


@require_GET
def home(request):
    """Anonymous visitors read what the portal is; signed-in users get their tasks."""
    if not request.user.is_authenticated:
        return render(request, "home.html", {"anonymous": True})
    years = _year_rows(timezone.localdate())
    context = {
        "anonymous": False,
        "can_edit_year_plan": may_edit_year_plan(request.user),
        "years": years,
        "shows_merger_year": any(row.year == MERGER_YEAR for row in years),
    }
    return render(request, "home.html", context)


@login_required
@require_GET
def year_plan_choose(request):
    """Pick a year and a province in force that year, then go to its year-plan grid."""
    if not may_edit_year_plan(request.user):
        raise PermissionDenied(_("You are not allowed to enter year plans."))
    # "refresh" only reloads the province list for the year shown; it does not open a plan.
    bound = "province" in request.GET and "refresh" not in request.GET
    form = YearPlanChooseForm(
        request.GET if bound else None,
        initial={"year": request.GET.get("year"), "province": request.GET.get("province")},
        today=timezone.localdate(),
        province_ids=access.editable_province_ids(request.user),
    )
    if bound and form.is_valid():
        return redirect(
            "programmes:year-plan-edit",
            province_id=form.cleaned_data["province"],
            year=form.cleaned_data["year"],
        )
    return render(request, "programmes/year_plan_choose.html", {"form": form, "year": form.year})


def _year_plan_message(province: Province, year: int, result: services.YearPlanResult) -> str:
    label = province_label(province, year)
    if not (result.created or result.updated or result.deleted):
        return _("Nothing changed: the year plan of %(province)s for %(year)s already had these figures.") % {
            "province": label,
            "year": year,
        }
    parts = [
        text % {"count": count}
        for text, count in (
            (_("%(count)s added"), result.created),
            (_("%(count)s changed"), result.updated),
            (_("%(count)s removed"), result.deleted),
            (_("%(count)s unchanged"), result.unchanged),
        )
        if count
    ]
    return _("Year plan of %(province)s for %(year)s saved: %(changes)s.") % {
        "province": label,
        "year": year,
        "changes": ", ".join(parts),
    }


@login_required
@require_http_methods(["GET", "POST"])
def year_plan_edit(request, province_id: int, year: int):
    """One form for a province's year: planned đồng of both funds and every indicator target.

    Saved all together through `services.year_plan_save`; a refusal is shown on the form with
    nothing saved, a success redirects back here with a message of what changed.
    """
    province = _get_year_plan_province(request.user, province_id, year)
    plans = {plan.funding_source: plan for plan in BudgetPlan.objects.filter(province=province, year=year)}
    indicators = list(Indicator.objects.filter(is_active=True))
    targets = dict(IndicatorTarget.objects.filter(province=province, year=year).values_list("indicator_id", "target"))
    form = YearPlanForm(
        request.POST if request.method == "POST" else None,
        plans=plans,
        indicators=indicators,
        targets=targets,
    )
    if form.is_bound and form.is_valid():
        try:
            result = services.year_plan_save(
                province=province,
                year=year,
                amounts_vnd=form.amounts_vnd(),
                targets=form.targets(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _year_plan_message(province, year, result))
            return redirect("programmes:year-plan-edit", province_id=province.pk, year=year)
    context = {
        "form": form,
        "province": province,
        "year": year,
        "era_note": era_note(province, year),
        # The example follows the language: 1.250.000.000 in Vietnamese, 1,250,000,000 in English.
        "amount_example": group_digits(1_250_000_000, get_language()),
        "choose_url": f"{reverse('programmes:year-plan-choose')}?year={year}",
    }
    return render(request, "programmes/year_plan_edit.html", context)
