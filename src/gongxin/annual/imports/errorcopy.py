"""The error copy: the uploaded file again with each faulty cell marked and explained."""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

from gongxin.annual.imports.reading import Sheet, all_rows
from gongxin.annual.imports.template import BY_KEY, COLUMNS
from gongxin.core.spreadsheets import ColumnWidths, Inspection, workbook

COMMENTS_MAX = 10_000  # cell comments in the error copy (XlsxWriter keeps comments in memory until close)


def _error_entries(errors_path: Path) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    with errors_path.open("rb") as fh:
        while True:
            try:
                chunk = pickle.load(fh)
            except EOFError:
                return
            yield from chunk


def write_error_copy(sheet_path: str, errors_path: Path, out: str, *, inspection: Inspection | None = None) -> None:
    """The uploaded file again, values only, each faulty cell red with its reason in a comment
    (the first COMMENTS_MAX), and a last column listing every reason of the row. Streams both
    the source rows and the errors (both in row order): memory stays flat at any size.

    XlsxWriter rather than openpyxl: openpyxl would load the whole workbook to edit it in place
    (several hundred MB for 100,000 rows); the copy loses the original's formatting, not its data."""
    sheet = Sheet(sheet_path, inspection=inspection)
    sheet.close()
    col_of = {key: i for i, key in sheet.columns.items()}
    names = {i: BY_KEY[key].zh for i, key in sheet.columns.items()}
    # Cell text is data: the shared workbook never turns it into formulas or links.
    book = workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = book.add_worksheet(sheet.name[:31])
    mark = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "border_color": "#C00000"}
    red, red_date = book.add_format(mark), book.add_format({**mark, "num_format": "yyyy-mm-dd"})
    date, bold = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format({"bold": True})
    note = book.add_format({"font_color": "#9C0006"})
    errors_col = max(sheet.width, sheet.col_offset + len(COLUMNS))
    ws.freeze_panes(max(sheet.first_data_row - 1, 0), 0)
    pending = _error_entries(errors_path)
    current = next(pending, None)
    comments = 0
    widths = ColumnWidths()  # from the first rows: the copy has lost the original's widths
    for number, cells in enumerate(all_rows(sheet_path, sheet.name, inspection=sheet.inspection), start=1):
        widths.add(cells, first_column=sheet.col_offset)
        r = number - 1
        marks: dict[int, list[str]] = {}
        loose: list[str] = []
        while current is not None and current[0] < number:
            current = next(pending, None)
        if current is not None and current[0] == number:
            for key, reason in current[1]:
                col = col_of.get(key)
                (marks.setdefault(col, []) if col is not None else loose).append(reason)
            current = next(pending, None)
        heading = number < sheet.first_data_row
        for i, value in enumerate(cells):
            col = sheet.col_offset + i
            bad = col in marks
            if isinstance(value, (dt.date, dt.datetime)):
                when = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
                ws.write_datetime(r, col, when, red_date if bad else date)
            elif isinstance(value, (dt.time, dt.timedelta)):
                ws.write_string(r, col, str(value), red if bad else None)
            elif value == "" or value is None:
                if bad:
                    ws.write_blank(r, col, None, red)
            else:
                ws.write(r, col, value, red if bad else bold if heading else None)
            if bad and comments < COMMENTS_MAX:
                ws.write_comment(r, col, "\n".join(marks[col]), {"x_scale": 2, "y_scale": 1.5})
                comments += 1
        if number == sheet.header_row:
            ws.write_string(r, errors_col, "错误 Errors" + ("：" + "；".join(loose) if loose else ""),
                            note if loose else bold)
        elif marks or loose:
            parts = [f"{names[c]}：{'；'.join(rs)}" for c, rs in sorted(marks.items())] + loose
            ws.write_string(r, errors_col, " | ".join(parts), note)
    widths.apply(ws, at_least={errors_col: 60})
    book.close()
