"""Forms of the programme pages: the year-plan grid and its approval, and the reporting workflow.

Forms parse what a page receives; the rules of the workflow are the services' (programmes.services),
whose ValidationError a form shows on the right field with `add_service_error`.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from common.forms import CountFormField, WholeNumberFormField
from common.i18n import localized, vietnamese_sort_key
from common.numbers import format_vnd, group_digits

from .models import (
    MAX_YEAR,
    MIN_YEAR,
    ApprovalStatus,
    BudgetPlan,
    FundingSource,
    Indicator,
    Period,
    Province,
    era_note,
    province_label,
    short_date,
)

# The year of the 2025 reorganisation, when provinces of both eras carry records.
MERGER_YEAR = 2025


class YearPlanChooseForm(forms.Form):
    """Year and province of a year plan (GET). The provinces offered are those in force in the
    chosen year; a province of another era is refused with a message."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    province = forms.TypedChoiceField(label=gettext_lazy("Province"), coerce=int)

    def __init__(
        self,
        data=None,
        *,
        today: datetime.date,
        province_ids: frozenset[int] | None = None,
        default_year: int | None = None,
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        # One query for the year list (from the first year any province existed) and the
        # province list; `Province.active_in_year` decides the era, as everywhere.
        self.all_provinces = list(Province.objects.only("id", "name", "valid_from", "valid_to"))
        # `province_ids`: the provinces the user enters plans for (None: all).
        self.choosable = [p for p in self.all_provinces if province_ids is None or p.pk in province_ids]
        first = max(MIN_YEAR, min((p.valid_from.year for p in self.all_provinces), default=today.year))
        last = min(today.year + 2, MAX_YEAR)
        self.years = range(last, first - 1, -1)
        self.fields["year"].choices = [(year, str(year)) for year in self.years]
        # `default_year`: this year unless given (the last year of a province merged away).
        self.year = self._chosen_year(data if data is not None else self.initial, default_year or today.year)
        self.initial["year"] = self.year
        province = self.fields["province"]
        choices = self._province_choices()
        province.choices = [("", _("Choose a province")), *choices]
        if len(choices) == 1 and isinstance(choices[0][0], int) and not self.initial.get("province"):
            # Province staff of one province need not pick it: it is the only one they enter.
            self.initial["province"] = choices[0][0]
        if self.year == MERGER_YEAR:
            province.help_text = _(
                "In 2025 both eras are listed: the provinces until 30/06/2025 (plans and spending of "
                "January–June) and the new provinces from 01/07/2025."
            )
        else:
            province.help_text = _(
                "The list follows the year: choose another year and press “Show the provinces of this "
                "year” to change it."
            )
        # The list follows the chosen year, so a province picked for another year is not in it.
        province.error_messages["invalid_choice"] = _("Choose a province that was in force in %(year)s.") % {
            "year": self.year
        }

    @property
    def has_choices(self) -> bool:
        """Whether any province may be chosen for the year shown."""
        return any(province.active_in_year(self.year) for province in self.choosable)

    def _chosen_year(self, data, default: int) -> int:
        try:
            year = int((data or {}).get("year") or default)
        except (TypeError, ValueError):
            return default
        return year if year in self.years else default

    def _province_choices(self) -> list:
        """(id, label) pairs sorted by name; grouped by era, the older first, when the year
        has two (2025)."""
        groups: dict[tuple[int, str], list[tuple[int, str]]] = {}
        year_end = datetime.date(self.year, 12, 31)
        for province in self.choosable:
            if not province.active_in_year(self.year):
                continue
            older = province.valid_to is not None and province.valid_to < year_end
            key = (0 if older else 1, era_note(province, self.year))
            groups.setdefault(key, []).append((province.pk, province_label(province, self.year)))
        for choices in groups.values():
            choices.sort(key=lambda choice: vietnamese_sort_key(choice[1]))
        if len(groups) == 1:
            return next(iter(groups.values()))
        return [
            (_("Provinces in force %(period)s") % {"period": note}, choices)
            for (_order, note), choices in sorted(groups.items())
        ]


@dataclass(frozen=True)
class FundRow:
    """One funding source's row of the grid: its input and what is known of its plan."""

    field: forms.BoundField
    plan: BudgetPlan | None
    status: str
    decision: str
    original: str
    lock: str  # why province staff cannot change the amount now (selectors.locks.plan_lock_reason), or ""


@dataclass(frozen=True)
class IndicatorRow:
    field: forms.BoundField
    indicator: Indicator
    unit: str
    value: int | None  # the stored target, shown as text on a read-only page


TARGETS_LOCK_ID = "targets-lock"


def fund_field_name(fund: str) -> str:
    return f"plan_{fund}"


def target_field_name(indicator: Indicator) -> str:
    return f"target_{indicator.code}"


class YearPlanForm(forms.Form):
    """A province's whole year plan in one form: planned đồng per fund, a target per indicator.

    Every field may be left empty (no plan, no target). The form only checks the numbers; the
    rules across records (an approved plan cannot be removed…) are the service's, and
    `add_service_error` shows its ValidationError on the right field.
    """

    def __init__(
        self,
        data=None,
        *,
        plans: Mapping[str, BudgetPlan],
        indicators: Sequence[Indicator],
        targets: Mapping[int, int],
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.plans = plans
        self.indicators = list(indicators)
        self.plan_locks: dict[str, str] = {}
        self.targets_lock = ""
        for fund in FundingSource:
            plan = plans.get(fund.value)
            self.fields[fund_field_name(fund.value)] = WholeNumberFormField(
                required=False,
                label=fund.label,
                initial=plan.planned_vnd if plan else None,
                help_text=self._plan_status(plan),
            )
        for indicator in self.indicators:
            self.fields[target_field_name(indicator)] = CountFormField(
                required=False,
                label=localized(indicator.name, indicator.name_en),
                initial=targets.get(indicator.pk),
                help_text=localized(indicator.unit, indicator.unit_en),
            )
        for field in self.fields.values():
            # static/js/portal.js moves between these cells with Enter and the arrow keys.
            field.widget.attrs["data-grid-cell"] = ""

    @staticmethod
    def _plan_status(plan: BudgetPlan | None) -> str:
        if plan is None:
            return _("No plan yet")
        return str(plan.get_status_display())

    def fund_rows(self) -> list[FundRow]:
        rows = []
        for fund in FundingSource.values:
            plan = self.plans.get(fund)
            decision = original = ""
            if plan is not None and plan.status == ApprovalStatus.APPROVED:
                parts = [plan.decision_number] if plan.decision_number else []
                if plan.approved_on:
                    parts.append(_("of %(date)s") % {"date": short_date(plan.approved_on)})
                decision = " ".join(parts)
            if plan is not None and plan.original_vnd is not None and plan.original_vnd != plan.planned_vnd:
                original = _("first approved: %(amount)s") % {"amount": format_vnd(plan.original_vnd, get_language())}
            rows.append(
                FundRow(
                    field=self[fund_field_name(fund)],
                    plan=plan,
                    status=self._plan_status(plan),
                    decision=decision,
                    original=original,
                    lock=self.plan_locks.get(fund, ""),
                )
            )
        return rows

    def indicator_rows(self) -> list[IndicatorRow]:
        return [
            IndicatorRow(
                field=self[target_field_name(indicator)],
                indicator=indicator,
                unit=localized(indicator.unit, indicator.unit_en),
                value=self.fields[target_field_name(indicator)].initial,
            )
            for indicator in self.indicators
        ]

    @property
    def all_locked(self) -> bool:
        """True when no figure of the grid may change now (after `show_locks`)."""
        return len(self.plan_locks) == len(FundingSource.values) and (bool(self.targets_lock) or not self.indicators)

    def show_locks(self, *, plan_locks: Mapping[str, str | None], targets_lock: str | None) -> None:
        """Make the inputs of locked plans (by fund code) and, when the year is locked, of every
        target read-only, described by the reason.

        Read-only inputs are still sent with the form, so a save keeps their values; the service
        refuses any change to them whatever the browser sends.
        """
        self.plan_locks = {fund: reason for fund, reason in plan_locks.items() if reason}
        self.targets_lock = targets_lock or ""
        # The template shows a plan's reason under its input (`<id>_lock`) and the targets'
        # reason once above their table (`targets-lock`).
        described = {fund_field_name(fund): "{id}_lock" for fund in self.plan_locks}
        if self.targets_lock:
            described.update({target_field_name(indicator): TARGETS_LOCK_ID for indicator in self.indicators})
        for name, lock_id in described.items():
            auto_id = self[name].auto_id
            self.fields[name].widget.attrs.update(
                {"readonly": True, "aria-describedby": f"{auto_id}_helptext {lock_id.format(id=auto_id)}"}
            )

    def amounts_vnd(self) -> dict[str, Decimal | None]:
        """Planned đồng per fund code from the cleaned data; None where the field was left empty."""
        return {fund: self.cleaned_data.get(fund_field_name(fund)) for fund in FundingSource.values}

    def targets(self) -> dict[Indicator, int | None]:
        """Target per active indicator from the cleaned data; None where the field was left empty."""
        return {indicator: self.cleaned_data.get(target_field_name(indicator)) for indicator in self.indicators}

    def removals(self, targets: Mapping[int, int]) -> list[str]:
        """Labels of the stored draft plans and the targets that this (valid) form empties,
        which saving would delete: "KCQG …: 1.500.000.000 đ", "Workers given …: 120". A
        submitted or approved plan is not listed: the service refuses to delete it, with its
        own message, and there is nothing to confirm."""
        removed = [
            f"{self.fields[fund_field_name(fund)].label}: {format_vnd(plan.planned_vnd, get_language())}"
            for fund, plan in self.plans.items()
            if plan.status == ApprovalStatus.DRAFT and self.cleaned_data.get(fund_field_name(fund)) is None
        ]
        removed += [
            f"{self.fields[target_field_name(indicator)].label}: {group_digits(targets[indicator.pk], get_language())}"
            for indicator in self.indicators
            if indicator.pk in targets and self.cleaned_data.get(target_field_name(indicator)) is None
        ]
        return removed

    def unsaved_changes(self, targets: Mapping[int, int]) -> list[str]:
        """Labels of the figures this (valid) form changes from the stored ones, "KCQG: 1.250.000.000 đ
        → 1.300.000.000 đ": what a plan submitted now would not carry (it sends the saved amount)."""
        language = get_language()

        def money(value):
            return format_vnd(value, language) if value is not None else "–"

        def number(value):
            return group_digits(value, language) if value is not None else "–"

        changes = []
        for fund in FundingSource.values:
            plan = self.plans.get(fund)
            stored = plan.planned_vnd if plan else None
            typed = self.cleaned_data.get(fund_field_name(fund))
            if typed != stored:
                changes.append(f"{self.fields[fund_field_name(fund)].label}: {money(stored)} → {money(typed)}")
        for indicator in self.indicators:
            stored = targets.get(indicator.pk)
            typed = self.cleaned_data.get(target_field_name(indicator))
            if typed != stored:
                changes.append(f"{self.fields[target_field_name(indicator)].label}: {number(stored)} → {number(typed)}")
        return changes

    def add_service_error(self, error: ValidationError) -> None:
        """Show a ValidationError of `services.year_plan_save`: fund-code keys on that fund's
        field, anything else above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            field = fund_field_name(key) if key in FundingSource.values else None
            if key == NON_FIELD_ERRORS or field not in self.fields:
                field = None
            self.add_error(field, messages)

    def error_links(self) -> Iterable[tuple[str, str, str]]:
        """(field id, label, message) for the error summary, in the order of the form."""
        for name, field in self.fields.items():
            bound = self[name]
            for message in bound.errors:
                yield bound.auto_id, str(field.label), message


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a workflow service's ValidationError on `form`: on the field of the same name when
    the form has one, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        form.add_error(key if key in form.fields else None, messages)


class YearFilterForm(forms.Form):
    """The year of a reporting page (GET); this year when none or a bad one is given."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)

    def __init__(self, data=None, *, default_year: int, **kwargs):
        super().__init__(data, **kwargs)
        self.default_year = default_year

    def clean_year(self) -> int:
        return self.cleaned_data.get("year") or self.default_year

    def value(self, name: str, default=None):
        """The cleaned value of `name`, or `default` when it is missing or invalid (the other
        filters still apply)."""
        self.is_valid()
        if name in self.errors:
            return default
        return self.cleaned_data.get(name) or default


REPORT_STATUS_FILTERS = (
    ("open", gettext_lazy("Open or not yet created")),
    ("submitted", gettext_lazy("Submitted")),
    ("approved", gettext_lazy("Approved")),
)


class PeriodListForm(YearFilterForm):
    """Filters of the reporting-period list: year, region (code), status and period."""

    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *REPORT_STATUS_FILTERS],
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), required=False, choices=[("", gettext_lazy("All periods")), *Period.choices]
    )

    def __init__(self, data=None, *, regions: Sequence, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["region"].choices = [
            ("", _("All regions")),
            *((region.code, localized(region.name, region.name_en)) for region in regions),
        ]


class PeriodActionForm(forms.Form):
    """One action on a province's report: submit (after a confirmation), approve, return, reopen."""

    ACTIONS = ("submit", "approve", "return", "reopen")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    confirm = forms.BooleanField(required=False)
    # Required by the service, which gives the message: an empty reason is refused there.
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class PlanActionForm(forms.Form):
    """One approval step on a plan of the year-plan page: submit, approve (decision number and
    date), send back or reopen (reason), or revise an approved plan by decision (new amount,
    decision number and date, reason, and the confirmation that the plan as revised becomes the
    base of completion while the first-approved amount stays)."""

    ACTIONS = ("plan_submit", "plan_approve", "plan_return", "plan_revise")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    fund = forms.ChoiceField(choices=FundingSource.choices)
    # Approving and sending back are confirmed first (the consequence shown): 1 once confirmed.
    confirm = forms.BooleanField(required=False)
    decision_number = forms.CharField(label=gettext_lazy("Decision number"), required=False, max_length=64)
    approved_on = forms.DateField(
        label=gettext_lazy("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    planned_vnd = WholeNumberFormField(label=gettext_lazy("Amount after the revision (đồng)"), required=False)
    decided_on = forms.DateField(
        label=gettext_lazy("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I confirm: from now on completion is measured against the revised amount; the first-approved "
            "amount and every earlier revision stay on record."
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "plan_revise" and not data.get("confirm"):
            self.add_error("confirm", _("Tick the confirmation to record the revision."))
        return data

    def is_for(self, fund: str, action: str) -> bool:
        """True when this (bound) form is the one posted for `fund` and `action`."""
        return self.is_bound and self.data.get("fund") == fund and self.data.get("action") == action
