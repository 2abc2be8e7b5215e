"""Excel import of a draft catalogue's items (transferable functions or purchasable services),
the downloadable template, and the export of a catalogue in the same format (so an exported
batch can be re-imported as the start of the next one).

All or nothing, as the credit import: the whole sheet is checked first; if any row is wrong the
officer gets every error by row and column (row, column, value, reason) and nothing is saved.
Otherwise every row is applied in one transaction: an item whose code is already in the catalogue
is updated, a new code is added, items not in the file are kept. Importing the same file twice
therefore changes nothing the second time. One audit event per import.

The headers and the transfer-mode words are a fixed bilingual file format, not UI text: they are
not translated, so a file filled in last year still imports after a label is reworded.

Catalogues are hundreds of rows: the import runs in the request."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongxin.annual.imports.cells import cell_text
from gongxin.annual.imports.template import squash
from gongxin.core.audit import audit_record
from gongxin.core.spreadsheets import MB, ColumnWidths, SheetLimits, SpreadsheetRefused, Workbook, workbook
from gongxin.core.text import clean_identity
from gongxin.procurement import catalogues as cat
from gongxin.procurement.models import (
    Catalogue,
    CatalogueKind,
    CatalogueStatus,
    ServiceCategory,
    TransferMode,
)

MAX_UPLOAD_BYTES = 5 * MB
MAX_ROWS = 5000  # Zhuhai's services catalogue has 341 items; a province's a few thousand at most
MAX_COLUMNS = 32  # the templates have 5 and 6
HEADER_ROWS = 5  # the header among the first five rows

FileRefused = SpreadsheetRefused  # the upload is not something this import reads (what and why in the message)


def limits() -> SheetLimits:
    # Read at call time: a limit changed above (in a test) takes effect.
    return SheetLimits(rows=MAX_ROWS, columns=MAX_COLUMNS, header_rows=HEADER_ROWS, upload_bytes=MAX_UPLOAD_BYTES)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = True
    max_length: int | None = None
    width: int = 16


FUNCTION_COLUMNS = [
    Column("code", "编号", "Code", max_length=32, width=8),
    Column("name", "职能事项", "Function", max_length=200, width=40),
    Column("department_name", "部门", "Department", max_length=128, width=22),
    Column("mode", "转移方式", "Transfer mode", width=10),
    Column("legal_basis", "依据", "Legal basis", required=False, max_length=300, width=36),
    Column("description", "说明", "Description", required=False, width=36),
]
SERVICE_COLUMNS = [
    Column("code", "编号", "Code", max_length=32, width=8),
    Column("name", "服务项目", "Service", max_length=200, width=40),
    Column("category", "类别代码", "Category code", width=10),
    Column("department_name", "部门", "Department", required=False, max_length=128, width=22),
    Column("description", "说明", "Description", required=False, width=36),
]
# Name columns: refused with a bidi or control character, stored normalized (core.text), as the
# item forms store them.
IDENTITY_COLUMNS = {"name", "department_name"}
SHEET = {CatalogueKind.FUNCTIONS: "政府职能转移目录", CatalogueKind.SERVICES: "政府购买服务指导目录"}
CATEGORIES_SHEET = "类别代码 Categories"
ZH_MODES = {TransferMode.TRANSFER: "转移", TransferMode.AUTHORIZE: "授权", TransferMode.ENTRUST: "委托"}
EXAMPLES = {
    CatalogueKind.FUNCTIONS: ["1", "行业统计调查", "珠海市统计局", "委托", "《中华人民共和国统计法》",
                              "委托行业协会开展行业统计调查"],
    CatalogueKind.SERVICES: ["1", "居家养老上门服务", "A05", "珠海市民政局", "为居家老年人提供助餐、助洁等上门服务"],
}


def columns_of(kind: str) -> list[Column]:
    return FUNCTION_COLUMNS if kind == CatalogueKind.FUNCTIONS else SERVICE_COLUMNS


def mode_words() -> dict[str, str]:
    """转移/授权/委托, the codes and the English words, as typed in the sheet -> the mode."""
    words = {squash(zh): str(mode) for mode, zh in ZH_MODES.items()}
    words.update({squash(mode): str(mode) for mode in TransferMode.values})
    words.update({"authorise": TransferMode.AUTHORIZE, "授权委托": TransferMode.AUTHORIZE})
    return words


@dataclass
class Problem:
    row: int  # as Excel numbers it; 0 for the whole file
    column: str  # "D 转移方式", or "" for the whole row / file
    value: str
    message: str


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _column_letter(index: int) -> str:
    name, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _read(upload, kind: str) -> list[list]:
    """The rows of the catalogue's sheet from A1 (the workbook checked against the limits first)."""
    with Workbook.from_upload(upload, limits()) as book:
        return list(book.sheet(SHEET[kind]).rows_from_a1())


def check(*, kind: str, upload) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Every row checked; ([(row number, values)], []) when all are right, ([], problems)
    otherwise. Raises FileRefused for a file that is not a readable .xlsx workbook."""
    cells = _read(upload, kind)
    columns = columns_of(kind)
    by_key = {c.key: c for c in columns}
    header_words = {squash(name): c.key for c in columns for name in (c.zh, c.en, c.key)}

    def header_keys(row: list) -> dict[str, int]:
        found: dict[str, int] = {}
        for i, value in enumerate(row):
            key = header_words.get(squash(cell_text(value))) if value not in ("", None) else None
            if key and key not in found:
                found[key] = i
        return found

    # The header is the first row naming three of the columns among the first five (a title row
    # above it is common); failing that row 1, to say which columns are missing.
    header_at, found_columns = 0, header_keys(cells[0]) if cells else {}
    for i, row in enumerate(cells[:5]):
        if len(keys := header_keys(row)) >= 3:
            header_at, found_columns = i, keys
            break
    missing = [c for c in columns if c.required and c.key not in found_columns]
    if missing:
        return [], [Problem(header_at + 1, "", "", _("Missing columns: %(names)s. Use the template's header row.")
                            % {"names": "、".join(f"{c.zh} ({c.en})" for c in missing)})]
    data = [(n, r) for n, r in enumerate(cells[header_at + 1:], start=header_at + 2)
            if any(v not in ("", None) for v in r)]
    if not data:
        return [], [Problem(0, "", "", _("The sheet has no data rows below the header."))]
    if len(data) > MAX_ROWS:
        return [], [Problem(0, "", "", _("The sheet has %(n)d rows; a catalogue takes at most %(max)d.")
                            % {"n": len(data), "max": MAX_ROWS})]

    def label(key: str) -> str:
        return f"{_column_letter(found_columns[key])} {by_key[key].zh}"

    modes = mode_words()
    categories = dict(ServiceCategory.objects.values_list("code", "name"))
    upper_categories = {code.upper(): code for code in categories}
    seen_codes: dict[str, int] = {}
    rows, problems = [], []
    for number, r in data:
        values: dict[str, str] = {}
        row_ok = True
        for column in columns:
            index = found_columns.get(column.key)
            raw = r[index] if index is not None and index < len(r) else ""
            text = cell_text(raw) if raw is not None else ""

            def problem(message: str, _column=column, _text=text, _number=number) -> None:
                problems.append(Problem(_number, label(_column.key), _text, message))

            if not text:
                if column.required:
                    problem(_("Required."))
                    row_ok = False
                values[column.key] = ""
                continue
            if column.key in IDENTITY_COLUMNS:
                try:
                    text = clean_identity(text)
                except ValidationError as exc:
                    problem(exc.messages[0])
                    row_ok = False
                    continue
            if column.max_length and len(text) > column.max_length:
                problem(_("At most %(n)d characters.") % {"n": column.max_length})
                row_ok = False
                continue
            if column.key == "mode":
                mode = modes.get(squash(text))
                if mode is None:
                    problem(_("Unknown transfer mode: enter 转移 (transfer), 授权 (authorize) or 委托 (entrust)."))
                    row_ok = False
                    continue
                text = mode
            elif column.key == "category":
                code = upper_categories.get(text.upper())
                if code is None:
                    # A6 for A06 is the usual slip (Excel drops the zero of a number typed alone).
                    padded = upper_categories.get(text[:1].upper() + text[1:].zfill(2)) if text[1:].isdigit() else None
                    if padded:
                        problem(_("Unknown category code: did you mean %(code)s (%(name)s)?")
                                % {"code": padded, "name": categories[padded]})
                    else:
                        problem(_("Unknown category code: use a code of the sheet “%(sheet)s” of the template, "
                                  "such as A05 (养老服务).") % {"sheet": CATEGORIES_SHEET})
                    row_ok = False
                    continue
                text = code
            elif column.key == "code":
                if text in seen_codes:
                    problem(_("The code %(code)s is already used on row %(row)d: every item needs its own code.")
                            % {"code": text, "row": seen_codes[text]})
                    row_ok = False
                    continue
                seen_codes[text] = number
            values[column.key] = text
        if row_ok:
            rows.append((number, values))
    return ([], problems) if problems else (rows, [])


class _RowsRefused(Exception):
    """A row failed the model's own field checks: roll the transaction back."""


def _item_values(kind: str, values: dict) -> dict:
    if kind == CatalogueKind.SERVICES:
        values = {**values, "category_id": values["category"]}
        values.pop("category")
    return {k: values.get(k, "") for k in cat.item_fields(kind)}


def catalogue_import(*, actor, catalogue: Catalogue, upload) -> ImportResult:
    """Check the file, then add or update every item of the draft ``catalogue`` in one
    transaction. Nothing is saved if any row is wrong. Raises FileRefused, NotAllowed (not a
    draft, not the officer's jurisdiction)."""
    cat.require_manager(actor, catalogue)
    if catalogue.status != CatalogueStatus.DRAFT:
        raise cat.NotAllowed(_("“%(title)s” is %(status)s and can no longer be changed; create a new batch instead.")
                             % {"title": catalogue.title, "status": catalogue.get_status_display()})
    rows, problems = check(kind=catalogue.kind, upload=upload)
    result = ImportResult(problems=problems, rows=len(rows))
    if problems:
        return result
    model = cat.item_model(catalogue.kind)
    fields = [f for f in cat.item_fields(catalogue.kind) if f != "code"]
    try:
        with transaction.atomic():
            locked = cat.lock_for_change(catalogue, None)
            existing = {item.code: item for item in model.objects.filter(catalogue=locked)}
            fresh, changed = [], []
            for number, values in rows:
                values = _item_values(locked.kind, values)
                item = existing.get(values["code"])
                if item is None:
                    item = model(catalogue=locked, **values)
                    fresh.append((number, item))
                elif any(getattr(item, f) != values[f] for f in fields):
                    for f in fields:
                        setattr(item, f, values[f])
                    changed.append((number, item))
                else:
                    result.unchanged += 1
            # clean_fields, not full_clean: the code's uniqueness is known from ``existing``, and
            # validate_unique would cost one query per row.
            for number, item in fresh + changed:
                try:
                    item.clean_fields(exclude=["catalogue"])
                except ValidationError as exc:
                    result.problems.append(Problem(number, "", "", " ".join(exc.messages)))
            if result.problems:
                raise _RowsRefused
            model.objects.bulk_create([item for _n, item in fresh])
            if changed:
                model.objects.bulk_update([item for _n, item in changed], fields)
            result.created, result.updated = len(fresh), len(changed)
            if fresh or changed:
                cat.bump_version(locked)
                catalogue.version = locked.version
            audit_record(actor=actor, action="procurement.catalogue_import", obj=locked, after={
                "file": getattr(upload, "name", ""), "rows": len(rows), "created": result.created,
                "updated": result.updated, "unchanged": result.unchanged})
    except _RowsRefused:
        result.created = result.updated = result.unchanged = 0
        return result
    except IntegrityError:
        # The same codes were added by another request a moment ago (the unique code constraint).
        result.problems = [Problem(0, "", "", _("Items of this catalogue were being changed at the same time by "
                                                "another request; nothing was saved. Upload the file again."))]
        result.created = result.updated = result.unchanged = 0
    return result


# --- template and export ----------------------------------------------------------------------


def _workbook(kind: str, rows: list[list], *, notes: bool) -> bytes:
    buffer = io.BytesIO()
    # The shared workbook: an item named "=HYPERLINK(…)" stays text in the public export.
    book = workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(SHEET[kind])
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@", "text_wrap": False})
    columns = columns_of(kind)
    widths = ColumnWidths()
    widths.add([c.zh for c in columns])
    for i, column in enumerate(columns):
        sheet.write(0, i, column.zh, bold)
        sheet.write_comment(0, i, f"{column.en}{'' if column.required else ' (optional)'}")
    for r, row in enumerate(rows, start=1):
        # Strings throughout: a code such as 001 must stay 001.
        values = [str(v) for v in row]
        sheet.write_row(r, 0, values, text)
        widths.add(values)
    widths.apply(sheet, dict.fromkeys(range(len(columns)), text), at_least={i: c.width for i, c in enumerate(columns)})
    sheet.freeze_panes(1, 0)
    keys = [c.key for c in columns]
    last = max(MAX_ROWS, len(rows) + 1)
    if kind == CatalogueKind.FUNCTIONS:
        col = keys.index("mode")
        sheet.data_validation(1, col, last, col, {"validate": "list", "source": list(ZH_MODES.values())})
    else:
        categories = list(ServiceCategory.objects.select_related("parent").order_by("code"))
        ref = book.add_worksheet(CATEGORIES_SHEET)
        ref.write_row(0, 0, ["类别代码 Code", "类别 Category", "上级类别 Parent"], bold)
        for i, c in enumerate(categories, start=1):
            ref.write_row(i, 0, [c.code, c.name, c.parent.name if c.parent_id else ""])
        ref.set_column(0, 0, 14)
        ref.set_column(1, 2, 30)
        col = keys.index("category")
        sheet.data_validation(1, col, last, col, {
            "validate": "list", "source": f"='{CATEGORIES_SHEET}'!$A$2:$A${len(categories) + 1}",
            "error_type": "warning"})
    if notes:
        help_sheet = book.add_worksheet("说明 Notes")
        help_sheet.set_column(0, 0, 110)
        lines = [
            "说明 Notes",
            "第一行为表头，请勿修改；第二行为示例，请替换为实际事项。Keep the header row; replace the example row with your items.",
            "每行一个事项，编号在本目录内不得重复。One item per row; every item needs its own code within the catalogue.",
            ("转移方式填“转移”“授权”或“委托”。Transfer mode: 转移 (transfer), 授权 (authorize) or 委托 (entrust)."
             if kind == CatalogueKind.FUNCTIONS else
             f"类别代码见“{CATEGORIES_SHEET}”表，如 A05（养老服务）。Category codes: see the sheet “{CATEGORIES_SHEET}”."),
            f"任一行有错误时不保存任何数据；同一文件重复导入不会重复添加：编号相同的事项被更新。"
            f"If any row is wrong nothing is saved; importing the same file again updates the items with the same "
            f"code and adds nothing. At most {MAX_ROWS} rows.",
        ]
        for i, line in enumerate(lines):
            help_sheet.write(i, 0, line, bold if i == 0 else None)
    book.close()
    return buffer.getvalue()


def template_workbook(kind: str) -> bytes:
    """The import template of a kind: the header row and one example row, which imports as is."""
    return _workbook(kind, [EXAMPLES[kind]], notes=True)


def export_rows(catalogue: Catalogue) -> list[list]:
    rows = []
    for item in cat.items_of(catalogue):
        if catalogue.kind == CatalogueKind.FUNCTIONS:
            rows.append([item.code, item.name, item.department_name, ZH_MODES.get(item.mode, item.mode),
                         item.legal_basis, item.description])
        else:
            rows.append([item.code, item.name, item.category_id, item.department_name, item.description])
    return rows


def export_workbook(catalogue: Catalogue) -> bytes:
    """A catalogue's items in the import format (header row first), one query."""
    return _workbook(catalogue.kind, export_rows(catalogue), notes=False)
