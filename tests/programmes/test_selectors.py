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
        self.assertIsNone(result.funds[KCDP].plan_vnd)  # a draft is no plan: "chưa có số liệu", not 0
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

    def test_2025_lists_the_provinces_in_force_at_the_cut_off_each_with_its_territory(self):
        south = Region.objects.get(code="south")
        result = _summary(2025, scope=selectors.Scope(region=south))
        # The 8 southern provinces of 31/12/2025, each with its predecessors' January–June records.
        self.assertEqual(len(result.provinces), 8)
        rows = {row.province.code: row for row in result.provinces}
        self.assertEqual(rows["79"].plan_total_vnd, 300 + 200 + 1_000)
        self.assertEqual(rows["75"].plan_total_vnd, 999)
        self.assertEqual(sum(row.plan_total_vnd or 0 for row in result.provinces), result.total.plan_vnd)
        self.assertEqual(result.total.plan_vnd, 300 + 200 + 1_000 + 999)

    def test_2025_by_era_lists_every_province_of_the_year_with_its_own_dated_records(self):
        south = Region.objects.get(code="south")
        result = _summary(2025, scope=selectors.Scope(region=south))
        self.assertTrue(result.has_two_eras)
        # The 19 old provinces that became southern ones (old Bình Thuận joined Lâm Đồng, in the
        # centre) and the 8 new: no record counted twice.
        self.assertEqual(len(result.era_rows), 19 + 8)
        self.assertEqual(sum(row.plan_total_vnd or 0 for row in result.era_rows), result.total.plan_vnd)
        old = next(row for row in result.era_rows if row.province == self.old["74"])
        new = next(row for row in result.era_rows if row.province == self.hcmc)
        self.assertEqual((old.start, old.end), (D(2025, 1, 1), D(2025, 6, 30)))
        self.assertEqual((new.start, new.end), (D(2025, 7, 1), D(2025, 12, 31)))
        self.assertEqual(old.plan_total_vnd, 300)
        self.assertIsNone(new.plan_total_vnd)  # the new city had no plan of its own in 2025

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

        # No project anywhere: nothing was due, so the actual is "no data", not 0.
        actual = sum(actuals) if any(actuals) else None
        self.assertEqual(result.total.plan_vnd, sum(plans))
        self.assertEqual(result.total.actual_vnd, actual)
        self.assertEqual(result.total.completion_pct, progress.completion_pct(actual, sum(plans)))
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
        # 2017 has no project: no data, not 0.
        self.assertEqual([(point.year, point.actual_vnd) for point in trend], [(2016, 600), (2017, None)])


def _revised(plan, amount):
    """The plan as revised (by a decision) to `amount`; its first-approved amount stays."""
    BudgetPlan.objects.filter(pk=plan.pk).update(planned_vnd=Decimal(amount))


class TwoPlanBasesTests(TestCase):
    """Growth on first-approved plans (the ministry's convention), completion on revised plans:
    the arithmetic of the northern report (example_north_2017.md)."""

    @classmethod
    def setUpTestData(cls):
        cls.ha_noi = factories.province("01")
        _revised(factories.budget_plan(cls.ha_noi, 2016, 44_930), 56_310)  # supplementary KCQG allocation
        _revised(factories.budget_plan(cls.ha_noi, 2016, 66_180, fund=KCDP), 70_850)
        factories.budget_plan(cls.ha_noi, 2017, 49_800)
        factories.budget_plan(cls.ha_noi, 2017, 77_570, fund=KCDP)
        project = factories.project(cls.ha_noi, 2016, support_vnd=60_000, status_date=D(2016, 3, 1))
        _pay(project, D(2016, 10, 1), 56_300)

    def test_growth_compares_first_approved_plans_and_revised_growth_the_revised_ones(self):
        result = _summary(2017, scope=selectors.Scope(province=self.ha_noi))
        self.assertEqual(progress.round_pct(result.funds[KCQG].plan_growth_pct), Decimal("10.84"))
        self.assertEqual(progress.round_pct(result.funds[KCDP].plan_growth_pct), Decimal("17.21"))
        self.assertEqual(progress.round_pct(result.total.plan_growth_pct), Decimal("14.63"))
        self.assertEqual(progress.round_pct(result.funds[KCQG].revised_plan_growth_pct), Decimal("-11.56"))
        self.assertEqual(result.total.original_plan_prev_vnd, 44_930 + 66_180)
        self.assertEqual(result.total.plan_prev_vnd, 56_310 + 70_850)

    def test_completion_divides_by_the_revised_plan(self):
        result = _summary(2016, scope=selectors.Scope(province=self.ha_noi))
        self.assertEqual(result.funds[KCQG].plan_vnd, 56_310)
        self.assertEqual(result.funds[KCQG].original_plan_vnd, 44_930)
        self.assertEqual(progress.round_pct(result.funds[KCQG].completion_pct), Decimal("99.98"))
        row = result.provinces[0]
        self.assertEqual((row.plan_total_vnd, row.original_plan_total_vnd), (56_310 + 70_850, 44_930 + 66_180))


class RegionsFrom2025Tests(TestCase):
    """Since the merger Thanh Hóa, Nghệ An and Hà Tĩnh meet with the centre; a region's year is
    the territory of its provinces in force at the year's end."""

    @classmethod
    def setUpTestData(cls):
        cls.north = Region.objects.get(code="north")
        cls.centre = Region.objects.get(code="central_highlands")
        cls.old_thanh_hoa, cls.thanh_hoa = factories.province("38"), factories.province("38", new_era=True)
        cls.old_ha_noi = factories.province("01")
        factories.budget_plan(cls.old_thanh_hoa, 2024, 800)
        factories.budget_plan(cls.old_thanh_hoa, 2025, 1_000)
        factories.budget_plan(cls.old_ha_noi, 2024, 2_000)
        factories.budget_plan(cls.old_ha_noi, 2025, 2_200)
        factories.budget_plan(cls.thanh_hoa, 2026, 1_100)
        project = factories.project(cls.old_thanh_hoa, 2025, support_vnd=900, status_date=D(2025, 2, 1))
        _pay(project, D(2025, 5, 1), 600)

    def test_the_34_provinces_meet_as_15_11_8(self):
        counts = {
            code: _summary(2026, scope=selectors.Scope(region=Region.objects.get(code=code))).province_count
            for code in ("north", "central_highlands", "south")
        }
        self.assertEqual(counts, {"north": 15, "central_highlands": 11, "south": 8})
        self.assertEqual(_summary(2016, scope=selectors.Scope(region=self.north)).province_count, 28)

    def test_in_2025_the_centre_counts_old_thanh_hoas_first_half_and_the_north_does_not(self):
        centre = _summary(2025, scope=selectors.Scope(region=self.centre))
        north = _summary(2025, scope=selectors.Scope(region=self.north))
        self.assertEqual(centre.total.plan_vnd, 1_000)
        self.assertEqual(centre.total.actual_vnd, 600)
        self.assertEqual(north.total.plan_vnd, 2_200)
        self.assertIsNone(north.total.actual_vnd)  # no northern project in 2025

    def test_growth_compares_the_same_territory_across_the_merger(self):
        centre = _summary(2025, scope=selectors.Scope(region=self.centre))
        self.assertEqual(centre.total.original_plan_prev_vnd, 800)  # old Thanh Hóa's 2024 plan
        self.assertEqual(centre.total.plan_growth_pct, Decimal(25))
        north = _summary(2025, scope=selectors.Scope(region=self.north))
        self.assertEqual(north.total.plan_growth_pct, Decimal(10))  # Hà Nội only, both years

    def test_a_year_before_the_merger_keeps_its_own_regions(self):
        north = _summary(2024, scope=selectors.Scope(region=self.north))
        self.assertEqual(north.total.plan_vnd, 2_000 + 800)

    def test_national_region_rows_follow_the_regions_of_the_year(self):
        result = _summary(2025)
        rows = {row.region.code: row for row in result.regions}
        self.assertEqual(rows["central_highlands"].plan_total_vnd, 1_000)
        self.assertEqual(rows["north"].plan_total_vnd, 2_200)
        self.assertEqual(rows["central_highlands"].province_count, 11)


class NoDataTests(TestCase):
    """A figure with no record behind it is None ("chưa có số liệu"), never 0."""

    def test_a_year_without_records_has_no_figure_at_all(self):
        result = _summary(2015)
        for fund in (KCQG, KCDP, "total"):
            figures = result.funds[fund]
            self.assertIsNone(figures.plan_vnd)
            self.assertIsNone(figures.actual_vnd)
            self.assertIsNone(figures.completion_pct)
            self.assertIsNone(figures.plan_growth_pct)
            self.assertIsNone(figures.plan_share_pct)
        self.assertTrue(all(i.target is None and i.actual is None for i in result.indicators))
        self.assertTrue(all(row.plan_total_vnd is None for row in result.provinces))

    def test_a_plan_without_projects_has_a_plan_and_no_actual(self):
        long_an = factories.province("80")
        factories.budget_plan(long_an, 2015, 1_000)
        result = _summary(2015, scope=selectors.Scope(province=long_an))
        self.assertEqual(result.funds[KCQG].plan_vnd, 1_000)
        self.assertIsNone(result.funds[KCDP].plan_vnd)
        self.assertEqual(result.total.plan_vnd, 1_000)
        self.assertIsNone(result.total.actual_vnd)
        self.assertIsNone(result.total.completion_pct)

    def test_a_project_with_nothing_paid_yet_is_a_real_zero(self):
        long_an = factories.province("80")
        factories.budget_plan(long_an, 2016, 1_000)
        factories.project(long_an, 2016, support_vnd=500, status_date=D(2016, 3, 1))
        result = _summary(2016, scope=selectors.Scope(province=long_an))
        self.assertEqual(result.funds[KCQG].actual_vnd, 0)
        self.assertEqual(result.funds[KCQG].completion_pct, 0)
        self.assertIsNone(result.funds[KCDP].actual_vnd)
        trained = next(i for i in result.indicators if i.code == "trained_workers")
        self.assertEqual((trained.target, trained.actual), (None, 0))
