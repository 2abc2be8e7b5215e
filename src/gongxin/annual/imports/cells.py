"""Cleaning one cell of an import file by its column's kind: amounts, counts, the year, dates,
yes/no. Each cleaner returns the value as stored or raises ``RowError`` with the reason shown to
the user. Number cells come from python-calamine as floats, date cells as dates; text is accepted
in the forms people type (1,250,000.00 元, 2026年3月31日, 是/否)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongxin.annual.imports.template import FIRST_YEAR, squash

# Below DecimalField(max_digits=16)'s 1e14: SQLite keeps decimals as REAL, and amounts of 1e13
# and more with cents do not read back exactly (a re-import would fail); a trillion yuan is
# beyond any social organization's accounts.
MONEY_LIMIT = Decimal("1e12")
COUNT_LIMIT = 2_147_483_647
CENT = Decimal("0.01")
REASON_SEPARATORS = re.compile(r"[、;；,，\n]+")
YES = {"是", "有", "已建立", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "未建立", "n", "no", "false", "0", "×"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
EXCEL_EPOCH = dt.date(1899, 12, 30)


class RowError(Exception):
    pass


def cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def clean_money_signed(value) -> Decimal:
    return clean_money(value, signed=True)


def clean_money(value, signed: bool = False) -> Decimal:
    cls = value.__class__
    if cls is float:  # what calamine gives for a number cell: the fast path
        if value < 0 and not signed:
            raise RowError(_("The amount cannot be negative."))
        if -1e12 < value < 1e12:
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


def clean_count(value) -> int:
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


def clean_year(value, last: int) -> int:
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


def clean_date(value) -> dt.date:
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


def clean_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = squash(cell_text(value))
    if word in YES:
        return True
    if word in NO:
        return False
    raise RowError(_("Enter 是 (yes) or 否 (no)."))


def clean_conclusion(value, words: dict[str, str]) -> str:
    """A conclusion by its code, Chinese name or label (``words``: template.conclusion_words())."""
    found = words.get(value) or words.get(squash(cell_text(value)))
    if found is None:
        raise RowError(_("Enter 合格 (pass), 基本合格 (basic pass), 不合格 (fail), or leave it empty."))
    return found


def clean_reasons(value, words: dict[str, str]) -> list[str]:
    """Reason codes, each by its code, Chinese name or label (``words``: template.reason_words())."""
    codes, unknown = [], []
    for word in REASON_SEPARATORS.split(cell_text(value)):
        if word.strip():
            code = words.get(squash(word))
            (codes if code else unknown).append(code or word.strip())
    if unknown:
        raise RowError(_("Unknown reason: %(words)s. Use the codes or names on the sheet “说明 Codes”.")
                       % {"words": "、".join(unknown)})
    return list(dict.fromkeys(codes))
