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
