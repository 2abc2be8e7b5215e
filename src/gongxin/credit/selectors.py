"""Reads of the credit module: list entries (public and scoped), and the joint-punishment
eligibility check other modules call (procurement, evaluation, commendations, funding)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.credit.models import CreditList, ListEntry, ListingGround, ListingStatus
from gongxin.credit.rules import GROUNDS
from gongxin.registry.models import Organization, OrgStatus, authority_name

PUBLIC_STATUSES = (ListingStatus.LISTED, ListingStatus.REMOVED)


def entries_with_grounds(qs: QuerySet) -> QuerySet:
    return qs.select_related("organization", "authority").prefetch_related(
        Prefetch("grounds", queryset=ListingGround.objects.order_by("applies_from", "id")))


def organization_entries(org: Organization, *, include_notices: bool = False) -> list[ListEntry]:
    """An organization's list entries, newest first: listed and removed ones (public), plus
    notices and withdrawn notices for the organization itself and its officers."""
    statuses = list(ListingStatus) if include_notices else list(PUBLIC_STATUSES)
    return list(entries_with_grounds(ListEntry.objects.filter(organization=org, status__in=statuses))
                .order_by("-noticed_on", "-id"))


def ground_titles(entry: ListEntry) -> list[str]:
    """The translated titles of an entry's grounds, in ground order."""
    return [str(GROUNDS[code].title) for code in sorted({g.ground for g in entry.grounds.all()})]


PURPOSES = {
    "procurement": gettext_lazy("Undertaking government purchase of services or transferred functions"),
    "funding": gettext_lazy("Government funding"),
    "commendation": gettext_lazy("Commendations and honours"),
    "evaluation": gettext_lazy("Grading evaluation"),
}


@dataclass
class Eligibility:
    eligible: bool
    purpose: str
    reasons: list[str] = field(default_factory=list)


def eligibility(org: Organization, purpose: str) -> Eligibility:
    """Joint punishment (联合惩戒, domain-rules §2): may this organization take part in
    ``purpose``? An organization on either list may not be given purchased services, funding
    or honours; for the grading evaluation a listing is a reason to lower or cancel the grade,
    so listed organizations are not eligible either. Answers with the reasons in words."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    reasons = []
    if org.status != OrgStatus.ACTIVE:
        reasons.append(_("The organization's registration is not in force (%(status)s).") % {"status": org.status_label})
    for entry in ListEntry.objects.filter(organization=org, status=ListingStatus.LISTED).select_related("authority"):
        reasons.append(_("Listed on the %(list)s since %(date)s by %(authority)s: %(reason)s") % {
            "list": CreditList(entry.list).label, "date": entry.listed_on,
            "authority": authority_name(entry.authority), "reason": "; ".join(ground_titles(entry))})
    return Eligibility(eligible=not reasons, purpose=purpose, reasons=reasons)
