"""How far a worksheet's cells really reach, found in its XML before python-calamine reads it.

calamine places a cell at the position its ``r`` attribute names (``<c r="XFD1048576">``, whatever
row element holds it; the last ``r`` when there are two), and a cell without ``r`` one column
after the previous cell of its row, in the row its ``<row r>`` (or the count of rows so far)
gives. So the cells' extent is known exactly from the ``r`` attributes when every cell has one,
which is what every spreadsheet program writes.

**The fast path** (what Excel, WPS, LibreOffice, openpyxl and XlsxWriter write) does no Python
work per element: per piece of XML (archive.pieces) one regular expression skips every plain
``r="B12"`` within the limits and stops only at the others (beyond a limit, or spelled another
way: single quotes, spaces, a second ``r``), which are then read in Python; a second one
confirms that every cell tag begins with ``r``. In a file as Excel writes it nothing stops but the
last rows, so the cost is two passes of C over the XML (~0.2 s for 100,000 rows of 19 columns,
against ~1 s for calamine to read them).

**The exact path** (a cell without ``r``, a namespace prefix such as ``<x:c>``, odd spacing: files
from a few generators) replays calamine's rules over the XML with expat, element by element:
seconds for 100,000 rows, and only for such files. expat is stricter than calamine's parser, so
anything it cannot parse is refused rather than guessed at.

Checked this way it holds for any worksheet the workbook has (calamine may be asked for any of
them), and for the declared ``<dimension ref>`` too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.parsers import expat

from gongxin.core.spreadsheets.limits import column_letter, damaged

_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")
_DIMENSION = re.compile(rb"<(?:[^\s<>/:]+:)?dimension[\t\n\r ](?:[^>]*?[\t\n\r ])?ref[\t\n\r ]*=[\t\n\r ]*"
                        rb"([\"'])([^\"'<]*)\1")
_SPACE = rb"[\t\n\r ]"
_SPACE_BYTES = b"\t\n\r "


def parse_ref(value: bytes | str) -> tuple[int, int | None] | None:
    """(row, column) of a cell reference as Excel numbers them (``XFD1048576`` -> (1048576,
    16384)); column None for a bare row number; None where calamine could not read it. Python
    integers: where calamine's u32 arithmetic would wrap, the number here is simply large."""
    if isinstance(value, str):
        value = value.encode("latin-1", "replace")
    m = _REF.fullmatch(value)
    if m is None or int(m.group(2)) == 0:
        return None
    column = 0
    for letter in m.group(1).upper():
        column = column * 26 + letter - 64
    return int(m.group(2)), column or None


def _class_above(char: str) -> str:
    """The characters of the same kind above ``char``, as a regex class (both cases for letters)."""
    if char.isdigit():
        return f"[{int(char) + 1}-9]" if char != "9" else ""
    if char == "Z":
        return ""
    nxt = chr(ord(char) + 1)
    return f"[{nxt}-Z{nxt.lower()}-z]"


def _class_below(char: str) -> str:
    if char == "A":
        return ""
    prev = chr(ord(char) - 1)
    return f"[A-{prev}a-{prev.lower()}]"


def _letter(char: str) -> str:
    return f"[{char}{char.lower()}]" if char.isalpha() else char


def letters_upto(n: int) -> str:
    """A regex for a column name (either case, or none) up to column ``n``."""
    text = column_letter(n)
    alternatives = [f"[A-Za-z]{{0,{len(text) - 1}}}", "".join(_letter(c) for c in text)]
    for i, char in enumerate(text):
        lower = _class_below(char)
        if lower:
            rest = len(text) - i - 1
            alternatives.append("".join(_letter(c) for c in text[:i]) + lower + (f"[A-Za-z]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(alternatives) + ")"


@lru_cache(maxsize=32)
def _beyond(max_row: int, max_column: int) -> re.Pattern:
    """Every ``r`` attribute except the plain ones within (max_row, max_column): a reference of
    letters up to the column and fewer digits than the row, in double quotes, right after ``r=``.
    What is left (beyond, or spelled otherwise: single quotes, spaces) is read in Python; in a
    file as Excel writes it that is the few rows at the very end, or nothing."""
    digits = len(str(max_row + 1)) - 1  # every number of this many digits is within max_row
    plain = letters_upto(max_column) + (f"[0-9]{{1,{digits}}}" if digits else "(?!)") + '"'
    return re.compile(rb"r[\t\n\r ]*+=(?!\"" + plain.encode() + rb")")


_ATTRIBUTE = re.compile(rb"r[\t\n\r ]*=[\t\n\r ]*([\"'])([^\"'<]*)\1")
# A cell tag (<c, or <x:c with a namespace prefix) that does not begin with a plain r attribute.
_OTHER_CELL = re.compile(rb'c(?<=[<:]c)(?=[\t\n\r />])(?! r=")')


class Scan:
    """One part of the workbook, fed piece by piece: the largest row and column named beyond the
    thresholds, whether the exact path is needed, whether it has cells at all (``sheetData``:
    calamine reads cells only after one), its declared dimension, its shared strings."""

    def __init__(self, row_threshold: int, column_threshold: int, *, count_strings: bool = False):
        self.beyond = _beyond(row_threshold, column_threshold)
        self.row_threshold, self.column_threshold = row_threshold, column_threshold
        self.max_row = self.max_column = 0  # the largest beyond the thresholds (0: none)
        self.exact = False
        self.sheet_data = False
        self.declared: tuple[str, int, int] | None = None
        self.count_strings = count_strings
        self.strings = 0

    def feed(self, piece: bytes) -> None:
        for m in self.beyond.finditer(piece):
            if piece[m.start() - 1] not in _SPACE_BYTES:  # dir="5400000": another attribute ending in r
                continue
            attribute = _ATTRIBUTE.match(piece, m.start())
            ref = parse_ref(attribute.group(2)) if attribute else None
            if ref is None:
                continue  # not a reference calamine could read: it would fail, not allocate
            if ref[0] > self.row_threshold:
                self.max_row = max(self.max_row, ref[0])
            if (ref[1] or 0) > self.column_threshold:
                self.max_column = max(self.max_column, ref[1])
        if not self.exact and _OTHER_CELL.search(piece):
            self.exact = True  # a cell without r (or spelled unusually, or prefixed): replay it
        if not self.sheet_data:
            if self.declared is None and (m := _DIMENSION.search(piece)):
                parts = [parse_ref(p) for p in m.group(2).split(b":")]
                if parts and all(parts):
                    self.declared = (m.group(2).decode("ascii", "replace"), max(p[0] for p in parts),
                                     max(p[1] or 0 for p in parts))
            self.sheet_data = piece.find(b"sheetData") >= 0
        if self.count_strings:
            self.strings += piece.count(b"<si") + piece.count(b":si")


class _Refused(Exception):
    pass


class Beyond(Exception):
    """The exact path stopped at the first cell past a limit: (what, last row, last column)."""

    def __init__(self, limit: str, rows: int, columns: int):
        super().__init__(limit)
        self.limit, self.rows, self.columns = limit, rows, columns


def exact_extent(pieces, *, max_row: int, max_column: int, max_cells: int) -> tuple[int, int]:
    """(last row, last column) any cell reaches, replaying calamine's rules over the part with
    expat, as Excel numbers them ((0, 0): no cell). Stops at the first cell past a limit (raises
    Beyond: a million rows without ``r`` cost no more than the rows allowed). Raises
    SpreadsheetRefused (damaged) for XML expat cannot parse, a DOCTYPE, or a reference calamine
    could not read."""
    state = {"depth": 0, "data": None, "cell": None, "row": 0, "col": 0, "max_row": 0, "max_col": 0}

    def start(name, attrs):
        state["depth"] += 1
        if state["cell"] is not None:  # what is inside a cell (its value, formula, text) is not a cell
            return
        local = name.rpartition(":")[2]
        if state["data"] is None:
            if local == "sheetData":
                state.update(data=state["depth"], row=0, col=0)
            return
        if local == "row":
            r = attrs.get("r")
            if r is not None:
                ref = parse_ref(r)
                if ref is None:
                    raise _Refused
                state["row"] = ref[0] - 1
        elif local == "c":
            r = attrs.get("r")
            if r is not None:
                ref = parse_ref(r)
                if ref is None or ref[1] is None:
                    raise _Refused
                row, col = ref[0] - 1, ref[1] - 1
                state["col"] = col
            else:
                row, col = state["row"], state["col"]
            last_row, last_col = max(state["max_row"], row + 1), max(state["max_col"], col + 1)
            state["max_row"], state["max_col"] = last_row, last_col
            if last_row > max_row or last_col > max_column or last_row * last_col > max_cells:
                raise Beyond("rows" if last_row > max_row else "columns" if last_col > max_column else "cells",
                             last_row, last_col)
            state["col"] += 1
            state["cell"] = state["depth"]

    def end(name):
        depth = state["depth"]
        state["depth"] -= 1
        if state["cell"] is not None:
            if depth == state["cell"]:
                state["cell"] = None
            return
        if state["data"] is None:
            return
        if depth == state["data"]:
            state["data"] = None  # calamine stops at the first; a later sheetData is checked anyway
        elif name.rpartition(":")[2] == "row":
            state["row"] += 1
            state["col"] = 0

    def doctype(*_args):
        raise _Refused

    # ISO-8859-1 whatever the declaration says: byte for byte, as calamine's parser reads.
    parser = expat.ParserCreate(encoding="ISO-8859-1")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = doctype
    first = True
    try:
        for piece in pieces:
            if first and piece.startswith(b"\xef\xbb\xbf"):
                piece = piece[3:]
            first = False
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except (_Refused, expat.ExpatError):
        raise damaged() from None
    return state["max_row"], state["max_col"]
