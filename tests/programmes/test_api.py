"""REST API v1 contract: status codes, fields, filters, permissions by role and province, writes
through the services (rules, locks, nothing half-saved), pinned query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from programmes import services, workflow
from programmes.models import (
    BudgetPlan,
    Disbursement,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectTransition,
    Province,
    ReportingPeriod,
)
from tests import factories

D = datetime.date
API = "/api/v1"


class ApiTestCase(TestCase):
    """Staff of new TP Hồ Chí Minh (A), staff of new Hà Nội (B), a ministry official, a viewer and
    an administrator; plans and a project in A and in B."""

    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.b = factories.province("01", new_era=True)
        cls.staff_a = factories.member("province_staff", cls.a, username="staff_a")
        cls.staff_b = factories.member("province_staff", cls.b, username="staff_b")
        cls.ministry = factories.member("ministry", username="ministry")
        cls.viewer = factories.member("viewer", username="viewer")
        cls.admin = factories.member("admin", username="administrator")
        cls.project_a = factories.project(cls.a, 2026, support_vnd=1_000_000_000, status_date=D(2026, 2, 1))
        cls.project_b = factories.project(cls.b, 2026, support_vnd=1_000_000_000, status_date=D(2026, 2, 1))

    def setUp(self):
        self.api = APIClient()
        cache.clear()

    def as_user(self, user):
        self.api.force_authenticate(user)
        return self.api


class AuthenticationTests(ApiTestCase):
    def test_anonymous_requests_are_refused(self):
        for path in ("/regions/", "/provinces/", "/budget-plans/", "/projects/", "/indicator-targets/"):
            with self.subTest(path=path):
                self.assertIn(self.api.get(API + path).status_code, (401, 403))
        self.assertIn(self.api.post(API + "/budget-plans/", {}, format="json").status_code, (401, 403))

    def test_a_token_is_issued_for_a_good_password_and_then_accepted(self):
        self.staff_a.set_password("Khuyen-cong-2026!")
        self.staff_a.save()
        bad = self.api.post(API + "/auth/token/", {"username": "staff_a", "password": "wrong"}, format="json")
        self.assertEqual(bad.status_code, 400)
        good = self.api.post(
            API + "/auth/token/", {"username": "staff_a", "password": "Khuyen-cong-2026!"}, format="json"
        )
        self.assertEqual(good.status_code, 200)
        token = good.json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(client.get(API + "/projects/").status_code, 200)

    def test_the_token_endpoint_is_rate_limited(self):
        codes = [
            self.api.post(API + "/auth/token/", {"username": "staff_a", "password": "x"}, format="json").status_code
            for _ in range(11)
        ]
        self.assertEqual(codes[:10], [400] * 10)
        self.assertEqual(codes[10], 429)

    def test_a_user_without_a_role_is_refused(self):
        nobody = factories.user("nobody")
        self.assertEqual(self.as_user(nobody).get(API + "/projects/").status_code, 403)


class ReferenceDataTests(ApiTestCase):
    def test_regions(self):
        body = self.as_user(self.viewer).get(API + "/regions/").json()
        self.assertEqual([row["code"] for row in body], ["north", "central_highlands", "south"])
        self.assertEqual(set(body[0]), {"code", "name", "name_en"})

    def test_provinces_filter_by_region_and_day_in_force(self):
        client = self.as_user(self.viewer)
        south_2024 = client.get(API + "/provinces/", {"region": "south", "active_on": "2024-01-01", "page_size": 500})
        self.assertEqual(south_2024.json()["count"], 20)
        new = client.get(API + "/provinces/", {"active_on": "2025-07-01", "page_size": 500}).json()
        self.assertEqual(new["count"], 34)
        row = next(p for p in new["results"] if p["code"] == "79")
        self.assertEqual(set(row), {"id", "code", "name", "kind", "region", "valid_from", "valid_to", "merged_into"})
        old = client.get(API + "/provinces/", {"code": "74"}).json()["results"][0]
        self.assertEqual(old["merged_into"], self.a.pk)


class BudgetPlanTests(ApiTestCase):
    URL = API + "/budget-plans/"

    def _plan(self, **fields):
        return {"province": self.a.pk, "year": 2026, "funding_source": "KCDP", "planned_vnd": "1250000000", **fields}

    def test_staff_create_a_draft_plan_for_their_province(self):
        response = self.as_user(self.staff_a).post(self.URL, self._plan(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["planned_vnd"], body["status"], body["original_vnd"]), ("1250000000", "draft", None))
        self.assertTrue(BudgetPlan.objects.filter(province=self.a, funding_source="KCDP").exists())

    def test_staff_cannot_approve_their_own_plan(self):
        response = self.as_user(self.staff_a).post(
            self.URL, self._plan(status="approved", approved_on="2026-02-01"), format="json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(BudgetPlan.objects.exists())

    def test_an_administrator_records_an_approved_historical_plan(self):
        response = self.as_user(self.admin).post(
            self.URL,
            self._plan(status="approved", approved_on="2026-02-01", decision_number="12/QĐ-UBND"),
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["original_vnd"], "1250000000")

    def test_no_plan_for_another_province_and_other_plans_are_invisible(self):
        other = BudgetPlan.objects.create(province=self.b, year=2026, funding_source="KCQG", planned_vnd=5)
        client = self.as_user(self.staff_a)
        self.assertEqual(client.post(self.URL, self._plan(province=self.b.pk), format="json").status_code, 403)
        self.assertEqual(client.get(f"{self.URL}{other.pk}/").status_code, 404)
        self.assertEqual(client.patch(f"{self.URL}{other.pk}/", {"planned_vnd": "1"}, format="json").status_code, 404)
        self.assertEqual(client.delete(f"{self.URL}{other.pk}/").status_code, 404)
        self.assertEqual(client.get(self.URL).json()["count"], 0)

    def test_ministry_and_viewers_read_everything_and_write_nothing(self):
        BudgetPlan.objects.create(province=self.b, year=2026, funding_source="KCQG", planned_vnd=5)
        for user in (self.ministry, self.viewer):
            client = self.as_user(user)
            self.assertEqual(client.get(self.URL).json()["count"], 1)
            self.assertEqual(client.post(self.URL, self._plan(), format="json").status_code, 403)

    def test_bad_amounts_get_field_messages_in_vietnamese_and_save_nothing(self):
        client = self.as_user(self.staff_a)
        for amount in ("-5", "12.5", "abc"):
            with self.subTest(amount=amount):
                response = client.post(self.URL, self._plan(planned_vnd=amount), format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn("planned_vnd", response.json())
        self.assertFalse(BudgetPlan.objects.exists())

    def test_a_second_plan_for_the_same_fund_is_refused_with_the_models_message(self):
        client = self.as_user(self.staff_a)
        self.assertEqual(client.post(self.URL, self._plan(), format="json").status_code, 201)
        response = client.post(self.URL, self._plan(), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["non_field_errors"], ["Tỉnh này đã có kế hoạch của năm và nguồn vốn này."])

    def test_a_province_outside_its_era_is_refused(self):
        old = factories.province("74")
        admin = self.as_user(self.admin)
        response = admin.post(self.URL, self._plan(province=old.pk), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("province", response.json())

    def test_filters(self):
        for province, year, fund in ((self.a, 2026, "KCQG"), (self.a, 2025, "KCDP"), (self.b, 2026, "KCDP")):
            BudgetPlan.objects.create(province=province, year=year, funding_source=fund, planned_vnd=1)
        client = self.as_user(self.viewer)
        count = lambda **query: client.get(self.URL, query).json()["count"]  # noqa: E731
        self.assertEqual(count(year=2026), 2)
        self.assertEqual(count(province=self.a.pk), 2)
        self.assertEqual(count(funding_source="KCDP"), 2)
        self.assertEqual(count(region="south"), 2)
        self.assertEqual(count(region="north"), 1)
        self.assertEqual(count(status="draft"), 3)


class ProjectTests(ApiTestCase):
    URL = API + "/projects/"

    def _project(self, **fields):
        return {
            "province": self.a.pk,
            "year": 2026,
            "funding_source": "KCQG",
            "category": "vocational_training",
            "title": "Đào tạo nghề mây tre đan",
            "support_vnd": "300000000",
            **fields,
        }

    def test_a_historical_project_is_created_in_its_state_with_the_implied_steps(self):
        response = self.as_user(self.staff_a).post(
            self.URL, self._project(status="settled", status_date="2026-03-01"), format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["status"], body["status_changed_on"], body["disbursed_vnd"]), ("settled", "2026-03-01", "0")
        )
        self.assertTrue(body["code"])
        steps = ProjectTransition.objects.filter(project_id=body["id"]).values_list("to_status", flat=True)
        self.assertEqual(list(steps), ["appraised", "approved", "contracted", "in_progress", "accepted", "settled"])

    def test_transitions_move_a_project_and_refuse_illegal_moves(self):
        project = self.as_user(self.staff_a).post(self.URL, self._project(), format="json").json()
        url = f"{self.URL}{project['id']}/transitions/"
        ok = self.api.post(url, {"to": "appraised", "date": "2026-03-01"}, format="json")
        self.assertEqual(ok.status_code, 201, ok.content)
        self.assertEqual(ok.json()["user"], "staff_a")
        bad = self.api.post(url, {"to": "settled", "date": "2026-03-02"}, format="json")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("không thể chuyển", bad.json()["to"][0])
        self.assertEqual(len(self.api.get(url).json()), 1)
        self.assertEqual(Project.objects.get(pk=project["id"]).status, "appraised")

    def test_status_is_not_changed_by_an_update(self):
        response = self.as_user(self.staff_a).patch(
            f"{self.URL}{self.project_a.pk}/", {"status": "settled"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("status", response.json())

    def test_a_project_with_money_is_not_deleted(self):
        services.disbursement_create(project=self.project_a, date=D(2026, 3, 1), amount_vnd=Decimal(5))
        response = self.as_user(self.staff_a).delete(f"{self.URL}{self.project_a.pk}/")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(Project.objects.filter(pk=self.project_a.pk).exists())

    def test_filters_by_status_and_category(self):
        client = self.as_user(self.viewer)
        self.assertEqual(client.get(self.URL, {"status": "in_progress"}).json()["count"], 2)
        self.assertEqual(
            client.get(self.URL, {"category": "vocational_training", "region": "north"}).json()["count"], 1
        )
        self.assertEqual(client.get(self.URL, {"category": "consulting"}).json()["count"], 0)

    def test_unknown_category_is_a_field_error(self):
        response = self.as_user(self.staff_a).post(self.URL, self._project(category="magic"), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("category", response.json())


class MoneyAndOutputTests(ApiTestCase):
    def _url(self, project, what):
        return f"{API}/projects/{project.pk}/{what}/"

    def test_disbursements_and_outputs_are_recorded_through_the_services(self):
        client = self.as_user(self.staff_a)
        paid = client.post(
            self._url(self.project_a, "disbursements"),
            {"date": "2026-03-01", "amount_vnd": "400000000", "kind": "advance"},
            format="json",
        )
        self.assertEqual(paid.status_code, 201, paid.content)
        over = client.post(
            self._url(self.project_a, "disbursements"), {"date": "2026-03-02", "amount_vnd": "700000000"}, format="json"
        )
        self.assertEqual(over.status_code, 400)
        self.assertIn("amount_vnd", over.json())
        output = client.post(
            self._url(self.project_a, "outputs"),
            {"indicator": "trained_workers", "date": "2026-04-01", "value": 35},
            format="json",
        )
        self.assertEqual(output.status_code, 201, output.content)
        self.assertEqual(Disbursement.objects.count(), 1)
        self.assertEqual(ProjectOutput.objects.get().value, 35)
        self.assertEqual(client.get(f"{API}/projects/{self.project_a.pk}/").json()["disbursed_vnd"], "400000000")

    def test_another_provinces_project_is_not_found(self):
        client = self.as_user(self.staff_a)
        response = client.post(
            self._url(self.project_b, "disbursements"), {"date": "2026-03-01", "amount_vnd": "1"}, format="json"
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(client.get(self._url(self.project_b, "outputs")).status_code, 404)

    def test_an_approved_report_locks_its_period(self):
        period = workflow.period_submit(province=self.a, year=2026, period="H1", user=self.staff_a)
        workflow.period_approve(period=period, user=self.ministry)
        response = self.as_user(self.staff_a).post(
            self._url(self.project_a, "disbursements"), {"date": "2026-05-01", "amount_vnd": "10"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        message = response.json()["non_field_errors"][0]
        self.assertIn("Đã khóa", message)
        self.assertIn(ReportingPeriod.objects.get().approved_by.username, message)

    def test_unknown_indicator_is_a_field_error(self):
        response = self.as_user(self.staff_a).post(
            self._url(self.project_a, "outputs"),
            {"indicator": "magic", "date": "2026-04-01", "value": 3},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("indicator", response.json())


class IndicatorTargetTests(ApiTestCase):
    def test_targets_are_created_filtered_and_scoped(self):
        client = self.as_user(self.staff_a)
        body = {"province": self.a.pk, "year": 2026, "indicator": "trained_workers", "target": 1724}
        self.assertEqual(client.post(API + "/indicator-targets/", body, format="json").status_code, 201)
        self.assertEqual(
            client.post(API + "/indicator-targets/", {**body, "province": self.b.pk}, format="json").status_code, 403
        )
        self.assertEqual(client.get(API + "/indicator-targets/", {"indicator": "trained_workers"}).json()["count"], 1)
        self.assertEqual(IndicatorTarget.objects.get().target, 1724)
        negative = client.post(
            API + "/indicator-targets/", {**body, "indicator": "demonstration_models", "target": -1}, format="json"
        )
        self.assertEqual(negative.status_code, 400)


class ListQueryCountTests(TestCase):
    """Every list endpoint runs the same number of queries for small and larger data."""

    def _fill(self, codes):
        for code in codes:
            province = Province.objects.get(code=code, valid_to__isnull=False)
            plan = factories.budget_plan(province, 2016, 10**9)
            factories.target(province, 2016, "trained_workers", 10)
            project = factories.project(province, 2016, status_date=D(2016, 3, 1))
            services.disbursement_create(project=project, date=D(2016, 4, 1), amount_vnd=Decimal(1000))
            services.output_create(project=project, indicator=factories.indicator(), date=D(2016, 5, 1), value=1)
            for number, amount in (("1", 2 * 10**9), ("2", 3 * 10**9)):
                services.budget_plan_revise(
                    plan=plan, planned_vnd=Decimal(amount), decision_number=number, decided_on=D(2016, 5, 2), reason="x"
                )
            report = services.period_submit(province=province, year=2016, period="H1", user=self.approver)
            services.period_approve(period=report, user=self.approver)

    def test_list_endpoints(self):
        client = APIClient()
        # A session, as a browser or a token would: the user is loaded afresh on every request.
        client.force_login(factories.member("viewer"))
        self.approver = factories.member("ministry")
        codes = list(Province.objects.filter(valid_to__isnull=False).values_list("code", flat=True).order_by("code"))
        # Every request: session, user, the user's role (groups); then the page's own queries.
        expectations = {
            "/regions/": 4,  # + regions
            "/provinces/": 5,  # + count, page with regions
            "/budget-plans/": 6,  # + count, page with provinces, the page's revisions with their authors
            # + count, page with provinces and the users who submitted and approved, then the page's live
            # figures (report_figures.live_figures_of): every province (ProvinceMap), plans, projects,
            # targets, indicators, and for the one cut-off (30/06/2016) disbursements and outputs.
            "/reporting-periods/": 12,
            "/indicator-targets/": 5,  # + count, page with provinces and indicators
            "/projects/": 5,  # + count, page with provinces, categories and disbursed totals
        }
        for batch in (codes[:2], codes[2:20]):
            self._fill(batch)
            for path, queries in expectations.items():
                with self.subTest(path=path, size=len(batch)), self.assertNumQueries(queries):
                    self.assertEqual(client.get(API + path).status_code, 200)
            project = Project.objects.first()
            # session, user, role, the project (scoped), count, page of disbursements (or outputs)
            with self.assertNumQueries(6):
                client.get(f"{API}/projects/{project.pk}/disbursements/")
            with self.assertNumQueries(6):
                client.get(f"{API}/projects/{project.pk}/outputs/")


@pytest.mark.django_db
def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/projects/{id}/transitions/" in (tmp_path / "schema.yaml").read_text()


@pytest.mark.django_db
def test_swagger_ui_is_served_from_the_installed_package(client):
    client.force_login(factories.member("viewer"))
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert client.get(reverse("api-schema")).status_code == 200


@pytest.mark.django_db
def test_swagger_ui_needs_no_inline_code_without_the_nonce(client):
    client.force_login(factories.member("viewer"))
    page = client.get(reverse("api-docs"))
    html = page.content.decode()
    policy = page.headers["Content-Security-Policy"]
    assert "<style nonce=" in html
    nonce = html.split('<style nonce="', 1)[1].split('"', 1)[0]
    assert f"'nonce-{nonce}'" in policy
    assert "<script>" not in html  # the initialiser is a separate file (split view)


class ExternalDataSetTests(ApiTestCase):
    """What an outside system does: plans, a historical project, its money and outputs, then the summary."""

    def test_a_past_year_entered_through_the_api_shows_in_the_summary(self):
        client = self.as_user(self.admin)
        old = factories.province("74")  # Bình Dương, before the merger
        for fund, amount in (("KCQG", "600000000"), ("KCDP", "400000000")):
            response = client.post(
                API + "/budget-plans/",
                {
                    "province": old.pk,
                    "year": 2019,
                    "funding_source": fund,
                    "planned_vnd": amount,
                    "status": "approved",
                    "approved_on": "2019-02-15",
                    "decision_number": "15/QĐ-UBND",
                },
                format="json",
            )
            self.assertEqual(response.status_code, 201, response.content)
        target = {"province": old.pk, "year": 2019, "indicator": "trained_workers", "target": 200}
        self.assertEqual(client.post(API + "/indicator-targets/", target, format="json").status_code, 201)
        # No status date: the implied steps are dated 1 January 2019, before the year's payments.
        project = client.post(
            API + "/projects/",
            {
                "province": old.pk,
                "year": 2019,
                "funding_source": "KCQG",
                "category": "vocational_training",
                "title": "Đào tạo nghề gốm",
                "support_vnd": "500000000",
                "status": "in_progress",
            },
            format="json",
        )
        self.assertEqual(project.status_code, 201, project.content)
        pid = project.json()["id"]
        for day, amount in (("2019-03-10", "300000000"), ("2019-08-20", "150000000")):
            paid = client.post(
                f"{API}/projects/{pid}/disbursements/", {"date": day, "amount_vnd": amount}, format="json"
            )
            self.assertEqual(paid.status_code, 201, paid.content)
        out = client.post(
            f"{API}/projects/{pid}/outputs/",
            {"indicator": "trained_workers", "date": "2019-06-01", "value": 150},
            format="json",
        )
        self.assertEqual(out.status_code, 201, out.content)

        body = client.get(API + "/reports/summary/", {"year": 2019, "province": old.pk, "as_of": "2019-06-30"}).json()
        self.assertEqual(body["plan_vnd"], {"total": "1000000000", "KCQG": "600000000", "KCDP": "400000000"})
        self.assertEqual(body["actual_vnd"]["total"], "300000000")
        self.assertEqual(body["completion_pct"]["total"], "30.00")
        trained = next(row for row in body["indicators"] if row["code"] == "trained_workers")
        self.assertEqual((trained["target"], trained["actual"], trained["completion_pct"]), (200, 150, "75.00"))


class HostileInputTests(ApiTestCase):
    def test_a_nul_byte_in_a_code_is_a_field_error_not_a_server_error(self):
        client = self.as_user(self.staff_a)
        body = {
            "province": self.a.pk,
            "year": 2026,
            "funding_source": "KCQG",
            "category": "vocational\x00training",
            "title": "x",
            "support_vnd": "1",
        }
        response = client.post(API + "/projects/", body, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("category", response.json())
        target = {"province": self.a.pk, "year": 2026, "indicator": "trained\x00workers", "target": 1}
        self.assertEqual(client.post(API + "/indicator-targets/", target, format="json").status_code, 400)
