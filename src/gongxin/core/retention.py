"""Retention of files that hold personal data: export files, import uploads and their error
copies, attachments no record refers to any more. Each kind is kept ``GONGXIN_RETENTION_*_DAYS``
(0: for ever) and the nightly run purges what is older (annual/nightly.py): the files are
deleted, the rows stay, marked ``purged_at`` (who exported what, and when, is evidence; the file
is not), and the run is one audit event with the counts.

An app registers what it keeps with ``@retention("kind", setting="RETENTION_…_DAYS")``: a
function of the cut-off time returning how many files it deleted (the way ``@exporter`` works)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from gongxin.core.audit import audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    key: str
    setting: str
    purge: Callable[[dt.datetime], int]


KINDS: dict[str, Kind] = {}


def retention(key: str, *, setting: str):
    def register(fn):
        KINDS[key] = Kind(key, setting, fn)
        return fn

    return register


def delete_file(storage: Storage, name: str) -> bool:
    """Delete a stored file; a file already gone is no error (a rerun, a restore)."""
    if not name:
        return False
    try:
        storage.delete(name)
    except OSError:
        logger.exception("Could not delete %s", name)
        return False
    return True


def orphans(storage: Storage, folder: str, referenced: set[str], cutoff: dt.datetime) -> list[str]:
    """The files under ``folder`` no record refers to, last changed before ``cutoff``."""
    found: list[str] = []
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return found
    for name in files:
        path = f"{folder}/{name}"
        if path not in referenced and storage.get_modified_time(path) < cutoff:
            found.append(path)
    for sub in dirs:
        found.extend(orphans(storage, f"{folder}/{sub}", referenced, cutoff))
    return found


def retention_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Purge every kind past its retention period; one audit event with the counts."""
    now = now or timezone.now()
    counts, days = {}, {}
    for kind in KINDS.values():
        days[kind.key] = getattr(settings, kind.setting)
        counts[kind.key] = kind.purge(now - dt.timedelta(days=days[kind.key])) if days[kind.key] > 0 else 0
    with transaction.atomic():
        audit_record(actor=None, action="retention.purge", object_type="core.retention",
                     after={"deleted": counts, "days": days})
    return counts


@retention("exports", setting="RETENTION_EXPORT_DAYS")
def exports_purge(cutoff: dt.datetime) -> int:
    from gongxin.core.models import ExportJob

    deleted = 0
    for job in ExportJob.objects.filter(purged_at__isnull=True, finished_at__lt=cutoff).exclude(file=""):
        deleted += delete_file(job.file.storage, job.file.name)
        job.file, job.purged_at = "", timezone.now()
        job.save(update_fields=["file", "purged_at"])
    return deleted
