"""Reading an uploaded .xlsx workbook within fixed bounds: before openpyxl opens it, and while
it reads the sheets.

openpyxl trusts the file. A sheet that declares the range A1:XFD1048576 makes it hand out rows
of 16,384 cells for a million rows; the shared strings are parsed whole into memory when the file
is opened; a sheet may declare no range, or a false one; and the XML parser accepts DOCTYPE
declarations (openpyxl parses with defusedxml only when that is installed: it is a dependency of
the portal). A few kilobytes can so keep a worker busy for a minute, or answer a 500.

`inspect(data, limits)` reads the archive before openpyxl does, streaming each member through
expat (never holding a member whole), and refuses it, raising WorkbookRefused with a message in
the active language, when:

- the archive has more than `limits.max_parts` members (`check_directory`, which callers that open
  the archive themselves call first, reads that from the zip's end record before zipfile parses
  the directory);
- a member unpacks to more than `limits.max_part_bytes`, or the shared strings part (found as
  openpyxl finds it, through [Content_Types].xml) to more than `limits.max_shared_strings_bytes`.
  The sizes come from the zip directory, and they hold: zipfile never unpacks more of a member
  than its declared size (it fails the CRC check instead);
- any XML member has a DOCTYPE declaration, and so any ENTITY (entity expansion, external
  entities): Excel never writes one. Checked by the parser, so a declaration after a long comment
  or in a UTF-16 member is found as well as one in the first bytes;
- the workbook has more than `limits.max_sheets` sheets (openpyxl opens every one);
- a sheet named in `limits.sheets` declares a range (<dimension ref>) outside its SheetArea, or
  has a cell outside it: the cells are numbered as openpyxl numbers them, so a false or missing
  declaration hides nothing.

A damaged file (not a zip, a member that is not well-formed XML, a cell reference that is not
one, a member that cannot be unpacked) raises WorkbookDamaged, a WorkbookRefused that callers word
as their own "not a workbook" message.

`bounded_rows(ws, max_row=…, max_col=…)` then iterates a read-only openpyxl sheet within that area
whatever the sheet declares, turning openpyxl's errors on a damaged sheet into WorkbookDamaged.

The bounds, as `WorkbookLimits.from_settings` reads them (setting, default):

- IMPORT_MAX_PARTS, DEFAULT_MAX_PARTS: members of the archive;
- IMPORT_MAX_PART_BYTES, DEFAULT_MAX_PART_BYTES: unpacked size of each member but the shared strings;
- IMPORT_MAX_SHARED_STRINGS_BYTES, DEFAULT_MAX_SHARED_STRINGS_BYTES: the shared strings part;
- IMPORT_MAX_SHEETS, DEFAULT_MAX_SHEETS: sheets of the workbook.

The total unpacked size and the file size are the caller's (programmes.importer).
"""

import codecs
import functools
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from xml.parsers import expat

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, get_column_letter, range_boundaries

MB = 1024 * 1024
# Measured on a full template (5,000 rows in each sheet, openpyxl writing every text inline): the
# largest sheet, “Đề án”, is 4.3 MB, and its texts would take about 2 MB as shared strings (the
# way Excel saves). These defaults leave room for long titles and for other writers. Measured on
# one core: that full template reads in 2.3 s of CPU (0.3 s of it this module's checks); the
# worst file the defaults accept (16 MB of “Đề án”, 8 MB of shared strings, 5,000 rows in every
# sheet) in 6.5 s and 50 MB; tests/hostile/measure.py times each hostile file.
DEFAULT_MAX_PARTS = 500
DEFAULT_MAX_PART_BYTES = 16 * MB
DEFAULT_MAX_SHARED_STRINGS_BYTES = 8 * MB
DEFAULT_MAX_SHEETS = 50

CHUNK_BYTES = 64 * 1024
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES = "[Content_Types].xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# In the order openpyxl looks for them (openpyxl.reader.excel._find_workbook_part).
WORKBOOK_TYPES = (
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
DEFAULT_WORKBOOK_PART = "xl/workbook.xml"

# What zipfile, zlib, expat and openpyxl raise on a damaged or hostile file (defusedxml's errors
# are ValueErrors, ElementTree's ParseError a SyntaxError). WorkbookRefused is none of these.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    expat.ExpatError,
    SyntaxError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    ArithmeticError,
    OSError,
    EOFError,
    RuntimeError,
)


# Messages. Functions because gettext needs the language of the request.
def _megabytes(limit: int) -> str:
    size = round(limit / MB, 1)
    return number_format(int(size) if size == int(size) else size)


def msg_too_many_parts(limit: int) -> str:
    return _(
        "The workbook holds more than %(limit)s parts, far more than the import template; it is refused. "
        "Download the template and fill it in."
    ) % {"limit": limit}


def msg_part_too_big(part: str, limit: int) -> str:
    return _(
        "The part “%(part)s” of the workbook unpacks to more than %(size)s MB, far more than a province's "
        "records; the file is refused."
    ) % {"part": part, "size": _megabytes(limit)}


def msg_shared_strings_too_big(limit: int) -> str:
    return _(
        "The texts of the workbook unpack to more than %(size)s MB, far more than a province's records; "
        "the file is refused."
    ) % {"size": _megabytes(limit)}


def msg_doctype(part: str) -> str:
    return _(
        "The workbook contains a DOCTYPE or ENTITY declaration (in %(part)s), which Excel never writes; "
        "it is refused. Open the file in Excel and save it again as an Excel workbook (.xlsx)."
    ) % {"part": part}


def msg_too_many_sheets(count: int, limit: int) -> str:
    return _(
        "The workbook has %(count)s sheets; at most %(limit)s are accepted. Delete the sheets added to the template."
    ) % {"count": count, "limit": limit}


def msg_dimension(sheet: str, ref: str, corner: str) -> str:
    return _(
        "The sheet “%(sheet)s” declares the range %(range)s, beyond the template's range A1:%(corner)s. "
        "Delete the rows and columns outside it (empty formatted ones too) or split the file, then upload "
        "it again."
    ) % {"sheet": sheet, "range": ref, "corner": corner}


def msg_cell_outside(sheet: str, cell: str, corner: str) -> str:
    return _(
        "The sheet “%(sheet)s” has a cell at %(cell)s, outside the template's range A1:%(corner)s. "
        "Delete the rows and columns outside it or split the file, then upload it again."
    ) % {"sheet": sheet, "cell": cell, "corner": corner}


class WorkbookRefused(Exception):
    """The file is refused; `message` says why, in the active language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WorkbookDamaged(WorkbookRefused):
    """The file cannot be read as a workbook. `message` is the technical detail (not translated,
    for logs): callers show their own "not a workbook" message instead."""


@dataclass(frozen=True)
class SheetArea:
    """The cells a sheet may use: rows 1..max_row, columns 1..max_col."""

    max_row: int
    max_col: int

    @property
    def corner(self) -> str:
        return f"{get_column_letter(self.max_col)}{self.max_row}"


@dataclass(frozen=True)
class WorkbookLimits:
    """The bounds `inspect` enforces; `sheets` maps a sheet name to its area (sheets not named
    there are only held to the size and XML checks)."""

    sheets: Mapping[str, SheetArea] = field(default_factory=dict)
    max_parts: int = DEFAULT_MAX_PARTS
    max_part_bytes: int = DEFAULT_MAX_PART_BYTES
    max_shared_strings_bytes: int = DEFAULT_MAX_SHARED_STRINGS_BYTES
    max_sheets: int = DEFAULT_MAX_SHEETS

    @classmethod
    def from_settings(cls, sheets: Mapping[str, SheetArea]) -> "WorkbookLimits":
        return cls(
            sheets=sheets,
            max_parts=getattr(settings, "IMPORT_MAX_PARTS", DEFAULT_MAX_PARTS),
            max_part_bytes=getattr(settings, "IMPORT_MAX_PART_BYTES", DEFAULT_MAX_PART_BYTES),
            max_shared_strings_bytes=getattr(
                settings, "IMPORT_MAX_SHARED_STRINGS_BYTES", DEFAULT_MAX_SHARED_STRINGS_BYTES
            ),
            max_sheets=getattr(settings, "IMPORT_MAX_SHEETS", DEFAULT_MAX_SHEETS),
        )


# ---------------------------------------------------------------------------------------------
# Before openpyxl

END_RECORD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_END_RECORD = b"PK\x06\x06"
# A central directory entry is 46 bytes and the member's name; Excel's names are far shorter.
DIRECTORY_BYTES_PER_PART = 1024


def check_directory(data: bytes, limits: WorkbookLimits) -> None:
    """Refuse an archive whose end record declares more than `limits.max_parts` members, or a
    central directory larger than they would need, before zipfile parses that directory (a 5 MB
    file can hold a hundred thousand entries, each one a ZipInfo). Without an end record this
    says nothing: zipfile will find the file is no zip archive."""
    end = data.rfind(END_RECORD, max(0, len(data) - 65_536 - 22))
    if end < 0 or len(data) < end + 22:
        return
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == ZIP64_LOCATOR:
        # zip64: the counts are in the zip64 end record, which zipfile finds just before the locator.
        record = data[locator - 56 : locator]
        if record[:4] == ZIP64_END_RECORD:
            count = max(count, int.from_bytes(record[32:40], "little"))
            size = max(size, int.from_bytes(record[40:48], "little"))
    if count > limits.max_parts or size > limits.max_parts * DIRECTORY_BYTES_PER_PART:
        raise WorkbookRefused(msg_too_many_parts(limits.max_parts))


def inspect(data: bytes, limits: WorkbookLimits) -> None:
    """Refuse `data` (WorkbookRefused, WorkbookDamaged) unless it keeps within `limits`; see the
    module's docstring for the checks. Returns None: the file may then be given to openpyxl."""
    check_directory(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except READ_ERRORS as error:
        raise WorkbookDamaged(f"not a zip archive: {error}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_parts:
            raise WorkbookRefused(msg_too_many_parts(limits.max_parts))
        members = {info.filename: info for info in infos}
        if CONTENT_TYPES not in members:
            raise WorkbookDamaged(f"no {CONTENT_TYPES}")
        _check_size(members[CONTENT_TYPES], limits.max_part_bytes)
        types = _ContentTypes()
        _scan(archive, members[CONTENT_TYPES], types.start)
        shared_strings = {name for name, kind in types.overrides if kind == SHARED_STRINGS_TYPE}
        for info in infos:
            if info.filename in shared_strings:
                if info.file_size > limits.max_shared_strings_bytes:
                    raise WorkbookRefused(msg_shared_strings_too_big(limits.max_shared_strings_bytes))
            else:
                _check_size(info, limits.max_part_bytes)

        workbook_part = types.workbook_part()
        if workbook_part not in members:
            raise WorkbookDamaged(f"no workbook part {workbook_part}")
        workbook = _Workbook()
        _scan(archive, members[workbook_part], workbook.start)
        if len(workbook.sheets) > limits.max_sheets:
            raise WorkbookRefused(msg_too_many_sheets(len(workbook.sheets), limits.max_sheets))
        rels_path = posixpath.join(
            posixpath.dirname(workbook_part), "_rels", posixpath.basename(workbook_part) + ".rels"
        )
        targets = {}
        if rels_path in members:
            rels = _Relationships(rels_path)
            _scan(archive, members[rels_path], rels.start)
            targets = rels.targets
        areas: dict[str, tuple[str, SheetArea]] = {}
        for name, rel_id in workbook.sheets:
            area, target = limits.sheets.get(name), targets.get(rel_id)
            if area is None or target is None:
                continue
            if target in areas:  # two sheets sharing a part: the part must fit both
                other = areas[target][1]
                area = SheetArea(min(area.max_row, other.max_row), min(area.max_col, other.max_col))
            areas[target] = (name, area)

        done = {CONTENT_TYPES, workbook_part, rels_path}
        for info in infos:
            if info.filename in done or info.is_dir():
                continue
            if info.filename in areas:
                sheet, area = areas[info.filename]
                extent = _Extent(info.filename, sheet, area)
                _scan(archive, info, extent.start, extent.end)
            else:
                _scan(archive, info, sniff=True)


def _check_size(info: zipfile.ZipInfo, limit: int) -> None:
    if info.file_size > limit:
        raise WorkbookRefused(msg_part_too_big(info.filename, limit))


def _looks_like_xml(head: bytes) -> bool:
    """Whether a member starting with `head` would be read as XML (UTF-8 or UTF-16, any BOM)."""
    head = head[:1024].replace(b"\x00", b"")
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        head = head.removeprefix(bom)
    return head.lstrip(b" \t\r\n").startswith(b"<")


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, start=None, end=None, *, sniff: bool = False) -> None:
    """Stream member `info` through expat, with `start`/`end` element handlers (names are
    "namespace local"), refusing any DOCTYPE. With `sniff`, a member that does not look like XML
    (an image, printer settings) is left alone: no XML parser would read it either."""

    def doctype(*_args):
        raise WorkbookRefused(msg_doctype(info.filename))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    try:
        with archive.open(info) as stream:
            chunk = stream.read(CHUNK_BYTES)
            if sniff and not _looks_like_xml(chunk):
                return
            while chunk:
                parser.Parse(chunk, False)
                chunk = stream.read(CHUNK_BYTES)
            parser.Parse(b"", True)
    except READ_ERRORS as error:
        raise WorkbookDamaged(f"{info.filename}: {error}") from None


class _ContentTypes:
    def __init__(self):
        self.overrides: list[tuple[str, str]] = []  # (member name, content type), in order
        self.defaults: set[str] = set()

    def start(self, name: str, attrs: dict) -> None:
        if name == f"{CONTENT_TYPES_NS} Override" and "PartName" in attrs:
            self.overrides.append((attrs["PartName"].removeprefix("/"), attrs.get("ContentType", "")))
        elif name == f"{CONTENT_TYPES_NS} Default":
            self.defaults.add(attrs.get("ContentType", ""))

    def workbook_part(self) -> str:
        """The workbook part, as openpyxl chooses it."""
        for kind in WORKBOOK_TYPES:
            for part, part_kind in self.overrides:
                if part_kind == kind:
                    return part
        if self.defaults & set(WORKBOOK_TYPES):
            return DEFAULT_WORKBOOK_PART
        raise WorkbookDamaged("no workbook part in the content types")


class _Workbook:
    def __init__(self):
        self.sheets: list[tuple[str, str | None]] = []  # (name, relationship id), in order

    def start(self, name: str, attrs: dict) -> None:
        if name == f"{MAIN_NS} sheet":
            self.sheets.append((attrs.get("name", ""), attrs.get(f"{DOC_REL_NS} id")))


class _Relationships:
    """Relationship ids to member names, resolved as openpyxl resolves them
    (openpyxl.packaging.relationship.get_dependents)."""

    def __init__(self, path: str):
        self.parent = posixpath.split(posixpath.dirname(path))[0]
        self.targets: dict[str, str] = {}

    def start(self, name: str, attrs: dict) -> None:
        if name != f"{PKG_REL_NS} Relationship" or attrs.get("TargetMode") == "External":
            return
        target = attrs.get("Target", "")
        absolute = target.startswith("/")
        # The last relationship of an id wins, as in openpyxl's RelationshipList.to_dict.
        self.targets[attrs.get("Id", "")] = (
            target[1:] if absolute else posixpath.normpath(posixpath.join(self.parent, target))
        )


class _Extent:
    """Checks a sheet's declared range and every cell against its area, numbering rows and
    columns as openpyxl's WorkSheetParser does: a row without `r` follows the previous one, every
    child element of a row is a cell, and a cell without `r` follows the previous cell."""

    ROW = f"{MAIN_NS} row"
    DIMENSION = f"{MAIN_NS} dimension"

    def __init__(self, part: str, sheet: str, area: SheetArea):
        self.part, self.sheet, self.area = part, sheet, area
        # Depths, not a stack of elements: these handlers run for every element of the sheet.
        self.depth = 0
        self.row_depth = 0  # the depth of the open row; 0 outside rows
        self.row = self.column = 0

    def start(self, name: str, attrs: dict) -> None:
        self.depth += 1
        if self.row_depth:
            if name == self.ROW:
                raise WorkbookDamaged(f"{self.part}: a row inside a row")
            if self.depth == self.row_depth + 1:
                self._cell(attrs.get("r"))
        elif name == self.ROW:
            self.row_depth = self.depth
            self._row(attrs.get("r"))
        elif name == self.DIMENSION:
            self._dimension(attrs.get("ref"))

    def end(self, _name: str) -> None:
        if self.depth == self.row_depth:
            self.row_depth = 0
        self.depth -= 1

    def _row(self, ref: str | None) -> None:
        if ref is None:
            self.row += 1
        else:
            try:
                self.row = int(ref)
            except ValueError:
                number = float(ref)  # a ValueError here is the scan's: the sheet is damaged
                if not number.is_integer():
                    raise WorkbookDamaged(f"{self.part}: row {ref!r}") from None
                self.row = int(number)
        self.column = 0

    def _cell(self, ref: str | None) -> None:
        if ref is None:
            self.column += 1
        else:
            letters = ref.rstrip("0123456789")
            # The fast way for the usual "AB12"; anything else as openpyxl reads it (or refuses it).
            if letters != ref and letters.isascii() and letters.isalpha() and letters.isupper():
                self.column = _column_index(letters)
            else:
                self.column = coordinate_to_tuple(ref)[1]
        if self.column > self.area.max_col or self.row > self.area.max_row:
            raise WorkbookRefused(
                msg_cell_outside(self.sheet, f"{get_column_letter(self.column)}{self.row}", self.area.corner)
            )

    def _dimension(self, ref: str | None) -> None:
        _min_col, _min_row, max_col, max_row = range_boundaries(ref)
        if max_col is None or max_row is None or max_col > self.area.max_col or max_row > self.area.max_row:
            raise WorkbookRefused(msg_dimension(self.sheet, ref, self.area.corner))


@functools.lru_cache(maxsize=1024)
def _column_index(letters: str) -> int:
    return column_index_from_string(letters)


# ---------------------------------------------------------------------------------------------
# While openpyxl reads


def bounded_rows(ws, *, max_row: int, max_col: int, values_only: bool = True) -> Iterator[tuple]:
    """The values of rows 1..max_row, columns 1..max_col, of the read-only sheet `ws`, whatever
    range the sheet declares (a row tuple always has max_col values; a sheet with fewer rows
    yields fewer); the cells themselves when not `values_only` (to tell a formula from text
    that starts with "="). openpyxl's errors on a damaged sheet raise WorkbookDamaged."""
    rows = ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col, values_only=values_only)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except READ_ERRORS as error:
            raise WorkbookDamaged(f"{ws.title}: {error!r}") from None
        yield row
