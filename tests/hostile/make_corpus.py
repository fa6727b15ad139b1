"""Hostile workbooks for the import's safety tests, built by code: nothing large is committed.

Each builder takes `base`, a genuine import template (programmes.importer.build_template), and
returns the bytes of one hostile file derived from it, so that a file passes the template's own
checks (version, province) and reaches whatever part of the reader it attacks. `build(name, base)`
caches the result for the test session; `CORPUS` lists every builder with the upload file name it
goes under.

Run as a script to write the corpus into a folder, e.g. to replay it against a running portal:
`python -m tests.hostile.make_corpus TEMPLATE.xlsx OUTDIR`.
"""

import functools
import io
import re
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MB = 1024 * 1024

Chunks = bytes | Iterable[bytes]


# ---------------------------------------------------------------------------------------------
# Zip surgery


def parts(data: bytes) -> dict[str, bytes]:
    """The members of the archive `data`, in archive order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(members: dict[str, Chunks]) -> bytes:
    """An archive of `members` (name -> bytes, or an iterable of chunks written one by one so that
    a 100 MB member never sits in memory whole), deflated at the highest level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as handle:
                for chunk in content:
                    handle.write(chunk)
    return buffer.getvalue()


def sheet_part(members: dict[str, bytes], name: str) -> str:
    """The archive member holding the sheet called `name` (read from workbook.xml and its rels)."""
    workbook = members["xl/workbook.xml"].decode()
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    sheet = re.search(r'<sheet [^>]*name="' + re.escape(name) + r'"[^>]*r:id="([^"]+)"', workbook)
    target = re.search(r'Target="([^"]+)" Id="' + re.escape(sheet.group(1)) + '"', rels).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def replaced(base: bytes, sheet: str, edit: Callable[[str], str]) -> bytes:
    """`base` with the XML of `sheet` passed through `edit`."""
    members = parts(base)
    path = sheet_part(members, sheet)
    members[path] = edit(members[path].decode()).encode()
    return rezip(members)


def set_dimension(xml: str, ref: str | None) -> str:
    """The sheet XML with its <dimension> declaring `ref`, or without one when `ref` is None."""
    element = "" if ref is None else f'<dimension ref="{ref}" />'
    return re.sub(r"<dimension [^>]*/>", element, xml, count=1)


def add_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>", 1)


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# ---------------------------------------------------------------------------------------------
# The hostile files


def zip_bomb(base: bytes) -> bytes:
    """The sheet “Kết quả” padded with 100 MB of blanks: a 100 KB download, 100 MB unpacked."""
    members = parts(base)
    path = sheet_part(members, "Kết quả")
    head, tail = members[path].decode().rsplit("</worksheet>", 1)
    blanks = b" " * MB
    members[path] = [head.encode(), *([blanks] * 100), ("</worksheet>" + tail).encode()]
    return rezip(members)


def sparse_corner(base: bytes) -> bytes:
    """“Đề án” declared as A1:XFD1048576, holding one cell in that far corner."""
    far = '<row r="1048576">' + inline("XFD1048576", "x") + "</row>"
    return replaced(base, "Đề án", lambda xml: add_rows(set_dimension(xml, "A1:XFD1048576"), far))


def undeclared_corner(base: bytes) -> bytes:
    """“Đề án” with no <dimension> at all, and a cell at XFD1048576."""
    far = '<row r="1048576">' + inline("XFD1048576", "x") + "</row>"
    return replaced(base, "Đề án", lambda xml: add_rows(set_dimension(xml, None), far))


def shared_strings_55mb(base: bytes) -> bytes:
    """A shared strings part of 55 MB (2.2 million strings), about 100 KB compressed."""
    members = parts(base)
    item = "<si><t>Hỗ trợ khuyến công</t></si>".encode()
    count = 55 * MB // len(item)
    head = f'<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">'.encode()
    members["xl/sharedStrings.xml"] = [head, *([item * 10_000] * (count // 10_000)), b"</sst>"]
    members["[Content_Types].xml"] = (
        members["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}" /></Types>'
        )
        .encode()
    )
    return rezip(members)


def vba_member(base: bytes) -> bytes:
    """The template with a macro project (xl/vbaProject.bin) added, under an .xlsx name."""
    members = parts(base)
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return rezip(members)


LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)


def billion_laughs(base: bytes) -> bytes:
    """“Kế hoạch” with the billion-laughs entities (10^9 “lol”) used in a cell."""
    return replaced(
        base, "Kế hoạch", lambda xml: LAUGHS + add_rows(xml, '<row r="9">' + inline("A9", "&lol9;") + "</row>")
    )


def billion_laughs_in_strings(base: bytes) -> bytes:
    """The same entities in a shared strings part, which openpyxl parses while opening the file."""
    members = parts(base)
    members["xl/sharedStrings.xml"] = (
        LAUGHS.replace("worksheet", "sst") + f'<sst xmlns="{MAIN_NS}"><si><t>&lol9;</t></si></sst>'
    ).encode()
    members["[Content_Types].xml"] = (
        members["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}" /></Types>'
        )
        .encode()
    )
    return rezip(members)


def external_entity(base: bytes) -> bytes:
    """“Kế hoạch” with an external entity (file:///etc/passwd) in a cell."""
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return replaced(
        base, "Kế hoạch", lambda xml: doctype + add_rows(xml, '<row r="9">' + inline("A9", "&xxe;") + "</row>")
    )


def rows_200k(base: bytes) -> bytes:
    """“Giải ngân” with 200,000 one-cell rows, declared as A1:E200001 (8 MB unpacked)."""
    rows = "".join(f'<row r="{n}"><c r="D{n}"><v>1</v></c></row>' for n in range(2, 200_002))
    return replaced(base, "Giải ngân", lambda xml: add_rows(set_dimension(xml, "A1:E200001"), rows))


def rows_200k_full(base: bytes) -> bytes:
    """“Giải ngân” with 200,000 complete disbursement rows (about 36 MB unpacked, 2 MB compressed)."""
    rows = "".join(
        f'<row r="{n}">{inline(f"A{n}", "KCQG-2024-79-001")}<c r="B{n}"><v>45383</v></c>'
        f'{inline(f"C{n}", "payment")}<c r="D{n}"><v>{1000 + n}</v></c>{inline(f"E{n}", f"UNC-{n}")}</row>'
        for n in range(2, 200_002)
    )
    return replaced(base, "Giải ngân", lambda xml: add_rows(set_dimension(xml, "A1:E200001"), rows))


def lying_dimension(base: bytes) -> bytes:
    """“Kế hoạch” declared as A1:B3 while holding 6,000 rows (more than the 5,000 allowed)."""
    rows = "".join(f'<row r="{n}">{inline(f"A{n}", "KCQG")}<c r="B{n}"><v>{n}</v></c></row>' for n in range(4, 6_004))
    return replaced(base, "Kế hoạch", lambda xml: add_rows(set_dimension(xml, "A1:B3"), rows))


def short_dimension(base: bytes) -> bytes:
    """“Kế hoạch” with two plans, declared as A1:B2 (one row short): a harmless lie that some
    writers make, which must not hide the second plan."""
    rows = "".join(
        f'<row r="{n}">{inline(f"A{n}", fund)}<c r="B{n}"><v>{n}000</v></c></row>'
        for n, fund in ((2, "KCQG"), (3, "KCDP"))
    )
    return replaced(base, "Kế hoạch", lambda xml: add_rows(set_dimension(xml, "A1:B2"), rows))


def long_strings(base: bytes) -> bytes:
    """A new project whose title is 1 MB (written as XML: openpyxl itself cuts strings at 32,767
    characters) and whose unit and beneficiary are 32,767 characters, Excel's most for a cell."""
    cells = (
        inline("A900", "KCQG-2024-79-900")
        + inline("B900", "T" * MB)
        + "".join(
            inline(f"{c}900", v)
            for c, v in zip("CDEF", ("KCQG", "vocational_training", "single_site", "proposed"), strict=True)
        )
        + '<c r="H900"><v>1000</v></c>'
        + inline("J900", "U" * 32_767)
        + inline("K900", "B" * 32_767)
    )
    return replaced(base, "Đề án", lambda xml: add_rows(set_dimension(xml, "A1:K900"), f'<row r="900">{cells}</row>'))


def not_zip(base: bytes) -> bytes:
    """A Windows executable's first bytes under an .xlsx name."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 16


def no_workbook(base: bytes) -> bytes:
    """The template without xl/workbook.xml."""
    members = parts(base)
    del members["xl/workbook.xml"]
    return rezip(members)


def many_sheets(base: bytes) -> bytes:
    """20,000 sheets, every one pointing at the part of “Kế hoạch” (3 MB unpacked, small zipped)."""
    members = parts(base)
    target = "/" + sheet_part(members, "Kế hoạch")
    sheets = "".join(f'<sheet name="S{n}" sheetId="{n + 100}" r:id="rIdX{n}" />' for n in range(20_000))
    rels = "".join(f'<Relationship Type="{REL_NS}/worksheet" Target="{target}" Id="rIdX{n}" />' for n in range(20_000))
    members["xl/workbook.xml"] = members["xl/workbook.xml"].decode().replace("</sheets>", sheets + "</sheets>").encode()
    rels_path = "xl/_rels/workbook.xml.rels"
    members[rels_path] = members[rels_path].decode().replace("</Relationships>", rels + "</Relationships>").encode()
    return rezip(members)


def many_parts(base: bytes) -> bytes:
    """The template with 20,000 small extra members."""
    members = parts(base)
    for n in range(20_000):
        members[f"customXml/item{n}.xml"] = b"<a/>"
    return rezip(members)


def damaged_sheet(base: bytes) -> bytes:
    """“Kế hoạch” cut off in the middle of its XML."""
    return replaced(base, "Kế hoạch", lambda xml: xml[: len(xml) // 2])


def bad_string_index(base: bytes) -> bytes:
    """A cell of “Kế hoạch” pointing at shared string 99,999 of a workbook that has none."""
    return replaced(base, "Kế hoạch", lambda xml: add_rows(xml, '<row r="9"><c r="A9" t="s"><v>99999</v></c></row>'))


# name -> (builder, upload file name)
CORPUS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "zip_bomb": (zip_bomb, "ke-hoach.xlsx"),
    "sparse_corner": (sparse_corner, "ke-hoach.xlsx"),
    "undeclared_corner": (undeclared_corner, "ke-hoach.xlsx"),
    "shared_strings_55mb": (shared_strings_55mb, "ke-hoach.xlsx"),
    "macros_xlsm": (lambda base: base, "ke-hoach.xlsm"),
    "vba_member": (vba_member, "ke-hoach.xlsx"),
    "billion_laughs": (billion_laughs, "ke-hoach.xlsx"),
    "billion_laughs_in_strings": (billion_laughs_in_strings, "ke-hoach.xlsx"),
    "external_entity": (external_entity, "ke-hoach.xlsx"),
    "rows_200k": (rows_200k, "ke-hoach.xlsx"),
    "rows_200k_full": (rows_200k_full, "ke-hoach.xlsx"),
    "lying_dimension": (lying_dimension, "ke-hoach.xlsx"),
    "short_dimension": (short_dimension, "ke-hoach.xlsx"),
    "long_strings": (long_strings, "ke-hoach.xlsx"),
    "not_zip": (not_zip, "ke-hoach.xlsx"),
    "no_workbook": (no_workbook, "ke-hoach.xlsx"),
    "many_sheets": (many_sheets, "ke-hoach.xlsx"),
    "many_parts": (many_parts, "ke-hoach.xlsx"),
    "damaged_sheet": (damaged_sheet, "ke-hoach.xlsx"),
    "bad_string_index": (bad_string_index, "ke-hoach.xlsx"),
}


@functools.cache
def build(name: str, base: bytes) -> bytes:
    """The hostile file `name` derived from `base`, built once per process."""
    return CORPUS[name][0](base)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    base = Path(argv[1]).read_bytes()
    out = Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for name, (_builder, filename) in CORPUS.items():
        data = build(name, base)
        path = out / f"{name}{Path(filename).suffix}"
        path.write_bytes(data)
        print(f"{len(data):>10}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
