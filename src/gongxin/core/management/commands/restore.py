"""``gongxin restore ARCHIVE [--force]``: restore a ``gongxin backup`` archive into the configured
database and MEDIA_ROOT, after checking it, then check the result (core/backup.py,
docs/operations.md). Exit codes: 0 restored and verified, 1 error, 3 target in use (no --force),
4 archive refused (nothing changed), 5 restored but the result does not match the manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongxin.core.backup import EXIT_VERIFY_FAILED, BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup archive (database and files). Refuses a target database in use unless --force; "
            "checks the archive before changing anything and the result afterwards.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true",
                            help="Replace a target database that holds data, and its files.")

    def handle(self, *args, archive: Path, force: bool, verbosity: int = 1, **options):
        def progress(message: str) -> None:
            if verbosity:
                self.stderr.write(message)

        try:
            report = restore(archive, force=force, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=exc.code) from exc
        manifest = report.manifest
        if not report.ok:
            raise CommandError("The restored data does not match the backup:\n  " + "\n  ".join(report.problems),
                               returncode=EXIT_VERIFY_FAILED)
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: {report.tables_checked} tables "
            f"({sum(manifest['tables'].values()):,} rows) and {report.files_checked:,} files match the manifest; "
            f"audit chain intact ({report.audit_events:,} events).")
        if report.missing_migrations:
            self.stdout.write(f"The backup predates {len(report.missing_migrations)} migrations of this release: "
                              f"run `gongxin migrate` before starting the platform.")
