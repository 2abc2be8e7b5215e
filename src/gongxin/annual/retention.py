"""The annual module's files under retention (core.retention): an import's uploaded file and
error copy, kept ``GONGXIN_RETENTION_IMPORT_DAYS`` after the import ended; and annual-report
attachments no report refers to any more (a re-upload deletes the one it replaces at once; this
catches what an interrupted save left), kept ``GONGXIN_RETENTION_SUPERSEDED_DAYS``."""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from gongxin.annual.models import AnnualReport, ImportJob
from gongxin.core.retention import delete_file, orphans, retention

ATTACHMENTS = "annual"  # AnnualReport.financial_report's upload_to, annual/%Y/


@retention("imports", setting="RETENTION_IMPORT_DAYS")
def imports_purge(cutoff: dt.datetime) -> int:
    deleted = 0
    ended = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff,
                                         status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED])
    for job in ImportJob.objects.filter(ended, purged_at__isnull=True).defer("errors"):
        for field in (job.file, job.error_file):
            if field:
                deleted += delete_file(field.storage, field.name)
        job.file, job.error_file, job.purged_at = "", "", timezone.now()
        job.save(update_fields=["file", "error_file", "purged_at"])
    return deleted


@retention("superseded", setting="RETENTION_SUPERSEDED_DAYS")
def attachments_purge(cutoff: dt.datetime) -> int:
    field = AnnualReport._meta.get_field("financial_report")
    storage = field.storage or default_storage
    referenced = set(AnnualReport.objects.exclude(financial_report="").values_list("financial_report", flat=True))
    return sum(delete_file(storage, name) for name in orphans(storage, ATTACHMENTS, referenced, cutoff))
