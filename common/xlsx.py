"""Small helpers shared by the portal's .xlsx exports (audit trail, dashboard report, lists).

The one rule they all keep: a text cell that Excel could read as a formula (`=`, `+`, `-`,
`@`, a tab or a carriage return first) is stored as text with Excel's quote prefix, so that a
title typed as `=HYPERLINK(…)` shows as typed and never runs.
"""

import datetime
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .numbers import round_pct

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = "#,##0"  # whole đồng; Excel shows the separators of the reader's locale
COUNT_FORMAT = "#,##0"
PCT_FORMAT = "0.00%"
DASH = "–"  # a figure with no record behind it, or a percentage with nothing to divide by
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell(sheet, value, *, font=None, fill=None, alignment=None, number_format=None) -> WriteOnlyCell:
    """A cell of `sheet` holding `value` (to append; write-only sheets and ordinary ones alike),
    formula-like text stored as text; dates and times (in the portal's time zone, which Excel
    does not store) shown the Vietnamese way. Numbers, Decimals and dates stay numbers and
    dates: -5 is a negative number, only text can be mistaken for a formula."""
    result = WriteOnlyCell(sheet)
    _fill(result, value, font=font, fill=fill, alignment=alignment, number_format=number_format)
    return result


def cells(sheet, values: Sequence) -> list[WriteOnlyCell]:
    """`cell` of each of `values`: a row to append to `sheet`."""
    return [cell(sheet, value) for value in values]


def put(sheet, row: int, column: int, value, *, font=None, fill=None, alignment=None, number_format=None):
    """Write `value` into the cell at `row`, `column` of an ordinary (not write-only) `sheet`, as
    `cell` does; return the cell."""
    target = sheet.cell(row=row, column=column)
    _fill(target, value, font=font, fill=fill, alignment=alignment, number_format=number_format)
    return target


def _fill(target, value, *, font, fill, alignment, number_format) -> None:
    """The one place a value the portal writes is set on a cell (`formula` apart)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        # Control characters cannot be stored in an .xlsx at all (openpyxl refuses them):
        # dropped, so that one odd character pasted into a title cannot break a download.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    target.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Text, not a formula: openpyxl would store "=…" as one, and Excel re-reads the others
        # as formulas when the cell is edited unless the quote prefix marks them as text.
        target.data_type = "s"
        target.quotePrefix = True
    elif hasattr(value, "hour"):
        target.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        target.number_format = DATE_FORMAT
    if number_format is not None:
        target.number_format = number_format
    if font is not None:
        target.font = font
    if fill is not None:
        target.fill = fill
    if alignment is not None:
        target.alignment = alignment


def formula(sheet, text: str, *, font=None, number_format=None) -> WriteOnlyCell:
    """A cell holding a formula the export itself wrote (never user text): the only way a
    formula gets into a workbook the portal produces."""
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


def money(sheet, value: Decimal | int | None):
    """Whole đồng as a number with the thousands format; a dash for None (no record behind the
    figure: never an empty cell that a reader would take for 0)."""
    return cell(sheet, DASH) if value is None else cell(sheet, int(value), number_format=MONEY_FORMAT)


def no_data_note() -> str:
    """The note under every table of a workbook that may hold a dash."""
    return _("–: no data (no record behind the figure); a percentage with nothing to divide by is also a dash.")


def count_cell(sheet, value: int | None):
    """A whole count with the thousands format; a dash for None (no record behind it)."""
    return cell(sheet, DASH) if value is None else cell(sheet, value, number_format=COUNT_FORMAT)


def percent(sheet, value: Decimal | None):
    """A percentage (19.20) as Excel's 19,20 %; a dash when there was nothing to divide by."""
    ratio = pct_value(value)
    return cell(sheet, ratio, number_format=PCT_FORMAT) if ratio != DASH else cell(sheet, DASH)


def text(sheet, value: str):
    """`value` as a plain string, or a quote-prefixed cell when Excel could read it as a formula:
    a styled cell per value would cost time on 100,000 rows."""
    return cell(sheet, value) if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def generated_line(by: str) -> str:
    """`Generated on 10/07/2026 09:00 by Trần Thị Thu Hà`, now in the portal's time zone."""
    return _("Generated on %(date)s by %(user)s") % {
        "date": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        "user": by,
    }


def file_response(write: Callable[[IO[bytes]], object], filename: str) -> FileResponse:
    """The .xlsx download of what `write(output)` writes: to a temporary file, streamed from it,
    so that a workbook of 100,000 rows is never held in memory."""
    # FileResponse closes (and so deletes) the file once it is sent.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        write(output)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)


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


def header_row(sheet, headers: Sequence[str], *, alignment=None) -> list[WriteOnlyCell]:
    """The bold, shaded column headers of a table."""
    return [cell(sheet, str(header), font=BOLD, fill=HEADER_FILL, alignment=alignment) for header in headers]


def print_setup(sheet, header: int) -> None:
    """Print `sheet` landscape, one page wide, with its column headers (row `header`) on every page."""
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


# Rows whose wrapped text needs more than a line are given a height: LibreOffice does not fit
# row heights when it opens a file, and Excel keeps a height once it is given.
LINE_HEIGHT, MAX_LINES = 15, 20  # points a line of 11-point text takes; Excel allows 409 in all
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Characters of Vietnamese text a unit of column width holds in Calibri 11 (measured through
# LibreOffice with Carlito, its metric twin), a little less than most lines hold.
CHARACTERS_PER_UNIT, BOLD_CHARACTERS_PER_UNIT = 1.1, 0.9


def text_lines(value, width: int, *, per_unit: float = CHARACTERS_PER_UNIT) -> int:
    """About how many lines `value` takes wrapped word by word in a column `width` wide (at most
    MAX_LINES; 1 for an empty value)."""
    per_line = max(int(width * per_unit), 1)
    lines = 0
    for paragraph in str(value or "").split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > per_line:
                lines += 1
                used = 0
            used += (1 if used else 0) + len(word)
            while used > per_line:  # a word longer than a line goes on over the next
                lines += 1
                used -= per_line
    return min(lines, MAX_LINES)


def row_height(lines: int) -> float:
    return lines * LINE_HEIGHT


def wrapped_headers(sheet, number: int, headers: Sequence[str], widths: Sequence[int]) -> list[WriteOnlyCell]:
    """`header_row` wrapped and centred in columns of `widths`, with row `number` (appended next)
    as high as its longest header needs."""
    lines = max(
        text_lines(header, width, per_unit=BOLD_CHARACTERS_PER_UNIT)
        for header, width in zip(headers, widths, strict=True)
    )
    if lines > 1:
        sheet.row_dimensions[number].height = row_height(lines)
    return header_row(sheet, headers, alignment=HEADER_ALIGNMENT)


def set_widths(sheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
