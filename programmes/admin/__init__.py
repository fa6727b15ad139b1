"""Data entry (Django admin) for the programme, by domain: reference data, plans and reports,
projects, money and outputs (docs/architecture.md).

Thin on purpose: the forms validate through the models' `full_clean()`, writes that carry rules
go through `programmes.services`, and every changelist loads the foreign keys it shows in its
one page query (`list_select_related`; the query counts are pinned in
tests/programmes/test_admin.py). Importing this package registers every model admin.
"""

from . import (
    accounts,
    calendar,
    categories,
    disbursements,
    establishments,
    plans,
    products,
    programmes_5y,
    projects,
    reference,
    system,
)
from .base import (
    NumberInputsMixin,
    PortalAdmin,
    PortalTabularInline,
    ScopedAdminMixin,
    count,
    fund,
    record_province,
)

__all__ = [
    "accounts",
    "NumberInputsMixin",
    "PortalAdmin",
    "PortalTabularInline",
    "ScopedAdminMixin",
    "calendar",
    "categories",
    "count",
    "disbursements",
    "establishments",
    "fund",
    "plans",
    "products",
    "programmes_5y",
    "projects",
    "record_province",
    "reference",
    "system",
]
