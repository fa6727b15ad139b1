"""Notifications of the workflow (services.notifications): each step tells who must act or who
asked, inside the step's transaction, by e-mail once it commits, never a user outside the
record's province; and the user's notification pages (list, open, mark read, e-mail choice).

Provinces: A is the new Thành phố Hồ Chí Minh (old Bình Dương, B0, was merged into it), B the
new Hà Nội. "Today" is 10/07/2026: the 6-month report of 2026 may be submitted.
"""

import datetime
import logging
from decimal import Decimal
from unittest import mock

import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from programmes import services
from programmes.models import ApprovalStatus, BudgetPlan, FundingSource, Notification, NotificationKind
from programmes.selectors.notifications import notification_text
from tests import factories

K = NotificationKind
YEAR = 2026
TODAY = datetime.datetime(2026, 7, 10, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def kinds_by_user(**filters) -> dict[str, list[str]]:
    """{username: [kind, …]} of the notifications stored."""
    found: dict[str, list[str]] = {}
    for username, kind in (
        Notification.objects.filter(**filters).order_by("pk").values_list("recipient__username", "kind")
    ):
        found.setdefault(username, []).append(kind)
    return found


@time_machine.travel(TODAY, tick=False)
@override_settings(PORTAL_URL="https://khuyencong.example.gov.vn")
class NotificationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.b = factories.province("01", new_era=True)
        cls.old_binh_duong = factories.province("74")
        cls.staff_a = factories.member("province_staff", cls.a, username="staff_a", email="a@example.vn")
        cls.staff_a2 = factories.member("province_staff", cls.a, username="staff_a2", email="a2@example.vn")
        cls.staff_b = factories.member("province_staff", cls.b, username="staff_b", email="b@example.vn")
        cls.staff_old = factories.member(
            "province_staff", cls.old_binh_duong, username="staff_old", email="old@example.vn"
        )
        cls.ministry = factories.member(
            "ministry", username="ministry", email="bo@example.vn", first_name="Thu Hà", last_name="Trần Thị"
        )
        cls.ministry2 = factories.member("ministry", username="ministry2", email="bo2@example.vn")
        cls.viewer = factories.member("viewer", username="viewer", email="v@example.vn")
        cls.admin = factories.member("admin", username="admin_role", email="admin@example.vn")
        cls.plan = BudgetPlan.objects.create(
            province=cls.a, year=YEAR, funding_source=FundingSource.KCQG, planned_vnd=Decimal(3_000_000_000)
        )


class ReportNotificationTests(NotificationTestCase):
    def submit(self):
        with self.captureOnCommitCallbacks(execute=True):
            return services.period_submit(province=self.a, year=YEAR, period="H1", user=self.staff_a)

    def test_a_submitted_report_tells_every_ministry_official_and_nobody_else(self):
        self.submit()

        self.assertEqual(kinds_by_user(), {"ministry": [K.REPORT_SUBMITTED], "ministry2": [K.REPORT_SUBMITTED]})
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), ["bo2@example.vn", "bo@example.vn"])
        message = mail.outbox[0]
        period_url = reverse("programmes:period", kwargs={"province_id": self.a.pk, "year": YEAR, "period": "H1"})
        self.assertEqual(message.subject, f"Báo cáo 6 tháng {YEAR} của {self.a.name} chờ bạn phê duyệt")
        self.assertIn(f"https://khuyencong.example.gov.vn{period_url}", message.body)
        self.assertTrue(Notification.objects.filter(emailed_at__isnull=False).count() == 2)

    def test_approving_tells_the_province_staff_and_the_submitter_not_another_province(self):
        report = self.submit()
        mail.outbox.clear()

        with self.captureOnCommitCallbacks(execute=True):
            services.period_approve(period=report, user=self.ministry)

        approved = kinds_by_user(kind=K.REPORT_APPROVED)
        # Staff of A (the submitter among them); not B's, not the official who approved, and not
        # the old Bình Dương's staff, whose territory does not hold the new city's records.
        self.assertEqual(approved, {"staff_a": [K.REPORT_APPROVED], "staff_a2": [K.REPORT_APPROVED]})
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), ["a2@example.vn", "a@example.vn"])

    def test_sending_back_tells_the_submitter_with_the_reason_although_the_report_forgets_them(self):
        report = self.submit()
        self.staff_a2.groups.clear()  # only the submitter is left among A's staff

        services.period_return(period=report, user=self.ministry, reason="Thiếu số liệu giải ngân quý II")

        returned = Notification.objects.get(kind=K.REPORT_RETURNED)
        self.assertEqual(returned.recipient, self.staff_a)
        title, body = notification_text(returned)
        self.assertEqual(title, f"Báo cáo 6 tháng {YEAR} của {self.a.name} bị trả lại")
        self.assertIn("Thiếu số liệu giải ngân quý II", body)
        self.assertIn("Trần Thị Thu Hà", body)

    def test_reopening_tells_the_staff(self):
        report = self.submit()
        services.period_approve(period=report, user=self.ministry)

        services.period_reopen(period=report, user=self.ministry, reason="Sửa số liệu đầu ra")

        self.assertEqual(set(kinds_by_user(kind=K.REPORT_REOPENED)), {"staff_a", "staff_a2"})

    def test_a_report_of_a_merged_province_tells_its_successors_staff_too(self):
        with time_machine.travel(datetime.date(2025, 7, 10), tick=False):
            report = services.period_submit(province=self.old_binh_duong, year=2025, period="H1", user=self.staff_old)
            services.period_approve(period=report, user=self.ministry)

        # The new city's staff read the old province's records (their territory), so they hear.
        self.assertEqual(set(kinds_by_user(kind=K.REPORT_APPROVED)), {"staff_old", "staff_a", "staff_a2"})

    def test_nothing_is_told_when_the_step_is_rolled_back(self):
        with self.assertRaises(RuntimeError), self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            services.period_submit(province=self.a, year=YEAR, period="H1", user=self.staff_a)
            raise RuntimeError("the caller fails after the step")

        self.assertFalse(Notification.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_a_refused_step_tells_nobody(self):
        with self.assertRaises(ValidationError):
            services.period_submit(province=self.a, year=YEAR, period="9M", user=self.staff_a)
        self.assertFalse(Notification.objects.exists())

    def test_a_mail_server_that_fails_is_logged_and_the_step_stands(self):
        with (
            mock.patch(
                "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("connection refused")
            ),
            self.assertLogs("programmes.services.notifications", logging.ERROR) as logs,
        ):
            report = self.submit()

        self.assertEqual(report.status, "submitted")
        self.assertEqual(Notification.objects.count(), 2)
        self.assertFalse(Notification.objects.filter(emailed_at__isnull=False).exists())
        self.assertIn("could not be e-mailed", logs.output[0])

    def test_a_user_who_turned_email_off_is_told_in_the_portal_only(self):
        services.set_email_enabled(user=self.ministry2, enabled=False)

        self.submit()

        self.assertEqual(set(kinds_by_user()), {"ministry", "ministry2"})
        self.assertEqual([message.to for message in mail.outbox], [["bo@example.vn"]])


class PlanNotificationTests(NotificationTestCase):
    def test_submit_approve_and_return_tell_the_right_people(self):
        services.plan_submit(plan=self.plan, user=self.staff_a)
        self.assertEqual(kinds_by_user(), {"ministry": [K.PLAN_SUBMITTED], "ministry2": [K.PLAN_SUBMITTED]})

        services.plan_approve(plan=self.plan, user=self.ministry, decision_number="12/QĐ-BCT", approved_on=TODAY.date())
        self.assertEqual(set(kinds_by_user(kind=K.PLAN_APPROVED)), {"staff_a", "staff_a2"})
        approved = Notification.objects.filter(kind=K.PLAN_APPROVED).first()
        self.assertIn("12/QĐ-BCT", notification_text(approved)[1])

        # Returning an approved plan reopens it (services.plan_reopen): the staff hear of a reopening.
        services.plan_return(plan=self.plan, user=self.ministry, reason="Điều chỉnh theo dự toán")
        self.assertEqual(set(kinds_by_user(kind=K.PLAN_REOPENED)), {"staff_a", "staff_a2"})
        self.assertFalse(Notification.objects.filter(recipient__in=[self.staff_b, self.viewer, self.admin]).exists())

    def test_an_administrator_who_submitted_for_the_province_hears_of_the_decision(self):
        services.plan_submit(plan=self.plan, user=self.admin)

        services.plan_return(plan=self.plan, user=self.ministry, reason="Thiếu thuyết minh")

        self.assertEqual(set(kinds_by_user(kind=K.PLAN_RETURNED)), {"staff_a", "staff_a2", "admin_role"})

    def test_a_revised_plan_tells_the_staff_and_the_submitter(self):
        services.plan_submit(plan=self.plan, user=self.staff_a)
        services.plan_approve(plan=self.plan, user=self.ministry, decision_number="12/QĐ-BCT", approved_on=TODAY.date())
        self.plan.refresh_from_db()

        services.budget_plan_revise(
            plan=self.plan,
            planned_vnd=self.plan.planned_vnd + 100_000_000,
            decision_number="34/QĐ-BCT",
            decided_on=TODAY.date(),
            reason="Bổ sung kinh phí",
            user=self.ministry,
        )

        revised = Notification.objects.filter(kind=K.PLAN_REVISED)
        self.assertEqual({row.recipient.username for row in revised}, {"staff_a", "staff_a2"})
        self.assertIn("Bổ sung kinh phí", notification_text(revised[0])[1])

    def test_a_reopened_plan_tells_the_staff_and_the_submitter_not_another_province(self):
        services.plan_submit(plan=self.plan, user=self.staff_a)
        services.plan_approve(plan=self.plan, user=self.ministry, decision_number="12/QĐ-BCT", approved_on=TODAY.date())
        self.plan.refresh_from_db()

        services.plan_reopen(plan=self.plan, user=self.ministry, reason="Sai số liệu dòng KCQG")

        reopened = Notification.objects.filter(kind=K.PLAN_REOPENED)
        self.assertEqual({row.recipient.username for row in reopened}, {"staff_a", "staff_a2"})
        self.assertFalse(Notification.objects.filter(kind=K.PLAN_REOPENED, recipient=self.staff_b).exists())
        title, body = notification_text(reopened[0])
        self.assertIn("mở lại", title)
        self.assertIn("Sai số liệu dòng KCQG", body)

    def test_the_text_follows_the_readers_language(self):
        services.plan_submit(plan=self.plan, user=self.staff_a)
        notification = Notification.objects.filter(recipient=self.ministry).get()

        with translation.override("en"):
            title, _body = notification_text(notification)

        self.assertEqual(title, f"The KCQG plan {YEAR} of {self.a.name} awaits your approval")
        self.assertEqual(self.plan.status, ApprovalStatus.DRAFT)  # the caller's copy: the service re-reads


class NotificationPageTests(NotificationTestCase):
    def setUp(self):
        services.plan_submit(plan=self.plan, user=self.staff_a)
        self.mine = Notification.objects.get(recipient=self.ministry)
        self.theirs = Notification.objects.get(recipient=self.ministry2)

    def test_the_header_counts_the_unread_and_the_list_shows_them(self):
        self.client.force_login(self.ministry)

        # Expect 6 queries: session, user, the notifications (list), the e-mail choice, the
        # header's unread count, the menu's import link (access.may_import: the user's role).
        with self.assertNumQueries(6):
            response = self.client.get(reverse("programmes:notifications"))

        self.assertContains(response, '<span class="badge">1<span class="visually-hidden"> chưa đọc</span></span>')
        self.assertContains(response, f"Kế hoạch KCQG {YEAR} của {self.a.name} chờ bạn phê duyệt")
        self.assertEqual(response.context["unread"], 1)

    def test_the_list_costs_the_same_for_many_notifications(self):
        for _ in range(30):
            services.notify_plan_event(plan=self.plan, event="submitted", actor=self.staff_a)
        self.client.force_login(self.ministry)
        with self.assertNumQueries(6):  # as above, whatever the number of notifications
            response = self.client.get(reverse("programmes:notifications"))
        self.assertEqual(len(response.context["lines"]), 31)

    def test_opening_a_notification_marks_it_read_and_goes_to_the_record(self):
        self.client.force_login(self.ministry)

        response = self.client.get(reverse("programmes:notification-open", args=[self.mine.pk]))

        self.assertRedirects(response, self.mine.url, fetch_redirect_response=False)
        self.mine.refresh_from_db()
        self.assertIsNotNone(self.mine.read_at)
        page = self.client.get(reverse("programmes:notifications"))
        self.assertNotContains(page, 'class="badge"')

    def test_another_users_notification_is_not_found_and_stays_unread(self):
        self.client.force_login(self.ministry)

        response = self.client.get(reverse("programmes:notification-open", args=[self.theirs.pk]))

        self.assertEqual(response.status_code, 404)
        self.theirs.refresh_from_db()
        self.assertIsNone(self.theirs.read_at)

    def test_mark_all_read(self):
        self.client.force_login(self.ministry)

        response = self.client.post(reverse("programmes:notifications-read"))

        self.assertRedirects(response, reverse("programmes:notifications"), fetch_redirect_response=False)
        self.assertFalse(Notification.objects.filter(recipient=self.ministry, read_at__isnull=True).exists())
        self.assertTrue(Notification.objects.filter(recipient=self.ministry2, read_at__isnull=True).exists())

    def test_a_user_turns_email_off_and_on(self):
        self.client.force_login(self.ministry)

        self.client.post(reverse("programmes:notification-settings"), {})
        page = self.client.get(reverse("programmes:notifications"))
        self.assertFalse(page.context["email_enabled"])

        self.client.post(reverse("programmes:notification-settings"), {"email_enabled": "1"})
        page = self.client.get(reverse("programmes:notifications"))
        self.assertTrue(page.context["email_enabled"])

    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        response = self.client.get(reverse("programmes:notifications"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
