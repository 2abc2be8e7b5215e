"""User-uploaded files: the allow-list by content (core/uploads.py), and how every stored file is
served: attachment, nosniff, a safe content type, from a path the pages' CSP does not trust
for scripts."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.core.uploads import safe_name, sniff, upload_check


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "_rels/.rels": "", "word/document.xml": "<w:document/>"})
ODT = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("a.pdf", b"%PDF-1.7\n", "pdf"), ("scan.png", b"\x89PNG\r\n\x1a\n....", "png"), ("p.jpg", b"\xff\xd8\xff\xe0..", "jpeg"),
    ("c.docx", DOCX, "docx"), ("t.xlsx", _xlsx(), "xlsx"), ("c.odt", ODT, "odt"), ("old.doc", OLE, "doc"),
    ("old.xls", OLE, "xls"),
    # The name does not matter, the content does.
    ("contract.js", b"%PDF-1.4\n", "pdf"), ("word.pdf", DOCX, "docx"),
])
def test_accepted_kinds_are_told_by_content(name, data, kind):
    assert sniff(io.BytesIO(data), name).name == kind


@pytest.mark.parametrize(("name", "data"), [
    ("contract.js", b"alert(document.cookie)"), ("contract.pdf", b"alert(document.cookie)"),
    ("page.html", b"<!doctype html><script>alert(1)</script>"), ("logo.svg", b"<svg onload='alert(1)'/>"),
    ("archive.zip", _zip({"evil.js": "alert(1)"})), ("tool.exe", b"MZ\x90\x00"), ("old.bin", OLE), ("empty.pdf", b""),
    ("fake.docx", _zip({"[Content_Types].xml": "<Types/>", "evil.js": "x"})),
])
def test_anything_else_is_refused_with_the_file_named(name, data):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as info:
        upload_check(SimpleUploadedFile(name, data), field="documents")
    message = info.value.message_dict["documents"][0]
    assert name in message and "PDF" in message and "Word (.docx)" in message


def test_the_stored_name_carries_the_real_extension():
    assert safe_name("../../合同.js", sniff(io.BytesIO(b"%PDF-1.4"))) == "合同.pdf"
    assert safe_name("noext", sniff(io.BytesIO(b"%PDF-1.4"))) == "noext.pdf"


@pytest.mark.django_db
def test_a_js_contract_is_refused_and_a_pdf_named_js_is_served_as_a_pdf_attachment(actors, client):
    from tests.procurement.factories_projects import contracted

    project = contracted(actors)
    from gongxin.procurement import services

    with pytest.raises(ValidationError) as info:
        services._document(project=project, kind="tender", upload=SimpleUploadedFile("contract.js", b"alert(1)"),
                           actor=actors["purchaser"])
    assert "documents" in info.value.message_dict
    doc = services._document(project=project, kind="tender", actor=actors["purchaser"],
                             upload=SimpleUploadedFile("contract.js", b"%PDF-1.4\n%%EOF\n"))
    assert doc.file.name.endswith(".pdf") and doc.title == "contract.js"
    response = client.get(f"/procurement/projects/{project.pk}/documents/{doc.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.django_db
def test_a_legacy_script_already_stored_is_served_as_an_opaque_attachment(actors, client):
    from gongxin.procurement.models import ProjectDocument
    from tests.procurement.factories_projects import contracted

    project = contracted(actors)
    doc = ProjectDocument.objects.create(project=project, kind="tender", title="旧文件", sha256="x",
                                         file=SimpleUploadedFile("contract.js", b"alert(document.cookie)"))
    response = client.get(f"/procurement/projects/{project.pk}/documents/{doc.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"  # never text/javascript
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_allow_scripts_from_the_static_path_only(client):
    csp = client.get("/orgs/")["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "http://testserver/static/"]
    assert "'self'" not in script_src


def test_every_file_view_serves_through_the_one_download_response():
    """Check all file-serving views: no view builds its own FileResponse."""
    from pathlib import Path

    import gongxin

    root = Path(gongxin.__file__).parent
    # procurement/api.py serves the generated OCDS bulk file (JSON the platform wrote), no upload.
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "FileResponse(" in p.read_text() and p.name != "uploads.py"
                 and p.relative_to(root).as_posix() != "procurement/api.py"]
    assert not offenders
