"""The shared spreadsheet reader and writer (core.spreadsheets): what the inspection refuses and
why, that its idea of a sheet's extent is calamine's, the zip read carefully, text written as
text, widths from the content, and the download names.

The inspection runs here in the test process: it never hands a file to python-calamine, so a
hostile file cannot abort it. Posting the same files to the imports, where calamine reads what
the inspection lets through, runs in subprocesses (test_hostile_uploads.py)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from gongxin.core import downloads, spreadsheets
from gongxin.core.spreadsheets import (
    ColumnWidths,
    SheetLimits,
    SpreadsheetRefused,
    inspect,
    text_width,
    workbook,
)
from tests.core import hostile_sheets as hostile

SRC = Path(__file__).resolve().parents[2] / "src" / "gongxin"
SMALL = SheetLimits(rows=10_000, columns=32, header_rows=1)  # the member-file import's
ANNUAL = SheetLimits(rows=100_000, columns=64, header_rows=11, cells=3_000_000, upload_bytes=50 * 2**20,
                     unpacked_bytes=256 * 2**20)


def refusal(data: bytes, limits: SheetLimits) -> SpreadsheetRefused:
    with translation.override("en"), pytest.raises(SpreadsheetRefused) as exc:
        inspect(io.BytesIO(data), limits)
    return exc.value


@pytest.fixture(scope="module")
def files():
    return {name: build() for name, (build, _phrase) in hostile.FILES.items()}


@pytest.mark.parametrize("limits", [SMALL, ANNUAL], ids=["small import", "annual import"])
@pytest.mark.parametrize("name", list(hostile.FILES))
def test_every_hostile_workbook_is_refused_saying_which_limit(files, name, limits):
    exc = refusal(files[name], limits)
    assert hostile.FILES[name][1] in exc.messages[0]


def test_a_far_cell_is_refused_by_the_row_with_the_sheet_name_and_the_limits():
    exc = refusal(hostile.workbook(hostile._sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
                                   sheet_name="信用信息"), SMALL)
    assert exc.limit == "rows" and exc.found == 1_048_576 and exc.allowed == 10_001
    assert exc.messages == ["The sheet “信用信息” has cells below row 10,001 (in row 1,048,576, for one); this import "
                            "reads at most 10,001 rows (10,000 rows of data below the header). Split the file into "
                            "several, or delete what lies below your data."]


def test_a_million_numbered_rows_are_refused_after_reading_the_first_ones(files):
    """The refusal comes at the first piece past the limit: the file is not unpacked to the end."""
    exc = refusal(files["million_rows"], SMALL)
    assert exc.limit == "rows" and exc.found < 100_000


def test_a_reference_past_what_32_bits_hold_is_refused_not_wrapped():
    # calamine's u32 arithmetic would wrap 4294967298 to row 2.
    exc = refusal(hostile.workbook(hostile._sheet('<row r="2"><c r="B4294967298"><v>1</v></c></row>')), SMALL)
    assert exc.limit == "rows" and exc.found == 4_294_967_298


def test_a_wide_sheet_is_refused_by_its_cells_when_rows_times_columns_exceed_them():
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c><c r="AF{n}"><v>1</v></c></row>' for n in (2, 3, 150_000))
    limits = SheetLimits(rows=200_000, columns=40, header_rows=1, cells=1_000_000)
    exc = refusal(hostile.workbook(hostile._sheet(rows)), limits)
    assert exc.limit == "cells" and "150,000 rows × 32 columns" in exc.messages[0]
    fine = hostile.workbook(hostile._sheet(rows.replace("150000", "31000")))
    inspect(io.BytesIO(fine), limits)  # 31,000 × 32 is within a million


def test_a_drawing_attribute_named_r_is_no_cell():
    """openpyxl's theme has <a:fillToRect r="50000">: only worksheets (sheetData) count."""
    book = openpyxl.Workbook()
    book.active.append(["a", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    assert b'r="50000"' in zipfile.ZipFile(buffer).read("xl/theme/theme1.xml")
    inspect(io.BytesIO(buffer.getvalue()), SheetLimits(rows=10, columns=5))


# --- the extent is calamine's ----------------------------------------------------------------

BENIGN = {
    "every cell with r (the fast path)": '<row r="2"><c r="A2"><v>1</v></c><c r="D7"><v>2</v></c></row>',
    "cells without r": '<row r="3"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>',
    "rows without r": "<row><c><v>1</v></c></row>" * 4,
    "a cell outside its row": '<row r="2"></row><c><v>7</v></c>',
    "a cell named in another row": '<row r="2"><c r="E9"><v>1</v></c></row>',
    "single quotes and spaces": "<row r='2'><c  r = 'C5' ><v>1</v></c></row>",
    "a tab before r": '<row r="2"><c\tr="F3"><v>1</v></c></row>',
    "lower-case references": '<row r="2"><c r="c4"><v>1</v></c></row>',
    "a namespace prefix": '<row r="2"><x:c xmlns:x="urn:x" r="G4"><x:v>1</x:v></x:c></row>',
    "two r, the last counts": '<row r="2"><c r="A2" r="E3"><v>1</v></c></row>',
}


@pytest.mark.parametrize("rows", BENIGN.values(), ids=BENIGN.keys())
def test_the_inspection_sees_the_extent_calamine_reads(rows, tmp_path):
    data = hostile.workbook(hostile._sheet(rows))
    path = tmp_path / "benign.xlsx"
    path.write_bytes(data)
    with CalamineWorkbook.from_path(str(path)) as book:  # small and benign: safe in this process
        end = book.get_sheet_by_index(0).end
    last_row, last_col = end[0] + 1, end[1] + 1
    exact = SheetLimits(rows=last_row - 1, columns=last_col, header_rows=1)
    inspect(path, exact)  # exactly calamine's extent: accepted
    if last_row > 1:
        assert refusal(data, SheetLimits(rows=last_row - 2, columns=last_col, header_rows=1)).limit == "rows"
    if last_col > 1:
        assert refusal(data, SheetLimits(rows=last_row - 1, columns=last_col - 1, header_rows=1)).limit == "columns"


@pytest.mark.parametrize("rows", ['<row r="2"><c r="B2"><v>1<c r="H8"><v>9</v></c></v></c></row>',
                                  '<row r="H2"><c r="A2"><v>1</v></c></row>'],
                         ids=["a cell inside a value", "letters in a row number"])
def test_a_reference_calamine_would_ignore_counts_all_the_same(rows):
    """Where calamine skips a reference (a cell inside a value, letters in a row's r), the
    inspection counts it: it may refuse more than calamine needs, never less."""
    assert refusal(hostile.workbook(hostile._sheet(rows)), SheetLimits(rows=10, columns=2)).limit == "columns"


def test_a_file_without_r_on_every_cell_takes_the_exact_path_and_others_do_not():
    fast = inspect(io.BytesIO(hostile.workbook(hostile._sheet(BENIGN["every cell with r (the fast path)"]))), SMALL)
    exact = inspect(io.BytesIO(hostile.workbook(hostile._sheet(BENIGN["cells without r"]))), SMALL)
    assert fast.exact == [] and exact.exact == ["xl/worksheets/sheet1.xml"] and exact.sheets == {
        "xl/worksheets/sheet1.xml": (3, 3)}


def test_a_file_as_xlsxwriter_writes_it_takes_the_fast_path(tmp_path):
    path = tmp_path / "w.xlsx"
    book = workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("数据")
    for r in range(500):
        sheet.write_row(r, 0, ["社会组织", r, 1.5, "是"])
    book.close()
    result = inspect(path, SheetLimits(rows=499, columns=4))
    assert result.exact == [] and result.unpacked_bytes > path.stat().st_size


# --- the zip, read carefully -------------------------------------------------------------------

def _plain() -> bytes:
    return hostile.workbook(hostile._sheet(""))


@pytest.mark.parametrize("damage", ["comment", "prefix", "duplicate", "case", "encrypted", "not a zip"])
def test_a_zip_two_readers_could_see_differently_is_refused(damage):
    expected = "packed in a way Excel does not use" if damage == "encrypted" else "damaged file or another kind"
    data = _plain()
    if damage == "comment":  # an end record that is not at the very end
        data = data[:-2] + struct.pack("<H", 4) + b"PK\x05\x06"
    elif damage == "prefix":  # data before the archive
        data = b"PK\x03\x04" + b"\0" * 64 + data
    elif damage in ("duplicate", "case"):
        second = "xl/worksheets/sheet1.xml" if damage == "duplicate" else "XL/Worksheets/Sheet1.xml"
        data = hostile.zip_bytes([hostile.Member("xl/workbook.xml", [b"<workbook/>"]),
                                  hostile.Member("xl/worksheets/sheet1.xml", [b"<worksheet/>"]),
                                  hostile.Member(second, [b"<worksheet/>"])])
    elif damage == "encrypted":
        data = data.replace(b"PK\x01\x02\x14\x00\x14\x00\x00\x08", b"PK\x01\x02\x14\x00\x14\x00\x01\x08")
    else:
        data = b"PK\x03\x04 this is no zip" * 10
    assert expected in refusal(data, SMALL).messages[0]


def test_a_run_of_megabytes_without_a_tag_is_refused_without_holding_it():
    def chunks():
        yield f"<worksheet {hostile.NS}><sheetData>".encode()
        for _ in range(20):
            yield b" " * 2**20
        yield b"</sheetData></worksheet>"
    assert refusal(hostile.workbook(chunks()), SMALL).limit == "type"


def test_upload_check_refuses_by_content_and_size():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def check(name, content, limits=SMALL):
        with translation.override("en"), pytest.raises(SpreadsheetRefused) as exc:
            spreadsheets.upload_check(SimpleUploadedFile(name, content), limits)
        return exc.value.messages[0]

    assert "not an Excel .xlsx workbook" in check("a.csv", b"a,b\n")
    assert "not an Excel .xlsx workbook" in check("a.xlsx", b"a,b\n")
    assert "old-format .xls" in check("a.xlsx", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert "damaged file" in check("a.xlsx", b"PK\x03\x04garbage")
    assert check("a.xlsx", _plain(), SheetLimits(rows=1, columns=1, upload_bytes=1000)) == (
        "The file is larger than 1000 bytes; split it into several files.")


# --- writing -----------------------------------------------------------------------------------

HOSTILE_TEXTS = hostile.HOSTILE_TEXTS
assert_inert = hostile.assert_inert


def test_the_shared_workbook_writes_formulas_and_links_as_text():
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, text in enumerate(HOSTILE_TEXTS):
        sheet.write(r, 0, text)
    sheet.write_row(5, 0, HOSTILE_TEXTS)
    book.close()
    assert_inert(buffer.getvalue(), *HOSTILE_TEXTS)


def test_the_shared_workbook_refuses_to_turn_conversions_back_on():
    with pytest.raises(ValueError, match="strings_to_urls"):
        workbook(io.BytesIO(), {"strings_to_urls": True})


def test_only_the_shared_reader_and_writer_touch_calamine_and_xlsxwriter_workbooks():
    """One mechanism: every import reads through core.spreadsheets.Workbook, every export writes
    through core.spreadsheets.workbook()."""
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(SRC).as_posix()
        if re.search(r"CalamineWorkbook|load_workbook\(", text) and rel != "core/spreadsheets/reading.py":
            offenders.append(rel)
        if re.search(r"xlsxwriter\.Workbook|from xlsxwriter import Workbook|import openpyxl|from openpyxl", text) and \
                rel != "core/spreadsheets/writing.py":
            offenders.append(rel)
    assert offenders == []


def test_widths_count_chinese_characters_double_and_stop_at_the_maximum():
    assert text_width("社会组织") == 8 and text_width("NGO") == 3 and text_width("甲\n乙丙") == 4
    assert text_width(1234567) == len("1,234,567") and text_width(None) == 0
    widths = ColumnWidths(minimum=6, maximum=30)
    widths.add(["名称", "Code", "x" * 200])
    widths.add(["珠海市测试甲行业协会", "51440400MJ0000001X", ""])
    assert [widths.width(c) for c in range(3)] == [22, 20, 30]


def test_widths_are_taken_from_the_first_rows_only():
    widths = ColumnWidths(sample=2)
    for value in ("a", "bb", "c" * 40):
        widths.add([value])
    assert widths.width(0) == 6  # "bb" + 2, at least the minimum: the third row is not measured


# --- download names ------------------------------------------------------------------------------

def test_a_chinese_file_name_goes_out_as_rfc_5987_with_an_ascii_fallback():
    header = downloads.content_disposition("社会组织名录_20261207.xlsx",
                                           fallback="Social organization registry_20261207.xlsx")
    assert header == ("attachment; filename=\"Social organization registry_20261207.xlsx\"; "
                      "filename*=UTF-8''%E7%A4%BE%E4%BC%9A%E7%BB%84%E7%BB%87%E5%90%8D%E5%BD%95_20261207.xlsx")
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", header).group(1)
    assert unquote(encoded, encoding="utf-8", errors="strict") == "社会组织名录_20261207.xlsx"
    assert header.isascii()
    assert downloads.content_disposition("plain.xlsx") == 'attachment; filename="plain.xlsx"'


def test_file_names_are_in_the_active_language_dated_and_without_unsafe_characters():
    import datetime as dt

    from django.utils.translation import gettext_lazy

    title = gettext_lazy("Social organization registry")
    day = dt.date(2026, 12, 7)
    with translation.override("zh-hans"):
        assert downloads.filename(title, "xlsx", day=day) == "社会组织名录_20261207.xlsx"
        assert downloads.english_filename(title, "xlsx", day=day) == "Social organization registry_20261207.xlsx"
    assert downloads.filename('a/b:c*"d"', "csv", dated=False) == "a_b_c_d.csv"
