"""A project's lifecycle (docs/design.md §3): the statuses, the legal steps between them, the
steps that need a numbered document, and the statuses in which money may have been paid.

Statuses are their codes (`"proposed"`…); `programmes.models.ProjectStatus` gives them their
labels. A suspended project may also resume to the status it was suspended from, which only
the project's history knows: callers pass it as `resumed_from`. A project is proposed on its
proposal date (`Project.proposed_on`, when known): no step of it may come before that day
(`first_before_proposal`).
"""

import datetime
from collections import deque
from collections.abc import Iterable

PROPOSED = "proposed"
APPRAISED = "appraised"
APPROVED = "approved"
CONTRACTED = "contracted"
IN_PROGRESS = "in_progress"
ACCEPTED = "accepted"
SETTLED = "settled"
CANCELLED = "cancelled"
SUSPENDED = "suspended"

# Lifecycle order, then the two exits.
STATUSES = (PROPOSED, APPRAISED, APPROVED, CONTRACTED, IN_PROGRESS, ACCEPTED, SETTLED, CANCELLED, SUSPENDED)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    PROPOSED: (APPRAISED, CANCELLED),
    APPRAISED: (APPROVED, CANCELLED),
    APPROVED: (CONTRACTED, SUSPENDED, CANCELLED),
    CONTRACTED: (IN_PROGRESS, SUSPENDED, CANCELLED),
    IN_PROGRESS: (ACCEPTED, SUSPENDED, CANCELLED),
    ACCEPTED: (SETTLED,),
    SUSPENDED: (CANCELLED,),
    SETTLED: (),
    CANCELLED: (),
}

# Steps whose legal act is a numbered document: the approval decision and the contract.
DOCUMENT_REQUIRED = frozenset({APPROVED, CONTRACTED})

# Statuses in which money may have been paid: the contract has been signed.
MONEY_STATUSES = frozenset({CONTRACTED, IN_PROGRESS, ACCEPTED, SETTLED, SUSPENDED, CANCELLED})

# Statuses that stop a project: after the stop only recoveries may be recorded.
STOPPED = frozenset({CANCELLED, SUSPENDED})


def next_statuses(status: str, *, resumed_from: str | None = None) -> list[str]:
    """The statuses a project in `status` may move to, in lifecycle order; for a suspended
    project `resumed_from` (the status it was suspended from, if known) comes first. Empty for a
    closed project; KeyError for a code that is not a status."""
    allowed = list(TRANSITIONS[status])
    if status == SUSPENDED and resumed_from:
        allowed.insert(0, resumed_from)
    return allowed


def shortest_path(current: str, wanted: str) -> list[str] | None:
    """The shortest chain of steps from `current` to `wanted`, `current` left out (empty when
    they are the same); None when `wanted` cannot be reached or either is not a status."""
    if current not in TRANSITIONS:
        return None
    parents: dict[str, str | None] = {current: None}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        if status == wanted:
            break
        for following in TRANSITIONS[status]:
            if following not in parents:
                parents[following] = status
                queue.append(following)
    if wanted not in parents:
        return None
    path = []
    step: str | None = wanted
    while step is not None and step != current:  # `current`'s parent is None: the chain's end
        path.append(step)
        step = parents[step]
    return list(reversed(path))


def first_before_proposal(proposed_on: datetime.date | None, days: Iterable[datetime.date]) -> datetime.date | None:
    """The earliest of `days` (dates of a project's lifecycle steps) that falls before the project's
    proposal on `proposed_on`: a project cannot be appraised, approved or stopped before it was
    proposed. None when every day is on or after the proposal, and when no proposal date is
    recorded (`proposed_on` None: there is nothing to compare with)."""
    if proposed_on is None:
        return None
    return min((day for day in days if day < proposed_on), default=None)
