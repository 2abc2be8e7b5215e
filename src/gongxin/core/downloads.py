"""File names of downloads, in the user's language: 社会组织名录_20261207.xlsx in Chinese,
Social organization registry_20261207.xlsx in English, with the Content-Disposition header that
carries them (RFC 6266 with the RFC 5987 ``filename*`` parameter, and a plain ASCII ``filename``
for the clients that know only that)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone, translation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')  # what Windows, macOS or a header cannot carry


def filename(title, extension: str, *, day: dt.date | None = None, dated: bool = True) -> str:
    """``title`` (translated now, in the active language), the day (today) and the extension:
    社会组织名录_20261207.xlsx. Characters no file system takes become ``_``."""
    stem = _UNSAFE.sub("_", str(title)).strip(" ._") or "download"
    if dated:
        stem += f"_{(day or timezone.localdate()):%Y%m%d}"
    return f"{stem}.{extension}"


def english_filename(title, extension: str, **kwargs) -> str:
    with translation.override("en"):
        return filename(title, extension, **kwargs)


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ ()+-]+", "_", plain).strip(" _")
    stem, dot, extension = plain.rpartition(".")
    return plain if dot and stem.strip("_ ") else f"download.{extension}" if dot else "download"


def content_disposition(name: str, *, fallback: str | None = None, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…``: the ASCII ``fallback`` (the English name,
    say) for old clients, the real name percent-encoded as UTF-8 for the others."""
    kind = "inline" if inline else "attachment"
    plain = _ascii(fallback or name)
    if name == plain:
        return f'{kind}; filename="{plain}"'
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment(content: bytes, title, extension: str = "xlsx", *, content_type: str = XLSX,
               day: dt.date | None = None, dated: bool = True) -> HttpResponse:
    """A download of ``content`` named from ``title`` in the user's language (English fallback)."""
    response = HttpResponse(content, content_type=content_type)
    set_filename(response, title, extension, day=day, dated=dated)
    return response


def set_filename(response, title, extension: str, *, day: dt.date | None = None, dated: bool = True):
    response["Content-Disposition"] = content_disposition(
        filename(title, extension, day=day, dated=dated),
        fallback=english_filename(title, extension, day=day, dated=dated))
    return response
