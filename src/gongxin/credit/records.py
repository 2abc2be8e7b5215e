"""An organization's credit information (信用信息) in the five categories of
《社会组织信用信息管理办法》(民政部令第60号, domain-rules.md §2), read from where each fact lives:

- basic (基础信息): the establishment registration and the published change registrations;
- annual (年报信息): published annual work reports with their inspection conclusion;
- inspection (行政检查信息): random-inspection results and rectification notices;
- penalty (行政处罚信息): administrative penalties;
- other (其他信息): officer-entered credit records (commendations, evaluation grades, …).

Officer-entered records of another category (a fraudulent change, a missing Party
organization) go to their own category. One query per source, whatever the number of rows.

The public profile and the credit-report PDF show ``public=True`` (published facts only); the
organization itself and its officers may see ``public=False``, which adds the unpublished ones
(penalties and records not made public, inspection results of an unpublished draw, open
rectification notices)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from gongxin.credit.models import CreditCategory, CreditRecord, Penalty, PenaltyKind

PUBLISHED_INSPECTIONS = ("published", "closed")  # annual.models.InspectionStatus
# Rectification notices are public once their outcome is known: completed, or overdue (which
# is itself abnormal-list ground 3). An open notice is still between the authority and the
# organization; one from an inspection is public only once the draw is.
CONCLUDED_NOTICES = ("completed", "overdue")  # annual.models.RectificationStatus


@dataclass
class CreditItem:
    title: str
    date: dt.date | None
    deciding_body: str
    source: str
    content: str
    is_public: bool


@dataclass
class CategoryBlock:
    category: str
    title: str
    items: list[CreditItem] = field(default_factory=list)


def credit_information(org, *, public: bool = True) -> list[CategoryBlock]:
    """The five categories of ``org``'s credit information, in the order of the regulation."""
    return credit_blocks(org, public=public)


def credit_blocks(org, *, public: bool = True, penalties: list[Penalty] | None = None,
                  records: list[CreditRecord] | None = None, reports: list | None = None) -> list[CategoryBlock]:
    """``credit_information`` reusing rows a caller already read (the profile page reads the
    penalties, records and reports for its own sections too): given lists must hold every
    row of that source the ``public`` flag admits."""
    blocks = {c.value: CategoryBlock(c.value, str(c.label), []) for c in CreditCategory}
    authority = org.registration_authority_name
    blocks[CreditCategory.BASIC].items = _basic(org, authority)
    blocks[CreditCategory.ANNUAL].items = _annual(org, authority, reports)
    blocks[CreditCategory.INSPECTION].items = _inspections(org, public) + _notices(org, authority, public)
    blocks[CreditCategory.PENALTY].items = [_penalty_item(p) for p in
                                           (penalties if penalties is not None else _penalties(org, public))]
    for record in records if records is not None else _records(org, public):
        blocks[record.category].items.append(_record_item(record))
    for key, block in blocks.items():
        if key != CreditCategory.BASIC:  # the basic block keeps the registration first
            block.items.sort(key=lambda i: i.date or dt.date.min, reverse=True)
    return list(blocks.values())


def public_penalties(org) -> list[Penalty]:
    return _penalties(org, True)


def public_records(org) -> list[CreditRecord]:
    return _records(org, True)


def _penalties(org, public: bool) -> list[Penalty]:
    qs = Penalty.objects.filter(organization=org)
    return list((qs.filter(is_public=True) if public else qs).order_by("-decided_on", "-id"))


def _records(org, public: bool) -> list[CreditRecord]:
    qs = CreditRecord.objects.filter(organization=org)
    return list((qs.filter(is_public=True) if public else qs).order_by("-occurred_on", "-id"))


def _d(day) -> str:
    return day.isoformat() if day else "—"


def _basic(org, authority: str) -> list[CreditItem]:
    from gongxin.registry.models import ChangeItem

    parts = [_("Type: %(type)s") % {"type": org.type_label},
             _("Legal representative: %(name)s") % {"name": org.legal_representative}]
    if org.certificate_number:
        parts.append(_("Certificate %(number)s, valid %(start)s to %(end)s") % {
            "number": org.certificate_number, "start": _d(org.certificate_valid_from),
            "end": _d(org.certificate_valid_to)})
    items = [CreditItem(title=_("Establishment registration"), date=org.established_on, deciding_body=authority,
                        source=_("Registry of social organizations"), content="; ".join(parts), is_public=True)]
    # org.changes is prefetched by the profile's selector; otherwise this is its one query.
    for change in sorted(org.changes.all(), key=lambda c: (c.changed_on, c.pk), reverse=True):
        label = ChangeItem(change.item).label if change.item in ChangeItem.values else change.item
        items.append(CreditItem(
            title=_("Change registration: %(item)s") % {"item": label}, date=change.changed_on,
            deciding_body=authority, source=_("Registry of social organizations"),
            content=_("%(before)s → %(after)s") % {"before": change.before or "—", "after": change.after or "—"},
            is_public=True))
    return items


def _annual(org, authority: str, reports) -> list[CreditItem]:
    if reports is None:
        from gongxin.annual.selectors import published_reports

        reports = published_reports(org)
    return [_annual_item(report, authority) for report in reports]


def _annual_item(report, authority: str) -> CreditItem:
    result = str(report.get_conclusion_display()) if report.conclusion else _("Filed")
    if report.late:
        result = _("%(result)s (submitted late)") % {"result": result}
    return CreditItem(
        title=_("%(year)s annual work report") % {"year": report.year}, date=report.published_on,
        deciding_body=authority, source=_("Annual inspection"),
        content=_("Result: %(result)s") % {"result": result}, is_public=True)


def _inspections(org, public: bool) -> list[CreditItem]:
    from gongxin.annual.models import InspectionItem, InspectionResult
    from gongxin.registry.models import authority_name

    qs = (InspectionItem.objects.filter(organization=org).exclude(result=InspectionResult.PENDING)
          .select_related("inspection__jurisdiction"))
    if public:
        qs = qs.filter(inspection__status__in=PUBLISHED_INSPECTIONS)
    items = []
    for item in qs.order_by("-inspected_on", "-id"):
        content = str(item.get_result_display())
        if item.findings:
            content = f"{content}: {item.findings}"
        items.append(CreditItem(
            title=item.inspection.title, date=item.inspected_on,
            deciding_body=authority_name(item.inspection.jurisdiction),
            source=_("Random inspection (%(kind)s)") % {"kind": item.inspection.get_kind_display()},
            content=content, is_public=item.inspection.status in PUBLISHED_INSPECTIONS))
    return items


def _notice_public_q() -> Q:
    return Q(status__in=CONCLUDED_NOTICES) & (Q(inspection_item__isnull=True)
                                             | Q(inspection_item__inspection__status__in=PUBLISHED_INSPECTIONS))


def _notices(org, authority: str, public: bool) -> list[CreditItem]:
    from gongxin.annual.models import RectificationNotice, RectificationStatus

    qs = RectificationNotice.objects.filter(organization=org).select_related("inspection_item__inspection")
    if public:
        qs = qs.filter(_notice_public_q())
    items = []
    for notice in qs.order_by("-issued_on", "-id"):
        inspection = notice.inspection_item.inspection if notice.inspection_item_id else None
        status = str(notice.get_status_display())
        if notice.status == RectificationStatus.COMPLETED and notice.completed_on:
            status = _("Completed on %(date)s") % {"date": notice.completed_on.isoformat()}
        is_public = notice.status in CONCLUDED_NOTICES and (
            inspection is None or inspection.status in PUBLISHED_INSPECTIONS)
        items.append(CreditItem(
            title=_("Rectification notice"), date=notice.issued_on, deciding_body=authority,
            source=inspection.title if inspection else _("Supervision by the registration authority"),
            content=_("%(requirements)s (due %(due)s; %(status)s)") % {
                "requirements": notice.requirements, "due": notice.due_on.isoformat(), "status": status},
            is_public=is_public))
    return items


def yuan(amount: Decimal | None) -> str:
    return f"¥{amount:,.2f}" if amount is not None else ""


def _penalty_item(p: Penalty) -> CreditItem:
    label = str(p.get_kind_display())
    if p.amount is not None:
        label = f"{label} {yuan(p.amount)}"
    if p.kind == PenaltyKind.SUSPENSION and p.suspension_from:
        label = _("%(penalty)s (%(start)s to %(end)s)") % {"penalty": label, "start": _d(p.suspension_from),
                                                           "end": _d(p.suspension_until)}
    return CreditItem(
        title=label, date=p.decided_on, deciding_body=p.deciding_body,
        source=_("Penalty decision %(number)s") % {"number": p.decision_number},
        content=_("Facts: %(facts)s Basis: %(basis)s") % {"facts": p.facts, "basis": p.legal_basis},
        is_public=p.is_public)


def _record_item(r: CreditRecord) -> CreditItem:
    from gongxin.credit.rules import facts_display

    content = facts_display(r.content)
    if r.valid_until:
        content = " ".join(x for x in (content, _("Valid until %(date)s.") % {"date": r.valid_until.isoformat()}) if x)
    if r.resolved_on:
        content = " ".join(x for x in (content, _("Ended on %(date)s.") % {"date": r.resolved_on.isoformat()}) if x)
    return CreditItem(title=facts_display(r.title), date=r.occurred_on, deciding_body=r.deciding_body,
                      source=r.source, content=content, is_public=r.is_public)
