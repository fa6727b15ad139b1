"""A TransactionTestCase that leaves the seeded reference rows behind it.

Django flushes every table after a TransactionTestCase and restores the rows the migrations
seeded (regions, provinces, groups, indicators…) only at the start of the next
serialized_rollback test. Under xdist the classes that run after it in the same worker are
ordinary TestCases that expect those rows: this base puts them back right after the flush.
"""

from django.db import connections
from django.test import TransactionTestCase


class SeededTransactionTestCase(TransactionTestCase):
    serialized_rollback = True  # the seeded rows come back before each test, and after (below)

    def _fixture_teardown(self):
        super()._fixture_teardown()
        for alias in self._databases_names(include_mirrors=False):
            database = connections[alias]
            if getattr(database, "_test_serialized_contents", None):
                database.creation.deserialize_db_from_string(database._test_serialized_contents)
