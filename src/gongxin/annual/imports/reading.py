"""Reading an import file: the upload check (an .xlsx of at most 50 MB, by content) and the data
sheet located by its header row, its rows streamed from python-calamine with their Excel numbers.
Both go through the shared reader (core.spreadsheets), with this import's limits."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from gongxin.annual.imports.template import COLUMNS, HEADER_KEYS, SHEET_NAME, squash
from gongxin.core import spreadsheets
from gongxin.core.spreadsheets import MB, Inspection, SheetLimits, SpreadsheetRefused, Workbook

MAX_UPLOAD_BYTES = 50 * MB
MAX_ROWS = 100_000  # data rows in one file (a province's year is ~60,000 reports)
MAX_COLUMNS = 64  # the template has 19; room for the columns people add
MAX_CELLS = 3_000_000  # 100,000 rows of 30 columns: ~100 MB for calamine's grid
HEADER_ROWS = 11  # the header among the first ten rows, and the English header row under it
MAX_UNPACKED_BYTES = 256 * MB  # 100,000 rows unpack to ~70 MB; long texts to a few times that

FileRefused = SpreadsheetRefused  # the upload is not something this import reads (what and why in the message)


def limits() -> SheetLimits:
    # Read at call time, so that a test (or a setting) changing a limit above takes effect.
    return SheetLimits(rows=MAX_ROWS, columns=MAX_COLUMNS, header_rows=HEADER_ROWS, cells=MAX_CELLS,
                       upload_bytes=MAX_UPLOAD_BYTES, unpacked_bytes=MAX_UNPACKED_BYTES)


def upload_check(upload) -> None:
    """An .xlsx workbook of at most 50 MB, checked by its content, not only its name. What it
    holds is inspected by the worker, before the file is read (``Sheet``)."""
    spreadsheets.upload_check(upload, limits())


def too_many_data_rows(max_rows: int = MAX_ROWS) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The file has more than %(max)s rows of data; this import reads at most %(max)s at "
                                "a time. Split it into several files.") % {"max": f"{max_rows:,}"},
                              limit="rows", allowed=max_rows)


class Sheet:
    """The data sheet of an import file: where its header is, which column holds what, and its
    rows numbered as Excel shows them."""

    def __init__(self, path: str, *, inspection: Inspection | None = None):
        # Inspected against the limits before calamine reads anything (unless this process just did).
        self.book = Workbook(path, limits(), inspection=inspection)
        self.inspection = self.book.inspection
        try:
            data = self.book.sheet(SHEET_NAME)
        except BaseException:
            self.book.close()
            raise
        self.name = data.name
        # calamine's rows start at row 1 (blank leading rows included) but at the first used column.
        self.col_offset = data.col_offset
        self.width = data.width  # absolute index after the last column
        last_row = data.last_row
        self._rows = data.rows()
        self._pushback: list[tuple[int, list]] = []
        self._number = 0
        # The header is the first row naming three template columns, among the first ten (a
        # title row above it is common); failing that, the first filled row (to list what is missing).
        self.header_row, header = 0, []
        seen: list[tuple[int, list]] = []
        for number, cells in self._numbered():
            if any(v != "" for v in cells):
                seen.append((number, cells))
                if sum(1 for v in cells if v != "" and squash(v) in HEADER_KEYS) >= 3:
                    self.header_row, header = number, cells
                    break
            if number >= 10:
                break
        if not self.header_row and seen:
            self.header_row, header = seen[0]
            self._pushback = [(n, c) for n, c in seen[1:]]
        self.columns: dict[int, str] = {}  # absolute column index -> column key
        for i, value in enumerate(header):
            key = HEADER_KEYS.get(squash(value))
            if key and key not in self.columns.values():
                self.columns[self.col_offset + i] = key
        self.missing = [c.key for c in COLUMNS if c.key not in self.columns.values()]
        self.first_data_row = self.header_row + 1
        second = next(self._numbered(), None)
        if second is not None:
            filled = [v for v in second[1] if v != ""]
            english = sum(1 for i, v in enumerate(second[1])
                          if v != "" and HEADER_KEYS.get(squash(v)) == self.columns.get(self.col_offset + i))
            if english and english >= len(filled) / 2:
                self.first_data_row += 1  # the English header row
            else:
                self._pushback.insert(0, second)
        self.total = max(0, last_row - self.first_data_row + 1)  # data rows, blank ones included

    def _numbered(self) -> Iterator[tuple[int, list]]:
        while self._pushback:
            yield self._pushback.pop(0)
        for cells in self._rows:
            self._number += 1
            yield self._number, cells

    def data_rows(self) -> Iterator[tuple[int, list]]:
        """(Excel row number, cells) of the data rows, blank rows skipped."""
        while self._pushback:
            number, cells = self._pushback.pop(0)
            if any(v != "" and v is not None for v in cells):
                yield number, cells
        for number, cells in enumerate(self._rows, start=self._number + 1):  # (one generator less a row)
            self._number = number
            for v in cells:
                if v != "" and v is not None:
                    yield number, cells
                    break

    def close(self) -> None:
        self._rows = iter(())
        self.book.close()


def all_rows(path: str, name: str, *, inspection: Inspection | None = None) -> Iterator[list]:
    """Every row of the named sheet from row 1, for the error copy."""
    with Workbook(path, limits(), inspection=inspection) as book:
        yield from book.sheet(name).rows()
