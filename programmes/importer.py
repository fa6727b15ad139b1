"""Excel data in: the province-year template, reading an uploaded workbook, the dry run and the import.

One workbook holds one province's year: its plans, targets, projects, disbursements and outputs.
`build_template` writes it, pre-filled with the current records; `read_workbook` refuses unsafe or
foreign files (ImportRefused) and returns the rows; `run_import` checks every row, matches it to
the stored records and calls the services (programmes.services) for what changed.

The dry run *is* the import, run inside a transaction that is always rolled back: every service
rule (locks, lifecycle, support totals, contract dates) is checked exactly as in the real import,
and nothing is written. The real import keeps the transaction only when no row failed: all or
nothing.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common import workbook_guard, xlsx
from common.i18n import localized
from common.numbers import NumberFormatError, exceeds_max_amount, parse_whole_number

from . import access, services
from .models import (
    ActivityCategory,
    BudgetPlan,
    Disbursement,
    DisbursementKind,
    Establishment,
    FundingSource,
    Indicator,
    IndicatorTarget,
    LegalForm,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectType,
    Province,
    fund_short_label,
)
from .rules import lifecycle

# v2: labels in the drop-downs and cells (codes in brackets), an instruction sheet, the project
# code optional. v3: the projects' proposal date, a last column. An older file's headers differ:
# it is refused with "download the template again".
TEMPLATE_VERSION = "khuyencong-import-v3"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# The members of an .xlsx are XML, which compresses well; more than this unpacked is a zip bomb.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
DEFAULT_MAX_ROWS = 5000

META_SHEET = "_meta"
LISTS_SHEET = "_danh_muc"
GUIDE_SHEET = "Hướng dẫn"
GUIDE_ROWS, GUIDE_COLUMNS = 80, 4  # the instruction sheet's area (its text is far shorter)
PLAN_SHEET = "Kế hoạch"
TARGET_SHEET = "Chỉ tiêu"
PROJECT_SHEET = "Đề án"
DISBURSEMENT_SHEET = "Giải ngân"
OUTPUT_SHEET = "Kết quả"
ESTABLISHMENT_SHEET = "Cơ sở CNNT"
# Sheets a workbook may lack (templates made before they existed): no rows, no refusal.
OPTIONAL_SHEETS = {ESTABLISHMENT_SHEET}
META_ROWS = 20  # the _meta sheet's area: rows read, 2 columns
# The _danh_muc sheet's area: its lists (fund, category, type, status, kind, indicator), each far
# shorter than this.
LISTS_ROWS, LISTS_COLUMNS = 1000, 7

# Column headers are Vietnamese whatever the user's language: the workbook is a form of the
# ministry. (key, header, width)
COLUMNS: dict[str, list[tuple[str, str, int]]] = {
    PLAN_SHEET: [("fund", "Nguồn kinh phí", 18), ("planned", "Kế hoạch (đồng)", 22)],
    TARGET_SHEET: [("indicator", "Chỉ tiêu", 40), ("target", "Chỉ tiêu kế hoạch", 18)],
    PROJECT_SHEET: [
        ("code", "Mã đề án", 22),
        ("title", "Tên đề án", 40),
        ("fund", "Nguồn kinh phí", 30),
        ("category", "Nội dung hoạt động", 40),
        ("type", "Loại đề án", 30),
        ("status", "Trạng thái", 26),
        ("status_date", "Ngày trạng thái", 16),
        ("support", "Kinh phí khuyến công hỗ trợ (đồng)", 22),
        ("counterpart", "Vốn đối ứng (đồng)", 20),
        ("unit", "Đơn vị thực hiện", 30),
        ("beneficiary", "Đơn vị thụ hưởng", 30),
        # Last, so that the columns people know keep their letters.
        ("proposed_on", "Ngày đề xuất", 16),
    ],
    DISBURSEMENT_SHEET: [
        ("project", "Mã đề án", 22),
        ("date", "Ngày", 14),
        ("kind", "Loại", 30),
        ("amount", "Số tiền (đồng)", 20),
        ("voucher", "Số chứng từ", 20),
    ],
    OUTPUT_SHEET: [
        ("project", "Mã đề án", 22),
        ("indicator", "Chỉ tiêu", 40),
        ("date", "Ngày", 14),
        ("value", "Giá trị", 14),
    ],
    # The province's establishments; "Mã đề án hỗ trợ" lists (separated by ";") the codes of
    # the year's projects they benefit from; "x" under "Xác nhận hỗ trợ trùng" saves a link
    # despite the double-funding warning (services.project_beneficiary_add).
    ESTABLISHMENT_SHEET: [
        ("name", "Tên cơ sở", 36),
        ("tax_code", "Mã số DN/mã số thuế", 18),
        ("legal_form", "Loại hình", 22),
        ("commune", "Xã, phường", 20),
        ("sector", "Ngành nghề", 20),
        ("women", "Phụ nữ làm chủ (x)", 12),
        ("ethnic", "Người DTTS làm chủ (x)", 12),
        ("projects", "Mã đề án hỗ trợ", 30),
        ("confirm", "Xác nhận hỗ trợ trùng (x)", 14),
    ],
}
DATA_SHEETS = list(COLUMNS)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


# Messages (STYLE C12: constants, reused by the tests). Functions because gettext needs the
# language of the request.
def msg_not_xlsx() -> str:
    return _("The file is not an Excel workbook (.xlsx) or is damaged. Download the template and fill it in.")


def msg_macro() -> str:
    return _("Workbooks with macros (.xlsm) are refused. Save the file as an Excel workbook (.xlsx) without macros.")


def msg_too_big(limit: int) -> str:
    return _("The file is larger than %(size)s MB. Split it or remove what is not needed.") % {
        "size": round(limit / 1024 / 1024, 1)
    }


def msg_zip_bomb() -> str:
    return _("The workbook unpacks to far more data than a province's records; it is refused.")


def msg_version() -> str:
    return _("This is not the portal's import template (version %(version)s). Download the template again.") % {
        "version": TEMPLATE_VERSION
    }


def msg_not_allowed(province: str) -> str:
    return _("You may not enter records for %(province)s.") % {"province": province}


def msg_formula() -> str:
    return _("Formulas are not accepted: type the value itself.")


def msg_negative() -> str:
    return _("Enter a number that is not negative.")


def msg_fraction() -> str:
    return _("Enter a whole number, without a fractional part.")


MONEY_EXAMPLE, COUNT_EXAMPLE = "1.250.000.000", "120"


def msg_not_number(example: str = MONEY_EXAMPLE) -> str:
    """`example` fits the column: an amount in đồng by default, a count (COUNT_EXAMPLE) for targets and outputs."""
    return _("Enter a whole number, for example %(example)s.") % {"example": example}


def msg_unknown(what: str, value) -> str:
    return _("Unknown %(what)s “%(value)s”: choose one from the list.") % {"what": what, "value": value}


def msg_required() -> str:
    return _("This cell is required.")


def msg_bad_date() -> str:
    return _("Enter a date, for example 31/12/2024.")


class ImportRefused(Exception):
    """The whole file is refused (not a workbook, macros, too big, foreign template, no right)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None
    column: str  # the column letter and header, e.g. "H (Số tiền (đồng))"; "" for a whole row
    message: str


@dataclass
class SheetReport:
    name: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    province: Province
    year: int
    sheets: dict[str, SheetReport]
    errors: list[CellError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "created": sum(len(s.created) for s in self.sheets.values()),
            "updated": sum(len(s.updated) for s in self.sheets.values()),
            "unchanged": sum(len(s.unchanged) for s in self.sheets.values()),
        }

    def as_text(self) -> str:
        lines = [f"{self.province.name} ({self.province.code}) – {self.year}"]
        for sheet in self.sheets.values():
            lines.append(
                _("%(sheet)s: %(created)s to create, %(updated)s to update, %(unchanged)s unchanged")
                % {
                    "sheet": sheet.name,
                    "created": len(sheet.created),
                    "updated": len(sheet.updated),
                    "unchanged": len(sheet.unchanged),
                }
            )
        for error in self.errors:
            lines.append(error_text(error))
        return "\n".join(lines)


def error_text(error: CellError) -> str:
    where = error.sheet
    if error.row:
        where += ", " + _("row %(row)s") % {"row": error.row}
    if error.column:
        where += ", " + _("column %(column)s") % {"column": error.column}
    return f"{where}: {error.message}"


@dataclass
class ParsedWorkbook:
    province: Province
    year: int
    rows: dict[str, list[tuple[int, dict]]]  # sheet -> [(row number, {key: raw value})]
    errors: list[CellError]


# ---------------------------------------------------------------------------------------------
# The template


# A drop-down's entry: the label people read, the portal's code in brackets at the end, which the
# reader takes whatever the label says (and a bare code typed instead of the label).
CODE_AT_END = re.compile(r"\(([^()]+)\)\s*$")


def labelled(label: str, code: str) -> str:
    """`Đào tạo nghề (vocational_training)`: a label with its code; a label already ending in
    its code (the funds: `… (KCĐP)`) is left as it is."""
    match = CODE_AT_END.search(label)
    if match and match.group(1).strip() in (code, fund_short_label(code)):
        return label
    return f"{label} ({code})"


def _choice_labels(choices) -> dict[str, str]:
    return {choice.value: labelled(str(choice.label), choice.value) for choice in choices}


def _template_lists() -> dict[str, dict[str, str]]:
    """Each drop-down's entries, code -> `label (code)`, in Vietnamese (the caller's language)."""
    return {
        "fund": _choice_labels(FundingSource),
        "category": {
            category.code: labelled(category.name, category.code)
            for category in ActivityCategory.objects.filter(is_active=True).order_by("order", "code")
        },
        "type": _choice_labels(ProjectType),
        "status": _choice_labels(ProjectStatus),
        "kind": _choice_labels(DisbursementKind),
        "indicator": {
            indicator.code: labelled(f"{indicator.name} ({indicator.unit})", indicator.code)
            for indicator in Indicator.objects.filter(is_active=True).order_by("order", "code")
        },
        "legal_form": _choice_labels(LegalForm),
    }


def _guide_rows(province: Province, year: int, lists: dict[str, dict[str, str]]) -> list[tuple[str, str, str, str]]:
    """The instruction sheet's table: (sheet, column, what to write, an example that fits the column)."""

    def first(key: str, fallback: str = "") -> str:
        return next(iter(lists[key].values()), fallback)

    code = f"KCQG-{year}-{province.code}-001"
    status = lists["status"]
    return [
        (PLAN_SHEET, "Nguồn kinh phí", "Chọn trong danh sách; mỗi nguồn một dòng.", first("fund")),
        (PLAN_SHEET, "Kế hoạch (đồng)", "Kế hoạch kinh phí cả năm của nguồn đó, số nguyên đồng.", MONEY_EXAMPLE),
        (TARGET_SHEET, "Chỉ tiêu", "Chọn trong danh sách; mỗi chỉ tiêu một dòng.", first("indicator")),
        (TARGET_SHEET, "Chỉ tiêu kế hoạch", "Số kế hoạch, theo đơn vị ghi trong ngoặc của chỉ tiêu.", COUNT_EXAMPLE),
        (
            PROJECT_SHEET,
            "Mã đề án",
            "Giữ nguyên mã của đề án đã có. Đề án mới: để trống, cổng tự đánh mã "
            "<nguồn>-<năm>-<mã tỉnh>-<số thứ tự> như trên trang nhập liệu; hoặc ghi mã của quyết định.",
            code,
        ),
        (PROJECT_SHEET, "Tên đề án", "Tên như trong quyết định phê duyệt.", "Đào tạo nghề mây tre đan"),
        (PROJECT_SHEET, "Nguồn kinh phí", "Chọn trong danh sách.", first("fund")),
        (PROJECT_SHEET, "Nội dung hoạt động", "Chọn trong danh sách (nội dung theo Nghị định).", first("category")),
        (PROJECT_SHEET, "Loại đề án", "Chọn trong danh sách.", first("type")),
        (
            PROJECT_SHEET,
            "Trạng thái",
            "Chọn trong danh sách. Đổi trạng thái là đi qua các bước của đề án, theo thứ tự.",
            status.get(ProjectStatus.IN_PROGRESS, first("status")),
        ),
        (
            PROJECT_SHEET,
            "Ngày trạng thái",
            "Ngày của bước gần nhất (ngày/tháng/năm); bắt buộc khi trạng thái không phải Đề xuất.",
            f"15/03/{year}",
        ),
        (PROJECT_SHEET, "Kinh phí khuyến công hỗ trợ (đồng)", "Số nguyên đồng.", "600.000.000"),
        (PROJECT_SHEET, "Vốn đối ứng (đồng)", "Số nguyên đồng; để trống nếu không có.", "900.000.000"),
        (PROJECT_SHEET, "Đơn vị thực hiện", "Có thể để trống.", f"Trung tâm Khuyến công {province.name}"),
        (PROJECT_SHEET, "Đơn vị thụ hưởng", "Có thể để trống.", "Hợp tác xã mây tre đan Phú Vinh"),
        (
            PROJECT_SHEET,
            "Ngày đề xuất",
            "Ngày của hồ sơ đề xuất (ngày/tháng/năm); để trống nếu không rõ. Không bước nào của đề án "
            "được ghi ngày trước ngày này.",
            f"10/11/{year - 1}",
        ),
        (DISBURSEMENT_SHEET, "Mã đề án", "Mã của đề án, như ở trang Đề án.", code),
        (DISBURSEMENT_SHEET, "Ngày", "Ngày của chứng từ (ngày/tháng/năm).", f"20/09/{year}"),
        (DISBURSEMENT_SHEET, "Loại", "Chọn trong danh sách.", lists["kind"].get(DisbursementKind.PAYMENT, "")),
        (DISBURSEMENT_SHEET, "Số tiền (đồng)", "Số nguyên đồng, lớn hơn 0.", "300.000.000"),
        (DISBURSEMENT_SHEET, "Số chứng từ", "Có thể để trống.", "UNC-01"),
        (OUTPUT_SHEET, "Mã đề án", "Mã của đề án, như ở trang Đề án.", code),
        (OUTPUT_SHEET, "Chỉ tiêu", "Chọn trong danh sách.", first("indicator")),
        (OUTPUT_SHEET, "Ngày", "Ngày ghi nhận kết quả (ngày/tháng/năm).", f"01/10/{year}"),
        (OUTPUT_SHEET, "Giá trị", "Số đạt được, lớn hơn 0, theo đơn vị của chỉ tiêu.", "35"),
        (
            ESTABLISHMENT_SHEET,
            "Tên cơ sở",
            "Tên đầy đủ của cơ sở công nghiệp nông thôn.",
            "Hợp tác xã mây tre đan Phú Vinh",
        ),
        (
            ESTABLISHMENT_SHEET,
            "Mã số DN/mã số thuế",
            "Có thể để trống; nếu ghi thì mỗi cơ sở một mã, không trùng.",
            "0101234567",
        ),
        (ESTABLISHMENT_SHEET, "Loại hình", "Chọn trong danh sách.", first("legal_form")),
        (ESTABLISHMENT_SHEET, "Xã, phường", "Tên xã, phường nơi cơ sở hoạt động.", "Xã Phú Nghĩa"),
        (ESTABLISHMENT_SHEET, "Ngành nghề", "Có thể để trống.", "Mây tre đan"),
        (ESTABLISHMENT_SHEET, "Phụ nữ làm chủ (x)", "Ghi x nếu cơ sở do phụ nữ làm chủ.", "x"),
        (ESTABLISHMENT_SHEET, "Người DTTS làm chủ (x)", "Ghi x nếu chủ cơ sở là người dân tộc thiểu số.", ""),
        (
            ESTABLISHMENT_SHEET,
            "Mã đề án hỗ trợ",
            "Mã các đề án của năm hỗ trợ cơ sở, cách nhau bằng dấu chấm phẩy.",
            code,
        ),
        (
            ESTABLISHMENT_SHEET,
            "Xác nhận hỗ trợ trùng (x)",
            "Ghi x để vẫn lưu khi cơ sở đã được hỗ trợ cùng nội dung trong năm nay hoặc năm trước.",
            "",
        ),
    ]


GUIDE_STEPS = (
    "Mỗi trang tính là một loại số liệu: Kế hoạch, Chỉ tiêu, Đề án, Giải ngân, Kết quả, Cơ sở CNNT. Mẫu đã có "
    "sẵn số liệu hiện có của tỉnh trong năm: sửa, thêm dòng hoặc để nguyên.",
    "Ở các cột có danh sách, chọn một dòng trong danh sách. Phần trong ngoặc ở cuối (ví dụ "
    "vocational_training) là mã của cổng: có thể gõ riêng mã đó.",
    "Số tiền ghi bằng số nguyên đồng (1.250.000.000 hoặc 1250000000); ngày ghi theo dạng "
    "ngày/tháng/năm (31/12/2024). Không dùng công thức trong ô số liệu.",
    "Không di chuyển, đổi tên hay xóa các cột và các trang tính.",
    "Đề án mới có thể để trống mã: cổng tự đánh mã khi nhập. Giải ngân và kết quả của đề án mới "
    "cần mã đó: nhập đề án trước, tải lại mẫu, rồi ghi tiếp.",
    "Tải tệp lên trang “Nhập từ Excel”: cổng cho xem trước những gì sẽ thêm, sửa và các lỗi. Số "
    "liệu chỉ được lưu khi bấm “Xác nhận nhập”, và chỉ khi không còn lỗi nào.",
)


def _write_guide(ws, province: Province, year: int, lists: dict[str, dict[str, str]]) -> None:
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append(
        [xlsx.cell(ws, f"Mẫu nhập số liệu khuyến công: {province.name}, năm {year}", font=Font(bold=True, size=14))]
    )
    ws.append([])
    ws.append([xlsx.cell(ws, "Cách dùng", font=bold)])
    for number, step in enumerate(GUIDE_STEPS, start=1):
        ws.append([xlsx.cell(ws, f"{number}.", alignment=wrap), xlsx.cell(ws, step, alignment=wrap)])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=4)
        ws.row_dimensions[ws.max_row].height = 32
    ws.append([])
    ws.append([xlsx.cell(ws, header, font=bold) for header in ("Trang tính", "Cột", "Cách ghi", "Ví dụ")])
    for row in _guide_rows(province, year, lists):
        ws.append([xlsx.cell(ws, value, alignment=wrap) for value in row])
    for letter, width in zip("ABCD", (16, 30, 70, 44), strict=True):
        ws.column_dimensions[letter].width = width


def build_template(province: Province, year: int) -> bytes:
    """The import workbook of `province` and `year`, pre-filled with its current records, in
    Vietnamese whatever the caller's language (a form of the ministry): an instruction sheet
    first, the five data sheets, labels with their codes in the drop-downs and cells."""
    with override("vi"):
        return _build_template(province, year)


def _build_template(province: Province, year: int) -> bytes:
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    lists_of = _template_lists()
    _write_guide(guide, province, year, lists_of)

    sheets = {}
    for name, columns in COLUMNS.items():
        ws = wb.create_sheet(name)
        ws.append([header for _key, header, _width in columns])
        sheets[name] = ws

    meta = wb.create_sheet(META_SHEET)
    for row in (
        ("version", TEMPLATE_VERSION),
        ("province_id", province.pk),
        ("province_code", province.code),
        ("province_name", province.name),
        ("year", year),
    ):
        meta.append([xlsx.text(meta, value) for value in row])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    lists = wb.create_sheet(LISTS_SHEET)
    ranges = {}
    for index, (key, entries) in enumerate(lists_of.items(), start=1):
        letter = get_column_letter(index)
        xlsx.put(lists, 1, index, key)
        for offset, entry in enumerate(entries.values(), start=2):
            xlsx.put(lists, offset, index, entry)
        ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(len(entries), 1) + 1}"
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    for name, columns in COLUMNS.items():
        ws = sheets[name]
        for index, (key, _header, width) in enumerate(columns, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = width
            if key in ranges:
                # A warning, not a stop: a bare code typed instead of the label is read too.
                validation = DataValidation(type="list", formula1=ranges[key], allow_blank=True, errorStyle="warning")
                validation.error = "Nên chọn một giá trị trong danh sách (hoặc gõ đúng mã trong ngoặc)."
                validation.errorTitle = "Giá trị không có trong danh sách"
                ws.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}{max_rows() + 1}")
        ws.freeze_panes = "A2"

    def entry(key: str, code: str) -> str:
        return lists_of[key].get(code) or labelled(code, code)

    def put(sheet: str, values: list) -> None:
        # Every value through common.xlsx: a title typed as "=…" stays text (and re-imports).
        sheets[sheet].append(xlsx.cells(sheets[sheet], values))

    for plan in BudgetPlan.objects.filter(province=province, year=year).order_by("funding_source"):
        put(PLAN_SHEET, [entry("fund", plan.funding_source), int(plan.planned_vnd)])
    for target in (
        IndicatorTarget.objects.filter(province=province, year=year).select_related("indicator").order_by("indicator")
    ):
        put(TARGET_SHEET, [_indicator_entry(lists_of, target.indicator), target.target])
    projects = Project.objects.filter(province=province, year=year).select_related("category").order_by("code")
    for project in projects:
        put(
            PROJECT_SHEET,
            [
                project.code,
                project.title,
                entry("fund", project.funding_source),
                lists_of["category"].get(project.category.code)
                or labelled(project.category.name, project.category.code),
                entry("type", project.project_type),
                entry("status", project.status),
                project.status_changed_on,
                int(project.support_vnd),
                int(project.counterpart_vnd),
                project.implementing_unit,
                project.beneficiary_name,
                project.proposed_on,
            ],
        )
    for payment in (
        Disbursement.objects.filter(project__in=projects)
        .select_related("project")
        .order_by("project__code", "date", "id")
    ):
        put(
            DISBURSEMENT_SHEET,
            [
                payment.project.code,
                payment.date,
                entry("kind", payment.kind),
                int(payment.amount_vnd),
                payment.document_number,
            ],
        )
    for output in (
        ProjectOutput.objects.filter(project__in=projects)
        .select_related("project", "indicator")
        .order_by("project__code", "date", "id")
    ):
        put(
            OUTPUT_SHEET, [output.project.code, _indicator_entry(lists_of, output.indicator), output.date, output.value]
        )
    establishments = _territory_establishments(province).prefetch_related("supports__project").order_by("name", "id")
    for establishment in establishments:
        codes = sorted(link.project.code for link in establishment.supports.all() if link.project.year == year)
        put(
            ESTABLISHMENT_SHEET,
            [
                establishment.name,
                establishment.tax_code,
                entry("legal_form", establishment.legal_form),
                establishment.commune,
                establishment.sector,
                "x" if establishment.women_owned else "",
                "x" if establishment.ethnic_minority_owned else "",
                "; ".join(codes),
                "",
            ],
        )
    for name, date_col in ((PROJECT_SHEET, "G"), (PROJECT_SHEET, "L"), (DISBURSEMENT_SHEET, "B"), (OUTPUT_SHEET, "C")):
        for cell in sheets[name][date_col][1:]:
            cell.number_format = "DD/MM/YYYY"
    for name, column in ((PLAN_SHEET, "B"), (PROJECT_SHEET, "H"), (PROJECT_SHEET, "I"), (DISBURSEMENT_SHEET, "D")):
        for cell in sheets[name][column][1:]:
            cell.number_format = "#,##0"
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _indicator_entry(lists_of, indicator: Indicator) -> str:
    """An indicator's entry; an inactive one (not in the drop-down) is written the same way."""
    return lists_of["indicator"].get(indicator.code) or labelled(f"{indicator.name} ({indicator.unit})", indicator.code)


# ---------------------------------------------------------------------------------------------
# Reading


def check_file(data: bytes, filename: str = "") -> None:
    """Refuse (ImportRefused) a file that is too big, not an .xlsx, has macros or is a zip bomb, or
    that openpyxl could not read within bounds (common.workbook_guard: too many parts, sheets,
    data; DOCTYPE declarations; a template sheet reaching beyond its columns or max_rows())."""
    limit = max_bytes()
    if len(data) > limit:
        raise ImportRefused(msg_too_big(limit))
    if filename.lower().endswith((".xlsm", ".xltm", ".xlam")):
        raise ImportRefused(msg_macro())
    if filename and not filename.lower().endswith(".xlsx"):
        raise ImportRefused(msg_not_xlsx())
    area = workbook_guard.SheetArea
    sheets = {name: area(max_rows() + 1, len(columns)) for name, columns in COLUMNS.items()}
    sheets |= {
        META_SHEET: area(META_ROWS, 2),
        LISTS_SHEET: area(LISTS_ROWS, LISTS_COLUMNS),
        GUIDE_SHEET: area(GUIDE_ROWS, GUIDE_COLUMNS),
    }
    limits = workbook_guard.WorkbookLimits.from_settings(sheets)
    _guarded(workbook_guard.check_directory, data, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused(msg_not_xlsx()) from None
    names = {member.filename.lower() for member in members}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise ImportRefused(msg_macro())
    if "xl/workbook.xml" not in names:
        raise ImportRefused(msg_not_xlsx())
    if sum(member.file_size for member in members) > max_uncompressed_bytes():
        raise ImportRefused(msg_zip_bomb())
    _guarded(workbook_guard.inspect, data, limits)


def _guarded(check, *args) -> None:
    """Run a check of common.workbook_guard, its refusals becoming ImportRefused."""
    try:
        check(*args)
    except workbook_guard.WorkbookDamaged:
        raise ImportRefused(msg_not_xlsx()) from None
    except workbook_guard.WorkbookRefused as refusal:
        raise ImportRefused(refusal.message) from None


def read_workbook(data: bytes, filename: str = "") -> ParsedWorkbook:
    """The rows of an uploaded template, after the file-level checks; raises ImportRefused."""
    check_file(data, filename)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise ImportRefused(msg_not_xlsx()) from None
    try:
        return _read(wb)
    except workbook_guard.WorkbookDamaged:  # a sheet openpyxl cannot read to the end
        raise ImportRefused(msg_not_xlsx()) from None
    finally:
        wb.close()


def _read(wb) -> ParsedWorkbook:
    if META_SHEET not in wb.sheetnames:
        raise ImportRefused(msg_version())
    meta = {}
    for row in workbook_guard.bounded_rows(wb[META_SHEET], max_row=META_ROWS, max_col=2):
        if row and row[0] is not None:
            meta[str(row[0])] = row[1] if len(row) > 1 else None
    if meta.get("version") != TEMPLATE_VERSION:
        raise ImportRefused(msg_version())
    try:
        province = Province.objects.get(pk=int(meta.get("province_id")), code=str(meta.get("province_code")))
        year = int(meta.get("year"))
    except (Province.DoesNotExist, TypeError, ValueError):
        raise ImportRefused(msg_version()) from None
    rows: dict[str, list[tuple[int, dict]]] = {}
    errors: list[CellError] = []
    for name, columns in COLUMNS.items():
        if name not in wb.sheetnames and name in OPTIONAL_SHEETS:
            rows[name] = []
            continue
        if name not in wb.sheetnames:
            raise ImportRefused(_("The sheet “%(sheet)s” is missing. Download the template again.") % {"sheet": name})
        ws = wb[name]
        sheet_rows = []
        rows_read = workbook_guard.bounded_rows(ws, max_row=max_rows() + 1, max_col=len(columns), values_only=False)
        for number, cells_read in enumerate(rows_read, start=1):
            values = [_cell_value(cell) for cell in cells_read][: len(columns)]
            values += [None] * (len(columns) - len(values))
            if number == 1:
                for index, (_key, header, _width) in enumerate(columns):
                    if str(values[index] or "").strip() != header:
                        errors.append(
                            CellError(
                                name,
                                1,
                                _column(columns, index),
                                _("The header should be “%(header)s”: do not move or rename columns.")
                                % {"header": header},
                            )
                        )
                continue
            if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
                continue
            if len(sheet_rows) >= max_rows():
                raise ImportRefused(
                    _("The sheet “%(sheet)s” has more than %(rows)s rows.") % {"sheet": name, "rows": max_rows()}
                )
            sheet_rows.append((number, {key: values[index] for index, (key, _h, _w) in enumerate(columns)}))
        rows[name] = sheet_rows
    return ParsedWorkbook(province=province, year=year, rows=rows, errors=errors)


def _column(columns, index: int) -> str:
    return f"{get_column_letter(index + 1)} ({columns[index][1]})"


# ---------------------------------------------------------------------------------------------
# Cell conversion


class _CellProblem(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Formula(str):
    """The text of a formula cell ("=SUM(…)"): refused wherever a value is read. Text that merely
    starts with "=" (a text cell, as the template writes a title typed "=…") is a plain str."""


def _cell_value(cell):
    """A read-only cell's value, a formula as a `_Formula`: only the cell's type tells the two apart."""
    return _Formula(cell.value) if cell.data_type == "f" else cell.value


def _check_formula(value) -> None:
    if isinstance(value, _Formula):
        raise _CellProblem(msg_formula())


def _whole(value, *, required: bool = True, example: str = MONEY_EXAMPLE) -> Decimal | None:
    """A whole number ≥ 0; `example` (in the messages) fits the column: đồng, or a count."""
    _check_formula(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _CellProblem(msg_required())
        return None
    if isinstance(value, bool):
        raise _CellProblem(msg_not_number(example))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, (float, Decimal)):
        number = Decimal(str(value))
        if number != number.to_integral_value():
            raise _CellProblem(msg_fraction())
        number = number.to_integral_value()
    elif isinstance(value, str):
        try:
            number = parse_whole_number(value, "vi")
        except NumberFormatError as error:
            raise _CellProblem(
                {"negative": msg_negative(), "fraction": msg_fraction()}.get(error.code, msg_not_number(example))
            ) from None
    else:
        raise _CellProblem(msg_not_number(example))
    if number < 0:
        raise _CellProblem(msg_negative())
    if exceeds_max_amount(number):
        raise _CellProblem(_("The number is too large."))
    return number


def _date(value, *, required: bool = True) -> datetime.date | None:
    _check_formula(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _CellProblem(msg_required())
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
            try:
                return datetime.datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007 - a calendar day
            except ValueError:
                continue
    raise _CellProblem(msg_bad_date())


def _bracketed(text: str) -> str | None:
    match = CODE_AT_END.search(text)
    return match.group(1).strip() if match else None


def _choice(value, choices, what: str, *, required: bool = True) -> str | None:
    """A code of `choices` (a TextChoices), given as the template's `label (code)`, the bare
    code, its short name (KCĐP) or its label in Vietnamese or the page's language, in any case."""
    _check_formula(value)
    text = _text(value)
    if not text:
        if required:
            raise _CellProblem(msg_required())
        return None
    bracketed = (_bracketed(text) or "").lower()
    for choice in choices:
        with override("vi"):
            vietnamese = str(choice.label).lower()
        names = {choice.value.lower(), fund_short_label(choice.value).lower(), str(choice.label).lower(), vietnamese}
        if text.lower() in names or bracketed in names:
            return choice.value
    raise _CellProblem(msg_unknown(what, text))


def _lookup(value, table: dict, what: str):
    """A record of `table` (code -> record with a `name`), given as the template's
    `label (code)`, the bare code or the record's name."""
    _check_formula(value)
    text = _text(value)
    if not text:
        raise _CellProblem(msg_required())
    if text in table:
        return table[text]
    bracketed = _bracketed(text)
    if bracketed in table:
        return table[bracketed]
    by_name = [record for record in table.values() if record.name.lower() == text.lower()]
    if len(by_name) == 1:
        return by_name[0]
    raise _CellProblem(msg_unknown(what, text))


def _plain_text(value, *, required: bool = False, max_length: int = 255) -> str:
    _check_formula(value)
    text = _text(value)
    if required and not text:
        raise _CellProblem(msg_required())
    if len(text) > max_length:
        raise _CellProblem(_("At most %(n)s characters.") % {"n": max_length})
    return text


class _RowReader:
    """Converts one row's cells, collecting an error for each bad cell."""

    def __init__(self, sheet: str, number: int, raw: dict, errors: list[CellError]):
        self.sheet, self.number, self.raw, self.errors = sheet, number, raw, errors
        self.columns = COLUMNS[sheet]
        self.failed = False

    def get(self, key: str, convert, *args, **kwargs):
        try:
            return convert(self.raw.get(key), *args, **kwargs)
        except _CellProblem as problem:
            index = next(i for i, column in enumerate(self.columns) if column[0] == key)
            self.errors.append(CellError(self.sheet, self.number, _column(self.columns, index), str(problem)))
            self.failed = True
            return None


# ---------------------------------------------------------------------------------------------
# Dry run and import


def check_permission(user, province: Province) -> None:
    if not access.can_edit_province(user, province):
        raise ImportRefused(msg_not_allowed(province.name))


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# The steps a progress callback is told, in order (the background jobs show them: jobs/).
STEP_CHECKING, STEP_WRITING = "checking", "writing"


def row_count(parsed: ParsedWorkbook) -> int:
    """The data rows of the workbook, all sheets: what a progress bar counts to."""
    return sum(len(rows) for rows in parsed.rows.values())


def run_import(parsed: ParsedWorkbook, user, *, commit: bool, progress=None) -> ImportReport:
    """Check every row and write what changed through the services, in one transaction.

    With `commit=False` (the dry run) the transaction is always rolled back. With `commit=True`
    it is kept only when there is no error at all. Raises ImportRefused when `user` may not enter
    the workbook's province. `progress`, when given, is called as `progress(rows_done, rows_total,
    step)` after each row (step STEP_CHECKING for a dry run, STEP_WRITING for an import); it
    must not write to the database (it would be inside the import's transaction).
    """
    province, year = parsed.province, parsed.year
    check_permission(user, province)
    report = ImportReport(
        province=province,
        year=year,
        sheets={name: SheetReport(name) for name in DATA_SHEETS},
        errors=list(parsed.errors),
    )
    if not province.active_in_year(year):
        report.errors.append(
            CellError(
                META_SHEET,
                None,
                "",
                _("%(province)s did not exist in %(year)s.") % {"province": province.name, "year": year},
            )
        )
        return report
    with transaction.atomic():
        _Importer(parsed, user, report, progress=progress, step=STEP_WRITING if commit else STEP_CHECKING).run()
        if commit and report.ok:
            report.committed = True
        else:
            transaction.set_rollback(True)
    return report


class _Importer:
    def __init__(self, parsed: ParsedWorkbook, user, report: ImportReport, *, progress=None, step: str = ""):
        self.parsed, self.user, self.report = parsed, user, report
        self.progress, self.step = progress, step
        self.rows_done, self.rows_total = 0, row_count(parsed)
        self.province, self.year = parsed.province, parsed.year
        self.categories = {c.code: c for c in ActivityCategory.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.projects: dict[str, Project] = {
            p.code: p for p in Project.objects.filter(province=self.province, year=self.year).select_related("province")
        }
        self.bad_projects: set[str] = set()  # codes of project rows that failed: their money is not checked again

    def error(self, sheet: str, number: int | None, message: str, column: str = "") -> None:
        self.report.errors.append(CellError(sheet, number, column, message))

    def service(self, sheet: str, number: int, call) -> bool:
        """Run a service call in a savepoint; record its refusal against the row."""
        try:
            with transaction.atomic():
                call()
        except ValidationError as error:
            self.error(sheet, number, _messages(error))
            return False
        return True

    def _rows(self, sheet: str):
        """The rows of `sheet`, telling `progress` after each one."""
        for item in self.parsed.rows[sheet]:
            yield item
            self.rows_done += 1
            if self.progress is not None:
                self.progress(self.rows_done, self.rows_total, self.step)

    def run(self) -> None:
        self.plans()
        self.targets()
        self.project_rows()
        self.disbursements()
        self.outputs()
        self.establishment_rows()

    # Kế hoạch -----------------------------------------------------------------------------
    def plans(self) -> None:
        sheet = PLAN_SHEET
        out = self.report.sheets[sheet]
        stored = {p.funding_source: p for p in BudgetPlan.objects.filter(province=self.province, year=self.year)}
        seen = set()
        for number, raw in self._rows(sheet):
            row = _RowReader(sheet, number, raw, self.report.errors)
            fund = row.get("fund", _choice, FundingSource, _("funding source"))
            amount = row.get("planned", _whole)
            if row.failed:
                continue
            if fund in seen:
                self.error(sheet, number, _("This fund appears twice in the sheet."), _column(COLUMNS[sheet], 0))
                continue
            seen.add(fund)
            label = f"{fund_short_label(fund)}: {amount:,.0f}".replace(",", ".")
            plan = stored.get(fund)
            if plan is not None and plan.planned_vnd == amount:
                out.unchanged.append(label)
                continue
            if plan is None:
                plan = BudgetPlan(province=self.province, year=self.year, funding_source=fund, planned_vnd=amount)
                target_list = out.created
            else:
                plan.planned_vnd = amount
                target_list = out.updated
            if self.service(sheet, number, lambda plan=plan: services.budget_plan_save(plan=plan, user=self.user)):
                target_list.append(label)

    # Chỉ tiêu -----------------------------------------------------------------------------
    def targets(self) -> None:
        sheet = TARGET_SHEET
        out = self.report.sheets[sheet]
        stored = {
            t.indicator.code: t
            for t in IndicatorTarget.objects.filter(province=self.province, year=self.year).select_related(
                "indicator", "province"
            )
        }
        seen = set()
        for number, raw in self._rows(sheet):
            row = _RowReader(sheet, number, raw, self.report.errors)
            indicator = row.get("indicator", _lookup, self.indicators, _("indicator"))
            value = row.get("target", _whole, example=COUNT_EXAMPLE)
            if row.failed:
                continue
            if indicator.code in seen:
                self.error(sheet, number, _("This indicator appears twice in the sheet."), _column(COLUMNS[sheet], 0))
                continue
            seen.add(indicator.code)
            label = f"{_indicator_words(indicator)}: {value} {_unit_words(indicator)}"
            target = stored.get(indicator.code)
            if target is not None and target.target == value:
                out.unchanged.append(label)
                continue
            if target is None:
                target = IndicatorTarget(province=self.province, year=self.year, indicator=indicator, target=int(value))
                target_list = out.created
            else:
                target.target = int(value)
                target_list = out.updated
            if self.service(
                sheet, number, lambda target=target: services.indicator_target_save(target=target, user=self.user)
            ):
                target_list.append(label)

    # Đề án ---------------------------------------------------------------------------------
    def project_rows(self) -> None:
        sheet = PROJECT_SHEET
        out = self.report.sheets[sheet]
        seen = set()
        for number, raw in self._rows(sheet):
            row = _RowReader(sheet, number, raw, self.report.errors)
            # The code may be left empty for a new project, as on the admin's add page: the
            # service numbers it (services.next_project_code). A row without a code whose title
            # is a project of the province-year's is that project, so a second import of the same
            # file adds nothing.
            code = row.get("code", _plain_text, max_length=64)
            fields = {
                "title": row.get("title", _plain_text, required=True, max_length=500),
                "funding_source": row.get("fund", _choice, FundingSource, _("funding source")),
                "category": row.get("category", _lookup, self.categories, _("content category")),
                "project_type": row.get("type", _choice, ProjectType, _("project type")),
                "support_vnd": row.get("support", _whole),
                "counterpart_vnd": row.get("counterpart", _whole, required=False) or Decimal(0),
                "implementing_unit": row.get("unit", _plain_text),
                "beneficiary_name": row.get("beneficiary", _plain_text),
                "proposed_on": row.get("proposed_on", _date, required=False),
            }
            status = row.get("status", _choice, ProjectStatus, _("status"))
            status_date = row.get("status_date", _date, required=False)
            if row.failed:
                if code:
                    self.bad_projects.add(code)
                continue
            if not code:
                same_title = [p for p in self.projects.values() if p.title == fields["title"]]
                if len(same_title) == 1:
                    code = same_title[0].code
            if code and code in seen:
                self.error(
                    sheet, number, _("This project code appears twice in the sheet."), _column(COLUMNS[sheet], 0)
                )
                continue
            seen.add(code or ("", fields["title"]))
            label = f"{code} – {fields['title']}"
            project = self.projects.get(code) if code else None
            if project is None:
                if code and Project.objects.filter(code=code).exists():
                    self.error(
                        sheet,
                        number,
                        _("The code %(code)s belongs to a project of another province or year.") % {"code": code},
                        _column(COLUMNS[sheet], 0),
                    )
                    self.bad_projects.add(code)
                    continue
                if status != ProjectStatus.PROPOSED and status_date is None:
                    self.error(sheet, number, msg_required(), _column(COLUMNS[sheet], 6))
                    if code:
                        self.bad_projects.add(code)
                    continue
                created = {}

                def create(code=code, fields=fields, status=status, status_date=status_date, created=created):
                    created["project"] = services.project_create(
                        user=self.user,
                        status=status,
                        status_date=status_date,
                        code=code,
                        province=self.province,
                        year=self.year,
                        **fields,
                    )

                if self.service(sheet, number, create):
                    project = created["project"]
                    self.projects[project.code] = project
                    if code:
                        out.created.append(label)
                    else:
                        out.created.append(
                            _("%(code)s (numbered by the portal) – %(title)s")
                            % {"code": project.code, "title": project.title}
                        )
                elif code:
                    self.bad_projects.add(code)
                continue
            changed = {
                name: value
                for name, value in fields.items()
                if (getattr(project, name) if name != "category" else project.category) != value
            }
            status_changes = status != project.status
            if not changed and not status_changes:
                out.unchanged.append(label)
                continue
            ok = True
            if changed:
                ok = self.service(
                    sheet, number, lambda p=project, c=changed: services.project_update(project=p, user=self.user, **c)
                )
            if ok and status_changes:
                ok = self._move(sheet, number, project, status, status_date)
            if ok:
                out.updated.append(label)
            else:
                project.refresh_from_db()
                self.bad_projects.add(code)

    def _move(self, sheet: str, number: int, project: Project, status: str, day: datetime.date | None) -> bool:
        path = lifecycle.shortest_path(project.status, status)
        if path is None:
            self.error(
                sheet,
                number,
                _("Project %(code)s cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "code": project.code,
                    "from": ProjectStatus(project.status).label,
                    "to": ProjectStatus(status).label,
                },
                _column(COLUMNS[sheet], 5),
            )
            return False
        if day is None:
            self.error(sheet, number, msg_required(), _column(COLUMNS[sheet], 6))
            return False

        def move():
            for step in path:
                services.project_transition(
                    project=project,
                    to_status=step,
                    date=day,
                    document_number=f"{project.code}/{step}" if step in services.DOCUMENT_REQUIRED else "",
                    user=self.user,
                )

        return self.service(sheet, number, move)

    def _project(self, sheet: str, number: int, row: _RowReader) -> Project | None:
        code = row.get("project", _plain_text, required=True)
        if code is None or code in self.bad_projects:
            return None
        project = self.projects.get(code)
        if project is None:
            self.error(
                sheet,
                number,
                _(
                    "Unknown project code “%(code)s”: it is neither in the sheet “%(sheet)s” nor among "
                    "this province's projects of the year."
                )
                % {"code": code, "sheet": PROJECT_SHEET},
                _column(COLUMNS[sheet], 0),
            )
            row.failed = True
        return project

    # Giải ngân -----------------------------------------------------------------------------
    def disbursements(self) -> None:
        sheet = DISBURSEMENT_SHEET
        out = self.report.sheets[sheet]
        stored: dict[tuple, list[Disbursement]] = {}
        for payment in (
            Disbursement.objects.filter(project__in=self.projects.values()).select_related("project").order_by("id")
        ):
            key = (payment.project.code, payment.date, payment.kind, payment.amount_vnd)
            stored.setdefault(key, []).append(payment)
        for number, raw in self._rows(sheet):
            row = _RowReader(sheet, number, raw, self.report.errors)
            project = self._project(sheet, number, row)
            day = row.get("date", _date)
            kind = row.get("kind", _choice, DisbursementKind, _("kind of disbursement"))
            amount = row.get("amount", _whole)
            voucher = row.get("voucher", _plain_text, max_length=128)
            if row.failed or project is None:
                continue
            if amount == 0:
                self.error(sheet, number, _("A disbursement must be more than 0 đồng."), _column(COLUMNS[sheet], 3))
                continue
            amount_text = f"{amount:,.0f}".replace(",", ".")
            label = f"{project.code} {day:%d/%m/%Y} {DisbursementKind(kind).label}: {amount_text} đồng"
            matches = stored.get((project.code, day, kind, amount))
            if matches:
                payment = _take(matches, lambda stored_payment, v=voucher: stored_payment.document_number == v)
                if payment.document_number == voucher:
                    out.unchanged.append(label)
                elif self.service(
                    sheet,
                    number,
                    lambda p=payment, v=voucher: services.disbursement_update(
                        disbursement=p, user=self.user, document_number=v
                    ),
                ):
                    out.updated.append(label)
                continue
            if self.service(
                sheet,
                number,
                lambda p=project, d=day, k=kind, a=amount, v=voucher: services.disbursement_create(
                    project=p, user=self.user, date=d, kind=k, amount_vnd=a, document_number=v
                ),
            ):
                out.created.append(label)

    # Kết quả -------------------------------------------------------------------------------
    def establishment_rows(self) -> None:
        _establishment_rows(self)

    def outputs(self) -> None:
        sheet = OUTPUT_SHEET
        out = self.report.sheets[sheet]
        stored: dict[tuple, list[ProjectOutput]] = {}
        for output in (
            ProjectOutput.objects.filter(project__in=self.projects.values())
            .select_related("project", "indicator", "project__province")
            .order_by("id")
        ):
            stored.setdefault((output.project.code, output.indicator.code, output.date), []).append(output)
        for number, raw in self._rows(sheet):
            row = _RowReader(sheet, number, raw, self.report.errors)
            project = self._project(sheet, number, row)
            indicator = row.get("indicator", _lookup, self.indicators, _("indicator"))
            day = row.get("date", _date)
            value = row.get("value", _whole, example=COUNT_EXAMPLE)
            if row.failed or project is None:
                continue
            if value == 0:
                self.error(sheet, number, _("An output must be more than 0."), _column(COLUMNS[sheet], 3))
                continue
            label = f"{project.code} {day:%d/%m/%Y} {_indicator_words(indicator)}: {value} {_unit_words(indicator)}"
            matches = stored.get((project.code, indicator.code, day))
            if matches:
                output = _take(matches, lambda stored_output, v=value: stored_output.value == v)
                if output.value == value:
                    out.unchanged.append(label)
                elif self.service(
                    sheet,
                    number,
                    lambda o=output, v=value: services.output_update(output=o, user=self.user, value=int(v)),
                ):
                    out.updated.append(label)
                continue
            if self.service(
                sheet,
                number,
                lambda p=project, i=indicator, d=day, v=value: services.output_create(
                    project=p, user=self.user, indicator=i, date=d, value=int(v)
                ),
            ):
                out.created.append(label)


def _territory_establishments(province: Province):
    """The establishments of `province` and of the provinces merged into it (a new province's
    workbook lists its predecessors' establishments too)."""
    return Establishment.objects.filter(Q(province=province) | Q(province__merged_into=province))


def _flag(value) -> bool:
    """A box ticked with "x" (or "có", "yes", "1"); empty is unticked."""
    _check_formula(value)
    return _text(value).lower() in ("x", "có", "co", "yes", "1", "true")


def _registration_day(province: Province) -> datetime.date:
    """Today, or the last day of a province merged away (an old-era workbook's establishments)."""
    today = timezone.localdate()
    return min(today, province.valid_to) if province.valid_to else today


def _establishment_rows(importer: "_Importer") -> None:
    """Cơ sở CNNT: create or update the province's establishments (matched by tax code, else by
    name), and link them to the year's projects listed in "Mã đề án hỗ trợ"."""
    sheet = ESTABLISHMENT_SHEET
    out = importer.report.sheets[sheet]
    stored = list(_territory_establishments(importer.province).prefetch_related("supports"))
    by_code = {e.tax_code: e for e in stored if e.tax_code}
    by_name = {" ".join(e.name.casefold().split()): e for e in stored}
    for number, raw in importer.parsed.rows[sheet]:
        row = _RowReader(sheet, number, raw, importer.report.errors)
        fields = {
            "name": row.get("name", _plain_text, required=True),
            "tax_code": row.get("tax_code", _plain_text, max_length=14),
            "legal_form": row.get("legal_form", _choice, LegalForm, _("legal form")),
            "commune": row.get("commune", _plain_text),
            "sector": row.get("sector", _plain_text),
            "women_owned": row.get("women", _flag),
            "ethnic_minority_owned": row.get("ethnic", _flag),
        }
        codes = [code.strip() for code in (row.get("projects", _plain_text, max_length=2000) or "").split(";")]
        confirm = row.get("confirm", _flag)
        if row.failed:
            continue
        projects = []
        for code in filter(None, codes):
            project = importer.projects.get(code)
            if project is None:
                importer.error(
                    sheet,
                    number,
                    _("No project %(code)s of this province and year.") % {"code": code},
                    _column(COLUMNS[sheet], 7),
                )
            else:
                projects.append(project)
        if len(projects) != len(list(filter(None, codes))):
            continue
        establishment = by_code.get(fields["tax_code"]) if fields["tax_code"] else None
        establishment = establishment or by_name.get(" ".join(fields["name"].casefold().split()))
        label = fields["name"]
        saved = {}

        def write(establishment=establishment, fields=fields, projects=projects, saved=saved, confirm=confirm):
            if establishment is None:
                saved["e"] = services.establishment_create(
                    user=importer.user,
                    province=importer.province,
                    registered_on=_registration_day(importer.province),
                    **fields,
                )
            else:
                changed = {k: v for k, v in fields.items() if getattr(establishment, k) != v}
                saved["changed"] = bool(changed)
                saved["e"] = (
                    services.establishment_update(establishment=establishment, user=importer.user, **changed)
                    if changed
                    else establishment
                )
            linked = set(saved["e"].supports.values_list("project_id", flat=True))
            for project in projects:
                if project.pk not in linked:
                    services.project_beneficiary_add(
                        project=project, establishment=saved["e"], confirm=confirm, user=importer.user
                    )
                    saved["changed"] = True

        if importer.service(sheet, number, write):
            if establishment is None:
                out.created.append(label)
            elif saved.get("changed"):
                out.updated.append(label)
            else:
                out.unchanged.append(label)


def _indicator_words(indicator: Indicator) -> str:
    """The indicator as the portal's pages name it, in the page's language."""
    return localized(indicator.name, indicator.name_en)


def _unit_words(indicator: Indicator) -> str:
    return localized(indicator.unit, indicator.unit_en)


def _take(matches: list, same) -> object:
    """Remove from `matches` (stored rows with a row's key) and return the first one that
    `same` says is identical to the row, else the first one. Two payments or outputs may share
    a key (same project, day…): pairing the identical ones first means an unchanged file
    changes nothing, whatever order the rows come in."""
    for index, candidate in enumerate(matches):
        if same(candidate):
            return matches.pop(index)
    return matches.pop(0)


def import_file(data: bytes, user, *, commit: bool, filename: str = "", progress=None) -> ImportReport:
    """Read `data` and run the import (dry run unless `commit`); raises ImportRefused.
    `progress` as for `run_import`."""
    return run_import(read_workbook(data, filename), user, commit=commit, progress=progress)
