"""Excel exports prepared by the task worker, with progress, for the pages that wait on them.

An app registers what it can export with ``@exporter("kind", title=...)``: a function of
(actor, params) returning the column headers, the number of rows, and an iterator of rows, and
the title the downloaded file is named after (社会组织名录_20261207.xlsx, in the language the
export was asked in). The request and every outcome are audited (exports are security events:
who took which data out). The files are kept ``GONGXIN_RETENTION_EXPORT_DAYS`` (core.retention).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record
from gongxin.core.models import ExportJob
from gongxin.core.spreadsheets import ColumnWidths, workbook

PROGRESS_EVERY = 2000  # rows between progress saves: one UPDATE per 2,000 rows


@dataclass
class ExportData:
    headers: list[str]
    total: int
    rows: Iterator[list]
    sheet: str


EXPORTERS: dict[str, Callable[..., ExportData]] = {}
TITLES: dict[str, object] = {}  # kind -> the (lazily translated) title of its file


def exporter(kind: str, *, title=None):
    def register(fn):
        EXPORTERS[kind] = fn
        TITLES[kind] = title if title is not None else kind
        return fn

    return register


def export_filename(job: ExportJob, *, language: str | None = None) -> str:
    """The download's name: the export's title in ``language`` (the one it was asked in) and the
    day it was made."""
    from gongxin.core.downloads import filename

    day = timezone.localdate(job.finished_at) if job.finished_at else None
    with translation.override(language or job.params.get("language") or settings.LANGUAGE_CODE):
        return filename(TITLES.get(job.kind, job.kind), "xlsx", day=day)


@transaction.atomic
def export_request(*, actor, kind: str, params: dict) -> ExportJob:
    """Record an export request and queue it for the worker (after the transaction commits)."""
    if kind not in EXPORTERS:
        raise ValueError(f"unknown export kind {kind!r}")
    # The worker writes headers and labels in the language the user asked in.
    params = {**params, "language": translation.get_language() or settings.LANGUAGE_CODE}
    job = ExportJob(requested_by=actor, kind=kind, params=params)
    job.full_clean()
    job.save(force_insert=True)
    audit_record(actor=actor, action="export.request", obj=job, after={"kind": kind, "params": params})
    from gongxin.core.tasks import export_run

    transaction.on_commit(lambda: export_run.enqueue(str(job.id)))
    return job


def export_started(request, job: ExportJob):
    """The redirect to the export's progress page, carrying where the export was started from
    (the form's ``next``, else the Referer; same-origin only) for its "back to the list" link."""
    from urllib.parse import urlencode

    from django.shortcuts import redirect
    from django.urls import reverse

    from gongxin.core.site import safe_next

    back = safe_next(request, request.POST.get("next")) or safe_next(request, request.headers.get("Referer"))
    url = reverse("export_status", kwargs={"job_id": job.id})
    return redirect(url + ("?" + urlencode({"next": back}) if back else ""))


def export_job_get(*, actor, job_id) -> ExportJob:
    """An export of the actor's own; anybody else's is a 404 (no existence leak)."""
    job = ExportJob.objects.filter(pk=job_id, requested_by_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise Http404(_("No such export."))
    return job


def export_run_now(job_id: str) -> None:
    """Write the file. Runs in the worker; a rerun after a crash starts the file afresh."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return  # a duplicate delivery of the task
    job.status, job.done, job.error = ExportJob.Status.RUNNING, 0, ""
    job.save(update_fields=["status", "done", "error"])
    try:
        with translation.override(job.params.get("language", settings.LANGUAGE_CODE)):
            data = EXPORTERS[job.kind](job.requested_by, job.params)
            job.total = data.total
            job.save(update_fields=["total"])
            with tempfile.TemporaryDirectory(prefix=f"gongxin-export-{os.getpid()}-") as tmp:
                path = Path(tmp) / f"{job.kind}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
                _write_xlsx(path, data, job)
                with path.open("rb") as fh:
                    job.file.save(path.name, File(fh), save=False)
    except Exception as exc:
        job.status, job.error, job.finished_at = ExportJob.Status.FAILED, str(exc)[:2000], timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        with transaction.atomic():
            audit_record(actor=job.requested_by, action="export.failed", obj=job, after={"error": job.error})
        raise
    job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "done", "file", "finished_at"])
        audit_record(actor=job.requested_by, action="export.done", obj=job, after={"rows": job.done})


def _write_xlsx(path: Path, data: ExportData, job: ExportJob) -> None:
    # constant_memory streams rows to disk as they are written: memory stays flat at any size.
    # The shared workbook writes cell texts as text: "=HYPERLINK(…)" is no formula, and
    # "external:\\host\share" no link.
    book = workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(data.sheet[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, data.headers, bold)
    sheet.freeze_panes(1, 0)
    widths = ColumnWidths()  # from the header and the first rows: Chinese text is not cut
    widths.add(data.headers)
    row_number = 0
    for row_number, row in enumerate(data.rows, start=1):
        sheet.write_row(row_number, 0, row)
        widths.add(row)
        if row_number % PROGRESS_EVERY == 0:
            job.done = row_number
            job.save(update_fields=["done"])
    job.done = row_number
    widths.apply(sheet)
    book.close()
