"""The registry's Excel exports (see core.exports)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.core.exports import ExportData, exporter
from gongxin.registry.selectors import SearchFilters, organization_search


@exporter("organizations", title=gettext_lazy("Social organization registry"))
def organizations(actor, params: dict) -> ExportData:
    """The organizations of a search within the actor's scope, in the page's order."""
    results = organization_search(actor=actor, q=params.get("q", ""), filters=SearchFilters(**params.get("filters", {})),
                                  managed_only=True)
    headers = [_("Name"), _("Unified social credit code"), _("Type"), _("Subtype"), _("Registration authority"),
               _("Legal representative"), _("Established on"), _("Status"), _("Address"), _("Sponsor unit"),
               _("Industry"), _("Phone")]

    def rows():
        for org in results.organizations("sponsor_unit"):
            yield [org.name, org.uscc, str(org.type_label), str(org.subtype_label), org.registration_authority_name,
                   org.legal_representative, org.established_on.isoformat(), str(org.status_label), org.address,
                   org.sponsor_unit.name if org.sponsor_unit_id else "",
                   org.get_industry_display() if org.industry else "", org.phone]

    return ExportData(headers=[str(h) for h in headers], total=results.count(), rows=rows(),
                      sheet=str(_("Organizations")))
