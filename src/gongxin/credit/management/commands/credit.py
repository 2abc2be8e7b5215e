"""``gongxin credit evaluate [--today YYYY-MM-DD] [--region PREFIX] [--uscc CODE]``: run the
credit rule engine (the nightly run does this too) and print what it did."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from gongxin.credit.engine import evaluate
from gongxin.registry.models import Organization


class Command(BaseCommand):
    help = "Credit supervision tools: evaluate runs the listing rules (idempotent)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="Run the rule engine: notices, listings and removals.")
        ev.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Evaluate as of this date.")
        ev.add_argument("--region", default="", help="Only organizations of this region code prefix (4404).")
        ev.add_argument("--uscc", default="", help="Only this organization.")

    def handle(self, *args, action, today=None, region="", uscc="", **options):
        org = None
        if uscc:
            org = Organization.objects.filter(uscc=uscc.strip().upper()).first()
            if org is None:
                raise CommandError(f"No organization with the code {uscc}.")

        def progress(done, total):
            if options.get("verbosity", 1) > 1:
                self.stderr.write(f"{done}/{total} ranges")

        run = evaluate(today=today, region_prefix=region, organization=org, progress=progress)
        self.stdout.write(json.dumps(run.counts, ensure_ascii=False))
