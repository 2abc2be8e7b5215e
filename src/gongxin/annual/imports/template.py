"""The import file's format: its columns (matched by their Chinese or English header), the fixed
vocabulary of conclusions and reasons, and the downloadable template workbook.

The headers and the vocabulary are a fixed bilingual file format, not UI text: neither is translated.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation

from gongxin.annual.models import BasicPassReason, Conclusion, FailReason
from gongxin.core.spreadsheets import text_width, workbook

SHEET_NAME = "年度报告"
FIRST_YEAR = 2000


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


def squash(text: Any) -> str:
    """A header as matched: without spaces, asterisks and case."""
    return re.sub(r"[\s*＊]+", "", str(text)).lower()


HEADER_KEYS = {}
for _c in COLUMNS:
    for _name in (_c.zh, _c.en, _c.key):
        HEADER_KEYS[squash(_name)] = _c.key


def conclusion_words() -> dict[str, str]:
    words = {}
    for value in Conclusion:
        for name in (value.value, CONCLUSION_ZH[value], str(value.label)):
            words[squash(name)] = value.value
    return words


def reason_words() -> dict[str, str]:
    words = {}
    for value in [*BasicPassReason, *FailReason]:
        for name in (value.value, REASON_ZH[value], str(value.label)):
            words[squash(name)] = value.value
    return words


# --------------------------------------------------------------------------- the template


def template_workbook() -> bytes:
    """The downloadable template: the data sheet (two header rows, input checks), an example
    row on its own sheet, and the codes of conclusions and reasons."""
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})
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
            ws.set_column(col, col, max(c.width, text_width(c.zh) + 3), fmt)  # the header never cut
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
        "每个文件最多 100,000 行数据（64 列、3,000,000 个单元格）、50 MB；超出时整份文件被拒绝，请分成几个文件。",
        "At most 100,000 rows of data (64 columns, 3,000,000 cells) and 50 MB per file; a larger file is refused: split it.",
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
