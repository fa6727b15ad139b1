"""The programme's arithmetic: completion, growth and share, in Decimal.

Pure functions, no Django and no ORM, so the dashboard, the API and Excel share one definition
(docs/design.md §4). Ratios are exact; rounding (half-up, 2 places) happens only in `round_pct`, for
display and for the API.

"No data" is not zero: an amount or a count with no record behind it is None, and so is every
ratio that would need it. A ratio is also None when there is nothing to divide by (0).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from common.numbers import round_pct

__all__ = ["completion_pct", "difference", "growth_pct", "ratio_pct", "round_pct", "share_pct", "total"]

HUNDRED = Decimal(100)

Amount = Decimal | int | None


def ratio_pct(part: Amount, whole: Amount) -> Decimal | None:
    """`part / whole × 100`, exact to Decimal precision; None when either is None or `whole` is 0."""
    if part is None or whole is None:
        return None
    whole = Decimal(whole)
    if whole == 0:
        return None
    return Decimal(part) * HUNDRED / whole


def completion_pct(actual: Amount, plan: Amount) -> Decimal | None:
    """Actual as a percentage of plan (may exceed 100); None when nothing was planned or nothing
    is recorded."""
    return ratio_pct(actual, plan)


def growth_pct(current: Amount, previous: Amount) -> Decimal | None:
    """Change from `previous` to `current` as a percentage of `previous`; None when either is
    None or `previous` is 0."""
    if current is None or previous is None:
        return None
    previous = Decimal(previous)
    if previous == 0:
        return None
    return (Decimal(current) - previous) * HUNDRED / previous


def share_pct(part: Amount, whole: Amount) -> Decimal | None:
    """`part` as a percentage of `whole` (a scope's share of the nation); None when either is
    None or `whole` is 0."""
    return ratio_pct(part, whole)


def total(values: Iterable[Amount]) -> Decimal | None:
    """The sum of the known values; None when every value is None (no data anywhere)."""
    known = [Decimal(value) for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None


def difference(current: Amount, previous: Amount) -> Decimal | None:
    """`current − previous` (a live figure against the one a report was approved with); None
    when either is None."""
    if current is None or previous is None:
        return None
    return Decimal(current) - Decimal(previous)


def fold[K](values: Mapping[K, Amount], into: Mapping[K, K]) -> dict[K, Decimal | None]:
    """`values` by key with each key of `into` added to the key it maps to (a later activity
    content folded into the earlier one it is comparable with), by `total`: a folded figure is
    None only when every figure folded into it is None. Keys keep their first order; a key
    mapped away disappears; a target missing from `values` appears when something folds into it."""
    groups: dict[K, list[Amount]] = {}
    for key, value in values.items():
        groups.setdefault(into.get(key, key), []).append(value)
    return {key: total(group) for key, group in groups.items()}
