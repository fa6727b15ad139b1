"""GET /api/v1/reports/summary/ (DESIGN §5)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse

from programmes import selectors, services
from programmes.models import ApprovalStatus, BudgetPlan, DisbursementKind, Project, Province, Region
from tests import demo_db, factories

URL = reverse("api-report-summary")
D = datetime.date


def pct(part, whole) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class SouthernExampleTests(TestCase):
    """The 7th southern conference's H1 2016 figures, served from the demo records."""

    @classmethod
    def setUpTestData(cls):
        demo_db.load()
        cls.user = factories.member("viewer", username="analyst")

    def setUp(self):
        self.client.force_login(self.user)

    def test_the_region_summary_shows_the_reported_figures(self):
        body = self.client.get(URL, {"year": 2016, "region": "south", "as_of": "2016-06-30"}).json()

        self.assertEqual(
            (body["year"], body["as_of"], body["region"], body["province"]), (2016, "2016-06-30", "south", None)
        )
        self.assertEqual(body["province_count"], 20)
        self.assertEqual(body["plan_vnd"], {"total": "65470000000", "KCQG": "28640000000", "KCDP": "36830000000"})
        self.assertEqual(body["plan_growth_pct"], {"total": "1.83", "KCQG": "-2.18", "KCDP": "5.18"})
        self.assertEqual(body["plans_approved"]["KCDP"], {"approved": 20, "expected": 20})
        trained = next(row for row in body["indicators"] if row["code"] == "trained_workers")
        self.assertEqual(
            trained,
            {"code": "trained_workers", "unit": "lao động", "target": 1724, "actual": 331, "completion_pct": "19.20"},
        )

    def test_every_figure_matches_the_raw_records(self):
        body = self.client.get(URL, {"year": 2016, "region": "south", "as_of": "2016-06-30"}).json()
        south_old = Province.objects.filter(region__code="south")
        plan = BudgetPlan.objects.filter(year=2016, status=ApprovalStatus.APPROVED, province__in=south_old).aggregate(
            total=Sum("planned_vnd")
        )["total"]
        nation = BudgetPlan.objects.filter(year=2016, status=ApprovalStatus.APPROVED).aggregate(
            total=Sum("planned_vnd")
        )["total"]
        actual = Decimal(0)
        for project in Project.objects.filter(year=2016, province__in=south_old).prefetch_related("disbursements"):
            actual += sum(
                (d.signed_amount_vnd for d in project.disbursements.all() if d.date <= D(2016, 6, 30)), Decimal(0)
            )
        self.assertEqual(body["plan_vnd"]["total"], str(plan))
        self.assertEqual(body["actual_vnd"]["total"], str(actual))
        self.assertEqual(body["completion_pct"]["total"], pct(actual, plan))
        self.assertEqual(body["share_of_national_pct"]["plan"]["total"], pct(plan, nation))

    def test_the_national_summary_covers_all_63_provinces_in_2016(self):
        body = self.client.get(URL, {"year": 2016}).json()
        self.assertEqual(body["as_of"], "2016-12-31")
        self.assertEqual(body["province_count"], 63)
        nation = BudgetPlan.objects.filter(year=2016, status=ApprovalStatus.APPROVED).aggregate(
            total=Sum("planned_vnd")
        )["total"]
        self.assertEqual(body["plan_vnd"]["total"], str(nation))
        self.assertEqual(body["share_of_national_pct"]["plan"]["total"], "100.00")


class SummaryContractTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = factories.member("viewer", username="analyst")
        cls.binh_duong = factories.province("74")
        factories.budget_plan(cls.binh_duong, 2016, 1_000)
        project = factories.project(cls.binh_duong, 2016, support_vnd=1_000, status_date=D(2016, 3, 1))
        services.disbursement_create(project=project, date=D(2016, 4, 1), amount_vnd=Decimal(970))
        services.disbursement_create(
            project=project, date=D(2016, 5, 1), amount_vnd=Decimal(100), kind=DisbursementKind.RECOVERY
        )

    def setUp(self):
        self.client.force_login(self.user)

    def test_anonymous_users_are_refused(self):
        self.client.logout()
        self.assertEqual(self.client.get(URL, {"year": 2016}).status_code, 403)

    def test_a_province_scope_echoes_the_province_and_nulls_a_zero_division(self):
        body = self.client.get(URL, {"year": 2016, "province": self.binh_duong.pk}).json()
        self.assertEqual((body["region"], body["province"], body["province_count"]), (None, self.binh_duong.pk, 1))
        # No KCĐP plan and no KCĐP project: null, not "0".
        self.assertEqual(body["plan_vnd"], {"total": "1000", "KCQG": "1000", "KCDP": None})
        self.assertEqual(body["original_plan_vnd"], {"total": "1000", "KCQG": "1000", "KCDP": None})
        self.assertEqual(body["actual_vnd"], {"total": "870", "KCQG": "870", "KCDP": None})
        self.assertEqual(body["completion_pct"], {"total": "87.00", "KCQG": "87.00", "KCDP": None})
        self.assertEqual(body["plan_growth_pct"]["total"], None)
        self.assertEqual(body["revised_plan_growth_pct"]["total"], None)

    def test_the_provinces_of_the_cut_off_are_listed_with_their_figures(self):
        body = self.client.get(URL, {"year": 2016, "region": "south"}).json()
        self.assertEqual(len(body["provinces"]), 20)
        row = next(row for row in body["provinces"] if row["province"] == self.binh_duong.pk)
        self.assertEqual(
            row,
            {
                "province": self.binh_duong.pk,
                "code": "74",
                "name": "Bình Dương",
                "plan_vnd": {"total": "1000", "KCQG": "1000", "KCDP": None},
                "original_plan_vnd": {"total": "1000", "KCQG": "1000", "KCDP": None},
                "actual_vnd": {"total": "870", "KCQG": "870", "KCDP": None},
                "completion_pct": {"total": "87.00", "KCQG": "87.00", "KCDP": None},
            },
        )
        others = [row for row in body["provinces"] if row["province"] != self.binh_duong.pk]
        self.assertTrue(all(row["plan_vnd"]["total"] is None for row in others))

    def test_a_period_is_a_cut_off(self):
        body = self.client.get(URL, {"year": 2016, "province": self.binh_duong.pk, "period": "H1"}).json()
        self.assertEqual(body["as_of"], "2016-06-30")

    def test_bad_filters_get_400_with_messages_in_vietnamese(self):
        cases = [
            ({}, "year", "Trường này là bắt buộc."),
            ({"year": "năm ngoái"}, "year", "Nhập một số tổng thể."),
            ({"year": 1999}, "year", None),
            ({"year": 2016, "region": "west"}, "region", "Không có vùng “west”."),
            ({"year": 2016, "province": 999999}, "province", None),
            (
                {"year": 2026, "province": self.binh_duong.pk},
                "province",
                "Tỉnh/thành phố này không có hiệu lực trong năm 2026.",
            ),
            ({"year": 2016, "region": "south", "province": self.binh_duong.pk}, "non_field_errors", None),
            ({"year": 2016, "as_of": "30/06/2016x"}, "as_of", None),
            ({"year": 2016, "as_of": "2015-12-31"}, "as_of", None),
        ]
        for params, field, message in cases:
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
                if message:
                    self.assertEqual(response.json()[field], [message])


class SummaryQueryCountTests(TestCase):
    def _fill(self, start, stop):
        for province in Province.objects.filter(valid_to__isnull=False).order_by("code")[start:stop]:
            factories.budget_plan(province, 2016, 10**9)
            factories.target(province, 2016, "trained_workers", 10)
            project = factories.project(province, 2016, status_date=D(2016, 3, 1))
            services.disbursement_create(project=project, date=D(2016, 4, 1), amount_vnd=Decimal(1000))
            services.output_create(project=project, indicator=factories.indicator(), date=D(2016, 5, 1), value=1)

    def test_the_endpoint_runs_the_same_queries_for_2_and_30_provinces(self):
        self.client.force_login(factories.member("viewer", username="analyst"))
        region = Region.objects.get(code="north")
        for start, stop in ((0, 2), (2, 32)):
            self._fill(start, stop)
            # Expect 12 queries: session, user, the user's role, then the summary selector's 9 (provinces with
            # regions, approved plans, disbursements, projects by status and fund, targets,
            # outputs, indicators, the reporting calendar, reporting periods).
            with self.assertNumQueries(12):
                response = self.client.get(URL, {"year": 2016, "region": region.code})
            self.assertEqual(response.status_code, 200)
        self.assertEqual(len(selectors.ProvinceMap.load().by_id), 97)
