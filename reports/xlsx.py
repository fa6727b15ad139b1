"""Small helpers shared by the portal's .xlsx exports (audit trail, dashboard report).

The one rule they all keep: a text cell that Excel could read as a formula (`=`, `+`, `-`,
`@`, a tab or a carriage return first) is stored as text with Excel's quote prefix, so that a
title typed as `=HYPERLINK(…)` shows as typed and never runs.
"""

from collections.abc import Sequence
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from programmes.progress import round_pct

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
MONEY_FORMAT = "#,##0"  # whole đồng; Excel shows the separators of the reader's locale
COUNT_FORMAT = "#,##0"
PCT_FORMAT = "0.00%"
DASH = "–"  # a percentage with nothing to divide by


def cell(sheet, value, *, font=None, fill=None, alignment=None, number_format=None) -> WriteOnlyCell:
    """A write-only cell holding `value`, formula-like text stored as text."""
    result = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Text, not a formula: openpyxl would store "=…" as one, and Excel re-reads the others
        # as formulas when the cell is edited unless the quote prefix marks them as text.
        result.data_type = "s"
        result.quotePrefix = True
    elif hasattr(value, "hour"):
        result.number_format = DATETIME_FORMAT
    if number_format is not None:
        result.number_format = number_format
    if font is not None:
        result.font = font
    if fill is not None:
        result.fill = fill
    if alignment is not None:
        result.alignment = alignment
    return result


def formula(sheet, text: str, *, font=None, number_format=None) -> WriteOnlyCell:
    """A cell holding a formula the export itself wrote (never user text)."""
    result = WriteOnlyCell(sheet, value=text)
    result.data_type = "f"
    if number_format is not None:
        result.number_format = number_format
    if font is not None:
        result.font = font
    return result


def pct_value(value: Decimal | None) -> Decimal | str:
    """A percentage as Excel stores it: the rounded value over 100 (19.20 → 0.192); a dash for None."""
    rounded = round_pct(value)
    return DASH if rounded is None else rounded / 100


def sheet_title(text: str) -> str:
    """`text` as Excel allows a sheet name: at most 31 characters, none of []:*?/\\."""
    return "".join("-" if char in "[]:*?/\\" else char for char in str(text))[:31]


TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")


def title_block(sheet, lines: Sequence[str]) -> int:
    """Append `lines` (the first as the title, in large bold) and a blank row to a write-only
    `sheet`; return the number of the row that comes next (the column headers)."""
    sheet.append([cell(sheet, str(lines[0]), font=TITLE_FONT)])
    for line in lines[1:]:
        sheet.append([cell(sheet, str(line))])
    sheet.append([])
    return len(lines) + 2


def header_row(sheet, headers: Sequence[str]) -> list[WriteOnlyCell]:
    """The bold, shaded column headers of a table."""
    return [cell(sheet, str(header), font=BOLD, fill=HEADER_FILL) for header in headers]


def set_widths(sheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
