"""The year-plan page's revision of an approved plan (issue 13, item 1): the first-approved
amount and every revision shown to each reader, the "Revise the plan" form for those who decide,
a confirmation required, refusals on the form with nothing saved, no form once the year is closed."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from programmes.models import BudgetPlan, FundingSource, PlanRevision, ReportingPeriod
from programmes.services import plans as plan_services
from tests.programmes.test_workflow_views import YEAR, WorkflowTestCase, plan_url

D = datetime.date


class YearPlanRevisionTests(WorkflowTestCase):
    def plan(self) -> BudgetPlan:
        return BudgetPlan.objects.get(province=self.a, year=YEAR, funding_source=FundingSource.KCQG)

    def revise(self, user, **data):
        self.client.force_login(user)
        fields = {
            "action": "plan_revise",
            "fund": "KCQG",
            "planned_vnd": "3.600.000.000",
            "decision_number": "2150/QĐ-BCT",
            "decided_on": "2026-07-01",
            "reason": "Bổ sung kinh phí 6 tháng cuối năm",
            "confirm": "on",
            **data,
        }
        return self.client.post(plan_url(self.a), fields)

    def test_the_ministry_revises_an_approved_plan_and_everyone_reads_the_revision(self):
        self.client.force_login(self.ministry)
        self.assertContains(self.client.get(plan_url(self.a)), escape(gettext("Revise the plan")))

        response = self.revise(self.ministry)

        self.assertRedirects(response, plan_url(self.a), fetch_redirect_response=False)
        plan = self.plan()
        self.assertEqual((plan.planned_vnd, plan.original_vnd), (Decimal(3_600_000_000), Decimal(3_000_000_000)))
        for user in (self.ministry, self.staff_a, self.viewer):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                page = self.client.get(plan_url(self.a))
                self.assertContains(page, "2150/QĐ-BCT")
                self.assertContains(page, "3.000.000.000")  # first approved, and the "from" of the revision
                self.assertContains(page, "3.600.000.000")
                self.assertContains(page, "Bổ sung kinh phí 6 tháng cuối năm")
        self.client.force_login(self.staff_a)
        self.assertNotContains(self.client.get(plan_url(self.a)), 'value="plan_revise"')

    def test_without_the_confirmation_or_with_a_bad_amount_nothing_is_saved(self):
        refused = self.revise(self.ministry, confirm="")
        self.assertContains(refused, escape(gettext("Tick the confirmation to record the revision.")))
        refused = self.revise(self.ministry, planned_vnd="3.000.000.000")
        self.assertContains(refused, escape(str(plan_services.REVISE_SAME_AMOUNT)))
        self.assertFalse(PlanRevision.objects.exists())
        self.assertEqual(self.plan().planned_vnd, Decimal(3_000_000_000))

    def test_province_staff_may_not_revise(self):
        self.assertEqual(self.revise(self.staff_a).status_code, 403)
        self.assertFalse(PlanRevision.objects.exists())

    def test_an_approved_h1_report_gives_way_to_a_revision(self):
        self.submit()
        self.approve()
        self.revise(self.ministry)
        self.assertEqual(self.plan().planned_vnd, Decimal(3_600_000_000))

    def test_no_revision_form_once_the_year_is_closed(self):
        # The FY report of 2026 cannot be submitted before 31/12 (today is 10/07): stored approved.
        ReportingPeriod.objects.create(
            province=self.a,
            year=YEAR,
            period="FY",
            status="approved",
            approved_by=self.ministry,
            approved_at=timezone.now(),
        )
        self.client.force_login(self.ministry)
        page = self.client.get(plan_url(self.a))
        self.assertNotContains(page, 'value="plan_revise"')
        self.assertContains(page, "cả năm")
        refused = self.revise(self.ministry)
        self.assertEqual(refused.status_code, 200)
        self.assertFalse(PlanRevision.objects.exists())
