"""Excel import of credit records (court judgment defaulters 失信被执行人, other departments'
decisions, other grounds) by a registration officer.

All or nothing: every row is checked first; if any row is wrong the officer gets each error by
row and column and nothing is saved. Otherwise every record is created in one transaction
through ``credit.services.record_create`` (audited row by row) and the rule engine then runs
once per organization concerned. Each row carries a key (the SHA-256 of its values), so
importing the same file again adds nothing.

The file is small (one sheet of at most MAX_ROWS rows) and handled in the request; the annual
report import's background job would be more machinery than a few thousand rows need."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongxin.annual.imports.cells import RowError, cell_text, clean_bool, clean_date
from gongxin.annual.imports.template import squash
from gongxin.core import spreadsheets
from gongxin.core import uscc as uscc_mod
from gongxin.core.audit import audit_record
from gongxin.core.spreadsheets import MB, SheetLimits, SpreadsheetRefused, Workbook, text_width, workbook
from gongxin.core.text import clean_identity
from gongxin.credit import engine
from gongxin.credit.models import CreditRecord, RecordKind
from gongxin.credit.services import record_create
from gongxin.registry.models import Organization
from gongxin.registry.selectors import officer_manages

MAX_UPLOAD_BYTES = 5 * MB
# The engine then runs once per organization (about 15 ms each on SQLite): 2,000 rows keep the
# request well under a minute even when every row names another organization.
MAX_ROWS = 2000
MAX_COLUMNS = 32  # the template has 9
HEADER_ROWS = 5  # the header among the first five rows
SHEET_NAME = "信用信息"
KINDS_SHEET = "类别 Kinds"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = True
    max_length: int | None = None


COLUMNS = [
    Column("uscc", "统一社会信用代码", "USCC"),
    Column("kind", "类别", "Kind"),
    Column("title", "标题", "Title", max_length=200),
    Column("content", "内容", "Content", required=False),
    Column("source", "信息来源", "Source", max_length=200),
    Column("deciding_body", "认定机关", "Deciding body", max_length=128),
    Column("occurred_on", "日期", "Date"),
    Column("valid_until", "有效期至", "Valid until", required=False),
    Column("is_public", "是否公开", "Public", required=False),
]
BY_KEY = {c.key: c for c in COLUMNS}
HEADER_KEYS = {squash(name): c.key for c in COLUMNS for name in (c.zh, c.en, c.key)}


FileRefused = SpreadsheetRefused  # the upload is not something this import reads (what and why in the message)


def limits() -> SheetLimits:
    # Read at call time: a limit changed above (in a test) takes effect.
    return SheetLimits(rows=MAX_ROWS, columns=MAX_COLUMNS, header_rows=HEADER_ROWS, upload_bytes=MAX_UPLOAD_BYTES)


@dataclass
class Problem:
    row: int  # as Excel numbers it; 0 for the whole file
    column: str  # "B 类别", or "" for the whole row
    message: str


@dataclass
class Row:
    number: int
    organization: Organization
    kind: str
    title: str
    content: str
    source: str
    deciding_body: str
    occurred_on: dt.date
    valid_until: dt.date | None
    is_public: bool
    key: str = ""


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    skipped: int = 0  # already imported (this file before, or the same row twice)
    organizations: int = 0
    engine: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


# The kinds' Chinese names in the template, fixed here rather than taken from the translation
# catalogue: a file filled in last year must still import after a label is reworded.
ZH_KINDS = {
    RecordKind.EVALUATION_GRADE: "评估等级",
    RecordKind.COMMENDATION: "表彰奖励",
    RecordKind.GOVERNMENT_SERVICE: "承接政府购买服务或委托事项",
    RecordKind.PARTY_ORG_MISSING: "未按规定建立党组织",
    RecordKind.FUNDRAISING_LAPSED: "具有公开募捐资格的慈善组织不再符合条件或连续6个月未开展募捐",
    RecordKind.DISCLOSURE_FAILURE: "未按规定公开信息",
    RecordKind.OTHER_ABNORMAL: "法律法规规定的其他列入活动异常名录情形",
    RecordKind.FRAUDULENT_CHANGE: "弄虚作假办理变更登记被撤销",
    RecordKind.COURT_DEFAULTER: "被人民法院列为失信被执行人",
    RecordKind.OTHER_DISHONEST: "法律法规规定的其他列入严重违法失信名单情形",
    RecordKind.OTHER: "其他信息",
}
# Short names people type.
ZH_ALIASES = {"失信被执行人": RecordKind.COURT_DEFAULTER, "表彰": RecordKind.COMMENDATION,
              "未建立党组织": RecordKind.PARTY_ORG_MISSING, "其他": RecordKind.OTHER}


def kind_words() -> dict[str, str]:
    """A kind by its code, Chinese or English name (as typed in the sheet) -> its code."""
    words = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in RecordKind.choices:
                words[squash(str(label))] = value
    words.update({squash(name): str(value) for value, name in ZH_KINDS.items()})
    words.update({squash(name): str(value) for name, value in ZH_ALIASES.items()})
    words.update({squash(v): v for v in RecordKind.values})
    return words


def upload_check(upload) -> None:
    """An .xlsx workbook of at most 5 MB, checked by its content, not only its name."""
    spreadsheets.upload_check(upload, limits())


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _read(upload) -> tuple[list[list], str]:
    """The rows of the data sheet from A1 (the workbook checked against the limits first)."""
    with Workbook.from_upload(upload, limits()) as book:
        sheet = book.sheet(SHEET_NAME)
        return list(sheet.rows_from_a1()), sheet.name


def _row_key(row: Row) -> str:
    """The row's identity for idempotency: its values, normalized, hashed."""
    parts = [row.organization.uscc, row.kind, row.title, row.content, row.source, row.deciding_body,
             row.occurred_on.isoformat(), row.valid_until.isoformat() if row.valid_until else "",
             "1" if row.is_public else "0"]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def check(*, actor, upload, today: dt.date) -> tuple[list[Row], list[Problem]]:
    """Every row checked; (rows, []) when all are right, ([], problems) otherwise."""
    cells, _sheet = _read(upload)

    def header_keys(row: list) -> dict[str, int]:
        found: dict[str, int] = {}
        for i, value in enumerate(row):
            key = HEADER_KEYS.get(squash(cell_text(value))) if value not in ("", None) else None
            if key and key not in found:
                found[key] = i
        return found

    # The header is the first row naming three template columns among the first five (a title
    # row above it is common); failing that, row 1, to say which columns are missing.
    header_at, columns = 0, header_keys(cells[0]) if cells else {}
    for i, row in enumerate(cells[:5]):
        if len(keys := header_keys(row)) >= 3:
            header_at, columns = i, keys
            break
    missing = [c for c in COLUMNS if c.key not in columns and c.required]
    if missing:
        return [], [Problem(header_at + 1, "", _("Missing columns: %(names)s. Use the template's header row.")
                            % {"names": "、".join(f"{c.zh} ({c.en})" for c in missing)})]
    data = [(n, r) for n, r in enumerate(cells[header_at + 1:], start=header_at + 2)
            if any(v not in ("", None) for v in r)]
    if not data:
        return [], [Problem(0, "", _("The sheet has no data rows below the header."))]
    if len(data) > MAX_ROWS:
        return [], [Problem(0, "", _("The sheet has %(n)d rows; import at most %(max)d at a time.")
                            % {"n": len(data), "max": MAX_ROWS})]

    def label(key: str) -> str:
        return f"{_column_name(columns[key])} {BY_KEY[key].zh}"

    codes = {}
    for _n, r in data:
        raw = r[columns["uscc"]] if columns["uscc"] < len(r) else ""
        codes[uscc_mod.normalize(cell_text(raw))] = None
    orgs = {o.uscc: o for o in Organization.objects.filter(uscc__in=[c for c in codes if c])}
    words = kind_words()
    rows, problems = [], []
    for number, r in data:
        values = {key: (r[i] if i < len(r) else "") for key, i in columns.items()}
        found = {}
        for column in COLUMNS:
            value = values.get(column.key, "")
            text = cell_text(value) if value is not None else ""
            try:
                if not text:
                    if column.required:
                        raise RowError(_("Required."))
                    found[column.key] = None
                    continue
                found[column.key] = _clean(column, value, text, actor=actor, orgs=orgs, words=words, today=today)
            except RowError as exc:
                problems.append(Problem(number, label(column.key), str(exc)))
        if "occurred_on" in found and found.get("valid_until") and found["valid_until"] < found["occurred_on"]:
            problems.append(Problem(number, label("valid_until"), _("The record cannot end before its date.")))
        if len(found) == len(COLUMNS) and not problems:
            row = Row(number=number, organization=found["uscc"], kind=found["kind"], title=found["title"],
                      content=found["content"] or "", source=found["source"], deciding_body=found["deciding_body"],
                      occurred_on=found["occurred_on"], valid_until=found["valid_until"],
                      is_public=True if found["is_public"] is None else found["is_public"])
            row.key = _row_key(row)
            rows.append(row)
    return ([], problems) if problems else (rows, [])


# Columns holding the name of a body or person: refused with a bidi or control character,
# stored normalized (core.text), as the form stores them.
IDENTITY_COLUMNS = {"deciding_body"}


def _clean(column: Column, value, text: str, *, actor, orgs, words, today):
    if column.key in IDENTITY_COLUMNS:
        try:
            text = clean_identity(text)
        except ValidationError as exc:
            raise RowError(exc.messages[0]) from None
    if column.max_length and len(text) > column.max_length:
        raise RowError(_("At most %(n)d characters.") % {"n": column.max_length})
    match column.key:
        case "uscc":
            try:
                code = uscc_mod.parse(text).code
            except uscc_mod.USCCError as exc:
                raise RowError(_("Not a valid unified social credit code: %(reason)s") % {"reason": exc}) from None
            org = orgs.get(code)
            # One answer for "not registered" and "not yours": no existence leak across jurisdictions.
            if org is None or not officer_manages(actor, org.region_prefix):
                raise RowError(_("No organization with this code is registered in your jurisdiction."))
            return org
        case "kind":
            kind = words.get(squash(text))
            if kind is None:
                raise RowError(_("Unknown kind “%(value)s”: use a name from the sheet “%(sheet)s”.")
                               % {"value": text, "sheet": KINDS_SHEET})
            return kind
        case "occurred_on" | "valid_until":
            day = clean_date(value)
            if column.key == "occurred_on" and day > today:
                raise RowError(_("The date cannot be in the future."))
            return day
        case "is_public":
            return clean_bool(value)
    return text


def records_import(*, actor, upload, today: dt.date | None = None) -> ImportResult:
    """Check the file, then create every record (one transaction) and run the rule engine once
    per organization concerned. Nothing is saved if any row is wrong. Raises FileRefused."""
    today = today or timezone.localdate()
    rows, problems = check(actor=actor, upload=upload, today=today)
    result = ImportResult(problems=problems, rows=len(rows))
    if problems:
        return result
    existing = set(CreditRecord.objects.filter(import_key__in=[r.key for r in rows])
                   .values_list("organization_id", "kind", "import_key"))
    fresh, seen = [], set(existing)
    for row in rows:
        ident = (row.organization.pk, row.kind, row.key)
        if ident in seen:
            result.skipped += 1
            continue
        seen.add(ident)
        fresh.append(row)
    try:
        with transaction.atomic():
            for row in fresh:
                try:
                    record_create(actor=actor, organization=row.organization, kind=row.kind, title=row.title,
                                  content=row.content, source=row.source, deciding_body=row.deciding_body,
                                  occurred_on=row.occurred_on, valid_until=row.valid_until, is_public=row.is_public,
                                  import_key=row.key, today=today, evaluate=False)
                except ValidationError as exc:
                    result.problems = [Problem(row.number, "", m) for m in exc.messages]
                    raise
            audit_record(actor=actor, action="credit.import", object_type="credit.creditrecord", after={
                "file": getattr(upload, "name", ""), "rows": len(rows), "created": len(fresh),
                "skipped": result.skipped})
    except ValidationError:
        return result
    except IntegrityError:
        # The same rows were imported by someone else a moment ago (the import-key constraint).
        result.problems = [Problem(0, "", _("These records were being imported at the same time by another "
                                            "request; nothing was saved. Upload the file again."))]
        return result
    result.created = len(fresh)
    touched = {row.organization.pk: row.organization for row in fresh}
    result.organizations = len(touched)
    # Committed above: the engine sees the new records. One run over the organizations touched.
    run = engine.evaluate(organizations=list(touched), actor=actor, today=today)
    result.engine = {k: v for k, v in run.counts.items() if k != "seconds"}
    return result


def template_workbook() -> bytes:
    """The import template: the data sheet (Chinese headers, one row per record) and a sheet of
    the kinds, which the kind column offers as a drop-down."""
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(SHEET_NAME)
    kinds = book.add_worksheet(KINDS_SHEET)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    widths = {"uscc": 22, "kind": 28, "title": 30, "content": 40, "source": 24, "deciding_body": 22,
              "occurred_on": 12, "valid_until": 12, "is_public": 10}
    for i, column in enumerate(COLUMNS):
        sheet.write(0, i, column.zh, bold)
        fmt = date if column.key in ("occurred_on", "valid_until") else text if column.key == "uscc" else None
        sheet.set_column(i, i, max(widths[column.key], text_width(column.zh) + 3), fmt)
        sheet.write_comment(0, i, f"{column.en}{'' if column.required else ' (optional)'}")
    sheet.freeze_panes(1, 0)
    kind_col = [c.key for c in COLUMNS].index("kind")
    public_col = [c.key for c in COLUMNS].index("is_public")
    sheet.data_validation(1, kind_col, MAX_ROWS, kind_col, {
        "validate": "list", "source": f"='{KINDS_SHEET}'!$B$2:$B${len(RecordKind.choices) + 1}"})
    sheet.data_validation(1, public_col, MAX_ROWS, public_col, {"validate": "list", "source": ["是", "否"]})
    kinds.write_row(0, 0, ["代码 Code", "类别 Kind (中文)", "Kind (English)"], bold)
    with translation.override("en"):
        en = [str(label) for _v, label in RecordKind.choices]
    for i, (value, en_label) in enumerate(zip(RecordKind.values, en, strict=True), start=1):
        kinds.write_row(i, 0, [value, ZH_KINDS[value], en_label])
    kinds.set_column(0, 0, 20)
    kinds.set_column(1, 2, 50)
    notes = len(RecordKind.choices) + 3
    for i, line in enumerate([
        "说明 Notes",
        "每行一条信用信息;统一社会信用代码须为本辖区已登记的社会组织。One record per row; the organization must be registered in your jurisdiction.",
        "日期格式 2026-03-31;是否公开填“是”或“否”,空白为“是”。Dates as 2026-03-31; Public: 是 (yes) / 否 (no), empty = yes.",
        f"任一行有错误时不保存任何数据;同一文件重复导入不会重复添加。If any row is wrong nothing is saved; importing the same file twice adds nothing. At most {MAX_ROWS} rows.",
    ]):
        kinds.write(notes + i, 0, line, bold if i == 0 else None)
    book.close()
    return buffer.getvalue()

