"""Excel import of a draft catalogue's items: the whole file is checked first, errors come back
by row and column, nothing is saved when a row is wrong, the same file twice changes nothing,
and the downloadable template imports as it is."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gongxin.core.models import AuditEvent, Region
from gongxin.procurement import catalogue_imports as imports
from gongxin.procurement import catalogues as cat
from gongxin.procurement.models import CatalogueKind, TransferMode

pytestmark = pytest.mark.django_db
FUNCTION_HEADER = ["编号", "职能事项", "部门", "转移方式", "依据", "说明"]
SERVICE_HEADER = ["编号", "服务项目", "类别代码", "部门", "说明"]


def xlsx(rows: list[list], name: str = "catalogue.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return SimpleUploadedFile(name, buffer.getvalue())


def draft(actors, kind):
    return cat.catalogue_create(actor=actors["officer_zhuhai"], kind=kind, region=Region.objects.get(code="440400"),
                                year=2026, title="珠海市目录")


FUNCTIONS = [
    FUNCTION_HEADER,
    ["1", "行业统计调查", "珠海市统计局", "委托", "《统计法》", ""],
    ["2", "社会组织等级评估", "珠海市民政局", "转移", "", "第三方评估"],
    ["3", "行业标准制定", "珠海市市场监督管理局", "授权", "", ""],
]
SERVICES = [
    SERVICE_HEADER,
    ["1", "居家养老上门服务", "A05", "珠海市民政局", ""],
    ["2", "社区矫正社会工作服务", "b03", "珠海市司法局", ""],  # codes are matched without case
]


def run(actors, catalogue, rows, name="catalogue.xlsx"):
    result = imports.catalogue_import(actor=actors["officer_zhuhai"], catalogue=catalogue, upload=xlsx(rows, name))
    catalogue.refresh_from_db()
    return result


def test_a_correct_functions_file_adds_every_item_with_its_mode(actors):
    c = draft(actors, CatalogueKind.FUNCTIONS)
    result = run(actors, c, FUNCTIONS)
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert dict(c.functions.values_list("code", "mode")) == {
        "1": TransferMode.ENTRUST, "2": TransferMode.TRANSFER, "3": TransferMode.AUTHORIZE}
    assert AuditEvent.objects.filter(action="procurement.catalogue_import").count() == 1


def test_a_correct_services_file_adds_every_item_with_its_category(actors):
    c = draft(actors, CatalogueKind.SERVICES)
    result = run(actors, c, SERVICES)
    assert result.ok
    assert dict(c.services.values_list("code", "category_id")) == {"1": "A05", "2": "B03"}


def test_importing_the_same_file_twice_changes_nothing_the_second_time(actors):
    c = draft(actors, CatalogueKind.FUNCTIONS)
    run(actors, c, FUNCTIONS)
    version = c.version
    again = run(actors, c, FUNCTIONS)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert c.functions.count() == 3 and c.version == version
    assert AuditEvent.objects.filter(action="procurement.catalogue_import").count() == 2  # one per import


def test_a_row_with_a_known_code_updates_its_item(actors):
    c = draft(actors, CatalogueKind.FUNCTIONS)
    run(actors, c, FUNCTIONS)
    changed = [FUNCTION_HEADER, ["2", "社会组织等级评估", "珠海市民政局", "委托", "", "改为委托"]]
    result = run(actors, c, changed)
    assert (result.created, result.updated) == (0, 1)
    item = c.functions.get(code="2")
    assert (item.mode, item.description) == (TransferMode.ENTRUST, "改为委托")
    assert c.functions.count() == 3  # items not in the file are kept


def test_errors_are_reported_by_row_and_column_and_nothing_is_saved(actors):
    c = draft(actors, CatalogueKind.FUNCTIONS)
    rows = [
        FUNCTION_HEADER,
        ["1", "行业统计调查", "珠海市统计局", "委托", "", ""],
        ["2", "", "珠海市民政局", "转移", "", ""],  # no name
        ["3", "行业标准制定", "珠海市市场监督管理局", "出售", "", ""],  # unknown mode
        ["1", "重复编号", "珠海市民政局", "委托", "", ""],  # the code of row 2 again
    ]
    result = run(actors, c, rows)
    assert not result.ok
    found = {(p.row, p.column, p.value) for p in result.problems}
    assert found == {(3, "B 职能事项", ""), (4, "D 转移方式", "出售"), (5, "A 编号", "1")}
    assert "转移" in next(p.message for p in result.problems if p.row == 4)
    assert c.functions.count() == 0
    assert not AuditEvent.objects.filter(action="procurement.catalogue_import").exists()


def test_an_unknown_category_code_is_refused(actors):
    c = draft(actors, CatalogueKind.SERVICES)
    result = run(actors, c, [SERVICE_HEADER, ["1", "居家养老上门服务", "A05", "", ""], ["2", "太空旅游", "Z99", "", ""]])
    assert [(p.row, p.column, p.value) for p in result.problems] == [(3, "C 类别代码", "Z99")]
    assert c.services.count() == 0


def test_an_unknown_transfer_mode_is_refused(actors):
    c = draft(actors, CatalogueKind.FUNCTIONS)
    result = run(actors, c, [FUNCTION_HEADER, ["1", "行业统计调查", "珠海市统计局", "外包", "", ""]])
    assert [(p.row, p.column) for p in result.problems] == [(2, "D 转移方式")]


def test_missing_columns_are_named(actors):
    c = draft(actors, CatalogueKind.SERVICES)
    result = run(actors, c, [["编号", "服务项目", "部门"], ["1", "居家养老", "民政局"]])
    assert len(result.problems) == 1 and "类别代码" in result.problems[0].message


def test_too_many_rows_are_refused_with_a_clear_error(actors, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    c = draft(actors, CatalogueKind.FUNCTIONS)
    with translation.override("en"):  # the message is asserted in English
        result = run(actors, c, FUNCTIONS)
    assert len(result.problems) == 1 and "at most 2" in result.problems[0].message


def test_a_file_that_is_not_xlsx_is_refused(actors):
    c = draft(actors, CatalogueKind.FUNCTIONS)
    with pytest.raises(imports.FileRefused):
        imports.catalogue_import(actor=actors["officer_zhuhai"], catalogue=c,
                                 upload=SimpleUploadedFile("items.csv", b"code,name\n1,x\n"))


def test_a_published_catalogue_takes_no_import(actors):
    c = draft(actors, CatalogueKind.FUNCTIONS)
    run(actors, c, FUNCTIONS)
    cat.catalogue_publish(actor=actors["officer_zhuhai"], catalogue=c, expected_version=c.version)
    with pytest.raises(cat.NotAllowed):
        run(actors, c, FUNCTIONS)


@pytest.mark.parametrize("kind", ["functions", "services"])
def test_the_template_downloads_and_imports_cleanly(actors, client_for, kind):
    client = client_for("officer_zhuhai")
    response = client.get(f"/procurement/catalogues/manage/template/{kind}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    c = draft(actors, kind)
    upload = SimpleUploadedFile("template.xlsx", response.content)
    response = client.post(f"/procurement/catalogues/manage/{c.pk}/import/", {"file": upload})
    assert response.status_code == 302
    assert cat.items_of(c).count() == 1


def test_an_exported_catalogue_imports_into_the_next_batch(actors, client):
    c = draft(actors, CatalogueKind.SERVICES)
    run(actors, c, SERVICES)
    cat.catalogue_publish(actor=actors["officer_zhuhai"], catalogue=c, expected_version=c.version)
    exported = client.get(f"/procurement/catalogues/{c.pk}/export/").content
    nxt = cat.catalogue_create(actor=actors["officer_zhuhai"], kind=CatalogueKind.SERVICES,
                               region=Region.objects.get(code="440400"), year=2027, title="第二批")
    result = imports.catalogue_import(actor=actors["officer_zhuhai"], catalogue=nxt,
                                      upload=SimpleUploadedFile("export.xlsx", exported))
    assert result.ok and result.created == 2


def test_the_import_page_lists_the_errors(actors, client_for):
    c = draft(actors, CatalogueKind.SERVICES)
    client = client_for("officer_zhuhai")
    upload = xlsx([SERVICE_HEADER, ["1", "居家养老上门服务", "Z99", "", ""]])
    response = client.post(f"/procurement/catalogues/manage/{c.pk}/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html and "Z99" in html and "C 类别代码" in html


def test_an_oversized_upload_is_refused_before_it_is_read(actors, client_for):
    c = draft(actors, CatalogueKind.SERVICES)
    client = client_for("officer_zhuhai")
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (imports.MAX_UPLOAD_BYTES + 100 * 1024))
    response = client.post(f"/procurement/catalogues/manage/{c.pk}/import/", {"file": big})
    assert response.status_code == 413
    assert cat.items_of(c).count() == 0


def test_a_category_code_without_its_zero_gets_a_suggestion(actors):
    c = draft(actors, CatalogueKind.SERVICES)
    result = run(actors, c, [SERVICE_HEADER, ["1", "残疾人康复服务", "A6", "", ""]])
    assert "A06" in result.problems[0].message


def test_the_public_export_writes_an_item_that_looks_like_a_formula_or_a_link_as_text(actors, client):
    from gongxin.core.spreadsheets import workbook
    from gongxin.core.text import normalize_identity
    from tests.core.hostile_sheets import HOSTILE_TEXTS, assert_inert

    c = draft(actors, CatalogueKind.FUNCTIONS)
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})  # the texts as texts in the upload too
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["编号", "职能事项", "部门", "转移方式", "依据", "说明"])
    sheet.write_row(1, 0, ["1", HOSTILE_TEXTS[0], "珠海市统计局", "委托", HOSTILE_TEXTS[1], HOSTILE_TEXTS[2]])
    book.close()
    result = imports.catalogue_import(actor=actors["officer_zhuhai"], catalogue=c,
                                      upload=SimpleUploadedFile("c.xlsx", buffer.getvalue()))
    assert result.ok, result.problems
    c.refresh_from_db()
    cat.catalogue_publish(actor=actors["officer_zhuhai"], catalogue=c, expected_version=c.version)
    response = client.get(f"/procurement/catalogues/{c.pk}/export/")
    # The function's name is a name (core.text): stored normalized, its brackets full-width.
    assert_inert(response.content, normalize_identity(HOSTILE_TEXTS[0]), *HOSTILE_TEXTS[1:])
    assert "filename*=UTF-8''" in response["Content-Disposition"]
