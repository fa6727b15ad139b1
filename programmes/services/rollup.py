"""The rollup tables' one Python writer: `rebuild_figures`, after a bulk load that bypassed the
triggers (the benchmark generator's COPY with triggers disabled) or to repair a difference that
`manage.py check_figures` reported."""

from django.db import connection, transaction

from ..models.rollup import DisbursementRollup, OutputRollup, rebuild_sql


def rebuild_figures() -> dict[str, int]:
    """Empty the rollup tables and fill them from the raw rows, in one transaction (readers see
    the old rows until it commits; on PostgreSQL writes wait for it). Returns the number of rows written per table."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait for the rebuild (and it for them), so no trigger's delta is lost
            # between the DELETE and the INSERT … SELECT; readers are not blocked.
            cursor.execute(
                "LOCK TABLE programmes_disbursement, programmes_projectoutput, programmes_project IN SHARE MODE"
            )
        for statement in rebuild_sql(connection.vendor):
            cursor.execute(statement)

    return {
        "disbursements": DisbursementRollup.objects.count(),
        "outputs": OutputRollup.objects.count(),
    }
