"""Credit reports: the PDF (embedded CJK subsets, the organization and the code readable back),
its stored hash and summary, who may issue and download it, and the public verification by
code and by uploaded file."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.core.models import AuditEvent
from gongxin.credit import engine
from gongxin.credit.models import CreditReport, ListEntry, ListingStatus
from gongxin.credit.reports import CODE_ALPHABET, CODE_LENGTH, credit_report_issue
from gongxin.credit.services import listing_confirm
from gongxin.registry.applications import NotAllowed

from .conftest import TODAY

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, time_machine):
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(dt.datetime(2026, 12, 10, 9, 30, tzinfo=SHANGHAI), tick=False)


def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def listed_a(actors, fine):
    """Organization A fined ¥60,000 (dishonesty list, ground D4) and listed."""
    penalty = fine("60000")
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = ListEntry.objects.get(organization=actors["org_a"], status=ListingStatus.NOTICED)
    listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                    today=entry.objection_due + dt.timedelta(days=1))
    actors["org_a"].refresh_from_db()
    return penalty


def _pdffonts(path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def _pdftotext(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_report_pdf_embeds_fonts_and_reads_back(actors, listed_a):
    report = credit_report_issue(actor=actors["org_user_a"], organization=actors["org_a"])
    assert len(report.code) == CODE_LENGTH and set(report.code) <= set(CODE_ALPHABET)
    path = report.file.path
    data = open(path, "rb").read()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == report.sha256

    fonts = _pdffonts(path)
    assert fonts
    for row in fonts:
        assert (row[-5], row[-4]) == ("yes", "yes"), row  # embedded, subset
        assert "+" in row[0], row
    text = "".join(_pdftotext(path).split())
    for expected in ("社会组织信用报告", actors["org_a"].name, actors["org_a"].uscc, report.code,
                     f"/credit/verify/{report.code}/", "严重违法失信名单", "列入时间", "列入事由", "列入机关",
                     "移出时间", "移出事由", listed_a.decision_number, "基础信息", "年报信息", "行政检查信息",
                     "行政处罚信息", "其他信息", "香洲区民政局"):
        assert expected in text, expected


def test_report_prints_the_full_verification_address(actors, listed_a, settings):
    settings.SITE_URL = "https://gongxin.example.gov.cn"
    report = credit_report_issue(actor=actors["org_user_a"], organization=actors["org_a"])
    text = "".join(_pdftotext(report.file.path).split())
    address = f"https://gongxin.example.gov.cn/credit/verify/{report.code}/"
    assert text.count(address) >= 2  # in the notes beside the QR code, and in every page's foot
    assert "扫描下方二维码" in text


def test_report_summary_and_audit(actors, listed_a):
    report = credit_report_issue(actor=actors["officer_zhuhai"], organization=actors["org_a"])
    summary = report.summary
    assert summary["organization"] == {"name": actors["org_a"].name, "uscc": actors["org_a"].uscc}
    assert summary["credit_status"] == "dishonest"
    assert summary["counts"]["dishonest_listed"] == 1 and summary["counts"]["penalties"] == 1
    assert summary["entries"][0]["listed_on"] and summary["entries"][0]["reason"]
    event = AuditEvent.objects.get(action="credit.report_issue")
    assert event.object_id == str(report.pk) and event.after["sha256"] == report.sha256


def test_a_double_submit_returns_the_report_just_issued(actors, time_machine):
    first = credit_report_issue(actor=actors["org_user_a"], organization=actors["org_a"])
    again = credit_report_issue(actor=actors["org_user_a"], organization=actors["org_a"])
    assert again.pk == first.pk
    time_machine.shift(dt.timedelta(minutes=1))
    later = credit_report_issue(actor=actors["org_user_a"], organization=actors["org_a"])
    assert later.pk != first.pk and later.code != first.code


def test_non_public_penalties_stay_out_of_the_report(actors, fine):
    hidden = fine("1000", is_public=False)
    report = credit_report_issue(actor=actors["org_user_a"], organization=actors["org_a"])
    assert hidden.decision_number not in "".join(_pdftotext(report.file.path).split())
    assert report.summary["counts"]["penalties"] == 0


@pytest.mark.parametrize("name", ["org_user_b", "officer_foshan", "purchaser", "sponsor"])
def test_only_the_organization_and_its_officers_may_issue(actors, name):
    with pytest.raises(NotAllowed):
        credit_report_issue(actor=actors[name], organization=actors["org_a"])
    assert not CreditReport.objects.exists()


def test_issue_and_download_pages(actors, client_for):
    client = en(client_for("org_user_a"))
    response = client.post("/credit/my/report/")
    assert response.status_code == 302 and response["Location"] == "/credit/my/reports/"
    report = CreditReport.objects.get()
    page = client.get("/credit/my/reports/").content.decode()
    assert report.code in page
    download = client.get(f"/credit/my/reports/{report.code}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == report.sha256
    assert client_for("org_user_b").get(f"/credit/my/reports/{report.code}/download/").status_code == 404
    assert client_for("officer_foshan").get(f"/credit/my/reports/{report.code}/download/").status_code == 404
    assert client_for("officer_zhuhai").get(f"/credit/my/reports/{report.code}/download/").status_code == 200


def test_officer_issues_for_an_organization_of_the_jurisdiction(actors, client_for):
    uscc = actors["org_a"].uscc
    response = client_for("officer_zhuhai").post("/credit/my/report/", {"uscc": uscc})
    assert response.status_code == 302 and response["Location"] == f"/credit/my/reports/?uscc={uscc}"
    assert CreditReport.objects.get().generated_by == actors["officer_zhuhai"]
    assert client_for("officer_foshan").post("/credit/my/report/", {"uscc": uscc}).status_code == 404
    assert client_for("officer_zhuhai").get("/credit/my/reports/").status_code == 404  # which organization?
    assert CreditReport.objects.count() == 1


@pytest.fixture
def report(actors, listed_a):
    return credit_report_issue(actor=actors["org_user_a"], organization=actors["org_a"])


def test_verification_page_finds_the_report(report, actors, client):
    page = en(client).get(f"/credit/verify/{report.code}/").content.decode()
    assert 'data-testid="report-genuine"' in page
    assert actors["org_a"].name in page and f"/orgs/{actors['org_a'].uscc}/" in page
    assert report.sha256 in page
    assert "Serious violation and dishonesty list" in page


def test_verification_by_form_accepts_typed_variants(report, client):
    typed = "-".join(report.code[i:i + 4] for i in range(0, 16, 4)).lower()
    response = client.get("/credit/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/credit/verify/{report.code}/"
    assert client.get(f"/credit/verify/{report.code.lower()}/")["Location"] == f"/credit/verify/{report.code}/"
    bad = en(client).get("/credit/verify/", {"code": "0000"})
    assert bad.status_code == 400 and "16 characters" in bad.content.decode()


def test_a_wrong_code_is_404(report, client):
    wrong = ("2" if report.code[0] != "2" else "3") + report.code[1:]
    response = en(client).get(f"/credit/verify/{wrong}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="report-not-found"' in page and report.sha256 not in page
    assert client.get("/credit/verify/not-a-code/").status_code == 404


def test_uploaded_pdf_matches_only_unchanged(report, client):
    data = open(report.file.path, "rb").read()
    same = en(client).post(f"/credit/verify/{report.code}/",
                           {"file": SimpleUploadedFile("r.pdf", data, content_type="application/pdf")})
    assert same.status_code == 200 and 'data-testid="check-match"' in same.content.decode()
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    other = en(client).post(f"/credit/verify/{report.code}/",
                            {"file": SimpleUploadedFile("r.pdf", bytes(changed), content_type="application/pdf")})
    page = other.content.decode()
    assert 'data-testid="check-mismatch"' in page and hashlib.sha256(bytes(changed)).hexdigest() in page
    assert CreditReport.objects.count() == 1


def test_oversized_upload_is_refused_unread(report, client, monkeypatch):
    from gongxin.credit import views_verify

    monkeypatch.setattr(views_verify, "MAX_UPLOAD", 1024)
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 200_000, content_type="application/pdf")
    response = en(client).post(f"/credit/verify/{report.code}/", {"file": big})
    assert response.status_code == 413 and 'data-testid="check-error"' in response.content.decode()


def test_the_upload_form_needs_its_csrf_token(report):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    data = open(report.file.path, "rb").read()
    response = strict.post(f"/credit/verify/{report.code}/",
                           {"file": SimpleUploadedFile("r.pdf", data, content_type="application/pdf")})
    assert response.status_code == 403
    page = strict.get(f"/credit/verify/{report.code}/")
    token = page.cookies["csrftoken"].value
    ok = strict.post(f"/credit/verify/{report.code}/", {
        "csrfmiddlewaretoken": token, "file": SimpleUploadedFile("r.pdf", data, content_type="application/pdf")})
    assert ok.status_code == 200 and 'data-testid="check-match"' in ok.content.decode()
