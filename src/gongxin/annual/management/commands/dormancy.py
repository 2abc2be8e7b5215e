"""gongxin dormancy scan [--today YYYY-MM-DD] [--region CODE]: run the dormancy scan now."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongxin.annual.dormancy import dormancy_scan
from gongxin.core.models import Region


class Command(BaseCommand):
    help = "Dormant (僵尸型) organizations. 'scan' records today's findings and prints the counts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="find organizations meeting a dormancy ground (民发〔2021〕63号)")
        scan.add_argument("--today", type=dt.date.fromisoformat, default=None,
                          help="the day to scan as of (YYYY-MM-DD) [today in Asia/Shanghai]")
        scan.add_argument("--region", default="", help="only organizations under this region code, e.g. 440400")

    def handle(self, *args, action, today=None, region="", **options):
        prefix = ""
        if region:
            if not Region.objects.filter(code=region).exists():
                raise CommandError(f"Unknown region code {region!r}.")
            prefix = Region.prefix_of(region)
        result = dormancy_scan(today=today or timezone.localdate(), region_prefix=prefix)
        self.stdout.write(f"found {result.found:,} · new {result.new:,} · cleared {result.cleared:,} "
                          f"({result.seconds:.1f} s)")
