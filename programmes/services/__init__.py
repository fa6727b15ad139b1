"""Write side of the programme: every change to plans, targets, projects, money, outputs and
reports, one module per domain (docs/architecture.md).

The admin, the pages, the API and the imports all call these functions, so a rule written here
holds everywhere. Each function validates before it writes and writes inside one transaction:
on a ValidationError nothing has been saved. Callers use `services.<function>` (this package),
as before the split.
"""

from ..models import disbursement_date_check, output_date_check
from ..rules import lifecycle
from .money import (
    DELETE_LEAVES_MORE_RECOVERED,
    OVER_SUPPORT,
    RECOVERY_TOO_LARGE,
    ROWS_OVER_SUPPORT,
    ROWS_RECOVER_MORE,
    disbursement_check,
    disbursement_create,
    disbursement_delete,
    disbursement_update,
    disbursements_save,
    net_total_check,
    output_check,
    output_create,
    output_delete,
    output_update,
    outputs_save,
    project_disbursed_vnd,
)
from .notifications import (
    mark_read,
    notify_plan_event,
    notify_plan_reopened,
    notify_plan_revised,
    notify_report_event,
    send_notification_emails,
    set_email_enabled,
)
from .plans import (
    YearPlanResult,
    budget_plan_check,
    budget_plan_delete,
    budget_plan_revise,
    budget_plan_save,
    indicator_target_check,
    indicator_target_delete,
    indicator_target_save,
    plan_approve,
    plan_reopen,
    plan_return,
    plan_send_back,
    plan_submit,
    year_plan_save,
)
from .projects import (
    LOCKED_FIELDS as LOCKED_PROJECT_FIELDS,
)
from .projects import (
    allowed_next_statuses,
    lifecycle_path,
    next_project_code,
    project_check,
    project_create,
    project_delete,
    project_delete_check,
    project_lock_reason,
    project_transition,
    project_update,
)
from .reporting import period_approve, period_reopen, period_return, period_submit

# The lifecycle's table and sets, as the services' callers have always read them here.
PROJECT_TRANSITIONS = lifecycle.TRANSITIONS
DOCUMENT_REQUIRED = lifecycle.DOCUMENT_REQUIRED
MONEY_STATUSES = lifecycle.MONEY_STATUSES

__all__ = [
    "DELETE_LEAVES_MORE_RECOVERED",
    "OVER_SUPPORT",
    "RECOVERY_TOO_LARGE",
    "ROWS_OVER_SUPPORT",
    "ROWS_RECOVER_MORE",
    "DOCUMENT_REQUIRED",
    "LOCKED_PROJECT_FIELDS",
    "MONEY_STATUSES",
    "PROJECT_TRANSITIONS",
    "YearPlanResult",
    "allowed_next_statuses",
    "budget_plan_check",
    "budget_plan_delete",
    "budget_plan_revise",
    "budget_plan_save",
    "disbursement_check",
    "disbursement_create",
    "disbursement_date_check",
    "disbursement_delete",
    "disbursement_update",
    "disbursements_save",
    "indicator_target_check",
    "indicator_target_delete",
    "indicator_target_save",
    "lifecycle_path",
    "net_total_check",
    "mark_read",
    "next_project_code",
    "notify_plan_event",
    "notify_plan_reopened",
    "notify_plan_revised",
    "notify_report_event",
    "output_check",
    "output_create",
    "output_date_check",
    "output_delete",
    "output_update",
    "outputs_save",
    "period_approve",
    "period_reopen",
    "period_return",
    "period_submit",
    "plan_approve",
    "plan_reopen",
    "plan_return",
    "plan_send_back",
    "plan_submit",
    "project_check",
    "project_create",
    "project_delete",
    "project_delete_check",
    "project_lock_reason",
    "project_disbursed_vnd",
    "project_transition",
    "project_update",
    "send_notification_emails",
    "set_email_enabled",
    "year_plan_save",
]
