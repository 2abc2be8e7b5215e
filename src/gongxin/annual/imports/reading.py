"""Reading an import file: the upload check (an .xlsx of at most 50 MB, by content) and the data
sheet located by its header row, its rows streamed from python-calamine with their Excel numbers."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gongxin.annual.imports.template import COLUMNS, HEADER_KEYS, SHEET_NAME, squash

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class FileRefused(ValidationError):
    """The upload is not something this import reads (wrong type, too large, unreadable)."""


def upload_check(upload) -> None:
    """An .xlsx workbook of at most 50 MB, checked by its content, not only its name."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise FileRefused(_("Upload an Excel workbook with the extension .xlsx (download the template below)."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise FileRefused(_("The file is larger than 50 MB; split it into several files."))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("This is an old-format .xls workbook or a password-protected one. Open it in Excel "
                            "and save it as an .xlsx workbook without a password."))
    if not head.startswith(b"PK\x03\x04"):
        raise FileRefused(_("The file is not an Excel .xlsx workbook (its content is not a workbook, whatever "
                            "its name says)."))
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        names = set()
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("The file is not an Excel .xlsx workbook (it is a damaged file or another kind "
                            "of document)."))


class Sheet:
    """The data sheet of an import file: where its header is, which column holds what, and its
    rows numbered as Excel shows them."""

    def __init__(self, path: str):
        try:
            self.book = CalamineWorkbook.from_path(path)
            names = self.book.sheet_names
            self.name = SHEET_NAME if SHEET_NAME in names else names[0]
            data = self.book.get_sheet_by_name(self.name)
        except (CalamineError, IndexError, OSError) as exc:
            raise FileRefused(_("The workbook cannot be read: %(error)s") % {"error": exc}) from None
        start, end = data.start, data.end
        # calamine's rows start at row 1 (blank leading rows included) but at the first used column.
        self.col_offset = start[1] if start else 0
        self.width = (end[1] + 1) if end else 0  # absolute index after the last column
        last_row = (end[0] + 1) if end else 0
        self._rows = data.iter_rows()
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


def all_rows(path: str, name: str) -> Iterator[list]:
    """Every row of the named sheet from row 1, for the error copy."""
    with CalamineWorkbook.from_path(path) as book:
        yield from book.get_sheet_by_name(name).iter_rows()
