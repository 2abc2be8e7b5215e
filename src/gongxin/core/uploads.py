"""Uploads: limits enforced before Django reads a request body, what an uploaded file is by
its content (the one allow-list mechanism), and how every stored file is served."""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.core.downloads import content_disposition

FORM_FIELDS_ALLOWANCE = 64 * 1024  # the multipart framing and the form's other fields


def body_exceeds(request, file_limit: int) -> bool:
    """Whether a POST announces a body larger than a ``file_limit``-byte upload could need.
    Checked before ``request.POST``/``request.FILES`` are touched, so an oversized upload is
    refused without being received and spooled to disk."""
    if request.method != "POST":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > file_limit + FORM_FIELDS_ALLOWANCE


# --- what a user-uploaded file is: by content, never by its name ------------------------------

@dataclass(frozen=True)
class FileKind:
    name: str
    label: str
    content_type: str
    extension: str


KINDS = {k.name: k for k in (
    FileKind("pdf", "PDF", "application/pdf", ".pdf"),
    FileKind("png", "PNG", "image/png", ".png"),
    FileKind("jpeg", "JPEG", "image/jpeg", ".jpg"),
    FileKind("docx", "Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             ".docx"),
    FileKind("xlsx", "Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    FileKind("pptx", "PowerPoint (.pptx)", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             ".pptx"),
    FileKind("doc", "Word 97-2003 (.doc)", "application/msword", ".doc"),
    FileKind("xls", "Excel 97-2003 (.xls)", "application/vnd.ms-excel", ".xls"),
    FileKind("ppt", "PowerPoint 97-2003 (.ppt)", "application/vnd.ms-powerpoint", ".ppt"),
    FileKind("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", ".odt"),
    FileKind("ods", "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    FileKind("odp", "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", ".odp"),
)}
# Documents of record: contracts, tender and bid documents, reports, their scans.
DOCUMENT_KINDS = frozenset(KINDS)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of Office 97-2003
_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF = {"application/vnd.oasis.opendocument.text": "odt", "application/vnd.oasis.opendocument.spreadsheet": "ods",
        "application/vnd.oasis.opendocument.presentation": "odp"}


def sniff(file, name: str = "") -> FileKind | None:
    """The kind of ``file`` (an upload or an open binary file; left at position 0) from its
    content, or None for anything not in KINDS. A file named contract.js that is a PDF is a
    PDF; a script named contract.pdf is nothing.

    Hand-written rather than libmagic/filetype: the allow-list is a dozen formats, and the
    Office Open XML and OpenDocument ones are told apart by the zip's directory (filetype reads
    only the first bytes, where a .docx written by LibreOffice may not show ``word/``). Office
    97-2003 files share one container: its name's extension says which of the three it is."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head == _OLE:
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return KINDS.get(extension) if extension in ("doc", "xls", "ppt") else None
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(file)
    return None


def _sniff_zip(file) -> FileKind | None:
    import zipfile

    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()  # the central directory only: nothing is decompressed
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if info.file_size < 100 else ""
                return KINDS.get(_ODF.get(mimetype, ""))
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return KINDS[kind]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    finally:
        file.seek(0)
    return None


def upload_check(upload, *, allowed=DOCUMENT_KINDS, field: str = "file") -> FileKind:
    """The kind of an uploaded file, refused (ValidationError on ``field``, naming the file and
    what is accepted) unless it is one of ``allowed``. The caller stores it under a name with
    the kind's own extension (``safe_name``)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    kind = sniff(upload, getattr(upload, "name", "") or "")
    if kind is None or kind.name not in allowed:
        raise ValidationError({field: _("%(name)s is not an accepted file: upload %(kinds)s.") % {
            "name": getattr(upload, "name", ""), "kinds": ", ".join(KINDS[k].label for k in KINDS if k in allowed)}})
    return kind


def safe_name(name: str, kind: FileKind) -> str:
    """``name`` with the extension of what the file is (contract.js that is a PDF: contract.pdf)."""
    stem = (name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return (stem or "file")[:150] + kind.extension


def download_response(fieldfile, filename: str, *, fallback: str | None = None, text: bool = False):
    """Serve a stored file for download, the one way every file view does: as an attachment,
    with the content type of what the file is by content (application/octet-stream for
    anything else, never HTML or script), ``X-Content-Type-Options: nosniff`` and a
    Content-Security-Policy of its own that runs nothing. The pages' CSP allows scripts from
    the static path only, so no download URL can be used as a script either.

    ``fieldfile`` is a stored file or an open binary handle; ``text=True`` serves a plain-text
    file the platform wrote itself (a draw's candidate list) as ``text/plain``."""
    from django.http import FileResponse

    handle = fieldfile.open("rb") if hasattr(fieldfile, "open") else fieldfile
    kind = None if text else sniff(handle, filename)
    if kind is not None:
        filename = safe_name(filename, kind)
    content_type = ("text/plain; charset=utf-8" if text
                    else kind.content_type if kind else "application/octet-stream")
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    # The name in the user's language, with an ASCII fallback for old clients (core.downloads).
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
