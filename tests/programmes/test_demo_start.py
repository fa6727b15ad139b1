"""The demo's working morning (programmes.demo_start, run at the end of `demo.load`): work on
each start page, made through the services, the same after a second run."""

import datetime
from decimal import Decimal

import time_machine
from django.test import TestCase

from programmes import demo_start
from programmes.models import BudgetPlan, FundingSource, Notification, NotificationKind, ReportingPeriod
from programmes.selectors import start
from tests import factories

D = datetime.date
AS_OF = D(2026, 11, 20)


@time_machine.travel(datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC), tick=False)
class WorkingMorningTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = factories.province("79", new_era=True)
        cls.users = {
            "bo.congthuong": factories.member("ministry", username="bo.congthuong"),
            "tphcm": factories.member("province_staff", cls.city, username="tphcm"),
        }
        factories.target(cls.city, 2026, "trained_workers", 400)
        ReportingPeriod.objects.create(
            province=cls.city, year=2026, period="H1", status="approved", approved_by=cls.users["bo.congthuong"]
        )
        old = factories.province("74")
        ReportingPeriod.objects.create(province=old, year=2019, period="FY", status="submitted")

    def run_morning(self):
        demo_start.add_working_morning(users=self.users, as_of=AS_OF)

    def test_each_start_page_has_work(self):
        self.run_morning()

        waiting = start.waiting_for_approval(D(2026, 12, 3))
        self.assertEqual(
            [(item.kind, item.title, item.province) for item in waiting],
            [("report", "Báo cáo 6 tháng 2026", self.city), ("plan", "Kế hoạch KCĐP 2027", self.city)],
        )
        [sent_back] = start.sent_back(None, since_year=2026)
        self.assertEqual((sent_back.title, sent_back.reason), ("Kế hoạch KCQG 2027", demo_start.SENT_BACK_REASON))
        # The old report left waiting for years was decided long ago.
        self.assertEqual(ReportingPeriod.objects.get(year=2019).status, "approved")
        # Next year's targets come with the plans.
        self.assertEqual(self.city.indicator_targets.get(year=2027).target, 440)
        kinds = set(Notification.objects.values_list("recipient__username", "kind"))
        self.assertIn(("bo.congthuong", NotificationKind.PLAN_SUBMITTED), kinds)
        self.assertIn(("tphcm", NotificationKind.PLAN_RETURNED), kinds)

    def test_a_second_run_gives_the_same_morning(self):
        self.run_morning()
        self.run_morning()

        plans = BudgetPlan.objects.filter(province=self.city, year=2027).order_by("funding_source")
        self.assertEqual(
            [(plan.funding_source, plan.status) for plan in plans],
            [(FundingSource.KCDP, "submitted"), (FundingSource.KCQG, "draft")],
        )
        self.assertEqual(plans.get(funding_source="KCQG").planned_vnd, Decimal(10_400_000_000))
        self.assertEqual(Notification.objects.filter(kind=NotificationKind.PLAN_RETURNED).count(), 1)
