"""Acceptance (issue 13): an outside data set with revisions, the 2025 regions and approvals,
entered through the API only (as an administrator and as a ministry official), then the summary
endpoint compared with sums computed here, independently, from what was sent and the published
province lists (programmes/fixtures/provinces_*.csv read directly, not through the portal)."""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

import time_machine
from django.core.cache import cache
from django.test import TestCase
from rest_framework.test import APIClient

from tests import factories

API = "/api/v1"
FIXTURES = Path(__file__).resolve().parents[2] / "programmes" / "fixtures"


def _reference():
    """code -> (region, merged_into) of the 63 provinces; code -> region of the 34."""
    with open(FIXTURES / "provinces_63.csv", encoding="utf-8") as old_file:
        old = {row["code"]: (row["khuyen_cong_region"], row["merged_into"]) for row in csv.DictReader(old_file)}
    with open(FIXTURES / "provinces_34.csv", encoding="utf-8") as new_file:
        new = {row["code"]: row["khuyen_cong_region"] for row in csv.DictReader(new_file)}
    return old, new


@dataclass
class Plan:
    code: str
    new_era: bool
    fund: str
    amount: int
    approved_on: str
    revisions: list[tuple[int, str]] = field(default_factory=list)  # (amount, decided_on), in order
    id: int | None = None

    @property
    def revised(self) -> int:
        return self.revisions[-1][0] if self.revisions else self.amount


# Both eras of 2025: Nghệ An (north until 30/06, central in the year-end grouping) and Bình Thuận
# (south, merged into Lâm Đồng, central) move region; Bình Dương and Bà Rịa – Vũng Tàu become TP HCM.
PLANS = [
    Plan("74", False, "KCQG", 1_000_000_000, "2025-02-01"),
    Plan("77", False, "KCDP", 800_000_000, "2025-02-05"),
    Plan("40", False, "KCQG", 700_000_000, "2025-02-10"),
    Plan("60", False, "KCDP", 600_000_000, "2025-03-01"),
    Plan("79", True, "KCQG", 3_000_000_000, "2025-07-15"),
    Plan("01", True, "KCQG", 2_000_000_000, "2025-07-20"),
    Plan("48", True, "KCQG", 1_500_000_000, "2025-07-10"),
]
# (province code, new era, fund, support, first step date, [(date, amount)])
PROJECTS = [
    ("74", False, "KCQG", 900_000_000, "2025-02-10", [("2025-05-01", 400_000_000)]),
    ("40", False, "KCQG", 500_000_000, "2025-02-15", [("2025-04-01", 250_000_000)]),
    ("79", True, "KCQG", 2_000_000_000, "2025-07-20", [("2025-10-01", 1_200_000_000), ("2025-12-10", 150_000_000)]),
    ("01", True, "KCQG", 1_000_000_000, "2025-07-25", [("2025-11-01", 900_000_000)]),
    ("48", True, "KCQG", 800_000_000, "2025-07-12", [("2025-08-01", 300_000_000)]),
]


@time_machine.travel(datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
class OutsideDataSetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = factories.member("admin", username="administrator")
        cls.ministry = factories.member("ministry", username="ministry")

    def setUp(self):
        cache.clear()
        self.as_admin, self.as_ministry = APIClient(), APIClient()
        self.as_admin.force_authenticate(self.admin)
        self.as_ministry.force_authenticate(self.ministry)
        self.province_ids = {}
        for era, day in ((False, "2025-06-30"), (True, "2025-12-31")):
            response = self.as_ministry.get(API + "/provinces/", {"active_on": day, "page_size": 100})
            rows = response.json()["results"]
            while response.json().get("next"):
                response = self.as_ministry.get(response.json()["next"])
                rows += response.json()["results"]
            self.province_ids.update({(row["code"], era): row["id"] for row in rows})

    def post(self, client, path, data, status=200):
        response = client.post(API + path, data, format="json")
        self.assertEqual(response.status_code, status, response.content.decode())
        return response.json()

    def enter(self):
        for plan in PLANS:
            province = self.province_ids[(plan.code, plan.new_era)]
            body = {"province": province, "year": 2025, "funding_source": plan.fund, "planned_vnd": str(plan.amount)}
            plan.id = self.post(self.as_admin, "/budget-plans/", body, 201)["id"]
            self.post(self.as_admin, f"/budget-plans/{plan.id}/submit/", {})
            approval = {"decision_number": f"{plan.code}/QĐ-UBND", "approved_on": plan.approved_on}
            self.post(self.as_ministry, f"/budget-plans/{plan.id}/approve/", approval)
        for code, new_era, fund, support, day, payments in PROJECTS:
            project = self.post(
                self.as_admin,
                "/projects/",
                {
                    "province": self.province_ids[(code, new_era)],
                    "year": 2025,
                    "funding_source": fund,
                    "category": "vocational_training",
                    "title": f"Đề án đào tạo nghề {code}",
                    "project_type": "single_site",
                    "support_vnd": str(support),
                    "status": "in_progress",
                    "status_date": day,
                },
                201,
            )
            for date, amount in payments:
                payment = {"date": date, "amount_vnd": str(amount), "kind": "payment"}
                self.post(self.as_admin, f"/projects/{project['id']}/disbursements/", payment, 201)

    def revise(self, plan: Plan, amount: int, decided_on: str, status=200):
        body = {
            "planned_vnd": str(amount),
            "decision_number": f"R{len(plan.revisions) + 1}/{plan.code}",
            "decided_on": decided_on,
            "reason": "Điều chỉnh theo nhu cầu thực tế",
        }
        answer = self.post(self.as_ministry, f"/budget-plans/{plan.id}/revise/", body, status)
        if status == 200:
            plan.revisions.append((amount, decided_on))
        return answer

    def report(self, code, new_era, period):
        province = self.province_ids[(code, new_era)]
        record = self.post(
            self.as_admin, "/reporting-periods/submit/", {"province": province, "year": 2025, "period": period}
        )
        return self.post(self.as_ministry, f"/reporting-periods/{record['id']}/approve/", {})

    def test_revisions_regions_and_approvals_through_the_api_match_an_independent_computation(self):
        self.enter()
        plans = {(plan.code, plan.new_era): plan for plan in PLANS}
        self.revise(plans[("79", True)], 3_600_000_000, "2025-08-10")
        # The 6-month report of Bình Dương is approved; a supplementary allocation after it is allowed.
        h1 = self.report("74", False, "H1")
        self.assertEqual(h1["approved_figures"]["funds"]["KCQG"]["plan_vnd"], "1000000000")
        self.revise(plans[("74", False)], 1_200_000_000, "2025-06-25")
        detail = self.as_ministry.get(f"{API}/reporting-periods/{h1['id']}/").json()
        self.assertEqual(
            (
                detail["approved_figures"]["funds"]["KCQG"]["plan_vnd"],
                detail["live_figures"]["funds"]["KCQG"]["plan_vnd"],
            ),
            ("1000000000", "1200000000"),
        )
        # TP Hồ Chí Minh's year report closes the year for it and for the provinces it absorbed.
        self.report("79", True, "FY")
        for key in (("79", True), ("74", False)):
            refused = self.revise(plans[key], 5_000_000_000, "2025-12-20", status=400)
            self.assertIn("Năm kế hoạch đã khép lại", refused["non_field_errors"][0])
        self.revise(plans[("01", True)], 1_800_000_000, "2025-09-15")  # Hà Nội's year is still open

        old, new = _reference()

        def year_end_code(code, new_era):
            return code if new_era else old[code][1]

        def total(amounts):
            """Σ as the API writes it; None (null) where no record is behind the figure."""
            amounts = list(amounts)
            return str(sum(amounts)) if amounts else None

        def expected(select):
            chosen = [plan for plan in PLANS if select(plan.code, plan.new_era)]
            paid = [
                amount
                for code, new_era, _fund, _support, _day, payments in PROJECTS
                if select(code, new_era)
                for _date, amount in payments
            ]
            return {
                "plan_vnd": {
                    "total": total(plan.revised for plan in chosen),
                    "KCQG": total(plan.revised for plan in chosen if plan.fund == "KCQG"),
                    "KCDP": total(plan.revised for plan in chosen if plan.fund == "KCDP"),
                },
                "original_plan_vnd": {
                    "total": total(plan.amount for plan in chosen),
                    "KCQG": total(plan.amount for plan in chosen if plan.fund == "KCQG"),
                },
                "actual_vnd": {"total": total(paid)},
            }

        scopes = {"nation": ({}, lambda code, new_era: True)}
        for region in ("north", "central_highlands", "south"):
            scopes[region] = (
                {"region": region},
                lambda code, new_era, region=region: new[year_end_code(code, new_era)] == region,
            )
        scopes["TP Hồ Chí Minh"] = (
            {"province": self.province_ids[("79", True)]},
            lambda code, new_era: year_end_code(code, new_era) == "79",
        )
        for name, (query, select) in scopes.items():
            with self.subTest(scope=name):
                body = self.as_ministry.get(API + "/reports/summary/", {"year": 2025, **query}).json()
                want = expected(select)
                for key, funds in want.items():
                    for fund, amount in funds.items():
                        got = body[key][fund]
                        self.assertEqual(
                            got if amount else (got or "0"), str(amount) if amount else (got or "0"), (key, fund)
                        )
        # The sums are not trivial: every scope but none has figures of its own.
        self.assertEqual(
            expected(lambda code, new_era: True)["plan_vnd"]["total"],
            str(
                1_200_000_000 + 800_000_000 + 700_000_000 + 600_000_000 + 3_600_000_000 + 1_800_000_000 + 1_500_000_000
            ),
        )
        # The regrouping is visible: Nghệ An's plan counts in the central region of 2025, not the north.
        central = self.as_ministry.get(API + "/reports/summary/", {"year": 2025, "region": "central_highlands"}).json()
        self.assertEqual(central["plan_vnd"]["KCQG"], str(700_000_000 + 1_500_000_000))
