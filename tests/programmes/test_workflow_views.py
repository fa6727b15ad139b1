"""The reporting-workflow pages: the list of reports, a report's page with its steps and history,
the completeness of reports, and the approval of plans on the year-plan page.

Personas: staff of province A (the new Thành phố Hồ Chí Minh, whose territory includes the
provinces merged into it), staff of province B (the new Hà Nội), a ministry official, a viewer
and an administrator (the role, not a superuser; programmes.access lets administrators enter
any province's records and approve, as ministry officials do). "Today" is 10/07/2026: the first half of 2026
has ended and its report is due on 15/07/2026; nine months have not ended.

Messages are compared with the same gettext calls the views and services make, so the tests hold
whether the Vietnamese catalogue is compiled or not.
"""

import datetime
import re
from decimal import Decimal

import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from programmes import services, workflow
from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    FundingSource,
    IndicatorTarget,
    Period,
    Province,
    ReportingPeriod,
)
from programmes.selectors import ProvinceMap, Scope, summary
from programmes.selectors.lists import SENT
from tests import factories

D = datetime.date
YEAR = 2026
TODAY = datetime.datetime(2026, 7, 10, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
REASON_REQUIRED = "Give the reason: it is recorded and shown to the province."


def period_url(province: Province, year: int = YEAR, period: str = "H1") -> str:
    return reverse("programmes:period", kwargs={"province_id": province.pk, "year": year, "period": period})


def plan_url(province: Province, year: int = YEAR) -> str:
    return reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": year})


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def period_names(province: Province, year: int = YEAR, period: str = "H1") -> dict:
    """The names the views put in their messages."""
    return {
        "period": str(Period(period).label).lower(),
        "year": year,
        "province": province.name,
        "date": workflow.period_end(year, period).strftime("%d/%m/%Y"),
    }


def record_of(province: Province, year: int = YEAR, period: str = "H1") -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(province=province, year=year, period=period).first()


def snapshot(province: Province, year: int = YEAR, period: str = "H1"):
    """A report's stored state and the number of its history rows, for before/after checks."""
    record = record_of(province, year, period)
    if record is None:
        return None
    return (
        record.status,
        record.status_reason,
        record.submitted_by_id,
        record.approved_by_id,
        record.updated_at,
        record.history.count(),
    )


def action_buttons(response) -> list[str]:
    """The workflow steps offered on the page: the `action` values of its POST forms."""
    return re.findall(r'name="action" value="([a-z_]+)"', response.content.decode())


@time_machine.travel(TODAY, tick=False)
class WorkflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.b = factories.province("01", new_era=True)
        cls.staff_a = factories.member(
            "province_staff", cls.a, username="staff_a", first_name="Ngọc Lan", last_name="Võ Thị"
        )
        cls.staff_b = factories.member("province_staff", cls.b, username="staff_b")
        cls.ministry = factories.member("ministry", username="ministry", first_name="Thu Hà", last_name="Trần Thị")
        cls.viewer = factories.member("viewer", username="viewer")
        cls.admin = factories.member("admin", username="admin_role")
        cls.no_role = factories.user("no_role")
        cls.project = factories.project(cls.a, YEAR, support_vnd=2_000_000_000)
        factories.budget_plan(cls.a, YEAR, 3_000_000_000)
        factories.target(cls.a, YEAR, "trained_workers", 400)

    def act(self, user, action: str, province: Province | None = None, period: str = "H1", **data):
        """Post a step on a report; approving, sending back and reopening are confirmed (their
        confirmation page is tests/programmes/test_safety_nets.py's)."""
        self.client.force_login(user)
        if action in ("approve", "return", "reopen"):
            data.setdefault("confirm", "1")
        return self.client.post(period_url(province or self.a, period=period), {"action": action, **data})

    def submit(self, province: Province | None = None, user=None):
        response = self.act(user or self.staff_a, "submit", province, confirm="1")
        self.assertEqual(response.status_code, 302)
        self.client.get(response["Location"])  # shows (and so clears) the success message
        return response

    def approve(self, province: Province | None = None):
        response = self.act(self.ministry, "approve", province)
        self.assertEqual(response.status_code, 302)
        return response


class SubmitTests(WorkflowTestCase):
    def test_staff_confirm_the_figures_before_the_report_is_submitted(self):
        services.disbursement_create(project=self.project, date=D(YEAR, 5, 1), amount_vnd=Decimal(750_000_000))
        self.client.force_login(self.staff_a)
        page = self.client.get(period_url(self.a))
        self.assertEqual(action_buttons(page), ["submit"])

        response = self.act(self.staff_a, "submit")

        # The first POST only shows the figures to confirm: nothing is created yet.
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["confirm_submit"])
        self.assertContains(response, 'name="confirm" value="1"')
        self.assertContains(response, "3,00 tỷ đồng")  # the plan
        self.assertContains(response, "0,75 tỷ đồng")  # disbursed up to 30/06
        self.assertIsNone(record_of(self.a))

        response = self.act(self.staff_a, "submit", confirm="1")

        self.assertRedirects(response, period_url(self.a), fetch_redirect_response=False)
        record = record_of(self.a)
        self.assertEqual(record.status, ReportingPeriod.Status.SUBMITTED)
        self.assertEqual(record.submitted_by, self.staff_a)
        expected = gettext("The %(period)s %(year)s report of %(province)s was submitted to the ministry.")
        self.assertEqual(message_texts(response), [expected % period_names(self.a)])

    def test_a_period_that_has_not_ended_cannot_be_submitted(self):
        self.client.force_login(self.staff_a)
        page = self.client.get(period_url(self.a, period="9M"))
        self.assertEqual(action_buttons(page), [])

        response = self.act(self.staff_a, "submit", period="9M", confirm="1")

        self.assertEqual(response.status_code, 200)
        refusal = gettext("The period ends on %(date)s; it can be reported after that.") % {"date": "30/09/2026"}
        self.assertContains(response, escape(refusal))
        self.assertIsNone(record_of(self.a, period="9M"))


class ApproveTests(WorkflowTestCase):
    def test_approving_locks_the_disbursements_of_the_period_naming_the_approver(self):
        self.submit()
        self.client.force_login(self.ministry)
        page = self.client.get(period_url(self.a))
        self.assertEqual(action_buttons(page), ["approve", "return"])
        # The page says what approving locks before the official presses the button.
        self.assertContains(page, "01/01/2026")
        self.assertContains(page, "30/06/2026")

        response = self.approve()

        record = record_of(self.a)
        self.assertEqual((record.status, record.approved_by), (ReportingPeriod.Status.APPROVED, self.ministry))
        expected = gettext(
            "The %(period)s %(year)s report of %(province)s was approved. Its disbursements and outputs "
            "dated up to %(date)s and the %(year)s plans and targets are now locked."
        )
        self.assertEqual(message_texts(response), [expected % period_names(self.a)])
        with self.assertRaises(ValidationError) as refused:
            services.disbursement_create(project=self.project, date=D(YEAR, 5, 1), amount_vnd=Decimal(1_000_000))
        self.assertEqual(refused.exception.messages, [workflow.lock_message(record)])
        self.assertIn("Trần Thị Thu Hà", refused.exception.messages[0])
        self.assertFalse(Disbursement.objects.exists())
        # After the period, money can still be recorded.
        services.disbursement_create(project=self.project, date=D(YEAR, 7, 2), amount_vnd=Decimal(1_000_000))

    def test_the_year_plan_grid_shows_the_lock_and_its_inputs_are_read_only(self):
        self.submit()
        self.approve()
        self.client.force_login(self.staff_a)

        response = self.client.get(plan_url(self.a))

        lock = workflow.year_lock_reason(self.a, YEAR)
        self.assertIn("Trần Thị Thu Hà", lock)
        self.assertContains(response, escape(lock))
        html = response.content.decode()
        for name in ("plan_KCDP", "target_trained_workers"):
            tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
            self.assertIn("readonly", tag)

    def test_the_report_page_says_it_is_approved_and_by_whom(self):
        self.submit()
        self.approve()
        self.client.force_login(self.viewer)

        response = self.client.get(period_url(self.a))

        self.assertEqual(response.context["approved_by"], "Trần Thị Thu Hà")
        self.assertContains(response, "Trần Thị Thu Hà")


class ReturnAndReopenTests(WorkflowTestCase):
    def test_sending_back_without_a_reason_is_refused_and_nothing_changes(self):
        self.submit()
        before = snapshot(self.a)

        for reason in ("", "   "):
            with self.subTest(reason=reason):
                response = self.act(self.ministry, "return", reason=reason)

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, escape(gettext(REASON_REQUIRED)))
                self.assertContains(response, 'aria-invalid="true"')
                self.assertEqual(snapshot(self.a), before)
                self.assertEqual(message_texts(response), [])

    def test_sending_back_with_a_reason_reopens_the_report_for_the_province(self):
        self.submit()

        response = self.act(self.ministry, "return", reason="Thiếu số liệu giải ngân tháng 6.")

        self.assertRedirects(response, period_url(self.a), fetch_redirect_response=False)
        record = record_of(self.a)
        self.assertEqual(record.status, ReportingPeriod.Status.OPEN)
        self.assertEqual(record.status_reason, "Thiếu số liệu giải ngân tháng 6.")
        self.client.force_login(self.staff_a)
        page = self.client.get(period_url(self.a))
        self.assertContains(page, "Thiếu số liệu giải ngân tháng 6.")
        self.assertEqual(action_buttons(page), ["submit"])  # the province can submit again

    def test_reopening_needs_a_reason_and_unlocks_the_records(self):
        self.submit()
        self.approve()
        self.client.force_login(self.ministry)
        self.assertEqual(action_buttons(self.client.get(period_url(self.a))), ["reopen"])
        before = snapshot(self.a)

        refused = self.act(self.ministry, "reopen", reason="")

        self.assertContains(refused, escape(gettext(REASON_REQUIRED)))
        self.assertEqual(snapshot(self.a), before)

        response = self.act(self.ministry, "reopen", reason="Tỉnh xin điều chỉnh một khoản thanh toán.")

        self.assertRedirects(response, period_url(self.a), fetch_redirect_response=False)
        record = record_of(self.a)
        self.assertEqual((record.status, record.approved_by), (ReportingPeriod.Status.OPEN, None))
        self.assertIsNone(workflow.date_lock_reason(self.a, D(YEAR, 5, 1)))
        services.disbursement_create(project=self.project, date=D(YEAR, 5, 1), amount_vnd=Decimal(1_000_000))

    def test_a_step_that_does_not_fit_the_status_shows_the_services_message(self):
        self.submit()
        self.approve()

        response = self.act(self.ministry, "approve")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, escape(gettext("Only a submitted report can be approved.")))

    def test_history_lists_each_step_with_its_user_and_reason(self):
        self.submit()
        self.act(self.ministry, "return", reason="Bổ sung đầu ra.")
        self.submit()
        self.approve()
        self.act(self.ministry, "reopen", reason="Điều chỉnh.")
        self.client.force_login(self.viewer)

        response = self.client.get(period_url(self.a))

        status = ReportingPeriod.Status
        lines = [(line.user, line.change, line.reason) for line in response.context["history"]]
        staff, official = "Võ Thị Ngọc Lan", "Trần Thị Thu Hà"
        self.assertEqual(
            lines,
            [
                # The first submission creates the report, already submitted.
                (staff, gettext("Created (%(status)s)") % {"status": status.SUBMITTED.label}, ""),
                (official, f"{status.SUBMITTED.label} → {status.OPEN.label}", "Bổ sung đầu ra."),
                (staff, f"{status.OPEN.label} → {status.SUBMITTED.label}", ""),
                (official, f"{status.SUBMITTED.label} → {status.APPROVED.label}", ""),
                (official, f"{status.APPROVED.label} → {status.OPEN.label}", "Điều chỉnh."),
            ],
        )
        self.assertContains(response, "Bổ sung đầu ra.")
        self.assertContains(response, official)


class PeriodAccessTests(WorkflowTestCase):
    def test_staff_of_another_province_neither_see_nor_act_on_it(self):
        self.submit()
        before = snapshot(self.a)
        self.client.force_login(self.staff_b)

        # Refused (403, the page names the province), not "not found": provinces are public.
        self.assertEqual(self.client.get(period_url(self.a)).status_code, 403)
        for action in ("submit", "approve", "return", "reopen"):
            with self.subTest(action=action):
                response = self.act(self.staff_b, action, confirm="1", reason="x")
                self.assertEqual(response.status_code, 403)
        self.assertEqual(snapshot(self.a), before)
        # Their own province's report is theirs to submit, not to approve.
        self.assertEqual(self.client.get(period_url(self.b)).status_code, 200)
        self.assertEqual(self.act(self.staff_b, "approve", self.b).status_code, 403)

    def test_staff_see_their_predecessors_reports_of_2025(self):
        old_hcm = factories.province("79")
        self.client.force_login(self.staff_a)

        self.assertEqual(self.client.get(period_url(old_hcm, 2025, "H1")).status_code, 200)
        self.client.force_login(self.staff_b)
        self.assertEqual(self.client.get(period_url(old_hcm, 2025, "H1")).status_code, 403)

    def test_viewers_read_without_any_step(self):
        self.submit()
        before = snapshot(self.a)
        self.client.force_login(self.viewer)

        page = self.client.get(period_url(self.a))

        self.assertEqual(page.status_code, 200)
        self.assertEqual(action_buttons(page), [])
        self.assertNotContains(page, 'method="post" class="workflow-form"')
        for action in ("submit", "approve", "return", "reopen"):
            with self.subTest(action=action):
                self.assertEqual(self.act(self.viewer, action, confirm="1", reason="x").status_code, 403)
        self.assertEqual(snapshot(self.a), before)

    def test_administrators_take_the_ministrys_steps(self):
        self.submit()
        self.client.force_login(self.admin)

        self.assertEqual(action_buttons(self.client.get(period_url(self.a))), ["approve", "return"])
        self.assertEqual(self.act(self.admin, "approve").status_code, 302)
        self.assertEqual(record_of(self.a).approved_by, self.admin)

    def test_staff_cannot_decide_and_the_ministry_cannot_submit(self):
        self.assertEqual(self.act(self.ministry, "submit", confirm="1").status_code, 403)
        self.assertIsNone(record_of(self.a))
        self.submit()
        for action in ("approve", "return"):
            self.assertEqual(self.act(self.staff_a, action, reason="x").status_code, 403)
        self.assertEqual(record_of(self.a).status, ReportingPeriod.Status.SUBMITTED)

    def test_users_without_a_role_get_403_and_anonymous_users_the_login_page(self):
        self.client.force_login(self.no_role)
        for url in (period_url(self.a), reverse("programmes:periods"), reverse("programmes:completeness")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        self.client.logout()
        response = self.client.get(period_url(self.a))
        self.assertRedirects(response, f"{reverse('login')}?next={period_url(self.a)}", fetch_redirect_response=False)

    def test_reports_that_do_not_exist_are_not_found(self):
        old_hcm = factories.province("79")
        self.client.force_login(self.ministry)
        urls = [
            period_url(old_hcm, 2025, "9M"),  # merged on 01/07/2025: the new province reports 9 months
            period_url(self.a, 2025, "H1"),  # formed on 01/07/2025
            reverse("programmes:period", kwargs={"province_id": self.a.pk, "year": YEAR, "period": "Q3"}),
            reverse("programmes:period", kwargs={"province_id": 999_999, "year": YEAR, "period": "H1"}),
            period_url(self.a, 1999),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_an_unknown_action_is_a_bad_request(self):
        self.assertEqual(self.act(self.ministry, "delete").status_code, 400)


class PeriodListTests(WorkflowTestCase):
    url = reverse("programmes:periods")

    def rows(self, response) -> dict[str, list]:
        return {group.code: group.rows for group in response.context["groups"]}

    def test_staff_list_their_territory_in_force_at_each_period_end(self):
        self.client.force_login(self.staff_a)

        response = self.client.get(self.url, {"year": 2025})

        rows = self.rows(response)
        predecessors = sorted(Province.objects.filter(merged_into=self.a), key=lambda p: (p.code, p.valid_from))
        self.assertEqual([row.province for row in rows["H1"]], predecessors)
        self.assertEqual(len(predecessors), 3)
        self.assertEqual([row.province for row in rows["9M"]], [self.a])
        self.assertEqual([row.province for row in rows["FY"]], [self.a])
        self.assertNotContains(response, period_url(self.b, 2025, "9M"))

    def test_it_defaults_to_this_year_with_status_people_dates_and_lateness(self):
        self.submit()
        self.approve()
        ReportingPeriod.objects.create(
            province=self.b, year=YEAR, period="H1", deadline=D(YEAR, 7, 5)
        )  # open, and its deadline has passed
        self.client.force_login(self.ministry)

        response = self.client.get(self.url)

        self.assertEqual(response.context["year"], YEAR)
        rows = {row.province: row for row in self.rows(response)["H1"]}
        self.assertEqual(len(rows), 34)
        mine = rows[self.a]
        self.assertEqual(
            (mine.status, mine.submitted_by, mine.approved_by), ("approved", "Võ Thị Ngọc Lan", "Trần Thị Thu Hà")
        )
        self.assertEqual((mine.due, mine.lateness), (D(YEAR, 7, 15), ""))
        self.assertEqual(
            (rows[self.b].status, rows[self.b].due, rows[self.b].lateness), ("open", D(YEAR, 7, 5), "overdue")
        )
        other = rows[factories.province("48", new_era=True)]
        self.assertEqual((other.status, other.record), ("none", None))
        self.assertContains(response, f'href="{period_url(self.a)}"')
        self.assertContains(response, "Trần Thị Thu Hà")

    def test_the_ministry_filters_by_region_and_status(self):
        self.submit()
        self.client.force_login(self.ministry)

        south = self.client.get(self.url, {"region": self.a.region.code})
        submitted = self.client.get(self.url, {"status": "submitted"})
        h1_open = self.client.get(self.url, {"status": "open", "period": "H1"})

        self.assertTrue(self.rows(south)["H1"])
        self.assertTrue(all(row.province.region_id == self.a.region_id for row in self.rows(south)["H1"]))
        self.assertEqual([row.province for row in self.rows(submitted)["H1"]], [self.a])
        self.assertEqual(self.rows(submitted)["9M"], [])
        self.assertEqual(list(self.rows(h1_open)), ["H1"])
        self.assertEqual(len(self.rows(h1_open)["H1"]), 33)

    def test_staff_ignore_the_region_filter_and_never_see_other_provinces(self):
        self.client.force_login(self.staff_a)

        response = self.client.get(self.url, {"region": self.b.region.code})

        self.assertEqual([row.province for row in self.rows(response)["H1"]], [self.a])
        self.assertNotContains(response, 'name="region"')

    def test_queries_do_not_grow_with_the_provinces(self):
        provinces = list(Province.objects.active_on(D(YEAR, 6, 30)).order_by("code"))
        self.client.force_login(self.ministry)
        for count in (2, 20):
            ReportingPeriod.objects.all().delete()
            for province in provinces[:count]:
                ReportingPeriod.objects.create(
                    province=province,
                    year=YEAR,
                    period="H1",
                    status=ReportingPeriod.Status.APPROVED,
                    submitted_at=timezone.now(),
                    submitted_by=self.staff_a,
                    approved_at=timezone.now(),
                    approved_by=self.ministry,
                )
            # Expect 7 queries: session, user, the user's role (groups), every province with its
            # region (ProvinceMap), the reporting calendar (the due dates), the year's reports
            # with who submitted and approved them, the header's unread notifications.
            with self.assertNumQueries(7):
                response = self.client.get(self.url)
            approved = [row for row in self.rows(response)["H1"] if row.status == "approved"]
            self.assertEqual(len(approved), count)
            self.assertEqual({row.approved_by for row in approved}, {"Trần Thị Thu Hà"})


class CompletenessTests(WorkflowTestCase):
    url = reverse("programmes:completeness")

    def make_reports(self, count: int) -> None:
        provinces = list(Province.objects.active_on(D(YEAR, 6, 30)).order_by("code"))[:count]
        for number, province in enumerate(provinces):
            ReportingPeriod.objects.create(
                province=province,
                year=YEAR,
                period="H1",
                status=SENT[number % 2],
                # Sent on 10/07, 07/07 or 04/07 against a deadline of 05/07: two in three are late.
                submitted_at=timezone.now() - datetime.timedelta(days=number % 3 * 3),
                deadline=D(YEAR, 7, 5),
            )

    def test_the_numbers_are_the_selectors(self):
        self.make_reports(12)
        self.client.force_login(self.viewer)

        response = self.client.get(self.url, {"year": YEAR})

        self.assertEqual(response.status_code, 200)
        provinces = ProvinceMap.load()
        by_code = {group.code: group for group in response.context["groups"]}
        for region in provinces.regions():
            reporting = summary(year=YEAR, scope=Scope(region=region), provinces=provinces).reporting
            for figures in reporting:
                line = next(line for line in by_code[figures.period].lines if line.region == region)
                self.assertEqual(line.figures, figures)
                self.assertEqual([p for p, _url in line.missing], list(figures.missing_provinces))
        h1 = by_code["H1"].lines
        self.assertEqual(sum(line.figures.expected for line in h1), 34)
        self.assertEqual(sum(line.figures.submitted for line in h1), 12)
        self.assertEqual(sum(line.figures.approved for line in h1), 6)
        self.assertEqual(sum(line.figures.late for line in h1), 8)
        self.assertContains(response, f'href="{period_url(self.a)}"')  # Hồ Chí Minh City has not submitted

    def test_province_staff_get_403(self):
        for user in (self.staff_a, self.staff_b):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_queries_do_not_grow_with_the_data(self):
        self.client.force_login(self.ministry)
        for count in (2, 30):
            ReportingPeriod.objects.all().delete()
            self.make_reports(count)
            # Expect 9 queries: session, user, the user's role (groups), every province with its
            # region (ProvinceMap, shared), the reporting calendar (shared); then per region (3)
            # its reports of the year (selectors.reporting_completeness); the header's unread
            # notifications.
            with self.assertNumQueries(9):
                response = self.client.get(self.url)
            self.assertEqual(sum(line.figures.submitted for line in response.context["groups"][0].lines), count)


class PlanApprovalTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.draft = BudgetPlan.objects.create(
            province=cls.a, year=YEAR, funding_source=FundingSource.KCDP, planned_vnd=Decimal(900_000_000)
        )

    def plan_step(self, user, action: str, fund: str = FundingSource.KCDP, **data):
        """Post a step on a plan; approving and sending back are confirmed (their confirmation
        page is tests/programmes/test_safety_nets.py's)."""
        self.client.force_login(user)
        if action in ("plan_approve", "plan_return"):
            data.setdefault("confirm", "1")
        return self.client.post(plan_url(self.a), {"action": action, "fund": fund, **data})

    def plan(self) -> BudgetPlan:
        return BudgetPlan.objects.get(pk=self.draft.pk)

    def test_staff_submit_a_draft_plan_which_then_is_read_only_for_them(self):
        self.client.force_login(self.staff_a)
        page = self.client.get(plan_url(self.a))
        # The button belongs to the grid, so that the figures typed go with it.
        self.assertContains(page, 'name="submit_plan" value="KCDP"')

        response = self.plan_step(self.staff_a, "plan_submit")

        self.assertRedirects(response, plan_url(self.a), fetch_redirect_response=False)
        self.assertEqual(self.plan().status, ApprovalStatus.SUBMITTED)
        page = self.client.get(plan_url(self.a))
        self.assertContains(page, escape(workflow.plan_lock_reason(self.plan())))
        tag = re.search(r'<input [^>]*name="plan_KCDP"[^>]*>', page.content.decode()).group(0)
        self.assertIn("readonly", tag)
        self.assertNotContains(page, 'name="submit_plan" value="KCDP"')

    def test_the_grid_still_saves_around_a_locked_plan(self):
        self.plan_step(self.staff_a, "plan_submit")
        # Read-only inputs are sent as shown; the target is changed.
        grid = {"plan_KCQG": "3.000.000.000", "plan_KCDP": "900.000.000", "target_trained_workers": "450"}

        response = self.client.post(plan_url(self.a), grid)

        self.assertRedirects(response, plan_url(self.a), fetch_redirect_response=False)
        self.assertEqual((self.plan().status, self.plan().planned_vnd), (ApprovalStatus.SUBMITTED, 900_000_000))
        self.assertEqual(IndicatorTarget.objects.get(province=self.a, year=YEAR).target, 450)

    def test_the_ministry_approves_a_submitted_plan_under_its_decision(self):
        self.plan_step(self.staff_a, "plan_submit")

        refused = self.plan_step(self.ministry, "plan_approve", decision_number="", approved_on="2026-03-15")

        self.assertContains(refused, escape(gettext("Enter the number of the approval decision.")))
        self.assertEqual(self.plan().status, ApprovalStatus.SUBMITTED)

        response = self.plan_step(self.ministry, "plan_approve", decision_number="125/QĐ-BCT", approved_on="2026-03-15")

        self.assertRedirects(response, plan_url(self.a), fetch_redirect_response=False)
        plan = self.plan()
        self.assertEqual(
            (plan.status, plan.decision_number, plan.approved_on, plan.original_vnd),
            (ApprovalStatus.APPROVED, "125/QĐ-BCT", D(2026, 3, 15), Decimal(900_000_000)),
        )
        page = self.client.get(plan_url(self.a))
        self.assertContains(page, "125/QĐ-BCT")

    def test_the_ministry_sends_a_plan_back_with_a_reason_shown_to_the_province(self):
        self.plan_step(self.staff_a, "plan_submit")

        refused = self.plan_step(self.ministry, "plan_return", reason="")

        self.assertContains(refused, escape(gettext(REASON_REQUIRED)))
        self.assertEqual(self.plan().status, ApprovalStatus.SUBMITTED)

        self.plan_step(self.ministry, "plan_return", reason="Chưa khớp với dự toán được giao.")

        self.assertEqual((self.plan().status, self.plan().status_reason), ("draft", "Chưa khớp với dự toán được giao."))
        self.client.force_login(self.staff_a)
        self.assertContains(self.client.get(plan_url(self.a)), "Chưa khớp với dự toán được giao.")

    def test_an_approved_plan_can_be_sent_back_for_revision(self):
        self.plan_step(self.staff_a, "plan_submit")
        self.plan_step(self.ministry, "plan_approve", decision_number="7/QĐ", approved_on="2026-03-01")
        self.client.force_login(self.ministry)
        self.assertContains(self.client.get(plan_url(self.a)), escape(gettext("Reopen as a draft")))

        self.plan_step(self.ministry, "plan_return", reason="Điều chỉnh giữa năm.")

        self.assertEqual(self.plan().status, ApprovalStatus.DRAFT)
        self.assertEqual(self.plan().original_vnd, Decimal(900_000_000))

    def test_the_ministry_and_viewers_read_the_year_plan(self):
        for user in (self.ministry, self.viewer):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                page = self.client.get(plan_url(self.a))

                self.assertEqual(page.status_code, 200)
                self.assertFalse(page.context["editable"])
                self.assertNotContains(page, 'name="plan_')
                self.assertNotContains(page, 'name="target_')
                self.assertContains(page, "900.000.000")  # amounts as text
                self.assertContains(page, "400")  # the target
                response = self.client.post(plan_url(self.a), {"plan_KCDP": "1.000", "plan_KCQG": ""})
                self.assertEqual(response.status_code, 403)
        self.assertEqual(self.plan().planned_vnd, Decimal(900_000_000))

    def test_only_the_ministry_gets_the_approval_forms(self):
        self.plan_step(self.staff_a, "plan_submit")
        self.client.force_login(self.ministry)
        # The approved KCQG plan: reopen, revise; the submitted KCDP plan: approve, send back.
        self.assertEqual(
            action_buttons(self.client.get(plan_url(self.a))),
            ["plan_return", "plan_revise", "plan_approve", "plan_return"],
        )
        for user in (self.viewer, self.staff_a):
            self.client.force_login(user)
            self.assertNotIn("plan_approve", action_buttons(self.client.get(plan_url(self.a))))

    def test_steps_a_user_may_not_take_are_refused(self):
        cases = [
            (self.ministry, "plan_submit", {}),
            (self.viewer, "plan_submit", {}),
            (self.staff_a, "plan_approve", {"decision_number": "1", "approved_on": "2026-03-01"}),
            (self.staff_a, "plan_return", {"reason": "x"}),
            (self.viewer, "plan_return", {"reason": "x"}),
        ]
        for user, action, data in cases:
            with self.subTest(user=user.username, action=action):
                self.assertEqual(self.plan_step(user, action, **data).status_code, 403)
        self.client.force_login(self.staff_b)
        self.assertEqual(self.client.post(plan_url(self.a), {"action": "plan_submit", "fund": "KCDP"}).status_code, 403)
        self.assertEqual(self.plan().status, ApprovalStatus.DRAFT)

    def test_the_ministry_chooses_any_province_to_read(self):
        self.client.force_login(self.ministry)

        response = self.client.get(reverse("programmes:year-plan-choose"), {"year": YEAR, "province": self.b.pk})

        self.assertRedirects(response, plan_url(self.b))
