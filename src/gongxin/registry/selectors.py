"""Reads of the registry, scoped by the acting user (DESIGN.md convention 2)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongxin.accounts.models import Role
from gongxin.core import uscc as uscc_mod
from gongxin.core.models import Region
from gongxin.registry.models import Branch, Organization, SearchDocument
from gongxin.registry.search import ParsedQuery, SearchResults, apply_search, facet_tokens, parse_query


def region_prefix_filter(field: str, prefix: str) -> Q:
    """Codes under a region prefix as a range ('4404' <= x < '4405'): an index range scan on
    both engines, where LIKE 'prefix%' would not use SQLite's index."""
    if not prefix:
        return Q()
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def jurisdiction_q(user, *, org: str = "") -> Q | None:
    """The organizations a signed-in user may manage; None = all, Q(pk__in=[]) = none.

    ``org`` is the path to the organization from the queried model ("" for Organization
    itself, "organization__" for its search documents)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_platform_admin:
        return None
    if user.role == Role.OFFICER:
        return region_prefix_filter(f"{org}region_prefix", Region.prefix_of(user.jurisdiction_id))
    if user.role == Role.ORG_USER:
        return Q(**{f"{org}pk": user.organization_id})
    if user.role == Role.SPONSOR:
        return Q(**{f"{org}sponsor_unit_id": user.sponsor_unit_id})
    return Q(pk__in=[])


def officer_prefix(actor) -> str | None:
    """The region prefix an actor manages as the registration authority: "" (everything) for
    an administrator or a national officer, the jurisdiction's prefix for an officer, None for
    anyone else. The one place every service asks "may this officer act here"."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.is_platform_admin:
        return ""
    if actor.role == Role.OFFICER and actor.jurisdiction_id:
        return Region.prefix_of(actor.jurisdiction_id)
    return None


def officer_manages(actor, region_prefix: str) -> bool:
    """Whether the actor is the registration authority for an organization (or application)
    registered under ``region_prefix``."""
    prefix = officer_prefix(actor)
    return prefix is not None and region_prefix.startswith(prefix)


@dataclass
class SearchFilters:
    org_type: str = ""
    subtype: str = ""
    region: str = ""
    status: str = ""
    industry: str = ""
    credit: str = ""  # "listed" (either list), "abnormal" or "dishonest"


def organization_search(*, actor, q: str | None, filters: SearchFilters, managed_only: bool = False) -> SearchResults:
    """The public registry search (everyone may search the registry; ``managed_only`` limits it
    to the actor's scope for the officer workspace). Raises search.QueryTooLong."""
    parsed: ParsedQuery = parse_query(q)
    region = Region.prefix_of(filters.region) if filters.region else None
    facets = facet_tokens(org_type=filters.org_type, subtype=filters.subtype, status=filters.status,
                          industry=filters.industry, credit=filters.credit, region_prefix=region, query=True)
    docs = SearchDocument.objects.all()
    filtered = False
    if managed_only:
        if actor is not None and actor.is_authenticated and actor.role == Role.OFFICER:
            # A jurisdiction is a region facet too: the whole search stays in the index.
            facets += facet_tokens(region_prefix=Region.prefix_of(actor.jurisdiction_id), query=True)
        else:
            scope = jurisdiction_q(actor, org="organization__")
            if scope is not None:
                docs, filtered = docs.filter(scope), True
    return apply_search(docs, parsed.with_facets(facets), filtered=filtered)


class OrganizationNotFound(Http404):
    pass


def organization_public_get(*, uscc: str) -> Organization:
    """The public profile's organization, with everything the page shows prefetched.

    Raises OrganizationNotFound with a reason: a malformed code says which check failed."""
    try:
        parts = uscc_mod.parse(uscc)
    except uscc_mod.USCCError as exc:
        raise OrganizationNotFound(_("“%(code)s” is not a valid unified social credit code: %(reason)s")
                                   % {"code": uscc, "reason": exc.message}) from None
    org = (
        Organization.objects.select_related("registration_authority__parent", "sponsor_unit")
        .prefetch_related("responsible_persons", "changes",
                          # Hidden by the registration authority (registry.applications.branch_hide): not public.
                          Prefetch("branches", queryset=Branch.objects.filter(hidden_at__isnull=True),
                                   to_attr="public_branches"))
        .filter(uscc=parts.code)
        .first()
    )
    if org is None:
        raise OrganizationNotFound(_("No organization with the code %(code)s is registered.") % {"code": parts.code})
    return org


def branches_managed(*, actor, uscc: str) -> tuple[Organization, QuerySet[Branch]]:
    """An organization the actor manages as its registration authority, and all its branches
    (hidden ones too, with who hid them). Http404 for anyone else: no existence leak."""
    prefix = officer_prefix(actor)
    org = Organization.objects.filter(uscc=uscc_mod.normalize(uscc)).first() if prefix is not None else None
    if org is None or not org.region_prefix.startswith(prefix):
        raise Http404
    return org, Branch.objects.filter(organization=org).select_related("hidden_by").order_by("name", "id")
