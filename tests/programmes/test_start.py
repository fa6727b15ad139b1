"""The start pages ("Việc cần làm", views.home over selectors.start): each role's lists, their
links to where the work is done, and their query counts, pinned and the same for more data.

"Today" is 03/12/2026 (the demo world's day). Provinces: A is the new Thành phố Hồ Chí Minh
(the old Bình Dương, O, was merged into it on 01/07/2025), B the new Hà Nội.
"""

import datetime
from decimal import Decimal

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import ApprovalStatus, BudgetPlan, Deadline, FundingSource, ProjectStatus, ReportingPeriod
from programmes.selectors import start
from programmes.selectors.calendar import ReportingCalendar
from tests import factories

D = datetime.date
TODAY = datetime.datetime(2026, 12, 3, 8, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def at(day: D, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@time_machine.travel(TODAY, tick=False)
class StartTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.b = factories.province("01", new_era=True)
        cls.old = factories.province("74")
        cls.staff_a = factories.member("province_staff", cls.a, username="staff_a")
        cls.staff_b = factories.member("province_staff", cls.b, username="staff_b")
        cls.staff_old = factories.member("province_staff", cls.old, username="binhduong")
        cls.ministry = factories.member("ministry", username="ministry", first_name="Thu Hà", last_name="Trần Thị")
        cls.viewer = factories.member("viewer", username="viewer")
        cls.admin = factories.member("admin", username="admin_role")
        cls.no_role = factories.user("no_role")
        cls.homeless = factories.member("province_staff", username="homeless")

    def make_work(self):
        """A plan waiting (A, 2027 KCQG), a plan sent back (B, 2026 KCĐP), a 6-month report
        waiting (A), a 9-month report of A sent late and B's not sent."""
        with time_machine.travel(at(D(2026, 11, 20)), tick=False):
            self.waiting_plan = BudgetPlan.objects.create(
                province=self.a, year=2027, funding_source=FundingSource.KCQG, planned_vnd=Decimal(9_000_000_000)
            )
            services.plan_submit(plan=self.waiting_plan, user=self.staff_a)
        self.returned_plan = BudgetPlan.objects.create(
            province=self.b, year=2026, funding_source=FundingSource.KCDP, planned_vnd=Decimal(1_000_000_000)
        )
        services.plan_submit(plan=self.returned_plan, user=self.staff_b)
        services.plan_return(plan=self.returned_plan, user=self.ministry, reason="Thiếu thuyết minh dự toán")
        with time_machine.travel(at(D(2026, 7, 10)), tick=False):
            self.h1 = services.period_submit(province=self.a, year=2026, period="H1", user=self.staff_a)
        with time_machine.travel(at(D(2026, 10, 20)), tick=False):
            services.period_submit(province=self.a, year=2026, period="9M", user=self.staff_a)


class MinistryStartTests(StartTestCase):
    def test_what_waits_oldest_first_with_how_long(self):
        self.make_work()
        self.client.force_login(self.ministry)

        response = self.client.get(reverse("home"))

        waiting = response.context["waiting"]
        self.assertEqual(
            [(item.kind, item.title, item.province, item.waited_days) for item in waiting],
            [
                ("report", "Báo cáo 6 tháng 2026", self.a, 146),
                ("report", "Báo cáo 9 tháng 2026", self.a, 44),
                ("plan", "Kế hoạch KCQG 2027", self.a, 13),
            ],
        )
        period_url = reverse("programmes:period", kwargs={"province_id": self.a.pk, "year": 2026, "period": "H1"})
        self.assertContains(response, f'<a href="{period_url}">Báo cáo 6 tháng 2026</a>', html=True)
        self.assertContains(response, "146 ngày")

    def test_the_current_period_names_the_provinces_overdue_and_late(self):
        self.make_work()
        self.client.force_login(self.ministry)

        watch = self.client.get(reverse("home")).context["watch"]

        self.assertEqual((watch.year, watch.period, watch.due), (2026, "9M", D(2026, 10, 15)))
        self.assertEqual((watch.expected, watch.sent), (34, 1))
        self.assertEqual([line.province for line in watch.late], [self.a])
        self.assertIn(self.b, [line.province for line in watch.overdue])
        self.assertEqual(len(watch.overdue), 33)

    def test_what_was_sent_back_with_its_reason_and_the_dashboards(self):
        self.make_work()
        self.client.force_login(self.ministry)

        response = self.client.get(reverse("home"))

        [item] = response.context["sent_back"]
        self.assertEqual(
            (item.title, item.province, item.reason), ("Kế hoạch KCĐP 2026", self.b, "Thiếu thuyết minh dự toán")
        )
        self.assertContains(response, f'href="{reverse("reports:national")}?year=2026"')
        self.assertContains(response, f'href="{reverse("programmes:completeness")}?year=2026"')
        self.assertNotContains(response, "chưa nhập được dữ liệu")

    def test_the_page_costs_the_same_for_more_work(self):
        self.client.force_login(self.ministry)
        for rounds in (0, 1):
            if rounds:
                self.make_work()
                for province in (self.b, factories.province("48", new_era=True)):
                    plan = BudgetPlan.objects.create(
                        province=province, year=2027, funding_source=FundingSource.KCQG, planned_vnd=Decimal(1)
                    )
                    services.plan_submit(plan=plan, user=self.admin)
            # Expect 13 queries: session, user, role (groups), the reporting calendar, every
            # province (ProvinceMap), the submitted plans, the submitted reports, the current
            # period's reports, the plans sent back, the reports sent back, the years table's
            # plans by year and provinces' eras, the header's unread notifications.
            with self.assertNumQueries(13):
                response = self.client.get(reverse("home"))
            self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["waiting"]), 4 + 1)


class StaffStartTests(StartTestCase):
    def make_projects(self):
        calendar_year = 2026
        self.not_contracted = factories.project(self.a, calendar_year, status=ProjectStatus.APPROVED)
        self.not_settled = factories.project(
            self.a, calendar_year, status=ProjectStatus.ACCEPTED, status_date=D(2026, 11, 2)
        )
        self.quiet = factories.project(
            self.a, calendar_year, status=ProjectStatus.IN_PROGRESS, status_date=D(2026, 9, 1)
        )
        self.busy = factories.project(
            self.a, calendar_year, status=ProjectStatus.IN_PROGRESS, status_date=D(2026, 11, 1)
        )
        self.elsewhere = factories.project(self.b, calendar_year, status=ProjectStatus.APPROVED)

    def test_the_provinces_year_at_a_glance(self):
        self.make_work()
        self.client.force_login(self.staff_a)

        response = self.client.get(reverse("home"))

        year = response.context["province_year"]
        self.assertEqual((year.province, year.year), (self.a, 2026))
        self.assertEqual([(line.label, line.status) for line in year.funds], [("KCQG", "none"), ("KCĐP", "none")])
        self.assertEqual(
            [(line.period, line.status, line.due, line.lateness) for line in year.reports],
            [
                ("H1", "submitted", D(2026, 7, 15), ""),
                ("9M", "submitted", D(2026, 10, 15), "late"),
                ("FY", "none", D(2027, 1, 15), ""),
            ],
        )
        self.assertEqual(response.context["sent_back"], [])  # B's plan was sent back, not A's
        self.assertNotContains(response, "Thiếu thuyết minh dự toán")
        self.assertContains(
            response, reverse("programmes:year-plan-edit", kwargs={"province_id": self.a.pk, "year": 2026})
        )

    def test_a_plan_sent_back_is_on_the_start_page_with_its_reason(self):
        self.make_work()
        self.client.force_login(self.staff_b)

        response = self.client.get(reverse("home"))

        [line] = response.context["sent_back"]
        self.assertEqual((line.title, line.reason), ("Kế hoạch KCĐP 2026", "Thiếu thuyết minh dự toán"))
        self.assertContains(response, "Thiếu thuyết minh dự toán")
        self.assertContains(response, f'href="{line.url}"')

    def test_next_years_plan_sent_back_is_there_too(self):
        plan = BudgetPlan.objects.create(
            province=self.a, year=2027, funding_source=FundingSource.KCQG, planned_vnd=Decimal(5)
        )
        services.plan_submit(plan=plan, user=self.staff_a)
        services.plan_return(plan=plan, user=self.ministry, reason="Vượt mức hướng dẫn")
        self.client.force_login(self.staff_a)

        [line] = self.client.get(reverse("home")).context["sent_back"]

        self.assertEqual((line.title, line.reason), ("Kế hoạch KCQG 2027", "Vượt mức hướng dẫn"))

    def test_the_projects_that_need_the_staff_and_only_theirs(self):
        self.make_projects()
        self.client.force_login(self.staff_a)

        tasks = self.client.get(reverse("home")).context["tasks"]

        self.assertEqual([task.project for task in tasks.not_contracted], [self.not_contracted])
        self.assertEqual((tasks.not_contracted[0].deadline, tasks.not_contracted[0].overdue), (D(2026, 6, 30), True))
        self.assertEqual([task.project for task in tasks.not_settled], [self.not_settled])
        self.assertEqual((tasks.not_settled[0].deadline, tasks.not_settled[0].overdue), (D(2027, 1, 22), False))
        # In progress since 01/09/2026: 93 days without a step, payment or output.
        self.assertEqual([task.project for task in tasks.no_progress], [self.quiet])
        self.assertEqual(tasks.no_progress[0].last_activity, D(2026, 9, 1))

    def test_a_payment_counts_as_progress(self):
        self.make_projects()
        services.disbursement_create(project=self.quiet, date=D(2026, 11, 5), amount_vnd=Decimal(1_000_000))

        tasks = start.projects_needing(frozenset({self.a.pk}), today=TODAY.date(), calendar=ReportingCalendar.load())

        self.assertEqual(tasks.no_progress, [])

    def test_the_users_latest_changes(self):
        self.make_work()
        self.client.force_login(self.staff_a)

        changes = self.client.get(reverse("home")).context["changes"]

        self.assertEqual(
            [(change.action, change.what) for change in changes],
            [("Đã sửa", "Kế hoạch KCQG 2027"), ("Đã tạo", "Báo cáo 9 tháng 2026"), ("Đã tạo", "Báo cáo 6 tháng 2026")],
        )
        self.assertTrue(all(change.url.startswith(reverse("reports:audit")) for change in changes))

    def test_edits_of_one_record_in_a_row_are_one_change(self):
        plan = BudgetPlan.objects.create(
            province=self.a, year=2027, funding_source=FundingSource.KCDP, planned_vnd=Decimal(900_000_000)
        )
        for amount in (1_000_000_000, 1_100_000_000, 1_200_000_000):
            plan.planned_vnd = Decimal(amount)
            services.budget_plan_save(plan=plan, user=self.staff_a)

        changes = start.latest_changes(self.staff_a)

        self.assertEqual([(change.action, change.what) for change in changes], [("Đã sửa", "Kế hoạch KCĐP 2027")])

    def test_the_page_costs_the_same_for_more_projects_and_changes(self):
        self.client.force_login(self.staff_a)
        for rounds in (0, 1):
            if rounds:
                self.make_work()
                self.make_projects()
                self.make_projects()
            # Expect 17 queries: session, user, role (groups), the reporting calendar, the
            # user's province and territory, the province's plans of the year, its reports of
            # the year, the plans and the reports sent back, the projects that need them (one
            # query, a subquery per relation), the user's latest changes (one per history
            # table: plans, targets, projects, money, outputs, reports), the header's unread
            # notifications.
            with self.assertNumQueries(17):
                response = self.client.get(reverse("home"))
            self.assertEqual(response.status_code, 200)

    def test_an_account_of_a_merged_province_is_told_its_successor(self):
        self.client.force_login(self.staff_old)

        response = self.client.get(reverse("home"))

        self.assertEqual(response.context["successor"], self.a)
        self.assertEqual(response.context["year"], 2025)
        self.assertContains(response, "Bình Dương đã nhập vào Thành phố Hồ Chí Minh từ ngày 01/07/2025")
        self.assertContains(response, "chuyển tài khoản sang Thành phố Hồ Chí Minh")
        plan_url = reverse("programmes:year-plan-edit", kwargs={"province_id": self.old.pk, "year": 2025})
        self.assertContains(response, f'href="{plan_url}"')

    def test_staff_without_a_province_are_told_to_ask_for_one(self):
        self.client.force_login(self.homeless)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "chưa được gắn với tỉnh/thành phố nào")


class ViewerAndAdminStartTests(StartTestCase):
    def test_the_viewer_gets_the_dashboards_and_the_latest_approved_reports(self):
        self.make_work()
        services.period_approve(period=self.h1, user=self.ministry)
        self.client.force_login(self.viewer)

        # Expect 7 queries: session, user, role (groups), the reporting calendar, every
        # province (the dashboards' regions), the approved reports (with province and
        # approver), the header's unread notifications.
        with self.assertNumQueries(7):
            response = self.client.get(reverse("home"))

        [report] = response.context["approved_reports"]
        self.assertEqual(
            (report.title, report.province, report.approved_by), ("Báo cáo 6 tháng 2026", self.a, "Trần Thị Thu Hà")
        )
        self.assertContains(response, f'href="{reverse("reports:national")}?year=2026"')
        self.assertNotContains(response, "chưa nhập được dữ liệu")

    def test_the_administrator_sees_the_accounts_that_cannot_work_then_the_ministrys_lists(self):
        self.make_work()
        self.client.force_login(self.admin)

        # Expect 14 queries: the ministry's 13 and the accounts that cannot work.
        with self.assertNumQueries(14):
            response = self.client.get(reverse("home"))

        issues = {issue.user.username: issue.problem for issue in response.context["account_issues"]}
        self.assertEqual(set(issues), {"no_role", "homeless", "binhduong"})
        self.assertIn("Thành phố Hồ Chí Minh", issues["binhduong"])
        self.assertEqual(len(response.context["waiting"]), 3)
        self.assertContains(response, reverse("admin:auth_user_change", args=[self.no_role.pk]))

    def test_a_user_without_a_role_is_told_to_ask_for_one(self):
        self.client.force_login(self.no_role)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Tài khoản của bạn chưa có vai trò trên cổng")


class CalendarPageTests(StartTestCase):
    def test_the_years_deadlines_by_date_with_their_pages(self):
        self.client.force_login(self.staff_a)

        # Expect 8 queries: session, user, role (groups), the calendar, the user's and their
        # groups' permissions (may they change the deadlines?), the header's unread count, the
        # menu's import link (access.may_import: the provinces the user enters).
        with self.assertNumQueries(8):
            response = self.client.get(reverse("programmes:calendar"), {"year": 2026})

        lines = response.context["lines"]
        self.assertEqual(
            [(line.entry.code, line.entry.day) for line in lines],
            [
                ("report_fy", D(2026, 1, 15)),
                ("settlement", D(2026, 1, 22)),
                ("report_q1", D(2026, 4, 15)),
                ("proposals", D(2026, 5, 20)),
                ("appraisals", D(2026, 6, 15)),
                ("contracts", D(2026, 6, 30)),
                ("report_h1", D(2026, 7, 15)),
                ("report_9m", D(2026, 10, 15)),
            ],
        )
        self.assertContains(response, f"{reverse('programmes:periods')}?year=2026&amp;period=9M")
        self.assertNotContains(response, reverse("admin:programmes_deadline_changelist"))

    def test_the_administrator_may_change_the_deadlines_and_the_pages_follow(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("programmes:calendar"))
        self.assertContains(response, reverse("admin:programmes_deadline_changelist"))

        deadline = Deadline.objects.get(code="report_9m")
        page = self.client.post(
            reverse("admin:programmes_deadline_change", args=[deadline.pk]),
            {"day": "20", "month": "10", "remind_days": "5", "note": "Công văn 123/BCT-CTĐP"},
        )
        self.assertEqual(page.status_code, 302)
        self.client.force_login(self.staff_a)
        year = self.client.get(reverse("home")).context["province_year"]
        self.assertEqual([line.due for line in year.reports if line.period == "9M"], [D(2026, 10, 20)])

    def test_anonymous_visitors_log_in_first(self):
        response = self.client.get(reverse("programmes:calendar"))
        self.assertEqual(response.status_code, 302)


def test_the_waiting_plan_is_dated_at_its_submission(db):
    province = factories.province("79", new_era=True)
    staff = factories.member("province_staff", province)
    plan = BudgetPlan.objects.create(province=province, year=2027, funding_source="KCQG", planned_vnd=Decimal(1))
    with time_machine.travel(at(D(2026, 11, 1)), tick=False):
        services.plan_submit(plan=plan, user=staff)
    [item] = start.waiting_for_approval(D(2026, 12, 3))
    assert timezone.localdate(item.since) == D(2026, 11, 1)
    assert item.waited_days == 32
    assert BudgetPlan.objects.get().status == ApprovalStatus.SUBMITTED
    assert ReportingPeriod.objects.count() == 0


class PlanChooserStatusTests(StartTestCase):
    def test_the_ministry_sees_each_provinces_plans_with_the_waiting_first(self):
        self.make_work()
        self.client.force_login(self.ministry)

        # Expect 9 queries: session, user, role (groups), the user's and their groups'
        # permissions (may they enter plans?), the provinces of the chooser, the provinces
        # in force in the year, the year's plans, the header's unread notifications.
        with self.assertNumQueries(9):
            response = self.client.get(reverse("programmes:year-plan-choose"), {"year": 2027})

        rows = response.context["statuses"]
        self.assertEqual(len(rows), 34)
        self.assertEqual((rows[0].province, rows[0].waiting), (self.a, True))
        self.assertEqual(rows[0].statuses, [("KCQG", "submitted", "Đã trình"), ("KCĐP", "none", "Chưa nhập")])
        self.assertContains(response, f'<a href="{rows[0].url}">{self.a.name}</a>', html=True)

    def test_the_list_costs_the_same_for_more_plans(self):
        self.client.force_login(self.ministry)
        for rounds in (0, 1):
            if rounds:
                for code in ("01", "48", "79"):
                    factories.budget_plan(factories.province(code, new_era=True), 2027, 1_000_000)
            with self.assertNumQueries(9):
                self.client.get(reverse("programmes:year-plan-choose"), {"year": 2027})

    def test_staff_get_no_status_list(self):
        self.client.force_login(self.staff_a)
        response = self.client.get(reverse("programmes:year-plan-choose"))
        self.assertEqual(response.context["statuses"], [])
