"""The one writer of the portal's list exports ("Tải Excel" on each list), `list_workbook`.

A title block (the list, its scope and filters, generated at and by), the column headers (bold,
frozen, with an autofilter), then one row per item, written in write-only mode so that 100,000
rows keep memory flat. Each list declares its columns once, as `Column(header, width, kind)`,
next to the function that turns the screen's own rows into cell values, so no figure is
computed here. The kind gives the number format (whole đồng, counts, percentages, dates); text
goes through `xlsx.text`, so a value typed as `=HYPERLINK(…)` shows as typed and never runs.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from .i18n import ascii_name
from .xlsx import (
    COUNT_FORMAT,
    cell,
    generated_line,
    money,
    percent,
    print_setup,
    row_height,
    set_widths,
    sheet_title,
    text,
    text_lines,
    title_block,
    wrapped_headers,
)

TEXT, LONG_TEXT, NUMBER, COUNT, MONEY, PCT, DATE = "text", "long_text", "number", "count", "money", "pct", "date"
CHUNK_SIZE = 2000
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="top")
TOP = Alignment(vertical="top")
MINUTES_FORMAT = "dd/mm/yyyy hh:mm"  # as the pages show a moment (SHORT_DATETIME_FORMAT)


@dataclass(frozen=True)
class Column:
    """A column of a list: its header, its width in characters, and the kind of its values."""

    header: str
    width: int
    kind: str = TEXT


def _value(sheet, kind: str, value):
    if kind == PCT:
        return percent(sheet, value)  # a dash when there was nothing to divide by, as on screen
    if value is None or value == "":
        return None
    if kind == MONEY:
        return money(sheet, value)
    if kind == COUNT:
        return cell(sheet, value, number_format=COUNT_FORMAT)
    if kind == LONG_TEXT:
        return cell(sheet, str(value), alignment=WRAP)
    if isinstance(value, datetime.datetime):
        return cell(sheet, value, number_format=MINUTES_FORMAT, alignment=CENTRE)
    if isinstance(value, datetime.date):
        return cell(sheet, value, alignment=CENTRE)  # dd/mm/yyyy
    if isinstance(value, str):
        return text(sheet, value)
    return value


def list_workbook(
    output: IO[bytes], *, title: str, heading: Sequence[str], columns: Sequence[Column], rows: Iterable[Sequence]
) -> int:
    """Write the one-sheet workbook of a list to `output`; return the number of rows written.

    `heading`: the lines under the title (`heading_lines`); `rows`: one sequence of values per
    item, in the order of `columns`, read once.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    set_widths(sheet, [column.width for column in columns])
    block = [title, *heading]
    header = len(block) + 2
    sheet.freeze_panes = f"B{header + 1}"  # the headers and the first column stay in view
    print_setup(sheet, header)
    title_block(sheet, block)
    sheet.append(wrapped_headers(sheet, header, [column.header for column in columns], [c.width for c in columns]))
    kinds = [column.kind for column in columns]
    wrapped = [index for index, column in enumerate(columns) if column.kind == LONG_TEXT]
    count = 0
    for row in rows:
        cells = [_value(sheet, kind, value) for kind, value in zip(kinds, row, strict=True)]
        count += 1
        lines = _lines([columns[i] for i in wrapped], [row[i] for i in wrapped])
        if lines > 1:  # a tall row: every cell at its top, where its wrapped neighbours start
            cells = [_at_top(sheet, value) for value in cells]
        _append(sheet, header + count, cells, lines)
    sheet.auto_filter.ref = f"A{header}:{get_column_letter(len(columns))}{header + max(count, 1)}"
    workbook.save(output)
    return count


def _lines(columns: Sequence[Column], values: Sequence) -> int:
    """About how many lines the longest of `values` takes, wrapped in its column (1 at least)."""
    return max([1, *(text_lines(value, column.width) for column, value in zip(columns, values, strict=True))])


def _at_top(sheet, value):
    if value is None:
        return None
    if not isinstance(value, Cell):
        return cell(sheet, value, alignment=TOP)
    if value.alignment.vertical is None:
        value.alignment = Alignment(horizontal=value.alignment.horizontal, vertical="top")
    return value


def _append(sheet, number: int, cells: list, lines: int) -> None:
    """Append row `number`, as high as `lines` lines of text when that is more than one."""
    if lines > 1:
        sheet.row_dimensions[number].height = row_height(lines)
    sheet.append(cells)
    if lines > 1:
        del sheet.row_dimensions[number]  # written: memory stays flat over 100,000 rows


# ---- The title block ---------------------------------------------------------------------------


def heading_lines(*, scope: str, filters: Sequence[str], by: str) -> list[str]:
    """The lines under an export's title: scope, filters (or "none"), generated at and by."""
    return [
        _("Scope: %(scope)s") % {"scope": scope},
        _("Filters: %(filters)s") % {"filters": "; ".join(filters) or _("none")},
        generated_line(by),
    ]


def chosen_filters(form, values: Mapping[str, object]) -> list[str]:
    """`Label: chosen option` for each field of `form` named in `values` that has a value, the
    option's label read from the field's choices (no query)."""
    lines = []
    for name, value in values.items():
        if value not in (None, ""):
            field = form.fields[name]
            label = dict(field.choices).get(value, value)
            lines.append(f"{field.label}: {label}")
    return lines


def filename(name: str, *parts: object) -> str:
    """`ky-bao-cao-2026-20260710.xlsx`: the list's name in ASCII, `parts`, and today's date."""
    words = [slugify(ascii_name(name)), *(str(part) for part in parts)]
    return f"{'-'.join(filter(None, words))}-{timezone.localdate():%Y%m%d}.xlsx"
