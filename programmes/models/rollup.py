"""Pre-aggregated figures (the analytics tables of DHIS2, kept exact): the net đồng disbursed and
the outputs achieved, summed by province × project year × fund (or indicator) × month.

The summary reads whole months from these tables instead of summing every raw row. They are
kept by database triggers (`TRIGGER_SQL`, created by migration 0015 and re-created after every
`migrate`), in the same statement as the write, so every door is covered: the services, the
admin, the API, the import, `bulk_create`, raw SQL. Nothing in Python writes them except
`services.rollup.rebuild_figures`, after a bulk load that bypassed the triggers.

A row's `row_count` is the number of raw rows behind it; a row whose count falls to 0 is deleted,
so that the tables hold exactly the groups that have rows (what `check_figures` compares).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .geography import Province
from .reference import FundingSource, Indicator


class DisbursementRollup(models.Model):
    """Σ signed đồng (recoveries negative) of the disbursements dated in `month` to the projects
    of `project_year`, `province` and `funding_source`. `month` is the month's first day."""

    # No database constraint: the trigger writes the province id of a project, which the
    # project's own foreign key already guarantees; a second check would only slow every write.
    province = models.ForeignKey(
        Province,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique key serves every lookup
        related_name="+",
        verbose_name=_("province"),
    )
    project_year = models.PositiveSmallIntegerField(_("year"))
    funding_source = models.CharField(_("funding source"), max_length=4, choices=FundingSource.choices)
    month = models.DateField(_("month"))
    total_vnd = models.DecimalField(_("net disbursed (đồng)"), max_digits=20, decimal_places=0)
    row_count = models.IntegerField(_("disbursements"))

    class Meta:
        verbose_name = _("monthly disbursement total")
        verbose_name_plural = _("monthly disbursement totals")
        constraints = [
            # The triggers' ON CONFLICT target; the year first, as every summary filters on it.
            models.UniqueConstraint(
                fields=["project_year", "province", "funding_source", "month"], name="disbursement_rollup_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id} {self.project_year} {self.funding_source} {self.month:%m/%Y}"


class OutputRollup(models.Model):
    """Σ value of the outputs of `indicator` dated in `month`, of the projects of `project_year`
    and `province`. `month` is the month's first day."""

    province = models.ForeignKey(
        Province,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique key serves every lookup
        related_name="+",
        verbose_name=_("province"),
    )
    project_year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique key serves every lookup
        related_name="+",
        verbose_name=_("indicator"),
    )
    month = models.DateField(_("month"))
    total = models.BigIntegerField(_("value"))
    row_count = models.IntegerField(_("outputs"))

    class Meta:
        verbose_name = _("monthly output total")
        verbose_name_plural = _("monthly output totals")
        constraints = [
            models.UniqueConstraint(
                fields=["project_year", "province", "indicator", "month"], name="output_rollup_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id} {self.project_year} {self.indicator_id} {self.month:%m/%Y}"


# ---- the triggers --------------------------------------------------------------------------------
# One upsert adds a signed delta to a key; a key whose count falls to 0 is deleted. Both vendors
# accept INSERT … ON CONFLICT … DO UPDATE (SQLite ≥ 3.24, PostgreSQL ≥ 9.5); only the month's first
# day and the trigger wrapper differ. A project's province, year or fund change moves its rows'
# sums from the old key to the new one.

DISBS = "programmes_disbursementrollup"
OUTS = "programmes_outputrollup"
D_UPSERT = (
    f"ON CONFLICT (project_year, province_id, funding_source, month) DO UPDATE SET "
    f"total_vnd = {DISBS}.total_vnd + excluded.total_vnd, row_count = {DISBS}.row_count + excluded.row_count"
)
O_UPSERT = (
    f"ON CONFLICT (project_year, province_id, indicator_id, month) DO UPDATE SET "
    f"total = {OUTS}.total + excluded.total, row_count = {OUTS}.row_count + excluded.row_count"
)


def _signed(row: str) -> str:
    return f"CASE WHEN {row}.kind = 'recovery' THEN -{row}.amount_vnd ELSE {row}.amount_vnd END"


def _statements(month) -> dict[str, str]:
    """The trigger bodies' statements, `month(expr)` giving the first day of a date's month."""

    def disbursement(row: str, sign: str) -> str:
        return (
            f"INSERT INTO {DISBS} (project_year, province_id, funding_source, month, total_vnd, row_count) "
            f"SELECT p.year, p.province_id, p.funding_source, {month(f'{row}.date')}, {sign}({_signed(row)}), {sign}1 "
            f"FROM programmes_project p WHERE p.id = {row}.project_id {D_UPSERT}"
        )

    def output(row: str, sign: str) -> str:
        return (
            f"INSERT INTO {OUTS} (project_year, province_id, indicator_id, month, total, row_count) "
            f"SELECT p.year, p.province_id, {row}.indicator_id, {month(f'{row}.date')}, {sign}{row}.value, {sign}1 "
            f"FROM programmes_project p WHERE p.id = {row}.project_id {O_UPSERT}"
        )

    def disbursement_empty(row: str) -> str:
        return (
            f"DELETE FROM {DISBS} WHERE row_count = 0 AND month = {month(f'{row}.date')} "
            f"AND (project_year, province_id, funding_source) IN "
            f"(SELECT p.year, p.province_id, p.funding_source FROM programmes_project p WHERE p.id = {row}.project_id)"
        )

    def output_empty(row: str) -> str:
        return (
            f"DELETE FROM {OUTS} WHERE row_count = 0 AND month = {month(f'{row}.date')} "
            f"AND indicator_id = {row}.indicator_id AND (project_year, province_id) IN "
            f"(SELECT p.year, p.province_id FROM programmes_project p WHERE p.id = {row}.project_id)"
        )

    def project_move(old_or_new: str, sign: str) -> list[str]:
        row = old_or_new
        return [
            f"INSERT INTO {DISBS} (project_year, province_id, funding_source, month, total_vnd, row_count) "
            f"SELECT {row}.year, {row}.province_id, {row}.funding_source, {month('d.date')}, "
            f"{sign}SUM({_signed('d')}), {sign}COUNT(*) FROM programmes_disbursement d WHERE d.project_id = NEW.id "
            f"GROUP BY {month('d.date')} {D_UPSERT}",
            f"INSERT INTO {OUTS} (project_year, province_id, indicator_id, month, total, row_count) "
            f"SELECT {row}.year, {row}.province_id, o.indicator_id, {month('o.date')}, "
            f"{sign}SUM(o.value), {sign}COUNT(*) FROM programmes_projectoutput o WHERE o.project_id = NEW.id "
            f"GROUP BY o.indicator_id, {month('o.date')} {O_UPSERT}",
        ]

    return {
        "disbursement_add": disbursement("NEW", ""),
        "disbursement_remove": disbursement("OLD", "-"),
        "disbursement_empty": disbursement_empty("OLD"),
        "output_add": output("NEW", ""),
        "output_remove": output("OLD", "-"),
        "output_empty": output_empty("OLD"),
        "project_move": [
            *project_move("OLD", "-"),
            *project_move("NEW", ""),
            f"DELETE FROM {DISBS} WHERE row_count = 0 AND project_year = OLD.year AND province_id = OLD.province_id "
            f"AND funding_source = OLD.funding_source",
            f"DELETE FROM {OUTS} WHERE row_count = 0 AND project_year = OLD.year AND province_id = OLD.province_id",
        ],
    }


DISBURSEMENT_CHANGED = (
    "OLD.project_id <> NEW.project_id OR OLD.date <> NEW.date OR OLD.amount_vnd <> NEW.amount_vnd "
    "OR OLD.kind <> NEW.kind"
)
OUTPUT_CHANGED = (
    "OLD.project_id <> NEW.project_id OR OLD.date <> NEW.date OR OLD.value <> NEW.value "
    "OR OLD.indicator_id <> NEW.indicator_id"
)
PROJECT_MOVED = "OLD.province_id <> NEW.province_id OR OLD.year <> NEW.year OR OLD.funding_source <> NEW.funding_source"
TRIGGERS = ("rollup_disbursement", "rollup_output", "rollup_project")


def _sqlite_sql() -> list[str]:
    s = _statements(_month_sql("sqlite"))

    def trigger(name: str, when: str, table: str, statements: list[str], condition: str = "") -> str:
        body = "".join(f"{statement};\n" for statement in statements)
        return (
            f"CREATE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW "
            f"{f'WHEN {condition} ' if condition else ''}BEGIN\n{body}END"
        )

    return [
        *(f"DROP TRIGGER IF EXISTS {name}_{op}" for name in TRIGGERS for op in ("insert", "update", "delete")),
        trigger("rollup_disbursement_insert", "INSERT", "programmes_disbursement", [s["disbursement_add"]]),
        trigger(
            "rollup_disbursement_update",
            "UPDATE OF project_id, date, amount_vnd, kind",
            "programmes_disbursement",
            [s["disbursement_remove"], s["disbursement_empty"], s["disbursement_add"]],
            DISBURSEMENT_CHANGED,
        ),
        trigger(
            "rollup_disbursement_delete",
            "DELETE",
            "programmes_disbursement",
            [s["disbursement_remove"], s["disbursement_empty"]],
        ),
        trigger("rollup_output_insert", "INSERT", "programmes_projectoutput", [s["output_add"]]),
        trigger(
            "rollup_output_update",
            "UPDATE OF project_id, date, value, indicator_id",
            "programmes_projectoutput",
            [s["output_remove"], s["output_empty"], s["output_add"]],
            OUTPUT_CHANGED,
        ),
        trigger("rollup_output_delete", "DELETE", "programmes_projectoutput", [s["output_remove"], s["output_empty"]]),
        trigger(
            "rollup_project_update",
            "UPDATE OF province_id, year, funding_source",
            "programmes_project",
            s["project_move"],
            PROJECT_MOVED,
        ),
    ]


def _postgresql_sql() -> list[str]:
    s = _statements(_month_sql("postgresql"))

    def function(name: str, body: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}"
            f"RETURN NULL;\nEND\n$$"
        )

    def block(statements: list[str]) -> str:
        return "".join(f"    {statement};\n" for statement in statements)

    def changed_guard(condition: str) -> str:
        return f"IF TG_OP = 'UPDATE' AND NOT ({condition}) THEN\n    RETURN NULL;\nEND IF;\n"

    def row_function(name: str, what: str, condition: str) -> str:
        return function(
            name,
            changed_guard(condition)
            + "IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
            + block([s[f"{what}_remove"], s[f"{what}_empty"]])
            + "END IF;\nIF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
            + block([s[f"{what}_add"]])
            + "END IF;\n",
        )

    def trigger(name: str, when: str, table: str, condition: str = "") -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW "
            f"{f'WHEN ({condition}) ' if condition else ''}EXECUTE FUNCTION {name}()",
        ]

    return [
        row_function("rollup_disbursement", "disbursement", DISBURSEMENT_CHANGED),
        *trigger(
            "rollup_disbursement",
            "INSERT OR DELETE OR UPDATE OF project_id, date, amount_vnd, kind",
            "programmes_disbursement",
        ),
        row_function("rollup_output", "output", OUTPUT_CHANGED),
        *trigger(
            "rollup_output",
            "INSERT OR DELETE OR UPDATE OF project_id, date, value, indicator_id",
            "programmes_projectoutput",
        ),
        function("rollup_project", block(s["project_move"])),
        *trigger(
            "rollup_project",
            "UPDATE OF province_id, year, funding_source",
            "programmes_project",
            PROJECT_MOVED,
        ),
    ]


def trigger_sql(vendor: str) -> list[str]:
    """The statements that (re)create the rollup triggers on `vendor` ("sqlite" or "postgresql"),
    idempotent: each drops what it replaces. Raises NotImplementedError for another database,
    whose figures would otherwise silently go stale."""
    if vendor == "sqlite":
        return _sqlite_sql()
    if vendor == "postgresql":
        return _postgresql_sql()
    raise NotImplementedError(f"No rollup triggers for the {vendor} database.")


def drop_trigger_sql(vendor: str) -> list[str]:
    """The statements that remove the rollup triggers (the migration's reverse)."""
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}_{op}" for name in TRIGGERS for op in ("insert", "update", "delete")]
    tables = {
        "rollup_disbursement": "programmes_disbursement",
        "rollup_output": "programmes_projectoutput",
        "rollup_project": "programmes_project",
    }
    return [
        statement
        for name, table in tables.items()
        for statement in (f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()")
    ]


def _month_sql(vendor: str):
    if vendor == "sqlite":
        return lambda day: f"date({day}, 'start of month')"
    return lambda day: f"date_trunc('month', {day})::date"


def rebuild_sql(vendor: str) -> list[str]:
    """The statements that empty the rollup tables and fill them again from the raw rows."""
    month = _month_sql(vendor)
    return [
        f"DELETE FROM {DISBS}",
        f"DELETE FROM {OUTS}",
        f"INSERT INTO {DISBS} (project_year, province_id, funding_source, month, total_vnd, row_count) "
        f"SELECT p.year, p.province_id, p.funding_source, {month('d.date')}, SUM({_signed('d')}), COUNT(*) "
        f"FROM programmes_disbursement d JOIN programmes_project p ON p.id = d.project_id "
        f"GROUP BY p.year, p.province_id, p.funding_source, {month('d.date')}",
        f"INSERT INTO {OUTS} (project_year, province_id, indicator_id, month, total, row_count) "
        f"SELECT p.year, p.province_id, o.indicator_id, {month('o.date')}, SUM(o.value), COUNT(*) "
        f"FROM programmes_projectoutput o JOIN programmes_project p ON p.id = o.project_id "
        f"GROUP BY p.year, p.province_id, o.indicator_id, {month('o.date')}",
    ]


def install_triggers(connection) -> None:
    """(Re)create the rollup triggers on `connection`. Idempotent. Called by migration 0015 and
    after every `migrate`: SQLite drops a table's triggers when a later migration rebuilds it."""
    with connection.cursor() as cursor:
        for statement in trigger_sql(connection.vendor):
            cursor.execute(statement)
