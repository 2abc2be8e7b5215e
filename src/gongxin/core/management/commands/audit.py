import sys

from django.core.management.base import BaseCommand

from gongxin.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and reports the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain")

    def handle(self, *args, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"OK: {result.checked} events, chain intact")
            return
        self.stderr.write(
            f"BROKEN at event {result.broken_id}: {result.reason} ({result.checked} events before it verified)"
        )
        sys.exit(1)
