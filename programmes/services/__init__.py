"""Write side of the programme: every change to plans, targets, projects, money, outputs and
reports, one module per domain (docs/architecture.md).

The admin, the pages, the API and the imports all call these functions, so a rule written here
holds everywhere. Each function validates before it writes and writes inside one transaction:
on a ValidationError nothing has been saved. Callers use `services.<function>` (this package),
as before the split.
"""

from ..models import disbursement_date_check, output_date_check
from ..rules import lifecycle
from .establishments import (
    DOUBLE_FUNDING,
    DOUBLE_FUNDING_CODE,
    ESTABLISHMENT_HAS_SUPPORTS,
    ESTABLISHMENT_OUTSIDE_PROJECT,
    ESTABLISHMENT_PROVINCE_LOCKED,
    BeneficiaryResult,
    beneficiaries_link_by_name,
    beneficiary_check,
    double_funding_warnings,
    establishment_create,
    establishment_delete,
    establishment_update,
    project_beneficiary_add,
    project_beneficiary_remove,
)
from .money import (
    disbursement_check,
    disbursement_create,
    disbursement_delete,
    disbursement_update,
    output_check,
    output_create,
    output_delete,
    output_update,
    project_disbursed_vnd,
)
from .plans import (
    YearPlanResult,
    budget_plan_delete,
    budget_plan_save,
    indicator_target_delete,
    indicator_target_save,
    plan_approve,
    plan_return,
    plan_submit,
    year_plan_save,
)
from .products import (
    CERTIFICATE_EXPIRED,
    CERTIFICATE_OTHER_ESTABLISHMENT,
    CERTIFICATE_REQUIRED,
    CERTIFICATE_WRONG_LEVEL,
    ENTRY_OUTSIDE_ROUND,
    NOT_RECOGNISED,
    NOT_SCORED,
    ROUND_HAS_ENTRIES,
    certificate_check,
    certificate_delete,
    certificate_save,
    entry_check,
    entry_delete,
    entry_save,
    round_save,
)
from .projects import (
    allowed_next_statuses,
    lifecycle_path,
    next_project_code,
    project_create,
    project_transition,
    project_update,
)
from .reporting import period_approve, period_reopen, period_return, period_submit

# The lifecycle's table and sets, as the services' callers have always read them here.
PROJECT_TRANSITIONS = lifecycle.TRANSITIONS
DOCUMENT_REQUIRED = lifecycle.DOCUMENT_REQUIRED
MONEY_STATUSES = lifecycle.MONEY_STATUSES

__all__ = [
    "CERTIFICATE_EXPIRED",
    "CERTIFICATE_OTHER_ESTABLISHMENT",
    "CERTIFICATE_REQUIRED",
    "CERTIFICATE_WRONG_LEVEL",
    "ENTRY_OUTSIDE_ROUND",
    "NOT_RECOGNISED",
    "NOT_SCORED",
    "ROUND_HAS_ENTRIES",
    "certificate_check",
    "certificate_delete",
    "certificate_save",
    "entry_check",
    "entry_delete",
    "entry_save",
    "round_save",
    "DOUBLE_FUNDING",
    "DOUBLE_FUNDING_CODE",
    "ESTABLISHMENT_HAS_SUPPORTS",
    "ESTABLISHMENT_OUTSIDE_PROJECT",
    "ESTABLISHMENT_PROVINCE_LOCKED",
    "BeneficiaryResult",
    "beneficiaries_link_by_name",
    "beneficiary_check",
    "double_funding_warnings",
    "establishment_create",
    "establishment_delete",
    "establishment_update",
    "project_beneficiary_add",
    "project_beneficiary_remove",
    "DOCUMENT_REQUIRED",
    "MONEY_STATUSES",
    "PROJECT_TRANSITIONS",
    "YearPlanResult",
    "allowed_next_statuses",
    "budget_plan_delete",
    "budget_plan_save",
    "disbursement_check",
    "disbursement_create",
    "disbursement_date_check",
    "disbursement_delete",
    "disbursement_update",
    "indicator_target_delete",
    "indicator_target_save",
    "lifecycle_path",
    "next_project_code",
    "output_check",
    "output_create",
    "output_date_check",
    "output_delete",
    "output_update",
    "period_approve",
    "period_reopen",
    "period_return",
    "period_submit",
    "plan_approve",
    "plan_return",
    "plan_submit",
    "project_create",
    "project_disbursed_vnd",
    "project_transition",
    "project_update",
    "year_plan_save",
]
