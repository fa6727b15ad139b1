"""The figures' cache (programmes/selectors/figure_cache.py) and the data versions it keys on
(programmes/models/versions.py): hits and misses, a write to a year invalidating exactly the
summaries that read that year, every write path bumping its year, and, on PostgreSQL, writers in
different provinces not waiting for each other.

The tests that write after reading run in committed transactions (SeededTransactionTestCase):
on PostgreSQL the versions are bumped at commit, which a TestCase never reaches. They run on
SQLite and on PostgreSQL (scripts/with-postgres.sh)."""

import datetime
import io
import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from programmes import importer, services
from programmes.models import (
    BudgetPlan,
    Disbursement,
    DisbursementKind,
    FigureVersion,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
)
from programmes.selectors import Scope, summary
from programmes.selectors.figure_cache import CACHE, data_versions, summary_years
from programmes.services.rollup import forget_cached_figures, rebuild_figures
from tests import factories
from tests.transactional import SeededTransactionTestCase

D = datetime.date
MILLION = 1_000_000
CACHE_ON = override_settings(FIGURES_CACHE=True)
TODAY = D(2026, 12, 3)
POSTGRES_ONLY = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")

# The queries of a summary through the cache, with the database cache inside a test's transaction:
HIT = 2  # the data versions (one grouped sum), the cache's read
# A miss: the versions, the cache's read, the summary's own 6 (provinces with regions, approved
# plans with the disbursements, projects by status and fund, the indicators with their targets and
# outputs, the reporting calendar, reporting periods), then the cache's write: savepoint, count of entries, the key's
# row, insert, release.
MISS = 2 + 6 + 5
# The same outside a test's transaction: the cache's write is its own transaction (count of
# entries, BEGIN, the key's row, insert, COMMIT).
MISS_COMMITTED = 2 + 6 + 5


def _through_cache(test, expected_queries: int, **arguments):
    with test.assertNumQueries(expected_queries):
        return summary(today=TODAY, **arguments)


def _computed(**arguments):
    with override_settings(FIGURES_CACHE=False):
        return summary(today=TODAY, **arguments)


class SummaryYearsTests(SimpleTestCase):
    def test_a_summary_reads_its_year_the_year_before_and_its_trend(self):
        self.assertEqual(summary_years(2026), [2025, 2026])
        self.assertEqual(summary_years(2026, 1), [2025, 2026])
        self.assertEqual(summary_years(2026, 10), list(range(2017, 2027)))  # trend 2017–2026, growth 2025
        self.assertEqual(summary_years(2026, 12), list(range(2015, 2027)))


class SummaryReadsOnlyItsYearsTests(TestCase):
    """`summary_years` is what the summary reads: records of any other year change nothing."""

    @classmethod
    def setUpTestData(cls):
        cls.binh_duong = factories.province("74")
        cls.staff = factories.member("province_staff", cls.binh_duong, username="staff")
        for year in (2022, 2023, 2024):
            cls._records(year)

    @classmethod
    def _records(cls, year, *, fund=FundingSource.KCQG):
        factories.budget_plan(cls.binh_duong, year, 2_000 * MILLION, fund)
        factories.target(cls.binh_duong, year, "trained_workers", 50)
        project = factories.project(cls.binh_duong, year, fund=fund, status_date=D(year, 2, 1))
        services.disbursement_create(project=project, date=D(year, 5, 4), amount_vnd=Decimal(100 * MILLION))
        services.output_create(project=project, indicator=factories.indicator(), date=D(year, 6, 1), value=7)
        services.period_submit(province=cls.binh_duong, year=year, period="H1", user=cls.staff, today=D(year, 7, 2))

    def test_records_of_other_years_change_no_figure_and_records_of_its_years_do(self):
        before = {trend: _computed(year=2024, trend_years=trend) for trend in (0, 2)}
        for year in (2021, 2025):  # outside [2023, 2024] and [2022, 2023, 2024]
            self._records(year, fund=FundingSource.KCDP)
        for trend, figures in before.items():
            self.assertEqual(_computed(year=2024, trend_years=trend), figures)
        # Inside: the year before (growth) and the trend's first year.
        factories.budget_plan(self.binh_duong, 2023, 300 * MILLION, FundingSource.KCDP)
        self.assertNotEqual(_computed(year=2024).funds, before[0].funds)
        factories.budget_plan(self.binh_duong, 2022, 300 * MILLION, FundingSource.KCDP)
        self.assertNotEqual(_computed(year=2024, trend_years=2).trend, before[2].trend)


@CACHE_ON
class HitAndMissTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.binh_duong = factories.province("74")
        cls.hanoi = factories.province("01")
        factories.budget_plan(cls.binh_duong, 2024, 2_000 * MILLION)
        project = factories.project(cls.binh_duong, 2024)
        services.disbursement_create(project=project, date=D(2024, 5, 4), amount_vnd=Decimal(100 * MILLION))

    def test_the_second_summary_is_read_from_the_cache(self):
        first = _through_cache(self, MISS, year=2024)
        second = _through_cache(self, HIT, year=2024)
        self.assertEqual(second, first)
        self.assertEqual(second, _computed(year=2024))
        self.assertEqual(second.funds["total"].actual_vnd, 100 * MILLION)

    def test_the_callers_provinces_are_not_used_for_an_entry(self):
        # A miss loads its own provinces after reading the versions (rule 6): the same 6 queries.
        _through_cache(self, MISS, year=2024, provinces=None)
        _through_cache(self, HIT, year=2024)

    def test_every_argument_that_changes_the_figures_is_in_the_key(self):
        variants = [
            {"year": 2024},
            {"year": 2024, "as_of": D(2024, 6, 30)},
            {"year": 2024, "scope": Scope(province=self.binh_duong)},
            {"year": 2024, "scope": Scope(province=self.hanoi)},
            {"year": 2024, "scope": Scope(region=self.binh_duong.region)},
            {"year": 2024, "trend_years": 10},
            {"year": 2024, "region_year": 2025},
            {"year": 2024, "listed_on": D(2024, 6, 30)},
            {"year": 2023},
        ]
        for arguments in variants:
            _through_cache(self, MISS, **arguments)
        for arguments in variants:
            self.assertEqual(_through_cache(self, HIT, **arguments), _computed(**arguments))
        with self.assertNumQueries(MISS):  # another day: lateness of the reports is counted on `today`
            summary(year=2024, today=TODAY + datetime.timedelta(days=1))

    def test_inside_a_transaction_the_cache_is_neither_read_nor_written(self):
        _through_cache(self, MISS, year=2024)
        with transaction.atomic():
            # The summary's 6 queries and nothing else, twice (rule 4: no pairing of uncommitted
            # figures with a key).
            _through_cache(self, 6, year=2024)
            _through_cache(self, 6, year=2024, as_of=D(2024, 3, 31))
        _through_cache(self, MISS, year=2024, as_of=D(2024, 3, 31))  # nothing was stored

    def test_a_cache_that_fails_leaves_the_figures_computed(self):
        with (
            mock.patch.object(type(caches[CACHE]), "get", side_effect=OSError("cache down")),
            self.assertLogs("programmes.selectors.figure_cache", "ERROR"),
        ):
            result = _through_cache(self, 1 + 6, year=2024)  # the versions, the summary's 6
        self.assertEqual(result, _computed(year=2024))

    def test_the_setting_turns_the_cache_off(self):
        with override_settings(FIGURES_CACHE=False):
            _through_cache(self, 6, year=2024)
            _through_cache(self, 6, year=2024)

    def test_the_summary_api_through_the_cache(self):
        user = factories.member("ministry", username="ministry")
        _instance, token = ApiToken.objects.create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        url = "/api/v1/reports/summary/"
        # Uncached: the token (its row with the user, the user's other tokens, its last use),
        # the user's role, the filter form's provinces, then the JSON's miss: its versions and
        # cache read, the summary's miss (versions, cache read, its 6, the cache write's 5), and
        # the JSON's cache write (5).
        with self.assertNumQueries(5 + 2 + MISS + 5):
            first = client.get(url, {"year": 2024})
        # Cached: the token (with its user, and the user's other tokens; its last use is written
        # once a minute at most), the role, the provinces, then the JSON's versions and cache read.
        with self.assertNumQueries(4 + HIT):
            second = client.get(url, {"year": 2024})
        self.assertEqual(first.status_code, 200)
        self.assertEqual(second.json(), first.json())


class CommittedTestCase(SeededTransactionTestCase):
    """Committed writes, and an empty figures' cache before and after each test: the flush
    between tests empties the version table (which never happens otherwise: the counters only
    grow), so the same counters come back with other data, while the cache's table is not a
    model's and keeps its rows."""

    def setUp(self):
        caches[CACHE].clear()
        self.addCleanup(caches[CACHE].clear)
        super().setUp()


def _version(year: int) -> int:
    return data_versions([year])[0]


def _reference() -> int:
    return data_versions([])[-1]


@CACHE_ON
class InvalidationTests(CommittedTestCase):
    """A write to 2026 invalidates every summary that reads 2026 and no other."""

    def setUp(self):
        super().setUp()
        self.binh_duong = factories.province("74")
        self.hanoi_2026 = factories.province("01", new_era=True)
        self.hue_2026 = factories.province("46", new_era=True)
        factories.budget_plan(self.binh_duong, 2024, 2_000 * MILLION)
        factories.budget_plan(self.hanoi_2026, 2026, 3_000 * MILLION)
        factories.budget_plan(self.hanoi_2026, 2027, 3_500 * MILLION)
        self.project = factories.project(self.hanoi_2026, 2026, status_date=D(2026, 2, 1))

    def test_a_write_to_2026_invalidates_exactly_the_summaries_that_read_2026(self):
        reads_2026 = [
            {"year": 2026},
            {"year": 2026, "scope": Scope(province=self.hue_2026)},  # another province: shares the nation
            {"year": 2026, "scope": Scope(region=self.hue_2026.region)},
            {"year": 2024, "trend_years": 10},  # no: 2015–2024
            {"year": 2027},  # growth against 2026's plans
            {"year": 2027, "trend_years": 10},
        ]
        reads_2026 = [a for a in reads_2026 if 2026 in summary_years(a["year"], a.get("trend_years", 0))]
        keeps = [{"year": 2024}, {"year": 2025}, {"year": 2024, "trend_years": 10}]
        for arguments in reads_2026 + keeps:
            summary(today=TODAY, **arguments)
        services.disbursement_create(project=self.project, date=D(2026, 5, 4), amount_vnd=Decimal(70 * MILLION))
        for arguments in keeps:
            with self.assertNumQueries(HIT):  # still cached
                cached = summary(today=TODAY, **arguments)
            self.assertEqual(cached, _computed(**arguments))
        for arguments in reads_2026:
            with self.assertNumQueries(MISS_COMMITTED):  # computed again
                fresh = summary(today=TODAY, **arguments)
            self.assertEqual(fresh, _computed(**arguments), arguments)
        self.assertEqual(summary(today=TODAY, year=2026).funds["total"].actual_vnd, 70 * MILLION)

    def test_the_summary_apis_json_follows_the_writes(self):
        api = APIClient()
        api.force_authenticate(factories.member("ministry", username="ministry"))
        url = "/api/v1/reports/summary/"
        for step in range(3):
            for query in ({"year": 2026}, {"year": 2026, "province": self.hanoi_2026.pk}, {"year": 2024}):
                with override_settings(FIGURES_CACHE=False):
                    expected = api.get(url, query).json()
                self.assertEqual(api.get(url, query).json(), expected)
            self.assertIsNone(expected["actual_vnd"]["total"])  # 2024: a plan, no project
            services.disbursement_create(project=self.project, date=D(2026, 3, 2), amount_vnd=Decimal(MILLION))
            with override_settings(FIGURES_CACHE=False):
                nation = api.get(url, {"year": 2026}).json()
            self.assertEqual(api.get(url, {"year": 2026}).json(), nation)
            self.assertEqual(nation["actual_vnd"]["total"], str((step + 1) * MILLION))

    def test_a_reader_never_gets_figures_older_than_the_last_committed_write(self):
        day = D(2026, 3, 2)
        for step in range(1, 6):
            services.disbursement_create(project=self.project, date=day, amount_vnd=Decimal(MILLION))
            for scope in (None, Scope(province=self.hanoi_2026), Scope(province=self.hue_2026)):
                result = summary(year=2026, scope=scope, today=TODAY)
                self.assertEqual(result, _computed(year=2026, scope=scope))
                if scope is None or scope.province == self.hanoi_2026:
                    self.assertEqual(result.funds["total"].actual_vnd, step * MILLION)


@CACHE_ON
class WritePathTests(CommittedTestCase):
    """Every door that writes a figure's records bumps the versions of its year (and only then)."""

    def setUp(self):
        super().setUp()
        self.binh_duong = factories.province("74")
        self.hanoi = factories.province("01")
        self.staff = factories.member("province_staff", self.binh_duong, username="staff")
        self.ministry = factories.member("ministry", username="ministry")
        self.project = factories.project(self.binh_duong, 2024, status_date=D(2024, 2, 1))
        self.indicator = factories.indicator()

    def assertBumps(self, years, write, *, unchanged=(2023,)):
        before = {year: _version(year) for year in (*years, *unchanged)}
        result = write()
        for year in years:
            self.assertGreater(_version(year), before[year], f"{year} not bumped")
        for year in unchanged:
            self.assertEqual(_version(year), before[year], f"{year} bumped")
        return result

    def test_the_services_of_projects(self):
        project = self.assertBumps([2024], lambda: factories.project(self.binh_duong, 2024, support_vnd=100 * MILLION))
        self.assertBumps([2024], lambda: services.project_update(project=project, support_vnd=Decimal(200 * MILLION)))
        self.assertBumps(
            [2024],
            lambda: services.project_transition(project=project, to_status=ProjectStatus.ACCEPTED, date=D(2024, 9, 1)),
        )
        self.assertBumps([], lambda: services.project_update(project=project, title="Tên mới"), unchanged=[2024])
        self.assertBumps([2024], lambda: services.project_delete(project=Project.objects.get(pk=project.pk)))

    def test_the_services_of_disbursements_and_outputs(self):
        paid = self.assertBumps(
            [2024],
            lambda: services.disbursement_create(project=self.project, date=D(2024, 5, 4), amount_vnd=Decimal(MILLION)),
        )
        self.assertBumps(
            [2024], lambda: services.disbursement_update(disbursement=paid, amount_vnd=Decimal(2 * MILLION))
        )
        self.assertBumps([2024], lambda: services.disbursement_delete(disbursement=paid))
        output = self.assertBumps(
            [2024],
            lambda: services.output_create(project=self.project, indicator=self.indicator, date=D(2024, 6, 1), value=3),
        )
        self.assertBumps([2024], lambda: services.output_update(output=output, value=4))
        self.assertBumps([2024], lambda: services.output_delete(output=output))

    def test_plans_targets_revisions_and_approvals(self):
        plan = self.assertBumps(
            [2024],
            lambda: services.budget_plan_save(
                plan=BudgetPlan(
                    province=self.binh_duong, year=2024, funding_source="KCDP", planned_vnd=Decimal(MILLION)
                )
            ),
        )
        self.assertBumps([2024], lambda: services.plan_submit(plan=plan, user=self.staff))
        plan = self.assertBumps(
            [2024],
            lambda: services.plan_approve(
                plan=plan, user=self.ministry, decision_number="12/QĐ-UBND", approved_on=D(2024, 3, 1)
            ),
        )
        self.assertBumps(
            [2024],
            lambda: services.budget_plan_revise(
                plan=plan,
                planned_vnd=Decimal(3 * MILLION),
                decision_number="40/QĐ-UBND",
                decided_on=D(2024, 8, 1),
                reason="Bổ sung kinh phí",
                user=self.ministry,
            ),
        )
        target = self.assertBumps(
            [2024],
            lambda: services.indicator_target_save(
                target=IndicatorTarget(province=self.binh_duong, year=2024, indicator=self.indicator, target=9)
            ),
        )
        self.assertBumps([2024], lambda: services.indicator_target_delete(target=target))

    def test_report_submission_and_approval(self):
        report = self.assertBumps(
            [2024],
            lambda: services.period_submit(
                province=self.binh_duong, year=2024, period="H1", user=self.staff, today=D(2024, 7, 3)
            ),
        )
        self.assertBumps([2024], lambda: services.period_approve(period=report, user=self.ministry))

    def test_bulk_create_queryset_update_and_raw_sql(self):
        self.assertBumps(
            [2024],
            lambda: Disbursement.objects.bulk_create(
                [
                    Disbursement(project=self.project, date=D(2024, 4, day), amount_vnd=Decimal(MILLION))
                    for day in (1, 2)
                ]
            ),
        )
        self.assertBumps([2024], lambda: Disbursement.objects.update(kind=DisbursementKind.ADVANCE))
        self.assertBumps(
            [2024],
            lambda: ProjectOutput.objects.bulk_create(
                [ProjectOutput(project=self.project, indicator=self.indicator, date=D(2024, 4, 1), value=1)]
            ),
        )

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE programmes_budgetplan SET planned_vnd = planned_vnd + 1 WHERE province_id = %s",
                    [self.binh_duong.pk],
                )
                cursor.execute("DELETE FROM programmes_disbursement WHERE project_id = %s", [self.project.pk])

        factories.budget_plan(self.binh_duong, 2024, MILLION)
        self.assertBumps([2024], raw)

    def test_a_project_moved_to_another_year_bumps_both(self):
        services.disbursement_create(project=self.project, date=D(2024, 5, 4), amount_vnd=Decimal(MILLION))
        self.assertBumps(
            [2024, 2023], lambda: Project.objects.filter(pk=self.project.pk).update(year=2023), unchanged=[2022]
        )

    def test_the_bulk_import(self):
        template = importer.build_template(self.binh_duong, 2024)
        from tests.programmes.test_import import appended

        data = appended(template, "Giải ngân", [self.project.code, "05/11/2024", "payment", 50 * MILLION, "UNC-07"])
        report = self.assertBumps([2024], lambda: importer.import_file(data, self.staff, commit=True))
        self.assertTrue(report.committed, report.errors)

    def test_the_admin_and_the_api(self):
        paid = services.disbursement_create(project=self.project, date=D(2024, 5, 4), amount_vnd=Decimal(MILLION))
        admin = Client()
        admin.force_login(self.staff)
        url = reverse("admin:programmes_disbursement_delete", args=[paid.pk])
        self.assertBumps([2024], lambda: admin.post(url, {"post": "yes"}))
        self.assertFalse(Disbursement.objects.filter(pk=paid.pk).exists())
        api = APIClient()
        api.force_authenticate(self.staff)
        response = self.assertBumps(
            [2024],
            lambda: api.post(
                f"/api/v1/projects/{self.project.pk}/disbursements/",
                {"date": "2024-06-03", "amount_vnd": "2000000"},
                format="json",
            ),
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_rebuild_figures_and_reference_data_bump_every_key(self):
        before = _reference()
        rebuild_figures()
        self.assertGreater(_reference(), before)
        before = _reference()
        Indicator.objects.filter(pk=self.indicator.pk).update(name="Lao động được đào tạo nghề")
        self.assertGreater(_reference(), before)

    def test_forgetting_the_cached_figures_makes_every_key_new(self):
        summary(year=2024, today=TODAY)
        before = _reference()
        out = io.StringIO()
        call_command("forget_cached_figures", stdout=out)
        self.assertGreater(_reference(), before + 1_000_000)  # the time in ms: no earlier state had it
        self.assertIn("Đã bỏ số liệu lưu tạm", out.getvalue())
        with self.assertNumQueries(MISS_COMMITTED):
            summary(year=2024, today=TODAY)
        # Twice in the same millisecond still moves it on.
        with mock.patch("programmes.services.rollup.time.time", return_value=0):
            forget_cached_figures()
        self.assertGreater(_reference(), before + 1_000_000)

    def test_one_committed_transaction_bumps_a_year_and_province_once_on_postgresql(self):
        def five_payments():
            with transaction.atomic():
                for day in range(1, 6):
                    services.disbursement_create(
                        project=self.project, date=D(2024, 4, day), amount_vnd=Decimal(MILLION)
                    )

        before = FigureVersion.objects.get(year=2024, province=self.binh_duong.pk).version
        self.assertBumps([2024], five_payments)
        after = FigureVersion.objects.get(year=2024, province=self.binh_duong.pk).version
        # PostgreSQL: once, at commit. SQLite: once per row (one writer at a time anyway).
        self.assertEqual(after - before, 1 if connection.vendor == "postgresql" else 5)


@POSTGRES_ONLY
@CACHE_ON
class ConcurrentWritersTests(CommittedTestCase):
    """Two connections: a transaction left open in one province while another writes and reads."""

    def setUp(self):
        super().setUp()
        self.hanoi = factories.province("01", new_era=True)
        self.hue = factories.province("46", new_era=True)
        self.in_hanoi = factories.project(self.hanoi, 2026, status_date=D(2026, 2, 1))
        self.in_hue = factories.project(self.hue, 2026, status_date=D(2026, 2, 1))
        self.also_in_hue = factories.project(self.hue, 2026, fund=FundingSource.KCDP, status_date=D(2026, 2, 1))

    def open_transaction(self, project):
        """A thread that writes a disbursement of `project` and keeps its transaction open until
        the returned event is set."""
        written, release, errors = threading.Event(), threading.Event(), []

        def run():
            try:
                with transaction.atomic():
                    services.disbursement_create(project=project, date=D(2026, 4, 1), amount_vnd=Decimal(MILLION))
                    written.set()
                    release.wait(20)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
                written.set()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        self.assertTrue(written.wait(20))
        return thread, release, errors

    def timed_write(self, project) -> float:
        started = time.perf_counter()
        services.disbursement_create(project=project, date=D(2026, 5, 1), amount_vnd=Decimal(2 * MILLION))
        return time.perf_counter() - started

    def test_a_writer_in_one_province_does_not_wait_for_an_open_transaction_in_another(self):
        thread, release, errors = self.open_transaction(self.in_hanoi)
        try:
            before = summary(year=2026, today=TODAY)
            self.assertLess(self.timed_write(self.in_hue), 1.0)  # the other holds its row for 20 s
            # The committed write is read at once; the open one is not (its bump comes at commit).
            after = summary(year=2026, today=TODAY)
            self.assertEqual(after.funds["total"].actual_vnd, (before.funds["total"].actual_vnd or 0) + 2 * MILLION)
            # In the same province, another project and fund: no wait either (bumped at commit).
            self.assertLess(self.timed_write(self.also_in_hue), 1.0)
        finally:
            release.set()
            thread.join(30)
        self.assertEqual(errors, [])
        # Committed: every reader now gets the open transaction's payment too.
        self.assertEqual(summary(year=2026, today=TODAY), _computed(year=2026))
        self.assertEqual(summary(year=2026, today=TODAY).funds["total"].actual_vnd, 5 * MILLION)

    def test_a_bump_becomes_visible_exactly_at_commit(self):
        cached = summary(year=2026, today=TODAY)
        versions = data_versions(summary_years(2026))
        thread, release, errors = self.open_transaction(self.in_hanoi)
        try:
            self.assertEqual(data_versions(summary_years(2026)), versions)
            with self.assertNumQueries(HIT):
                self.assertEqual(summary(year=2026, today=TODAY), cached)
        finally:
            release.set()
            thread.join(30)
        self.assertEqual(errors, [])
        self.assertNotEqual(data_versions(summary_years(2026)), versions)
        self.assertEqual(summary(year=2026, today=TODAY).funds["total"].actual_vnd, MILLION)
