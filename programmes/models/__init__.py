"""The programme's records, one module per domain (docs/architecture.md).

Rules about one row's own fields are database constraints, so every writer (admin, API, import,
scripts) obeys them. Rules that need another row or table (a province's era, a project's
status) are in `clean()`, so admin forms show them as messages, and the services call
`full_clean()` before saving. Every model and public name is imported from here
(`programmes.models.Project`), as before the split; Django finds the models through this module.
"""

from .accounts import (
    Role,
    UserProfile,
)
from .base import (
    MAX_YEAR,
    MIN_YEAR,
    ScopedQuerySet,
    TimeStamped,
    whole_non_negative_vnd_check,
    year_range_check,
)
from .calendar import (
    Deadline,
    DeadlineCode,
)
from .categories import (
    CategoryMapping,
)
from .centres import (
    CollaboratorNetwork,
    ExtensionCentre,
)
from .establishments import (
    TAX_CODE_FORMAT,
    Establishment,
    LegalForm,
    ProjectBeneficiary,
    province_in_force_on,
)
from .geography import (
    Province,
    ProvinceQuerySet,
    Region,
    era_note,
    province_label,
    short_date,
    validate_province_year,
)
from .money import (
    ACTIVITY_REFUSALS,
    Disbursement,
    ProjectOutput,
    activity_date_check,
    disbursement_date_check,
    output_date_check,
)
from .notifications import (
    Notification,
    NotificationKind,
    NotificationSettings,
)
from .plans import (
    ApprovalStatus,
    BudgetPlan,
    IndicatorTarget,
    PlanRevision,
)
from .products import (
    DISTRICTS_ABOLISHED,
    LEVEL_RANK,
    PROVINCE_LEVELS,
    ProductCertificate,
    ProductEntry,
    ProductGroup,
    SelectionLevel,
    SelectionRound,
)
from .programmes_5y import (
    PROGRAMME_YEARS,
    FiveYearProgramme,
    ProgrammeLevel,
    ProgrammeTarget,
    TargetKind,
)
from .projects import (
    BeneficiaryKind,
    Project,
    ProjectQuerySet,
    ProjectStatus,
    ProjectTransition,
    ProjectType,
)
from .reference import (
    FUND_SHORT_LABELS,
    ActivityCategory,
    FundingSource,
    Indicator,
    fund_short_label,
)
from .reporting import (
    PERIOD_END,
    Period,
    ReportingPeriod,
    expected_in,
    period_end,
)
from .rollup import (
    DisbursementRollup,
    OutputRollup,
    install_triggers,
)
from .sums import MONEY_SUM, DisbursementKind, signed_amount_vnd
from .versions import FigureVersion, install_version_triggers

__all__ = [
    "FigureVersion",
    "install_version_triggers",
    "PROGRAMME_YEARS",
    "FiveYearProgramme",
    "ProgrammeLevel",
    "ProgrammeTarget",
    "TargetKind",
    "DisbursementRollup",
    "OutputRollup",
    "install_triggers",
    "ACTIVITY_REFUSALS",
    "ActivityCategory",
    "ApprovalStatus",
    "BeneficiaryKind",
    "BudgetPlan",
    "CategoryMapping",
    "CollaboratorNetwork",
    "Deadline",
    "DeadlineCode",
    "Disbursement",
    "DISTRICTS_ABOLISHED",
    "LEVEL_RANK",
    "PROVINCE_LEVELS",
    "ProductCertificate",
    "ProductEntry",
    "ProductGroup",
    "SelectionLevel",
    "SelectionRound",
    "Establishment",
    "LegalForm",
    "ProjectBeneficiary",
    "TAX_CODE_FORMAT",
    "province_in_force_on",
    "DisbursementKind",
    "ExtensionCentre",
    "FUND_SHORT_LABELS",
    "FundingSource",
    "Indicator",
    "IndicatorTarget",
    "MAX_YEAR",
    "MIN_YEAR",
    "MONEY_SUM",
    "Notification",
    "NotificationKind",
    "NotificationSettings",
    "PERIOD_END",
    "Period",
    "PlanRevision",
    "Project",
    "ProjectOutput",
    "ProjectQuerySet",
    "ProjectStatus",
    "ProjectTransition",
    "ProjectType",
    "Province",
    "ProvinceQuerySet",
    "Region",
    "ReportingPeriod",
    "ScopedQuerySet",
    "TimeStamped",
    "Role",
    "UserProfile",
    "activity_date_check",
    "disbursement_date_check",
    "fund_short_label",
    "output_date_check",
    "period_end",
    "signed_amount_vnd",
    "validate_province_year",
    "whole_non_negative_vnd_check",
    "era_note",
    "expected_in",
    "province_label",
    "short_date",
    "year_range_check",
]
