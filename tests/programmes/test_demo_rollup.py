"""The demo's rollup, as the database's triggers wrote it during the genuine load, equals the
raw disbursements and outputs (`figure_differences`, what `manage.py check_figures` reports).

tests/demo_db.py replays the recorded rollup rows, not the triggers' work again, so this checks
the load that was recorded; on SQLite in `make test` and on PostgreSQL in CI's second pass, in
place of a separate demo load in `.ci/run`."""

from django.test import TestCase

from programmes.models import DisbursementRollup, OutputRollup
from programmes.selectors.rollup import figure_differences
from tests import demo_db


class DemoRollupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo_db.load(conferences=True)

    def test_the_demo_rollup_equals_the_raw_rows(self):
        self.assertGreater(DisbursementRollup.objects.count(), 1000)
        self.assertGreater(OutputRollup.objects.count(), 1000)
        self.assertEqual(list(figure_differences()), [])
