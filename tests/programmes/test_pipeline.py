"""The pipeline selector (issue 18, item 2) against figures worked out by hand on a small
fixture, and its rules on plain steps."""

import datetime
import statistics
from collections import defaultdict
from decimal import Decimal

from django.test import SimpleTestCase, TestCase

from programmes import services
from programmes.models import Project
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


def independent_figures(projects, today):
    """{province id or None (all): {status: (count, ongoing, undated, median, slowest days)}} for
    the steps that have projects, computed without the selector or its rules: each project's
    steps, the proposal first when its date is known, each lasting to the next or to `today`."""
    waits = defaultdict(lambda: defaultdict(list))  # scope -> status -> [(days, ongoing)]
    undated = defaultdict(int)
    for project in projects:
        dated = [
            (step.date, step.to_status) for step in project.transitions.order_by("date", "id") if step.date <= today
        ]
        if project.proposed_on is None:
            undated[None] += 1
            undated[project.province_id] += 1
        elif project.proposed_on <= today:
            dated.insert(0, (project.proposed_on, S.PROPOSED))
        for index, (day, status) in enumerate(dated):
            if status in (S.SETTLED, S.CANCELLED):
                continue
            ongoing = index == len(dated) - 1
            until = today if ongoing else dated[index + 1][0]
            for scope in (None, project.province_id):
                waits[scope][status].append(((until - day).days, ongoing))
    result = {}
    for scope in set(waits) | set(undated):
        result[scope] = {
            status: (
                len(items),
                sum(1 for _days, ongoing in items if ongoing),
                undated[scope] if status == S.PROPOSED else 0,
                Decimal(str(statistics.median(days for days, _ongoing in items))) if items else None,
                max((days for days, _ongoing in items), default=None),
            )
            for status, items in waits[scope].items()
        }
        if undated[scope] and S.PROPOSED not in result[scope]:
            result[scope][S.PROPOSED] = (0, 0, undated[scope], None, None)
    return result


def figures_of(steps):
    """The selector's step figures in the shape of `independent_figures`, steps without any
    project (neither measured nor undated) left out."""
    return {f.status: (f.count, f.ongoing, f.undated, f.median_days, f.max_days) for f in steps if f.count or f.undated}


class PipelineSelectorTests(TestCase):
    TODAY = D(2025, 3, 1)

    @classmethod
    def setUpTestData(cls):
        cls.hanoi = factories.province("01")
        cls.hai_phong = factories.province("31")
        cls.da_nang = factories.province("48")
        # P1: proposed 01/12/2023, approved 01/02, contracted only 01/08 (late), accepted 01/12,
        # never settled.
        cls.p1 = make(
            cls.hanoi,
            S.APPROVED,
            {S.APPRAISED: D(2024, 1, 10), S.APPROVED: D(2024, 2, 1)},
            proposed_on=D(2023, 12, 1),
        )
        step(cls.p1, S.CONTRACTED, D(2024, 8, 1))
        step(cls.p1, S.IN_PROGRESS, D(2024, 8, 15))
        step(cls.p1, S.ACCEPTED, D(2024, 12, 1))
        # P2: no proposal date recorded; contracted 01/03, suspended 01/05 (why: the site is not ready).
        cls.p2 = make(
            cls.hanoi,
            S.CONTRACTED,
            {S.APPRAISED: D(2024, 1, 5), S.APPROVED: D(2024, 1, 20), S.CONTRACTED: D(2024, 3, 1)},
        )
        step(cls.p2, S.SUSPENDED, D(2024, 5, 1), note="Chưa bàn giao mặt bằng")
        # P3: proposed 01/02, approved 01/03, cancelled 01/04: not late for a contract, one stop.
        cls.p3 = make(
            cls.hai_phong,
            S.APPROVED,
            {S.APPRAISED: D(2024, 2, 15), S.APPROVED: D(2024, 3, 1)},
            proposed_on=D(2024, 2, 1),
        )
        step(cls.p3, S.CANCELLED, D(2024, 4, 1), note="Doanh nghiệp xin rút")
        # P4: proposed 02/01, on time everywhere, settled 10/01/2025.
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
            proposed_on=D(2024, 1, 2),
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
        # Proposed, to the first step: P1 40 days (01/12/2023→10/01), P3 14, P4 30: median 30,
        # slowest P1; P2 has no proposal date: counted apart, not as a wait of 0 days.
        proposal = steps[S.PROPOSED]
        self.assertEqual((proposal.count, proposal.ongoing, proposal.undated), (3, 0, 1))
        self.assertEqual(
            (proposal.median_days, proposal.max_days, proposal.slowest.code), (Decimal(30), 40, self.p1.code)
        )
        self.assertEqual(proposal.slowest.since, D(2023, 12, 1))
        self.assertEqual([figures.undated for figures in result.steps if figures.status != S.PROPOSED], [0] * 6)

    def test_by_province(self):
        result = self.result()
        self.assertEqual(
            [(line.province.code, line.project_count) for line in result.by_province], [("01", 2), ("31", 2)]
        )
        hai_phong = {figures.status: figures for figures in result.by_province[1].steps}
        self.assertEqual(hai_phong[S.APPRAISED].median_days, Decimal(22))  # P3 15 and P4 29
        # The proposal: Hà Nội P1 40 days and P2 undated; Hải Phòng P3 14 and P4 30 days.
        hanoi = {figures.status: figures for figures in result.by_province[0].steps}
        self.assertEqual(
            (hanoi[S.PROPOSED].count, hanoi[S.PROPOSED].median_days, hanoi[S.PROPOSED].undated), (1, Decimal(40), 1)
        )
        self.assertEqual(
            (hai_phong[S.PROPOSED].median_days, hai_phong[S.PROPOSED].max_days, hai_phong[S.PROPOSED].undated),
            (Decimal(22), 30, 0),
        )

    def test_against_an_independent_computation(self):
        """Every step's figures, overall and by province, recomputed here from the project
        records (each project's dated steps walked one by one, `statistics.median`)."""
        result = self.result()
        expected = independent_figures(Project.objects.filter(year=2024), self.TODAY)
        self.assertEqual(figures_of(result.steps), expected[None])
        for line in result.by_province:
            self.assertEqual(figures_of(line.steps), expected[line.province.pk], line.province.code)

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


class ProposalWaitTests(TestCase):
    """The wait after the proposal for projects still waiting at it (issue 18: proposal to
    appraisal), and for projects with no proposal date."""

    TODAY = D(2025, 3, 1)

    @classmethod
    def setUpTestData(cls):
        cls.hanoi = factories.province("01")
        proposed = {"status": S.PROPOSED}
        # Q1: proposed 01/11/2024, no step since: 120 days today, and 60 days without a step.
        cls.q1 = factories.project(cls.hanoi, 2024, proposed_on=D(2024, 11, 1), **proposed)
        # Q2: proposed 20/02/2025: 9 days today.
        cls.q2 = factories.project(cls.hanoi, 2024, proposed_on=D(2025, 2, 20), **proposed)
        # Q3: no proposal date and no step: its wait is unknown, it is counted apart, never stale.
        cls.q3 = factories.project(cls.hanoi, 2024, **proposed)
        # Q4: proposed 01/10/2024, appraised 21/10 (20 days), cancelled 01/11.
        cls.q4 = factories.project(cls.hanoi, 2024, proposed_on=D(2024, 10, 1), **proposed)
        step(cls.q4, S.APPRAISED, D(2024, 10, 21))
        step(cls.q4, S.CANCELLED, D(2024, 11, 1), note="Không đủ vốn đối ứng")
        cls.provinces = ProvinceMap.load()

    def result(self, today=TODAY):
        return pipeline(year=2024, provinces=self.provinces, today=today)

    def proposal(self, result):
        return next(figures for figures in result.steps if figures.status == S.PROPOSED)

    def test_projects_still_at_the_proposal(self):
        proposal = self.proposal(self.result())
        # Q1 120 (ongoing), Q2 9 (ongoing), Q4 20: median 20, slowest Q1; Q3 undated.
        self.assertEqual((proposal.count, proposal.ongoing, proposal.undated), (3, 2, 1))
        self.assertEqual((proposal.median_days, proposal.max_days), (Decimal(20), 120))
        self.assertEqual((proposal.slowest.code, proposal.slowest.since), (self.q1.code, D(2024, 11, 1)))

    def test_a_proposal_with_no_step_for_60_days_is_stale_an_undated_one_is_not(self):
        self.assertEqual(
            [(line.code, line.since, line.days) for line in self.result().stale], [(self.q1.code, D(2024, 11, 1), 120)]
        )

    def test_a_proposal_after_today_is_not_counted_yet(self):
        proposal = self.proposal(self.result(today=D(2024, 12, 1)))
        # Q2 is proposed after 01/12/2024; Q1 30 days (ongoing), Q4 20 days.
        self.assertEqual((proposal.count, proposal.ongoing, proposal.undated), (2, 1, 1))
        self.assertEqual(proposal.max_days, 30)

    def test_against_an_independent_computation(self):
        for today in (self.TODAY, D(2024, 12, 1), D(2024, 10, 25)):
            result = self.result(today=today)
            expected = independent_figures(Project.objects.filter(year=2024), today)
            self.assertEqual(figures_of(result.steps), expected[None], today)
            self.assertEqual(figures_of(result.by_province[0].steps), expected[self.hanoi.pk], today)

    def test_query_count(self):
        # Expect 2 queries: the year's projects of the scope (their proposal dates with them), their
        # lifecycle steps; the proposal adds none.
        with self.assertNumQueries(2):
            self.result()
