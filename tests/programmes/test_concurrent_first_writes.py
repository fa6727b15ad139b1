"""Two first writes at the same moment (issue 17, item 3): two first submissions of a report, two
first saves of a year plan. Both used to insert the same record and the second answered 500
(duplicate key). Now they get the answers of two writes one after the other: the first is
saved, the second hears what a second submission hears (or finds the first's records).

The race is simulated on every database: the look-up misses the record the other request is
inserting (it is already in the table), so the insert meets the unique constraint. On
PostgreSQL two threads also really race, each in its own transaction and connection.
"""

import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from programmes import services
from programmes.models import BudgetPlan, FundingSource, IndicatorTarget, ReportingPeriod
from programmes.services import plans as plan_services
from programmes.services import reporting
from tests import factories
from tests.transactional import SeededTransactionTestCase

YEAR, PERIOD = 2016, "H1"


def stale_once(real, stale):
    """`real`, except that its first call answers `stale`, as before the other request's insert."""
    calls = []

    def look_up(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            return stale
        return real(*args, **kwargs)

    return look_up, calls


class SimulatedRaceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.province = factories.province("74")
        cls.staff = factories.member("province_staff", cls.province, username="staff")
        cls.other = factories.member("province_staff", cls.province, username="other")

    def second_submit_message(self) -> list[str]:
        with self.assertRaises(ValidationError) as second:
            services.period_submit(province=self.province, year=YEAR, period=PERIOD, user=self.staff)
        return second.exception.messages

    def test_a_racing_first_submission_hears_what_a_second_one_hears(self):
        services.period_submit(province=self.province, year=YEAR, period=PERIOD, user=self.other)
        expected = self.second_submit_message()
        self.assertEqual(expected, ["Báo cáo này đã ở trạng thái “Đã trình”."])
        look_up, calls = stale_once(reporting._stored_period, None)
        with (
            mock.patch.object(reporting, "_stored_period", side_effect=look_up),
            self.assertRaises(ValidationError) as racing,
        ):
            services.period_submit(province=self.province, year=YEAR, period=PERIOD, user=self.staff)
        self.assertEqual(len(calls), 2)  # missed, met the constraint, looked again
        self.assertEqual(racing.exception.messages, expected)
        record = ReportingPeriod.objects.get(province=self.province, year=YEAR, period=PERIOD)
        self.assertEqual(record.submitted_by, self.other)

    def test_the_page_answers_the_racing_submission_with_the_message(self):
        services.period_submit(province=self.province, year=YEAR, period=PERIOD, user=self.other)
        expected = self.second_submit_message()
        self.client.force_login(self.staff)
        url = reverse("programmes:period", args=[self.province.pk, YEAR, PERIOD])
        look_up, _calls = stale_once(reporting._stored_period, None)
        with mock.patch.object(reporting, "_stored_period", side_effect=look_up):
            response = self.client.post(url, {"action": "submit", "confirm": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, expected[0])
        self.assertEqual(ReportingPeriod.objects.filter(province=self.province, year=YEAR).count(), 1)

    def save_plan(self, user):
        return services.year_plan_save(
            province=self.province,
            year=YEAR,
            amounts_vnd={FundingSource.KCQG: Decimal(1_000_000_000), FundingSource.KCDP: Decimal(500_000_000)},
            targets={factories.indicator(): 120},
            user=user,
        )

    def test_a_racing_first_year_plan_save_finds_the_first_ones_records(self):
        first = self.save_plan(self.other)
        self.assertEqual(first.created, 3)
        second = self.save_plan(self.staff)
        look_up, calls = stale_once(plan_services._stored_plans, {})
        # The other request's plans were not committed when this one checked the constraints.
        with (
            mock.patch.object(plan_services, "_stored_plans", side_effect=look_up),
            mock.patch.object(BudgetPlan, "validate_constraints"),
        ):
            racing = self.save_plan(self.staff)
        self.assertEqual(len(calls), 2)
        self.assertEqual(racing, second)
        self.assertEqual(BudgetPlan.objects.filter(province=self.province, year=YEAR).count(), 2)
        self.assertEqual(IndicatorTarget.objects.filter(province=self.province, year=YEAR).count(), 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no concurrent writers to race")
class RealRaceTests(SeededTransactionTestCase):
    """Two threads, two connections, on PostgreSQL. Each look-up is followed by a pause longer
    than the other thread needs to reach its own: without the lock both would miss the record."""

    def race(self, write, patch_target, name):
        real = getattr(patch_target, name)

        def slow(*args, **kwargs):
            found = real(*args, **kwargs)
            time.sleep(0.5)
            return found

        start = threading.Barrier(2)
        answers = []

        def run(user):
            start.wait()
            try:
                answers.append(("saved", write(user)))
            except ValidationError as error:
                answers.append(("refused", error.messages))
            except Exception as error:  # noqa: BLE001 - the answer under test
                answers.append(("crashed", repr(error)))
            finally:
                connection.close()

        with mock.patch.object(patch_target, name, side_effect=slow):
            threads = [threading.Thread(target=run, args=(user,)) for user in (self.staff, self.other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        return sorted(answers, key=lambda answer: answer[0])

    def setUp(self):
        self.province = factories.province("74")
        self.staff = factories.member("province_staff", self.province, username="staff")
        self.other = factories.member("province_staff", self.province, username="other")

    def test_two_first_submissions(self):
        answers = self.race(
            lambda user: services.period_submit(province=self.province, year=YEAR, period=PERIOD, user=user),
            reporting,
            "_stored_period",
        )
        self.assertEqual([kind for kind, _answer in answers], ["refused", "saved"], answers)
        self.assertEqual(answers[0][1], ["Báo cáo này đã ở trạng thái “Đã trình”."])
        self.assertEqual(ReportingPeriod.objects.filter(province=self.province, year=YEAR).count(), 1)

    def test_two_first_year_plan_saves(self):
        def save(user):
            return services.year_plan_save(
                province=self.province,
                year=YEAR,
                amounts_vnd={FundingSource.KCQG: Decimal(1_000_000_000)},
                targets={},
                user=user,
            )

        answers = self.race(save, plan_services, "_stored_plans")
        self.assertEqual([kind for kind, _answer in answers], ["saved", "saved"], answers)
        results = sorted(answer.created for _kind, answer in answers)
        self.assertEqual(results, [0, 1])  # the second found the first's plan, unchanged
        self.assertEqual(BudgetPlan.objects.filter(province=self.province, year=YEAR).count(), 1)
