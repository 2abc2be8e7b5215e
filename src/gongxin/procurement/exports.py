"""The procurement module's Excel exports (see core.exports): the public project list as
filtered on the disclosure platform.

``procurement.apps.ProcurementConfig.ready`` must import this module so that the worker process
knows the exporter."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.core.exports import ExportData, exporter
from gongxin.procurement.selectors_public import ProjectFilters, public_projects

CHUNK = 2000


def headers() -> list[str]:
    return [str(h) for h in (
        "OCID", _("Project title"), _("Purchasing department"), _("Region"), _("Service category"), _("Method"), _("Year"),
        _("Budget (yuan)"), _("Publicized on"), _("Procurement starts on"), _("Status"), _("Supplier"),
        _("Supplier code"), _("Awarded amount (yuan)"), _("Awarded on"))]


@exporter("procurement_public_projects", title=gettext_lazy("Purchase projects"))
def procurement_public_projects(actor, params: dict) -> ExportData:
    """Everything the public list shows for these filters, in its order (public data: the
    actor only owns the job)."""
    qs = public_projects(ProjectFilters.from_params(params)).select_related("region")

    def rows():
        for p in qs.iterator(chunk_size=CHUNK):
            yield [p.ocid, p.title, p.department.name, p.region.name,
                   f"{p.category.code} {p.category.name}" if p.category_id else "", str(p.get_method_display()),
                   p.year, float(p.budget), p.publicized_on.isoformat() if p.publicized_on else "",
                   p.procurement_starts_on.isoformat(), str(p.get_status_display()), p.awarded_supplier_name,
                   p.awarded_supplier_id, float(p.awarded_amount) if p.awarded_amount is not None else "",
                   p.awarded_on.isoformat() if p.awarded_on else ""]

    return ExportData(headers=headers(), total=qs.count(), rows=rows(), sheet=str(_("Purchase projects")))
