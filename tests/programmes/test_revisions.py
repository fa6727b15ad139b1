"""Plan revisions by decision (issue 13, item 1): `services.budget_plan_revise` and the plan's
send-back / reopen split. The first-approved amount never changes; H1 and 9M approvals give way to
a revision, an approved FY report closes the year; every refusal has its named message."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from programmes import services
from programmes.models import ApprovalStatus, BudgetPlan, PlanRevision
from programmes.services import plans as plan_services
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _late_2026():
    with time_machine.travel(datetime.datetime(2026, 11, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def ministry():
    return factories.member("ministry", username="ministry")


@pytest.fixture
def province():
    return factories.province("79", new_era=True)


@pytest.fixture
def plan(province):
    return factories.budget_plan(province, 2026, 2_000_000_000, approved_on=D(2026, 2, 1))


def _revise(plan, user=None, **overrides):
    fields = {
        "planned_vnd": Decimal(2_600_000_000),
        "decision_number": "1234/QĐ-BCT",
        "decided_on": D(2026, 8, 10),
        "reason": "Bổ sung kinh phí sau báo cáo 6 tháng",
        **overrides,
    }
    return services.budget_plan_revise(plan=plan, user=user, **fields)


def _approve_period(province, period, user):
    record = services.period_submit(province=province, year=2026, period=period, user=user)
    return services.period_approve(period=record, user=user)


def _refusal(plan, **overrides) -> ValidationError:
    before = BudgetPlan.objects.values_list("planned_vnd", "original_vnd").get(pk=plan.pk)
    with pytest.raises(ValidationError) as caught:
        _revise(plan, **overrides)
    # Nothing half-saved: the plan and its revisions are as they were.
    assert BudgetPlan.objects.values_list("planned_vnd", "original_vnd").get(pk=plan.pk) == before
    assert not PlanRevision.objects.filter(plan=plan).exists()
    return caught.value


def test_a_revision_changes_the_plan_keeps_the_first_amount_and_is_recorded(plan, ministry):
    revision = _revise(plan, user=ministry)
    plan.refresh_from_db()
    assert (plan.planned_vnd, plan.original_vnd, plan.status) == (
        Decimal(2_600_000_000),
        Decimal(2_000_000_000),
        ApprovalStatus.APPROVED,
    )
    assert (revision.from_vnd, revision.to_vnd, revision.recorded_by) == (
        Decimal(2_000_000_000),
        Decimal(2_600_000_000),
        ministry,
    )
    second = _revise(plan, user=ministry, planned_vnd=Decimal(2_400_000_000), decided_on=D(2026, 10, 1))
    assert second.from_vnd == Decimal(2_600_000_000)
    assert [(r.from_vnd, r.to_vnd) for r in plan.revisions.all()] == [
        (Decimal(2_000_000_000), Decimal(2_600_000_000)),
        (Decimal(2_600_000_000), Decimal(2_400_000_000)),
    ]
    latest = plan.history.first()
    assert latest.history_user == ministry
    assert latest.history_change_reason.startswith("Điều chỉnh theo Quyết định số 1234/QĐ-BCT ngày 01/10/2026")
    assert "Bổ sung kinh phí" in latest.history_change_reason
    assert revision.history.first().history_user == ministry


def test_h1_and_9m_approvals_give_way_to_a_revision_and_only_to_it(plan, province, ministry):
    _approve_period(province, "H1", ministry)
    _approve_period(province, "9M", ministry)
    plan.planned_vnd = Decimal(1)
    with pytest.raises(ValidationError):  # a direct change stays locked
        services.budget_plan_save(plan=plan)
    _revise(plan, user=ministry)
    assert BudgetPlan.objects.get(pk=plan.pk).planned_vnd == Decimal(2_600_000_000)


def test_an_approved_fy_report_closes_the_year(plan, province, ministry):
    with time_machine.travel(
        datetime.datetime(2027, 1, 20, 9, 0, tzinfo=datetime.UTC), tick=False
    ):  # the FY is reported after 31/12
        _approve_period(province, "FY", ministry)
        error = _refusal(plan)
    assert error.code == "locked"
    assert "cả năm" in error.messages[0]


def test_the_fy_report_of_the_new_province_closes_its_predecessors_year(ministry):
    old = factories.province("77")  # Bà Rịa – Vũng Tàu, part of TP Hồ Chí Minh from 1 July 2025
    assert old.merged_into.code == "79"
    plan = factories.budget_plan(old, 2025, 900_000_000, approved_on=D(2025, 2, 1))
    with time_machine.travel(datetime.datetime(2026, 1, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        record = services.period_submit(province=old.merged_into, year=2025, period="FY", user=ministry)
        services.period_approve(period=record, user=ministry)
        error = _refusal(plan, decided_on=D(2025, 5, 1))
    assert error.code == "locked"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"planned_vnd": Decimal(2_000_000_000)}, "planned_vnd", plan_services.REVISE_SAME_AMOUNT),
        ({"planned_vnd": Decimal(-1)}, "planned_vnd", plan_services.REVISE_AMOUNT_INVALID),
        ({"planned_vnd": Decimal("10.5")}, "planned_vnd", plan_services.REVISE_AMOUNT_INVALID),
        ({"planned_vnd": Decimal(10**15 + 1)}, "planned_vnd", None),
        ({"decision_number": "  "}, "decision_number", plan_services.REVISE_DECISION_REQUIRED),
        ({"decided_on": D(2026, 1, 15)}, "decided_on", None),  # before the approval of 01/02
        ({"decided_on": D(2026, 12, 1)}, "decided_on", plan_services.REVISE_DATE_IN_FUTURE),
        ({"reason": ""}, "reason", None),
    ],
)
def test_refusals_name_the_field_and_save_nothing(plan, overrides, field, message):
    error = _refusal(plan, **overrides)
    assert field in error.message_dict
    if message is not None:
        assert error.message_dict[field] == [str(message)]


def test_a_decision_outside_the_plan_year_is_refused():
    plan = factories.budget_plan(factories.province("79", new_era=True), 2025, 5_000, approved_on=D(2025, 8, 1))
    error = _refusal(plan, planned_vnd=Decimal(6_000), decided_on=D(2026, 2, 1))
    assert error.message_dict["decided_on"] == [str(plan_services.REVISE_DATE_OUTSIDE_YEAR % {"year": 2025})]


def test_a_plan_not_approved_is_not_revised(province):
    draft = services.budget_plan_save(
        plan=BudgetPlan(province=province, year=2026, funding_source="KCDP", planned_vnd=Decimal(100))
    )
    error = _refusal(draft)
    assert error.messages == [str(plan_services.REVISE_NOT_APPROVED)]
    assert "phê duyệt" in error.messages[0]


def test_send_back_and_reopen_are_distinct_steps_with_a_reason(plan, ministry):
    with pytest.raises(ValidationError):
        services.plan_send_back(plan=plan, user=ministry, reason="Sai số liệu")  # approved, not submitted
    with pytest.raises(ValidationError) as caught:
        services.plan_reopen(plan=plan, user=ministry, reason="")
    assert "reason" in caught.value.message_dict
    reopened = services.plan_reopen(plan=plan, user=ministry, reason="Điều chỉnh cơ cấu")
    assert (reopened.status, reopened.original_vnd) == (ApprovalStatus.DRAFT, Decimal(2_000_000_000))
    services.plan_submit(plan=reopened, user=ministry)
    sent_back = services.plan_send_back(plan=reopened, user=ministry, reason="Thiếu thuyết minh")
    assert (sent_back.status, sent_back.status_reason) == (ApprovalStatus.DRAFT, "Thiếu thuyết minh")
