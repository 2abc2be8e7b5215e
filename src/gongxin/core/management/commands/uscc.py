"""``gongxin uscc check CODE [CODE...]``: validate unified social credit codes and show their parts."""

import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from gongxin.core.models import Region
from gongxin.core.uscc import USCCError, parse


def _region_names() -> dict[str, str] | None:
    """All region codes with names, or None while the table is empty or missing (regions not imported),
    in which case region codes are only checked for shape."""
    try:
        # Savepoint, so a missing table does not poison an enclosing transaction on PostgreSQL.
        with transaction.atomic():
            names = dict(Region.objects.values_list("code", "name"))
    except DatabaseError:
        return None
    return names or None


class Command(BaseCommand):
    help = "Unified social credit code (GB 32100-2015) tools."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = actions.add_parser(
            "check", help="Validate codes and print their parts; exit 1 if any is invalid."
        )
        check.add_argument("codes", nargs="+", metavar="CODE")
        check.add_argument(
            "--any-department",
            action="store_true",
            help="Accept codes of any registering department, not only civil affairs (5).",
        )

    def handle(self, *args, action, codes, any_department=False, **options):
        regions = _region_names()
        failed = False
        for index, raw in enumerate(codes):
            try:
                parts = parse(
                    raw,
                    civil_affairs_only=not any_department,
                    region_exists=None if regions is None else regions.__contains__,
                )
            except USCCError as err:
                failed = True
                self.stderr.write(f"{raw.strip()}: {err}")
                continue
            if index:
                self.stdout.write("")
            lines = [
                (_("Code"), parts.code),
                (_("Department"), _labelled(parts.department, parts.department_label)),
                (_("Organization type"), _labelled(parts.org_type, parts.org_type_label)),
                (_("Region code"), parts.region_code),
            ]
            if regions:
                lines.append((_("Region name"), regions[parts.region_code]))
            lines += [
                (_("Organization code"), parts.organization_code),
                (_("Check character"), parts.check_character),
            ]
            for label, value in lines:
                self.stdout.write(f"{label}: {value}")
        if failed:
            sys.exit(1)


def _labelled(value: str, label) -> str:
    return f"{value} ({label})" if label else value
