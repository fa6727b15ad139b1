"""When a project's money and outputs may be dated: once its contract is signed, on a day
between the contract and today; after a cancellation or suspension only recoveries.

Each function answers with a refusal code, or None when the record may be dated so;
`programmes.models.money` turns the code into the message the user reads.
"""

import datetime

from .lifecycle import MONEY_STATUSES, STOPPED

NOT_CONTRACTED = "not_contracted"  # the project's status is before the contract
NO_CONTRACT_STEP = "no_contract_step"  # the status says contracted, but no contract step is recorded
BEFORE_CONTRACT = "before_contract"
IN_FUTURE = "in_future"
AFTER_STOP = "after_stop"


def activity_date_refusal(
    *, status: str, contract_date: datetime.date | None, day: datetime.date, today: datetime.date
) -> str | None:
    """Why a disbursement or an output of a project in `status`, whose contract was signed on
    `contract_date` (None: no contract step recorded), may not be dated `day`; None when it may."""
    if status not in MONEY_STATUSES:
        return NOT_CONTRACTED
    if contract_date is None:
        return NO_CONTRACT_STEP
    if day < contract_date:
        return BEFORE_CONTRACT
    if day > today:
        return IN_FUTURE
    return None


def stopped_on(status: str, status_changed_on: datetime.date | None) -> datetime.date | None:
    """The day a cancelled or suspended project stopped; None for a project that goes on."""
    return status_changed_on if status in STOPPED else None


def payment_after_stop(
    *, status: str, status_changed_on: datetime.date | None, day: datetime.date, is_recovery: bool
) -> bool:
    """True when a payment (not a recovery) dated `day` falls after the project stopped."""
    stop = stopped_on(status, status_changed_on)
    return stop is not None and not is_recovery and day > stop
