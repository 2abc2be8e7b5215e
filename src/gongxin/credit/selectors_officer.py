"""Reads of the registration officer's credit workspace, scoped by the acting user (DESIGN.md
convention 2): an officer sees the entries, organizations and applications of their
jurisdiction, an administrator everything, anyone else nothing (404, no existence leak)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.core import uscc as uscc_mod
from gongxin.core.models import Region
from gongxin.core.workdays import workdays_left
from gongxin.credit.models import (
    BannedOrganization,
    CreditList,
    CreditRecord,
    CreditRun,
    ListEntry,
    ListingGround,
    ListingStatus,
    Penalty,
    RemovalApplication,
    RemovalStatus,
)
from gongxin.credit.rules import GROUNDS
from gongxin.credit.selectors import entries_with_grounds
from gongxin.registry.models import Organization
from gongxin.registry.selectors import officer_prefix, region_prefix_filter


def require_officer(actor) -> str:
    """The actor's region prefix ("" for everything); 404 for anyone who is not an officer."""
    prefix = officer_prefix(actor)
    if prefix is None:
        raise Http404(_("No such page."))
    return prefix


def entries_scoped(actor) -> QuerySet[ListEntry]:
    return ListEntry.objects.filter(region_prefix_filter("region_prefix", require_officer(actor)))


def entry_get(*, actor, pk: int) -> ListEntry:
    """One list entry of the officer's jurisdiction, with its organization, grounds, removal
    applications and the entries it was transferred from or to."""
    entry = (entries_with_grounds(entries_scoped(actor))
             .select_related("listed_by", "removed_by", "transferred_to", "organization__registration_authority")
             .prefetch_related(Prefetch("removal_applications",
                                        queryset=RemovalApplication.objects.select_related("applicant", "decided_by")
                                        .order_by("-submitted_on", "-id")))
             .filter(pk=pk).first())
    if entry is None:
        raise Http404(_("No such list entry."))
    entry.transferred_from = list(ListEntry.objects.filter(transferred_to=entry).only("id", "list", "listed_on"))
    return entry


def removal_get(*, actor, pk: int) -> RemovalApplication:
    app = (RemovalApplication.objects.select_related("entry__organization")
           .filter(region_prefix_filter("entry__region_prefix", require_officer(actor)), pk=pk).first())
    if app is None:
        raise Http404(_("No such removal application."))
    return app


def organization_get(*, actor, uscc: str) -> Organization:
    """An organization of the officer's jurisdiction by its code (a malformed code is a 404 too)."""
    prefix = require_officer(actor)
    org = (Organization.objects.select_related("registration_authority", "sponsor_unit")
           .filter(region_prefix_filter("region_prefix", prefix), uscc=uscc_mod.normalize(uscc)).first())
    if org is None:
        raise Http404(_("No such organization in your jurisdiction."))
    return org


def record_get(*, actor, pk: int) -> CreditRecord:
    record = (CreditRecord.objects.select_related("organization")
              .filter(region_prefix_filter("organization__region_prefix", require_officer(actor)), pk=pk).first())
    if record is None:
        raise Http404(_("No such credit record."))
    return record


@dataclass
class OrgCredit:
    penalties: QuerySet[Penalty]  # paged by the page (an organization may have hundreds)
    records: QuerySet[CreditRecord]  # paged likewise: open records first, then newest first
    entries: list[ListEntry]
    runs: list[CreditRun]


def organization_credit(org: Organization) -> OrgCredit:
    """Everything the officer's credit page of one organization shows, public or not (a few
    queries, none per row)."""
    return OrgCredit(
        penalties=Penalty.objects.filter(organization=org).select_related("decided_by"),
        records=(CreditRecord.objects.filter(organization=org).select_related("recorded_by")
                 .order_by(F("resolved_on").desc(nulls_first=True), "-occurred_on", "-id")),
        entries=list(entries_with_grounds(ListEntry.objects.filter(organization=org)).order_by("-noticed_on", "-id")),
        runs=list(CreditRun.objects.filter(scope=f"uscc:{org.uscc}").select_related("actor")[:5]),
    )


# --- the worklist ----------------------------------------------------------------------------

TABS = ("objection", "awaiting", "removals", "listed")

# Per tab: sort key -> (label, ORDER BY). The first is the default.
SORTS = {
    "objection": {"due": (gettext_lazy("Objection deadline, earliest first"), ("objection_due", "id")),
                  "-noticed": (gettext_lazy("Notified, newest first"), ("-noticed_on", "-id")),
                  "name": (gettext_lazy("Organization name"), ("organization__name", "id"))},
    "awaiting": {"objection": (gettext_lazy("Objections to answer first"), ("objection_open", "objection_due", "id")),
                 "due": (gettext_lazy("Objection deadline, earliest first"), ("objection_due", "id")),
                 "name": (gettext_lazy("Organization name"), ("organization__name", "id"))},
    "removals": {"due": (gettext_lazy("Verification due, overdue first"), ("due_on", "id")),
                 "-submitted": (gettext_lazy("Submitted, newest first"), ("-submitted_on", "-id")),
                 "name": (gettext_lazy("Organization name"), ("entry__organization__name", "id"))},
    "listed": {"-listed": (gettext_lazy("Listed, newest first"), ("-listed_on", "-id")),
               "listed": (gettext_lazy("Listed, oldest first"), ("listed_on", "id")),
               "name": (gettext_lazy("Organization name"), ("organization__name", "id")),
               "list": (gettext_lazy("List"), ("list", "-listed_on", "-id"))},
}


@dataclass
class ListedFilters:
    list: str = ""
    ground: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query) -> ListedFilters:
        list_ = query.get("list", "")
        ground = query.get("ground", "")
        return cls(list=list_ if list_ in CreditList.values else "",
                   ground=ground if ground in GROUNDS and (not list_ or GROUNDS[ground].list == list_) else "",
                   q=query.get("q", "").strip()[:100])


def _noticed(actor, today: dt.date, *, ended: bool) -> QuerySet[ListEntry]:
    qs = entries_scoped(actor).filter(status=ListingStatus.NOTICED)
    return qs.filter(objection_due__lt=today) if ended else qs.filter(objection_due__gte=today)


def _removals(actor) -> QuerySet[RemovalApplication]:
    return RemovalApplication.objects.filter(region_prefix_filter("entry__region_prefix", require_officer(actor)),
                                             status=RemovalStatus.PENDING)


def _listed(actor, filters: ListedFilters) -> QuerySet[ListEntry]:
    qs = entries_scoped(actor).filter(status=ListingStatus.LISTED)
    if filters.list:
        qs = qs.filter(list=filters.list)
    if filters.ground:
        # EXISTS rather than a join: an entry with two grounds of the code must not show twice.
        qs = qs.filter(Exists(ListingGround.objects.filter(entry=OuterRef("pk"), ground=filters.ground)))
    if filters.q:
        code = uscc_mod.normalize(filters.q)
        qs = qs.filter(Q(organization__name__icontains=filters.q) | Q(organization__uscc__startswith=code))
    return qs


def worklist_counts(actor, today: dt.date) -> dict[str, int]:
    """The count on each tab (four COUNT queries over the worklist index)."""
    return {"objection": _noticed(actor, today, ended=False).count(),
            "awaiting": _noticed(actor, today, ended=True).count(),
            "removals": _removals(actor).count(),
            "listed": _listed(actor, ListedFilters()).count()}


def worklist(actor, tab: str, today: dt.date, sort: str, filters: ListedFilters | None = None) -> QuerySet:
    """One tab's rows in the chosen order (``sort`` already validated against SORTS[tab])."""
    order = SORTS[tab][sort][1]
    if tab == "removals":
        return (_removals(actor).select_related("entry__organization", "entry__authority", "applicant")
                .order_by(*order))
    if tab == "listed":
        qs = _listed(actor, filters or ListedFilters())
    else:
        qs = _noticed(actor, today, ended=tab == "awaiting").annotate(objection_open=Case(
            When(~Q(objection="") & Q(objection_answer=""), then=Value(0)), default=Value(1),
            output_field=IntegerField()))
    return entries_with_grounds(qs).order_by(*order)


def with_days_left(rows, today: dt.date, field: str) -> None:
    """Working days left before each row's deadline (``field``), for the worklist's column."""
    for row in rows:
        row.days_left = workdays_left(today, getattr(row, field))
        row.days_overdue = -row.days_left if row.days_left < 0 else 0


# --- banned organizations --------------------------------------------------------------------


def banned_scoped(actor) -> QuerySet[BannedOrganization]:
    return (BannedOrganization.objects.filter(region_prefix_filter("region_prefix", require_officer(actor)))
            .select_related("region", "recorded_by"))


def region_choices(actor) -> QuerySet[Region]:
    """The regions an officer may record a banning in: the jurisdiction and every region under it."""
    return Region.objects.filter(region_prefix_filter("code", require_officer(actor))).order_by("code")
