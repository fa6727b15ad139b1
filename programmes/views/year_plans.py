"""The province year-plan grid (planned đồng of both funds and every indicator target) and the
approval steps of its plans. Who may enter or decide is programmes.access.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.numbers import format_vnd, group_digits

from .. import access, services
from ..forms import (
    PlanActionForm,
    YearPlanChooseForm,
    YearPlanForm,
    add_service_error,
)
from ..models import (
    MAX_YEAR,
    MIN_YEAR,
    ApprovalStatus,
    BudgetPlan,
    FundingSource,
    Indicator,
    IndicatorTarget,
    PlanRevision,
    Province,
    era_note,
    fund_short_label,
    province_label,
)
from ..selectors import (
    locks,
)
from ..selectors.start import plan_statuses, working_year_of
from ..services.support import reason_required


def _get_year_plan_province(user, province_id: int, year: int) -> tuple[Province, bool]:
    """The province of the `year` plan to show, and whether `user` may enter it (else the page
    is read-only). PermissionDenied for users who may not open year plans at all and for a
    province outside the user's scope (the 403 page says so and offers their own); Http404 for a
    year outside 2000–2100, an unknown province, or a province not in force in `year`."""
    if not access.may_read_year_plans(user):
        raise PermissionDenied(_("You are not allowed to enter year plans."))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("No year plan for this year."))
    province = Province.objects.filter(pk=province_id).first()
    if province is None or not province.active_in_year(year):
        raise Http404(_("This province was not in force in that year."))
    if access.may_edit_year_plan(user, province):
        return province, True
    if access.can_see_province(user, province):
        return province, False
    raise PermissionDenied(
        _("The year plans of %(province)s are outside your account's scope.") % {"province": province.name}
    )


@login_required
@require_GET
def year_plan_choose(request):
    """Pick a year and a province in force that year, then go to its year-plan grid.

    Province staff choose among the provinces they enter; the nation-wide roles, who read
    plans, among every province."""
    if not access.may_read_year_plans(request.user):
        raise PermissionDenied(_("You are not allowed to enter year plans."))
    enters = access.may_edit_year_plan(request.user)
    today = timezone.localdate()
    own = access.user_province(request.user) if enters else None
    # "refresh" only reloads the province list for the year shown; it does not open a plan.
    bound = "province" in request.GET and "refresh" not in request.GET
    form = YearPlanChooseForm(
        request.GET if bound else None,
        initial={"year": request.GET.get("year"), "province": request.GET.get("province")},
        today=today,
        province_ids=access.editable_province_ids(request.user)
        if enters
        else access.visible_province_ids(request.user),
        # The staff of a province merged away start at its last year, where its plans are.
        default_year=working_year_of(request.user, today),
    )
    if bound and form.is_valid():
        return redirect(
            "programmes:year-plan-edit",
            province_id=form.cleaned_data["province"],
            year=form.cleaned_data["year"],
        )
    context = {
        "form": form,
        "year": form.year,
        "enters": enters,
        "own": own,
        "own_last_year": own.valid_to.year if own is not None and own.valid_to else None,
        # The nation-wide roles see every province's plans of the year with their status.
        "statuses": plan_statuses(form.year) if access.sees_everything(request.user) else [],
    }
    return render(request, "programmes/year_plan_choose.html", context)


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
    nothing saved, a success redirects back here with a message of what changed. Emptying a
    stored plan or target deletes it, so the page first lists those and asks to confirm. Users who may
    see the province but not enter its plans (ministry officials, viewers) read the page;
    the approval steps of each plan (services.plan_*) are posted here with an `action`.
    """
    province, editable = _get_year_plan_province(request.user, province_id, year)
    plans = {
        plan.funding_source: plan
        for plan in BudgetPlan.objects.filter(province=province, year=year).prefetch_related(
            Prefetch(
                "revisions", queryset=PlanRevision.objects.select_related("recorded_by").order_by("decided_on", "id")
            )
        )
    }
    indicators = list(Indicator.objects.filter(is_active=True))
    targets = dict(IndicatorTarget.objects.filter(province=province, year=year).values_list("indicator_id", "target"))
    action_form = None
    grid_data = None
    pending_decision = None
    if request.method == "POST" and "action" in request.POST:
        action_form = PlanActionForm(request.POST)
        done = _plan_action(request, action_form, province, year, plans, editable)
        if isinstance(done, HttpResponse):
            return done
        pending_decision = done
    elif request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may read this year plan but not change it."))
        grid_data = request.POST
    form = YearPlanForm(grid_data, plans=plans, indicators=indicators, targets=targets)
    # "Submit for approval" is a button of the grid, so the figures typed come with it: a plan
    # is submitted at once only when nothing typed is unsaved; otherwise the page asks to save
    # first ("save_and_submit" saves the grid, then submits, all or nothing).
    submit_fund = (request.POST.get("submit_plan") or request.POST.get("save_and_submit")) if grid_data else None
    pending_submit = None
    if submit_fund is not None:
        if submit_fund not in FundingSource.values:
            return HttpResponseBadRequest(_("Unknown action."))
        done = None
        if form.is_valid():
            changes = form.unsaved_changes(targets)
            if not changes:
                done = _submit_plan(request, form, province, year, plans.get(submit_fund), submit_fund)
            elif "save_and_submit" not in request.POST:
                pending_submit = {"fund": submit_fund, "label": fund_short_label(submit_fund), "changes": changes}
            elif not form.removals(targets):
                done = _save_and_submit(request, form, province, year, submit_fund)
        if done is not None:
            return done
    removals = []
    if pending_submit is None and form.is_bound and form.is_valid() and "confirm_removal" not in request.POST:
        # Emptying a stored figure deletes it: the user confirms that first (nothing saved yet).
        # In a locked year the service refuses every change with its reason: nothing to confirm.
        removals = form.removals(targets)
        if removals and locks.year_lock_reason(province, year):
            removals = []
    if pending_submit is None and submit_fund is None and form.is_bound and form.is_valid() and not removals:
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
    # A draft plan is locked exactly when its year is (selectors.locks.plan_lock_reason): the year's
    # lock is read once for all of them.
    year_lock = locks.year_lock_reason(province, year)
    form.show_locks(
        plan_locks={
            fund: year_lock if plan is None or plan.status == ApprovalStatus.DRAFT else locks.plan_lock_reason(plan)
            for fund, plan in ((fund, plans.get(fund)) for fund in FundingSource.values)
        },
        targets_lock=year_lock,
    )
    decides = access.may_decide_plans(request.user)
    context = {
        "form": form,
        "removals": removals,
        "editable": editable,
        "decides": decides,
        # Only those who revise need to know that the FY report closed the year (no revision form).
        "year_closed": locks.year_closed_reason(province, year) if decides else None,
        # The fund whose revision form was posted and refused (its values and errors shown again).
        "revise_fund": action_form.data.get("fund")
        if action_form is not None and action_form.data.get("action") == "plan_revise"
        else None,
        "approved_plans": [plan for plan in plans.values() if plan.status == ApprovalStatus.APPROVED],
        "action_form_labels": {"confirm": PlanActionForm.base_fields["confirm"].label},
        "action_form": action_form,
        "pending_submit": pending_submit,
        "pending_decision": pending_decision,
        "posted_action": action_form.data.get("action", "") if action_form is not None else "",
        "posted_fund": action_form.data.get("fund", "") if action_form is not None else "",
        "province": province,
        "year": year,
        "today": timezone.localdate(),
        "era_note": era_note(province, year),
        # The example follows the language: 1.250.000.000 in Vietnamese, 1,250,000,000 in English.
        "amount_example": group_digits(1_250_000_000, get_language()),
        "choose_url": f"{reverse('programmes:year-plan-choose')}?year={year}",
    }
    return render(request, "programmes/year_plan_edit.html", context)


def _submit_plan(request, form, province: Province, year: int, plan: BudgetPlan | None, fund: str):
    """Submit the saved `fund` plan (nothing typed is unsaved): the redirect, or None with the
    refusal on the grid's `form`."""
    names = {"fund": FundingSource(fund).label, "year": year, "province": province_label(province, year)}
    try:
        if plan is None:
            raise ValidationError(_("There is no %(fund)s plan for %(year)s yet.") % names)
        services.plan_submit(plan=plan, user=request.user)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return None
    messages.success(
        request, _("The %(fund)s plan %(year)s of %(province)s was submitted to the ministry for approval.") % names
    )
    return redirect("programmes:year-plan-edit", province_id=province.pk, year=year)


def _save_and_submit(request, form, province: Province, year: int, fund: str):
    """Save the grid, then submit the `fund` plan, in one transaction: both or neither. The
    redirect, or None with the refusal on `form`."""
    names = {"fund": FundingSource(fund).label, "year": year, "province": province_label(province, year)}
    try:
        with transaction.atomic():
            result = services.year_plan_save(
                province=province,
                year=year,
                amounts_vnd=form.amounts_vnd(),
                targets=form.targets(),
                user=request.user,
            )
            plan = BudgetPlan.objects.filter(province=province, year=year, funding_source=fund).first()
            if plan is None:
                raise ValidationError({fund: _("There is no %(fund)s plan for %(year)s yet.") % names})
            services.plan_submit(plan=plan, user=request.user)
    except ValidationError as error:
        form.add_service_error(error)
        return None
    messages.success(request, _year_plan_message(province, year, result))
    messages.success(
        request, _("The %(fund)s plan %(year)s of %(province)s was submitted to the ministry for approval.") % names
    )
    return redirect("programmes:year-plan-edit", province_id=province.pk, year=year)


def _plan_action(
    request, form: PlanActionForm, province: Province, year: int, plans: dict[str, BudgetPlan], editable: bool
) -> HttpResponse | dict | None:
    """Run the approval step posted for a plan: the redirect after it; a dict describing the
    decision to confirm first (approving, sending back: nothing saved yet); or None with the
    refusal on `form` (nothing saved). 400 for an unknown step, 403 when the user may not take it."""
    action, fund = request.POST.get("action"), request.POST.get("fund")
    if action not in PlanActionForm.ACTIONS or fund not in FundingSource.values:
        return HttpResponseBadRequest(_("Unknown action."))
    allowed = editable if action == "plan_submit" else access.may_decide_plans(request.user)
    if not allowed:
        raise PermissionDenied(_("You may not take this step on this plan."))
    if not form.is_valid():
        return None
    plan = plans.get(fund)
    label = FundingSource(fund).label
    if plan is None:
        form.add_error(None, _("There is no %(fund)s plan for %(year)s yet.") % {"fund": label, "year": year})
        return None
    data = form.cleaned_data
    if action != "plan_submit" and not data["confirm"]:
        return _decision_to_confirm(form, action, plan, label)
    names = {"fund": label, "year": year, "province": province_label(province, year)}
    try:
        if action == "plan_submit":
            services.plan_submit(plan=plan, user=request.user)
            message = _("The %(fund)s plan %(year)s of %(province)s was submitted to the ministry for approval.")
        elif action == "plan_approve":
            plan = services.plan_approve(
                plan=plan, user=request.user, decision_number=data["decision_number"], approved_on=data["approved_on"]
            )
            names.update(number=plan.decision_number, date=plan.approved_on.strftime("%d/%m/%Y"))
            message = _("The %(fund)s plan %(year)s of %(province)s was approved (decision %(number)s of %(date)s).")
        elif action == "plan_revise":
            revision = services.budget_plan_revise(
                plan=plan,
                planned_vnd=data["planned_vnd"],
                decision_number=data["decision_number"],
                decided_on=data["decided_on"],
                reason=data["reason"],
                user=request.user,
            )
            names.update(
                number=revision.decision_number,
                date=revision.decided_on.strftime("%d/%m/%Y"),
                amount=format_vnd(revision.to_vnd, get_language()),
            )
            message = _(
                "The %(fund)s plan %(year)s of %(province)s was revised to %(amount)s under decision %(number)s "
                "of %(date)s."
            )
        else:
            services.plan_return(plan=plan, user=request.user, reason=data["reason"])
            message = _("The %(fund)s plan %(year)s of %(province)s was sent back to the province as a draft.")
    except ValidationError as error:
        add_service_error(form, error)
        return None
    messages.success(request, message % names)
    return redirect("programmes:year-plan-edit", province_id=province.pk, year=year)


def _decision_to_confirm(form: PlanActionForm, action: str, plan: BudgetPlan, label: str) -> dict | None:
    """What the confirmation of approving or sending back `plan` shows, once the fields the step
    needs are there; None with the missing field's message on `form` (nothing saved)."""
    data = form.cleaned_data
    if action == "plan_approve":
        if not (data["decision_number"] or "").strip():
            form.add_error("decision_number", _("Enter the number of the approval decision."))
        if data["approved_on"] is None:
            form.add_error("approved_on", _("Enter the date of the approval decision."))
    elif not (data["reason"] or "").strip():
        form.add_error("reason", reason_required())
    if form.errors:
        return None
    return {
        "action": action,
        "fund": plan.funding_source,
        "label": fund_short_label(plan.funding_source),
        "plan": plan,
        "decision_number": (data["decision_number"] or "").strip(),
        "approved_on": data["approved_on"],
        "reason": (data["reason"] or "").strip(),
    }
