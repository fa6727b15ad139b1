"""The workflow in the API (issue 13, items 1 and 3): a plan's status changes only through its
actions (submit, approve, send-back, reopen, revise), a report's through the reporting-periods
actions, each one workflow service; refusals answer in Vietnamese and save nothing."""

import datetime
from decimal import Decimal

import time_machine
from django.core.cache import cache
from django.test import TestCase
from rest_framework.test import APIClient

from programmes import services
from programmes.models import ApprovalStatus, BudgetPlan, PlanRevision, ReportingPeriod
from programmes.services import plans as plan_services
from tests import factories

D = datetime.date
API = "/api/v1"


@time_machine.travel(datetime.datetime(2026, 11, 15, 9, 0, tzinfo=datetime.UTC), tick=False)
class WorkflowApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.b = factories.province("01", new_era=True)
        cls.staff_a = factories.member("province_staff", cls.a, username="staff_a")
        cls.staff_b = factories.member("province_staff", cls.b, username="staff_b")
        cls.ministry = factories.member("ministry", username="ministry")
        cls.admin = factories.member("admin", username="administrator")

    def setUp(self):
        cache.clear()

    def client_for(self, user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    def _draft(self, fund="KCQG", amount="2000000000"):
        response = self.client_for(self.staff_a).post(
            API + "/budget-plans/",
            {"province": self.a.pk, "year": 2026, "funding_source": fund, "planned_vnd": amount},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        return response.json()["id"]

    def _approved(self, **kwargs):
        pk = self._draft(**kwargs)
        self.assertEqual(self.client_for(self.staff_a).post(f"{API}/budget-plans/{pk}/submit/").status_code, 200)
        response = self.client_for(self.ministry).post(
            f"{API}/budget-plans/{pk}/approve/",
            {"decision_number": "12/QĐ-UBND", "approved_on": "2026-02-01"},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        return pk

    # ---- plans ---------------------------------------------------------------------------------

    def test_submit_approve_through_the_actions(self):
        pk = self._approved()
        body = self.client_for(self.staff_a).get(f"{API}/budget-plans/{pk}/").json()
        self.assertEqual(
            (body["status"], body["original_vnd"], body["decision_number"], body["approved_on"], body["revisions"]),
            ("approved", "2000000000", "12/QĐ-UBND", "2026-02-01", []),
        )

    def test_a_status_written_directly_is_refused_with_the_action_to_use(self):
        pk = self._draft()
        for user in (self.staff_a, self.admin):
            response = self.client_for(user).patch(f"{API}/budget-plans/{pk}/", {"status": "approved"}, format="json")
            self.assertEqual(response.status_code, 400)
            message = response.json()["status"][0]
            self.assertIn("/budget-plans/{id}/{submit, approve, send-back, reopen}/", message)
            self.assertIn("chỉ thay đổi", message)
        self.assertEqual(BudgetPlan.objects.get(pk=pk).status, ApprovalStatus.DRAFT)
        # Echoing the unchanged status (a PUT of the representation) is not a status change.
        response = self.client_for(self.staff_a).patch(
            f"{API}/budget-plans/{pk}/", {"status": "draft", "planned_vnd": "2100000000"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_only_deciders_approve_send_back_reopen_and_revise(self):
        pk = self._draft()
        staff = self.client_for(self.staff_a)
        staff.post(f"{API}/budget-plans/{pk}/submit/")
        for action, data in (
            ("approve", {"decision_number": "1", "approved_on": "2026-02-01"}),
            ("send-back", {"reason": "x"}),
            ("reopen", {"reason": "x"}),
            ("revise", {"planned_vnd": "1", "decision_number": "1", "decided_on": "2026-03-01", "reason": "x"}),
        ):
            with self.subTest(action=action):
                self.assertEqual(staff.post(f"{API}/budget-plans/{pk}/{action}/", data, format="json").status_code, 403)
        self.assertEqual(BudgetPlan.objects.get(pk=pk).status, ApprovalStatus.SUBMITTED)

    def test_send_back_and_reopen_need_a_reason(self):
        pk = self._draft()
        self.client_for(self.staff_a).post(f"{API}/budget-plans/{pk}/submit/")
        ministry = self.client_for(self.ministry)
        self.assertEqual(ministry.post(f"{API}/budget-plans/{pk}/send-back/", {}, format="json").status_code, 400)
        response = ministry.post(f"{API}/budget-plans/{pk}/send-back/", {"reason": "Thiếu thuyết minh"}, format="json")
        self.assertEqual((response.status_code, response.json()["status"]), (200, "draft"))
        response = ministry.post(f"{API}/budget-plans/{pk}/reopen/", {"reason": "x"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("phê duyệt", response.json()["non_field_errors"][0])

    def test_revise_keeps_the_first_amount_and_lists_the_revision(self):
        pk = self._approved()
        response = self.client_for(self.ministry).post(
            f"{API}/budget-plans/{pk}/revise/",
            {
                "planned_vnd": "2600000000",
                "decision_number": "1234/QĐ-BCT",
                "decided_on": "2026-08-10",
                "reason": "Bổ sung kinh phí",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["planned_vnd"], body["original_vnd"]), ("2600000000", "2000000000"))
        self.assertEqual(
            [(r["from_vnd"], r["to_vnd"], r["decision_number"], r["recorded_by"]) for r in body["revisions"]],
            [("2000000000", "2600000000", "1234/QĐ-BCT", "ministry")],
        )

    def test_revise_refusals_in_vietnamese(self):
        draft = self._draft(fund="KCDP")
        ministry = self.client_for(self.ministry)
        data = {"planned_vnd": "5", "decision_number": "9", "decided_on": "2026-08-10", "reason": "x"}
        response = ministry.post(f"{API}/budget-plans/{draft}/revise/", data, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["non_field_errors"], [str(plan_services.REVISE_NOT_APPROVED)])
        pk = self._approved()
        with time_machine.travel(datetime.datetime(2027, 1, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
            record = services.period_submit(province=self.a, year=2026, period="FY", user=self.staff_a)
            services.period_approve(period=record, user=self.ministry)
            response = ministry.post(f"{API}/budget-plans/{pk}/revise/", data, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Năm kế hoạch đã khép lại", response.json()["non_field_errors"][0])
        self.assertFalse(PlanRevision.objects.exists())

    def test_an_approved_plan_is_created_only_by_an_administrator_with_its_decision(self):
        plan = {
            "province": self.a.pk,
            "year": 2024,
            "funding_source": "KCQG",
            "planned_vnd": "100",
            "status": "approved",
            "approved_on": "2024-02-01",
        }
        self.assertEqual(
            self.client_for(self.ministry).post(API + "/budget-plans/", plan, format="json").status_code, 403
        )
        admin = self.client_for(self.admin)
        old = factories.province("77")
        response = admin.post(API + "/budget-plans/", {**plan, "province": old.pk}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("decision_number", response.json())
        response = admin.post(
            API + "/budget-plans/", {**plan, "province": old.pk, "decision_number": "5/QĐ-UBND"}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        response = admin.post(
            API + "/budget-plans/",
            {**plan, "province": old.pk, "funding_source": "KCDP", "status": "submitted"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("/submit/", response.json()["status"][0])

    # ---- reporting periods ---------------------------------------------------------------------

    def test_a_report_goes_through_its_actions_and_keeps_its_figures(self):
        self._approved()
        staff = self.client_for(self.staff_a)
        response = staff.post(
            API + "/reporting-periods/submit/", {"province": self.a.pk, "year": 2026, "period": "H1"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        pk = response.json()["id"]
        self.assertEqual(response.json()["status"], "submitted")
        self.assertEqual(staff.post(f"{API}/reporting-periods/{pk}/approve/").status_code, 403)
        ministry = self.client_for(self.ministry)
        self.assertEqual(ministry.post(f"{API}/reporting-periods/{pk}/send-back/", {}, format="json").status_code, 400)
        response = ministry.post(f"{API}/reporting-periods/{pk}/send-back/", {"reason": "Thiếu số liệu"}, format="json")
        self.assertEqual(response.json()["status"], "open")
        staff.post(
            API + "/reporting-periods/submit/", {"province": self.a.pk, "year": 2026, "period": "H1"}, format="json"
        )
        response = ministry.post(f"{API}/reporting-periods/{pk}/approve/")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["approved_figures"]["funds"]["KCQG"]["plan_vnd"], "2000000000")
        plan = BudgetPlan.objects.get(province=self.a, funding_source="KCQG")
        services.budget_plan_revise(
            plan=plan, planned_vnd=Decimal(2_500_000_000), decision_number="7", decided_on=D(2026, 8, 1), reason="x"
        )
        detail = staff.get(f"{API}/reporting-periods/{pk}/").json()
        self.assertEqual(detail["approved_figures"]["funds"]["KCQG"]["plan_vnd"], "2000000000")
        self.assertEqual(detail["live_figures"]["funds"]["KCQG"]["plan_vnd"], "2500000000")
        response = ministry.post(f"{API}/reporting-periods/{pk}/reopen/", {"reason": "Sửa số liệu"}, format="json")
        self.assertEqual((response.json()["status"], response.json()["approved_figures"]), ("open", None))

    def test_reports_are_scoped_and_filtered(self):
        for province, user in ((self.a, self.staff_a), (self.b, self.staff_b)):
            for period in ("H1", "9M"):
                services.period_submit(province=province, year=2026, period=period, user=user)
        services.period_approve(period=ReportingPeriod.objects.get(province=self.b, period="H1"), user=self.ministry)
        staff = self.client_for(self.staff_a)
        self.assertEqual(
            {row["province"] for row in staff.get(API + "/reporting-periods/").json()["results"]}, {self.a.pk}
        )
        response = staff.post(
            API + "/reporting-periods/submit/", {"province": self.b.pk, "year": 2026, "period": "FY"}, format="json"
        )
        self.assertEqual(response.status_code, 403)
        ministry = self.client_for(self.ministry)
        for query, count in (
            ("?year=2026", 4),
            (f"?province={self.b.pk}", 2),
            ("?status=approved", 1),
            ("?period=9M", 2),
            (f"?region={self.a.region.code}", 2 if self.a.region_id != self.b.region_id else 4),
        ):
            with self.subTest(query=query):
                self.assertEqual(ministry.get(API + "/reporting-periods/" + query).json()["count"], count)
