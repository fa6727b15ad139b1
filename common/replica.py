"""Reads of the figures on a PostgreSQL replica, when one is configured (DATABASE_REPLICA_URL).

The figures (`programmes.selectors.summary`, behind the dashboards, the briefings and the summary
API) are most of the database's work at national scale and only read. With a streaming replica
they can be read there, and the primary keeps its time for the people entering figures.

Only what runs inside `figures_from_replica()` (or a function decorated with it) is routed, and
only outside a transaction on the primary: sessions, permissions, locks and anything a request
has just written keep reading the primary, so that nobody is logged out or shown a form without
the row they saved by the replica's lag. The figures themselves may lag the primary by the
replica's replay delay (normally well under a second); without DATABASE_REPLICA_URL everything
reads the primary and nothing lags.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_figures: ContextVar[bool] = ContextVar("reading_figures", default=False)


def replica_configured() -> bool:
    """True when settings.DATABASES has the replica's alias."""
    return REPLICA in connections.settings


@contextmanager
def _figure_reads() -> Iterator[None]:
    token = _reading_figures.set(True)
    try:
        yield
    finally:
        _reading_figures.reset(token)


def figures_from_replica[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` with its reads routed to the replica (see the module's rules)."""

    @wraps(function)
    def reading(*args: P.args, **kwargs: P.kwargs) -> R:
        with _figure_reads():
            return function(*args, **kwargs)

    return reading


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: figure reads to the replica, everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        """The replica for a figure read outside a primary transaction; None (the primary) else."""
        if not _reading_figures.get() or not replica_configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # a transaction reads its own writes, and holds its locks, on the primary
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None  # always the primary

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: objects from either relate

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        """Never migrate the replica: it replays the primary's schema."""
        return False if db == REPLICA else None
