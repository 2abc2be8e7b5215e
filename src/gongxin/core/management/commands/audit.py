import sys

from django.core.management.base import BaseCommand

from gongxin.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and reports the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain")
        name = sub.add_parser("username-hash", help="the keyed hash under which failed sign-ins for an unknown "
                                                    "username are recorded (to look for it in the log)")
        name.add_argument("username")

    def handle(self, *args, **options):
        if options["action"] == "username-hash":
            from gongxin.accounts.security import username_key

            self.stdout.write(username_key(options["username"]))
            return
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"OK: {result.checked} events, chain intact")
            return
        self.stderr.write(
            f"BROKEN at event {result.broken_id}: {result.reason} ({result.checked} events before it verified)"
        )
        sys.exit(1)
