import sys

from django.core.management.base import BaseCommand

from gongxin.core.audit import audit_verify, username_key
from gongxin.core.checkpoints import checkpoint_verify, checkpoint_write


class Command(BaseCommand):
    help = ("Audit log tools. 'verify' walks the hash chain, reports the first broken link, and checks the "
            "database against the newest signed checkpoint (a truncated tail); 'checkpoint' writes one now.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain and the newest checkpoint (exit 1 on any failure)")
        sub.add_parser("checkpoint", help="append a signed checkpoint of the chain's head (the nightly run does)")
        name = sub.add_parser("username-hash", help="the keyed hash under which failed sign-ins for an unknown "
                                                    "username are recorded (to look for it in the log)")
        name.add_argument("username")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "username-hash":
            self.stdout.write(username_key(options["username"]))
            return
        if action == "checkpoint":
            written = checkpoint_write()
            self.stdout.write(f"checkpoint: event {written.last_id}, {written.count} events" if written
                              else "no new checkpoint (empty log, or the head is already checkpointed)")
            return
        result = audit_verify()
        if not result.ok:
            self.stderr.write(
                f"BROKEN at event {result.broken_id}: {result.reason} ({result.checked} events before it verified)"
            )
            sys.exit(1)
        check = checkpoint_verify()
        if not check.ok:
            self.stderr.write(f"CHECKPOINT FAILED: {check.reason} (the chain itself verifies: {result.checked} events)")
            sys.exit(1)
        self.stdout.write(f"OK: {result.checked} events, chain intact; {check.reason}")
