"""The figures' data versions: one counter per (year, province), bumped by database triggers in
the transaction of every write that can change a figure of that year, so that a cache of the
figures (selectors/figure_cache.py) can key an entry on the versions of the years it read.

Why a counter per (year, province), not one per year or one for everything: a writer holds the
row it bumps until it commits, and a writer in another province bumps another row, so writers in
different provinces never wait on each other; a summary keys on Σ versions of each year it reads
(every province's rows: a province's summary compares itself with the nation), which changes
whenever any of them is bumped, because the counters only grow.

Year 0, province 0 is the reference data every figure depends on (regions, provinces and their
eras, indicators, the reporting calendar) and `rebuild_figures`, which may change every year's
figures at once: every summary's key includes it.

When the bump happens:
- PostgreSQL: `DEFERRABLE INITIALLY DEFERRED` constraint triggers, which run when the writer
  commits, each bumping a (year, province) at most once per transaction (`xact` holds the
  transaction id of the last bump). The row lock is held only from the commit's first trigger to
  the end of the commit, so even two writers in one province wait for each other only for that.
- SQLite: plain row triggers, bumping at each row written. SQLite has one writer at a time for
  the whole database anyway, and readers only ever see the committed value, so how many times a
  counter went up inside a transaction does not matter.

On both, the bump is part of the writer's transaction: it becomes visible exactly when the
figures it covers do (at commit), and not at all if the transaction rolls back.

What bumps (`TRIGGER_SQL`): budget plans, indicator targets and reporting periods on their own
(year, province), old and new; projects when a column the figures read changes (year, province,
status, fund, support); disbursements and outputs on their project's (year, province), old and
new; regions, provinces, indicators and deadlines on (0, 0). The triggers cover every door: the
services, the admin, the API, the import, `bulk_create`, raw SQL.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

REFERENCE_YEAR = 0  # the (0, 0) row: reference data, and every year at once
TABLE = "programmes_figureversion"


class FigureVersion(models.Model):
    """How many committed transactions have changed the figures of `year` in `province` (a
    province id; 0 with year 0 for the reference data). Written only by the triggers below and
    `bump_everything`."""

    year = models.PositiveSmallIntegerField(_("year"))
    # A plain id, not a foreign key: (0, 0) has no province, and the triggers write the ids of
    # rows whose own foreign keys already guarantee them.
    province = models.BigIntegerField(_("province"), db_column="province_id")
    version = models.BigIntegerField(_("version"))
    # PostgreSQL: the transaction id (txid_current()) of the last bump, so that a transaction
    # bumps a row once however many rows it writes. Not used on SQLite.
    xact = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("figure version")
        verbose_name_plural = _("figure versions")
        constraints = [
            models.UniqueConstraint(fields=["year", "province"], name="figure_version_key"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.province}: {self.version}"


# Tables whose rows carry their own (year, province_id).
DIRECT = ("programmes_budgetplan", "programmes_indicatortarget", "programmes_reportingperiod")
# Tables whose rows belong to a project: the project's (year, province_id).
CHILDREN = ("programmes_disbursement", "programmes_projectoutput")
# Reference data: (0, 0).
REFERENCE = ("programmes_region", "programmes_province", "programmes_indicator", "programmes_deadline")
PROJECT = "programmes_project"
# The project columns the figures read (summary, cutoff_figures); other edits change no figure.
PROJECT_COLUMNS = ("year", "province_id", "status", "funding_source", "support_vnd")


def _project_changed(distinct: str) -> str:
    """The WHEN of the project update trigger; `distinct` the vendor's null-safe inequality."""
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in PROJECT_COLUMNS)


ALL_TABLES = (*DIRECT, *CHILDREN, *REFERENCE, PROJECT)


def _sqlite_bump(year: str, province: str, source: str = "") -> str:
    """One upsert adding 1 to (year, province); `source` a FROM … WHERE … clause when the key is
    looked up (SQLite needs the WHERE of an INSERT … SELECT before ON CONFLICT)."""
    values = f"SELECT {year}, {province}, 1 {source or 'WHERE 1'}"
    return (
        f"INSERT INTO {TABLE} (year, province_id, version) {values} "
        f"ON CONFLICT (year, province_id) DO UPDATE SET version = {TABLE}.version + 1"
    )


def _sqlite_sql() -> list[str]:
    statements = [*(f"DROP TRIGGER IF EXISTS figures_version_{t}_{op}" for t in ALL_TABLES for op in OPS)]

    def trigger(table: str, op: str, bumps: list[str], condition: str = "") -> str:
        body = "".join(f"{bump};\n" for bump in bumps)
        event = {"insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}[op]
        when = f"WHEN {condition} " if condition else ""
        return (
            f"CREATE TRIGGER figures_version_{table}_{op} AFTER {event} ON {table} FOR EACH ROW {when}BEGIN\n{body}END"
        )

    def direct(row: str) -> str:
        return _sqlite_bump(f"{row}.year", f"{row}.province_id")

    def child(row: str) -> str:
        return _sqlite_bump("p.year", "p.province_id", f"FROM programmes_project p WHERE p.id = {row}.project_id")

    reference = _sqlite_bump(str(REFERENCE_YEAR), "0")
    for table in (*DIRECT, PROJECT):
        statements += [
            trigger(table, "insert", [direct("NEW")]),
            trigger(
                table, "update", [direct("OLD"), direct("NEW")], _project_changed("IS NOT") if table == PROJECT else ""
            ),
            trigger(table, "delete", [direct("OLD")]),
        ]
    for table in CHILDREN:
        statements += [
            trigger(table, "insert", [child("NEW")]),
            trigger(table, "update", [child("OLD"), child("NEW")]),
            trigger(table, "delete", [child("OLD")]),
        ]
    for table in REFERENCE:
        statements += [trigger(table, op, [reference]) for op in OPS]
    return statements


OPS = ("insert", "update", "delete")

PG_BUMP = f"""CREATE OR REPLACE FUNCTION figures_version_bump(bump_year integer, bump_province bigint)
RETURNS void LANGUAGE sql AS $$
INSERT INTO {TABLE} (year, province_id, version, xact) VALUES (bump_year, bump_province, 1, txid_current())
ON CONFLICT (year, province_id) DO UPDATE SET version = {TABLE}.version + 1, xact = excluded.xact
WHERE {TABLE}.xact IS DISTINCT FROM excluded.xact
$$"""


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}"
        "RETURN NULL;\nEND\n$$"
    )


def _postgresql_sql() -> list[str]:
    direct = (
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN\n    PERFORM figures_version_bump(OLD.year, OLD.province_id);\nEND IF;\n"
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN\n    PERFORM figures_version_bump(NEW.year, NEW.province_id);\nEND IF;\n"
    )
    child = (
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN\n    PERFORM figures_version_bump(p.year, p.province_id) "
        "FROM programmes_project p WHERE p.id = OLD.project_id;\nEND IF;\n"
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN\n    PERFORM figures_version_bump(p.year, p.province_id) "
        "FROM programmes_project p WHERE p.id = NEW.project_id;\nEND IF;\n"
    )
    reference = f"PERFORM figures_version_bump({REFERENCE_YEAR}, 0);\n"
    statements = [
        PG_BUMP,
        _pg_function("figures_version_direct", direct),
        _pg_function("figures_version_child", child),
        _pg_function("figures_version_reference", reference),
    ]

    def trigger(name: str, table: str, events: str, function: str, condition: str = "") -> list[str]:
        # Constraint triggers, deferred: they run at the writer's commit (see the module's notes).
        when = f"WHEN ({condition}) " if condition else ""
        return [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE CONSTRAINT TRIGGER {name} AFTER {events} ON {table} DEFERRABLE INITIALLY DEFERRED "
            f"FOR EACH ROW {when}EXECUTE FUNCTION {function}()",
        ]

    for table in DIRECT:
        statements += trigger("figures_version", table, "INSERT OR UPDATE OR DELETE", "figures_version_direct")
    for table in CHILDREN:
        statements += trigger("figures_version", table, "INSERT OR UPDATE OR DELETE", "figures_version_child")
    for table in REFERENCE:
        statements += trigger("figures_version", table, "INSERT OR UPDATE OR DELETE", "figures_version_reference")
    statements += trigger("figures_version", PROJECT, "INSERT OR DELETE", "figures_version_direct")
    statements += trigger(
        "figures_version_update", PROJECT, "UPDATE", "figures_version_direct", _project_changed("IS DISTINCT FROM")
    )
    return statements


def version_trigger_sql(vendor: str) -> list[str]:
    """The statements that (re)create the version triggers on `vendor` ("sqlite" or
    "postgresql"), idempotent. Raises NotImplementedError for another database, whose cached
    figures would otherwise never be invalidated."""
    if vendor == "sqlite":
        return _sqlite_sql()
    if vendor == "postgresql":
        return _postgresql_sql()
    raise NotImplementedError(f"No figure version triggers for the {vendor} database.")


def drop_version_trigger_sql(vendor: str) -> list[str]:
    """The statements that remove the version triggers and functions (the migration's reverse)."""
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS figures_version_{t}_{op}" for t in ALL_TABLES for op in OPS]
    return [
        *(f"DROP TRIGGER IF EXISTS figures_version ON {table}" for table in ALL_TABLES),
        f"DROP TRIGGER IF EXISTS figures_version_update ON {PROJECT}",
        "DROP FUNCTION IF EXISTS figures_version_direct()",
        "DROP FUNCTION IF EXISTS figures_version_child()",
        "DROP FUNCTION IF EXISTS figures_version_reference()",
        "DROP FUNCTION IF EXISTS figures_version_bump(integer, bigint)",
    ]


def install_version_triggers(connection) -> None:
    """(Re)create the version triggers on `connection`. Idempotent. Called by migration 0016 and
    after every `migrate` (SQLite drops a table's triggers when a migration rebuilds it)."""
    with connection.cursor() as cursor:
        for statement in version_trigger_sql(connection.vendor):
            cursor.execute(statement)


def bump_everything_sql(vendor: str) -> str:
    """The statement that bumps (0, 0), which every cached figure keys on: for a write no
    trigger sees (`rebuild_figures`, a bulk load with the triggers off)."""
    if vendor == "postgresql":
        return f"SELECT figures_version_bump({REFERENCE_YEAR}, 0)"
    return _sqlite_bump(str(REFERENCE_YEAR), "0")


def forget_sql(vendor: str) -> str:
    """The statement that moves (0, 0) to max(its value + 1, %s): given the time in milliseconds,
    a value no earlier state of the database has had, even one a backup or a lagging standby
    brings back (see `services.rollup.forget_cached_figures`)."""
    greatest = "GREATEST" if vendor == "postgresql" else "MAX"
    return (
        f"INSERT INTO {TABLE} (year, province_id, version) VALUES ({REFERENCE_YEAR}, 0, %s) "
        f"ON CONFLICT (year, province_id) DO UPDATE SET version = {greatest}({TABLE}.version + 1, excluded.version)"
    )
