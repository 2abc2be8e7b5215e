"""The Excel side of member credit files: the import template, the export, and reading an upload.

One sheet layout serves all three, so an export can be edited and imported again: row 1 holds
the headers (translated into the user's language; Chinese or English headers are both accepted
on upload), in a fixed column order, one member per row from row 2. Writing uses xlsxwriter,
reading python-calamine (DESIGN.md). Files are small (one association's members), so both are
done within the request.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.annual.imports.cells import RowError, cell_text, clean_date
from gongxin.core.spreadsheets import MB, ColumnWidths, SheetLimits, SpreadsheetRefused, Workbook, workbook
from gongxin.credit.models import ReputationRating

MAX_UPLOAD_BYTES = 5 * MB
MAX_ROWS = 10_000
MAX_COLUMNS = 32  # the layout has 9 columns, the export 11


def limits() -> SheetLimits:
    # The header is row 1. Read at call time: a limit changed above (in a test) takes effect.
    return SheetLimits(rows=MAX_ROWS, columns=MAX_COLUMNS, header_rows=1, upload_bytes=MAX_UPLOAD_BYTES)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the Chinese header, accepted on upload whatever the UI language
    label: Any  # the header as written, in the user's language
    width: int


COLUMNS = [
    Column("member_name", "会员名称", gettext_lazy("Member name"), 30),
    Column("member_uscc", "统一社会信用代码", gettext_lazy("Unified social credit code"), 22),
    Column("practice", "执业状况", gettext_lazy("Practice"), 30),
    Column("tax", "纳税状况", gettext_lazy("Tax payment"), 30),
    Column("law_abidance", "守法状况", gettext_lazy("Law-abidance"), 30),
    Column("financial_management", "财务管理状况", gettext_lazy("Financial management"), 30),
    Column("rating", "信誉评价 (A/B/C/D)", gettext_lazy("Reputation rating (A/B/C/D)"), 14),
    Column("rated_on", "评价日期", gettext_lazy("Rated on"), 12),
    Column("notes", "备注", gettext_lazy("Notes"), 30),
]
BY_KEY = {c.key: c for c in COLUMNS}


def column_index(key: str) -> int:
    return [c.key for c in COLUMNS].index(key) if key in BY_KEY else len(COLUMNS)


def column_label(key: str) -> str:
    return str(BY_KEY[key].label) if key in BY_KEY else key


def _squash(text: Any) -> str:
    """A header as compared: without spaces, asterisks, a parenthesized hint and case."""
    return re.sub(r"[\s*＊]+|[(（][^)）]*[)）]", "", str(text)).lower()


def _accepted(column: Column) -> set[str]:
    names = {_squash(column.zh), _squash(column.key)}
    for language in ("en", "zh-hans", translation.get_language() or "en"):
        with translation.override(language):
            names.add(_squash(column.label))
    return names


# --------------------------------------------------------------------------- writing


def _workbook(rows: list[list[Any]], *, sheet_name: str, extra_headers: list[str] = (),
              instructions: bool = False) -> bytes:
    buffer = io.BytesIO()
    # The shared workbook: texts stay texts (no formulas, no links), whatever a member's notes say.
    book = workbook(buffer, {"in_memory": True, "remove_timezone": True})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                            "valign": "vcenter"})
    text = book.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
    date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
    sheet = book.add_worksheet(sheet_name[:31])
    sheet.freeze_panes(1, 1)
    sheet.set_row(0, 30)
    formats, at_least = {}, {}
    for i, column in enumerate(COLUMNS):
        sheet.write_string(0, i, str(column.label), head)
        formats[i], at_least[i] = (date if column.key == "rated_on" else text), column.width
    for j, label in enumerate(extra_headers, start=len(COLUMNS)):
        sheet.write_string(0, j, label, head)
        at_least[j] = 18
    widths = ColumnWidths(maximum=50)  # the header wraps; a long text wraps within 50
    widths.add_all(rows)
    last = max(len(rows), MAX_ROWS) + 1
    rating_col = [c.key for c in COLUMNS].index("rating")
    sheet.data_validation(1, rating_col, last, rating_col, {
        "validate": "list", "source": ReputationRating.values, "error_title": str(BY_KEY["rating"].label),
        "error_message": _("Choose A, B, C or D.")})
    date_col = [c.key for c in COLUMNS].index("rated_on")
    sheet.data_validation(1, date_col, last, date_col, {
        "validate": "date", "criteria": ">=", "value": dt.date(1990, 1, 1),
        "error_title": str(BY_KEY["rated_on"].label), "error_message": _("Enter a date such as 2026-03-31.")})
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, timezone.localtime(value).replace(tzinfo=None), stamp)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value or ""), text)
    widths.apply(sheet, formats, at_least=at_least)
    if instructions:
        _instructions(book, head)
    book.close()
    return buffer.getvalue()


def _instructions(book, head) -> None:
    sheet = book.add_worksheet(_("Instructions")[:31])
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 90)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    lines = [
        (_("One row per member"), _("Fill in the first sheet from row 2, one member per row. Keep the header row "
                                    "and the order of the columns.")),
        (str(BY_KEY["member_uscc"].label), _("The member's 18-character unified social credit code (enterprises' "
                                             "codes start with 9). Each member once per file. A member who "
                                             "already has a file is updated; a new member gets a new file.")),
        (str(BY_KEY["rating"].label), "; ".join(f"{value}: {label}" for value, label in ReputationRating.choices)),
        (str(BY_KEY["rated_on"].label), _("The date of the rating, such as 2026-03-31; not in the future.")),
        (_("Checks"), _("Every row is checked before anything is saved: if any row has an error, nothing is "
                        "imported and the page lists every error with its row and column.")),
        (_("Importing again"), _("Importing the same file again changes nothing; files whose content is the "
                                 "same keep their version.")),
    ]
    sheet.write_string(0, 0, _("Item"), head)
    sheet.write_string(0, 1, _("How to fill it in"), head)
    for r, (item, text) in enumerate(lines, start=1):
        sheet.write_string(r, 0, item, wrap)
        sheet.write_string(r, 1, text, wrap)


def template_workbook() -> bytes:
    """The empty import template: headers, input checks, and an instructions sheet."""
    return _workbook([], sheet_name=_("Member credit files"), instructions=True)


def export_workbook(files) -> bytes:
    """An association's files in the import layout (so it can be edited and imported again),
    with each file's version and last update after the imported columns."""
    rows = [[f.member_name, f.member_uscc, f.practice, f.tax, f.law_abidance, f.financial_management, f.rating,
             f.rated_on, f.notes, f.version, f.updated_at] for f in files]
    return _workbook(rows, sheet_name=_("Member credit files"), extra_headers=[_("Version"), _("Last updated")])


# --------------------------------------------------------------------------- reading


def _refuse(message: str):
    from gongxin.credit.member_files import ImportRefused

    return ImportRefused(message)


def _cell(key: str, value: Any) -> Any:
    if value is None or value == "":
        return None if key == "rated_on" else ""
    if key == "rated_on":
        try:
            return clean_date(value)
        except RowError:
            return cell_text(value)  # values_clean then says which date format it wants
    if key == "member_uscc":
        return value  # a float is reported as a code that lost its digits
    if key == "rating":
        return cell_text(value).translate({ord(c): ord(c) - 0xFEE0 for c in "ＡＢＣＤａｂｃｄ"})
    return cell_text(value)


def read_upload(upload) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row number, {column key: value}) for each non-blank data row of the first sheet.
    Refuses (ImportRefused) a file that is not an .xlsx of at most 5 MB, that holds more than the
    limits (checked before the sheet is read), whose header row does not match the template, or
    with more than MAX_ROWS rows (the rows are streamed and the reading stops there)."""
    from gongxin.credit.member_files import ImportRefused, RowProblem

    if upload is None:
        raise _refuse(_("Choose the Excel file to upload."))
    try:
        book = Workbook.from_upload(upload, limits())  # the type, then what it holds, before calamine reads it
    except SpreadsheetRefused as exc:
        raise _refuse(" ".join(exc.messages)) from None
    with book:
        rows = book.sheet().rows_from_a1()
        first = next(rows, None)
        header = list(first) if first is not None else []
        problems = []
        for i, column in enumerate(COLUMNS):
            found = cell_text(header[i]) if i < len(header) else ""
            if _squash(found) not in _accepted(column):
                problems.append(RowProblem(1, str(column.label), _(
                    "the header is “%(found)s”, the template has “%(label)s” in this column")
                    % {"found": found, "label": column.label}))
        if problems:
            raise ImportRefused(_("The first row does not match the template's headers: download the template and "
                                  "keep its columns in order."), problems)
        out = []
        for number, cells in enumerate(rows, start=2):
            cells = list(cells[:len(COLUMNS)]) + [""] * (len(COLUMNS) - len(cells))
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            out.append((number, {c.key: _cell(c.key, v) for c, v in zip(COLUMNS, cells, strict=True)}))
            if len(out) > MAX_ROWS:
                raise _refuse(_("The file has more than %(n)s members; split it into several files.")
                              % {"n": MAX_ROWS})
    return out
