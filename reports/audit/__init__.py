"""The audit trail: who changed which record, when, old → new, and why (`trail` reads the
history tables, scoped; `entries` turns their rows into what the page shows; `excel` and
`views` are the page and its export). Its public names are imported from here."""

from .entries import (
    AUDITED_APPS,
    CHANGED,
    CREATED,
    DELETED,
    HIDDEN_FIELDS,
    AuditEntry,
    FieldChange,
    action_label,
    audited_models,
    display_value,
    entry_rows,
    record_label,
)
from .trail import (
    AuditFilters,
    AuditPage,
    Cursor,
    audit_count,
    audit_entries,
    audit_page,
    audit_users,
    iter_audit_entries,
    model_choices,
)

__all__ = [
    "AUDITED_APPS",
    "AuditEntry",
    "AuditFilters",
    "AuditPage",
    "CHANGED",
    "CREATED",
    "Cursor",
    "DELETED",
    "FieldChange",
    "HIDDEN_FIELDS",
    "action_label",
    "audit_count",
    "audit_entries",
    "audit_page",
    "audit_users",
    "audited_models",
    "display_value",
    "entry_rows",
    "iter_audit_entries",
    "model_choices",
    "record_label",
]
