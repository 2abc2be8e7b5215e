"""What an import reads at most, and the refusal that says which limit a file went past.

Every import declares its ``SheetLimits``: data rows, columns, cells, the upload's size and what
the workbook may unpack to. The reader checks them before python-calamine opens anything
(inspect.py), because calamine builds a dense grid over a sheet's used range: a 1.5 KB file with
one cell in XFD1048576 asks it for ~550 GB and the process aborts, beyond any ``except``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024


@dataclass(frozen=True)
class SheetLimits:
    """At most ``rows`` data rows below ``header_rows`` rows (title and header rows), ``columns``
    columns and ``cells`` cells of a sheet's used range (0: rows × columns, header rows counted),
    an upload of ``upload_bytes`` that unpacks to at most ``unpacked_bytes`` (every part read)."""

    rows: int
    columns: int
    header_rows: int = 1
    cells: int = 0
    upload_bytes: int = 5 * MB
    unpacked_bytes: int = 64 * MB

    @property
    def max_row(self) -> int:
        """The last row a sheet may reach, as Excel numbers it."""
        return self.header_rows + self.rows

    @property
    def max_cells(self) -> int:
        return self.cells or self.max_row * self.columns

    @property
    def max_strings(self) -> int:
        # A sheet cannot show more different texts than it has cells.
        return self.max_cells


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def size_text(limit: int) -> str:
    if limit >= MB and limit % MB == 0:
        return f"{limit // MB} MB"
    if limit >= 1024:
        return f"{limit / 1024:.0f} KB"
    return f"{limit} bytes"


class SpreadsheetRefused(ValidationError):
    """The upload is not a workbook this import reads. ``limit`` says which check refused it:
    ``type`` (not an .xlsx workbook, or a damaged one), ``size`` (the upload), ``unpacked`` (what
    it unpacks to), ``rows``, ``columns``, ``cells``, ``strings``."""

    def __init__(self, message: str, *, limit: str = "type", found: int | None = None, allowed: int | None = None):
        super().__init__(message, code=limit)
        self.limit, self.found, self.allowed = limit, found, allowed


def not_a_workbook() -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The file is not an Excel .xlsx workbook. Download the template, fill it in and "
                                "upload it as .xlsx."))


def old_format() -> SpreadsheetRefused:
    return SpreadsheetRefused(_("This is an old-format .xls workbook or a password-protected one. Open it in Excel "
                                "and save it as an .xlsx workbook without a password."))


def damaged() -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The file is not an Excel .xlsx workbook (it is a damaged file or another kind "
                                "of document)."))


def unusual_packing() -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The workbook is packed in a way Excel does not use (encrypted or unusual "
                                "compression). Open it in Excel and save it again as an .xlsx workbook."))


def too_large(limit: int, size: int | None = None) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The file is larger than %(size)s; split it into several files.")
                              % {"size": size_text(limit)}, limit="size", found=size, allowed=limit)


def unpacks_too_large(limit: int) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The workbook unpacks to more than %(size)s, more than this import reads: it "
                                "holds far more than rows of data, or it is not a real workbook. Copy the data "
                                "into a new workbook and upload that.") % {"size": size_text(limit)},
                              limit="unpacked", allowed=limit)


def too_many_rows(sheet: str, row: int, limits: SheetLimits) -> SpreadsheetRefused:
    # ``row`` is the first one found past the limit: the reading stops there, not at the last.
    return SpreadsheetRefused(_("The sheet “%(sheet)s” has cells below row %(max)s (in row %(row)s, for one); "
                                "this import reads at most %(max)s rows (%(data)s rows of data below the header). "
                                "Split the file into several, or delete what lies below your data.")
                              % {"sheet": sheet, "row": f"{row:,}", "max": f"{limits.max_row:,}",
                                 "data": f"{limits.rows:,}"}, limit="rows", found=row, allowed=limits.max_row)


def too_many_columns(sheet: str, column: int, limits: SheetLimits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The sheet “%(sheet)s” has cells right of column %(last)s (in column %(column)s, for "
                                "one); this import reads at most %(max)s columns. Delete the columns to the right "
                                "of your data.")
                              % {"sheet": sheet, "column": column_letter(column), "max": f"{limits.columns:,}",
                                 "last": column_letter(limits.columns)},
                              limit="columns", found=column, allowed=limits.columns)


def too_many_cells(sheet: str, rows: int, columns: int, limits: SheetLimits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The sheet “%(sheet)s” spans %(cells)s cells (%(rows)s rows × %(columns)s columns); "
                                "this import reads at most %(max)s cells. Split the file into several, or delete "
                                "the columns you do not need.")
                              % {"sheet": sheet, "cells": f"{rows * columns:,}", "rows": f"{rows:,}",
                                 "columns": f"{columns:,}", "max": f"{limits.max_cells:,}"},
                              limit="cells", found=rows * columns, allowed=limits.max_cells)


def declared_too_large(sheet: str, area: str, limit: str, limits: SheetLimits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The sheet “%(sheet)s” declares its used range as %(area)s, beyond what this import "
                                "reads (%(rows)s rows, %(columns)s columns, %(cells)s cells). Open it in Excel, "
                                "delete the empty rows and columns after your data and save it again.")
                              % {"sheet": sheet, "area": area, "rows": f"{limits.max_row:,}",
                                 "columns": f"{limits.columns:,}", "cells": f"{limits.max_cells:,}"}, limit=limit)


def too_many_strings(found: int, limits: SheetLimits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The workbook holds %(found)s different texts; this import reads at most %(max)s. "
                                "Copy the data into a new workbook and upload that.")
                              % {"found": f"{found:,}", "max": f"{limits.max_strings:,}"},
                              limit="strings", found=found, allowed=limits.max_strings)
