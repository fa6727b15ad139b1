"""The rollup tables' one Python writer: `rebuild_figures`, after a bulk load that bypassed the
triggers (the benchmark generator's COPY with triggers disabled) or to repair a difference that
`manage.py check_figures` reported."""

import time

from django.db import connection, transaction

from ..models.rollup import DisbursementRollup, OutputRollup, rebuild_sql
from ..models.versions import bump_everything_sql, forget_sql


def rebuild_figures() -> dict[str, int]:
    """Empty the rollup tables and fill them from the raw rows, in one transaction (readers see
    the old rows until it commits; on PostgreSQL writes wait for it), and invalidates every cached
    figure (the reference version, models/versions.py) in the same transaction. Returns the
    number of rows written per table."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait for the rebuild (and it for them), so no trigger's delta is lost
            # between the DELETE and the INSERT … SELECT; readers are not blocked.
            cursor.execute(
                "LOCK TABLE programmes_disbursement, programmes_projectoutput, programmes_project IN SHARE MODE"
            )
        for statement in rebuild_sql(connection.vendor):
            cursor.execute(statement)
        # The rebuilt rows may differ from the ones they replace (that is why one rebuilds), in
        # any year, and no trigger sees this write: every cached figure's key changes at commit.
        cursor.execute(bump_everything_sql(connection.vendor))

    return {
        "disbursements": DisbursementRollup.objects.count(),
        "outputs": OutputRollup.objects.count(),
    }


def forget_cached_figures(using: str | None = None) -> None:
    """Make every cached figure unreachable: the reference version (which every key holds) jumps
    to the current time in milliseconds, a value it never had before.

    The versions only grow, except when the database goes back in time: a backup restored, a
    standby promoted that had not replayed the last commits. The counters then take values again
    that the cache's keys already hold, for other figures. Run by `manage.py
    forget_cached_figures`, which the restore drill and a promotion call for (docs/deployment.md)."""
    from django.db import connections

    target = connections[using] if using else connection
    with target.cursor() as cursor:
        cursor.execute(forget_sql(target.vendor), [int(time.time() * 1000)])
