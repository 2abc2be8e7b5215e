"""The OCDS bulk download as generated files (docs/ocds.md, "Bulk download").

Streaming every release from the database for each anonymous request cost 268 MB of reading
and writing per request at 100,000 projects. Instead ``bulk_build`` writes the packages once,
all releases and one file per year, into ``settings.OCDS_BULK_DIR`` (``GONGXIN_OCDS_BULK_DIR``)
with a manifest naming the newest release they contain; the endpoint serves the file with an
ETag and Last-Modified (a client that has it gets 304). When a release newer than the
manifest's exists, the files are rebuilt by the task worker (``ocds_bulk_refresh``, queued at
most once per REFRESH_DEBOUNCE seconds) while the previous files are still served; ``gongxin
ocds bulk`` builds them by hand. Files are replaced atomically, so a download never sees a
half-written one."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from gongxin.procurement import ocds
from gongxin.procurement.models import OcdsRelease

MANIFEST = "manifest.json"
REFRESH_DEBOUNCE = 600


def bulk_dir() -> Path:
    return Path(settings.OCDS_BULK_DIR)


def file_name(year: int | None) -> str:
    return f"ocds-releases-{year}.json" if year else "ocds-releases.json"


def _releases(year: int | None):
    qs = OcdsRelease.objects.all()
    if year:
        tz = timezone.get_default_timezone()
        qs = qs.filter(date__gte=dt.datetime(year, 1, 1, tzinfo=tz), date__lt=dt.datetime(year + 1, 1, 1, tzinfo=tz))
    return qs


def _write(path: Path, year: int | None, published) -> None:
    uri = f"{ocds.base_url()}/api/v1/ocds/bulk" + (f"?year={year}" if year else "")
    partial = path.with_suffix(".partial")
    with open(partial, "w", encoding="utf-8") as f:
        for chunk in ocds.stream_release_package(ocds.stored_release_texts(_releases(year)), uri=uri,
                                                 published_date=published):
            f.write(chunk)
    os.replace(partial, path)  # atomic: a download reads the old file or the new one, never half


def bulk_build() -> dict:
    """Write every package (all releases, then each year that has releases) and the manifest.
    The manifest is written last: until it names the newest release, the build is not done."""
    directory = bulk_dir()
    directory.mkdir(parents=True, exist_ok=True)
    newest = OcdsRelease.objects.aggregate(last=Max("id"))["last"]
    published = timezone.now()
    _write(directory / file_name(None), None, published)
    years = []
    if newest is not None:
        tz = timezone.get_default_timezone()
        first, last = (OcdsRelease.objects.order_by(order).values_list("date", flat=True).first()
                       for order in ("date", "-date"))
        years = list(range(first.astimezone(tz).year, last.astimezone(tz).year + 1))
        for year in years:
            _write(directory / file_name(year), year, published)
    manifest = {"last_release_id": newest, "built_at": ocds.iso(published), "years": years}
    partial = directory / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest))
    os.replace(partial, directory / MANIFEST)
    return manifest


def manifest() -> dict | None:
    try:
        return json.loads((bulk_dir() / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def bulk_file(year: int | None) -> tuple[Path | None, bool]:
    """The file to serve for ``year`` (None: not built yet) and whether it is fresh. A stale or
    missing build queues a rebuild (at most once per REFRESH_DEBOUNCE seconds): one indexed
    MAX(id) query per request decides."""
    current = manifest()
    newest = OcdsRelease.objects.aggregate(last=Max("id"))["last"]
    fresh = current is not None and current.get("last_release_id") == newest
    if not fresh and cache.add("gongxin:ocds-bulk-refresh", 1, timeout=REFRESH_DEBOUNCE):
        ocds_bulk_refresh.enqueue()
    if current is None:
        return None, False
    path = bulk_dir() / file_name(year)
    if year and year not in current.get("years", []):
        return None, fresh  # a year without releases: the caller answers an empty package
    return (path if path.exists() else None), fresh


@task()
def ocds_bulk_refresh() -> dict:
    return bulk_build()
