"""A cache of `summary()` shared by every worker (settings.CACHES["figures"]: the database by
default, Redis with CACHE_URL), keyed on the data versions of the years the summary reads.

The key of a summary is its arguments (year, cut-off, scope, trend, the day, `region_year`,
`listed_on`) and, for each year in `summary_years()`, Σ of that year's version counters
(models/versions.py), plus the reference data's counter. A write bumps the counters of the years
it changes in its own transaction, so a write to 2026 changes the key of every summary that reads
2026 (2026 itself, 2027's growth, the trends that reach 2026) and of none other: the 2024
summary stays cached.

Why a cached summary is never older than the last committed write:

1. A writer's bump commits together with its rows (same transaction; PostgreSQL makes a
   transaction's rows visible all at once at commit, SQLite too, and a streaming replica replays
   the commit as one record). A rolled-back write bumps nothing and changes nothing.
2. A reader reads the versions first, then the figures, each statement in autocommit
   (PostgreSQL READ COMMITTED: every statement sees everything committed before it started;
   SQLite: every statement is its own read transaction). So the figures a reader computes
   include at least every write whose bump it saw: an entry stored under versions V holds
   figures of V or newer, never older.
3. A reader after a write W committed sees W's bump: its key differs from every key stored
   before W (the counters only grow, so Σ never comes back to an old value). It finds either
   nothing (and computes, after W, so including W) or an entry stored by a reader that also saw
   W's bump, whose figures include W by (2).
4. Inside a transaction of the caller's own (`atomic()`, not a test's), the cache is neither
   read nor written: the transaction could see its own uncommitted rows and bumps, and store
   figures that a rollback would then leave under a key a later commit reuses.
5. The versions are read where the figures are (`figures_from_replica` routes both to the
   replica when there is one), so a lagging replica's figures are never stored under the
   primary's newer versions.
6. A computed summary uses a `ProvinceMap` loaded after the versions were read, not the
   caller's (which may predate a change to the provinces that the versions already count).

The cache is a shortcut, never a source: when it fails (Redis down), the summary is computed
and the failure logged.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import cast

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Sum
from django.utils import timezone

from ..models import FigureVersion
from ..models.versions import REFERENCE_YEAR
from .figures import ProvinceMap, Scope, Summary, _year_end

logger = logging.getLogger(__name__)

CACHE = "figures"  # settings.CACHES alias
KEY_VERSION = 1  # bump when Summary's shape changes, so old pickles are never read


def summary_years(year: int, trend_years: int = 0) -> list[int]:
    """The years whose records a `summary(year=year, trend_years=trend_years)` reads, ascending:
    `year` (everything), `year - 1` (plans, for growth) and the trend's years (plans, projects,
    disbursements). The one definition `summary()` itself uses to choose what it queries."""
    trend = range(year - trend_years + 1, year + 1) if trend_years > 0 else [year]
    return sorted({year, year - 1, *trend})


def data_versions(years: Iterable[int]) -> tuple[int, ...]:
    """Σ version of each of `years` (0 for a year nobody wrote), then the reference data's, in
    one query. Changes whenever a committed write changes a figure of one of `years`."""
    wanted = sorted(set(years))
    found = dict(
        FigureVersion.objects.filter(year__in=[*wanted, REFERENCE_YEAR])
        .values_list("year")
        .annotate(total=Sum("version"))
        .order_by()
    )
    return (*(found.get(year, 0) for year in wanted), found.get(REFERENCE_YEAR, 0))


def in_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True inside an `atomic()` block of the caller's (a test case's own blocks do not count,
    as for Django's `durable` check): rule 4 of the module's notes."""
    # Django's Atomic marks a test case's own blocks (`_from_testcase`); the stubs do not name it.
    return any(not getattr(block, "_from_testcase", False) for block in connections[using].atomic_blocks)


def enabled() -> bool:
    """settings.FIGURES_CACHE (FIGURES_CACHE=0 in the environment turns it off)."""
    return getattr(settings, "FIGURES_CACHE", True)


def cached[T](
    kind: str,
    *,
    year: int,
    trend_years: int,
    today: datetime.date | None,
    parts: tuple[object, ...],
    compute: Callable[[datetime.date], T],
) -> T:
    """`compute(today)` through the figures' cache, keyed on `kind`, `parts` (every argument that
    changes the result: cut-off, scope…), the day and the data versions of `summary_years(year,
    trend_years)`. For `summary()` and for what is built from one summary alone (the summary
    API's JSON), so that both follow the same rules (the module's notes). None is never cached."""
    if not enabled() or in_transaction():
        return compute(today or timezone.localdate())
    today = today or timezone.localdate()
    versions = data_versions(summary_years(year, trend_years))
    text = "|".join([f"v{KEY_VERSION}", kind, str(year), str(trend_years), today.isoformat(), *map(str, parts)])
    text += "|" + ",".join(map(str, versions))
    # Hashed: the database cache's keys are at most 255 characters.
    key = f"{kind}:{year}:{hashlib.sha256(text.encode()).hexdigest()}"
    cache = caches[CACHE]
    try:
        found = cache.get(key)
    except Exception:  # a shortcut that fails must not stop the figures
        logger.exception("The figures' cache could not be read; computing the figures.")
        return compute(today)
    if found is not None:
        return cast(T, found)
    result = compute(today)
    try:
        cache.set(key, result)
    except Exception:
        logger.exception("The figures' cache could not be written; the figures are served uncached.")
    return result


def scope_key(scope: Scope | None) -> str:
    """The part of a key that names a scope."""
    if scope is None or scope.kind == "nation":
        return "nation"
    if scope.province is not None:
        return f"province:{scope.province.pk}"
    assert scope.region is not None  # kind "region"
    return f"region:{scope.region.pk}"


def cached_summary(function: Callable[..., Summary]) -> Callable[..., Summary]:
    """`summary()` through the figures' cache (see the module's notes); the same arguments and
    result. Queries of a hit: the versions and the cache's read (with the database cache: 2);
    of a miss: those, the summary's own with its provinces, and the cache's write."""

    @wraps(function)
    def through_cache(
        *,
        year: int,
        as_of: datetime.date | None = None,
        scope: Scope | None = None,
        provinces: ProvinceMap | None = None,
        trend_years: int = 0,
        today: datetime.date | None = None,
        region_year: int | None = None,
        listed_on: datetime.date | None = None,
    ) -> Summary:
        arguments = dict(
            year=year, as_of=as_of, scope=scope, trend_years=trend_years, region_year=region_year, listed_on=listed_on
        )
        if not enabled() or in_transaction():
            return function(**arguments, provinces=provinces, today=today)
        return cached(
            "summary",
            year=year,
            trend_years=trend_years,
            today=today,
            parts=(as_of or _year_end(year), scope_key(scope), region_year, listed_on),
            # Rule 6: a computed summary loads its provinces after the versions were read.
            compute=lambda day: function(**arguments, provinces=None, today=day),
        )

    return through_cache
