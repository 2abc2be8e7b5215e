"""The credit module's JSON API (/api/v1/credit/...): the public lists, paged like the registry
search, and the joint-punishment eligibility check (DESIGN.md convention 6)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongxin.core.api import ApiError, ErrorOut
from gongxin.core.models import Region
from gongxin.credit import selectors_public as sel
from gongxin.credit.models import CreditList
from gongxin.credit.selectors import PURPOSES, eligibility
from gongxin.registry.models import authority_name
from gongxin.registry.selectors import organization_public_get
from gongxin.registry.views import MAX_PAGES

router = Router(tags=["credit"])
MAX_QUERY = 64  # as on the list pages


class ListIn(Schema):
    q: str | None = Field(None, description="Organization name (any substring) or unified social credit code prefix")
    region: str | None = Field(None, description="6-digit GB/T 2260 code: the region's whole subtree")
    ground: str | None = Field(None, description="Ground code of the list: A1–A7 (abnormal), D1–D8 (dishonest)")
    year: int | None = Field(None, description="Year listed")
    sort: Literal["listed", "name", "removed"] = "listed"
    removed: bool = Field(False, description="Include organizations already removed from the list")
    page: int = 1


class BannedIn(Schema):
    q: str | None = Field(None, description="Name (any substring) or unified social credit code prefix")
    region: str | None = Field(None, description="6-digit GB/T 2260 code of the banning authority's region subtree")
    year: int | None = Field(None, description="Year banned")
    sort: Literal["banned", "name"] = "banned"
    page: int = 1


class ReasonOut(Schema):
    title: str = Field(description="The ground for listing")
    facts: list[str] = Field(description="What the registration authority found, per piece of evidence")


class EntryOut(Schema):
    uscc: str
    name: str
    list: str
    status: str = Field(description="listed or removed")
    status_label: str
    listed_on: dt.date | None = Field(description="列入时间")
    reasons: list[ReasonOut] = Field(description="列入事由")
    legal_basis: str
    authority: str = Field(description="列入机关")
    authority_code: str
    removed_on: dt.date | None = Field(description="移出时间")
    removal_reason: str = Field(description="移出事由")
    removal_kind: str


class EntryPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EntryOut]


class BannedOut(Schema):
    name: str
    uscc: str
    authority: str
    authority_code: str
    decision_number: str
    banned_on: dt.date
    facts: str
    legal_basis: str


class BannedPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BannedOut]


class EligibilityOut(Schema):
    uscc: str
    name: str
    purpose: str
    eligible: bool
    reasons: list[str]


def _check_common(page: int, region: str | None, year: int | None, q: str | None) -> None:
    if q and len(q) > MAX_QUERY:
        raise ApiError(422, "invalid", _("q must be at most %(max)d characters.") % {"max": MAX_QUERY}, "q")
    if page < 1 or page > MAX_PAGES:
        raise ApiError(422, "invalid", _("page must be between 1 and %(max)d.") % {"max": MAX_PAGES}, "page")
    if region and not (re.fullmatch(r"[0-9]{6}", region) and Region.objects.filter(code=region).exists()):
        raise ApiError(422, "invalid", _("region must be a 6-digit GB/T 2260 code."), "region")
    if year is not None and not (1988 <= year <= timezone.localdate().year + 1):
        raise ApiError(422, "invalid", _("year must be a year between 1988 and next year."), "year")


def _paged(qs, page: int) -> tuple[int, list]:
    size = settings.PAGE_SIZE
    start = (page - 1) * size
    rows = list(qs[start:start + size])
    count = start + len(rows) if (len(rows) < size and (rows or page == 1)) else qs.count()
    return count, rows


def _entry(entry) -> dict:
    fields = sel.entry_public_fields(entry)
    fields["reasons"] = [{"title": t, "facts": f} for t, f in fields["reasons"]]
    return fields


def _list(list_: str, params: ListIn) -> dict:
    _check_common(params.page, params.region, params.year, params.q)
    if params.ground and params.ground not in dict(sel.grounds_of_list(list_)):
        raise ApiError(422, "invalid", _("ground must be one of %(codes)s.") % {
            "codes": ", ".join(c for c, _t in sel.grounds_of_list(list_))}, "ground")
    filters = sel.ListFilters(q=params.q or "", region=params.region or "", ground=params.ground or "",
                              year=params.year, sort=params.sort, include_removed=params.removed)
    count, rows = _paged(sel.public_entries(list_, filters), params.page)
    return {"count": count, "page": params.page, "page_size": settings.PAGE_SIZE, "items": [_entry(e) for e in rows]}


@router.get("/abnormal", response={200: EntryPage, 422: ErrorOut}, summary="The abnormal activity list")
def credit_abnormal(request, params: Query[ListIn]):
    """Organizations on the abnormal activity list (活动异常名录), newest listing first: when,
    why (each ground with its facts), by which authority, and, with ``removed=true``, those
    already removed with the date and reason of the removal."""
    return _list(CreditList.ABNORMAL, params)


@router.get("/dishonest", response={200: EntryPage, 422: ErrorOut},
            summary="The serious violation and dishonesty list")
def credit_dishonest(request, params: Query[ListIn]):
    """Organizations on the serious violation and dishonesty list (严重违法失信名单), in the same
    shape and with the same filters as the abnormal activity list."""
    return _list(CreditList.DISHONEST, params)


@router.get("/banned", response={200: BannedPage, 422: ErrorOut}, summary="Banned illegal organizations")
def credit_banned(request, params: Query[BannedIn]):
    """Illegal social organizations banned (取缔) by a civil-affairs authority, newest first."""
    _check_common(params.page, params.region, params.year, params.q)
    filters = sel.ListFilters(q=params.q or "", region=params.region or "", year=params.year,
                              sort=params.sort)
    count, rows = _paged(sel.banned_organizations(filters), params.page)
    return {"count": count, "page": params.page, "page_size": settings.PAGE_SIZE, "items": [
        {"name": b.name, "uscc": b.uscc, "authority": authority_name(b.region), "authority_code": b.region_id,
         "decision_number": b.decision_number, "banned_on": b.banned_on, "facts": b.facts,
         "legal_basis": b.legal_basis} for b in rows]}


@router.get("/eligibility/{uscc}", response={200: EligibilityOut, 404: ErrorOut, 422: ErrorOut},
            summary="May this organization receive purchased services, funding, honours or an evaluation grade?")
def credit_eligibility(request, uscc: str, purpose: str = Query(..., description=", ".join(PURPOSES))):
    """Joint punishment (联合惩戒): an organization on either credit list, or whose registration
    is no longer in force, is not eligible; the reasons say why, in words."""
    if purpose not in PURPOSES:
        raise ApiError(422, "invalid", _("purpose must be one of %(purposes)s.") % {
            "purposes": ", ".join(PURPOSES)}, "purpose")
    org = organization_public_get(uscc=uscc)
    result = eligibility(org, purpose)
    return {"uscc": org.uscc, "name": org.name, "purpose": purpose, "eligible": result.eligible,
            "reasons": result.reasons}
