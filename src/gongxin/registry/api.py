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
from gongxin.procurement.models import FunctionTransfer
from gongxin.registry.models import Industry, OrgStatus, OrgSubtype, OrgType
from gongxin.registry.search import QueryTooLong
from gongxin.registry.selectors import SearchFilters, organization_public_get, organization_search
from gongxin.registry.views import MAX_PAGES, profile_sections

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


class SectionOut(Schema):
    key: str
    title: str
    records: list[dict]


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


def section_record(key: str, row) -> dict:
    """A profile section's row as JSON: each module's public fields, nothing internal."""
    if key == "annual":
        return {"year": row.year, "conclusion": row.conclusion,
                "result": str(row.get_conclusion_display()) if row.conclusion else str(_("Filed")),
                "late": row.late, "published_on": row.published_on.isoformat(),
                **{f: (str(getattr(row, f)) if getattr(row, f) is not None else None)
                   for f in ("net_assets", "income", "expenses")},
                "activity_count": row.activity_count}
    if key == "penalties":
        return {"decision_number": row.decision_number, "kind": row.kind, "kind_label": str(row.get_kind_display()),
                "amount": str(row.amount) if row.amount is not None else None, "facts": row.facts,
                "legal_basis": row.legal_basis, "decided_on": row.decided_on.isoformat(),
                "deciding_body": row.deciding_body,
                "suspension_from": row.suspension_from.isoformat() if row.suspension_from else None,
                "suspension_until": row.suspension_until.isoformat() if row.suspension_until else None}
    if key in ("abnormal", "dishonest"):  # rows are credit.selectors_public.entry_public_fields
        return {"listed_on": _iso(row["listed_on"]), "reasons": [{"title": t, "facts": f} for t, f in row["reasons"]],
                "legal_basis": row["legal_basis"], "authority": row["authority"], "status": row["status"],
                "removed_on": _iso(row["removed_on"]), "removal_reason": row["removal_reason"]}
    if key == "commendations":
        return {"kind": row.kind, "kind_label": str(row.get_kind_display()), "title": row.title,
                "content": row.content, "deciding_body": row.deciding_body, "occurred_on": row.occurred_on.isoformat(),
                "valid_until": _iso(row.valid_until)}
    if key == "evaluation":  # evaluation.selectors.profile_grades
        return {"grade": row.get_grade_display(), "decided_on": row.decided_on.isoformat(),
                "valid_until": row.valid_until.isoformat(), "state": row.state, "deciding_body": row.deciding_body,
                "certificate_number": row.certificate_number}
    if key == "purchases":  # a project awarded to the organization, or a function transferred to it
        # By type: a PurchaseProject has a (nullable) ``function`` too, when it carries out one.
        if isinstance(row, FunctionTransfer):
            return {"kind": "function_transfer", "function": row.function.name, "department": row.department.name,
                    "mode": row.function.mode, "started_on": row.started_on.isoformat(),
                    "guidance_until": row.guidance_until.isoformat()}
        evaluation = getattr(row, "public_evaluation", None)
        return {"kind": "project", "ocid": row.ocid, "title": row.title, "department": row.department.name,
                "year": row.year, "awarded_amount": str(row.awarded_amount), "awarded_on": _iso(row.awarded_on),
                "status": row.status, "rating": evaluation.rating if evaluation else None,
                "score": str(evaluation.total) if evaluation else None}
    if key == "commitments":
        return {"title": row.text.title, "signatory": row.signatory, "position": row.signatory_position,
                "signed_on": timezone.localdate(row.signed_at).isoformat()}
    if key == "credit_information":  # a credit.records.CategoryBlock
        return {"category": row.category, "title": row.title, "items": [
            {"title": i.title, "date": _iso(i.date), "deciding_body": i.deciding_body, "source": i.source,
             "content": i.content} for i in row.items]}
    raise ValueError(key)


def _rows(key: str, rows):
    # The purchases section is one object (procurement.selectors_public.OrgPurchases) holding
    # the latest projects and the function transfers.
    return [*rows.projects, *rows.transfers] if key == "purchases" else rows


def _iso(day) -> str | None:
    return day.isoformat() if day else None


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
        "sections": [{"key": k, "title": str(t), "records": [section_record(k, r) for r in _rows(k, rows)]}
                     for k, t, rows, _template in profile_sections(org)],
    }
