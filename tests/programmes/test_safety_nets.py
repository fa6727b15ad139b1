"""Safety nets of the workflow pages, all server-side (they work without script): a plan
submitted with unsaved figures asks to save first; approving, sending back and reopening are
confirmed with their consequence shown; an empty report warns before it is sent.

"Today" is 10/07/2026: the 6-month report of 2026 may be submitted.
"""

import datetime
import re
from decimal import Decimal

import time_machine
from django.test import TestCase
from django.urls import reverse

from programmes import services
from programmes.models import ApprovalStatus, BudgetPlan, FundingSource, IndicatorTarget, ReportingPeriod
from tests import factories

D = datetime.date
YEAR = 2026
TODAY = datetime.datetime(2026, 7, 10, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def plan_url(province, year=YEAR):
    return reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": year})


def period_url(province, year=YEAR, period="H1"):
    return reverse("programmes:period", kwargs={"province_id": province.pk, "year": year, "period": period})


@time_machine.travel(TODAY, tick=False)
class SafetyNetTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.staff = factories.member("province_staff", cls.a, username="staff_a")
        cls.ministry = factories.member("ministry", username="ministry")
        cls.plan = BudgetPlan.objects.create(
            province=cls.a, year=YEAR, funding_source=FundingSource.KCQG, planned_vnd=Decimal(1_250_000_000)
        )

    def grid(self, **values):
        data = {"plan_KCQG": "1.250.000.000", "plan_KCDP": "", "target_trained_workers": ""}
        data.update(values)
        return data

    def stored(self):
        plan = BudgetPlan.objects.get(pk=self.plan.pk)
        return plan.status, plan.planned_vnd


class PlanSubmitWithUnsavedEditsTests(SafetyNetTestCase):
    def test_the_submit_button_is_the_grids_and_enter_saves(self):
        self.client.force_login(self.staff)

        page = self.client.get(plan_url(self.a)).content.decode()

        form = page[page.index('class="year-plan-form"') :]
        buttons = re.findall(r"<button [^>]*>", form)
        # The form's first button is the default one (Enter in a figure): the hidden save.
        self.assertIn('class="default-button"', buttons[0])
        self.assertNotIn("name=", buttons[0])
        self.assertIn('name="submit_plan" value="KCQG"', buttons[1])

    def test_submitting_with_a_typed_amount_asks_to_save_first_and_changes_nothing(self):
        self.client.force_login(self.staff)

        response = self.client.post(plan_url(self.a), self.grid(plan_KCQG="1.300.000.000", submit_plan="KCQG"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.stored(), (ApprovalStatus.DRAFT, Decimal(1_250_000_000)))
        pending = response.context["pending_submit"]
        self.assertEqual(pending["fund"], "KCQG")
        self.assertEqual(
            pending["changes"], ["Kinh phí khuyến công quốc gia (KCQG): 1.250.000.000 đ → 1.300.000.000 đ"]
        )
        self.assertContains(response, "Lưu thay đổi trước?")
        self.assertContains(response, 'name="save_and_submit" value="KCQG"')
        # The typed figure stays in its field, so that nothing typed is lost.
        self.assertContains(response, 'value="1.300.000.000"')

    def test_save_then_submit_sends_the_figures_typed(self):
        self.client.force_login(self.staff)

        response = self.client.post(
            plan_url(self.a), self.grid(plan_KCQG="1.300.000.000", target_trained_workers="120", save_and_submit="KCQG")
        )

        self.assertRedirects(response, plan_url(self.a), fetch_redirect_response=False)
        self.assertEqual(self.stored(), (ApprovalStatus.SUBMITTED, Decimal(1_300_000_000)))
        self.assertEqual(IndicatorTarget.objects.get(province=self.a, year=YEAR).target, 120)

    def test_save_then_submit_is_all_or_nothing(self):
        self.client.force_login(self.staff)

        # The KCĐP plan does not exist: nothing is saved, the typed KCQG amount neither.
        response = self.client.post(plan_url(self.a), self.grid(plan_KCQG="1.300.000.000", save_and_submit="KCDP"))

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertEqual(self.stored(), (ApprovalStatus.DRAFT, Decimal(1_250_000_000)))

    def test_submitting_with_nothing_unsaved_submits_at_once(self):
        self.client.force_login(self.staff)

        response = self.client.post(plan_url(self.a), self.grid(submit_plan="KCQG"))

        self.assertRedirects(response, plan_url(self.a), fetch_redirect_response=False)
        self.assertEqual(self.stored(), (ApprovalStatus.SUBMITTED, Decimal(1_250_000_000)))

    def test_a_bad_figure_is_refused_before_anything_is_submitted(self):
        self.client.force_login(self.staff)

        response = self.client.post(plan_url(self.a), self.grid(plan_KCQG="abc", submit_plan="KCQG"))

        self.assertEqual(response.status_code, 200)
        self.assertIn("plan_KCQG", response.context["form"].errors)
        self.assertEqual(self.stored(), (ApprovalStatus.DRAFT, Decimal(1_250_000_000)))

    def test_leaving_the_grid_with_unsaved_edits_asks(self):
        self.client.force_login(self.staff)
        page = self.client.get(plan_url(self.a))
        # static/js/portal.js asks before leaving a form marked data-guard with edits in it.
        self.assertContains(page, 'class="year-plan-form" data-grid data-guard')


class PlanDecisionConfirmationTests(SafetyNetTestCase):
    def setUp(self):
        services.plan_submit(plan=self.plan, user=self.staff)
        self.client.force_login(self.ministry)

    def test_approving_shows_the_amount_and_the_decision_then_confirms(self):
        data = {"action": "plan_approve", "fund": "KCQG", "decision_number": "12/QĐ-BCT", "approved_on": "2026-07-09"}

        page = self.client.post(plan_url(self.a), data)

        self.assertEqual(page.status_code, 200)
        self.assertEqual(self.stored()[0], ApprovalStatus.SUBMITTED)
        self.assertContains(page, "Bạn sắp phê duyệt kế hoạch KCQG 2026 của Thành phố Hồ Chí Minh")
        self.assertContains(page, "Số tiền phê duyệt: 1.250.000.000 đ, theo quyết định số 12/QĐ-BCT ngày 09/07/2026.")
        self.assertContains(page, '<input type="hidden" name="confirm" value="1">', html=True)

        response = self.client.post(plan_url(self.a), {**data, "confirm": "1"})

        self.assertRedirects(response, plan_url(self.a), fetch_redirect_response=False)
        self.assertEqual(self.stored()[0], ApprovalStatus.APPROVED)

    def test_a_missing_decision_is_refused_before_the_confirmation(self):
        page = self.client.post(plan_url(self.a), {"action": "plan_approve", "fund": "KCQG", "decision_number": ""})

        self.assertIsNone(page.context["pending_decision"])
        self.assertContains(page, "Hãy nhập số quyết định phê duyệt.")
        self.assertContains(page, "Hãy nhập ngày của quyết định phê duyệt.")
        self.assertEqual(self.stored()[0], ApprovalStatus.SUBMITTED)

    def test_sending_back_shows_the_reason_then_confirms(self):
        data = {"action": "plan_return", "fund": "KCQG", "reason": "Thiếu thuyết minh"}

        page = self.client.post(plan_url(self.a), data)

        self.assertContains(page, "Bạn sắp trả lại kế hoạch KCQG 2026 của Thành phố Hồ Chí Minh")
        self.assertContains(page, "Thiếu thuyết minh")
        self.assertEqual(self.stored()[0], ApprovalStatus.SUBMITTED)
        self.client.post(plan_url(self.a), {**data, "confirm": "1"})
        self.assertEqual(self.stored()[0], ApprovalStatus.DRAFT)


class ReportDecisionConfirmationTests(SafetyNetTestCase):
    def setUp(self):
        factories.project(self.a, YEAR, support_vnd=500_000_000)
        self.report = services.period_submit(province=self.a, year=YEAR, period="H1", user=self.staff)
        self.client.force_login(self.ministry)

    def status(self):
        return ReportingPeriod.objects.get(pk=self.report.pk).status

    def test_approving_asks_with_what_it_locks(self):
        page = self.client.post(period_url(self.a), {"action": "approve"})

        self.assertEqual(page.status_code, 200)
        self.assertEqual(self.status(), "submitted")
        self.assertContains(page, "Bạn sắp phê duyệt báo cáo 6 tháng 2026 của Thành phố Hồ Chí Minh")
        self.assertContains(page, "01/01/2026")
        self.assertContains(page, "30/06/2026")
        self.assertContains(page, "sẽ bị khóa")

        response = self.client.post(period_url(self.a), {"action": "approve", "confirm": "1"})

        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.status(), "approved")

    def test_sending_back_needs_the_reason_first_then_confirms_with_it(self):
        refused = self.client.post(period_url(self.a), {"action": "return", "reason": " "})
        self.assertEqual(refused.context["confirm_decision"], "")
        self.assertContains(refused, "Hãy nhập lý do")

        page = self.client.post(period_url(self.a), {"action": "return", "reason": "Thiếu đầu ra quý II"})

        self.assertEqual(page.context["confirm_decision"], "return")
        self.assertContains(page, '<input type="hidden" name="reason" value="Thiếu đầu ra quý II">', html=True)
        self.assertEqual(self.status(), "submitted")
        self.client.post(period_url(self.a), {"action": "return", "reason": "Thiếu đầu ra quý II", "confirm": "1"})
        self.assertEqual(self.status(), "open")

    def test_reopening_confirms_what_it_unlocks(self):
        services.period_approve(period=self.report, user=self.ministry)

        page = self.client.post(period_url(self.a), {"action": "reopen", "reason": "Sửa một khoản chi"})

        self.assertContains(page, "Bạn sắp mở lại báo cáo 6 tháng 2026 của Thành phố Hồ Chí Minh")
        self.assertContains(page, "được mở khóa")
        self.assertEqual(self.status(), "approved")


class EmptyReportTests(SafetyNetTestCase):
    def test_an_empty_report_warns_before_it_is_sent(self):
        self.client.force_login(self.staff)

        page = self.client.post(period_url(self.a), {"action": "submit"})

        self.assertTrue(page.context["empty_report"])
        self.assertContains(page, "Báo cáo này trống")
        self.assertContains(page, "Vẫn gửi báo cáo trống")
        self.assertFalse(ReportingPeriod.objects.exists())

    def test_a_report_with_projects_does_not_warn(self):
        factories.project(self.a, YEAR)
        self.client.force_login(self.staff)

        page = self.client.post(period_url(self.a), {"action": "submit"})

        self.assertFalse(page.context["empty_report"])
        self.assertNotContains(page, "Báo cáo này trống")
        self.assertContains(page, "Xác nhận và gửi")
