"""common.workbook_guard on small workbooks made here (the import's hostile corpus is in
tests/programmes/test_import_hostile.py)."""

import io
import zipfile

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from common import workbook_guard as guard
from tests.hostile import make_corpus

AREA = guard.SheetArea(max_row=5, max_col=3)  # A1:C5
LIMITS = guard.WorkbookLimits(sheets={"S": AREA})


def workbook(rows=(("a", "b"), (1, 2))) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    for row in rows:
        ws.append(row)
    wb.create_sheet("Other").append(["x"] * 10)  # not in LIMITS.sheets: any size
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def with_sheet_rows(rows_xml: str, *, dimension: str | None = None) -> bytes:
    """A workbook whose sheet S holds exactly `rows_xml` (and declares `dimension`)."""

    def edit(xml: str) -> str:
        head, rest = xml.split("<sheetData>", 1)
        return (
            make_corpus.set_dimension(head, dimension)
            + "<sheetData>"
            + rows_xml
            + "</sheetData>"
            + rest.split("</sheetData>", 1)[1]
        )

    return make_corpus.replaced(workbook(), "S", edit)


def refusal(data: bytes, limits: guard.WorkbookLimits = LIMITS) -> str | type | None:
    """The message inspect refuses `data` with, WorkbookDamaged for a damaged file, None if it passes."""
    try:
        guard.inspect(data, limits)
    except guard.WorkbookDamaged:
        return guard.WorkbookDamaged
    except guard.WorkbookRefused as error:
        return error.message
    return None


def test_a_workbook_inside_its_areas_passes_and_reads_within_them():
    data = workbook()
    assert refusal(data) is None
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert list(guard.bounded_rows(wb["S"], max_row=AREA.max_row, max_col=AREA.max_col)) == [
        ("a", "b", None),
        (1, 2, None),
    ]


def test_cells_and_rows_without_references_are_numbered_as_openpyxl_numbers_them():
    # Three cells without `r` in the fourth row: the third is C4, inside; a fourth would be D4.
    cells = "<c><v>1</v></c>" * 3
    inside = f'<row r="3"><c r="A3"><v>1</v></c></row><row>{cells}</row>'
    assert refusal(with_sheet_rows(inside)) is None
    outside = f'<row r="3"><c r="A3"><v>1</v></c></row><row>{cells}<c><v>1</v></c></row>'
    assert refusal(with_sheet_rows(outside)) == guard.msg_cell_outside("S", "D4", "C5")
    # Every child of a row counts as a cell, whatever its name (openpyxl parses them all).
    assert refusal(with_sheet_rows('<row r="5"><c r="C5"/><x/></row>')) == guard.msg_cell_outside("S", "D5", "C5")
    # A row past the area without cells (a height, a format) hides no data.
    assert refusal(with_sheet_rows('<row r="900" ht="30" customHeight="1"/>')) is None


def test_references_openpyxl_accepts_are_accepted_and_the_others_are_damage():
    assert refusal(with_sheet_rows('<row r="2"><c r="c2"><v>1</v></c></row>')) is None
    assert refusal(with_sheet_rows('<row r="2"><c r="d2"><v>1</v></c></row>')) == guard.msg_cell_outside(
        "S", "D2", "C5"
    )
    assert refusal(with_sheet_rows('<row r="2.0"><c r="A2"/></row>')) is None
    # openpyxl's coordinate_to_tuple takes no "$": such a sheet would fail in openpyxl too.
    for rows in (
        '<row r="2"><c r="$C$2"/></row>',
        '<row r="2"><c r="2A"/></row>',
        '<row r="2.5"><c r="A2"/></row>',
        '<row r="x"/>',
    ):
        assert refusal(with_sheet_rows(rows)) is guard.WorkbookDamaged, rows
    assert refusal(with_sheet_rows('<row r="2"><row r="3"/></row>')) is guard.WorkbookDamaged


def test_a_declared_range_outside_the_area_is_refused():
    assert refusal(with_sheet_rows("", dimension="A1:C5")) is None
    assert refusal(with_sheet_rows("", dimension="A1:D5")) == guard.msg_dimension("S", "A1:D5", "C5")
    assert refusal(with_sheet_rows("", dimension="A:C")) == guard.msg_dimension("S", "A:C", "C5")
    assert refusal(with_sheet_rows("", dimension="nonsense")) is guard.WorkbookDamaged


def test_two_sheets_sharing_a_part_hold_it_to_both_areas():
    members = make_corpus.parts(workbook())
    target = "/" + make_corpus.sheet_part(members, "S")
    members["xl/workbook.xml"] = (
        members["xl/workbook.xml"].decode().replace("</sheets>", '<sheet name="T" sheetId="9" r:id="rIdT"/></sheets>')
    ).encode()
    rels = "xl/_rels/workbook.xml.rels"
    members[rels] = (
        members[rels]
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Type="{make_corpus.REL_NS}/worksheet" Target="{target}" Id="rIdT"/></Relationships>',
        )
    ).encode()
    limits = guard.WorkbookLimits(sheets={"S": AREA, "T": guard.SheetArea(5, 1)})
    # The sheet's declared range (A1:B2) already reaches past T's single column.
    assert refusal(make_corpus.rezip(members), limits) == guard.msg_dimension("T", "A1:B2", "A5")


@pytest.mark.parametrize(
    "prefix",
    [
        b"",
        b"<?xml version='1.0'?><!--" + b"x" * 100_000 + b"-->",  # far past "the first bytes"
    ],
)
def test_a_doctype_anywhere_in_the_prolog_is_refused(prefix):
    members = make_corpus.parts(workbook())
    members["docProps/custom.xml"] = prefix + b'<!DOCTYPE a [<!ENTITY e "e">]><a>&e;</a>'
    assert refusal(make_corpus.rezip(members)) == guard.msg_doctype("docProps/custom.xml")


def test_a_doctype_in_utf16_is_refused():
    members = make_corpus.parts(workbook())
    members["docProps/custom.xml"] = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16")
    assert refusal(make_corpus.rezip(members)) == guard.msg_doctype("docProps/custom.xml")


def test_members_that_are_not_xml_are_left_alone_and_bad_xml_is_damage():
    members = make_corpus.parts(workbook())
    members["xl/media/image1.png"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    members["xl/printerSettings/printerSettings1.bin"] = b""
    assert refusal(make_corpus.rezip(members)) is None
    members["xl/custom.xml"] = b"<a><b></a>"
    assert refusal(make_corpus.rezip(members)) is guard.WorkbookDamaged


def test_sizes_are_capped_member_by_member():
    data = workbook()
    largest = max(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    part = max(zipfile.ZipFile(io.BytesIO(data)).infolist(), key=lambda info: info.file_size).filename
    assert refusal(data, guard.WorkbookLimits(sheets={}, max_part_bytes=largest)) is None
    assert refusal(data, guard.WorkbookLimits(sheets={}, max_part_bytes=largest - 1)) == guard.msg_part_too_big(
        part, largest - 1
    )


def test_the_end_record_is_read_before_the_directory():
    data = workbook()
    count = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert refusal(data, guard.WorkbookLimits(sheets={}, max_parts=count)) is None
    with pytest.raises(guard.WorkbookRefused) as refused:
        guard.check_directory(data, guard.WorkbookLimits(sheets={}, max_parts=count - 1))
    assert refused.value.message == guard.msg_too_many_parts(count - 1)
    # An end record that under-declares its members is caught by the directory's size.
    members = make_corpus.parts(data) | {f"customXml/{'x' * 200}{n}.xml": b"<a/>" for n in range(100)}
    padded = make_corpus.rezip(members)
    end = padded.rfind(guard.END_RECORD)
    lying = padded[: end + 8] + (1).to_bytes(2, "little") * 2 + padded[end + 12 :]
    assert len(zipfile.ZipFile(io.BytesIO(lying)).infolist()) == count + 100  # zipfile reads them all
    with pytest.raises(guard.WorkbookRefused):
        guard.check_directory(lying, guard.WorkbookLimits(sheets={}, max_parts=count))
    guard.check_directory(b"not a zip", LIMITS)  # zipfile will say so


def test_too_many_sheets():
    data = workbook()
    assert refusal(data, guard.WorkbookLimits(sheets={}, max_sheets=2)) is None
    assert refusal(data, guard.WorkbookLimits(sheets={}, max_sheets=1)) == guard.msg_too_many_sheets(2, 1)


def test_bounded_rows_turns_openpyxl_errors_into_damage():
    data = with_sheet_rows('<row r="2"><c r="A2" t="s"><v>7</v></c></row>')  # no shared string 7
    wb = load_workbook(io.BytesIO(data), read_only=True)
    with pytest.raises(guard.WorkbookDamaged):
        list(guard.bounded_rows(wb["S"], max_row=5, max_col=3))


@override_settings(
    IMPORT_MAX_PARTS=7, IMPORT_MAX_PART_BYTES=100, IMPORT_MAX_SHARED_STRINGS_BYTES=50, IMPORT_MAX_SHEETS=3
)
def test_the_limits_come_from_the_settings():
    limits = guard.WorkbookLimits.from_settings({"S": AREA})
    assert (limits.max_parts, limits.max_part_bytes, limits.max_shared_strings_bytes, limits.max_sheets) == (
        7,
        100,
        50,
        3,
    )
    assert guard.WorkbookLimits.from_settings({}).sheets == {}


def test_the_megabytes_of_a_message_are_those_of_the_language(settings):
    from django.utils import translation

    with translation.override("vi"):
        assert "1,5 MB" in guard.msg_shared_strings_too_big(3 * guard.MB // 2)
        assert "8 MB" in guard.msg_shared_strings_too_big(8 * guard.MB)
