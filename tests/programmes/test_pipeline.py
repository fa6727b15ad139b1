"""The pipeline selector (issue 18, item 2) against figures worked out by hand on a small
fixture, and its rules on plain steps."""

import datetime
from decimal import Decimal

from django.test import SimpleTestCase, TestCase

from programmes import services
from programmes.models import ProjectStatus as S
from programmes.rules import pipeline as rules
from programmes.selectors import ProvinceMap, Scope, pipeline
from tests import factories

D = datetime.date


class RulesTests(SimpleTestCase):
    def test_a_step_lasts_to_the_next_and_the_last_one_to_today(self):
        steps = [(D(2024, 1, 10), S.APPRAISED), (D(2024, 2, 1), S.APPROVED), (D(2024, 3, 1), S.CONTRACTED)]
        self.assertEqual(
            rules.step_days(steps, D(2024, 3, 11)),
            [(S.APPRAISED, 22, False), (S.APPROVED, 29, False), (S.CONTRACTED, 10, True)],
        )

    def test_ends_have_no_duration(self):
        steps = [(D(2024, 1, 1), S.APPRAISED), (D(2024, 1, 5), S.CANCELLED)]
        self.assertEqual(rules.step_days(steps, D(2024, 6, 1)), [(S.APPRAISED, 4, False)])
        self.assertIsNone(rules.stale_since(steps, D(2024, 6, 1)))

    def test_median(self):
        self.assertIsNone(rules.median([]))
        self.assertEqual(rules.median([5, 1, 3]), Decimal(3))
        self.assertEqual(rules.median([15, 29, 22, 15]), Decimal("18.5"))

    def test_sixty_days_without_a_step(self):
        steps = [(D(2024, 1, 1), S.APPRAISED)]
        self.assertIsNone(rules.stale_since(steps, D(2024, 2, 29)))  # 59 days
        self.assertEqual(rules.stale_since(steps, D(2024, 3, 1)), D(2024, 1, 1))  # 60 days

    def test_a_deadline_is_missed_unless_the_next_step_or_a_cancellation_came_by_then(self):
        approved = [(D(2024, 2, 1), S.APPROVED)]
        deadline = D(2024, 6, 30)
        self.assertEqual(rules.missed(approved, S.APPROVED, S.CONTRACTED, deadline), D(2024, 2, 1))
        late = [*approved, (D(2024, 7, 1), S.CONTRACTED)]
        self.assertEqual(rules.missed(late, S.APPROVED, S.CONTRACTED, deadline), D(2024, 2, 1))
        on_time = [*approved, (D(2024, 6, 30), S.CONTRACTED)]
        self.assertIsNone(rules.missed(on_time, S.APPROVED, S.CONTRACTED, deadline))
        cancelled = [*approved, (D(2024, 5, 1), S.CANCELLED)]
        self.assertIsNone(rules.missed(cancelled, S.APPROVED, S.CONTRACTED, deadline))
        self.assertIsNone(rules.missed([(D(2024, 7, 2), S.APPROVED)], S.APPROVED, S.CONTRACTED, deadline))


def make(province, status, dates, **fields):
    """A 2024 project moved to `status` with its steps dated by `dates` (status -> date)."""
    return factories.project(
        province,
        2024,
        status=status,
        step_dates=dates,
        step_documents={S.APPROVED: "QĐ-1", S.CONTRACTED: "HĐ-1"},
        **fields,
    )


def step(project, status, day, note=""):
    number = {S.APPROVED: "QĐ-2", S.CONTRACTED: "HĐ-2"}.get(status, "")
    services.project_transition(project=project, to_status=status, date=day, document_number=number, note=note)


class PipelineSelectorTests(TestCase):
    TODAY = D(2025, 3, 1)

    @classmethod
    def setUpTestData(cls):
        cls.hanoi = factories.province("01")
        cls.hai_phong = factories.province("31")
        cls.da_nang = factories.province("48")
        # P1: approved 01/02, contracted only 01/08 (late), accepted 01/12, never settled.
        cls.p1 = make(cls.hanoi, S.APPROVED, {S.APPRAISED: D(2024, 1, 10), S.APPROVED: D(2024, 2, 1)})
        step(cls.p1, S.CONTRACTED, D(2024, 8, 1))
        step(cls.p1, S.IN_PROGRESS, D(2024, 8, 15))
        step(cls.p1, S.ACCEPTED, D(2024, 12, 1))
        # P2: contracted 01/03, suspended 01/05 (why: the site is not ready).
        cls.p2 = make(
            cls.hanoi,
            S.CONTRACTED,
            {S.APPRAISED: D(2024, 1, 5), S.APPROVED: D(2024, 1, 20), S.CONTRACTED: D(2024, 3, 1)},
        )
        step(cls.p2, S.SUSPENDED, D(2024, 5, 1), note="Chưa bàn giao mặt bằng")
        # P3: approved 01/03, cancelled 01/04: not late for a contract, one stop.
        cls.p3 = make(cls.hai_phong, S.APPROVED, {S.APPRAISED: D(2024, 2, 15), S.APPROVED: D(2024, 3, 1)})
        step(cls.p3, S.CANCELLED, D(2024, 4, 1), note="Doanh nghiệp xin rút")
        # P4: on time everywhere, settled 10/01/2025.
        cls.p4 = make(
            cls.hai_phong,
            S.ACCEPTED,
            {
                S.APPRAISED: D(2024, 2, 1),
                S.APPROVED: D(2024, 3, 1),
                S.CONTRACTED: D(2024, 4, 1),
                S.IN_PROGRESS: D(2024, 4, 10),
                S.ACCEPTED: D(2024, 11, 1),
            },
        )
        step(cls.p4, S.SETTLED, D(2025, 1, 10))
        # Another year and another region's province: never counted for Hà Nội's region in 2024.
        factories.project(cls.da_nang, 2023, status=S.APPRAISED, status_date=D(2023, 2, 1))
        cls.provinces = ProvinceMap.load()

    def result(self, scope=None, today=TODAY):
        return pipeline(year=2024, scope=scope, provinces=self.provinces, today=today)

    def test_time_at_each_step(self):
        result = self.result()
        self.assertEqual(result.project_count, 4)
        steps = {figures.status: figures for figures in result.steps}
        # Appraised: P1 22 days (10/01→01/02), P2 15, P3 15, P4 29: median 18.5, slowest P4.
        self.assertEqual((steps[S.APPRAISED].count, steps[S.APPRAISED].median_days), (4, Decimal("18.5")))
        self.assertEqual((steps[S.APPRAISED].max_days, steps[S.APPRAISED].slowest.code), (29, self.p4.code))
        # Approved: P1 182 (01/02→01/08), P2 41, P3 31 (to its cancellation), P4 31: median 36.
        self.assertEqual(steps[S.APPROVED].median_days, Decimal(36))
        self.assertEqual((steps[S.APPROVED].max_days, steps[S.APPROVED].slowest.code), (182, self.p1.code))
        # Accepted: P1 still there today (01/12/2024→01/03/2025: 90 days), P4 70 days.
        self.assertEqual((steps[S.ACCEPTED].count, steps[S.ACCEPTED].ongoing), (2, 1))
        self.assertEqual((steps[S.ACCEPTED].median_days, steps[S.ACCEPTED].max_days), (Decimal(80), 90))
        # Suspended: P2 since 01/05/2024, 304 days today.
        self.assertEqual((steps[S.SUSPENDED].count, steps[S.SUSPENDED].max_days), (1, 304))
        self.assertNotIn(S.PROPOSED, steps)  # no dated proposal step is recorded: not measured

    def test_by_province(self):
        result = self.result()
        self.assertEqual(
            [(line.province.code, line.project_count) for line in result.by_province], [("01", 2), ("31", 2)]
        )
        hai_phong = {figures.status: figures for figures in result.by_province[1].steps}
        self.assertEqual(hai_phong[S.APPRAISED].median_days, Decimal(22))  # P3 15 and P4 29

    def test_the_lists(self):
        result = self.result()
        # No step for 60 days: P2 (suspended 01/05/2024) and P1 (accepted 01/12/2024), longest first.
        self.assertEqual([(line.code, line.days) for line in result.stale], [(self.p2.code, 304), (self.p1.code, 90)])
        # Approved by 30/06 and not contracted by then: P1 only (P3 was cancelled, P2 and P4 on time).
        self.assertEqual([(line.code, line.since) for line in result.not_contracted], [(self.p1.code, D(2024, 2, 1))])
        self.assertEqual(result.not_contracted[0].days, 150)  # 01/02 to 30/06
        # Accepted by 22/01/2025 and not settled by then: P1 (P4 settled on 10/01).
        self.assertEqual([line.code for line in result.not_settled], [self.p1.code])
        # Stops, latest first, with their reasons.
        self.assertEqual(
            [(line.code, line.stop, line.note) for line in result.stops],
            [
                (self.p2.code, S.SUSPENDED, "Chưa bàn giao mặt bằng"),
                (self.p3.code, S.CANCELLED, "Doanh nghiệp xin rút"),
            ],
        )

    def test_deadlines_not_yet_passed_give_empty_lists(self):
        result = self.result(today=D(2024, 6, 30))
        self.assertFalse(result.contract_deadline_passed)
        self.assertEqual(result.not_contracted, [])
        self.assertEqual(result.not_settled, [])
        # Steps after `today` are not known yet: P1 is still at "approved".
        approved = next(figures for figures in result.steps if figures.status == S.APPROVED)
        self.assertEqual(approved.ongoing, 1)

    def test_a_scope(self):
        result = self.result(scope=Scope(province=self.provinces.by_id[self.hai_phong.pk]))
        self.assertEqual(result.project_count, 2)
        self.assertEqual([line.code for line in result.stops], [self.p3.code])

    def test_query_count(self):
        # Expect 2 queries: the year's projects of the scope, their lifecycle steps (provinces given).
        with self.assertNumQueries(2):
            self.result()
        # And 3 without a ProvinceMap: the provinces first.
        with self.assertNumQueries(3):
            pipeline(year=2024, today=self.TODAY)
