"""Bulk import of annual reports from Excel: the template, the row checks, atomicity, the error
copy, idempotent re-import, updates, the background task and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models.signals import post_save
from django.utils import translation

from gongxin.annual import imports, services
from gongxin.annual.models import (
    AnnualReport,
    FactKind,
    ImportJob,
    ReportSource,
    ReportStatus,
    SupervisionFact,
)
from gongxin.annual.tasks_imports import import_run
from gongxin.core.models import AuditEvent, Region
from gongxin.registry.models import AnnualMode, JurisdictionPolicy

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)  # 2025's reports were due on 31 May 2026


@pytest.fixture(autouse=True)
def _frozen_and_isolated(time_machine, settings, tmp_path):
    time_machine.move_to(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    settings.MEDIA_ROOT = tmp_path / "media"


def row(org, **changes) -> dict:
    values = {
        "uscc": org.uscc, "year": 2025, "submitted_on": dt.date(2026, 4, 20),
        "total_assets": 500000, "total_liabilities": 100000.5, "net_assets": 399999.5, "income": 300000,
        "expenses": 280000, "donations_received": "", "grants_given": 0, "government_funding": 12000,
        "staff_count": 5, "member_count": 120, "branch_count": 0, "activity_count": 12,
        "activities": "举办行业培训 6 场。", "party_org_established": "是", "conclusion": "", "conclusion_reasons": "",
    }
    values.update(changes)
    return values


def workbook(path, rows: list[dict]):
    """The downloaded template with rows filled in from row 3, as an officer would."""
    book = openpyxl.load_workbook(io.BytesIO(imports.template_workbook()))
    sheet = book[imports.SHEET_NAME]
    for r, values in enumerate(rows, start=3):
        for c, column in enumerate(imports.COLUMNS, start=1):
            sheet.cell(row=r, column=c, value=values.get(column.key, ""))
    book.save(path)
    return path


def run(actor, path, *, dry_run=False) -> ImportJob:
    """Import as the web page does, synchronously; messages in English (the job's language)."""
    with open(path, "rb") as fh:
        job = imports.import_request(actor=actor, upload=File(fh, name=path.name), dry_run=dry_run, enqueue=False,
                                     language="en")
    return imports.import_run_now(job.id)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def column_letter(key: str) -> str:
    return openpyxl.utils.get_column_letter([c.key for c in imports.COLUMNS].index(key) + 1)


def test_template_downloads_and_reads_back(actors, client_for, tmp_path):
    response = client_for("officer_zhuhai").get("/annual/imports/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "年度报告" and "示例 Example" in book.sheetnames
    data = book["年度报告"]
    assert data["A1"].value == "*统一社会信用代码" and data["A2"].value == "USCC"
    assert [c.value for c in data[2]] == [c.en for c in imports.COLUMNS]
    lists = {dv.formula1 for dv in data.data_validations.dataValidation if dv.type == "list"}
    assert '"是,否"' in lists and '"合格,基本合格,不合格"' in lists
    assert book["示例 Example"]["A3"].value == "51100000500002862F"
    sheet = imports.Sheet(str(path))
    assert sheet.missing == [] and sheet.first_data_row == 3 and list(sheet.data_rows()) == []
    # The example row, with a real organization's code, imports as it stands.
    example = {c.key: book["示例 Example"].cell(row=3, column=i).value for i, c in enumerate(imports.COLUMNS, 1)}
    example.update(uscc=actors["org_a"].uscc, year=2025, submitted_on=dt.date(2026, 3, 28))
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "example.xlsx", [example]))
    assert job.status == ImportJob.Status.DONE, job.errors
    report = AnnualReport.objects.get()
    assert report.conclusion == "basic_pass" and report.conclusion_reasons == ["meetings", "finances"]


def test_a_bad_row_in_the_middle_saves_nothing_and_names_row_and_column(actors, client_for, make_org, tmp_path):
    org_c = make_org("珠海市测试丁协会", region="440402")
    rows = [row(actors["org_a"]), row(actors["org_b"], income="三十万"), row(org_c)]
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "bad.xlsx", rows))
    assert job.status == ImportJob.Status.FAILED and job.error_count == 1
    assert AnnualReport.objects.count() == 0 and not AuditEvent.objects.filter(action="annual.import").exists()
    [error] = job.errors
    assert error["row"] == 4 and error["column"] == column_letter("income") and error["header"] == "收入合计（元）"
    assert error["value"] == "三十万" and "amount" in error["reason"]
    page = client_for("officer_zhuhai").get(f"/annual/imports/{job.id}/").content.decode()
    assert 'data-testid="import-errors"' in page and "三十万" in page and "收入合计（元）" in page
    assert 'data-testid="import-error-file"' in page and "hx-get" not in page  # finished: no more polling


def test_the_error_file_marks_the_cell_red_with_the_reason(actors, client_for, tmp_path):
    rows = [row(actors["org_a"]), row(actors["org_b"], net_assets=1)]
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "bad.xlsx", rows))
    response = client_for("officer_zhuhai").get(f"/annual/imports/{job.id}/errors.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet[f"{column_letter('net_assets')}4"]
    assert cell.value == 1 and cell.fill.fgColor.rgb == "FFFFC7CE"
    assert "Net assets must equal total assets minus total liabilities" in cell.comment.text
    good = sheet[f"{column_letter('net_assets')}3"]
    assert good.fill.fill_type is None and good.comment is None
    assert sheet["A1"].value == "*统一社会信用代码" and sheet["A3"].value == actors["org_a"].uscc
    assert "净资产" in sheet.cell(row=4, column=len(imports.COLUMNS) + 1).value  # the row's errors, in words
    assert client_for("officer_foshan").get(f"/annual/imports/{job.id}/errors.xlsx").status_code == 404


def test_import_sets_status_lateness_and_facts(actors, make_org, tmp_path):
    org_c = make_org("珠海市测试丁协会", region="440402")
    SupervisionFact.objects.create(organization=org_c, kind=FactKind.REPORT_MISSING, key="2025",
                                   occurred_on=dt.date(2026, 6, 1))
    rows = [row(actors["org_a"], conclusion="不合格", conclusion_reasons="for_profit；财务管理不规范"),
            row(actors["org_b"]),
            row(org_c, submitted_on="2026/6/3")]
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "ok.xlsx", rows))
    assert job.status == ImportJob.Status.DONE and job.created_count == 3, job.errors
    a, b, c = (AnnualReport.objects.get(organization=o) for o in (actors["org_a"], actors["org_b"], org_c))
    assert (a.status, a.conclusion, a.conclusion_reasons) == (ReportStatus.REVIEWED, "fail", ["for_profit", "finances"])
    assert a.published_on == TODAY and a.reviewed_by == actors["officer_zhuhai"] and a.source == ReportSource.IMPORT
    assert b.status == ReportStatus.AUTHORITY_REVIEW and b.published_on is None and not b.late
    assert b.net_assets == Decimal("399999.50") and b.donations_received is None and b.party_org_established is True
    assert c.late and c.submitted_at.date() == dt.date(2026, 6, 3)
    late = SupervisionFact.objects.get(kind=FactKind.REPORT_LATE)
    assert (late.organization, late.key, late.occurred_on) == (org_c, "2025", dt.date(2026, 6, 3))
    assert SupervisionFact.objects.get(kind=FactKind.REPORT_MISSING).resolved_on == dt.date(2026, 6, 3)
    event = AuditEvent.objects.get(action="annual.import")
    assert event.after["sha256"] == job.file_sha256 and event.after["created"] == 3


def test_filing_mode_files_and_refuses_a_conclusion(actors, tmp_path):
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440400"), annual_mode=AnnualMode.FILING)
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "f.xlsx", [row(actors["org_a"], conclusion="合格")]))
    assert job.errors[0]["header"] == "年检结论" and "filing mode" in job.errors[0]["reason"]
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "g.xlsx", [row(actors["org_a"])]))
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.FILED and report.published_on == TODAY


def test_reimporting_the_same_file_changes_nothing(actors, client_for, tmp_path):
    path = workbook(tmp_path / "reports.xlsx", [row(actors["org_a"], conclusion="合格"), row(actors["org_b"])])
    first = run(actors["officer_zhuhai"], path)
    assert first.created_count == 2
    before = list(AnnualReport.objects.values_list("pk", "version", "updated_at", "status").order_by("pk"))
    again = run(actors["officer_zhuhai"], path)
    assert (again.status, again.created_count, again.updated_count, again.unchanged_count) == ("done", 0, 0, 2)
    assert list(AnnualReport.objects.values_list("pk", "version", "updated_at", "status").order_by("pk")) == before
    page = english(client_for("officer_zhuhai")).get(f"/annual/imports/{again.id}/").content.decode()
    assert "Nothing changed" in page
    assert 'data-testid="import-previous"' in page
    assert AuditEvent.objects.filter(action="annual.import").count() == 2  # one per applied import


def test_a_changed_row_updates_the_imported_report(actors, tmp_path):
    run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"]), row(actors["org_b"])]))
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "b.xlsx", [
        row(actors["org_a"], income=310000, conclusion="基本合格", conclusion_reasons="meetings"),
        row(actors["org_b"])]))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    report = AnnualReport.objects.get(organization=actors["org_a"])
    assert report.version == 2 and report.income == Decimal("310000.00") and report.status == ReportStatus.REVIEWED
    assert AnnualReport.objects.get(organization=actors["org_b"]).version == 1


def test_a_report_submitted_online_is_not_replaced(actors, tmp_path):
    content = {"total_assets": 10, "total_liabilities": 0, "net_assets": 10, "income": 1, "expenses": 1,
               "staff_count": 1, "activity_count": 1, "activities": "活动", "compliance": "守法",
               "party_org_established": False, "self_governance_check": ["self_run"]}
    draft = services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                                       data=content)
    services.report_submit(actor=actors["org_user_a"], report=draft, expected_version=draft.version)
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"])]))
    assert job.status == ImportJob.Status.FAILED
    assert "Already submitted online" in job.errors[0]["reason"] and job.errors[0]["row"] == 3
    assert AnnualReport.objects.get().source == ReportSource.ONLINE


def test_an_exempt_year_is_refused_with_the_reason(actors, make_org, tmp_path):
    young = make_org("珠海市测试新协会", region="440402", established_on=dt.date(2025, 8, 1))
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(young)]))
    [error] = job.errors
    assert error["header"] == "年度" and "Exempt" in error["reason"] and "2025-08-01" in error["reason"]


def test_a_foshan_officer_cannot_import_a_zhuhai_organization(actors, tmp_path):
    job = run(actors["officer_foshan"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"])]))
    [error] = job.errors
    assert error["header"] == "统一社会信用代码"
    assert error["reason"] == "No organization with this code in your jurisdiction."
    assert AnnualReport.objects.count() == 0


def test_row_checks_name_what_is_wrong(actors, tmp_path):
    rows = [row(actors["org_a"], uscc="53100000500020462H"), row(actors["org_b"], year=2026),
            row(actors["org_b"], conclusion="基本合格"), row(actors["org_b"], staff_count=-1),
            row(actors["org_b"], conclusion="合格", conclusion_reasons="会费"),
            row(actors["org_b"], submitted_on=dt.date(2025, 12, 1), party_org_established="也许")]
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", rows))
    found = {(e["row"], e["header_en"]): e["reason"] for e in job.errors}
    assert found[(3, "USCC")].startswith("Not a valid unified social credit code") and "K" in found[(3, "USCC")]
    assert "between 2000 and 2025" in found[(4, "Year")]
    assert "at least one reason" in found[(5, "Conclusion reasons")]
    assert "whole number" in found[(6, "Full-time staff")]
    assert "会费" in found[(7, "Conclusion reasons")]
    assert "before the year is over" in found[(8, "Submitted on")]
    assert "是" in found[(8, "Party organization established")]


def test_the_same_report_twice_in_a_file_is_an_error_on_the_second_row(actors, tmp_path):
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"]), row(actors["org_a"])]))
    [error] = job.errors
    assert error["row"] == 4 and "Row 3 already has" in error["reason"]


def test_dry_run_checks_and_saves_nothing(actors, tmp_path):
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"])]), dry_run=True)
    assert job.status == ImportJob.Status.DONE and job.created_count == 1
    assert AnnualReport.objects.count() == 0


def test_the_task_runs_the_import_and_reports_progress(actors, make_org, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 1)
    org_c = make_org("珠海市测试丁协会", region="440402")
    path = workbook(tmp_path / "a.xlsx", [row(actors["org_a"]), row(actors["org_b"]), row(org_c)])
    with open(path, "rb") as fh:
        job = imports.import_request(actor=actors["officer_zhuhai"], upload=File(fh, name="a.xlsx"), enqueue=False,
                                     language="en")
    seen = []

    def watch(sender, instance, **kwargs):
        seen.append((instance.status, instance.done, instance.total))

    post_save.connect(watch, sender=ImportJob)
    try:
        import_run.call(str(job.id))
    finally:
        post_save.disconnect(watch, sender=ImportJob)
    assert ("validating", 1, 3) in seen and ("validating", 2, 3) in seen
    assert [s for s, _d, _t in seen][-1] == "done"
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert AnnualReport.objects.count() == 3


def test_the_cli_imports_with_a_progress_line(actors, tmp_path, capsys):
    with translation.override("en"):  # the command reports in the active language (the job's)
        path = workbook(tmp_path / "a.xlsx", [row(actors["org_a"]), row(actors["org_b"])])
        call_command("import", "annual-reports", str(path), "--actor", "officer_zh", "--dry-run")
        assert AnnualReport.objects.count() == 0
        call_command("import", "annual-reports", str(path), "--actor", "officer_zh")
        out, err = capsys.readouterr()
        assert "checking: 2/2 rows" in err and "saving: 2/2 rows" in err
        assert "Imported: 2 rows" in out and "2 created" in out
        assert AnnualReport.objects.count() == 2
        bad = workbook(tmp_path / "b.xlsx", [row(actors["org_foshan"])])
        with pytest.raises(CommandError, match="1 errors in 1 rows; nothing was saved"):
            call_command("import", "annual-reports", str(bad), "--actor", "officer_zh")
        assert "No organization with this code in your jurisdiction" in capsys.readouterr().err
        with pytest.raises(CommandError, match="not a registration officer"):
            call_command("import", "annual-reports", str(path), "--actor", "org_a")


def test_the_upload_form_refuses_what_is_not_an_xlsx_workbook(actors, client_for):
    client = english(client_for("officer_zhuhai"))
    cases = [
        (SimpleUploadedFile("r.csv", b"uscc,year\n"), ".xlsx"),
        (SimpleUploadedFile("r.xlsx", b"uscc,year\n"), "not an Excel .xlsx workbook"),
        (SimpleUploadedFile("r.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100), "old-format .xls"),
    ]
    for upload, message in cases:
        response = client.post("/annual/imports/", {"file": upload})
        assert response.status_code == 200 and message in response.content.decode()
    too_long = client.generic("POST", "/annual/imports/", b"--x--", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(imports.MAX_UPLOAD_BYTES + 10**6))
    assert too_long.status_code == 413 and "larger than 50 MB" in too_long.content.decode()
    assert ImportJob.objects.count() == 0
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04")
    big.size = imports.MAX_UPLOAD_BYTES + 1
    with translation.override("en"), pytest.raises(imports.FileRefused, match="larger than 50 MB"):
        imports.upload_check(big)


def test_upload_queues_a_job_that_only_its_requester_sees(actors, client_for, tmp_path):
    path = workbook(tmp_path / "a.xlsx", [row(actors["org_a"])])
    client = client_for("officer_zhuhai")
    with open(path, "rb") as fh:
        response = client.post("/annual/imports/", {"file": fh})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/annual/imports/{job.id}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in page and "hx-get" in page and "<progress" in page
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-status"')
    for other in ("officer_foshan", "admin", "org_user_a"):
        assert client_for(other).get(f"/annual/imports/{job.id}/").status_code == 404
    assert "a.xlsx" in client.get("/annual/imports/").content.decode()  # listed among the recent imports


def test_columns_are_found_by_header_under_a_title_row_in_any_order(actors, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "珠海市 2025 年度工作报告汇总"  # a title row above the header, no English row
    columns = list(reversed(imports.COLUMNS))
    sheet.append([])
    for i, c in enumerate(columns, start=1):
        sheet.cell(row=3, column=i + 1, value=c.zh)  # starting in column B
    for r, values in ((4, row(actors["org_a"])), (6, row(actors["org_b"], staff_count="五"))):  # row 5 blank
        for i, c in enumerate(columns, start=1):
            sheet.cell(row=r, column=i + 1, value=values[c.key])
    book.save(tmp_path / "free.xlsx")
    job = run(actors["officer_zhuhai"], tmp_path / "free.xlsx")
    [error] = job.errors
    letter = openpyxl.utils.get_column_letter(columns.index(imports.BY_KEY["staff_count"]) + 2)
    assert (error["row"], error["column"], error["header_en"]) == (6, letter, "Full-time staff")
    assert job.total == 2
    book.active.delete_rows(6)
    book.save(tmp_path / "free.xlsx")
    assert run(actors["officer_zhuhai"], tmp_path / "free.xlsx").created_count == 1


def test_a_file_without_the_template_columns_is_refused_with_the_missing_ones(actors, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["统一社会信用代码", "年度", "名称"])
    book.active.append([actors["org_a"].uscc, 2025, "甲"])
    book.save(tmp_path / "other.xlsx")
    job = run(actors["officer_zhuhai"], tmp_path / "other.xlsx")
    assert job.status == ImportJob.Status.FAILED and AnnualReport.objects.count() == 0
    assert {e["header"] for e in job.errors} == {c.zh for c in imports.COLUMNS[2:]}
    copy = openpyxl.load_workbook(job.error_file.path).active
    assert "提交日期" in copy.cell(row=1, column=len(imports.COLUMNS) + 1).value


# The apply writes plain rows and the check reads them back without the ORM (imports/sql.py):
# the update paths, the conflict check and the value round trips, on either database.


def test_a_reimport_without_a_conclusion_keeps_the_review(actors, tmp_path):
    run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"], conclusion="合格")]))
    reviewed = AnnualReport.objects.get()
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "b.xlsx", [row(actors["org_a"], income=310000)]))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 0), job.errors
    report = AnnualReport.objects.get()
    assert report.income == Decimal("310000.00") and report.version == 2
    assert (report.status, report.conclusion, report.conclusion_reasons) == (ReportStatus.REVIEWED, "pass", [])
    assert (report.reviewed_at, report.reviewed_by_id, report.published_on) == (
        reviewed.reviewed_at, actors["officer_zhuhai"].pk, TODAY)


def test_a_filed_report_changed_by_a_later_import_keeps_its_publication_date(actors, tmp_path, time_machine):
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440400"), annual_mode=AnnualMode.FILING)
    run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"])]))
    time_machine.move_to(dt.datetime(2026, 6, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "b.xlsx", [row(actors["org_a"], staff_count=9)]))
    assert job.updated_count == 1, job.errors
    report = AnnualReport.objects.get()
    assert (report.status, report.published_on, report.staff_count, report.version) == (
        ReportStatus.FILED, TODAY, 9, 2)


def test_a_report_changed_between_the_check_and_the_save_stops_the_import(actors, tmp_path, monkeypatch):
    run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", [row(actors["org_a"]), row(actors["org_b"])]))
    apply_chunk = imports.Writer.apply_chunk

    def meanwhile(self, plans):  # the organization edits its report after the check
        AnnualReport.objects.filter(organization=actors["org_b"]).update(version=5, income=1)
        return apply_chunk(self, plans)

    monkeypatch.setattr(imports.Writer, "apply_chunk", meanwhile)
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "b.xlsx", [
        row(actors["org_a"], income=1000), row(actors["org_b"], income=2000)]))
    assert job.status == ImportJob.Status.FAILED and "row 4" in job.failure
    assert AnnualReport.objects.get(organization=actors["org_a"]).income == Decimal("300000.00")


def test_amounts_are_rounded_half_up_and_read_back_as_unchanged(actors, tmp_path):
    path = workbook(tmp_path / "a.xlsx", [row(actors["org_a"], total_assets=500000.125, total_liabilities=100000.5,
                                              net_assets=399999.63, income=" ¥1,234.5 元", expenses="0.005",
                                              government_funding=1234567890.99, member_count="1,200")])
    first = run(actors["officer_zhuhai"], path)
    assert first.created_count == 1, first.errors
    report = AnnualReport.objects.get()
    assert (report.total_assets, report.net_assets, report.income, report.expenses) == (
        Decimal("500000.13"), Decimal("399999.63"), Decimal("1234.50"), Decimal("0.01"))
    assert report.member_count == 1200 and report.donations_received is None
    again = run(actors["officer_zhuhai"], path)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)


def test_errors_in_several_columns_of_a_row_come_in_column_order(actors, tmp_path):
    rows = [row(actors["org_a"], uscc=" " + actors["org_a"].uscc.lower() + " ", year="2025年", income="",
                staff_count=1.5, party_org_established=" 有 ", conclusion="合格", conclusion_reasons="会费、meetings")]
    job = run(actors["officer_zhuhai"], workbook(tmp_path / "a.xlsx", rows))
    assert [(e["header_en"], e["value"]) for e in job.errors] == [
        ("Income (yuan)", ""), ("Full-time staff", "1.5"), ("Conclusion reasons", "会费、meetings")]
    assert "required" in job.errors[0]["reason"] and "会费" in job.errors[2]["reason"]


def test_codes_with_any_characters_are_looked_up_safely(actors):
    from gongxin.annual.imports import sql
    from gongxin.registry.models import Organization

    codes = [actors["org_a"].uscc, 'a"b', "c\\d", "NULL", "", "统一,{x}", "e'f", "%s"]
    where, params = sql.among(Organization, "uscc", codes)
    found = sql.select(f"SELECT {sql.columns(Organization, ['uscc'])} FROM {sql.table(Organization)} "
                       f"WHERE {where}", params)
    assert found == [(actors["org_a"].uscc,)]


def test_an_amount_of_a_trillion_yuan_or_more_is_refused():
    from gongxin.annual.imports.cells import RowError, clean_money

    assert clean_money(999_999_999_999.994) == Decimal("999999999999.99")
    for value in (1e12, "1000000000000.00", 5e13):
        with pytest.raises(RowError):
            clean_money(value)


def test_the_error_copy_writes_a_cell_that_looks_like_a_formula_or_a_link_as_text(actors, client_for, tmp_path):
    from tests.core.hostile_sheets import HOSTILE_TEXTS, assert_inert

    path = workbook(tmp_path / "hostile.xlsx", [row(actors["org_a"], activities="x"),
                                                  row(actors["org_b"], net_assets=1, activities="y")])
    book = openpyxl.load_workbook(path)
    sheet = book[imports.SHEET_NAME]
    col = [c.key for c in imports.COLUMNS].index("activities") + 1
    for r, text in ((3, HOSTILE_TEXTS[0]), (4, HOSTILE_TEXTS[1])):
        cell = sheet.cell(row=r, column=col, value=text)
        cell.data_type = "s"  # a text, as typed with a leading apostrophe
    book.save(path)
    job = run(actors["officer_zhuhai"], path)
    assert job.status == ImportJob.Status.FAILED and job.error_file
    response = client_for("officer_zhuhai").get(f"/annual/imports/{job.id}/errors.xlsx")
    assert_inert(b"".join(response.streaming_content), *HOSTILE_TEXTS[:2])
    assert "filename*=UTF-8''hostile%EF%BC%88" in response["Content-Disposition"]  # hostile（已标注错误）.xlsx


def test_a_file_with_more_data_rows_than_the_limit_is_refused_and_saves_nothing(actors, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    orgs = [actors["org_a"], actors["org_b"]]
    path = workbook(tmp_path / "three.xlsx", [row(orgs[0]), row(orgs[1]), row(orgs[0], year=2024)])
    job = run(actors["officer_zhuhai"], path)
    assert job.status == ImportJob.Status.FAILED and not AnnualReport.objects.exists()
    assert job.failure == ("The file has more than 2 rows of data; this import reads at most 2 at a time. Split it "
                           "into several files.")


def test_the_import_page_and_the_template_say_the_limits(actors, client_for):
    client = english(client_for("officer_zhuhai"))
    page = client.get("/annual/imports/").content.decode()
    assert "One file holds at most 100,000 rows of data (64 columns, 3,000,000 cells) and 50 MB" in page
    template = client.get("/annual/imports/template.xlsx")
    assert template["Content-Disposition"] == 'attachment; filename="Annual report import template.xlsx"'
    chinese = client_for("officer_zhuhai").get("/annual/imports/template.xlsx")["Content-Disposition"]
    assert chinese.endswith("filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A%E5%AF%BC%E5%85%A5"
                            "%E6%A8%A1%E6%9D%BF.xlsx")  # 年度工作报告导入模板.xlsx
    notes = openpyxl.load_workbook(io.BytesIO(template.content))["说明 Codes"]
    assert any("At most 100,000 rows of data" in str(c.value) for c in notes["A"])


def test_the_retention_purge_deletes_old_import_files_and_orphaned_attachments(actors, settings, tmp_path,
                                                                               time_machine):
    import os

    from gongxin.annual.nightly import nightly_run
    from gongxin.core.retention import retention_purge

    settings.RETENTION_IMPORT_DAYS, settings.RETENTION_SUPERSEDED_DAYS = 90, 7
    media = tmp_path / "media"
    bad = run(actors["officer_zhuhai"], workbook(tmp_path / "bad.xlsx", [row(actors["org_b"], net_assets=1)]))
    upload, copy = media / bad.file.name, media / bad.error_file.name
    assert upload.exists() and copy.exists()
    orphan = media / "annual" / "2026" / "left-behind.pdf"
    kept = media / "annual" / "2026" / "kept.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.4\n")
    kept.write_bytes(b"%PDF-1.4\n")
    AnnualReport.objects.create(organization=actors["org_a"], year=2024, financial_report="annual/2026/kept.pdf")
    stamp = dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp()
    for f in (orphan, kept):
        os.utime(f, (stamp, stamp))
    time_machine.move_to(dt.datetime(2026, 6, 30, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    assert retention_purge() == {"exports": 0, "imports": 0, "superseded": 1}  # the import is 15 days old
    assert not orphan.exists() and kept.exists() and upload.exists()
    time_machine.move_to(dt.datetime(2026, 9, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    result = nightly_run()
    assert result["retention"]["imports"] == 2 and not upload.exists() and not copy.exists()
    bad.refresh_from_db()
    assert bad.purged_at is not None and not bad.file and not bad.error_file and bad.error_count == 1
    assert AuditEvent.objects.filter(action="retention.purge").count() == 2
