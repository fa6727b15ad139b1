"""The deadline reminders (`manage.py send_reminders`, services.reminders): a report due within
7 days, a report overdue, a settlement due by 22/01; each sent once per item and person however
often the command runs, to the province's own staff (and its successor's), never to another
province; the reporting calendar's dates, as the administrator changes them, decide.
"""

import datetime
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from programmes import services
from programmes.models import Deadline, Notification, NotificationKind, ProjectStatus, ReportingPeriod
from programmes.selectors.calendar import ReportingCalendar
from programmes.selectors.reminders import due_reminders
from programmes.services.reminders import send_reminders
from tests import factories

K = NotificationKind
D = datetime.date


def reminded(**filters) -> set[tuple[str, str]]:
    """(username, key) of the reminders stored."""
    return set(Notification.objects.filter(**filters).exclude(key="").values_list("recipient__username", "key"))


def send_every_report_before_the_9_months_of_2026(*provinces):
    """The reports of `provinces` (and of the provinces merged into them) due before the 9 months
    of 2026 are approved, so that only the 9 months' reports are reminded."""
    for province in provinces:
        for year, period in ((2025, "9M"), (2025, "FY"), (2026, "H1")):
            ReportingPeriod.objects.create(province=province, year=year, period=period, status="approved")
        for predecessor in province.predecessors.all():
            ReportingPeriod.objects.create(province=predecessor, year=2025, period="H1", status="approved")


class ReminderTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)  # the new Thành phố Hồ Chí Minh
        cls.b = factories.province("01", new_era=True)  # the new Hà Nội
        cls.old = factories.province("74")  # Bình Dương, merged into A on 01/07/2025
        cls.staff_a = factories.member("province_staff", cls.a, username="staff_a", email="a@example.vn")
        cls.staff_b = factories.member("province_staff", cls.b, username="staff_b", email="b@example.vn")
        cls.staff_old = factories.member("province_staff", cls.old, username="staff_old", email="o@example.vn")
        cls.ministry = factories.member("ministry", username="ministry", email="bo@example.vn")

    def run_on(self, day: D):
        moment = datetime.datetime.combine(day, datetime.time(6, 0))
        with time_machine.travel(moment, tick=False), self.captureOnCommitCallbacks(execute=True):
            return send_reminders(today=day)


class ReportReminderTests(ReminderTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        send_every_report_before_the_9_months_of_2026(cls.a, cls.b)

    def key(self, kind, province, year=2026, period="9M"):
        return f"{kind}:{province.pk}:{year}:{period}"

    def test_a_report_due_in_7_days_is_reminded_once_to_its_own_staff_only(self):
        # The 9-month report of 2026 is due on 15/10/2026 (the calendar's default).
        run = self.run_on(D(2026, 10, 8))

        self.assertIn(("staff_a", self.key(K.REPORT_DUE, self.a)), reminded())
        self.assertIn(("staff_b", self.key(K.REPORT_DUE, self.b)), reminded())
        self.assertNotIn(("staff_b", self.key(K.REPORT_DUE, self.a)), reminded())
        self.assertFalse(reminded(recipient=self.ministry))
        # The old Bình Dương does not report the 9 months (it ended on 30/06/2025).
        self.assertFalse(reminded(recipient=self.staff_old))
        self.assertEqual(run.created, {K.REPORT_DUE: 2})
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), ["a@example.vn", "b@example.vn"])

        again = self.run_on(D(2026, 10, 8))
        next_day = self.run_on(D(2026, 10, 9))

        self.assertEqual((again.total, next_day.total), (0, 0))
        self.assertEqual(Notification.objects.filter(kind=K.REPORT_DUE).count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_eight_days_before_nothing_is_due(self):
        self.assertEqual(self.run_on(D(2026, 10, 7)).total, 0)

    def test_a_submitted_report_is_not_reminded(self):
        with time_machine.travel(D(2026, 10, 2), tick=False):
            services.period_submit(province=self.a, year=2026, period="9M", user=self.staff_a)

        self.run_on(D(2026, 10, 8))

        self.assertFalse(reminded(recipient=self.staff_a))
        self.assertTrue(reminded(recipient=self.staff_b))

    def test_an_overdue_report_is_reminded_once(self):
        ReportingPeriod.objects.create(province=self.b, year=2026, period="9M", status="approved")

        run = self.run_on(D(2026, 10, 16))

        self.assertEqual(
            reminded(kind=K.REPORT_OVERDUE, key__endswith=":2026:9M"),
            {
                ("staff_a", self.key(K.REPORT_OVERDUE, self.a)),
            },
        )
        self.assertGreater(run.created[K.REPORT_OVERDUE], 0)
        self.assertEqual(self.run_on(D(2026, 10, 17)).total, 0)

    def test_the_administrators_calendar_moves_the_reminder(self):
        Deadline.objects.filter(code="report_9m").update(day=25, remind_days=3)

        self.assertEqual(self.run_on(D(2026, 10, 8)).total, 0)  # the 8th was 7 days before the 15th
        run = self.run_on(D(2026, 10, 22))

        self.assertEqual(run.created, {K.REPORT_DUE: 2})
        notification = Notification.objects.get(recipient=self.staff_a)
        self.assertEqual(notification.params["due"], "2026-10-25")

    def test_a_report_of_a_merged_province_reminds_its_successors_staff_too(self):
        ReportingPeriod.objects.filter(province=self.old, year=2025, period="H1").delete()
        items = [item for item in due_reminders(D(2025, 7, 10)) if item.province_id == self.old.pk]
        # H1 2025, due 15/07/2025; and the 2024 reports, never sent in this test's database.
        self.assertEqual(
            [(item.kind, item.key.split(":", 2)[2]) for item in items],
            [
                (K.REPORT_OVERDUE, "2024:H1"),
                (K.REPORT_OVERDUE, "2024:9M"),
                (K.REPORT_OVERDUE, "2024:FY"),
                (K.REPORT_DUE, "2025:H1"),
            ],
        )

        self.run_on(D(2025, 7, 10))

        key = self.key(K.REPORT_DUE, self.old, 2025, "H1")
        self.assertEqual({user for user, item_key in reminded() if item_key == key}, {"staff_old", "staff_a"})


class SettlementReminderTests(ReminderTestCase):
    def test_an_accepted_project_is_reminded_before_22_january(self):
        project = factories.project(self.a, 2026, status=ProjectStatus.ACCEPTED, status_date=D(2026, 11, 2))
        factories.project(self.b, 2026, status=ProjectStatus.SETTLED, status_date=D(2026, 12, 1))

        self.assertEqual(self.run_on(D(2027, 1, 14)).created.get(K.SETTLEMENT_DUE), None)
        run = self.run_on(D(2027, 1, 15))

        self.assertEqual(run.created[K.SETTLEMENT_DUE], 1)
        self.assertIn(("staff_a", f"{K.SETTLEMENT_DUE}:{project.pk}:2026"), reminded())
        self.assertFalse(reminded(recipient=self.staff_b, kind=K.SETTLEMENT_DUE))
        self.assertEqual(self.run_on(D(2027, 1, 16)).created.get(K.SETTLEMENT_DUE), None)


class CommandTests(ReminderTestCase):
    def test_the_command_reports_what_it_sent_and_refuses_a_bad_date(self):
        send_every_report_before_the_9_months_of_2026(self.a, self.b)
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_reminders", "--date", "2026-10-08", stdout=out)
        self.assertIn("2 reminders sent (report_due: 2)", out.getvalue())

        with self.assertRaises(CommandError):
            call_command("send_reminders", "--date", "08/10/2026")


class CalendarTests(TestCase):
    def test_the_defaults_are_stored_and_each_deadline_has_its_date(self):
        calendar = ReportingCalendar.load()
        self.assertEqual(Deadline.objects.count(), 8)
        self.assertEqual(calendar.report_due(2026, "H1"), D(2026, 7, 15))
        self.assertEqual(calendar.report_due(2026, "FY"), D(2027, 1, 15))
        self.assertEqual(calendar.date_of("settlement", 2026), D(2027, 1, 22))
        self.assertEqual(calendar.date_of("proposals", 2026), D(2026, 5, 20))
        self.assertEqual(calendar.date_of("appraisals", 2026), D(2026, 6, 15))
        self.assertEqual(calendar.entry("report_q1", 2026).covers_to, D(2026, 3, 31))

    def test_a_missing_row_falls_back_to_its_default(self):
        Deadline.objects.filter(code="report_h1").delete()
        self.assertEqual(ReportingCalendar.load().report_due(2026, "H1"), D(2026, 7, 15))

    def test_the_year_lists_its_deadlines_by_date_with_last_years_annual_report(self):
        entries = ReportingCalendar.load().entries_falling_in(2026)
        self.assertEqual(
            [(entry.code, entry.year, entry.day) for entry in entries[:3]],
            [
                ("report_fy", 2025, D(2026, 1, 15)),
                ("settlement", 2025, D(2026, 1, 22)),
                ("report_q1", 2026, D(2026, 4, 15)),
            ],
        )
        self.assertEqual(len(entries), 8)

    def test_29_february_is_refused(self):
        from django.core.exceptions import ValidationError

        deadline = Deadline.objects.get(code="report_q1")
        deadline.month, deadline.day = 2, 29
        with self.assertRaises(ValidationError):
            deadline.full_clean()
