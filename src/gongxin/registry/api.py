from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongxin.core.api import ApiError, ErrorOut
from gongxin.core.models import Region
from gongxin.registry.models import Industry, OrgStatus, OrgSubtype, OrgType
from gongxin.registry.profile import UnknownSection, profile_section, profile_sections
from gongxin.registry.search import QueryTooLong
from gongxin.registry.selectors import SearchFilters, organization_public_get, organization_search
from gongxin.registry.views import MAX_PAGES

router = Router(tags=["registry"])

OrgTypeIn = Literal[tuple(OrgType.values)]  # type: ignore[valid-type]
SubtypeIn = Literal[tuple(v for v in OrgSubtype.values if v)]  # type: ignore[valid-type]
StatusIn = Literal[tuple(OrgStatus.values)]  # type: ignore[valid-type]
IndustryIn = Literal[tuple(Industry.values)]  # type: ignore[valid-type]
CreditIn = Literal["listed", "abnormal", "dishonest"]


class SearchIn(Schema):
    q: str | None = None
    page: int = 1
    type: OrgTypeIn | None = None
    subtype: SubtypeIn | None = None
    region: str | None = None
    status: StatusIn | None = None
    industry: IndustryIn | None = None
    credit: CreditIn | None = Field(None, description="listed (on either credit list), abnormal or dishonest")


class OrgItem(Schema):
    uscc: str
    name: str
    type: str
    type_label: str
    subtype: str
    region: str
    registration_authority: str
    legal_representative: str
    status: str
    status_label: str
    credit_status: str = Field(description="'' (not listed), abnormal or dishonest")
    established_on: dt.date


class OrgPage(Schema):
    count: int
    count_exact: bool = Field(True, description="False when count is an estimate (very large result sets on PostgreSQL)")
    page: int
    page_size: int
    items: list[OrgItem]


def _item(org) -> dict:
    return {
        "uscc": org.uscc, "name": org.name, "type": org.org_type, "type_label": str(org.type_label),
        "subtype": org.subtype, "region": org.registration_authority_id,
        "registration_authority": org.registration_authority_name, "legal_representative": org.legal_representative,
        "status": org.status, "status_label": str(org.status_label), "credit_status": org.credit_status,
        "established_on": org.established_on,
    }


@router.get("/orgs", response={200: OrgPage, 400: ErrorOut, 422: ErrorOut}, summary="Search the registry")
def search_orgs(request, params: Query[SearchIn]):
    """Search by name (any substring, including 1 and 2 Chinese characters), former name, USCC
    (whole or prefix), pinyin initials or legal representative; filter by type, subtype,
    region (the region's whole subtree), status and industry. Ordered by relevance, then name."""
    if params.page < 1 or params.page > MAX_PAGES:
        raise ApiError(422, "invalid", _("page must be between 1 and %(max)d.") % {"max": MAX_PAGES}, "page")
    if params.region and not (re.fullmatch(r"[0-9]{6}", params.region)
                              and Region.objects.filter(code=params.region).exists()):
        raise ApiError(422, "invalid", _("region must be a 6-digit GB/T 2260 code."), "region")
    filters = SearchFilters(org_type=params.type or "", subtype=params.subtype or "", region=params.region or "",
                            status=params.status or "", industry=params.industry or "",
                            credit=params.credit or "")
    try:
        qs = organization_search(actor=request.user, q=params.q, filters=filters)
    except QueryTooLong as exc:
        raise ApiError(400, "query_too_long", str(exc), "q") from None
    size = settings.PAGE_SIZE
    start = (params.page - 1) * size
    items = list(qs[start : start + size])
    if len(items) < size and (items or params.page == 1):
        count, exact = start + len(items), True  # the last page: counted by what it holds
    else:
        count, exact = qs.count(), qs.count_exact
    return {"count": count, "count_exact": exact, "page": params.page, "page_size": size,
            "items": [_item(o) for o in items]}


class PersonOut(Schema):
    name: str
    position: str


class BranchOut(Schema):
    name: str
    kind: str


class ChangeOut(Schema):
    item: str
    item_label: str
    before: str
    after: str
    changed_on: dt.date


class PartOut(Schema):
    key: str
    title: str
    count: int = Field(description="rows in all")
    page: int
    page_size: int
    pages: int
    next: str | None = Field(description="the next page of this list: GET it; null on the last page")
    records: list[dict]
    summary: dict = Field(default_factory=dict, description="totals the section shows beside its rows")


class SectionOut(PartOut):
    parts: list[PartOut] = Field(default_factory=list, description="further lists of the section, each paged "
                                                                   "on its own (key <section>-<part>)")


class OrgProfile(OrgItem):
    former_names: list[str]
    sponsor_unit: str | None
    address: str
    business_scope: str
    registered_capital: str
    certificate_number: str
    certificate_valid_from: dt.date | None
    certificate_valid_to: dt.date | None
    industry: str
    member_count: int | None
    party_org_summary: str
    responsible_persons: list[PersonOut]
    branches: list[BranchOut]
    changes: list[ChangeOut]
    sections: list[SectionOut]


def _part(org, section) -> dict:
    return {"key": section.key, "title": str(section.title), "count": section.total, "page": section.page,
            "page_size": section.page_size, "pages": section.pages,
            "next": (f"/api/v1/orgs/{org.uscc}/sections/{section.key}?page={section.page + 1}"
                     if section.has_next else None),
            "records": section.records(), "summary": {k: str(v) for k, v in section.summary.items()}}


def _section(org, section) -> dict:
    return {**_part(org, section), "parts": [_part(org, p) for p in section.parts]}


@router.get("/orgs/{uscc}", response={200: OrgProfile, 404: ErrorOut}, summary="An organization's public profile")
def get_org(request, uscc: str):
    org = organization_public_get(uscc=uscc)
    return {
        **_item(org),
        "former_names": org.former_names, "sponsor_unit": org.sponsor_unit.name if org.sponsor_unit_id else None,
        "address": org.address, "business_scope": org.business_scope, "registered_capital": str(org.registered_capital),
        "certificate_number": org.certificate_number, "certificate_valid_from": org.certificate_valid_from,
        "certificate_valid_to": org.certificate_valid_to, "industry": org.industry, "member_count": org.member_count,
        "party_org_summary": org.party_org_summary,
        "responsible_persons": [{"name": p.name, "position": p.position} for p in org.responsible_persons.all()],
        "branches": [{"name": b.name, "kind": b.kind} for b in org.public_branches],
        "changes": [{"item": c.item, "item_label": c.get_item_display(), "before": c.before, "after": c.after,
                     "changed_on": c.changed_on}
                    for c in org.changes.all()],
        "sections": [_section(org, s) for s in profile_sections(org)],
    }


@router.get("/orgs/{uscc}/sections/{key}", response={200: SectionOut, 404: ErrorOut, 422: ErrorOut},
            summary="One page of a section of an organization's public profile")
def get_org_section(request, uscc: str, key: str, page: int = 1):
    """A section (``penalties``) or a part of one (``credit_information-other``,
    ``purchases-transfers``) at ``page``: every section shows at most 20 rows at a time, and
    the profile and each page say how many there are and where the next page is."""
    if page < 1 or page > MAX_PAGES:
        raise ApiError(422, "invalid", _("page must be between 1 and %(max)d.") % {"max": MAX_PAGES}, "page")
    org = organization_public_get(uscc=uscc)
    try:
        section = profile_section(org, key, page)
    except UnknownSection:
        raise ApiError(404, "not_found", _("No section “%(key)s” on a profile.") % {"key": key}, "key") from None
    return _section(org, section)
