"""The import as a service: who may import, the request (an ``ImportJob`` with its stored file),
the user's jobs, and the run (check, then apply or fail with an error copy) in the worker or CLI."""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from gongxin.accounts.models import Role
from gongxin.annual.imports.applying import ImportConflict, Writer
from gongxin.annual.imports.cells import cell_text
from gongxin.annual.imports.checking import Checker
from gongxin.annual.imports.errorcopy import write_error_copy
from gongxin.annual.imports.reading import FileRefused, Sheet, too_many_data_rows, upload_check
from gongxin.annual.imports.template import BY_KEY
from gongxin.annual.models import ImportJob
from gongxin.annual.services import NotAllowed
from gongxin.core.audit import audit_record

CHUNK = 2000  # rows per query batch, spill list, progress save and bulk write
ERRORS_KEPT = 1000  # errors stored on the job for the page; the error file marks them all


def may_import(actor) -> bool:
    return bool(actor is not None and actor.is_authenticated
                and (actor.role == Role.OFFICER or actor.is_platform_admin))


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for block in iter(lambda: upload.read(1 << 20), b""):
        digest.update(block)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def import_request(*, actor, upload, dry_run: bool = False, language: str = "", enqueue: bool = True) -> ImportJob:
    """Store an uploaded file as an import job and queue it for the worker (after commit).
    Raises FileRefused for anything but an .xlsx workbook of at most 50 MB (what it holds is
    checked by the worker, before anything reads it)."""
    if not may_import(actor):
        raise NotAllowed(_("Only registration officers may import annual reports."))
    upload_check(upload)
    name = os.path.basename(upload.name)
    job = ImportJob(requested_by=actor, original_name=name[:255], file_sha256=_sha256(upload), dry_run=dry_run,
                    language=language or translation.get_language() or settings.LANGUAGE_CODE)
    job.file.save(f"{timezone.localdate():%Y%m}/{job.id}.xlsx", File(upload), save=False)
    job.full_clean()
    job.save(force_insert=True)
    if enqueue:
        from gongxin.annual.tasks_imports import import_run

        transaction.on_commit(lambda: import_run.enqueue(str(job.id)))
    return job


def import_job_get(*, actor, job_id) -> ImportJob:
    """An import of the actor's own; anybody else's is a 404 (no existence leak)."""
    job = ImportJob.objects.filter(pk=job_id, requested_by_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise Http404(_("No such import."))
    return job


def import_jobs_recent(*, actor, limit: int = 10) -> list[ImportJob]:
    return list(ImportJob.objects.filter(requested_by_id=getattr(actor, "pk", None)).defer("errors")[:limit])


def import_previous(job: ImportJob) -> ImportJob | None:
    """An earlier applied import of the very same file, to tell the user."""
    return (ImportJob.objects.filter(file_sha256=job.file_sha256, status=ImportJob.Status.DONE, dry_run=False,
                                     created_at__lte=job.created_at).exclude(pk=job.pk)
            .defer("errors").order_by("-created_at").first())


Progress = Callable[[str, int, int], None]


def import_run_now(job_id, *, progress: Progress | None = None) -> ImportJob:
    """Check the file and, if every row is right, apply it. Runs in the worker (or the CLI);
    a rerun after a crash starts afresh (the apply is one transaction)."""
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job  # a duplicate delivery of the task
    with translation.override(job.language or settings.LANGUAGE_CODE), _collector_paused(), \
            tempfile.TemporaryDirectory(prefix=f"gongxin-import-{os.getpid()}-") as tmp:
        try:
            _run(job, Path(tmp), progress or (lambda phase, done, total: None))
        except FileRefused as exc:
            _fail(job, " ".join(exc.messages))
        except ImportConflict as exc:
            _fail(job, _("The reports changed while the file was being checked (row %(row)s); nothing was saved. "
                         "Run the import again.") % {"row": exc.args[0]})
        except IntegrityError:  # an online report created between the check and the save (PostgreSQL)
            _fail(job, _("The reports changed while the file was being saved; nothing was saved. "
                         "Run the import again."))
        except Exception:
            # The details go to the worker's log (re-raised), not to the page.
            _fail(job, _("The import failed unexpectedly. It has been logged; please try again or contact "
                         "the administrator."))
            raise
    return job


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the run: a run allocates millions of short-lived
    objects (cells, amounts, row tuples) that form no cycles, and the collector's passes over them
    and over the run's long-lived sets cost ~15% of a 100,000-row check (measured). Reference
    counting still frees everything as usual; the collector is back on (and runs) afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _fail(job: ImportJob, message: str) -> None:
    job.status, job.failure, job.finished_at = ImportJob.Status.FAILED, message, timezone.now()
    job.save(update_fields=["status", "failure", "finished_at"])


def _local_copy(job: ImportJob, tmp: Path) -> str:
    try:
        return job.file.path
    except NotImplementedError:  # a remote storage: calamine reads a local file
        path = tmp / "source.xlsx"
        with job.file.open("rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        return str(path)


def _spill(fh: BinaryIO, plans: list[tuple]) -> None:
    """One chunk's plans to the spill file: marshal (plans are plain tuples, see checking.Plan),
    length-prefixed, as marshal.load reading a file object by itself does many small reads."""
    data = marshal.dumps(plans)
    fh.write(len(data).to_bytes(8, "little"))
    fh.write(data)


def _unspill(fh: BinaryIO) -> Iterator[list[tuple]]:
    while size := fh.read(8):
        yield marshal.loads(fh.read(int.from_bytes(size, "little")))


def _run(job: ImportJob, tmp: Path, progress: Progress) -> None:
    actor = job.requested_by
    if not may_import(actor):  # the requester lost the officer role since the upload
        _fail(job, _("Only registration officers may import annual reports."))
        return
    path = _local_copy(job, tmp)
    sheet = Sheet(path)
    job.status, job.total, job.done = ImportJob.Status.VALIDATING, sheet.total, 0
    job.errors, job.error_count, job.failure = [], 0, ""
    job.save(update_fields=["status", "total", "done", "errors", "error_count", "failure"])
    progress("check", 0, job.total)

    today = timezone.localdate()
    checker = Checker(actor=actor, today=today)
    plans_path, errors_path = tmp / "plans.marshal", tmp / "errors.pickle"
    errors_kept: list[dict] = []
    error_count = rows = 0

    with plans_path.open("wb") as plans_fh, errors_path.open("wb") as errors_fh:

        def record(entries: list[tuple[int, list[tuple[str, str]]]], raw_of: dict[int, dict]) -> None:
            nonlocal error_count
            pickle.dump(entries, errors_fh, protocol=pickle.HIGHEST_PROTOCOL)
            for number, errs in entries:
                error_count += len(errs)
                for key, reason in errs:
                    if len(errors_kept) < ERRORS_KEPT:
                        col = next((i for i, k in sheet.columns.items() if k == key), None)
                        errors_kept.append({
                            "row": number, "column": xl_col_to_name(col) if col is not None else "",
                            "header": BY_KEY[key].zh, "header_en": BY_KEY[key].en,
                            "value": cell_text(raw_of.get(number, {}).get(key, ""))[:200], "reason": reason})

        if sheet.missing:
            record([(sheet.header_row or 1, [
                (k, _("The column “%(zh)s” (%(en)s) is missing from the header row; use the template.")
                 % {"zh": BY_KEY[k].zh, "en": BY_KEY[k].en}) for k in sheet.missing])], {})
        else:
            chunk: list[tuple[int, list]] = []

            def flush() -> None:
                plans, bad = checker.check(chunk)
                if plans and not error_count:  # after the first error nothing will be applied
                    _spill(plans_fh, plans)
                if bad:
                    record([(p.row, p.errors) for p in bad], {p.row: p.raw for p in bad})
                chunk.clear()

            # Read from the package at run time: setting gongxin.annual.imports.CHUNK takes effect.
            package = sys.modules[__package__]
            chunk_size, max_rows = package.CHUNK, package.MAX_ROWS
            checker.use_columns(sheet.columns, sheet.col_offset)
            for row in sheet.data_rows():
                rows += 1
                if rows > max_rows:  # the sheet's extent allows a few more (the header rows): stop here
                    sheet.close()
                    raise too_many_data_rows(max_rows)
                chunk.append(row)
                if len(chunk) >= chunk_size:
                    number = row[0]
                    flush()
                    job.done = min(number - sheet.first_data_row + 1, job.total)
                    job.save(update_fields=["done"])
                    progress("check", job.done, job.total)
            if chunk:
                flush()
            if rows == 0:
                record([(sheet.header_row or 1, [("uscc", _("The file has no data rows."))])], {})
        sheet.close()

    counts = checker.counts
    job.total = job.done = rows
    job.error_count, job.errors = error_count, errors_kept
    job.created_count, job.updated_count, job.unchanged_count = counts["create"], counts["update"], counts["unchanged"]
    progress("check", rows, rows)
    if error_count:
        out = tmp / "errors.xlsx"
        write_error_copy(path, errors_path, str(out), inspection=sheet.inspection)
        with out.open("rb") as fh:
            job.error_file.save(f"{timezone.localdate():%Y%m}/{job.id}-errors.xlsx", File(fh), save=False)
        job.status, job.finished_at = ImportJob.Status.FAILED, timezone.now()
        job.save()
        return
    if job.dry_run:
        job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
        job.save()
        return

    job.status, job.done = ImportJob.Status.APPLYING, 0
    job.save()
    now = timezone.now()
    applied, to_apply = 0, counts["create"] + counts["update"]
    progress("apply", 0, to_apply)
    # One transaction for the whole file: a failure anywhere leaves nothing behind. The page
    # cannot see progress inside it (uncommitted), so it shows a running bar; the CLI counts.
    with transaction.atomic():
        writer = Writer(actor=actor, today=today, now=now)
        with plans_path.open("rb") as fh:
            for plans in _unspill(fh):
                writer.apply_chunk(plans)
                applied += len(plans)
                progress("apply", applied, to_apply)
        job.status, job.done, job.finished_at = ImportJob.Status.DONE, rows, timezone.now()
        job.save()
        audit_record(actor=actor, action="annual.import", obj=job, after={
            "file": job.original_name, "sha256": job.file_sha256, "rows": rows, "created": counts["create"],
            "updated": counts["update"], "unchanged": counts["unchanged"]})
