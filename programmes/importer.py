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
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common import workbook_guard

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
)
from .numbers import NumberFormatError, parse_whole_number
from .rules import lifecycle

TEMPLATE_VERSION = "khuyencong-import-v1"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# The members of an .xlsx are XML, which compresses well; more than this unpacked is a zip bomb.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
DEFAULT_MAX_ROWS = 5000
MAX_AMOUNT_VND = Decimal(10) ** 15  # a thousand billion đồng: more is a typing mistake

META_SHEET = "_meta"
LISTS_SHEET = "_danh_muc"
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
    TARGET_SHEET: [("indicator", "Mã chỉ tiêu", 26), ("target", "Chỉ tiêu kế hoạch", 18)],
    PROJECT_SHEET: [
        ("code", "Mã đề án", 22),
        ("title", "Tên đề án", 40),
        ("fund", "Nguồn kinh phí", 16),
        ("category", "Mã nội dung", 26),
        ("type", "Loại đề án", 22),
        ("status", "Trạng thái", 16),
        ("status_date", "Ngày trạng thái", 16),
        ("support", "Kinh phí khuyến công hỗ trợ (đồng)", 22),
        ("counterpart", "Vốn đối ứng (đồng)", 20),
        ("unit", "Đơn vị thực hiện", 30),
        ("beneficiary", "Đơn vị thụ hưởng", 30),
    ],
    DISBURSEMENT_SHEET: [
        ("project", "Mã đề án", 22),
        ("date", "Ngày", 14),
        ("kind", "Loại", 14),
        ("amount", "Số tiền (đồng)", 20),
        ("voucher", "Số chứng từ", 20),
    ],
    OUTPUT_SHEET: [
        ("project", "Mã đề án", 22),
        ("indicator", "Mã chỉ tiêu", 26),
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


def msg_not_number() -> str:
    return _("Enter a whole number, for example 1.250.000.000.")


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


def _fmt_date(day: datetime.date | None):
    return day


def build_template(province: Province, year: int) -> bytes:
    """The import workbook of `province` and `year`, pre-filled with its current records."""
    wb = Workbook()
    wb.remove(wb.active)
    meta = wb.create_sheet(META_SHEET)
    for row in (
        ("version", TEMPLATE_VERSION),
        ("province_id", province.pk),
        ("province_code", province.code),
        ("province_name", province.name),
        ("year", year),
    ):
        meta.append(row)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    lists = wb.create_sheet(LISTS_SHEET)
    categories = list(ActivityCategory.objects.filter(is_active=True).values_list("code", flat=True))
    indicators = list(Indicator.objects.filter(is_active=True).values_list("code", flat=True))
    choices = {
        "fund": FundingSource.values,
        "category": categories,
        "type": ProjectType.values,
        "status": ProjectStatus.values,
        "kind": DisbursementKind.values,
        "indicator": indicators,
        "legal_form": LegalForm.values,
    }
    ranges = {}
    for index, (key, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=key)
        for offset, value in enumerate(values, start=2):
            lists.cell(row=offset, column=index, value=value)
        ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(len(values), 1) + 1}"
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    sheets = {}
    for name, columns in COLUMNS.items():
        ws = wb.create_sheet(name)
        ws.append([header for _key, header, _width in columns])
        for index, (key, _header, width) in enumerate(columns, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = width
            list_key = {"project": None, "fund": "fund", "category": "category", "type": "type"}.get(key, key)
            if list_key in ranges:
                validation = DataValidation(type="list", formula1=ranges[list_key], allow_blank=True)
                validation.error = "Chọn một giá trị trong danh sách."
                validation.errorTitle = "Giá trị không hợp lệ"
                ws.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}{max_rows() + 1}")
        ws.freeze_panes = "A2"
        sheets[name] = ws

    for plan in BudgetPlan.objects.filter(province=province, year=year).order_by("funding_source"):
        sheets[PLAN_SHEET].append([plan.funding_source, int(plan.planned_vnd)])
    for target in (
        IndicatorTarget.objects.filter(province=province, year=year).select_related("indicator").order_by("indicator")
    ):
        sheets[TARGET_SHEET].append([target.indicator.code, target.target])
    projects = Project.objects.filter(province=province, year=year).select_related("category").order_by("code")
    for project in projects:
        sheets[PROJECT_SHEET].append(
            [
                project.code,
                project.title,
                project.funding_source,
                project.category.code,
                project.project_type,
                project.status,
                project.status_changed_on,
                int(project.support_vnd),
                int(project.counterpart_vnd),
                project.implementing_unit,
                project.beneficiary_name,
            ]
        )
    for payment in (
        Disbursement.objects.filter(project__in=projects)
        .select_related("project")
        .order_by("project__code", "date", "id")
    ):
        sheets[DISBURSEMENT_SHEET].append(
            [payment.project.code, payment.date, payment.kind, int(payment.amount_vnd), payment.document_number]
        )
    for output in (
        ProjectOutput.objects.filter(project__in=projects)
        .select_related("project", "indicator")
        .order_by("project__code", "date", "id")
    ):
        sheets[OUTPUT_SHEET].append([output.project.code, output.indicator.code, output.date, output.value])
    establishments = _territory_establishments(province).prefetch_related("supports__project").order_by("name", "id")
    for establishment in establishments:
        codes = sorted(link.project.code for link in establishment.supports.all() if link.project.year == year)
        sheets[ESTABLISHMENT_SHEET].append(
            [
                establishment.name,
                establishment.tax_code,
                establishment.legal_form,
                establishment.commune,
                establishment.sector,
                "x" if establishment.women_owned else "",
                "x" if establishment.ethnic_minority_owned else "",
                "; ".join(codes),
                "",
            ]
        )
    for name in (PROJECT_SHEET, DISBURSEMENT_SHEET, OUTPUT_SHEET):
        ws = sheets[name]
        date_col = {PROJECT_SHEET: "G", DISBURSEMENT_SHEET: "B", OUTPUT_SHEET: "C"}[name]
        for cell in ws[date_col][1:]:
            cell.number_format = "DD/MM/YYYY"
    for name, column in ((PLAN_SHEET, "B"), (PROJECT_SHEET, "H"), (PROJECT_SHEET, "I"), (DISBURSEMENT_SHEET, "D")):
        for cell in sheets[name][column][1:]:
            cell.number_format = "#,##0"
    wb.active = wb.sheetnames.index(PLAN_SHEET)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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
    sheets |= {META_SHEET: area(META_ROWS, 2), LISTS_SHEET: area(LISTS_ROWS, LISTS_COLUMNS)}
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
        rows_read = workbook_guard.bounded_rows(ws, max_row=max_rows() + 1, max_col=len(columns))
        for number, values in enumerate(rows_read, start=1):
            values = list(values)[: len(columns)] + [None] * (len(columns) - len(values))
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


def _check_formula(value) -> None:
    if isinstance(value, str) and value.startswith("="):
        raise _CellProblem(msg_formula())


def _whole(value, *, required: bool = True) -> Decimal | None:
    _check_formula(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _CellProblem(msg_required())
        return None
    if isinstance(value, bool):
        raise _CellProblem(msg_not_number())
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
                {"negative": msg_negative(), "fraction": msg_fraction()}.get(error.code, msg_not_number())
            ) from None
    else:
        raise _CellProblem(msg_not_number())
    if number < 0:
        raise _CellProblem(msg_negative())
    if number >= MAX_AMOUNT_VND:
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


def _choice(value, choices, what: str, *, required: bool = True) -> str | None:
    """A code of `choices` (a TextChoices), given as its value or its label in any case."""
    _check_formula(value)
    text = _text(value)
    if not text:
        if required:
            raise _CellProblem(msg_required())
        return None
    for choice in choices:
        if text.lower() in (choice.value.lower(), str(choice.label).lower()):
            return choice.value
    raise _CellProblem(msg_unknown(what, text))


def _lookup(value, table: dict, what: str):
    _check_formula(value)
    text = _text(value)
    if not text:
        raise _CellProblem(msg_required())
    if text not in table:
        raise _CellProblem(msg_unknown(what, text))
    return table[text]


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


def run_import(parsed: ParsedWorkbook, user, *, commit: bool) -> ImportReport:
    """Check every row and write what changed through the services, in one transaction.

    With `commit=False` (the dry run) the transaction is always rolled back. With `commit=True`
    it is kept only when there is no error at all. Raises ImportRefused when `user` may not enter
    the workbook's province.
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
        _Importer(parsed, user, report).run()
        if commit and report.ok:
            report.committed = True
        else:
            transaction.set_rollback(True)
    return report


class _Importer:
    def __init__(self, parsed: ParsedWorkbook, user, report: ImportReport):
        self.parsed, self.user, self.report = parsed, user, report
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
        for number, raw in self.parsed.rows[sheet]:
            row = _RowReader(sheet, number, raw, self.report.errors)
            fund = row.get("fund", _choice, FundingSource, _("funding source"))
            amount = row.get("planned", _whole)
            if row.failed:
                continue
            if fund in seen:
                self.error(sheet, number, _("This fund appears twice in the sheet."), _column(COLUMNS[sheet], 0))
                continue
            seen.add(fund)
            label = f"{fund}: {amount:,.0f}".replace(",", ".")
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
        for number, raw in self.parsed.rows[sheet]:
            row = _RowReader(sheet, number, raw, self.report.errors)
            indicator = row.get("indicator", _lookup, self.indicators, _("indicator"))
            value = row.get("target", _whole)
            if row.failed:
                continue
            if indicator.code in seen:
                self.error(sheet, number, _("This indicator appears twice in the sheet."), _column(COLUMNS[sheet], 0))
                continue
            seen.add(indicator.code)
            label = f"{indicator.code}: {value}"
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
        for number, raw in self.parsed.rows[sheet]:
            row = _RowReader(sheet, number, raw, self.report.errors)
            code = row.get("code", _plain_text, required=True, max_length=64)
            fields = {
                "title": row.get("title", _plain_text, required=True, max_length=500),
                "funding_source": row.get("fund", _choice, FundingSource, _("funding source")),
                "category": row.get("category", _lookup, self.categories, _("content category")),
                "project_type": row.get("type", _choice, ProjectType, _("project type")),
                "support_vnd": row.get("support", _whole),
                "counterpart_vnd": row.get("counterpart", _whole, required=False) or Decimal(0),
                "implementing_unit": row.get("unit", _plain_text),
                "beneficiary_name": row.get("beneficiary", _plain_text),
            }
            status = row.get("status", _choice, ProjectStatus, _("status"))
            status_date = row.get("status_date", _date, required=False)
            if row.failed:
                if code:
                    self.bad_projects.add(code)
                continue
            if code in seen:
                self.error(
                    sheet, number, _("This project code appears twice in the sheet."), _column(COLUMNS[sheet], 0)
                )
                continue
            seen.add(code)
            label = f"{code} – {fields['title']}"
            project = self.projects.get(code)
            if project is None:
                if Project.objects.filter(code=code).exists():
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
                    self.projects[code] = created["project"]
                    out.created.append(label)
                else:
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
        for number, raw in self.parsed.rows[sheet]:
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
            label = f"{project.code} {day:%d/%m/%Y} {kind} {amount:,.0f}".replace(",", ".")
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
        for number, raw in self.parsed.rows[sheet]:
            row = _RowReader(sheet, number, raw, self.report.errors)
            project = self._project(sheet, number, row)
            indicator = row.get("indicator", _lookup, self.indicators, _("indicator"))
            day = row.get("date", _date)
            value = row.get("value", _whole)
            if row.failed or project is None:
                continue
            if value == 0:
                self.error(sheet, number, _("An output must be more than 0."), _column(COLUMNS[sheet], 3))
                continue
            label = f"{project.code} {indicator.code} {day:%d/%m/%Y}: {value}"
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


def _take(matches: list, same) -> object:
    """Remove from `matches` (stored rows with a row's key) and return the first one that
    `same` says is identical to the row, else the first one. Two payments or outputs may share
    a key (same project, day…): pairing the identical ones first means an unchanged file
    changes nothing, whatever order the rows come in."""
    for index, candidate in enumerate(matches):
        if same(candidate):
            return matches.pop(index)
    return matches.pop(0)


def import_file(data: bytes, user, *, commit: bool, filename: str = "") -> ImportReport:
    """Read `data` and run the import (dry run unless `commit`); raises ImportRefused."""
    return run_import(read_workbook(data, filename), user, commit=commit)
