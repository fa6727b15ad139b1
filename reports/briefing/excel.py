"""The conference briefing as an Excel workbook: sheets "Tổng hợp" (summary) and "Tỉnh" (provinces).

A pure function of a built `Briefing` (no request, no ORM): the same values as the printable
page. Amounts are whole đồng with a thousands format; percentages are the page's (rounded
half-up to 2 places by `progress.round_pct`) stored as fractions with a percent format, so that
Excel shows 19,20 % where the page and the summary endpoint show 19,20 % and "19.20".
"""

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.xlsx import COUNT_FORMAT, DASH, MONEY_FORMAT, PCT_FORMAT, no_data_note, pct_value, put, sheet_title
from programmes.models import Period

from .build import Briefing

HEADER_FILL = PatternFill("solid", fgColor="E8F0FA")
BOLD = Font(bold=True)


def money_cell(value: Decimal | None) -> int | str:
    return DASH if value is None else int(value)


def _number(value, kind: str) -> int | float | str:
    """A reported-figure cell: whole đồng or counts as integers, percentages to 2 places; a dash for None."""
    if value is None:
        return DASH
    return float(value) if kind == "pct" else int(value)


def count_value(value: int | None) -> int | str:
    return DASH if value is None else value


def _day(value) -> str:
    return date_format(value, "DATE_FORMAT")


def cutoff_text(briefing: Briefing) -> str:
    """`Figures of 2015 to 31/12/2015; of 2016 to 30/06/2016 (6 months)`."""
    text = _("Figures of %(previous_year)s to %(previous_date)s; of %(year)s to %(date)s") % {
        "previous_year": briefing.previous_year,
        "previous_date": _day(briefing.previous.as_of),
        "year": briefing.year,
        "date": _day(briefing.as_of),
    }
    if briefing.period:
        text += f" ({Period(briefing.period).label})"
    return text


class _Sheet:
    """Writes rows one after another, formatting each cell by its kind."""

    def __init__(self, sheet, widths: list[int]):
        self.sheet = sheet
        self.row = 0
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    def title_block(self, briefing: Briefing) -> None:
        conference = briefing.conference
        self.line(conference.title, font=Font(bold=True, size=14))
        self.line(f"{_('Region')}: {conference.region.name}")
        place = ", ".join(filter(None, [conference.city, conference.host_province.name]))
        self.line(f"{_('Conference')}: {_day(conference.start_date)}, {place}")
        self.line(cutoff_text(briefing))
        generated = date_format(timezone.localtime(briefing.generated_at), "DATETIME_FORMAT")
        self.line(f"{_('Generated at')}: {generated}", font=Font(italic=True, color="526070"))
        self.row += 1

    def line(self, text: str, *, font: Font | None = None) -> None:
        self.row += 1
        put(self.sheet, self.row, 1, text, font=font)

    def heading(self, text: str) -> None:
        self.row += 1
        put(self.sheet, self.row, 1, text, font=Font(bold=True, size=12))

    def header(self, labels: list[str]) -> None:
        self.row += 1
        for column, label in enumerate(labels, start=1):
            put(
                self.sheet,
                self.row,
                column,
                label,
                font=BOLD,
                fill=HEADER_FILL,
                alignment=Alignment(wrap_text=True, vertical="bottom"),
            )

    def values(self, cells: list[tuple[object, str | None]], *, bold: bool = False) -> None:
        """One row of (value, number format) pairs; a None format leaves the cell as text."""
        self.row += 1
        for column, (value, number_format) in enumerate(cells, start=1):
            cell = put(self.sheet, self.row, column, value)
            if number_format and not isinstance(value, str):
                cell.number_format = number_format
            if isinstance(value, str) and value == DASH:
                cell.alignment = Alignment(horizontal="right")
            if bold:
                cell.font = BOLD

    def gap(self) -> None:
        self.row += 1

    def note(self, text: str) -> None:
        """A line of explanation under a table."""
        self.row += 1
        put(self.sheet, self.row, 1, text, font=Font(italic=True))


def briefing_workbook(briefing: Briefing) -> bytes:
    """The .xlsx file of `briefing`: a summary sheet and a province sheet."""
    workbook = Workbook()
    summary_sheet = workbook.active
    summary_sheet.title = sheet_title(pgettext("sheet", "Summary"))
    _summary_sheet(_Sheet(summary_sheet, [34, 18, 18, 18, 13, 13, 18, 13, 18, 13, 18, 13, 13]), briefing)
    _province_sheet(
        _Sheet(
            workbook.create_sheet(sheet_title(pgettext("sheet", "Provinces"))),
            [28, 18, 18, 13, 18, 18, 18, 18, 13, 13, 13, 13],
        ),
        briefing,
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _summary_sheet(out: _Sheet, briefing: Briefing) -> None:
    previous, year = briefing.previous_year, briefing.year
    as_of = _day(briefing.as_of)
    out.title_block(briefing)

    out.heading(_("Plan and disbursement (đồng)"))
    out.header(
        [
            _("Fund"),
            _("First-approved plan %(year)s") % {"year": previous},
            _("Plan %(year)s as revised") % {"year": previous},
            _("Disbursed in %(year)s") % {"year": previous},
            _("Completion %(year)s (of the plan as revised)") % {"year": previous},
            _("Share of national disbursement %(year)s") % {"year": previous},
            _("First-approved plan %(year)s") % {"year": year},
            _("Growth of the first-approved plan vs %(year)s") % {"year": previous},
            _("Plan %(year)s as revised") % {"year": year},
            _("Share of the national plan (plans as revised)"),
            _("Disbursed up to %(date)s") % {"date": as_of},
            _("Completion of the plan as revised"),
            _("Share of national disbursement"),
        ]
    )
    for line in briefing.funds:
        out.values(
            [
                (line.label, None),
                (money_cell(line.previous.original_plan_vnd), MONEY_FORMAT),
                (money_cell(line.previous.plan_vnd), MONEY_FORMAT),
                (money_cell(line.previous.actual_vnd), MONEY_FORMAT),
                (pct_value(line.previous.completion_pct), PCT_FORMAT),
                (pct_value(line.previous.actual_share_pct), PCT_FORMAT),
                (money_cell(line.current.original_plan_vnd), MONEY_FORMAT),
                (pct_value(line.current.plan_growth_pct), PCT_FORMAT),
                (money_cell(line.current.plan_vnd), MONEY_FORMAT),
                (pct_value(line.current.plan_share_pct), PCT_FORMAT),
                (money_cell(line.current.actual_vnd), MONEY_FORMAT),
                (pct_value(line.current.completion_pct), PCT_FORMAT),
                (pct_value(line.current.actual_share_pct), PCT_FORMAT),
            ],
            bold=line.is_total,
        )
    out.note(no_data_note())
    out.gap()

    if briefing.reported:
        out.heading(_("Figures quoted in the conference's report"))
        out.header([_("Figure"), _("As printed"), _("Reported"), _("Portal"), _("Difference (reported − portal)")])
        formats = {"money": MONEY_FORMAT, "pct": "0.00", "count": COUNT_FORMAT}
        for line in briefing.reported:
            number_format = formats[line.kind]
            reported = line.reported.value
            out.values(
                [
                    (line.label, None),
                    (line.reported.quoted_as or DASH, None),
                    (_number(reported, line.kind), number_format),
                    (_number(line.computed, line.kind), number_format),
                    (_number(line.difference, line.kind), number_format),
                ]
            )
        out.note(_("Percentages in this table are written as percentages (97.02), the differences in points."))
        out.gap()

    out.heading(_("Provinces with an approved plan"))
    out.header(
        [
            _("Fund"),
            _("Approved %(year)s") % {"year": previous},
            _("Provinces %(year)s") % {"year": previous},
            _("Approved %(year)s") % {"year": year},
            _("Provinces %(year)s") % {"year": year},
        ]
    )
    for line in briefing.approvals:
        out.values(
            [
                (line.label, None),
                (line.previous.approved, COUNT_FORMAT),
                (line.previous.expected, COUNT_FORMAT),
                (line.current.approved, COUNT_FORMAT),
                (line.current.expected, COUNT_FORMAT),
            ]
        )
    out.gap()

    out.heading(_("Indicators"))
    out.header(
        [
            _("Indicator"),
            _("Unit"),
            _("Target %(year)s") % {"year": previous},
            _("Done in %(year)s") % {"year": previous},
            _("Completion %(year)s") % {"year": previous},
            _("Target %(year)s") % {"year": year},
            _("Done up to %(date)s") % {"date": as_of},
            _("Completion"),
        ]
    )
    for line in briefing.indicators:
        before = line.previous
        out.values(
            [
                (line.current.name, None),
                (line.current.unit, None),
                (count_value(before.target if before else None), COUNT_FORMAT),
                (count_value(before.actual if before else None), COUNT_FORMAT),
                (pct_value(before.completion_pct if before else None), PCT_FORMAT),
                (count_value(line.current.target), COUNT_FORMAT),
                (count_value(line.current.actual), COUNT_FORMAT),
                (pct_value(line.current.completion_pct), PCT_FORMAT),
            ]
        )
    out.gap()

    out.heading(_("Collaborator networks in %(year)s") % {"year": year})
    out.header([_("Centres"), _("Number"), _("Of centres"), _("Provinces")])
    for label, centres, count in (
        (_("With district-level collaborators"), briefing.district_centres, briefing.district_count),
        (_("With commune-level collaborators"), briefing.commune_centres, briefing.commune_count),
    ):
        out.values(
            [
                (label, None),
                (count, COUNT_FORMAT),
                (briefing.centre_count, COUNT_FORMAT),
                (", ".join(centre.province.name for centre in centres) or DASH, None),
            ]
        )


def _province_sheet(out: _Sheet, briefing: Briefing) -> None:
    previous, year = briefing.previous_year, briefing.year
    out.title_block(briefing)
    out.header(
        [
            _("Province"),
            _("Plan %(year)s as revised") % {"year": previous},
            _("Disbursed in %(year)s") % {"year": previous},
            _("Completion %(year)s (of the plan as revised)") % {"year": previous},
            _("Plan %(year)s KCQG") % {"year": year},
            _("Plan %(year)s KCĐP") % {"year": year},
            _("Plan %(year)s as revised") % {"year": year},
            _("Disbursed up to %(date)s") % {"date": _day(briefing.as_of)},
            _("Completion of the plan as revised"),
            _("Share of the region's disbursement"),
            _("District-level collaborators"),
            _("Commune-level collaborators"),
        ]
    )
    out.sheet.freeze_panes = out.sheet.cell(row=out.row + 1, column=2)
    for line in briefing.provinces:
        before, now, network = line.previous, line.current, line.network
        out.values(
            [
                (line.province.name, None),
                (money_cell(before.plan_total_vnd) if before else DASH, MONEY_FORMAT),
                (money_cell(before.actual_total_vnd) if before else DASH, MONEY_FORMAT),
                (pct_value(before.completion_pct if before else None), PCT_FORMAT),
                (money_cell(now.plan_vnd["KCQG"]), MONEY_FORMAT),
                (money_cell(now.plan_vnd["KCDP"]), MONEY_FORMAT),
                (money_cell(now.plan_total_vnd), MONEY_FORMAT),
                (money_cell(now.actual_total_vnd), MONEY_FORMAT),
                (pct_value(now.completion_pct), PCT_FORMAT),
                (pct_value(now.actual_share_pct), PCT_FORMAT),
                (network.district_collaborators if network else 0, COUNT_FORMAT),
                (network.commune_collaborators if network else 0, COUNT_FORMAT),
            ]
        )
    total_before, total_now = briefing.previous.total, briefing.current.total
    kcqg, kcdp = briefing.current.funds["KCQG"], briefing.current.funds["KCDP"]
    out.values(
        [
            (_("Whole region"), None),
            (money_cell(total_before.plan_vnd), MONEY_FORMAT),
            (money_cell(total_before.actual_vnd), MONEY_FORMAT),
            (pct_value(total_before.completion_pct), PCT_FORMAT),
            (money_cell(kcqg.plan_vnd), MONEY_FORMAT),
            (money_cell(kcdp.plan_vnd), MONEY_FORMAT),
            (money_cell(total_now.plan_vnd), MONEY_FORMAT),
            (money_cell(total_now.actual_vnd), MONEY_FORMAT),
            (pct_value(total_now.completion_pct), PCT_FORMAT),
            ("", None),
            ("", None),
            ("", None),
        ],
        bold=True,
    )
