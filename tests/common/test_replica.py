"""Figure reads on a replica (common/replica.py): the router's rules, then a second database
alias mirroring the test database, through which `summary()` and the dashboard are served."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import replica
from common.replica import REPLICA, ReplicaRouter, figures_from_replica
from programmes import services
from programmes.models import Disbursement
from programmes.selectors import summary
from tests import factories
from tests.transactional import SeededTransactionTestCase

YEAR = 2024


class RouterRuleTests(SimpleTestCase):
    router = ReplicaRouter()

    def read(self):
        return self.router.db_for_read(Disbursement)

    def test_without_a_replica_everything_reads_the_primary(self):
        with mock.patch.object(replica, "replica_configured", return_value=False):
            self.assertIsNone(figures_from_replica(self.read)())

    def test_a_figure_read_goes_to_the_replica_outside_a_transaction(self):
        with (
            mock.patch.object(replica, "replica_configured", return_value=True),
            mock.patch.object(connections[DEFAULT_DB_ALIAS], "in_atomic_block", False),
        ):
            self.assertEqual(figures_from_replica(self.read)(), REPLICA)
            self.assertIsNone(self.read())  # not a figure read: the primary

    def test_inside_a_transaction_the_primary_reads_its_own_writes(self):
        with (
            mock.patch.object(replica, "replica_configured", return_value=True),
            mock.patch.object(connections[DEFAULT_DB_ALIAS], "in_atomic_block", True),
        ):
            self.assertIsNone(figures_from_replica(self.read)())

    def test_the_context_ends_with_the_call_even_when_it_raises(self):
        def failing():
            raise ValueError("boom")

        with self.assertRaises(ValueError):
            figures_from_replica(failing)()
        with mock.patch.object(replica, "replica_configured", return_value=True):
            self.assertIsNone(self.read())

    def test_writes_and_migrations_stay_on_the_primary(self):
        self.assertIsNone(figures_from_replica(lambda: self.router.db_for_write(Disbursement))())
        self.assertFalse(self.router.allow_migrate(REPLICA, "programmes"))
        self.assertIsNone(self.router.allow_migrate(DEFAULT_DB_ALIAS, "programmes"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a replica is a PostgreSQL set-up")
class ReplicaAliasTests(SeededTransactionTestCase):
    """A second alias to the same test database, as DATABASE_REPLICA_URL would configure it
    (khuyencong/settings.py: TEST MIRROR of the primary). Transactional, so that what the primary
    commits is what the second connection sees, as on a real replica. PostgreSQL only (CI's
    second pass): the replica is a PostgreSQL feature, and SQLite's shared in-memory test
    database, opened twice, read the rollup's trigger rows late in about one run in four."""

    databases = {DEFAULT_DB_ALIAS, REPLICA}

    @classmethod
    def setUpClass(cls):
        connections.settings[REPLICA] = {**connections.settings[DEFAULT_DB_ALIAS], "TEST": {"MIRROR": DEFAULT_DB_ALIAS}}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]

    def setUp(self):
        self.province = factories.province("01")
        factories.budget_plan(self.province, YEAR, 1_000_000_000)
        project = factories.project(self.province, YEAR, support_vnd=600_000_000)
        services.disbursement_create(project=project, date=datetime.date(YEAR, 5, 10), amount_vnd=Decimal(250_000_000))

    def test_summary_reads_the_replica_and_computes_the_same_figures(self):
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        ):
            result = summary(year=YEAR, today=datetime.date(YEAR, 12, 31))
        self.assertEqual(result.total.actual_vnd, Decimal(250_000_000))
        self.assertEqual(result.total.plan_vnd, Decimal(1_000_000_000))
        # Every one of summary's 6 (tests/programmes/test_selectors.py): provinces with regions,
        # plans with disbursements, projects, the indicators with their targets and outputs, the
        # reporting calendar, reporting periods.
        self.assertEqual(len(on_replica), 6)
        self.assertEqual(len(on_primary), 0)

    def test_inside_a_transaction_summary_reads_the_primary(self):
        with transaction.atomic(), CaptureQueriesContext(connections[REPLICA]) as on_replica:
            result = summary(year=YEAR, today=datetime.date(YEAR, 12, 31))
        self.assertEqual(result.total.actual_vnd, Decimal(250_000_000))
        self.assertEqual(len(on_replica), 0)

    def test_the_dashboard_keeps_the_session_on_the_primary(self):
        self.client.force_login(factories.member("ministry"))
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        ):
            response = self.client.get(reverse("reports:national"), {"year": YEAR})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(on_replica.captured_queries)
        primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
        self.assertIn("django_session", primary_sql)
        self.assertNotIn("django_session", " ".join(q["sql"] for q in on_replica.captured_queries))
