"""The annual module's Excel exports (see core.exports)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.annual.selectors import review_queue
from gongxin.core.exports import ExportData, exporter


@exporter("annual_reports", title=gettext_lazy("Annual reports"))
def annual_reports(actor, params: dict) -> ExportData:
    """The review worklist as the officer or sponsor filtered it."""
    try:
        year = int(params.get("year") or 0) or None
    except ValueError:
        year = None
    qs = review_queue(actor=actor, status=params.get("status", ""), year=year, q=params.get("q", ""))
    headers = [_("Name"), _("Unified social credit code"), _("Year"), _("Status"), _("Submitted"),
               _("Submitted late"), _("Conclusion"), _("Total assets"), _("Net assets"), _("Income"), _("Expenses")]

    def rows():
        for r in qs.iterator(chunk_size=2000):
            yield [r.organization.name, r.organization.uscc, r.year, str(r.get_status_display()),
                   r.submitted_at.date().isoformat() if r.submitted_at else "", _("Yes") if r.late else _("No"),
                   str(r.get_conclusion_display()) if r.conclusion else "",
                   *(float(v) if v is not None else "" for v in (r.total_assets, r.net_assets, r.income, r.expenses))]

    return ExportData(headers=[str(h) for h in headers], total=qs.count(), rows=rows(),
                      sheet=str(_("Annual reports")))
