"""The figures' rollup tables (programmes/models/rollup.py): kept exact by the database triggers
through every door, rebuilt and checked by the two commands, and read by the summary for whole
months with the raw rows for the rest of a cut-off's month.

The same tests run on SQLite and on PostgreSQL (scripts/with-postgres.sh), so they show the
triggers of both vendors."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from programmes import selectors, services
from programmes.models import (
    Disbursement,
    DisbursementKind,
    DisbursementRollup,
    FundingSource,
    OutputRollup,
    Project,
    ProjectOutput,
    install_triggers,
    signed_amount_vnd,
)
from programmes.selectors.rollup import figure_differences
from programmes.selectors.summaries import _actuals
from programmes.services.rollup import rebuild_figures
from tests import factories

D = datetime.date
KCQG, KCDP = FundingSource.KCQG, FundingSource.KCDP
MILLION = 1_000_000


def _pay(project, day, amount, kind=DisbursementKind.PAYMENT):
    return services.disbursement_create(project=project, date=day, amount_vnd=Decimal(amount), kind=kind)


def _rollup_of(project_year, province, fund):
    """{month: (total, count)} of the rollup for one key."""
    return {
        r.month: (r.total_vnd, r.row_count)
        for r in DisbursementRollup.objects.filter(project_year=project_year, province=province, funding_source=fund)
    }


class TriggerDoorTests(TestCase):
    """Writes that bypass the services (admin bulk actions, scripts, bulk loads) keep the rollup
    exact too: the triggers are in the database."""

    @classmethod
    def setUpTestData(cls):
        cls.binh_duong = factories.province("74")
        cls.hanoi = factories.province("01")
        cls.project = factories.project(cls.binh_duong, 2016, support_vnd=900 * MILLION, status_date=D(2016, 3, 1))

    def test_a_payment_and_a_recovery_make_one_monthly_row(self):
        _pay(self.project, D(2016, 6, 3), 300 * MILLION)
        _pay(self.project, D(2016, 6, 20), 50 * MILLION, DisbursementKind.RECOVERY)
        _pay(self.project, D(2016, 7, 1), 10 * MILLION, DisbursementKind.ADVANCE)
        self.assertEqual(
            _rollup_of(2016, self.binh_duong, KCQG),
            {D(2016, 6, 1): (250 * MILLION, 2), D(2016, 7, 1): (10 * MILLION, 1)},
        )
        self.assertEqual(figure_differences(), [])

    def test_bulk_create_queryset_update_and_delete_are_counted(self):
        Disbursement.objects.bulk_create(
            [
                Disbursement(project=self.project, date=D(2016, 5, day), amount_vnd=Decimal(MILLION))
                for day in range(1, 6)
            ]
        )
        self.assertEqual(_rollup_of(2016, self.binh_duong, KCQG), {D(2016, 5, 1): (5 * MILLION, 5)})
        # A queryset update (no save(), no signal): two rows move to August, one becomes a recovery.
        Disbursement.objects.filter(date__lte=D(2016, 5, 2)).update(date=D(2016, 8, 31))
        Disbursement.objects.filter(date=D(2016, 5, 3)).update(kind=DisbursementKind.RECOVERY)
        self.assertEqual(
            _rollup_of(2016, self.binh_duong, KCQG),
            {D(2016, 5, 1): (MILLION, 3), D(2016, 8, 1): (2 * MILLION, 2)},
        )
        Disbursement.objects.filter(date__month=5).delete()
        self.assertEqual(_rollup_of(2016, self.binh_duong, KCQG), {D(2016, 8, 1): (2 * MILLION, 2)})
        Disbursement.objects.all().delete()
        self.assertFalse(DisbursementRollup.objects.exists())  # a key with no row left is gone
        self.assertEqual(figure_differences(), [])

    def test_raw_sql_is_counted(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO programmes_disbursement (created_at, updated_at, date, amount_vnd, kind, document_number,"
                " note, project_id) VALUES (%s, %s, %s, %s, 'payment', '', '', %s)",
                [
                    datetime.datetime(2016, 4, 2, tzinfo=datetime.UTC),
                    datetime.datetime(2016, 4, 2, tzinfo=datetime.UTC),
                    D(2016, 4, 2),
                    7 * MILLION,
                    self.project.pk,
                ],
            )
        self.assertEqual(_rollup_of(2016, self.binh_duong, KCQG), {D(2016, 4, 1): (7 * MILLION, 1)})
        self.assertEqual(figure_differences(), [])

    def test_a_project_changing_province_year_or_fund_moves_its_sums(self):
        _pay(self.project, D(2016, 4, 2), 100 * MILLION)
        _pay(self.project, D(2016, 9, 2), 20 * MILLION, DisbursementKind.RECOVERY)
        services.output_create(project=self.project, indicator=factories.indicator(), date=D(2016, 4, 5), value=12)
        Project.objects.filter(pk=self.project.pk).update(province=self.hanoi, funding_source=KCDP)
        self.assertEqual(_rollup_of(2016, self.binh_duong, KCQG), {})
        self.assertEqual(
            _rollup_of(2016, self.hanoi, KCDP), {D(2016, 4, 1): (100 * MILLION, 1), D(2016, 9, 1): (-20 * MILLION, 1)}
        )
        self.assertEqual(
            list(OutputRollup.objects.values_list("province_id", "project_year", "month", "total", "row_count")),
            [(self.hanoi.pk, 2016, D(2016, 4, 1), 12, 1)],
        )
        Project.objects.filter(pk=self.project.pk).update(year=2017)
        self.assertEqual(set(DisbursementRollup.objects.values_list("project_year", flat=True)), {2017})
        self.assertEqual(figure_differences(), [])

    def test_an_output_changing_indicator_value_or_month_moves_its_sum(self):
        output = services.output_create(
            project=self.project, indicator=factories.indicator(), date=D(2016, 4, 5), value=12
        )
        ProjectOutput.objects.filter(pk=output.pk).update(
            indicator=factories.indicator("demonstration_models"), date=D(2016, 5, 31), value=3
        )
        self.assertEqual(
            list(OutputRollup.objects.values_list("indicator__code", "month", "total", "row_count")),
            [("demonstration_models", D(2016, 5, 1), 3, 1)],
        )
        output.refresh_from_db()
        services.output_delete(output=output)
        self.assertFalse(OutputRollup.objects.exists())

    def test_a_refused_write_leaves_the_rollup_as_it_was(self):
        _pay(self.project, D(2016, 4, 2), 800 * MILLION)
        before = _rollup_of(2016, self.binh_duong, KCQG)
        with pytest.raises(ValidationError):
            _pay(self.project, D(2016, 4, 3), 200 * MILLION)  # over the support
        self.assertEqual(_rollup_of(2016, self.binh_duong, KCQG), before)
        with pytest.raises(ValidationError), transaction.atomic():
            # A write that the database accepts, undone by a later refusal in the same transaction.
            Disbursement.objects.create(project=self.project, date=D(2016, 4, 4), amount_vnd=Decimal(MILLION))
            raise ValidationError("refused later")
        self.assertEqual(_rollup_of(2016, self.binh_duong, KCQG), before)

    def test_installing_the_triggers_again_changes_nothing(self):
        # migrate re-installs them every time (a rebuilt SQLite table loses its triggers).
        install_triggers(connection)
        install_triggers(connection)
        _pay(self.project, D(2016, 4, 2), 5 * MILLION)
        self.assertEqual(_rollup_of(2016, self.binh_duong, KCQG), {D(2016, 4, 1): (5 * MILLION, 1)})


class CommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.binh_duong = factories.province("74")
        cls.project = factories.project(cls.binh_duong, 2016, support_vnd=900 * MILLION, status_date=D(2016, 3, 1))
        _pay(cls.project, D(2016, 6, 3), 300 * MILLION)
        services.output_create(project=cls.project, indicator=factories.indicator(), date=D(2016, 6, 30), value=40)

    def _check(self):
        out, err = io.StringIO(), io.StringIO()
        code = 0
        try:
            call_command("check_figures", stdout=out, stderr=err)
        except SystemExit as exit_:
            code = exit_.code
        return code, out.getvalue(), err.getvalue()

    def test_check_figures_passes_when_the_rollup_is_exact(self):
        code, out, err = self._check()
        self.assertEqual((code, err), (0, ""))
        self.assertIn("Đã kiểm tra số liệu", out)

    def test_check_figures_names_each_difference_and_exits_1_and_rebuild_repairs_it(self):
        DisbursementRollup.objects.update(total_vnd=301 * MILLION)
        OutputRollup.objects.all().delete()
        code, out, err = self._check()
        self.assertEqual(code, 1)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 3, err)
        self.assertIn("Giải ngân", lines[0])
        self.assertIn("Bình Dương", lines[0])
        self.assertIn("06/2016", lines[0])
        self.assertIn("301.000.000", lines[0])
        self.assertIn("300.000.000", lines[0])
        self.assertIn("Kết quả", lines[1])
        self.assertIn("rebuild_figures", lines[2])

        out = io.StringIO()
        call_command("rebuild_figures", stdout=out)
        self.assertIn("1", out.getvalue())
        self.assertEqual(self._check()[0], 0)

    def test_rebuild_writes_what_the_triggers_wrote(self):
        before = sorted(DisbursementRollup.objects.values_list("project_year", "province", "month", "total_vnd"))
        self.assertEqual(rebuild_figures(), {"disbursements": 1, "outputs": 1})
        after = sorted(DisbursementRollup.objects.values_list("project_year", "province", "month", "total_vnd"))
        self.assertEqual(before, after)


def _raw_actuals(year, earlier, as_of):
    """The summary's actuals summed from the raw rows only (the code before the rollup)."""
    rows = (
        Disbursement.objects.filter(
            Q(project__year=year, date__lte=as_of) | Q(project__year__in=earlier, date__year__lte=F("project__year"))
        )
        .values_list("project__year", "project__province_id", "project__funding_source")
        .annotate(total=Sum(signed_amount_vnd()))
        .order_by()
    )
    return {(y, pid, fund): total for y, pid, fund, total in rows}


# ---- random sequences of service writes ----------------------------------------------------------

PROJECTS = 3
operation = st.one_of(
    st.tuples(
        st.just("pay"),
        st.integers(0, PROJECTS - 1),
        st.integers(0, 500),  # days after 1 March of the project's year
        st.integers(1, 300),  # millions
        st.sampled_from(DisbursementKind.values),
    ),
    st.tuples(st.just("change_payment"), st.integers(0, 50), st.integers(0, 500), st.integers(1, 300)),
    st.tuples(st.just("retype_payment"), st.integers(0, 50), st.sampled_from(DisbursementKind.values)),
    st.tuples(st.just("delete_payment"), st.integers(0, 50)),
    st.tuples(st.just("output"), st.integers(0, PROJECTS - 1), st.integers(0, 500), st.integers(1, 50)),
    st.tuples(st.just("change_output"), st.integers(0, 50), st.integers(0, 500), st.integers(1, 50)),
    st.tuples(st.just("delete_output"), st.integers(0, 50)),
    st.tuples(st.just("move_project"), st.integers(0, PROJECTS - 1), st.integers(0, 4), st.sampled_from([KCQG, KCDP])),
    st.tuples(st.just("payments_together"), st.integers(0, PROJECTS - 1), st.integers(0, 500), st.integers(1, 100)),
)


class RandomWritesPropertyTests(HypothesisTestCase):
    """After every service write of a random sequence (creations, changes, deletions,
    recoveries, dates moved across months and years, projects moved to another province of
    another era or fund), the rollup equals the raw rows, and the summary's actuals for random
    cut-offs equal the raw-row sums."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=st.lists(operation, min_size=1, max_size=12), cutoffs=st.lists(st.integers(0, 700), max_size=3))
    def test_rollup_equals_raw_after_each_write(self, steps, cutoffs):
        # Bình Dương and HCMC before the 2025 merger, HCMC after it, Hà Nội before, Hà Nội after.
        places = [
            factories.province("74"),
            factories.province("79"),
            factories.province("79", new_era=True),
            factories.province("01"),
            factories.province("01", new_era=True),
        ]
        projects = [
            factories.project(places[0], 2025, support_vnd=2_000 * MILLION, status_date=D(2025, 3, 1)),
            factories.project(places[2], 2025, support_vnd=2_000 * MILLION, status_date=D(2025, 7, 15), fund=KCDP),
            factories.project(places[3], 2024, support_vnd=2_000 * MILLION, status_date=D(2024, 3, 1)),
        ]
        indicators = [factories.indicator(), factories.indicator("demonstration_models")]

        def day(project, offset):
            return project.contract_date() + datetime.timedelta(days=offset)

        def nth(model, index):
            rows = list(model.objects.order_by("pk"))
            return rows[index % len(rows)] if rows else None

        for step in steps:
            kind, *args = step
            try:
                if kind == "pay":
                    index, offset, millions, money_kind = args
                    project = projects[index]
                    _pay(project, day(project, offset), millions * MILLION, money_kind)
                elif kind == "change_payment":
                    index, offset, millions = args
                    row = nth(Disbursement, index)
                    if row:
                        services.disbursement_update(
                            disbursement=row, date=day(row.project, offset), amount_vnd=Decimal(millions * MILLION)
                        )
                elif kind == "retype_payment":
                    index, money_kind = args
                    row = nth(Disbursement, index)
                    if row:
                        services.disbursement_update(disbursement=row, kind=money_kind)
                elif kind == "delete_payment":
                    row = nth(Disbursement, args[0])
                    if row:
                        services.disbursement_delete(disbursement=row)
                elif kind == "output":
                    index, offset, value = args
                    project = projects[index]
                    services.output_create(
                        project=project, indicator=indicators[value % 2], date=day(project, offset), value=value
                    )
                elif kind == "change_output":
                    index, offset, value = args
                    row = nth(ProjectOutput, index)
                    if row:
                        services.output_update(
                            output=row, date=day(row.project, offset), value=value, indicator=indicators[offset % 2]
                        )
                elif kind == "delete_output":
                    row = nth(ProjectOutput, args[0])
                    if row:
                        services.output_delete(output=row)
                elif kind == "move_project":
                    index, place, fund = args
                    project = Project.objects.get(pk=projects[index].pk)
                    services.project_update(project=project, province=places[place], funding_source=fund)
                elif kind == "payments_together":
                    index, offset, millions = args
                    project = Project.objects.get(pk=projects[index].pk)
                    stored = list(project.disbursements.order_by("pk"))
                    rows = [
                        Disbursement(
                            project=project, date=day(project, offset), amount_vnd=Decimal(millions * MILLION)
                        ),
                        Disbursement(
                            project=project,
                            date=day(project, offset + 31),
                            amount_vnd=Decimal(MILLION),
                            kind=DisbursementKind.RECOVERY,
                        ),
                    ]
                    services.disbursements_save(project=project, rows=rows, deleted=stored[:1])
            except ValidationError:
                pass  # a refusal is a legitimate outcome; it must leave the rollup exact too
            projects = [Project.objects.get(pk=p.pk) for p in projects]
            self.assertEqual(figure_differences(), [], step)

        for offset in cutoffs:
            as_of = D(2024, 3, 1) + datetime.timedelta(days=offset)
            for year in (as_of.year - 1, as_of.year):
                earlier = [year - 1]
                self.assertEqual(
                    {key: total for key, total in _actuals(year, earlier, as_of).items() if total},
                    {key: total for key, total in _raw_actuals(year, earlier, as_of).items() if total},
                    (year, as_of),
                )


class SummaryReadsTheRollupTests(TestCase):
    """The summary's figures for cut-offs inside and at the end of a month, equal to the raw
    rows', in the same 8 queries."""

    @classmethod
    def setUpTestData(cls):
        cls.binh_duong = factories.province("74")
        cls.project = factories.project(cls.binh_duong, 2016, support_vnd=900 * MILLION, status_date=D(2016, 3, 1))
        _pay(cls.project, D(2016, 5, 31), 100 * MILLION)
        _pay(cls.project, D(2016, 6, 1), 200 * MILLION)
        _pay(cls.project, D(2016, 6, 15), 30 * MILLION, DisbursementKind.RECOVERY)
        _pay(cls.project, D(2016, 6, 30), 5 * MILLION)
        services.output_create(project=cls.project, indicator=factories.indicator(), date=D(2016, 6, 1), value=4)
        services.output_create(project=cls.project, indicator=factories.indicator(), date=D(2016, 6, 16), value=6)

    def _figures(self, as_of):
        result = selectors.summary(
            year=2016, as_of=as_of, scope=selectors.Scope(province=self.binh_duong), today=D(2026, 11, 22)
        )
        trained = next(i for i in result.indicators if i.code == "trained_workers")
        return result.total.actual_vnd, trained.actual

    def test_cut_offs_inside_and_at_the_end_of_a_month(self):
        self.assertEqual(self._figures(D(2016, 5, 30)), (0, 0))
        self.assertEqual(self._figures(D(2016, 5, 31)), (100 * MILLION, 0))  # a whole month: rollup only
        self.assertEqual(self._figures(D(2016, 6, 1)), (300 * MILLION, 4))  # May from the rollup, 1 June raw
        self.assertEqual(self._figures(D(2016, 6, 15)), (270 * MILLION, 4))
        self.assertEqual(self._figures(D(2016, 6, 29)), (270 * MILLION, 10))
        self.assertEqual(self._figures(D(2016, 6, 30)), (275 * MILLION, 10))

    def test_the_same_queries_inside_a_month_and_at_its_end(self):
        provinces = selectors.ProvinceMap.load()
        for as_of in (D(2016, 6, 15), D(2016, 6, 30)):
            # plans, projects, disbursements (rollup ∪ raw days), targets, outputs (rollup ∪ raw
            # days), indicators, deadlines, reporting periods: 8, with the provinces given.
            with self.assertNumQueries(8):
                selectors.summary(year=2016, as_of=as_of, provinces=provinces, today=D(2026, 11, 22), trend_years=3)
