"""The annual module's section of the public profile (core.sections): inspection results and
published annual work reports, newest year first."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from gongxin.annual.models import AnnualReport
from gongxin.core.sections import Section, paged


def _money(value) -> str | None:
    return str(value) if value is not None else None


def report_record(row: AnnualReport) -> dict:
    return {"year": row.year, "conclusion": row.conclusion,
            "result": str(row.get_conclusion_display()) if row.conclusion else str(_("Filed")),
            "late": row.late, "published_on": row.published_on.isoformat(),
            "net_assets": _money(row.net_assets), "income": _money(row.income), "expenses": _money(row.expenses),
            "activity_count": row.activity_count}


def annual_section(org, pages: Mapping[str, int] | None = None) -> Section:
    """Reviewed or filed reports (what the public may see), newest year first."""
    qs = AnnualReport.objects.filter(organization=org, published_on__isnull=False).order_by("-year")
    rows, total, page = paged(qs, (pages or {}).get("annual", 1))
    return Section("annual", _("Annual inspection results and annual work reports"), "annual/profile_section.html",
                   rows, total, page, record=report_record)
