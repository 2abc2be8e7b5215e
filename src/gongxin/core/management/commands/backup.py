"""``gongxin backup --out DIR_OR_FILE.tar.gz``: the database and the uploaded files in one archive
with a manifest of checksums (core/backup.py, docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from gongxin.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (a consistent native dump) and every uploaded file into one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True,
                            help="The archive to write, or a directory to write gongxin-backup-<time>.tar.gz into.")

    def handle(self, *args, out: str, verbosity: int = 1, **options):
        def progress(message: str) -> None:
            if verbosity:
                self.stderr.write(message)

        try:
            path, manifest = backup(out, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=exc.code) from exc
        # The archive's path on stdout alone, for scripts (rotation, copying off the machine).
        self.stdout.write(str(path))
