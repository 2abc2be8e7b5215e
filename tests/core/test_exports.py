import io

import openpyxl
import pytest
from django.core.management import call_command

from gongxin.core.models import AuditEvent, ExportJob

pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker():
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_officer_exports_the_workspace_list_of_their_jurisdiction(actors, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("officer_zhuhai")
    response = client.post("/accounts/export/", {"q": ""})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.id}/"
    page = client.get(f"/exports/{job.id}/").content.decode()
    assert 'data-status="queued"' in page and "hx-get" in page  # the page polls while waiting
    _run_worker()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.done == job.total == 2
    fragment = client.get(f"/exports/{job.id}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="export-download"' in fragment and "hx-get" not in fragment
    download = client.get(f"/exports/{job.id}/download/")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("名称", "统一社会信用代码")
    assert sorted(r[0] for r in rows[1:]) == sorted([actors["org_a"].name, actors["org_b"].name])
    assert actors["org_foshan"].name not in {r[0] for r in rows}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"export.request", "export.done", "export.download"} <= actions


def test_someone_elses_export_is_not_found(actors, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client_for("officer_zhuhai").post("/accounts/export/", {"q": "测试"})
    job = ExportJob.objects.get()
    _run_worker()
    for actor in ("officer_foshan", "org_user_a", "admin"):
        assert client_for(actor).get(f"/exports/{job.id}/").status_code == 404
        assert client_for(actor).get(f"/exports/{job.id}/download/").status_code == 404
    assert client_for("public").get(f"/exports/{job.id}/").status_code == 302  # to the login page


@pytest.mark.parametrize(("language", "header"), [("en", "Name"), ("zh-hans", "名称")])
def test_export_is_written_in_the_language_the_user_asked_in(actors, client_for, settings, tmp_path, language,
                                                             header):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("officer_zhuhai")
    client.cookies["django_language"] = language
    client.post("/accounts/export/", {"q": ""})
    _run_worker()
    job = ExportJob.objects.get()
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/exports/{job.id}/download/").getvalue())).active
    assert sheet.cell(1, 1).value == header


def test_an_export_links_back_to_the_list_it_was_started_from(actors, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("officer_zhuhai")
    response = client.post("/annual/queue/export/", {"status": "", "year": "2025", "q": ""},
                           HTTP_REFERER="http://testserver/annual/queue/?year=2025&sort=name")
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.id}/?next=%2Fannual%2Fqueue%2F%3Fyear%3D2025%26sort%3Dname"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-back"' in page and 'href="/annual/queue/?year=2025&amp;sort=name"' in page


@pytest.mark.parametrize("target", ["https://evil.example/annual/queue/", "//evil.example/x", "javascript:alert(1)"])
def test_an_export_never_links_back_off_site(actors, client_for, settings, tmp_path, target):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("officer_zhuhai")
    response = client.post("/accounts/export/", {"q": "", "next": target}, HTTP_REFERER=target)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.id}/"
    page = client.get(f"/exports/{job.id}/?next={target}").content.decode()
    assert 'data-testid="export-back"' not in page
@pytest.mark.parametrize("kind", sorted(__import__("gongxin.core.exports", fromlist=["EXPORTERS"]).EXPORTERS))
def test_every_export_kind_writes_formulas_and_links_as_text(actors, settings, tmp_path, monkeypatch, kind):
    """Whatever an exporter yields, the worker's file holds texts: no formula, no link."""
    from gongxin.core import exports
    from tests.core.hostile_sheets import HOSTILE_TEXTS, assert_inert

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setitem(exports.EXPORTERS, kind, lambda actor, params: exports.ExportData(
        headers=["名称", "说明"], total=1, rows=iter([HOSTILE_TEXTS, ["珠海市测试甲行业协会", 1]]), sheet="导出"))
    job = exports.export_request(actor=actors["officer_zhuhai"], kind=kind, params={})
    exports.export_run_now(str(job.id))
    job.refresh_from_db()
    assert_inert(job.file.read(), *HOSTILE_TEXTS)


def test_an_organization_export_keeps_a_hostile_name_as_text_and_is_named_in_chinese(actors, client_for, settings,
                                                                                    tmp_path, time_machine):
    from gongxin.core.text import normalize_identity
    from gongxin.registry.models import Organization
    from tests.core.hostile_sheets import HOSTILE_TEXTS, assert_inert

    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to("2026-12-07 10:00+08:00")
    Organization.objects.filter(pk=actors["org_a"].pk).update(legal_representative=HOSTILE_TEXTS[0],
                                                              address=HOSTILE_TEXTS[1], phone=HOSTILE_TEXTS[2])
    client = client_for("officer_zhuhai")
    client.post("/accounts/export/", {"q": ""})
    _run_worker()
    job = ExportJob.objects.get()
    response = client.get(f"/exports/{job.id}/download/")
    # The legal representative is a name (core.text): stored normalized, its brackets full-width.
    assert_inert(b"".join(response.streaming_content), normalize_identity(HOSTILE_TEXTS[0]), *HOSTILE_TEXTS[1:])
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Social organization registry_20261207.xlsx\"; "
        "filename*=UTF-8''%E7%A4%BE%E4%BC%9A%E7%BB%84%E7%BB%87%E5%90%8D%E5%BD%95_20261207.xlsx")


def test_export_columns_are_as_wide_as_their_chinese_content(actors, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("officer_zhuhai")
    client.post("/accounts/export/", {"q": ""})
    _run_worker()
    job = ExportJob.objects.get()
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(f"/exports/{job.id}/download/")
                                                       .streaming_content))).active
    name_width = sheet.column_dimensions["A"].width
    # 珠海市测试甲行业协会: ten Chinese characters, twenty character widths (a column is ~8.43 by default).
    assert 22 <= name_width <= 61


def test_the_retention_purge_deletes_old_export_files_keeps_the_rows_and_audits_once(actors, client_for, settings,
                                                                                     tmp_path, time_machine):
    import datetime as dt

    from gongxin.core.retention import retention_purge

    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_EXPORT_DAYS = 30
    time_machine.move_to("2026-10-01 10:00+08:00")
    client = client_for("officer_zhuhai")
    client.post("/accounts/export/", {"q": ""})
    _run_worker()
    old = ExportJob.objects.get()
    path = tmp_path / old.file.name
    assert path.exists()
    time_machine.move_to("2026-10-25 10:00+08:00")
    client = client_for("officer_zhuhai")  # signed in again: the session ended weeks ago
    client.post("/accounts/export/", {"q": "测试"})
    _run_worker()
    fresh = ExportJob.objects.exclude(pk=old.pk).get()
    time_machine.move_to("2026-11-01 02:00+08:00")
    counts = retention_purge()
    assert counts["exports"] == 1 and not path.exists() and (tmp_path / fresh.file.name).exists()
    old.refresh_from_db()
    assert old.purged_at is not None and not old.file and old.status == ExportJob.Status.DONE
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.after["deleted"]["exports"] == 1 and event.after["days"]["exports"] == 30
    client = client_for("officer_zhuhai")
    client.cookies["django_language"] = "en"
    assert client.get(f"/exports/{old.id}/download/").status_code == 404
    page = client.get(f"/exports/{old.id}/").content.decode()
    assert 'data-testid="export-purged"' in page and "deleted at the end of its retention period" in page
    assert retention_purge()["exports"] == 0  # a rerun changes nothing
    settings.RETENTION_EXPORT_DAYS = 0  # kept for ever
    time_machine.move_to(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert retention_purge()["exports"] == 0 and (tmp_path / fresh.file.name).exists()
