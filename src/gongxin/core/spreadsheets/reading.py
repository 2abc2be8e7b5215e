"""Reading an uploaded .xlsx: the type by content, the inspection against the import's limits,
then python-calamine, always from a path ending in .xlsx (from a file object calamine guesses the
format, and would read a zip it cannot open as xlsx as xlsb or OpenDocument instead, unchecked)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineError, CalamineWorkbook

from gongxin.core.spreadsheets import archive, extent
from gongxin.core.spreadsheets.limits import (
    SheetLimits,
    SpreadsheetRefused,
    damaged,
    declared_too_large,
    not_a_workbook,
    old_format,
    too_large,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    too_many_strings,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and the container of a password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"


def upload_check(upload, limits: SheetLimits) -> None:
    """An .xlsx workbook of at most ``limits.upload_bytes``, by its name and its content: a zip
    whose structure any zip reader sees alike, with a workbook part. Cheap (no unpacking): what
    the workbook holds is ``inspect``'s to check."""
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    if size is not None and size > limits.upload_bytes:
        raise too_large(limits.upload_bytes, size)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(OLE_MAGIC):
        raise old_format()
    if not name.lower().endswith(".xlsx") or not head.startswith(ZIP_MAGIC):
        raise not_a_workbook()
    try:
        infos = archive.members(upload)
    finally:
        upload.seek(0)
    if not any(info.filename.lower() == "xl/workbook.xml" for info in infos):
        raise damaged()


@dataclass
class Inspection:
    """What the inspection read: every part's real unpacked size, and which worksheets needed
    the exact path."""

    unpacked_bytes: int = 0
    sheets: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> (last row, column) where known
    exact: list[str] = field(default_factory=list)


def inspect(source: str | os.PathLike | BinaryIO, limits: SheetLimits) -> Inspection:
    """Check every part of the workbook against ``limits`` before anything opens it: the real
    unpacked bytes (zip bombs), each worksheet's declared dimension and the real extent of its
    cells, and the number of shared strings. Raises SpreadsheetRefused, saying which limit."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return inspect(fh, limits)
    fh = source
    infos = archive.members(fh)
    budget = archive.Budget(limits.unpacked_bytes)
    result = Inspection()
    # Columns past this are flagged so that a wide sheet's cells can be counted (see below).
    column_threshold = max(1, min(limits.columns, limits.max_cells // limits.max_row))
    for info in infos:
        if info.is_dir():
            continue
        strings = info.filename.lower().endswith("sharedstrings.xml")
        scan = extent.Scan(limits.max_row, column_threshold, count_strings=strings)
        for piece in archive.pieces(archive.unpacked(fh, info, budget)):
            scan.feed(piece)
            # Refused at the first piece past a limit: a million rows are not unpacked to say so.
            # Only in a worksheet (its cells are what calamine reads): a drawing's r="50000" is no cell.
            if scan.sheet_data:
                if scan.max_row > limits.max_row:
                    raise too_many_rows(_label(fh, infos, info), scan.max_row, limits)
                if scan.max_column > limits.columns:
                    raise too_many_columns(_label(fh, infos, info), scan.max_column, limits)
            if strings and scan.strings > limits.max_strings:
                raise too_many_strings(scan.strings, limits)
        if not scan.sheet_data:
            continue
        if scan.declared is not None:
            area, rows, columns = scan.declared
            over = ("rows" if rows > limits.max_row else "columns" if columns > limits.columns
                    else "cells" if rows * columns > limits.max_cells else "")
            if over:
                raise declared_too_large(_label(fh, infos, info), area, over, limits)
        if scan.exact:
            result.exact.append(info.filename)
            try:
                rows, columns = extent.exact_extent(_reread(fh, info, limits), max_row=limits.max_row,
                                                    max_column=limits.columns, max_cells=limits.max_cells)
            except extent.Beyond as beyond:
                label = _label(fh, infos, info)
                if beyond.limit == "rows":
                    raise too_many_rows(label, beyond.rows, limits) from None
                if beyond.limit == "columns":
                    raise too_many_columns(label, beyond.columns, limits) from None
                raise too_many_cells(label, beyond.rows, beyond.columns, limits) from None
            result.sheets[info.filename] = (rows, columns)
        elif scan.max_column > column_threshold:
            # Wider than the cells limit allows at full length: read the part again for the rows
            # past what its width allows (the first pass only knew they were within max_row).
            rows_allowed = limits.max_cells // scan.max_column
            again = extent.Scan(rows_allowed, limits.columns)
            for piece in _reread(fh, info, limits):
                again.feed(piece)
                if again.max_row > rows_allowed:
                    raise too_many_cells(_label(fh, infos, info), again.max_row, scan.max_column, limits)
            result.sheets[info.filename] = (rows_allowed, scan.max_column)
    result.unpacked_bytes = budget.used
    return result


def _reread(fh: BinaryIO, info: zipfile.ZipInfo, limits: SheetLimits) -> Iterator[bytes]:
    return archive.pieces(archive.unpacked(fh, info, archive.Budget(limits.unpacked_bytes)))


_SHEET = re.compile(rb"<(?:[^\s<>/:]+:)?sheet[\t\n\r ][^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:[^\s<>/:]+:)?Relationship[\t\n\r ][^>]*>")


def _attribute(tag: bytes, name: bytes) -> str | None:
    m = re.search(rb"[\t\n\r ]" + re.escape(name) + rb"[\t\n\r ]*=[\t\n\r ]*([\"'])(.*?)\1", tag, re.S)
    return m.group(2).decode("utf-8", "replace") if m else None


def _label(fh: BinaryIO, infos: list[zipfile.ZipInfo], info: zipfile.ZipInfo) -> str:
    """The sheet's name for a message (where the workbook says it plainly), else the part's."""
    try:
        by_name = {i.filename.lower(): i for i in infos}

        def read(name: str) -> bytes:
            part = by_name.get(name.lower())
            return b"".join(archive.unpacked(fh, part, archive.Budget(4 * archive.OUT_BYTES))) if part else b""

        book = "xl/workbook.xml"
        for tag in _RELATIONSHIP.findall(read("_rels/.rels")):
            if (_attribute(tag, b"Type") or "").endswith("/officeDocument"):
                book = (_attribute(tag, b"Target") or book).lstrip("/")
        folder = book.rpartition("/")[0]
        targets = {}
        for tag in _RELATIONSHIP.findall(read(f"{folder}/_rels/workbook.xml.rels" if folder else "_rels/workbook.xml.rels")):
            target = _attribute(tag, b"Target") or ""
            path = target[1:] if target.startswith("/") else f"{folder}/{target}" if folder else target
            targets[_attribute(tag, b"Id")] = path.lower()
        for tag in _SHEET.findall(read(book)):
            if targets.get(_attribute(tag, b"r:id")) == info.filename.lower():
                return _attribute(tag, b"name") or info.filename
    except SpreadsheetRefused:
        pass
    return info.filename


class SheetReader:
    """One sheet, its rows streamed from calamine and never past the import's last row."""

    def __init__(self, sheet, limits: SheetLimits):
        self.name = sheet.name
        self.start, self.end = sheet.start, sheet.end
        self.limits = limits
        self._sheet = sheet

    @property
    def col_offset(self) -> int:
        """The first used column (0 = A): where calamine's rows begin."""
        return self.start[1] if self.start else 0

    @property
    def width(self) -> int:
        """The absolute index after the last used column."""
        return self.end[1] + 1 if self.end else 0

    @property
    def last_row(self) -> int:
        return self.end[0] + 1 if self.end else 0

    def rows(self) -> Iterator[list]:
        """The rows from row 1 (blank leading rows included), each from the first used column."""
        for number, row in enumerate(self._sheet.iter_rows(), start=1):
            if number > self.limits.max_row:  # inspect() saw to it; stop here regardless
                raise too_many_rows(self.name, number, self.limits)
            yield row

    def rows_from_a1(self) -> Iterator[list]:
        """The rows from A1, as Excel numbers rows and columns."""
        pad = [""] * self.col_offset
        for row in self.rows():
            yield pad + row if pad else row


class Workbook:
    """An .xlsx file checked against ``limits`` (unless ``inspection`` says it was, in this
    process) and opened with python-calamine. Use as a context manager, or ``close()``."""

    def __init__(self, path: str | os.PathLike, limits: SheetLimits, *, inspection: Inspection | None = None,
                 _temporary: bool = False):
        self.path, self.limits = str(path), limits
        self._temporary = _temporary
        try:
            self.inspection = inspection or inspect(self.path, limits)
            if not self.path.lower().endswith(".xlsx"):
                raise not_a_workbook()
            try:
                self._book = CalamineWorkbook.from_path(self.path)
                self.sheet_names = list(self._book.sheet_names)
            except (CalamineError, OSError, ValueError) as exc:
                raise unreadable(exc) from None
        except BaseException:
            self._drop()
            raise

    @classmethod
    def from_upload(cls, upload, limits: SheetLimits) -> Workbook:
        """An uploaded file: its type checked, copied to a temporary .xlsx file (deleted on
        close), inspected and opened."""
        upload_check(upload, limits)
        fd, path = tempfile.mkstemp(prefix="gongxin-upload-", suffix=".xlsx")
        try:
            with os.fdopen(fd, "wb") as out:
                upload.seek(0)
                shutil.copyfileobj(upload, out, 1024 * 1024)
            upload.seek(0)
        except BaseException:
            Path(path).unlink(missing_ok=True)
            raise
        return cls(path, limits, _temporary=True)

    def sheet(self, name: str | None = None, *, index: int = 0) -> SheetReader:
        """The sheet named ``name`` if the workbook has it, else the sheet at ``index``."""
        try:
            sheet = (self._book.get_sheet_by_name(name) if name is not None and name in self.sheet_names
                     else self._book.get_sheet_by_index(index))
        except (CalamineError, IndexError, OSError, ValueError) as exc:
            raise unreadable(exc) from None
        return SheetReader(sheet, self.limits)

    def close(self) -> None:
        book = getattr(self, "_book", None)
        if book is not None:
            try:
                book.close()
            except CalamineError:
                pass
            self._book = None
        self._drop()

    def _drop(self) -> None:
        if self._temporary:
            Path(self.path).unlink(missing_ok=True)
            self._temporary = False

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def unreadable(exc: Exception) -> SpreadsheetRefused:
    from django.utils.translation import gettext as _

    return SpreadsheetRefused(_("The workbook cannot be read: %(error)s") % {"error": exc})
