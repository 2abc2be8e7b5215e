import datetime as dt
import json

from django.core.management.base import BaseCommand

from gongxin.annual.nightly import nightly_run, supervision_nightly


class Command(BaseCommand):
    help = ("Run the supervision module's nightly rules: missing-report facts, overdue rectifications, "
            "the dormancy scan. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Run as of this date (YYYY-MM-DD)")
        parser.add_argument("--enqueue", action="store_true", help="Hand the run to the task worker")

    def handle(self, *args, today=None, enqueue=False, **options):
        if enqueue:
            result = supervision_nightly.enqueue(today=today.isoformat() if today else "")
            self.stdout.write(f"queued {result.id}")
            return
        self.stdout.write(json.dumps(nightly_run(today=today), ensure_ascii=False, default=str))
