"""Bulk import of annual work reports from Excel: the paper reports a registration authority
receives, entered in the template this module writes and read back with python-calamine.

The file is a fixed bilingual format, not UI text: row 1 holds the Chinese column headers, row 2
the same headers in English (either row may be used alone; columns are matched by header, in
any order), data from row 3. Neither header row is translated; the error messages are.

A run has two phases over the file, so that a file with any error saves nothing:

1. **check** (``ImportJob.Status.VALIDATING``): rows are read one at a time and checked in chunks
   of ``CHUNK`` (one query for the chunk's organizations, one for their existing reports). What
   each good row will do is written to a temporary spill file (pickle, one list per chunk), and
   every error to another, so memory holds one chunk whatever the file's length. The only
   whole-file structure is the set of (code, year) pairs seen, for duplicates (~100 bytes a row).
2. **apply** (``APPLYING``), only if no row failed: one transaction, the spill read back chunk by
   chunk into ``bulk_create`` / ``bulk_update``; a chunk whose reports changed since the check
   (an organization submitting online meanwhile) aborts the whole import.

python-calamine reads the sheet into a compact Rust range before ``iter_rows`` converts it to
Python row by row: the Python side is streamed, the Rust side (~32 bytes a cell plus text) is
bounded by the 50 MB upload limit rather than by the streaming (measured in
bench/annual_import.py). The error copy is written with XlsxWriter's ``constant_memory`` mode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, models, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from gongxin.accounts.models import Role
from gongxin.annual import rules
from gongxin.annual.models import (
    AnnualReport,
    BasicPassReason,
    Conclusion,
    FactKind,
    FailReason,
    ImportJob,
    ReportSource,
    ReportStatus,
    SupervisionFact,
)
from gongxin.annual.services import REASONS_BY_CONCLUSION, NotAllowed
from gongxin.core import uscc as uscc_mod
from gongxin.core.audit import audit_record
from gongxin.core.bulk import insert_rows
from gongxin.core.models import Region
from gongxin.registry.models import Organization
from gongxin.registry.policy import policy_for

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
CHUNK = 2000  # rows per query batch, spill list, progress save and bulk write
ERRORS_KEPT = 1000  # errors stored on the job for the page; the error file marks them all
COMMENTS_MAX = 10_000  # cell comments in the error copy (XlsxWriter keeps comments in memory until close)
TOLERANCE = Decimal("1")  # yuan: assets - liabilities vs net assets
MONEY_LIMIT = Decimal("1e14")  # DecimalField(max_digits=16, decimal_places=2)
COUNT_LIMIT = 2_147_483_647
CENT = Decimal("0.01")
SHEET_NAME = "年度报告"
FIRST_YEAR = 2000


# --------------------------------------------------------------------------- the file format


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # row 1 of the template
    en: str  # row 2 of the template
    kind: str  # uscc, year, date, money, money_signed, count, text, bool, conclusion, reasons
    required: bool = False
    width: int = 14
    note: str = ""  # the cell's input message in the template (Chinese, like the headers)


COLUMNS: list[Column] = [
    Column("uscc", "统一社会信用代码", "USCC", "uscc", True, 22, "18 位统一社会信用代码"),
    Column("year", "年度", "Year", "year", True, 8, "报告所属年度，如 2025"),
    Column("submitted_on", "提交日期", "Submitted on", "date", True, 12, "纸质报告的提交日期，如 2026-03-31"),
    Column("total_assets", "资产总额（元）", "Total assets (yuan)", "money", True),
    Column("total_liabilities", "负债总额（元）", "Total liabilities (yuan)", "money", True),
    Column("net_assets", "净资产（元）", "Net assets (yuan)", "money_signed", True, 14,
           "= 资产总额 − 负债总额（误差不超过 1 元），可为负数"),
    Column("income", "收入合计（元）", "Income (yuan)", "money", True),
    Column("expenses", "支出合计（元）", "Expenses (yuan)", "money", True),
    Column("donations_received", "接受捐赠（元）", "Donations received (yuan)", "money"),
    Column("grants_given", "对外资助（元）", "Grants given (yuan)", "money"),
    Column("government_funding", "政府购买服务及资助收入（元）", "Government purchase and funding income (yuan)",
           "money", False, 16),
    Column("staff_count", "专职工作人员数", "Full-time staff", "count", True, 10),
    Column("member_count", "会员数", "Members", "count", False, 10),
    Column("branch_count", "分支机构及代表机构数", "Branches and representative offices", "count", False, 10),
    Column("activity_count", "开展活动次数", "Activities held", "count", True, 10),
    Column("activities", "按章程开展活动情况", "Activities under the charter", "text", True, 40),
    Column("party_org_established", "是否建立党组织", "Party organization established", "bool", True, 10, "是 / 否"),
    Column("conclusion", "年检结论", "Conclusion", "conclusion", False, 10,
           "合格 / 基本合格 / 不合格；备案制地区留空"),
    Column("conclusion_reasons", "结论理由", "Conclusion reasons", "reasons", False, 30,
           "基本合格、不合格须填理由：代码或中文名称，以“、”或“;”分隔，见“说明”表"),
]
BY_KEY = {c.key: c for c in COLUMNS}
MONEY_KEYS = [c.key for c in COLUMNS if c.kind in ("money", "money_signed")]
COUNT_KEYS = [c.key for c in COLUMNS if c.kind == "count"]
# The report fields an import writes (and compares, for "unchanged").
CONTENT_KEYS = [*MONEY_KEYS, *COUNT_KEYS, "activities", "party_org_established"]

CONCLUSION_ZH = {Conclusion.PASS: "合格", Conclusion.BASIC_PASS: "基本合格", Conclusion.FAIL: "不合格"}
# Chinese names of the reasons as the template lists them (a fixed file vocabulary, like the
# headers; the page shows the translated model labels).
REASON_ZH = {
    BasicPassReason.MEETINGS: "未按章程规定召开会议",
    BasicPassReason.ELECTIONS: "未按期换届或负责人超龄超届",
    BasicPassReason.BRANCHES: "分支机构设立不规范或向分支机构收费",
    BasicPassReason.FINANCES: "财务管理不规范",
    BasicPassReason.CERTIFICATE_SEAL: "证书印章管理不规范",
    BasicPassReason.AWARDS: "擅自开展评比表彰活动",
    BasicPassReason.SUPERVISION: "不接受监督管理",
    BasicPassReason.CRITICISM: "上年度受到通报批评",
    FailReason.CERTIFICATE_ABUSE: "涂改、出借、出租登记证书或印章",
    FailReason.OUTSIDE_SCOPE: "违反宗旨或超出业务范围开展活动",
    FailReason.REFUSED_INSPECTION: "拒不接受检查",
    FailReason.UNREGISTERED_CHANGE: "擅自变更登记事项",
    FailReason.FOR_PROFIT: "从事营利性经营活动",
    FailReason.MISAPPROPRIATION: "侵占、挪用资产",
}
REASON_SEPARATORS = re.compile(r"[、;；,，\n]+")
YES = {"是", "有", "已建立", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "未建立", "n", "no", "false", "0", "×"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _squash(text: Any) -> str:
    """A header as matched: without spaces, asterisks and case."""
    return re.sub(r"[\s*＊]+", "", str(text)).lower()


HEADER_KEYS = {}
for _c in COLUMNS:
    for _name in (_c.zh, _c.en, _c.key):
        HEADER_KEYS[_squash(_name)] = _c.key


def _conclusion_words() -> dict[str, str]:
    words = {}
    for value in Conclusion:
        for name in (value.value, CONCLUSION_ZH[value], str(value.label)):
            words[_squash(name)] = value.value
    return words


def _reason_words() -> dict[str, str]:
    words = {}
    for value in [*BasicPassReason, *FailReason]:
        for name in (value.value, REASON_ZH[value], str(value.label)):
            words[_squash(name)] = value.value
    return words


# --------------------------------------------------------------------------- the template


def template_workbook() -> bytes:
    """The downloadable template: the data sheet (two header rows, input checks), an example
    row on its own sheet, and the codes of conclusions and reasons."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1, "text_wrap": True, "valign": "top"})
    head_required = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1, "text_wrap": True,
                                     "valign": "top", "font_color": "#8F1D21"})
    head_en = book.add_format({"italic": True, "font_color": "#555555", "bg_color": "#F2F2F2", "border": 1,
                               "text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    last_year = timezone.localdate().year - 1

    sheet = book.add_worksheet(SHEET_NAME)
    example = book.add_worksheet("示例 Example")
    for ws in (sheet, example):
        for col, c in enumerate(COLUMNS):
            ws.write(0, col, ("*" if c.required else "") + c.zh, head_required if c.required else head)
            ws.write(1, col, c.en, head_en)
            fmt = text if c.kind in ("uscc", "text", "reasons") else date if c.kind == "date" else \
                money if c.kind.startswith("money") else None
            ws.set_column(col, col, c.width, fmt)
        ws.freeze_panes(2, 1)
        ws.set_row(0, 32)
        ws.set_row(1, 32)

    rows = (2, 100_001)  # the checks cover the first 100,000 data rows
    for col, c in enumerate(COLUMNS):
        check: dict[str, Any] = {}
        if c.kind == "year":
            check = {"validate": "integer", "criteria": "between", "minimum": FIRST_YEAR, "maximum": last_year}
        elif c.kind == "date":
            check = {"validate": "date", "criteria": ">=", "value": dt.date(FIRST_YEAR + 1, 1, 1)}
        elif c.kind == "money":
            check = {"validate": "decimal", "criteria": ">=", "value": 0}
        elif c.kind == "count":
            check = {"validate": "integer", "criteria": ">=", "value": 0}
        elif c.kind == "bool":
            check = {"validate": "list", "source": ["是", "否"]}
        elif c.kind == "conclusion":
            check = {"validate": "list", "source": list(CONCLUSION_ZH.values())}
        elif c.kind == "uscc":
            check = {"validate": "length", "criteria": "==", "value": 18}
        else:
            check = {"validate": "any"}
        if c.note:
            check.update(input_title=c.zh[:32], input_message=c.note[:255])
        sheet.data_validation(rows[0], col, rows[1], col, check)

    sample = {
        "uscc": "51100000500002862F", "year": last_year, "submitted_on": dt.date(last_year + 1, 3, 28),
        "total_assets": 1_250_000, "total_liabilities": 250_000, "net_assets": 1_000_000, "income": 860_000,
        "expenses": 790_000, "donations_received": 120_000, "grants_given": 30_000, "government_funding": 200_000,
        "staff_count": 6, "member_count": 132, "branch_count": 2, "activity_count": 18,
        "activities": "举办行业培训 6 场、年会 1 次，开展行业调研 2 项。", "party_org_established": "是",
        "conclusion": "基本合格", "conclusion_reasons": "未按章程规定召开会议、finances",
    }
    for col, c in enumerate(COLUMNS):
        value = sample[c.key]
        if isinstance(value, dt.date):
            example.write_datetime(2, col, dt.datetime.combine(value, dt.time()), date)
        else:
            example.write(2, col, value)

    codes = book.add_worksheet("说明 Codes")
    codes.set_column(0, 0, 20)
    codes.set_column(1, 2, 44)
    codes.write_row(0, 0, ["代码 Code", "中文名称", "English"], head)
    line = 1
    codes.write(line, 0, "年检结论 Conclusion", head_en)
    line += 1
    for value in Conclusion:
        codes.write_row(line, 0, [value.value, CONCLUSION_ZH[value], _english(value.label)])
        line += 1
    for title, reasons in (("基本合格理由 Basic-pass reasons", BasicPassReason),
                           ("不合格理由 Fail reasons (基本合格理由亦可)", FailReason)):
        line += 1
        codes.write(line, 0, title, head_en)
        line += 1
        for value in reasons:
            codes.write_row(line, 0, [value.value, REASON_ZH[value], _english(value.label)])
            line += 1
    line += 1
    for note in (
        "第 1 行为中文表头、第 2 行为英文表头，数据从第 3 行开始；列可调换顺序，但不能缺少。",
        "Row 1: Chinese headers; row 2: English headers; data from row 3. Columns may be reordered, not removed.",
        "整份文件任一行有错误时，不导入任何数据，并返回标出错误单元格的文件。",
        "If any row has an error nothing is imported, and you get the file back with the errors marked.",
        "标 * 的列必填；设置结论时状态为“已审查”，备案制地区不填结论。",
    ):
        codes.write(line, 0, note)
        line += 1
    book.close()
    return buffer.getvalue()


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


# --------------------------------------------------------------------------- reading


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
                if sum(1 for v in cells if v != "" and _squash(v) in HEADER_KEYS) >= 3:
                    self.header_row, header = number, cells
                    break
            if number >= 10:
                break
        if not self.header_row and seen:
            self.header_row, header = seen[0]
            self._pushback = [(n, c) for n, c in seen[1:]]
        self.columns: dict[int, str] = {}  # absolute column index -> column key
        for i, value in enumerate(header):
            key = HEADER_KEYS.get(_squash(value))
            if key and key not in self.columns.values():
                self.columns[self.col_offset + i] = key
        self.missing = [c.key for c in COLUMNS if c.key not in self.columns.values()]
        self.first_data_row = self.header_row + 1
        second = next(self._numbered(), None)
        if second is not None:
            filled = [v for v in second[1] if v != ""]
            english = sum(1 for i, v in enumerate(second[1])
                          if v != "" and HEADER_KEYS.get(_squash(v)) == self.columns.get(self.col_offset + i))
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
        for number, cells in self._numbered():
            if any(v != "" and v is not None for v in cells):
                yield number, cells

    def close(self) -> None:
        self._rows = iter(())
        self.book.close()


def all_rows(path: str, name: str) -> Iterator[list]:
    """Every row of the named sheet from row 1, for the error copy."""
    with CalamineWorkbook.from_path(path) as book:
        yield from book.get_sheet_by_name(name).iter_rows()


# --------------------------------------------------------------------------- checking


class RowError(Exception):
    pass


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _money_signed(value) -> Decimal:
    return _money(value, signed=True)


def _money(value, signed: bool = False) -> Decimal:
    cls = value.__class__
    if cls is float:  # what calamine gives for a number cell: the fast path
        if value < 0 and not signed:
            raise RowError(_("The amount cannot be negative."))
        if -1e14 < value < 1e14:
            return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    if cls is bool:
        raise RowError(_("Enter an amount in yuan."))
    if cls is int or cls is float:
        number = Decimal(repr(value))
    else:
        raw = re.sub(r"[\s,，¥￥元]", "", str(value))
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise RowError(_("Enter an amount in yuan, such as 1250000.00.")) from None
    if not number.is_finite():
        raise RowError(_("Enter an amount in yuan, such as 1250000.00."))
    if number < 0 and not signed:
        raise RowError(_("The amount cannot be negative."))
    if abs(number) >= MONEY_LIMIT:
        raise RowError(_("The amount is too large."))
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _count(value) -> int:
    if isinstance(value, bool):
        raise RowError(_("Enter a whole number of 0 or more."))
    if isinstance(value, float):
        if not value.is_integer():
            raise RowError(_("Enter a whole number of 0 or more."))
        value = int(value)
    elif not isinstance(value, int):
        raw = re.sub(r"[\s,，]", "", str(value))
        if not raw.isascii() or not raw.isdigit():
            raise RowError(_("Enter a whole number of 0 or more."))
        value = int(raw)
    if value < 0:
        raise RowError(_("Enter a whole number of 0 or more."))
    if value > COUNT_LIMIT:
        raise RowError(_("The number is too large."))
    return value


def _year(value, last: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raw = str(value).strip().removesuffix("年度").removesuffix("年")
        if not raw.isascii() or not raw.isdigit():
            raise RowError(_("Enter the report year as four digits, such as 2025."))
        value = int(raw)
    if not FIRST_YEAR <= value <= last:
        raise RowError(_("The year must be between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": last})
    return value


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell without a date format: Excel's serial day number.
        if 36526 <= value < 2958466:  # 2000-01-01 .. 9999-12-31
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise RowError(_("Enter a date such as 2026-03-31."))
    raw = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise RowError(_("Enter a date such as 2026-03-31."))


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = _squash(_text(value))
    if word in YES:
        return True
    if word in NO:
        return False
    raise RowError(_("Enter 是 (yes) or 否 (no)."))


@dataclass(slots=True)
class Parsed:
    """One data row: its cleaned values and the errors found in the row alone."""

    row: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, reason)

    def fail(self, key: str, reason) -> None:
        self.errors.append((key, str(reason)))


class Plan(NamedTuple):
    """What a checked row will do to the database, as written to the spill file (a tuple with
    the values in ``VALUE_KEYS`` order: half the pickling time of a dict)."""

    row: int
    kind: str  # "create" | "update"
    organization_id: int
    year: int
    pk: int | None
    version: int
    values: tuple
    submitted_on: dt.date
    deadline: dt.date
    late: bool
    status: str
    keep_review: bool  # an empty conclusion leaves an existing conclusion alone


VALUE_KEYS = [*CONTENT_KEYS, "conclusion", "conclusion_reasons"]


class Checker:
    """Checks rows against the file format, the registry and the rules, chunk by chunk."""

    def __init__(self, *, actor, today: dt.date):
        self.actor = actor
        self.today = today
        # The jurisdiction as a region-code prefix ("" = everywhere), checked in Python on the rows
        # found by code: with the prefix range in the WHERE clause SQLite walks the region index
        # (every organization of a province) instead of the unique code index (0.24 s a chunk
        # against 0.01 s at 100,000 organizations). Same test as services._officer_in_scope.
        self.prefix = None if actor.is_platform_admin else (
            Region.prefix_of(actor.jurisdiction_id) if actor.role == Role.OFFICER else "-")
        self.seen: dict[tuple[str, int], int] = {}
        self.conclusions = _conclusion_words()
        self.reasons = _reason_words()
        self.counts = {"create": 0, "update": 0, "unchanged": 0}
        self.zone = timezone.get_current_timezone()

    def _conclusion(self, value) -> str:
        found = self.conclusions.get(value) or self.conclusions.get(_squash(_text(value)))
        if found is None:
            raise RowError(_("Enter 合格 (pass), 基本合格 (basic pass), 不合格 (fail), or leave it empty."))
        return found

    def _reasons(self, value) -> list[str]:
        codes, unknown = [], []
        for word in REASON_SEPARATORS.split(_text(value)):
            if word.strip():
                code = self.reasons.get(_squash(word))
                (codes if code else unknown).append(code or word.strip())
        if unknown:
            raise RowError(_("Unknown reason: %(words)s. Use the codes or names on the sheet “说明 Codes”.")
                           % {"words": "、".join(unknown)})
        return list(dict.fromkeys(codes))

    def handlers(self, columns: dict[int, str], offset: int) -> list[tuple[int, str, Callable, bool, Any]]:
        """Per column of the file: (cell index, key, cleaner, required, value when empty)."""
        last = self.today.year - 1
        by_kind = {
            # The code is only normalised here; a code found in the registry was validated when
            # it was registered, and resolve() runs the full check (for its message) on the rest.
            "uscc": lambda v: uscc_mod.normalize(_text(v)),
            "year": lambda v: _year(v, last), "date": _date, "money": _money, "money_signed": _money_signed,
            "count": _count, "bool": _bool, "conclusion": self._conclusion, "reasons": self._reasons,
            "text": _text,
        }
        empty = {"text": "", "conclusion": "", "reasons": []}
        return [(i - offset, key, by_kind[BY_KEY[key].kind], BY_KEY[key].required, empty.get(BY_KEY[key].kind))
                for i, key in columns.items()]

    def parse(self, number: int, cells: list, handlers: list) -> Parsed:
        """Clean one row's cells; the errors found in the row alone go on the row."""
        n = len(cells)
        p = Parsed(number, {})
        raw, values = p.raw, p.values
        for j, key, clean, required, empty in handlers:
            value = cells[j] if 0 <= j < n else ""
            raw[key] = value
            if value.__class__ is str:
                value = value.strip()
                if not value:
                    if required:
                        p.fail(key, _("This column is required."))
                    values[key] = empty.copy() if empty.__class__ is list else empty
                    continue
            elif value is None:
                if required:
                    p.fail(key, _("This column is required."))
                values[key] = empty.copy() if empty.__class__ is list else empty
                continue
            try:
                values[key] = clean(value)
            except RowError as exc:
                p.fail(key, exc)
                values[key] = None
        self._check_row(p)
        return p

    def _check_row(self, p: Parsed) -> None:
        v = p.values
        assets, liabilities, net = v.get("total_assets"), v.get("total_liabilities"), v.get("net_assets")
        if None not in (assets, liabilities, net) and abs(assets - liabilities - net) > TOLERANCE:
            p.fail("net_assets", _("Net assets must equal total assets minus total liabilities (%(expected)s), "
                                   "within ¥1.") % {"expected": f"{assets - liabilities:.2f}"})
        year, submitted = v.get("year"), v.get("submitted_on")
        if year and submitted:
            if submitted <= dt.date(year, 12, 31):
                p.fail("submitted_on", _("A report for %(year)s cannot be submitted before the year is over.")
                       % {"year": year})
            elif submitted > self.today:
                p.fail("submitted_on", _("The submission date is in the future."))
        conclusion, reasons = v.get("conclusion"), v.get("conclusion_reasons")
        if conclusion is None or reasons is None:
            return  # already wrong
        if reasons and not conclusion:
            p.fail("conclusion_reasons", _("Reasons are given but no conclusion."))
            return
        if not conclusion:
            return
        unknown = set(reasons) - REASONS_BY_CONCLUSION[Conclusion(conclusion)]
        if unknown:
            p.fail("conclusion_reasons", _("These reasons do not fit the conclusion %(conclusion)s: %(reasons)s")
                   % {"conclusion": CONCLUSION_ZH[Conclusion(conclusion)],
                      "reasons": "、".join(REASON_ZH[r] for r in sorted(unknown))})
        elif conclusion == Conclusion.BASIC_PASS and not reasons:
            p.fail("conclusion_reasons", _("Give at least one reason for a basic pass."))
        elif conclusion == Conclusion.FAIL and not set(reasons) & set(FailReason.values):
            p.fail("conclusion_reasons", _("Give at least one reason for failing."))

    def resolve(self, chunk: list[Parsed]) -> list[Plan]:
        """Check a chunk against the registry and existing reports: two queries for the chunk."""
        codes = {p.values["uscc"] for p in chunk if p.values.get("uscc")}
        by_code = {row[0]: row[:5] for row in Organization.objects.filter(uscc__in=codes).order_by().values_list(
            "uscc", "pk", "established_on", "registration_authority_id", "sponsor_unit_id", "region_prefix")
            if self.prefix is None or row[5].startswith(self.prefix)}
        years = {p.values["year"] for p in chunk if p.values.get("year")}
        existing = {}
        if by_code and years:
            fields = ["pk", "organization_id", "year", "source", "status", "submitted_at", "conclusion",
                      "conclusion_reasons", "version", "published_on", *CONTENT_KEYS]
            for r in AnnualReport.objects.filter(organization_id__in=[o[1] for o in by_code.values()],
                                                 year__in=years).order_by().values(*fields):
                existing[(r["organization_id"], r["year"])] = r
        plans = []
        for p in chunk:
            plan = self._resolve_row(p, by_code, existing)
            if plan is not None:
                plans.append(plan)
        return plans

    def _resolve_row(self, p: Parsed, by_code: dict, existing: dict) -> Plan | None:
        v = p.values
        code, year = v.get("uscc"), v.get("year")
        if not code:
            return None
        org = by_code.get(code)
        if org is None:
            try:
                uscc_mod.parse(code)
            except uscc_mod.USCCError as exc:
                p.fail("uscc", _("Not a valid unified social credit code: %(reason)s") % {"reason": exc.message})
                return None
        if not year:
            return None
        first = self.seen.setdefault((code, year), p.row)
        if first != p.row:
            p.fail("uscc", _("Row %(row)s already has a report of this organization for %(year)s.")
                   % {"row": first, "year": year})
            return None
        if org is None:
            p.fail("uscc", _("No organization with this code in your jurisdiction."))
            return None
        _code, org_id, established_on, authority, sponsor = org
        policy = policy_for(authority)
        ob = rules.obligation(established_on=established_on, region_code=authority,
                              has_sponsor=sponsor is not None, year=year, policy=policy)
        if not ob.owed:
            p.fail("year", _("This organization owed no report for %(year)s (registered on %(date)s): %(reason)s")
                   % {"year": year, "date": established_on.isoformat(), "reason": ob.reason})
            return None
        conclusion = v.get("conclusion")
        if conclusion and policy.filing_mode:
            p.fail("conclusion", _("This organization's registration authority files annual reports without a "
                                   "conclusion (filing mode): leave the conclusion empty."))
        report = existing.get((org_id, year))
        if report is not None and report["source"] == ReportSource.ONLINE and report["submitted_at"] is not None:
            p.fail("uscc", _("Already submitted online for %(year)s (%(status)s): an import cannot replace it.")
                   % {"year": year, "status": ReportStatus(report["status"]).label})
            return None
        if p.errors:
            return None
        submitted_on = v["submitted_on"]
        content = {k: v.get(k) for k in CONTENT_KEYS}
        keep_review = (not conclusion and report is not None and report["status"] == ReportStatus.REVIEWED)
        if conclusion:
            status = ReportStatus.REVIEWED
        elif keep_review:
            status = ReportStatus.REVIEWED
        else:
            status = ReportStatus.FILED if policy.filing_mode else ReportStatus.AUTHORITY_REVIEW
        reasons = v.get("conclusion_reasons") or []
        if report is not None and report["source"] == ReportSource.IMPORT and report["submitted_at"] is not None:
            same = (all(report[k] == content[k] for k in CONTENT_KEYS)
                    and report["submitted_at"].astimezone(self.zone).date() == submitted_on
                    and (keep_review or (report["conclusion"] == (conclusion or "")
                                         and list(report["conclusion_reasons"]) == reasons
                                         and report["status"] == status)))
            if same:
                self.counts["unchanged"] += 1
                return None
        values = {**content, "conclusion": conclusion or "", "conclusion_reasons": reasons}
        for key in MONEY_KEYS:  # "123.45": cheaper to spill than Decimal, and what SQLite stores
            if values[key] is not None:
                values[key] = str(values[key])
        values = tuple(values[k] for k in VALUE_KEYS)
        kind = "create" if report is None else "update"
        self.counts[kind] += 1
        return Plan(row=p.row, kind=kind, organization_id=org_id, year=year,
                    pk=report["pk"] if report else None, version=report["version"] if report else 0,
                    values=values, submitted_on=submitted_on, deadline=ob.deadline,
                    late=rules.is_late(submitted_on, ob), status=status, keep_review=keep_review)


# --------------------------------------------------------------------------- the error copy


def _error_entries(errors_path: Path) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    with errors_path.open("rb") as fh:
        while True:
            try:
                chunk = pickle.load(fh)
            except EOFError:
                return
            yield from chunk


def write_error_copy(sheet_path: str, errors_path: Path, out: str) -> None:
    """The uploaded file again, values only, each faulty cell red with its reason in a comment
    (the first COMMENTS_MAX), and a last column listing every reason of the row. Streams both
    the source rows and the errors (both in row order): memory stays flat at any size.

    XlsxWriter rather than openpyxl: openpyxl would load the whole workbook to edit it in place
    (several hundred MB for 100,000 rows); the copy loses the original's formatting, not its data."""
    sheet = Sheet(sheet_path)
    sheet.close()
    col_of = {key: i for i, key in sheet.columns.items()}
    names = {i: BY_KEY[key].zh for i, key in sheet.columns.items()}
    # Cell text is data: never turned into formulas or links in the copy.
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir(),
                                     "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet.name[:31])
    mark = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "border_color": "#C00000"}
    red, red_date = book.add_format(mark), book.add_format({**mark, "num_format": "yyyy-mm-dd"})
    date, bold = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format({"bold": True})
    note = book.add_format({"font_color": "#9C0006"})
    errors_col = max(sheet.width, sheet.col_offset + len(COLUMNS))
    ws.set_column(errors_col, errors_col, 60)
    ws.freeze_panes(max(sheet.first_data_row - 1, 0), 0)
    pending = _error_entries(errors_path)
    current = next(pending, None)
    comments = 0
    for number, cells in enumerate(all_rows(sheet_path, sheet.name), start=1):
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
    book.close()


# --------------------------------------------------------------------------- applying


class ImportConflict(Exception):
    pass


UPDATE_FIELDS = [*CONTENT_KEYS, "status", "source", "submitted_at", "late", "conclusion", "conclusion_reasons",
                 "published_on", "reviewed_at", "reviewed_by", "version", "updated_at"]
REVIEW_FIELDS = {"status", "conclusion", "conclusion_reasons", "published_on", "reviewed_at", "reviewed_by"}


def _submitted_at(day: dt.date) -> dt.datetime:
    # A paper report carries a date, not a time: noon of that day in the display zone.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _report_values(p: Plan, *, actor, today: dt.date, now: dt.datetime, published_before) -> dict[str, Any]:
    values = {**dict(zip(VALUE_KEYS, p.values, strict=True)), "organization_id": p.organization_id, "year": p.year, "status": str(p.status),
              "source": ReportSource.IMPORT.value, "submitted_at": _submitted_at(p.submitted_on), "late": p.late,
              "version": p.version + 1, "updated_at": now, "reviewed_at": None, "reviewed_by_id": None,
              "published_on": None}
    if p.status == ReportStatus.REVIEWED:  # a conclusion from the file: published on the import date
        values.update(reviewed_at=now, reviewed_by_id=actor.pk, published_on=today)
    elif p.status == ReportStatus.FILED:
        values["published_on"] = published_before or today
    return values


def _insert_reports(creates: list[dict[str, Any]], *, now: dt.datetime) -> None:
    """New reports as plain rows, the database assigning ids: COPY on PostgreSQL (core.bulk),
    one executemany on SQLite with each column converted by its type.

    Not bulk_create: it spends ~0.5 ms a report preparing its 47 fields one by one (measured:
    70% of a 10,000-row import). The values here are checked already and typed as the model's
    fields are (money as "123.45" strings from the plan), so nothing is lost by skipping it."""
    fields = [f for f in AnnualReport._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["created_at"] = now
    names = [f.attname for f in fields]
    if connection.vendor != "sqlite":
        insert_rows(AnnualReport, columns, ([v[n] if n in v else defaults[n] for n in names] for v in creates))
        return

    def converter(f):
        if isinstance(f, models.DateTimeField):
            return lambda x: x if x is None else x.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(f, models.DateField):
            return lambda x: x if x is None else x.isoformat()
        if isinstance(f, models.JSONField):
            return lambda x: json.dumps(x, ensure_ascii=False)
        if isinstance(f, models.DecimalField):
            return lambda x: x if x is None else str(x)
        return None

    convert = {f.attname: converter(f) for f in fields}
    fixed = {n: (convert[n](defaults[n]) if convert[n] else defaults[n]) for n in names}
    dynamic = [(i, n, convert[n]) for i, n in enumerate(names) if n in creates[0]]
    template = [fixed[n] for n in names]
    rows = []
    for v in creates:
        row = template.copy()
        for i, n, fn in dynamic:
            row[i] = fn(v[n]) if fn else v[n]
        rows.append(row)
    table = connection.ops.quote_name(AnnualReport._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def _apply_chunk(plans: list[Plan], *, actor, today: dt.date, now: dt.datetime) -> None:
    """Write one chunk: re-read the chunk's reports (locked on PostgreSQL) to refuse a change
    made since the check, then set-based writes; a handful of statements per chunk."""
    org_ids = {p.organization_id for p in plans}
    years = {p.year for p in plans}
    current = {(o, y): (pk, version, published_on) for o, y, pk, version, published_on in (
        AnnualReport.objects.select_for_update().filter(organization_id__in=org_ids, year__in=years).order_by()
        .values_list("organization_id", "year", "pk", "version", "published_on"))}
    creates, updates, kept = [], [], []
    for p in plans:
        there = current.get((p.organization_id, p.year))
        if (p.kind == "create") != (there is None) or (there and there[1] != p.version):
            raise ImportConflict(p.row)
        values = _report_values(p, actor=actor, today=today, now=now, published_before=there and there[2])
        if p.kind == "create":
            creates.append(values)
        else:
            (kept if p.keep_review else updates).append(AnnualReport(pk=p.pk, **values))
    if creates:
        _insert_reports(creates, now=now)
    if updates:
        AnnualReport.objects.bulk_update(updates, UPDATE_FIELDS, batch_size=200)
    if kept:  # an empty conclusion column leaves an existing conclusion and its review alone
        AnnualReport.objects.bulk_update(kept, [f for f in UPDATE_FIELDS if f not in REVIEW_FIELDS], batch_size=200)
    # Supervision facts, as annual.services.facts_record_late does one by one: a late report is
    # a fact; the "missing" fact of that year, if the nightly run recorded one, is resolved.
    late = [SupervisionFact(organization_id=p.organization_id, kind=FactKind.REPORT_LATE, key=str(p.year),
                            occurred_on=p.submitted_on, created_at=now,
                            evidence={"year": p.year, "deadline": p.deadline.isoformat(),
                                      "submitted_on": p.submitted_on.isoformat(), "source": "import"})
            for p in plans if p.late]
    if late:
        SupervisionFact.objects.bulk_create(late, batch_size=500, ignore_conflicts=True)
    submitted = {(p.organization_id, str(p.year)): p.submitted_on for p in plans}
    resolved = [(connection.ops.adapt_datefield_value(submitted[(org, key)]), pk) for pk, org, key in SupervisionFact.objects.filter(
        kind=FactKind.REPORT_MISSING, resolved_on__isnull=True, organization_id__in=org_ids,
        key__in={str(y) for y in years}).order_by().values_list("pk", "organization_id", "key")
        if (org, key) in submitted]
    if resolved:
        table = connection.ops.quote_name(SupervisionFact._meta.db_table)
        with connection.cursor() as cursor:  # one statement, many parameter rows (bulk_update's CASE is slower)
            cursor.executemany(f"UPDATE {table} SET resolved_on = %s WHERE id = %s", resolved)


# --------------------------------------------------------------------------- the services


def may_import(actor) -> bool:
    return bool(actor is not None and actor.is_authenticated
                and (actor.role == Role.OFFICER or actor.is_platform_admin))


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for block in iter(lambda: upload.read(1 << 20), b""):
        digest.update(block)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def import_request(*, actor, upload, dry_run: bool = False, language: str = "", enqueue: bool = True) -> ImportJob:
    """Store an uploaded file as an import job and queue it for the worker (after commit).
    Raises FileRefused for anything but an .xlsx workbook of at most 50 MB."""
    if not may_import(actor):
        raise NotAllowed(_("Only registration officers may import annual reports."))
    upload_check(upload)
    name = os.path.basename(upload.name)
    job = ImportJob(requested_by=actor, original_name=name[:255], file_sha256=_sha256(upload), dry_run=dry_run,
                    language=language or translation.get_language() or settings.LANGUAGE_CODE)
    job.file.save(f"{timezone.localdate():%Y%m}/{job.id}.xlsx", File(upload), save=False)
    job.full_clean()
    job.save(force_insert=True)
    if enqueue:
        from gongxin.annual.tasks_imports import import_run

        transaction.on_commit(lambda: import_run.enqueue(str(job.id)))
    return job


def import_job_get(*, actor, job_id) -> ImportJob:
    """An import of the actor's own; anybody else's is a 404 (no existence leak)."""
    job = ImportJob.objects.filter(pk=job_id, requested_by_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise Http404(_("No such import."))
    return job


def import_jobs_recent(*, actor, limit: int = 10) -> list[ImportJob]:
    return list(ImportJob.objects.filter(requested_by_id=getattr(actor, "pk", None)).defer("errors")[:limit])


def import_previous(job: ImportJob) -> ImportJob | None:
    """An earlier applied import of the very same file, to tell the user."""
    return (ImportJob.objects.filter(file_sha256=job.file_sha256, status=ImportJob.Status.DONE, dry_run=False,
                                     created_at__lte=job.created_at).exclude(pk=job.pk)
            .defer("errors").order_by("-created_at").first())


Progress = Callable[[str, int, int], None]


def import_run_now(job_id, *, progress: Progress | None = None) -> ImportJob:
    """Check the file and, if every row is right, apply it. Runs in the worker (or the CLI);
    a rerun after a crash starts afresh (the apply is one transaction)."""
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job  # a duplicate delivery of the task
    with translation.override(job.language or settings.LANGUAGE_CODE), \
            tempfile.TemporaryDirectory(prefix="gongxin-import-") as tmp:
        try:
            _run(job, Path(tmp), progress or (lambda phase, done, total: None))
        except FileRefused as exc:
            _fail(job, " ".join(exc.messages))
        except ImportConflict as exc:
            _fail(job, _("The reports changed while the file was being checked (row %(row)s); nothing was saved. "
                         "Run the import again.") % {"row": exc.args[0]})
        except IntegrityError:  # an online report created between the check and the save (PostgreSQL)
            _fail(job, _("The reports changed while the file was being saved; nothing was saved. "
                         "Run the import again."))
        except Exception:
            # The details go to the worker's log (re-raised), not to the page.
            _fail(job, _("The import failed unexpectedly. It has been logged; please try again or contact "
                         "the administrator."))
            raise
    return job


def _fail(job: ImportJob, message: str) -> None:
    job.status, job.failure, job.finished_at = ImportJob.Status.FAILED, message, timezone.now()
    job.save(update_fields=["status", "failure", "finished_at"])


def _local_copy(job: ImportJob, tmp: Path) -> str:
    try:
        return job.file.path
    except NotImplementedError:  # a remote storage: calamine reads a local file
        path = tmp / "source.xlsx"
        with job.file.open("rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        return str(path)


def _run(job: ImportJob, tmp: Path, progress: Progress) -> None:
    actor = job.requested_by
    if not may_import(actor):  # the requester lost the officer role since the upload
        _fail(job, _("Only registration officers may import annual reports."))
        return
    path = _local_copy(job, tmp)
    sheet = Sheet(path)
    job.status, job.total, job.done = ImportJob.Status.VALIDATING, sheet.total, 0
    job.errors, job.error_count, job.failure = [], 0, ""
    job.save(update_fields=["status", "total", "done", "errors", "error_count", "failure"])
    progress("check", 0, job.total)

    today = timezone.localdate()
    checker = Checker(actor=actor, today=today)
    plans_path, errors_path = tmp / "plans.pickle", tmp / "errors.pickle"
    errors_kept: list[dict] = []
    error_count = rows = 0

    with plans_path.open("wb") as plans_fh, errors_path.open("wb") as errors_fh:

        def record(entries: list[tuple[int, list[tuple[str, str]]]], raw_of: dict[int, dict]) -> None:
            nonlocal error_count
            pickle.dump(entries, errors_fh, protocol=pickle.HIGHEST_PROTOCOL)
            for number, errs in entries:
                error_count += len(errs)
                for key, reason in errs:
                    if len(errors_kept) < ERRORS_KEPT:
                        col = next((i for i, k in sheet.columns.items() if k == key), None)
                        errors_kept.append({
                            "row": number, "column": xl_col_to_name(col) if col is not None else "",
                            "header": BY_KEY[key].zh, "header_en": BY_KEY[key].en,
                            "value": _text(raw_of.get(number, {}).get(key, ""))[:200], "reason": reason})

        if sheet.missing:
            record([(sheet.header_row or 1, [
                (k, _("The column “%(zh)s” (%(en)s) is missing from the header row; use the template.")
                 % {"zh": BY_KEY[k].zh, "en": BY_KEY[k].en}) for k in sheet.missing])], {})
        else:
            chunk: list[Parsed] = []

            def flush() -> None:
                plans = checker.resolve(chunk)
                if plans and not error_count:  # after the first error nothing will be applied
                    pickle.dump(plans, plans_fh, protocol=pickle.HIGHEST_PROTOCOL)
                bad = [p for p in chunk if p.errors]
                if bad:
                    record([(p.row, p.errors) for p in bad], {p.row: p.raw for p in bad})
                chunk.clear()

            handlers = checker.handlers(sheet.columns, sheet.col_offset)
            for number, cells in sheet.data_rows():
                rows += 1
                chunk.append(checker.parse(number, cells, handlers))
                if len(chunk) >= CHUNK:
                    flush()
                    job.done = min(number - sheet.first_data_row + 1, job.total)
                    job.save(update_fields=["done"])
                    progress("check", job.done, job.total)
            if chunk:
                flush()
            if rows == 0:
                record([(sheet.header_row or 1, [("uscc", _("The file has no data rows."))])], {})
        sheet.close()

    counts = checker.counts
    job.total = job.done = rows
    job.error_count, job.errors = error_count, errors_kept
    job.created_count, job.updated_count, job.unchanged_count = counts["create"], counts["update"], counts["unchanged"]
    progress("check", rows, rows)
    if error_count:
        out = tmp / "errors.xlsx"
        write_error_copy(path, errors_path, str(out))
        with out.open("rb") as fh:
            job.error_file.save(f"{timezone.localdate():%Y%m}/{job.id}-errors.xlsx", File(fh), save=False)
        job.status, job.finished_at = ImportJob.Status.FAILED, timezone.now()
        job.save()
        return
    if job.dry_run:
        job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
        job.save()
        return

    job.status, job.done = ImportJob.Status.APPLYING, 0
    job.save()
    now = timezone.now()
    applied, to_apply = 0, counts["create"] + counts["update"]
    progress("apply", 0, to_apply)
    # One transaction for the whole file: a failure anywhere leaves nothing behind. The page
    # cannot see progress inside it (uncommitted), so it shows a running bar; the CLI counts.
    with transaction.atomic():
        with plans_path.open("rb") as fh:
            while True:
                try:
                    plans = pickle.load(fh)
                except EOFError:
                    break
                _apply_chunk(plans, actor=actor, today=today, now=now)
                applied += len(plans)
                progress("apply", applied, to_apply)
        job.status, job.done, job.finished_at = ImportJob.Status.DONE, rows, timezone.now()
        job.save()
        audit_record(actor=actor, action="annual.import", obj=job, after={
            "file": job.original_name, "sha256": job.file_sha256, "rows": rows, "created": counts["create"],
            "updated": counts["update"], "unchanged": counts["unchanged"]})
