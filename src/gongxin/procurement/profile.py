"""The procurement module's section of the public profile (core.sections): 承接政府购买服务,
the projects awarded to the organization with their performance rating (a failed evaluation
is a result shown here, not an honour), the government functions transferred to it, and the
government services an officer recorded from elsewhere (credit records of kind
government_service this module did not write from its own evaluations)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from gongxin.core.sections import Section, paged
from gongxin.credit.models import RecordKind
from gongxin.credit.profile import records_part
from gongxin.procurement.models import FunctionTransfer, FunctionTransferStatus, PurchaseProject
from gongxin.procurement.selectors_public import project_evaluation
from gongxin.procurement.services import CREDIT_KEY_PREFIX
from gongxin.procurement.stats import AWARDED_STATUSES


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def project_record(row: PurchaseProject) -> dict:
    evaluation = row.public_evaluation
    return {"kind": "project", "ocid": row.ocid, "title": row.title, "department": row.department.name,
            "year": row.year, "awarded_amount": str(row.awarded_amount), "awarded_on": _iso(row.awarded_on),
            "status": row.status, "rating": evaluation.rating if evaluation else None,
            "rating_label": str(evaluation.get_rating_display()) if evaluation else None,
            "score": str(evaluation.total) if evaluation else None,
            "evaluated_on": _iso(evaluation.evaluated_on) if evaluation else None}


def transfer_record(row: FunctionTransfer) -> dict:
    return {"kind": "function_transfer", "function": row.function.name, "department": row.department.name,
            "mode": row.function.mode, "started_on": row.started_on.isoformat(),
            "guidance_until": row.guidance_until.isoformat()}


def purchases_section(org, pages: Mapping[str, int] | None = None) -> Section:
    """Projects awarded to ``org``, newest award first, with the total awarded amount; its
    function transfers in force; other government services on record. Four queries (and a
    COUNT and the total when there are more than a page of projects)."""
    pages = pages or {}
    awarded = PurchaseProject.objects.filter(awarded_organization=org, status__in=AWARDED_STATUSES)
    rows, total, page = paged(awarded.select_related("department", "evaluation").order_by("-awarded_on", "-id"),
                              pages.get("purchases", 1))
    if total > len(rows) or page > 1:
        amount = awarded.order_by().aggregate(amount=Coalesce(
            Sum("awarded_amount"), Value(Decimal("0.00")), output_field=DecimalField(max_digits=16, decimal_places=2)
        ))["amount"]
    else:  # the page holds them all
        amount = sum((p.awarded_amount or Decimal("0.00") for p in rows), Decimal("0.00"))
    for p in rows:
        p.public_evaluation = project_evaluation(p)
    transfers_qs = (FunctionTransfer.objects.filter(organization=org, status=FunctionTransferStatus.ACTIVE)
                    .select_related("function", "department").order_by("-started_on", "-id"))
    t_rows, t_total, t_page = paged(transfers_qs, pages.get("purchases-transfers", 1))
    transfers = Section("purchases-transfers", _("Government functions transferred to the organization"),
                        "procurement/public/includes/org_transfers.html", t_rows, t_total, t_page,
                        record=transfer_record)
    recorded = records_part(org, "purchases-records", _("Government services recorded from other sources"),
                            [RecordKind.GOVERNMENT_SERVICE], not_from=CREDIT_KEY_PREFIX, pages=pages)
    return Section("purchases", _("Government purchase projects"), "procurement/public/includes/org_purchases.html",
                   rows, total, page, record=project_record, parts=[transfers, recorded],
                   summary={"awarded_amount": Decimal(amount).quantize(Decimal("0.01"))})
