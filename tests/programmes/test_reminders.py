"""The deadline reminders (`manage.py send_reminders`, services.reminders): a report due within
7 days, a report overdue, a settlement due by 22/01; each sent at most once per item, person and
day however often (and however many at once) the command runs — an overdue report every day
while it stays overdue, a due-soon item when its window opens and on its due date — to the
province's own staff (and its successor's), never to another province, e-mailed only to those
who want e-mail; the reporting calendar's dates, as the administrator changes them, decide.
"""

import datetime
import threading
import time
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase

from programmes import services
from programmes.models import Deadline, Notification, NotificationKind, ProjectStatus, ReportingPeriod
from programmes.selectors.calendar import ReportingCalendar
from programmes.selectors.reminders import due_reminders
from programmes.services import reminders
from programmes.services.reminders import send_reminders
from tests import factories
from tests.transactional import SeededTransactionTestCase

K = NotificationKind
D = datetime.date


def reminded(**filters) -> set[tuple[str, str]]:
    """(username, key) of the reminders stored."""
    return set(Notification.objects.filter(**filters).exclude(key="").values_list("recipient__username", "key"))


def reminder_days(user, key) -> list[D]:
    """The days on which `user` was reminded of `key`, in order."""
    return sorted(Notification.objects.filter(recipient=user, key=key).values_list("reminder_day", flat=True))


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

    def run_on(self, day: D, at: datetime.time = datetime.time(6, 0)):
        moment = datetime.datetime.combine(day, at)
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

    def test_an_overdue_report_is_reminded_every_day_until_it_is_submitted(self):
        ReportingPeriod.objects.create(province=self.b, year=2026, period="9M", status="approved")
        key = self.key(K.REPORT_OVERDUE, self.a)

        first = self.run_on(D(2026, 10, 16))
        same_day = self.run_on(D(2026, 10, 16), at=datetime.time(18, 0))
        next_day = self.run_on(D(2026, 10, 17))

        self.assertEqual(reminded(kind=K.REPORT_OVERDUE, key__endswith=":2026:9M"), {("staff_a", key)})
        self.assertEqual(
            (first.created, same_day.created, next_day.created), ({K.REPORT_OVERDUE: 1}, {}, {K.REPORT_OVERDUE: 1})
        )
        self.assertEqual(reminder_days(self.staff_a, key), [D(2026, 10, 16), D(2026, 10, 17)])
        self.assertEqual([message.to for message in mail.outbox], [["a@example.vn"], ["a@example.vn"]])

        with time_machine.travel(D(2026, 10, 17), tick=False):
            services.period_submit(province=self.a, year=2026, period="9M", user=self.staff_a)
        mail.outbox.clear()

        self.assertEqual(self.run_on(D(2026, 10, 18)).total, 0)
        self.assertEqual(reminder_days(self.staff_a, key), [D(2026, 10, 16), D(2026, 10, 17)])
        self.assertEqual(mail.outbox, [])

    def test_a_report_due_soon_is_reminded_when_its_window_opens_and_on_its_due_date(self):
        # Due on 15/10/2026, reminded 7 days before: the window is 08/10–15/10.
        runs = {day: self.run_on(D(2026, 10, day)).created for day in range(8, 17)}

        self.assertEqual(runs[8], {K.REPORT_DUE: 2})
        self.assertEqual([runs[day] for day in range(9, 15)], [{}] * 6)
        self.assertEqual(runs[15], {K.REPORT_DUE: 2})
        self.assertNotIn(K.REPORT_DUE, runs[16])  # overdue from the 16th
        self.assertEqual(reminder_days(self.staff_a, self.key(K.REPORT_DUE, self.a)), [D(2026, 10, 8), D(2026, 10, 15)])
        self.assertEqual(runs[16], {K.REPORT_OVERDUE: 2})
        # Two e-mails on the 8th, two on the 15th, two (overdue) on the 16th: one per person and day.
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), ["a@example.vn"] * 3 + ["b@example.vn"] * 3)

    def test_a_timer_started_inside_the_window_reminds_on_its_first_run_then_on_the_due_date(self):
        self.assertEqual(self.run_on(D(2026, 10, 12)).created, {K.REPORT_DUE: 2})
        self.assertEqual(self.run_on(D(2026, 10, 13)).created, {})
        self.assertEqual(self.run_on(D(2026, 10, 15)).created, {K.REPORT_DUE: 2})
        self.assertEqual(self.run_on(D(2026, 10, 15), at=datetime.time(23, 0)).created, {})

    def test_a_user_without_e_mail_still_gets_the_reminder_in_the_portal(self):
        services.set_email_enabled(user=self.staff_a, enabled=False)
        Notification.objects.all().delete()

        self.run_on(D(2026, 10, 8))

        self.assertIn(("staff_a", self.key(K.REPORT_DUE, self.a)), reminded())
        self.assertEqual([message.to for message in mail.outbox], [["b@example.vn"]])

    def test_inactive_accounts_and_other_roles_are_not_reminded(self):
        self.staff_b.is_active = False
        self.staff_b.save()
        viewer = factories.member("viewer", username="viewer", email="v@example.vn")

        self.run_on(D(2026, 10, 8))

        self.assertEqual({user for user, _key in reminded()}, {"staff_a"})
        self.assertFalse(reminded(recipient=viewer))

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
        # The last call, on 22/01 itself; after it the settlement is no longer "due soon".
        self.assertEqual(self.run_on(D(2027, 1, 22)).created.get(K.SETTLEMENT_DUE), 1)
        self.assertEqual(self.run_on(D(2027, 1, 23)).created.get(K.SETTLEMENT_DUE), None)
        key = f"{K.SETTLEMENT_DUE}:{project.pk}:2026"
        self.assertEqual(reminder_days(self.staff_a, key), [D(2027, 1, 15), D(2027, 1, 22)])


class OncePerDayTests(ReminderTestCase):
    """The day is part of what is stored once: the database refuses a second reminder of the same
    item to the same person on the same day, whatever the code before it believed."""

    def reminder(self, day, **fields):
        return Notification.objects.create(
            recipient=self.staff_a,
            kind=K.REPORT_OVERDUE,
            province=self.a,
            key=f"{K.REPORT_OVERDUE}:{self.a.pk}:2026:9M",
            reminder_day=day,
            **fields,
        )

    def test_the_database_refuses_the_same_reminder_twice_on_one_day(self):
        self.reminder(D(2026, 10, 16))
        self.reminder(D(2026, 10, 17))  # the next day is another reminder
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.reminder(D(2026, 10, 16))
        self.assertEqual(Notification.objects.count(), 2)

    def test_a_reminder_without_its_day_and_a_workflow_notification_with_one_are_refused(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.reminder(None)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Notification.objects.create(recipient=self.staff_a, kind=K.REPORT_APPROVED, reminder_day=D(2026, 10, 16))
        # Workflow notifications (no key, no day) are never limited.
        for _ in range(2):
            Notification.objects.create(recipient=self.staff_a, kind=K.REPORT_APPROVED, province=self.a)
        self.assertEqual(Notification.objects.count(), 2)

    def test_a_run_that_missed_what_another_run_stored_today_neither_stores_nor_mails_it_again(self):
        send_every_report_before_the_9_months_of_2026(self.a, self.b)
        first = self.run_on(D(2026, 10, 8))
        self.assertEqual(first.created, {K.REPORT_DUE: 2})
        self.assertEqual(len(mail.outbox), 2)

        # The second run's look-up misses the first run's rows (as if it had read before they
        # were stored): its insert meets the constraint.
        with mock.patch.object(reminders, "_sent_before", return_value={}):
            racing = self.run_on(D(2026, 10, 8), at=datetime.time(6, 1))

        self.assertEqual(racing.created, {})
        self.assertEqual(Notification.objects.filter(kind=K.REPORT_DUE).count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_a_run_makes_the_same_queries_whatever_it_sends(self):
        send_every_report_before_the_9_months_of_2026(self.a, self.b)
        factories.member("province_staff", self.a, username="staff_a2", email="a2@example.vn")
        factories.project(self.a, 2026, status=ProjectStatus.ACCEPTED, status_date=D(2026, 11, 2))
        # The run's savepoint; 1 the calendar's rows, locked; 2 the provinces; 3 the reports of
        # 2025 and 2026; 4 the staff (with their profiles); 5 what was sent in the items'
        # windows; 6 the insert; 7 the read-back of the rows this run stored; its release; then,
        # once committed, the e-mails: 8 the notifications with their recipients' settings,
        # 9 marking them e-mailed.
        with self.assertNumQueries(11):
            run = self.run_on(D(2026, 10, 8))
        self.assertEqual(run.created, {K.REPORT_DUE: 3})
        # Twelve when a settlement deadline is near: the accepted projects are read too.
        with self.assertNumQueries(12):
            run = self.run_on(D(2027, 1, 15))
        self.assertEqual(run.created[K.SETTLEMENT_DUE], 2)
        # Nothing new the same day: the look-ups only (savepoint, 1–5 and the projects, release).
        with self.assertNumQueries(8):
            self.assertEqual(self.run_on(D(2027, 1, 15), at=datetime.time(7, 0)).created, {})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no concurrent writers to race")
class RealRaceTests(SeededTransactionTestCase):
    """Two timers at the same moment, each in its own thread, transaction and connection, on
    PostgreSQL. Each run's look-up of what was sent is followed by a pause longer than the other
    run needs to reach its own: without the lock both would miss the other's reminders."""

    def test_two_runs_at_once_store_and_mail_each_reminder_once(self):
        a = factories.province("79", new_era=True)
        b = factories.province("01", new_era=True)
        factories.member("province_staff", a, username="staff_a", email="a@example.vn")
        factories.member("province_staff", b, username="staff_b", email="b@example.vn")
        send_every_report_before_the_9_months_of_2026(a, b)
        real = reminders._sent_before

        def slow(*args, **kwargs):
            found = real(*args, **kwargs)
            time.sleep(0.5)
            return found

        start = threading.Barrier(2)
        answers = []

        def run():
            start.wait()
            try:
                answers.append(send_reminders(today=D(2026, 10, 8)).created)
            except Exception as error:  # noqa: BLE001 - the answer under test
                answers.append(repr(error))
            finally:
                connection.close()

        with mock.patch.object(reminders, "_sent_before", side_effect=slow):
            threads = [threading.Thread(target=run) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)

        self.assertEqual(sorted(answers, key=len), [{}, {K.REPORT_DUE: 2}], answers)
        self.assertEqual(
            reminded(), {("staff_a", f"report_due:{a.pk}:2026:9M"), ("staff_b", f"report_due:{b.pk}:2026:9M")}
        )
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), ["a@example.vn", "b@example.vn"])


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
