"""The programme's arithmetic: completion, growth and share, in Decimal.

Pure functions, no Django and no ORM, so the dashboard, the API and Excel share one definition
(docs/design.md §4). Ratios are exact; rounding (half-up, 2 places) happens only in `round_pct`, for
display and for the API. Every ratio is None when there is nothing to divide by.
"""

from decimal import Decimal

from common.numbers import round_pct

__all__ = ["completion_pct", "growth_pct", "ratio_pct", "round_pct", "share_pct"]

HUNDRED = Decimal(100)


def ratio_pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part / whole × 100`, exact to Decimal precision; None when `whole` is 0."""
    whole = Decimal(whole)
    if whole == 0:
        return None
    return Decimal(part) * HUNDRED / whole


def completion_pct(actual: Decimal | int, plan: Decimal | int) -> Decimal | None:
    """Actual as a percentage of plan (may exceed 100); None when nothing was planned."""
    return ratio_pct(actual, plan)


def growth_pct(current: Decimal | int, previous: Decimal | int) -> Decimal | None:
    """Change from `previous` to `current` as a percentage of `previous`; None when `previous` is 0."""
    previous = Decimal(previous)
    if previous == 0:
        return None
    return (Decimal(current) - previous) * HUNDRED / previous


def share_pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percentage of `whole` (a scope's share of the nation); None when `whole` is 0."""
    return ratio_pct(part, whole)
