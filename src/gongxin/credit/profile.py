"""The credit module's sections of the public profile (core.sections): administrative
penalties, the two lists, commendations, integrity commitments and the credit information in
its five categories; and ``records_part``, the credit records of a kind another module's
section shows beside its own rows (evaluation grades, government services recorded by an
officer rather than by that module).

Only real honours are commendations: an evaluation grade belongs to the 评估等级 section and a
performance evaluation to the 承接政府购买服务 section, where they are shown with their grade
and rating."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.sections import Section, paged
from gongxin.credit.models import (
    CreditCategory,
    CreditList,
    CreditRecord,
    IntegrityCommitment,
    ListEntry,
    Penalty,
    RecordKind,
)
from gongxin.credit.records import (
    _annual_item,
    _basic,
    _inspections,
    _notices,
    _penalty_item,
    _record_item,
)
from gongxin.credit.selectors import PUBLIC_STATUSES, entries_with_grounds
from gongxin.credit.selectors_public import entry_public_fields


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def penalty_record(row: Penalty) -> dict:
    return {"decision_number": row.decision_number, "kind": row.kind, "kind_label": str(row.get_kind_display()),
            "amount": str(row.amount) if row.amount is not None else None, "facts": row.facts,
            "legal_basis": row.legal_basis, "decided_on": row.decided_on.isoformat(),
            "deciding_body": row.deciding_body, "suspension_from": _iso(row.suspension_from),
            "suspension_until": _iso(row.suspension_until)}


def entry_record(row: dict) -> dict:
    """``row`` is credit.selectors_public.entry_public_fields."""
    return {"listed_on": _iso(row["listed_on"]), "reasons": [{"title": t, "facts": f} for t, f in row["reasons"]],
            "legal_basis": row["legal_basis"], "authority": row["authority"], "status": row["status"],
            "removed_on": _iso(row["removed_on"]), "removal_reason": row["removal_reason"]}


def credit_record(row: CreditRecord) -> dict:
    from gongxin.credit.rules import facts_display

    return {"kind": row.kind, "kind_label": str(row.get_kind_display()), "title": facts_display(row.title),
            "content": facts_display(row.content),
            "deciding_body": row.deciding_body, "occurred_on": row.occurred_on.isoformat(),
            "valid_until": _iso(row.valid_until)}


def commitment_record(row: IntegrityCommitment) -> dict:
    return {"title": row.text.title, "signatory": row.signatory, "position": row.signatory_position,
            "signed_on": timezone.localdate(row.signed_at).isoformat()}


def item_record(item) -> dict:
    """A credit.records.CreditItem."""
    return {"title": item.title, "date": _iso(item.date), "deciding_body": item.deciding_body, "source": item.source,
            "content": item.content}


def penalties_section(org, pages: Mapping[str, int] | None = None) -> Section:
    qs = Penalty.objects.filter(organization=org, is_public=True).order_by("-decided_on", "-id")
    rows, total, page = paged(qs, (pages or {}).get("penalties", 1))
    return Section("penalties", _("Administrative penalties"), "credit/public/profile_penalties.html", rows, total,
                   page, record=penalty_record)


def _entries_section(org, key: str, title: str, pages) -> Section:
    qs = entries_with_grounds(ListEntry.objects.filter(organization=org, list=key, status__in=PUBLIC_STATUSES)
                              ).order_by("-noticed_on", "-id")
    rows, total, page = paged(qs, (pages or {}).get(key, 1))
    return Section(key, title, "credit/public/profile_entries.html", [entry_public_fields(e) for e in rows], total,
                   page, record=entry_record)


def abnormal_section(org, pages: Mapping[str, int] | None = None) -> Section:
    return _entries_section(org, CreditList.ABNORMAL, _("Abnormal activity list"), pages)


def dishonest_section(org, pages: Mapping[str, int] | None = None) -> Section:
    return _entries_section(org, CreditList.DISHONEST, _("Serious violation and dishonesty list"), pages)


def public_records_of(org, kinds: Iterable[str], *, not_from: str = "") -> QuerySet[CreditRecord]:
    """An organization's public credit records of ``kinds``, newest first; ``not_from`` leaves
    out those another module wrote from its own rows (their import key starts with it)."""
    qs = CreditRecord.objects.filter(organization=org, kind__in=list(kinds), is_public=True)
    if not_from:
        qs = qs.exclude(import_key__startswith=not_from)
    return qs.order_by("-occurred_on", "-id")


def records_part(org, key: str, title: str, kinds: Iterable[str], *, not_from: str = "",
                 pages: Mapping[str, int] | None = None) -> Section:
    """A part of another module's section: the credit records of ``kinds`` that module did
    not write itself (entered or imported by an officer)."""
    rows, total, page = paged(public_records_of(org, kinds, not_from=not_from), (pages or {}).get(key, 1))
    return Section(key, title, "credit/public/profile_records.html", rows, total, page, record=credit_record)


def commendations_section(org, pages: Mapping[str, int] | None = None) -> Section:
    rows, total, page = paged(public_records_of(org, [RecordKind.COMMENDATION]), (pages or {}).get("commendations", 1))
    return Section("commendations", _("Commendations"), "credit/public/profile_commendations.html", rows, total, page,
                   record=credit_record)


def commitments_section(org, pages: Mapping[str, int] | None = None) -> Section:
    qs = IntegrityCommitment.objects.filter(organization=org).select_related("text").order_by("-signed_at", "-id")
    rows, total, page = paged(qs, (pages or {}).get("commitments", 1))
    return Section("commitments", _("Integrity commitments"), "credit/public/profile_commitments.html", rows, total,
                   page, record=commitment_record)


CREDIT_INFORMATION = "credit_information"


def credit_information_section(org, pages: Mapping[str, int] | None = None) -> Section:
    """The five categories of 民政部令第60号 (credit.records), each a part paged on its own
    (``credit_information-<category>``). The sources that grow without bound (penalties, annual
    reports, records of the "other" category: hundreds of performance evaluations) are paged in
    the database; the registration, its changes, inspections and rectification notices are few
    and are paged after reading. Seven queries whatever the number of rows (and a COUNT for each
    paged source holding more than a page)."""
    pages = pages or {}
    authority = org.registration_authority_name
    # Officer-entered records outside "other" (a missing Party organization, a fraudulent change)
    # are few: read at once and put in their categories.
    few = list(CreditRecord.objects.filter(organization=org, is_public=True).exclude(category=CreditCategory.OTHER)
               .order_by("-occurred_on", "-id"))

    def by_date(items):
        return sorted(items, key=lambda i: i.date or dt.date.min, reverse=True)

    def part(category: str, rows, total: int, page: int) -> Section:
        return Section(f"{CREDIT_INFORMATION}-{category}", str(CreditCategory(category).label),
                       "credit/public/profile_credit_items.html", rows, total, page, record=item_record,
                       summary={"category": category})

    def listed(category: str, items: list) -> Section:
        rows, total, page = paged(items, pages.get(f"{CREDIT_INFORMATION}-{category}", 1))
        return part(category, rows, total, page)

    def queried(category: str, qs, to_item) -> Section:
        rows, total, page = paged(qs, pages.get(f"{CREDIT_INFORMATION}-{category}", 1))
        return part(category, [to_item(r) for r in rows], total, page)

    from gongxin.annual.models import AnnualReport

    basic = _basic(org, authority)  # the registration first, then the changes newest first
    basic[1:] = by_date(basic[1:] + [_record_item(r) for r in few if r.category == CreditCategory.BASIC])
    parts = [
        listed(CreditCategory.BASIC, basic),
        queried(CreditCategory.ANNUAL, AnnualReport.objects.filter(organization=org, published_on__isnull=False)
                .order_by("-published_on", "-year"), lambda r: _annual_item(r, authority)),
        listed(CreditCategory.INSPECTION, by_date(_inspections(org, True) + _notices(org, authority, True)
                                                  + [_record_item(r) for r in few
                                                     if r.category == CreditCategory.INSPECTION])),
        queried(CreditCategory.PENALTY, Penalty.objects.filter(organization=org, is_public=True)
                .order_by("-decided_on", "-id"), _penalty_item),
        queried(CreditCategory.OTHER, CreditRecord.objects.filter(organization=org, is_public=True,
                                                                  category=CreditCategory.OTHER)
                .order_by("-occurred_on", "-id"), _record_item),
    ]
    return Section(CREDIT_INFORMATION, _("Credit information"), parts=parts,
                   parts_template="credit/public/profile_credit_information.html")
