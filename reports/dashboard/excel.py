"""The dashboard report as an .xlsx workbook: "Tổng hợp", "Tỉnh", "Đề án" and "Chỉ tiêu".

`report_workbook` is a pure function of a computed `Summary` and an iterable of project rows
(docs/architecture.md, C14): no request and no ORM, so that the file shows the figures of the screen and of
the summary endpoint. Percentages are the portal's (`progress.round_pct`, half-up to 2 places)
stored as ratios with a percent format (97.02 → 0.9702, shown 97,02 %); amounts are whole đồng
with a thousands format. Totals of the province and project sheets are `=SUM(…)` formulas over
the rows above them, so that a reader who edits a row sees the total follow.

The workbook is written in write-only mode, row by row, to a file the caller gives: the project
sheet can hold 100,000 rows without holding them in memory (bench/export_bench.py measures it).
`project_rows` is the one query behind that sheet.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from common.xlsx import (
    BOLD,
    COUNT_FORMAT,
    MONEY_FORMAT,
    PCT_FORMAT,
    cell,
    count_cell,
    formula,
    generated_line,
    header_row,
    no_data_note,
    print_setup,
    set_widths,
    sheet_title,
    title_block,
    wrapped_headers,
)
from common.xlsx import money as _money
from common.xlsx import percent as _pct
from common.xlsx import text as _text
from programmes import access
from programmes.models import FUND_SHORT_LABELS, Project, ProjectStatus, fund_short_label
from programmes.selectors import FUNDS, TOTAL, Summary

FUND_LABELS = FUND_SHORT_LABELS
CHUNK_SIZE = 2000

# The columns of `project_rows`, in the order of the project sheet.
PROJECT_FIELDS = (
    "code",
    "title",
    "province__name",
    "funding_source",
    "category__name",
    "status",
    "support_vnd",
    "counterpart_vnd",
    "disbursed_vnd",
)


@dataclass(frozen=True)
class SummaryLine:
    """A line of the summary sheet's fund table: one figure of FundFigures for the total and each fund."""

    label: str
    attribute: str
    kind: str  # "money" or "pct"


SUMMARY_LINES: tuple[SummaryLine, ...] = (
    SummaryLine(gettext_lazy("First-approved plan (đồng)"), "original_plan_vnd", "money"),
    SummaryLine(gettext_lazy("Plan as revised (đồng)"), "plan_vnd", "money"),
    SummaryLine(gettext_lazy("Disbursed (đồng)"), "actual_vnd", "money"),
    SummaryLine(gettext_lazy("Completion: disbursed over the plan as revised"), "completion_pct", "pct"),
    SummaryLine(gettext_lazy("First-approved plan of the previous year (đồng)"), "original_plan_prev_vnd", "money"),
    SummaryLine(
        gettext_lazy("Growth: first-approved plan over the previous year's first-approved plan"),
        "plan_growth_pct",
        "pct",
    ),
    SummaryLine(gettext_lazy("Plan as revised of the previous year (đồng)"), "plan_prev_vnd", "money"),
    SummaryLine(
        gettext_lazy("Growth: plan as revised over the previous year's plan as revised"),
        "revised_plan_growth_pct",
        "pct",
    ),
    SummaryLine(gettext_lazy("Share of the national plan (plans as revised)"), "plan_share_pct", "pct"),
    SummaryLine(gettext_lazy("Share of national disbursement"), "actual_share_pct", "pct"),
    SummaryLine(gettext_lazy("Support of contracted projects (đồng)"), "committed_vnd", "money"),
    SummaryLine(gettext_lazy("Disbursed over the support of contracted projects"), "disbursement_rate_pct", "pct"),
)


SHEET_NAMES = {
    "summary": pgettext_lazy("sheet", "Summary"),
    "provinces": pgettext_lazy("sheet", "Provinces"),
    "projects": pgettext_lazy("sheet", "Projects"),
    "indicators": pgettext_lazy("sheet", "Indicators"),
}


def project_rows(user, result: Summary, territory: set[int] | None) -> Iterator[tuple]:
    """The projects of `result`'s year in `territory` (None: every province) that `user` may
    read, as tuples of PROJECT_FIELDS with the đồng disbursed up to `result.as_of`.

    One query, read in chunks of CHUNK_SIZE rows so that memory stays flat whatever the count.
    """
    projects = access.visible(user, Project.objects.with_disbursed_vnd(result.as_of)).filter(year=result.year)
    if territory is not None:
        projects = projects.filter(province_id__in=territory)
    return (
        projects.order_by("province__code", "province__valid_from", "code")
        .values_list(*PROJECT_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def report_workbook(
    result: Summary,
    projects: Iterable[Sequence],
    *,
    heading: Sequence[str],
    output: IO[bytes],
    by_era: bool = False,
) -> int:
    """Write the workbook for `result` to `output`; return the number of project rows written.

    `heading`: the lines under each sheet's title (scope, cut-off, generated at and by).
    `projects`: tuples in the order of PROJECT_FIELDS (see `project_rows`).
    `by_era`: the province sheet lists every province with its own dated records (`era_rows`),
    as the page's table by era does, instead of the provinces of the cut-off.
    """
    workbook = Workbook(write_only=True)
    _summary_sheet(workbook, result, heading)
    _provinces_sheet(workbook, result, heading, by_era=by_era and result.has_two_eras)
    count = _projects_sheet(workbook, result, projects, heading)
    _indicators_sheet(workbook, result, heading)
    workbook.save(output)
    return count


def _title(result: Summary) -> str:
    return _("Industrial extension results, %(year)s") % {"year": result.year}


def _summary_sheet(workbook: Workbook, result: Summary, heading: Sequence[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(SHEET_NAMES["summary"]))
    set_widths(sheet, [60, 22, 22, 22, 16, 14])  # the longest indicator name is 73 characters
    first = len(heading) + 3
    sheet.freeze_panes = f"B{first + 1}"
    print_setup(sheet, first)
    title_block(sheet, [_title(result), *heading])
    keys = (TOTAL, *FUNDS)
    sheet.append(header_row(sheet, [_("Figure"), _("Total"), *(FUND_LABELS[fund] for fund in FUNDS)]))
    for line in SUMMARY_LINES:
        values = [getattr(result.funds[key], line.attribute) for key in keys]
        write = _money if line.kind == "money" else _pct
        sheet.append([cell(sheet, str(line.label)), *(write(sheet, value) for value in values)])
    sheet.append([])
    sheet.append(
        [cell(sheet, _("Provinces"), font=BOLD), cell(sheet, result.province_count, number_format=COUNT_FORMAT)]
    )
    sheet.append([cell(sheet, _("Projects"), font=BOLD), cell(sheet, result.project_count, number_format=COUNT_FORMAT)])
    sheet.append([])
    sheet.append(header_row(sheet, [_("Approved plans"), _("Approved"), _("Expected")]))
    for fund in FUNDS:
        count = result.plans_approved[fund]
        sheet.append([cell(sheet, FUND_LABELS[fund]), cell(sheet, count.approved), cell(sheet, count.expected)])
    sheet.append([])
    sheet.append(header_row(sheet, [_("Indicator"), _("Unit"), _("Target"), _("Done"), _("Completion of the target")]))
    for indicator in result.indicators:
        sheet.append(_indicator_cells(sheet, indicator))
    sheet.append([])
    sheet.append([cell(sheet, no_data_note())])


def _indicator_cells(sheet, indicator) -> list:
    return [
        cell(sheet, indicator.name),
        cell(sheet, indicator.unit),
        count_cell(sheet, indicator.target),
        count_cell(sheet, indicator.actual),
        _pct(sheet, indicator.completion_pct),
    ]


# Province sheet columns: A name, B region, C dates, D first-approved total, E–G plan as revised
# (KCQG, KCĐP, total), H–J disbursed, K completion.
ORIGINAL_COLUMN, PLAN_TOTAL_COLUMN, ACTUAL_TOTAL_COLUMN, COMPLETION_COLUMN = 4, 7, 10, 11


def _provinces_sheet(workbook: Workbook, result: Summary, heading: Sequence[str], *, by_era: bool) -> None:
    sheet = workbook.create_sheet(sheet_title(SHEET_NAMES["provinces"]))
    widths = [28, 22, 22, 20, 20, 20, 20, 20, 20, 20, 16]
    set_widths(sheet, widths)
    rows = result.era_rows if by_era else result.provinces
    if by_era:
        scope_note = _("Each province of the year with its own records of the days it was in force (by era).")
    else:
        scope_note = _(
            "The provinces in force on %(date)s, each with its territory's records of the whole year "
            "(a new province with those of the provinces merged into it)."
        ) % {"date": date_format(result.cutoff_day, "SHORT_DATE_FORMAT")}
    header = len(heading) + 4
    sheet.freeze_panes = f"B{header + 1}"
    print_setup(sheet, header)
    title_block(sheet, [_title(result), *heading, scope_note])
    plan, actual = _("Plan as revised"), _("Disbursed")
    sheet.append(
        wrapped_headers(
            sheet,
            header,
            [
                _("Province"),
                _("Region"),
                _("Records dated"),
                _("First-approved plan – Total"),
                *(f"{plan} {FUND_LABELS[fund]}" for fund in FUNDS),
                f"{plan} – {_('Total')}",
                *(f"{actual} {FUND_LABELS[fund]}" for fund in FUNDS),
                f"{actual} – {_('Total')}",
                _("Completion: disbursed over the plan as revised"),
            ],
            widths,
        )
    )
    for row in rows:
        sheet.append(
            [
                cell(sheet, row.province.name),
                cell(sheet, row.province.region.name),
                cell(sheet, f"{row.start:%d/%m/%Y}–{row.end:%d/%m/%Y}"),
                _money(sheet, row.original_plan_total_vnd),
                *(_money(sheet, row.plan_vnd[fund]) for fund in FUNDS),
                _money(sheet, row.plan_total_vnd),
                *(_money(sheet, row.actual_vnd[fund]) for fund in FUNDS),
                _money(sheet, row.actual_total_vnd),
                _pct(sheet, row.completion_pct),
            ]
        )
    first, last = header + 1, header + len(rows)
    total = last + 1
    sums = [_sum(sheet, column, first, last) for column in range(ORIGINAL_COLUMN, ACTUAL_TOTAL_COLUMN + 1)]
    plan_cell = f"{get_column_letter(PLAN_TOTAL_COLUMN)}{total}"
    actual_cell = f"{get_column_letter(ACTUAL_TOTAL_COLUMN)}{total}"
    completion = formula(
        sheet, f'=IF({plan_cell}=0,"–",{actual_cell}/{plan_cell})', font=BOLD, number_format=PCT_FORMAT
    )
    sheet.append([cell(sheet, _("Total"), font=BOLD), None, None, *sums, completion])
    sheet.append([])
    sheet.append([cell(sheet, no_data_note())])
    last_column = get_column_letter(COMPLETION_COLUMN)
    sheet.auto_filter.ref = f"A{header}:{last_column}{max(last, header + 1)}"
    sheet.print_area = f"A1:{last_column}{total + 2}"  # the table; the chart beside it would shrink it
    if rows:
        sheet.add_chart(_plan_actual_chart(sheet, header, last), f"M{header}")


def _sum(sheet, column: int, first: int, last: int):
    """`=SUM(…)` of a column's rows; 0 when there are none."""
    if last < first:
        return cell(sheet, 0, font=BOLD, number_format=MONEY_FORMAT)
    letter = get_column_letter(column)
    return formula(sheet, f"=SUM({letter}{first}:{letter}{last})", font=BOLD, number_format=MONEY_FORMAT)


def _plan_actual_chart(sheet, header: int, last: int) -> BarChart:
    """Plan and disbursed (totals of both funds) by province, as horizontal bars."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = _("Plan as revised and disbursement by province (đồng)")
    for column in (PLAN_TOTAL_COLUMN, ACTUAL_TOTAL_COLUMN):
        chart.add_data(Reference(sheet, min_col=column, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    chart.y_axis.numFmt = MONEY_FORMAT
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first province at the top, as in the table
    chart.width = 24
    chart.height = max(8, 0.55 * (last - header) + 3)
    return chart


def _projects_sheet(workbook: Workbook, result: Summary, projects: Iterable[Sequence], heading) -> int:
    sheet = workbook.create_sheet(sheet_title(SHEET_NAMES["projects"]))
    widths = [22, 60, 24, 10, 36, 18, 20, 20, 22]  # codes are 21 characters (KCQG-2016-79-001 and a prefix)
    set_widths(sheet, widths)
    header = len(heading) + 3
    sheet.freeze_panes = f"C{header + 1}"
    print_setup(sheet, header)
    title_block(sheet, [_title(result), *heading])
    disbursed = _("Disbursed up to %(date)s") % {"date": date_format(result.as_of, "SHORT_DATE_FORMAT")}
    sheet.append(
        wrapped_headers(
            sheet,
            header,
            [
                _("Project code"),
                pgettext("project", "Title"),
                _("Province"),
                _("Fund"),
                _("Activity category"),
                _("Status"),
                _("Support (đồng)"),
                _("Counterpart funds (đồng)"),
                f"{disbursed} (đồng)",
            ],
            widths,
        )
    )
    statuses = {value: str(label) for value, label in ProjectStatus.choices}
    count = 0
    for code, title, province, fund, category, status, support, counterpart, paid in projects:
        # Plain strings unless Excel could read them as formulas: a styled cell per value
        # would cost time on 100,000 rows.
        sheet.append(
            [
                _text(sheet, code),
                _text(sheet, title),
                _text(sheet, province),
                _text(sheet, fund_short_label(fund)),
                _text(sheet, category),
                _text(sheet, statuses.get(status, status)),
                _money(sheet, support),
                _money(sheet, counterpart),
                _money(sheet, paid),
            ]
        )
        count += 1
    first, last = header + 1, header + count
    sheet.append(
        [
            cell(sheet, _("Total"), font=BOLD),
            None,
            None,
            None,
            None,
            None,
            *(_sum(sheet, c, first, last) for c in (7, 8, 9)),
        ]
    )
    sheet.auto_filter.ref = f"A{header}:I{max(last, header + 1)}"
    return count


def _indicators_sheet(workbook: Workbook, result: Summary, heading: Sequence[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(SHEET_NAMES["indicators"]))
    set_widths(sheet, [60, 16, 16, 22, 14])
    header = len(heading) + 3
    sheet.freeze_panes = f"B{header + 1}"
    print_setup(sheet, header)
    title_block(sheet, [_title(result), *heading])
    done = _("Done up to %(date)s") % {"date": date_format(result.as_of, "SHORT_DATE_FORMAT")}
    sheet.append(header_row(sheet, [_("Indicator"), _("Unit"), _("Target"), done, _("Completion of the target")]))
    for indicator in result.indicators:
        sheet.append(_indicator_cells(sheet, indicator))
    sheet.auto_filter.ref = f"A{header}:E{header + max(len(result.indicators), 1)}"
    sheet.append([])
    sheet.append([cell(sheet, no_data_note())])


def heading_lines(*, scope_name: str, result: Summary, period_label: str, generated_by: str) -> list[str]:
    """The lines under each sheet's title: scope, year and cut-off, generated at and by."""
    cutoff = _("Year %(year)s, figures up to %(date)s") % {
        "year": result.year,
        "date": date_format(result.as_of, "SHORT_DATE_FORMAT"),
    }
    if period_label:
        cutoff += f" ({period_label})"
    return [_("Scope: %(scope)s") % {"scope": scope_name}, cutoff, generated_line(generated_by)]
