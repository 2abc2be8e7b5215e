"""Writing workbooks: the one XlsxWriter workbook every export, template and error copy uses,
and column widths from the content.

XlsxWriter's defaults interpret text: a cell text starting with ``=`` becomes a live formula
(``=HYPERLINK("http://…", "点击")`` in a name, formula injection), and one that looks like a link
becomes a hyperlink, ``external:\\\\host\\share`` included, which Excel opens as ``file:///\\\\host``
and which leaks the clicking user's Windows credentials to that host. Data is never code here:
``workbook()`` turns all three conversions off (formulas, links, numbers), and refuses a caller
asking for them back. A formula or a link the platform itself means is written explicitly
(``write_formula``, ``write_url``), never from user data.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def workbook(target, options: dict[str, Any] | None = None) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook (``target``: a path or a binary buffer, as XlsxWriter takes) that
    writes every text as text: no formulas, no automatic links, no numbers from strings."""
    options = dict(options or {})
    for key in SAFE_OPTIONS:
        if options.pop(key, False):
            raise ValueError(f"{key} would turn cell texts into live content; write formulas or links explicitly")
    return xlsxwriter.Workbook(target, {**options, **SAFE_OPTIONS})


def text_width(value: Any) -> int:
    """How many character widths a value takes in a cell: a Chinese (wide) character two, others
    one; the longest line of a text with line breaks; dates as Excel shows them."""
    if value is None or value == "":
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, int):
        return len(f"{value:,}")
    text = str(value)
    if len(text) > 400:  # wider than any column is let to be: no need to measure it all
        text = text[:400]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
               for line in text.split("\n"))


class ColumnWidths:
    """Column widths from the content: each column as wide as its widest value among the
    rows given (the header and the first ``sample`` rows: measuring a million rows would cost
    more than the export), plus a little room, within ``minimum`` and ``maximum`` characters (a
    long text wraps or shows in the formula bar rather than making the sheet unreadable)."""

    def __init__(self, *, minimum: int = 6, maximum: int = 60, sample: int = 1000, padding: int = 2):
        self.minimum, self.maximum, self.sample, self.padding = minimum, maximum, sample, padding
        self.widths: dict[int, int] = {}
        self.rows = 0

    def add(self, values: Sequence[Any], first_column: int = 0) -> None:
        if self.rows >= self.sample:
            return
        self.rows += 1
        for i, value in enumerate(values, start=first_column):
            width = text_width(value)
            if width > self.widths.get(i, 0):
                self.widths[i] = width

    def add_all(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.add(values)

    def width(self, column: int) -> int:
        return max(self.minimum, min(self.maximum, self.widths.get(column, 0) + self.padding))

    def apply(self, sheet, formats: dict[int, Any] | None = None, *, at_least: dict[int, int] | None = None) -> None:
        """Set the widths on ``sheet`` (XlsxWriter allows it after the rows, in constant_memory
        mode too), keeping each column's format in ``formats``."""
        formats, at_least = formats or {}, at_least or {}
        for column in sorted(set(self.widths) | set(formats) | set(at_least)):
            sheet.set_column(column, column, max(self.width(column), at_least.get(column, 0)), formats.get(column))
