"""Reads behind the public credit pages and the credit API (no login, no scope: the lists are
published for everyone, domain-rules.md §2). The HTML pages and /api/v1/credit share them, so
a filter means the same on both."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gongxin.core.models import Region
from gongxin.credit.models import BannedOrganization, CreditList, ListEntry, ListingGround, ListingStatus
from gongxin.credit.rules import GROUNDS
from gongxin.credit.selectors import entries_with_grounds, ground_titles
from gongxin.registry.models import authority_name
from gongxin.registry.selectors import region_prefix_filter

SORTS = ("listed", "name", "removed")
BANNED_SORTS = ("banned", "name")


@dataclass
class ListFilters:
    q: str = ""
    region: str = ""  # a 6-digit region code: its whole subtree
    ground: str = ""  # a ground code of the list (A1..A7, D1..D8)
    year: int | None = None  # year listed (banned, for the banned list)
    sort: str = "listed"
    include_removed: bool = False


def grounds_of_list(list_: str) -> list[tuple[str, str]]:
    """(code, translated title) of a list's grounds, for the ground filter."""
    return [(g.code, str(g.title)) for g in GROUNDS.values() if g.list == list_]


def _search_q(q: str, name: str, uscc: str) -> Q:
    """A name substring (2-character queries like 协会 are the common case) or a USCC prefix."""
    q = q.strip()
    if not q:
        return Q()
    cond = Q(**{f"{name}__contains": q})
    if q.isascii() and q.isalnum():
        cond |= Q(**{f"{uscc}__startswith": q.upper()})
    return cond


def _region_q(code: str, field: str = "region_prefix") -> Q:
    # A range on the stored prefix ('4404' <= p < '4405'), the same subtree as startswith('4404'),
    # but one an index can serve on SQLite too.
    return region_prefix_filter(field, Region.prefix_of(code)) if code else Q()


def public_entries(list_: str, filters: ListFilters) -> QuerySet[ListEntry]:
    """A list's published entries (listed; removed ones too on request), with organization,
    authority and grounds loaded in three queries whatever the page size."""
    statuses = [ListingStatus.LISTED, ListingStatus.REMOVED] if filters.include_removed else [ListingStatus.LISTED]
    qs = ListEntry.objects.filter(list=list_, status__in=statuses)
    qs = qs.filter(_search_q(filters.q, "organization__name", "organization__uscc"), _region_q(filters.region))
    if filters.ground:
        # EXISTS rather than a join: an entry with two grounds of the code must appear once.
        qs = qs.filter(Exists(ListingGround.objects.filter(entry=OuterRef("pk"), ground=filters.ground)))
    if filters.year:
        qs = qs.filter(listed_on__gte=dt.date(filters.year, 1, 1), listed_on__lt=dt.date(filters.year + 1, 1, 1))
    if filters.sort == "name":
        order = ["organization__name", "-listed_on", "id"]
    elif filters.sort == "removed":
        order = [F("removed_on").desc(nulls_last=True), "-listed_on", "-id"]
    else:
        order = ["-listed_on", "-id"]
    return entries_with_grounds(qs).order_by(*order)


def announcements(filters: ListFilters) -> QuerySet[ListEntry]:
    """Notices served by public announcement (公告送达): the organization could not be reached
    at its registered address, so the facts, reasons, basis and the objection deadline are
    published instead. Only while the objection period procedure is open (status noticed)."""
    qs = ListEntry.objects.filter(status=ListingStatus.NOTICED, notice_by_announcement=True)
    qs = qs.filter(_search_q(filters.q, "organization__name", "organization__uscc"), _region_q(filters.region))
    order = ["organization__name", "id"] if filters.sort == "name" else ["-noticed_on", "-id"]
    return entries_with_grounds(qs).order_by(*order)


def banned_organizations(filters: ListFilters) -> QuerySet[BannedOrganization]:
    """Illegal social organizations banned (取缔) by a civil-affairs authority."""
    qs = BannedOrganization.objects.select_related("region", "organization")
    qs = qs.filter(_search_q(filters.q, "name", "uscc"), _region_q(filters.region))
    if filters.year:
        qs = qs.filter(banned_on__gte=dt.date(filters.year, 1, 1), banned_on__lt=dt.date(filters.year + 1, 1, 1))
    order = ["name", "id"] if filters.sort == "name" else ["-banned_on", "-id"]
    return qs.order_by(*order)


def public_counts() -> dict[str, int]:
    """What the credit index page counts: listed entries of each list, banned organizations,
    open announcements (four COUNT queries served by the list_entry_public index)."""
    return {
        "abnormal": ListEntry.objects.filter(list=CreditList.ABNORMAL, status=ListingStatus.LISTED).count(),
        "dishonest": ListEntry.objects.filter(list=CreditList.DISHONEST, status=ListingStatus.LISTED).count(),
        "banned": BannedOrganization.objects.count(),
        "announcements": ListEntry.objects.filter(status=ListingStatus.NOTICED, notice_by_announcement=True).count(),
    }


def entry_reasons(entry: ListEntry) -> list[tuple[str, list[str]]]:
    """列入事由: each ground's title (credit.selectors.ground_titles, in ground order) with the
    facts the rule found for it. Uses the prefetched grounds: no query."""
    facts: dict[str, list[str]] = defaultdict(list)
    for g in entry.grounds.all():
        if g.removed_on is not None:  # rectified and removed while other grounds kept the listing
            facts[g.ground].append(_("%(facts)s (rectified, removed on %(date)s)") % {
                "facts": g.facts_display, "date": g.removed_on.isoformat()})
        else:
            facts[g.ground].append(g.facts_display)
    return list(zip(ground_titles(entry), [facts[c] for c in sorted(facts)], strict=True))


def entry_public_fields(entry: ListEntry) -> dict:
    """An entry as the public sees it: the five columns of domain-rules §2 and who is listed.
    The page and the API both use this."""
    return {
        "uscc": entry.organization.uscc,
        "name": entry.organization.name,
        "list": entry.list,
        "list_label": str(CreditList(entry.list).label),
        "status": entry.status,
        "status_label": str(ListingStatus(entry.status).label),
        "listed_on": entry.listed_on,
        "reasons": entry_reasons(entry),
        "legal_basis": entry.legal_basis,
        "authority": authority_name(entry.authority),
        "authority_code": entry.authority_id,
        "removed_on": entry.removed_on if entry.status == ListingStatus.REMOVED else None,
        "removal_kind": entry.removal_kind if entry.status == ListingStatus.REMOVED else "",
        "removal_kind_label": (str(entry.get_removal_kind_display())
                               if entry.status == ListingStatus.REMOVED and entry.removal_kind else ""),
        "removal_reason": entry.removal_reason if entry.status == ListingStatus.REMOVED else "",
        "noticed_on": entry.noticed_on,
        "notice_number": entry.notice_number,
        "objection_due": entry.objection_due,
        "objection_due_provisional": entry.objection_due_provisional,
    }
