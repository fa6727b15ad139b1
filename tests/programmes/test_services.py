import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from programmes import services
from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    DisbursementKind,
    FundingSource,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
)
from tests import factories

pytestmark = pytest.mark.django_db
S = ProjectStatus


@pytest.fixture
def officer():
    return factories.user("officer")


@pytest.fixture
def proposed(officer):
    return factories.project(factories.province("74"), 2016, status=S.PROPOSED)


def _move(project, to, day=datetime.date(2016, 5, 1), document="", user=None):
    return services.project_transition(project=project, to_status=to, date=day, document_number=document, user=user)


class TestLifecycle:
    def test_each_step_records_date_document_and_user(self, proposed, officer):
        _move(proposed, S.APPRAISED, datetime.date(2016, 3, 10), user=officer)
        _move(proposed, S.APPROVED, datetime.date(2016, 3, 20), "12/QĐ-BCT", user=officer)
        step = ProjectTransition.objects.filter(project=proposed).last()
        assert (step.from_status, step.to_status) == (S.APPRAISED, S.APPROVED)
        assert (step.date, step.document_number, step.user) == (
            datetime.date(2016, 3, 20),
            "12/QĐ-BCT",
            officer,
        )
        proposed.refresh_from_db()
        assert (proposed.status, proposed.status_changed_on) == (S.APPROVED, datetime.date(2016, 3, 20))

    def test_settling_before_acceptance_is_refused_with_the_allowed_steps(self, proposed):
        project = factories.project(factories.province("74"), 2016, status=S.IN_PROGRESS)
        with pytest.raises(ValidationError) as caught:
            _move(project, S.SETTLED)
        message = caught.value.message_dict["to"][0]
        assert "không thể chuyển từ “Đang thực hiện” sang “Đã quyết toán”" in message
        assert "Đã nghiệm thu" in message
        project.refresh_from_db()
        assert project.status == S.IN_PROGRESS

    def test_skipping_a_step_is_refused_and_nothing_is_recorded(self, proposed):
        before = ProjectTransition.objects.count()
        with pytest.raises(ValidationError):
            _move(proposed, S.CONTRACTED, document="HĐ 1")
        assert ProjectTransition.objects.count() == before

    def test_closed_projects_cannot_move(self):
        project = factories.project(factories.province("74"), 2016, status=S.SETTLED)
        with pytest.raises(ValidationError) as caught:
            _move(project, S.CANCELLED)
        assert "đã kết thúc" in caught.value.message_dict["to"][0]

    def test_approval_and_contract_need_a_document_number(self, proposed):
        _move(proposed, S.APPRAISED)
        with pytest.raises(ValidationError) as caught:
            _move(proposed, S.APPROVED, document="  ")
        assert "document_number" in caught.value.message_dict

    def test_a_step_cannot_be_dated_before_the_previous_one_or_in_the_future(self, proposed):
        _move(proposed, S.APPRAISED, datetime.date(2016, 4, 1))
        with pytest.raises(ValidationError) as caught:
            _move(proposed, S.APPROVED, datetime.date(2016, 3, 1), "1/QĐ")
        assert "01/04/2016" in caught.value.message_dict["date"][0]
        with (
            time_machine.travel(datetime.datetime(2016, 6, 1, 12, tzinfo=datetime.UTC)),
            pytest.raises(ValidationError),
        ):
            _move(proposed, S.APPROVED, datetime.date(2016, 6, 2), "1/QĐ")

    def test_a_suspended_project_resumes_where_it_was_or_is_cancelled(self):
        project = factories.project(factories.province("74"), 2016, status=S.CONTRACTED)
        _move(project, S.SUSPENDED)
        assert services.allowed_next_statuses(project) == [S.CONTRACTED, S.CANCELLED]
        _move(project, S.CONTRACTED, document="HĐ bổ sung 1")
        project.refresh_from_db()
        assert project.status == S.CONTRACTED


class TestProjectCreate:
    def test_a_code_is_given_when_none_is_supplied(self):
        first = factories.project(factories.province("74"), 2016, status=S.PROPOSED)
        second = factories.project(factories.province("74"), 2016, status=S.PROPOSED)
        assert first.code == "KCQG-2016-74-001"
        assert second.code == "KCQG-2016-74-002"

    @pytest.mark.parametrize("status", ProjectStatus.values)
    def test_a_historical_project_can_be_created_in_any_state_with_its_implied_steps(self, status):
        project = factories.project(
            factories.province("74"), 2016, status=status, status_date=datetime.date(2016, 8, 1)
        )
        steps = list(project.transitions.values_list("from_status", "to_status"))
        assert project.status == status
        chain = [S.PROPOSED.value] + [to for _, to in steps]
        assert chain[-1] == status
        for (from_status, to_status), expected_from in zip(steps, chain, strict=False):
            assert from_status == expected_from
            assert to_status in services.PROJECT_TRANSITIONS[from_status]

    def test_steps_take_their_own_dates(self):
        project = factories.project(
            factories.province("74"),
            2016,
            status=S.CONTRACTED,
            step_dates={S.APPRAISED: datetime.date(2016, 2, 1), S.APPROVED: datetime.date(2016, 3, 1)},
            status_date=datetime.date(2016, 4, 1),
        )
        assert list(project.transitions.values_list("to_status", "date")) == [
            (S.APPRAISED, datetime.date(2016, 2, 1)),
            (S.APPROVED, datetime.date(2016, 3, 1)),
            (S.CONTRACTED, datetime.date(2016, 4, 1)),
        ]

    def test_invalid_data_saves_nothing(self):
        with pytest.raises(ValidationError):
            factories.project(factories.province("74"), 2026)  # old Bình Dương did not exist in 2026
        assert not Project.objects.exists()
        assert not ProjectTransition.objects.exists()

    def test_status_cannot_be_changed_by_update(self, proposed):
        with pytest.raises(ValidationError):
            services.project_update(project=proposed, status=S.SETTLED)


class TestDisbursements:
    @pytest.fixture
    def contracted(self):
        return factories.project(
            factories.province("74"),
            2016,
            support_vnd=100_000_000,
            status=S.IN_PROGRESS,
            status_date=datetime.date(2016, 3, 1),
        )

    def _pay(self, project, amount, kind=DisbursementKind.PAYMENT, day=datetime.date(2016, 4, 1)):
        return services.disbursement_create(project=project, date=day, amount_vnd=Decimal(amount), kind=kind)

    def test_disbursing_a_proposed_project_is_refused(self, proposed):
        with pytest.raises(ValidationError) as caught:
            self._pay(proposed, 1000)
        assert "chỉ ghi nhận được sau khi ký hợp đồng" in caught.value.messages[0]
        assert not Disbursement.objects.exists()

    def test_money_cannot_be_dated_before_the_contract(self, contracted):
        with pytest.raises(ValidationError) as caught:
            self._pay(contracted, 1000, day=datetime.date(2016, 2, 28))
        assert "01/03/2016" in caught.value.message_dict["date"][0]

    def test_disbursements_cannot_exceed_the_support(self, contracted):
        self._pay(contracted, 70_000_000, DisbursementKind.ADVANCE)
        self._pay(contracted, 30_000_000)
        with pytest.raises(ValidationError) as caught:
            self._pay(contracted, 1)
        assert "100.000.001 đ" in caught.value.message_dict["amount_vnd"][0]
        assert services.project_disbursed_vnd(contracted) == Decimal(100_000_000)

    def test_a_recovery_counts_negative_and_cannot_exceed_what_was_paid(self, contracted):
        self._pay(contracted, 50_000_000)
        self._pay(contracted, 20_000_000, DisbursementKind.RECOVERY)
        assert services.project_disbursed_vnd(contracted) == Decimal(30_000_000)
        with pytest.raises(ValidationError):
            self._pay(contracted, 30_000_001, DisbursementKind.RECOVERY)

    def test_editing_a_disbursement_does_not_count_it_twice(self, contracted):
        payment = self._pay(contracted, 100_000_000)
        payment.note = "sửa ghi chú"
        payment.full_clean()

    def test_outputs_need_a_contract_too(self, proposed, contracted):
        with pytest.raises(ValidationError):
            services.output_create(
                project=proposed, indicator=factories.indicator(), date=datetime.date(2016, 5, 1), value=3
            )
        services.output_create(
            project=contracted, indicator=factories.indicator(), date=datetime.date(2016, 5, 1), value=3
        )
        assert ProjectOutput.objects.get().value == 3


class TestPlans:
    def test_first_approval_keeps_the_original_amount_through_revisions(self):
        from programmes import workflow

        plan = factories.budget_plan(factories.province("74"), 2016, 1_000_000_000)
        assert plan.original_vnd == Decimal(1_000_000_000)
        plan.planned_vnd = Decimal(1_200_000_000)
        with pytest.raises(ValidationError) as caught:  # approved: locked until sent back
            services.budget_plan_save(plan=plan)
        assert "được phê duyệt" in caught.value.messages[0]
        plan = workflow.plan_return(plan=plan, user=None, reason="Điều chỉnh giữa năm")
        plan.planned_vnd = Decimal(1_200_000_000)
        services.budget_plan_save(plan=plan)
        plan = workflow.plan_submit(plan=plan, user=None)
        workflow.plan_approve(plan=plan, user=None, decision_number="99/QĐ-UBND", approved_on=datetime.date(2016, 7, 1))
        plan.refresh_from_db()
        assert (plan.planned_vnd, plan.original_vnd) == (Decimal(1_200_000_000), Decimal(1_000_000_000))

    def test_year_plan_saves_funds_and_targets_together(self):
        province = factories.province("74")
        trained, models_ = factories.indicator("trained_workers"), factories.indicator("demonstration_models")
        result = services.year_plan_save(
            province=province,
            year=2016,
            amounts_vnd={FundingSource.KCQG: Decimal(1_000_000_000), FundingSource.KCDP: Decimal(500)},
            targets={trained: 120, models_: None},
        )
        assert (result.created, result.updated, result.deleted) == (3, 0, 0)
        again = services.year_plan_save(
            province=province,
            year=2016,
            amounts_vnd={FundingSource.KCQG: Decimal(1_000_000_000), FundingSource.KCDP: None},
            targets={trained: 150, models_: None},
        )
        assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 1, 1, 1)
        assert BudgetPlan.objects.get().status == ApprovalStatus.DRAFT
        assert IndicatorTarget.objects.get().target == 150

    def test_year_plan_is_all_or_nothing(self):
        province = factories.province("74")
        factories.budget_plan(province, 2016, 7, fund=FundingSource.KCDP)
        with pytest.raises(ValidationError) as caught:
            services.year_plan_save(
                province=province,
                year=2016,
                amounts_vnd={FundingSource.KCQG: Decimal(1_000), FundingSource.KCDP: None},
                targets={factories.indicator(): 5},
            )
        assert FundingSource.KCDP in caught.value.message_dict
        assert list(BudgetPlan.objects.values_list("funding_source", flat=True)) == [FundingSource.KCDP]
        assert not IndicatorTarget.objects.exists()

    def test_year_plan_refuses_a_province_outside_its_era(self):
        with pytest.raises(ValidationError):
            services.year_plan_save(province=factories.province("74"), year=2026, amounts_vnd={}, targets={})


def test_no_new_payment_after_a_project_is_cancelled_but_recoveries_still_count():
    project = factories.project(
        factories.province("74"),
        2016,
        support_vnd=100,
        status=S.IN_PROGRESS,
        status_date=datetime.date(2016, 3, 1),
    )
    services.disbursement_create(project=project, date=datetime.date(2016, 3, 5), amount_vnd=Decimal(60))
    _move(project, S.CANCELLED, datetime.date(2016, 4, 1))
    with pytest.raises(ValidationError) as caught:
        services.disbursement_create(project=project, date=datetime.date(2016, 4, 2), amount_vnd=Decimal(10))
    assert "chỉ ghi nhận được khoản thu hồi" in caught.value.message_dict["kind"][0]
    services.disbursement_create(
        project=project,
        date=datetime.date(2016, 5, 2),
        amount_vnd=Decimal(60),
        kind=DisbursementKind.RECOVERY,
    )
    assert services.project_disbursed_vnd(project) == 0


def test_2025_reports_follow_the_merger():
    from programmes.models import ReportingPeriod

    old, new = factories.province("74"), factories.province("79", new_era=True)
    ReportingPeriod(province=old, year=2025, period="H1").full_clean()
    ReportingPeriod(province=new, year=2025, period="9M").full_clean()
    for province, period in [(old, "9M"), (new, "H1")]:
        with pytest.raises(ValidationError) as caught:
            ReportingPeriod(province=province, year=2025, period=period).full_clean()
        assert "period" in caught.value.message_dict
