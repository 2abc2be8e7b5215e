"""gongxin import annual-reports FILE.xlsx --actor USERNAME [--dry-run]

The same import as the web page (annual.imports), run in this process with a progress line on
stderr: the file is recorded as an import job of the actor, checked whole, and applied only if
every row is right. Exit status 1 when the file is refused or has errors (nothing saved).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gongxin.accounts.models import User
from gongxin.annual import imports
from gongxin.annual.models import ImportJob

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Bulk imports from Excel. 'annual-reports FILE.xlsx --actor USERNAME [--dry-run]'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        annual = sub.add_parser("annual-reports", help="import annual work reports (the template of /annual/imports/)")
        annual.add_argument("file", help="the .xlsx file")
        annual.add_argument("--actor", required=True, help="username of the officer the import is made as "
                                                           "(their jurisdiction limits the organizations)")
        annual.add_argument("--dry-run", action="store_true", help="only check the file; save nothing")

    def handle(self, *args, kind, file, actor, dry_run, **options):
        user = User.objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {actor!r}.")
        if not imports.may_import(user):
            raise CommandError(f"{actor} is not a registration officer or administrator.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as fh:
            upload = File(fh, name=path.name)
            try:
                job = imports.import_request(actor=user, upload=upload, dry_run=dry_run, enqueue=False,
                                             language=translation.get_language() or "")
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        started = time.monotonic()
        job = imports.import_run_now(job.id, progress=self._progress)
        self.stderr.write("")
        seconds = time.monotonic() - started
        if job.status == ImportJob.Status.DONE:
            verb = "Checked (nothing saved)" if job.dry_run else "Imported"
            self.stdout.write(f"{verb}: {job.total:,} rows in {seconds:.1f} s: {job.created_count:,} created, "
                              f"{job.updated_count:,} updated, {job.unchanged_count:,} unchanged. Job {job.id}.")
            if not job.dry_run and not (job.created_count or job.updated_count):
                self.stdout.write("Nothing changed: every row matches the reports already imported.")
            return
        if not job.error_count:
            raise CommandError(job.failure or "The import failed.")
        for e in job.errors[:SHOWN_ERRORS]:
            where = f"{e['column']}{e['row']}" if e["column"] else f"row {e['row']}"
            self.stderr.write(f"{where} {e['header']} ({e['header_en']}) “{e['value']}”: {e['reason']}")
        more = job.error_count - min(len(job.errors), SHOWN_ERRORS)
        if more > 0:
            self.stderr.write(f"… and {more:,} more.")
        marked = job.error_file.path if job.error_file else ""
        raise CommandError(f"{job.error_count:,} errors in {job.total:,} rows; nothing was saved."
                           + (f" The file with the errors marked: {marked}" if marked else ""))

    def _progress(self, phase: str, done: int, total: int) -> None:
        label = "checking" if phase == "check" else "saving"
        # One line, rewritten in place on a terminal; the ending newline is written after the run.
        self.stderr.write(f"\r{label}: {done:,}/{total:,} rows", ending="")
        self.stderr.flush()
