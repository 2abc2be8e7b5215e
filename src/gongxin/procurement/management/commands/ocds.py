"""``gongxin ocds export --out FILE [--year Y]``: write every published release (or a year's)
as one release package, streamed; ``gongxin ocds validate FILE``: check a release or record
package with libcoveocds against the offline OCDS 1.1.5 schema (exit 1 on any error);
``gongxin ocds backfill``: create the releases that existing projects' state implies;
``gongxin ocds bulk``: build the bulk download files now."""

import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongxin.procurement import ocds
from gongxin.procurement.models import OcdsRelease


class Command(BaseCommand):
    help = "Open Contracting Data Standard: export, validate and backfill releases."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ex = sub.add_parser("export", help="Write a release package of every release (streamed).")
        ex.add_argument("--out", required=True, help="Output file ('-' for standard output).")
        ex.add_argument("--year", type=int, default=None, help="Only releases dated in this year.")
        va = sub.add_parser("validate", help="Validate a release or record package with libcoveocds (offline).")
        va.add_argument("file")
        sub.add_parser("backfill", help="Create the releases implied by projects that have none yet.")
        sub.add_parser("bulk", help="Build the bulk download files (all releases, one per year) now.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _export(self, *, out, year=None, **options):
        qs = OcdsRelease.objects.all()
        if year:
            tz = timezone.get_default_timezone()
            qs = qs.filter(date__gte=dt.datetime(year, 1, 1, tzinfo=tz),
                           date__lt=dt.datetime(year + 1, 1, 1, tzinfo=tz))
        uri = f"{ocds.base_url()}/api/v1/ocds/bulk" + (f"?year={year}" if year else "")
        chunks = ocds.stream_release_package(ocds.stored_release_texts(qs), uri=uri)
        if out == "-":
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with open(out, "w", encoding="utf-8") as f:
            for chunk in chunks:
                f.write(chunk)
        self.stderr.write(f"{out}: {qs.count():,} releases")

    def _validate(self, *, file, **options):
        try:
            with open(file, "rb") as f:
                data = json.load(f)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from None
        result = ocds.validate(data)
        errors = list(result.get("validation_errors") or [])
        # A value outside a closed codelist is reported apart from the schema errors; it is an error all the same.
        errors += [{"type": "closed_codelist", **v} for v in (result.get("additional_closed_codelist_values") or {})
                   .values()]
        for error in errors:
            self.stdout.write(json.dumps(error, ensure_ascii=False))
        kind = "record" if "records" in data else "release"
        count = result.get("count", "?")
        if errors:
            self.stderr.write(f"{file}: {len(errors)} validation error(s) in a {kind} package of {count}")
            sys.exit(1)
        self.stdout.write(f"{file}: valid OCDS {result.get('version_used')} {kind} package ({count} {kind}s, "
                          f"schema {ocds.standard_zip_path().name})")

    def _bulk(self, **options):
        from gongxin.procurement.ocds_bulk import bulk_build, bulk_dir

        built = bulk_build()
        self.stdout.write(f"{bulk_dir()}: built up to release {built['last_release_id']}, years {built['years']}")

    def _backfill(self, **options):
        created = ocds.releases_backfill()
        self.stdout.write(f"{created:,} releases created")
