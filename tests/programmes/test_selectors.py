"""The summary selector: the figures of DESIGN §4, checked against sums computed by hand."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from programmes import selectors, services
from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    DisbursementKind,
    FundingSource,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    Province,
    Region,
    ReportingPeriod,
)
from programmes.rules import progress
from tests import factories

D = datetime.date
KCQG, KCDP = FundingSource.KCQG, FundingSource.KCDP


def _summary(year, **kwargs):
    return selectors.summary(year=year, today=D(2026, 11, 22), **kwargs)


def _pay(project, day, amount, kind=DisbursementKind.PAYMENT):
    return services.disbursement_create(project=project, date=day, amount_vnd=Decimal(amount), kind=kind)


class CutOffTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.binh_duong = factories.province("74")
        factories.budget_plan(cls.binh_duong, 2016, 1_000_000)
        cls.project = factories.project(cls.binh_duong, 2016, support_vnd=900_000, status_date=D(2016, 3, 1))
        _pay(cls.project, D(2016, 6, 30), 300_000, DisbursementKind.ADVANCE)
        _pay(cls.project, D(2016, 7, 1), 200_000)
        _pay(cls.project, D(2016, 7, 2), 50_000, DisbursementKind.RECOVERY)
        services.output_create(project=cls.project, indicator=factories.indicator(), date=D(2016, 6, 30), value=40)
        services.output_create(project=cls.project, indicator=factories.indicator(), date=D(2016, 7, 1), value=2)
        factories.target(cls.binh_duong, 2016, "trained_workers", 100)

    def _figures(self, as_of):
        result = _summary(2016, as_of=as_of, scope=selectors.Scope(province=self.binh_duong))
        trained = next(i for i in result.indicators if i.code == "trained_workers")
        return result.total.actual_vnd, trained.actual

    def test_as_of_includes_its_own_day_and_nothing_after(self):
        self.assertEqual(self._figures(D(2016, 6, 29)), (0, 0))
        self.assertEqual(self._figures(D(2016, 6, 30)), (300_000, 40))
        self.assertEqual(self._figures(D(2016, 7, 1)), (500_000, 42))

    def test_a_recovery_counts_negative(self):
        self.assertEqual(self._figures(D(2016, 7, 2))[0], 450_000)
        self.assertEqual(_summary(2016).total.actual_vnd, 450_000)

    def test_completion_and_indicator_completion_are_ratios_of_the_cut_off_figures(self):
        result = _summary(2016, as_of=D(2016, 6, 30), scope=selectors.Scope(province=self.binh_duong))
        self.assertEqual(progress.round_pct(result.total.completion_pct), Decimal("30.00"))
        trained = next(i for i in result.indicators if i.code == "trained_workers")
        self.assertEqual(progress.round_pct(trained.completion_pct), Decimal("40.00"))

    def test_completion_is_none_where_nothing_was_planned(self):
        result = _summary(2016, scope=selectors.Scope(province=self.binh_duong))
        self.assertIsNone(result.funds[KCDP].completion_pct)
        self.assertIsNone(result.funds[KCDP].plan_growth_pct)
        other = _summary(2016, scope=selectors.Scope(province=factories.province("79")))
        self.assertIsNone(other.total.completion_pct)

    def test_only_approved_plans_count(self):
        BudgetPlan.objects.create(
            province=self.binh_duong, year=2016, funding_source=KCDP, planned_vnd=5, status=ApprovalStatus.DRAFT
        )
        result = _summary(2016, scope=selectors.Scope(province=self.binh_duong))
        self.assertEqual(result.funds[KCDP].plan_vnd, 0)
        self.assertEqual(result.plans_approved[KCDP], selectors.ApprovalCount(approved=0, expected=1))
        self.assertEqual(result.plans_approved[KCQG], selectors.ApprovalCount(approved=1, expected=1))

    def test_pipeline_and_disbursement_rate(self):
        factories.project(self.binh_duong, 2016, support_vnd=100, status=ProjectStatus.PROPOSED)
        result = _summary(2016, scope=selectors.Scope(province=self.binh_duong))
        self.assertEqual(result.pipeline[ProjectStatus.IN_PROGRESS], 1)
        self.assertEqual(result.pipeline[ProjectStatus.PROPOSED], 1)
        self.assertEqual(result.project_count, 2)
        # Only the contracted project's 900 000 is committed support.
        self.assertEqual(result.total.disbursement_rate_pct, Decimal(450_000) * 100 / Decimal(900_000))


class MergerTests(TestCase):
    """Growth across the 1 July 2025 merger compares the same territory."""

    @classmethod
    def setUpTestData(cls):
        cls.hcmc = factories.province("79", new_era=True)
        cls.old = {p.code: p for p in cls.hcmc.predecessors.all()}  # 74 Bình Dương, 77 BR-VT, 79 old HCMC
        for code, amount in {"74": 300, "77": 200, "79": 1_000}.items():
            factories.budget_plan(cls.old[code], 2025, amount)
        factories.budget_plan(factories.province("75"), 2025, 999)  # Đồng Nai: another territory
        factories.budget_plan(cls.hcmc, 2026, 1_650)

    def test_a_new_province_is_compared_with_the_sum_of_its_predecessors(self):
        result = _summary(2026, scope=selectors.Scope(province=self.hcmc))
        self.assertEqual(result.funds[KCQG].plan_prev_vnd, 1_500)
        self.assertEqual(result.funds[KCQG].plan_growth_pct, Decimal(10))

    def test_in_2025_a_new_province_covers_its_predecessors_records(self):
        result = _summary(2025, scope=selectors.Scope(province=self.hcmc))
        self.assertEqual(result.total.plan_vnd, 1_500)
        self.assertEqual(result.plans_approved[KCQG], selectors.ApprovalCount(approved=3, expected=3))

    def test_2025_province_rows_list_both_eras_without_double_counting(self):
        south = Region.objects.get(code="south")
        result = _summary(2025, scope=selectors.Scope(region=south))
        self.assertEqual(len(result.provinces), 20 + 8)
        self.assertEqual(sum(row.plan_total_vnd for row in result.provinces), result.total.plan_vnd)
        self.assertEqual(result.total.plan_vnd, 300 + 200 + 1_000 + 999)

    def test_expected_plans_and_reports_follow_the_era(self):
        result = _summary(2025)
        self.assertEqual(result.plans_approved[KCQG].expected, 63)
        expected = {period.period: period.expected for period in result.reporting}
        self.assertEqual(expected, {"H1": 63, "9M": 34, "FY": 34})
        self.assertEqual(result.province_count, 34)
        self.assertEqual(_summary(2025, as_of=D(2025, 6, 30)).province_count, 63)


class MergerGrowthPropertyTests(HypothesisTestCase):
    @settings(max_examples=20, deadline=None)
    @given(
        previous=st.lists(st.integers(min_value=0, max_value=10**12), min_size=3, max_size=3),
        own_2025=st.integers(min_value=0, max_value=10**12),
        current=st.integers(min_value=0, max_value=10**12),
    )
    def test_growth_across_the_merger_equals_the_hand_computed_figure(self, previous, own_2025, current):
        hcmc = factories.province("79", new_era=True)
        for predecessor, amount in zip(hcmc.predecessors.order_by("code"), previous, strict=True):
            factories.budget_plan(predecessor, 2025, amount)
        factories.budget_plan(hcmc, 2025, own_2025, approved_on=D(2025, 8, 1))
        factories.budget_plan(hcmc, 2026, current)

        result = _summary(2026, scope=selectors.Scope(province=hcmc))

        base = sum(previous) + own_2025
        expected = None if base == 0 else (Decimal(current) - base) * 100 / Decimal(base)
        self.assertEqual(result.total.plan_growth_pct, expected)


class RollUpPropertyTests(HypothesisTestCase):
    @settings(max_examples=15, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=100)),
            min_size=2,
            max_size=5,
        )
    )
    def test_a_region_is_the_ratio_of_its_sums_not_the_average_of_its_percentages(self, rows):
        south = list(Province.objects.filter(region__code="south", valid_to__isnull=False).order_by("code"))
        plans, actuals = [], []
        for province, (plan, spent_pct) in zip(south, rows, strict=False):
            factories.budget_plan(province, 2016, plan)
            spent = plan * spent_pct // 100
            if spent:
                project = factories.project(province, 2016, support_vnd=spent, status_date=D(2016, 3, 1))
                _pay(project, D(2016, 4, 1), spent)
            plans.append(plan)
            actuals.append(spent)

        result = _summary(2016, scope=selectors.Scope(region=south[0].region))

        self.assertEqual(result.total.plan_vnd, sum(plans))
        self.assertEqual(result.total.actual_vnd, sum(actuals))
        self.assertEqual(result.total.completion_pct, progress.completion_pct(sum(actuals), sum(plans)))
        nation = _summary(2016)
        self.assertEqual(result.total.plan_share_pct, progress.share_pct(sum(plans), nation.total.plan_vnd))


def _oracle(year, as_of, province_ids):
    """The summary's money figures recomputed record by record, without the ORM's aggregation."""
    plan = {fund: Decimal(0) for fund in (KCQG, KCDP)}
    for plan_row in BudgetPlan.objects.filter(year=year, status=ApprovalStatus.APPROVED):
        if plan_row.province_id in province_ids:
            plan[plan_row.funding_source] += plan_row.planned_vnd
    actual = {fund: Decimal(0) for fund in (KCQG, KCDP)}
    for payment in Disbursement.objects.select_related("project"):
        project = payment.project
        if project.year == year and project.province_id in province_ids and payment.date <= as_of:
            actual[project.funding_source] += payment.signed_amount_vnd
    targets, outputs = {}, {}
    for target in IndicatorTarget.objects.filter(year=year, province_id__in=province_ids):
        targets[target.indicator.code] = targets.get(target.indicator.code, 0) + target.target
    for output in ProjectOutput.objects.select_related("project", "indicator"):
        if output.project.year == year and output.project.province_id in province_ids and output.date <= as_of:
            outputs[output.indicator.code] = outputs.get(output.indicator.code, 0) + output.value
    return plan, actual, targets, outputs


@pytest.mark.django_db
def test_the_summary_equals_an_independent_computation_from_the_raw_records():
    """Random records in 6 provinces of two regions; every scope's figures against the oracle."""
    import random

    rng = random.Random(2016)
    provinces = [factories.province(code) for code in ("74", "77", "79", "01", "25", "26")]
    for province in provinces:
        for fund in (KCQG, KCDP):
            factories.budget_plan(province, 2016, rng.randrange(10**8, 10**10), fund=fund)
            factories.target(province, 2016, "trained_workers", rng.randrange(50, 500)) if fund == KCQG else None
            project = factories.project(
                province, 2016, fund=fund, support_vnd=10**10, status_date=D(2016, 2, rng.randrange(1, 28))
            )
            for _ in range(rng.randrange(1, 5)):
                _pay(project, D(2016, rng.randrange(3, 13), rng.randrange(1, 28)), rng.randrange(10**6, 10**9))
            services.output_create(
                project=project,
                indicator=factories.indicator(),
                date=D(2016, rng.randrange(3, 13), 1),
                value=rng.randrange(1, 50),
            )
    province_map = selectors.ProvinceMap.load()
    scopes = [selectors.Scope(), selectors.Scope(region=provinces[0].region), selectors.Scope(province=provinces[0])]
    for scope in scopes:
        for as_of in (D(2016, 6, 30), D(2016, 9, 30), D(2016, 12, 31)):
            ids = province_map.territory(scope)
            plan, actual, targets, outputs = _oracle(2016, as_of, ids)
            result = _summary(2016, as_of=as_of, scope=scope, provinces=province_map)
            for fund in (KCQG, KCDP):
                assert result.funds[fund].plan_vnd == plan[fund]
                assert result.funds[fund].actual_vnd == actual[fund]
            assert result.total.actual_vnd == sum(actual.values())
            assert result.total.completion_pct == progress.completion_pct(sum(actual.values()), sum(plan.values()))
            trained = next(i for i in result.indicators if i.code == "trained_workers")
            assert (trained.target, trained.actual) == (
                targets.get("trained_workers", 0),
                outputs.get("trained_workers", 0),
            )


class QueryCountTests(TestCase):
    def _fill(self, start, stop):
        provinces = list(Province.objects.filter(valid_to__isnull=False).order_by("code")[start:stop])
        for province in provinces:
            factories.budget_plan(province, 2016, 10**9)
            factories.target(province, 2016, "trained_workers", 10)
            for status in (ProjectStatus.IN_PROGRESS, ProjectStatus.SETTLED, ProjectStatus.PROPOSED):
                project = factories.project(province, 2016, status=status, status_date=D(2016, 3, 1))
                if status != ProjectStatus.PROPOSED:
                    _pay(project, D(2016, 4, 1), 1000)
                    services.output_create(
                        project=project, indicator=factories.indicator(), date=D(2016, 5, 1), value=1
                    )
            ReportingPeriod.objects.create(province=province, year=2016, period="H1", status="submitted")

    def _count(self):
        with CaptureQueriesContext(connection) as queries:
            _summary(2016, trend_years=10)
        return len(queries)

    def test_the_summary_runs_a_fixed_number_of_queries_whatever_the_data(self):
        self._fill(0, 2)
        small = self._count()
        self._fill(2, 32)
        self.assertEqual(Project.objects.count(), 3 * 32)
        # Expect 9 queries: provinces with regions, approved plans by year/province/fund,
        # disbursements by project year/province/fund, projects by status/fund, targets,
        # outputs, indicators, the reporting calendar (the reports' due dates), reporting
        # periods.
        self.assertEqual(small, 9)
        self.assertEqual(self._count(), small)


class SettlementMonthTests(TestCase):
    def test_payments_of_january_next_year_count_when_the_cut_off_reaches_them(self):
        binh_duong = factories.province("74")
        factories.budget_plan(binh_duong, 2016, 1_000)
        project = factories.project(binh_duong, 2016, support_vnd=1_000, status_date=D(2016, 3, 1))
        _pay(project, D(2016, 12, 20), 600)
        _pay(project, D(2017, 1, 15), 400)
        scope = selectors.Scope(province=binh_duong)
        self.assertEqual(_summary(2016, scope=scope).total.actual_vnd, 600)
        self.assertEqual(_summary(2016, as_of=D(2017, 1, 22), scope=scope).total.actual_vnd, 1_000)
        # In a trend, a past year is cut at its own 31 December.
        trend = _summary(2017, scope=scope, trend_years=2).trend
        self.assertEqual([(point.year, point.actual_vnd) for point in trend], [(2016, 600), (2017, 0)])
