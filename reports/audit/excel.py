"""The audit trail as an .xlsx file: a title block, then one row per changed field.

A pure function of the selector's entries (docs/architecture.md, C14): no request, no ORM. The columns are
declared once, below. Every text cell that Excel could read as a formula (`=`, `+`, `-`, `@`,
a tab or a carriage return first) is stored as text with Excel's quote prefix, so that a note
typed as `=HYPERLINK(…)` shows as typed and never runs.
"""

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from common.numbers import group_digits
from common.xlsx import cell, set_widths, title_block
from common.xlsx import header_row as xlsx_header_row

from .entries import AuditEntry, FieldChange, entry_rows


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[AuditEntry, FieldChange | None], object]


def _old(entry: AuditEntry, change: FieldChange | None) -> str:
    if change is None:
        return ""
    if entry.baseline:
        return _("(not recorded)")
    return change.old


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Time"), 20, lambda e, c: timezone.localtime(e.when).replace(tzinfo=None, microsecond=0)),
    Column(gettext_lazy("Changed by"), 24, lambda e, c: e.who),
    Column(gettext_lazy("User name"), 16, lambda e, c: e.username),
    Column(gettext_lazy("Record type"), 20, lambda e, c: e.model_label),
    Column(gettext_lazy("Record"), 40, lambda e, c: e.record_label),
    Column(gettext_lazy("Record ID"), 10, lambda e, c: e.record_id),
    Column(gettext_lazy("Province"), 24, lambda e, c: e.province),
    Column(gettext_lazy("Action"), 12, lambda e, c: e.action_label),
    Column(gettext_lazy("Field"), 28, lambda e, c: c.field if c else ""),
    Column(gettext_lazy("Old value"), 30, _old),
    Column(gettext_lazy("New value"), 30, lambda e, c: c.new if c else ""),
    Column(gettext_lazy("Reason"), 36, lambda e, c: e.reason),
)


def audit_workbook(entries: Iterable[AuditEntry], *, heading: Sequence[str], max_rows: int) -> bytes:
    """The .xlsx bytes: `heading` lines under the title, the column headers (frozen, with an
    autofilter), then one row per changed field of `entries`, newest first.

    Stops reading `entries` before the entry that would pass `max_rows` rows, and then says so
    under the title.
    """
    rows: list[list] = []
    capped = False
    for entry in entries:
        lines = [[column.value(entry, change) for column in COLUMNS] for _entry, change in entry_rows([entry])]
        if len(rows) + len(lines) > max_rows:  # whole entries only
            capped = True
            break
        rows.extend(lines)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Change log")[:31])
    title = [_("Data change log"), *heading]
    if capped:
        title.append(
            _("Only the newest %(count)s rows are included: choose fewer users, provinces or days to see the rest.")
            % {"count": group_digits(max_rows, get_language())}
        )
    header_row = len(title) + 2
    sheet.freeze_panes = f"A{header_row + 1}"
    set_widths(sheet, [column.width for column in COLUMNS])
    title_block(sheet, title)
    sheet.append(xlsx_header_row(sheet, [str(column.header) for column in COLUMNS]))
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        sheet.append([cell(sheet, value, alignment=wrap) for value in values])
    last_row = header_row + max(len(rows), 1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(COLUMNS))}{last_row}"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
