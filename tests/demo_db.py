"""The demo data for tests: generated once per test process, then copied in as rows.

`programmes.demo.load()` builds some ten thousand rows in Python and takes seconds; a dozen test
classes need exactly those rows. `load()` here runs the genuine loaders the first time it is
called in a process, inside the calling class's transaction, and records what they changed in
each table (the rows added, changed or removed, keyed by primary key). Every later call replays
that record with a few `executemany` statements inside the new class's transaction, so each class
still gets the demo on a database that is rolled back after it: the tests stay isolated, and the
data is the same as the loaders write, primary keys included.

A record is only valid on the state it was taken from. Each record is kept with the fingerprint
of that state (each table's row count and largest key): a load from a state with no record runs
the genuine loaders and records them for that state (correct, only slower the first time). So
call it first in `setUpTestData`, where every class starts from the migrated test database. A
process whose state moved for good (on PostgreSQL, a transactional test's restore gives the
group-permission rows new keys from their sequence) thus records once more instead of
running the loaders in every later class; that happened on CI's PostgreSQL pass, where one worker never replayed again.

Tests of the loaders themselves (tests/programmes/test_demo.py, tests/conferences/test_demo.py)
call `programmes.demo.load()` and `conferences.demo.load()` directly, never this module.

Under pytest-xdist each worker is a process with its own test database, and so its own record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

# What one stage of the demo may take as its loader: programmes first, conferences on top of it.
STAGES: dict[str, Callable[[], Any]] = {}


def _stage_loaders() -> dict[str, Callable[[], Any]]:
    if not STAGES:
        from conferences import demo as conference_demo
        from programmes import demo as programme_demo

        STAGES["programmes"] = programme_demo.load
        STAGES["conferences"] = conference_demo.load
    return STAGES


@dataclasses.dataclass
class _TableChange:
    """The rows a stage added, changed and removed in one table (prepared for the database)."""

    model: type[models.Model]
    columns: list[str]
    added: list[tuple]
    changed: list[tuple]
    removed: list[Any]
    # Tables the database's triggers keep (the figures' rollup and versions): the replayed raw rows fill them
    # again, so the replay empties them afterwards and writes `added`, every row as recorded.
    replace: bool = False


@dataclasses.dataclass
class _Record:
    """One stage's changes, the state it started from, what its loader returned, and every row
    as the loader left them (what tests/test_demo_db.py compares a replay with)."""

    before: dict[str, tuple[int, Any]]
    changes: list[_TableChange]
    result: Any
    after: dict[str, dict[Any, tuple]]


# Every record by stage key, then by the fingerprint of the state it started from.
_recorded: dict[tuple[str, ...], dict[tuple, _Record]] = {}
# The record each key last recorded or replayed (what tests/test_demo_db.py inspects).
_records: dict[tuple[str, ...], _Record] = {}
# How many times each stage was replayed or run for real in this process (for the tests of
# this module and for the curious: `pytest -s` does not print it, the counts are read in tests).
counters = {"generated": 0, "replayed": 0, "fallbacks": 0}


def _models() -> list[type[models.Model]]:
    """Every table Django manages (many-to-many tables and history tables included), in app order."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _fingerprint(using: str) -> dict[str, tuple[int, Any]]:
    """(row count, largest primary key) of each table: enough to tell a migrated database apart
    from one where a test already wrote rows."""
    state = {}
    for model in _models():
        # PostgreSQL has no MAX of a UUID (the task queue's keys): such a table is told by its count.
        numbered = model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}
        sums = {"n": models.Count("pk"), **({"top": models.Max("pk")} if numbered else {})}
        rows = model._base_manager.using(using).aggregate(**sums)
        state[model._meta.db_table] = (rows["n"], rows.get("top"))
    return state


def _rows(model: type[models.Model], using: str) -> dict[Any, tuple]:
    """Every row of `model`'s table by primary key, as Python values."""
    fields = model._meta.concrete_fields
    pk_index = fields.index(model._meta.pk)
    names = [field.attname for field in fields]
    return {values[pk_index]: values for values in model._base_manager.using(using).values_list(*names)}


def _snapshot(using: str) -> dict[type[models.Model], dict[Any, tuple]]:
    return {model: _rows(model, using) for model in _models()}


def tables(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[Any, tuple]]:
    """Every row of every table (by table name, then primary key), as Python values."""
    return {model._meta.db_table: rows for model, rows in _snapshot(using).items()}


def _prepared(model: type[models.Model], rows: list[tuple], using: str) -> list[tuple]:
    """The rows as the database takes them in (what the ORM's own insert would send)."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    return [
        tuple(field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True))
        for row in rows
    ]


def _kept_by_triggers() -> set[type[models.Model]]:
    from programmes.models import DisbursementRollup, FigureVersion, OutputRollup

    return {DisbursementRollup, OutputRollup, FigureVersion}


def _diff(before: dict, after: dict, using: str) -> list[_TableChange]:
    changes = []
    kept = _kept_by_triggers()
    for model, rows in after.items():
        old = before[model]
        if model in kept:
            if rows != old:
                columns = [field.column for field in model._meta.concrete_fields]
                changes.append(_TableChange(model, columns, _prepared(model, list(rows.values()), using), [], [], True))
            continue
        added = [row for key, row in rows.items() if key not in old]
        changed = [row for key, row in rows.items() if key in old and old[key] != row]
        removed = [model._meta.pk.get_db_prep_save(key, connections[using]) for key in old if key not in rows]
        if added or changed or removed:
            columns = [field.column for field in model._meta.concrete_fields]
            changes.append(
                _TableChange(model, columns, _prepared(model, added, using), _prepared(model, changed, using), removed)
            )
    return changes


def _replay(changes: list[_TableChange], using: str) -> None:
    """Write the recorded changes. Django creates foreign keys deferred (SQLite and PostgreSQL),
    so the order of the tables does not matter inside the transaction."""
    connection = connections[using]
    quote = connection.ops.quote_name
    # Raw rows first (their triggers write the rollup), then the rollup as recorded.
    changes = sorted(changes, key=lambda change: change.replace)
    with connection.cursor() as cursor:
        for change in changes:
            table = quote(change.model._meta.db_table)
            if change.replace:
                cursor.execute(f"DELETE FROM {table}")
            pk_column = quote(change.model._meta.pk.column)
            if change.removed:
                cursor.executemany(f"DELETE FROM {table} WHERE {pk_column} = %s", [(key,) for key in change.removed])
            names = ", ".join(quote(column) for column in change.columns)
            marks = ", ".join(["%s"] * len(change.columns))
            if change.changed:
                pk_index = change.columns.index(change.model._meta.pk.column)
                assignments = ", ".join(f"{quote(column)} = %s" for column in change.columns)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s",
                    [(*row, row[pk_index]) for row in change.changed],
                )
            if change.added:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", change.added)
        # PostgreSQL: the identity sequences past the inserted keys (SQLite keeps its own count).
        for statement in connection.ops.sequence_reset_sql(no_style(), [change.model for change in changes]):
            cursor.execute(statement)


def _frozen(state: dict[str, tuple[int, Any]]) -> tuple:
    return tuple(sorted(state.items()))


def replayable(key: tuple[str, ...], loader: Callable[[], Any], using: str = DEFAULT_DB_ALIAS) -> Any:
    """Run `loader` the first time `key` is asked for from a given state in this process,
    recording what it changed; replay that record on later calls that start from the same state.
    Returns what `loader` returned (on a replay, what it returned when recorded).

    `counters["fallbacks"]` counts the loads of a key already recorded from another state (the
    loader runs, and its changes are recorded for this state too)."""
    before_state = _fingerprint(using)
    states = _recorded.setdefault(key, {})
    record = states.get(_frozen(before_state))
    if record is not None:
        _replay(record.changes, using)
        _records[key] = record
        counters["replayed"] += 1
        return record.result
    if states:
        counters["fallbacks"] += 1
    before = _snapshot(using)
    result = loader()
    after = _snapshot(using)
    record = _Record(
        before_state,
        _diff(before, after, using),
        result,
        {model._meta.db_table: rows for model, rows in after.items()},
    )
    states[_frozen(before_state)] = _records[key] = record
    counters["generated"] += 1
    return result


def load(*, conferences: bool = False, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Put the programme demo (and, with `conferences`, the demo conferences) into the database.

    Returns each stage's loader result by stage name ("programmes", "conferences"): the result of
    the genuine run that was recorded, so its `seconds` are those of that run. Must run inside a
    transaction that the caller rolls back (a TestCase's `setUpTestData`): it writes rows with
    fixed primary keys.
    """
    names = ["programmes", "conferences"] if conferences else ["programmes"]
    loaders = _stage_loaders()
    results = {}
    with transaction.atomic(using=using):
        for depth, name in enumerate(names, start=1):
            results[name] = replayable(("demo", *names[:depth]), loaders[name], using)
    return results
