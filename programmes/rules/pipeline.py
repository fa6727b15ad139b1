"""The arithmetic of the pipeline page (issue 18, item 2): how long a project waits at each
lifecycle step, and which deadlines it missed. Pure: steps are (date, status) pairs.

- A step lasts from the day the project entered its status to the day it entered the next one;
  the project's current step lasts up to `today` (it is still waiting, at least that long).
  Settled and cancelled are ends, not waits: they have no duration.
- "No step for 60 days": a project neither settled nor cancelled whose last step is 60 days or
  more before `today`.
- A deadline is missed when the project had entered `reached` on or before the deadline and had
  not entered `next_status` by then, nor been cancelled.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from . import lifecycle

ENDS = frozenset({lifecycle.SETTLED, lifecycle.CANCELLED})
STALE_DAYS = 60

Step = tuple[datetime.date, str]  # (date, status entered), in the order recorded


def step_days(steps: Sequence[Step], today: datetime.date) -> list[tuple[str, int, bool]]:
    """(status, days spent, ongoing) for each step of `steps` that is not an end; the last one
    runs to `today` and is `ongoing`. Steps must be in recorded order (date, then id)."""
    result = []
    for index, (day, status) in enumerate(steps):
        if status in ENDS:
            continue
        if index + 1 < len(steps):
            result.append((status, (steps[index + 1][0] - day).days, False))
        else:
            result.append((status, max((today - day).days, 0), True))
    return result


def median(values: Iterable[int]) -> Decimal | None:
    """The median of whole days (the mean of the two middle ones for an even count); None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2


def stale_since(steps: Sequence[Step], today: datetime.date, days: int = STALE_DAYS) -> datetime.date | None:
    """The day of the last step when it is `days` or more before `today` and the project has not
    ended; else None."""
    if not steps or steps[-1][1] in ENDS:
        return None
    last = steps[-1][0]
    return last if (today - last).days >= days else None


def entered_on(steps: Sequence[Step], status: str, by: datetime.date) -> datetime.date | None:
    """The first day the project entered `status` on or before `by`; None if it had not."""
    return next((day for day, entered in steps if entered == status and day <= by), None)


def missed(steps: Sequence[Step], reached: str, next_status: str, deadline: datetime.date) -> datetime.date | None:
    """The day the project entered `reached` when it had, on or before `deadline`, and had then
    neither entered `next_status` nor been cancelled; else None."""
    since = entered_on(steps, reached, deadline)
    if since is None:
        return None
    if entered_on(steps, next_status, deadline) or entered_on(steps, lifecycle.CANCELLED, deadline):
        return None
    return since
