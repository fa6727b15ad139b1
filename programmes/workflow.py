"""Old import path of the reporting workflow and the locks, kept for the tests that import it:
the steps are programmes.services (plans, reporting), the locks programmes.selectors.locks."""

from common.i18n import user_display_name

from .models import expected_in, period_end
from .selectors.locks import (
    check_date_unlocked,
    covering_approved_period,
    date_lock_reason,
    lock_message,
    plan_lock_reason,
    year_lock_reason,
)
from .services import (
    period_approve,
    period_reopen,
    period_return,
    period_submit,
    plan_approve,
    plan_return,
    plan_submit,
)

__all__ = [
    "check_date_unlocked",
    "covering_approved_period",
    "date_lock_reason",
    "expected_in",
    "lock_message",
    "period_approve",
    "period_end",
    "period_reopen",
    "period_return",
    "period_submit",
    "plan_approve",
    "plan_lock_reason",
    "plan_return",
    "plan_submit",
    "user_display_name",
    "year_lock_reason",
]
