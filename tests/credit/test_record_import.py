"""The Excel import of credit records: the template, all-or-nothing checking with errors by row
and column, the rule engine after the import, and the idempotent re-import."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.core.models import AuditEvent
from gongxin.credit import imports
from gongxin.credit.models import CreditList, CreditRecord, ListEntry, ListingStatus

pytestmark = pytest.mark.django_db
M = "/credit/manage"
HEADER = ["统一社会信用代码", "类别", "标题", "内容", "信息来源", "认定机关", "日期", "有效期至", "是否公开"]


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)


def workbook(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "信用信息"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name="records.xlsx", follow=False):
    return client.post(f"{M}/import/", {"file": SimpleUploadedFile(name, content)}, follow=follow)


def defaulter(org, **over):
    row = {"uscc": org.uscc, "kind": "court_defaulter", "title": "被列为失信被执行人",
           "content": "(2026)粤0402执123号", "source": "中国执行信息公开网", "body": "珠海市香洲区人民法院",
           "date": dt.date(2026, 11, 2), "until": None, "public": "是"}
    row.update(over)
    return [row["uscc"], row["kind"], row["title"], row["content"], row["source"], row["body"], row["date"],
            row["until"], row["public"]]


@pytest.fixture
def en(client_for):
    def get(name):
        client = client_for(name)
        client.cookies["django_language"] = "en"
        return client

    return get


def test_the_template_has_the_columns_and_the_kinds(en):
    response = en("officer_zhuhai").get(f"{M}/import/template/")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["信用信息", "类别 Kinds"]
    assert [c.value for c in book["信用信息"][1]] == HEADER
    kinds = {row[0].value: row[1].value for row in book["类别 Kinds"].iter_rows(min_row=2, max_row=12)}
    assert kinds["court_defaulter"] == "被人民法院列为失信被执行人" and "other_dishonest" in kinds


def test_a_good_file_imports_every_row_and_runs_the_rules(actors, en):
    org_a, org_b = actors["org_a"], actors["org_b"]
    content = workbook([
        defaulter(org_a, kind="失信被执行人"),  # the kind by its short Chinese name
        # The kind by its English name, text dates, public "否".
        defaulter(org_b, kind="Commendation", title="市级先进社会组织", date="2026/10/01", until="2027-10-01",
                  public="否", source="市政府文件", body="珠海市人民政府"),
    ])
    response = upload(en("officer_zhuhai"), content, follow=True)
    html = response.content.decode()
    assert "2 credit record(s) imported for 2 organization(s); 0 row(s) were already imported." in html
    assert "1 new notice(s)" in html
    a = CreditRecord.objects.get(organization=org_a)
    b = CreditRecord.objects.get(organization=org_b)
    assert a.kind == "court_defaulter" and len(a.import_key) == 64 and a.is_public
    assert b.kind == "commendation" and b.occurred_on == dt.date(2026, 10, 1) and b.valid_until == dt.date(2027, 10, 1)
    assert not b.is_public
    entry = ListEntry.objects.get(organization=org_a)
    assert entry.list == CreditList.DISHONEST and entry.status == ListingStatus.NOTICED
    assert not ListEntry.objects.filter(organization=org_b).exists()  # a commendation is information only
    assert AuditEvent.objects.filter(action="credit.record").count() == 2
    assert AuditEvent.objects.get(action="credit.import").after["created"] == 2


def test_importing_the_same_file_twice_adds_nothing(actors, en):
    content = workbook([defaulter(actors["org_a"]), defaulter(actors["org_a"])])  # the same row twice, too
    html = upload(en("officer_zhuhai"), content, follow=True).content.decode()
    assert "1 credit record(s) imported for 1 organization(s); 1 row(s) were already imported." in html
    html = upload(en("officer_zhuhai"), content, follow=True).content.decode()
    assert "0 credit record(s) imported for 0 organization(s); 2 row(s) were already imported." in html
    assert CreditRecord.objects.count() == 1 and ListEntry.objects.count() == 1


def test_any_bad_row_saves_nothing_and_every_error_is_named_by_row_and_column(actors, en):
    org_a = actors["org_a"]
    content = workbook([
        defaulter(org_a),  # row 2: fine
        defaulter(org_a, uscc="91440400MA4UXXXXXX"),  # row 3: not a valid code
        defaulter(actors["org_foshan"]),  # row 4: not in the jurisdiction
        defaulter(org_a, kind="罚款"),  # row 5: unknown kind
        defaulter(org_a, date="2026-13-45"),  # row 6: not a date
        defaulter(org_a, date=dt.date(2026, 12, 1)),  # row 7: in the future
        defaulter(org_a, title="", body=""),  # row 8: two required cells empty
        defaulter(org_a, until=dt.date(2026, 1, 1)),  # row 9: ends before it starts
        defaulter(org_a, public="也许"),  # row 10: neither yes nor no
    ])
    response = upload(en("officer_zhuhai"), content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file has 9 errors. Nothing was saved" in html
    problems = [(p.row, p.column) for p in imports.check(
        actor=actors["officer_zhuhai"], upload=SimpleUploadedFile("r.xlsx", content), today=dt.date(2026, 11, 23))[1]]
    assert problems == [(3, "A 统一社会信用代码"), (4, "A 统一社会信用代码"), (5, "B 类别"), (6, "G 日期"), (7, "G 日期"),
                        (8, "C 标题"), (8, "F 认定机关"), (9, "H 有效期至"), (10, "I 是否公开")]
    assert "No organization with this code is registered in your jurisdiction." in html
    assert "Unknown kind “罚款”" in html and "The date cannot be in the future." in html
    assert not CreditRecord.objects.exists() and not ListEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["credit.record", "credit.import"]).exists()


def test_missing_columns_are_named(actors, en):
    html = upload(en("officer_zhuhai"), workbook([["x"]], header=["统一社会信用代码", "标题"])).content.decode()
    assert "Missing columns: 类别 (Kind)" in html and not CreditRecord.objects.exists()


def test_english_headers_and_a_title_row_above_them_are_read(actors, en):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年11月失信被执行人名单"])
    sheet.append(["USCC", "Kind", "Title", "Content", "Source", "Deciding body", "Date", "Valid until", "Public"])
    sheet.append(defaulter(actors["org_a"]))
    buffer = io.BytesIO()
    book.save(buffer)
    upload(en("officer_zhuhai"), buffer.getvalue())
    assert CreditRecord.objects.count() == 1


def test_a_file_that_is_not_xlsx_gets_a_clear_error(en):
    html = upload(en("officer_zhuhai"), b"uscc,kind\n1,2\n", name="records.csv").content.decode()
    assert "The file is not an Excel .xlsx workbook." in html
    html = upload(en("officer_zhuhai"), b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="records.xls").content.decode()
    assert "old-format .xls workbook" in html
    html = upload(en("officer_zhuhai"), b"PK\x03\x04garbage", name="records.xlsx").content.decode()
    assert "damaged file or another kind of document" in html
    assert not CreditRecord.objects.exists()


def test_an_empty_sheet_is_refused(en):
    html = upload(en("officer_zhuhai"), workbook([])).content.decode()
    assert "The sheet has no data rows below the header." in html


def test_an_oversized_upload_is_refused(actors, en, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 1000)
    response = upload(en("officer_zhuhai"), b"PK\x03\x04" + b"x" * 100_000)  # over the limit + 64 KB of slack
    assert response.status_code == 413 and "larger than 1000 bytes" in response.content.decode()
    response = upload(en("officer_zhuhai"), workbook([defaulter(actors["org_a"])]))  # within the slack: read, refused
    assert response.status_code == 200 and "larger than 1000 bytes" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_the_foshan_officer_cannot_import_for_zhuhai(actors, en):
    html = upload(en("officer_foshan"), workbook([defaulter(actors["org_a"])])).content.decode()
    assert "No organization with this code is registered in your jurisdiction." in html
    assert not CreditRecord.objects.exists()


def test_too_many_rows_are_refused(actors, en, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    content = workbook([defaulter(actors["org_a"], title=f"记录{i}") for i in range(3)])
    html = upload(en("officer_zhuhai"), content).content.decode()
    assert "The sheet has 3 rows; import at most 2 at a time." in html and not CreditRecord.objects.exists()
