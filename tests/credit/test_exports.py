"""Joint-punishment exports (联合惩戒): the currently listed organizations of the officer's
jurisdiction as XLSX (through the worker), CSV (UTF-8 with a BOM) and JSON, each audited."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from gongxin.core.exports import export_run_now
from gongxin.core.models import AuditEvent, ExportJob
from gongxin.credit import engine, services
from gongxin.credit.models import ListEntry, RecordKind
from gongxin.registry.models import ResponsiblePerson
from tests.credit.conftest import TODAY

pytestmark = pytest.mark.django_db
M = "/credit/manage"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def listed(actors, fine, make_org, time_machine):
    """Organization A on both lists, a second Zhuhai organization noticed only (not exported),
    and a Foshan organization on the dishonesty list."""
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, tzinfo=SHANGHAI), tick=False)
    org_a, foshan = actors["org_a"], actors["org_foshan"]
    ResponsiblePerson.objects.create(organization=org_a, name="李娜", position="秘书长")
    services.record_create(actor=actors["officer_zhuhai"], organization=org_a, kind=RecordKind.PARTY_ORG_MISSING,
                           title="未建立党组织", source="检查", deciding_body="香洲区民政局",
                           occurred_on=dt.date(2026, 9, 1), evaluate=False, today=TODAY)
    fine(decided_on=dt.date(2026, 10, 1))
    fine(org=make_org("珠海市只告知协会", region="440402"))
    services.penalty_decide(actor=actors["officer_foshan"], organization=foshan, kind="fine",
                            decision_number="佛民罚字〔2026〕9号", facts="x", legal_basis="y",
                            decided_on=dt.date(2026, 10, 1), amount=60000, today=TODAY)
    engine.evaluate(today=dt.date(2026, 10, 9))
    for entry in ListEntry.objects.filter(objection_due__lt=TODAY):
        officer = actors["officer_foshan"] if entry.region_prefix.startswith("4406") else actors["officer_zhuhai"]
        services.listing_confirm(actor=officer, entry=entry, expected_version=entry.version, today=TODAY)
    engine.evaluate(today=TODAY)  # the second Zhuhai organization: noticed today
    assert ListEntry.objects.filter(status="listed").count() == 3
    return org_a


def _post(client, **data):
    return client.post(f"{M}/exports/download/", data)


def test_csv_export_opens_in_excel_and_lists_the_jurisdiction_only(listed, client_for):
    response = _post(client_for("officer_zhuhai"), format="csv", list="")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows[0]) == 9 and rows[0][:2] == ["统一社会信用代码", "名称"] and rows[0][7] == "法定代表人"
    data = rows[1:]
    assert {r[0] for r in data} == {listed.uscc} and len(data) == 2  # both lists; not the noticed one
    dishonest = next(r for r in data if "列入严重违法失信名单情形第(四)项" in r[5])
    assert dishonest[1] == "珠海市测试甲行业协会" and dishonest[3] == "2026-11-23"
    assert dishonest[7] == "张伟" and "秘书长 李娜" in dishonest[8] and dishonest[6] == "香洲区民政局"


def test_json_export_filters_by_list(listed, client_for):
    response = _post(client_for("officer_zhuhai"), format="json", list="abnormal")
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(b"".join(response.streaming_content))
    assert data["list"] == "abnormal" and data["count"] == 1 and len(data["items"]) == 1
    item = data["items"][0]
    assert item["uscc"] == listed.uscc and item["listed_on"] == "2026-11-23"
    assert item["responsible_persons"] == ["秘书长 李娜"] and item["legal_representative"] == "张伟"
    assert item["reasons"] == ListEntry.objects.get(organization=listed, list="abnormal").reason != ""


def test_foshan_exports_its_own_listing_only(listed, actors, client_for):
    data = json.loads(b"".join(_post(client_for("officer_foshan"), format="json").streaming_content))
    assert [i["uscc"] for i in data["items"]] == [actors["org_foshan"].uscc]
    everything = json.loads(b"".join(_post(client_for("admin"), format="json").streaming_content))
    assert everything["count"] == 3


def test_english_headers_for_an_english_user(listed, client_for):
    client = client_for("officer_zhuhai")
    client.cookies["django_language"] = "en"
    body = b"".join(_post(client, format="csv").streaming_content).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert header[:3] == ["Unified social credit code", "Name", "List"]
    assert "Serious violation and dishonesty list" in body


def test_xlsx_export_goes_through_the_worker(listed, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("officer_zhuhai")
    response = _post(client, format="xlsx", list="dishonest")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.id}/"
    assert job.kind == "credit_listed" and job.params["list"] == "dishonest"
    export_run_now(str(job.id))  # what the worker does (on_commit does not run in this test)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.total == 1
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/exports/{job.id}/download/").getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "名称") and len(rows) == 2
    assert rows[1][0] == listed.uscc and rows[1][2] == "严重违法失信名单" and rows[1][3] == "2026-11-23"
    assert "秘书长 李娜" in rows[1][8]


def test_every_export_is_audited(listed, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("officer_zhuhai")
    for fmt in ("csv", "json", "xlsx"):
        response = _post(client, format=fmt, list="dishonest")
        if fmt != "xlsx":
            b"".join(response.streaming_content)
    events = AuditEvent.objects.filter(action="credit.export").order_by("id")
    assert [e.after["format"] for e in events] == ["csv", "json", "xlsx"]
    assert all(e.after["rows"] == 1 and e.after["list"] == "dishonest" for e in events)
    assert all(e.actor_label == "officer_zh" for e in events)


def test_a_bad_format_is_answered_with_the_form(listed, client_for):
    response = _post(client_for("officer_zhuhai"), format="pdf")
    assert response.status_code == 400 and 'data-testid="export-form"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="credit.export").exists()


def test_nobody_else_may_export(listed, client_for):
    for actor in ("org_user_a", "sponsor", "purchaser"):
        assert _post(client_for(actor), format="csv").status_code == 404
    assert _post(client_for("public"), format="csv").status_code == 302


def test_csv_cells_cannot_run_as_formulas():
    from gongxin.credit.exports import _inert

    assert _inert("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _inert("@SUM(1)") == "'@SUM(1)" and _inert("珠海市协会") == "珠海市协会" and _inert("") == ""
