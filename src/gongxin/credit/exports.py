"""Joint-punishment exports (联合惩戒): the organizations currently on the credit lists, for the
other departments that restrict them (procurement, funding, honours…).

One row per listing: an organization on both lists appears once for each. The same rows feed
three formats: XLSX through the task worker (core.exports, ``@exporter("credit_listed")``), and
CSV and JSON streamed straight to the browser. Every export is audited (``credit.export``).

``credit.apps.CreditConfig.ready`` must import this module so that the worker process knows
the exporter."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.core.audit import audit_record
from gongxin.core.exports import ExportData, export_request, exporter
from gongxin.core.models import ExportJob
from gongxin.credit.models import CreditList, ListEntry, ListingStatus
from gongxin.registry.models import ResponsiblePerson, authority_name
from gongxin.registry.selectors import officer_prefix, region_prefix_filter

CHUNK = 2000  # rows read per query (with one more query for their responsible persons)

# Stable machine keys (the JSON's field names), in column order.
KEYS = ["uscc", "name", "list", "listed_on", "reasons", "legal_basis", "listing_authority",
        "legal_representative", "responsible_persons"]


def headers() -> list[str]:
    return [str(h) for h in (
        _("Unified social credit code"), _("Name"), _("List"), _("Listed on"), _("Reasons for listing"),
        _("Legal basis"), _("Listing authority"), _("Legal representative"), _("Responsible persons"))]


def listed_entries(actor, list_: str = "") -> QuerySet[ListEntry]:
    """Entries currently listed in the actor's jurisdiction (nothing for a non-officer)."""
    prefix = officer_prefix(actor)
    if prefix is None:
        return ListEntry.objects.none()
    qs = ListEntry.objects.filter(region_prefix_filter("region_prefix", prefix), status=ListingStatus.LISTED)
    if list_ in CreditList.values:
        qs = qs.filter(list=list_)
    people = Prefetch("organization__responsible_persons", queryset=ResponsiblePerson.objects.order_by("id"))
    return (qs.select_related("organization", "authority").prefetch_related(people)
            .order_by("list", "-listed_on", "id"))


def rows(qs: QuerySet[ListEntry]) -> Iterator[dict]:
    """One dict per listing, keyed by KEYS (strings and ISO dates only: any format can take it)."""
    for entry in qs.iterator(chunk_size=CHUNK):
        org = entry.organization
        people = [f"{p.position} {p.name}" for p in org.responsible_persons.all()]
        yield {
            "uscc": org.uscc,
            "name": org.name,
            "list": str(CreditList(entry.list).label),
            "listed_on": entry.listed_on.isoformat() if entry.listed_on else "",
            "reasons": entry.reason,
            "legal_basis": entry.legal_basis,
            "listing_authority": authority_name(entry.authority),
            "legal_representative": org.legal_representative,
            "responsible_persons": people,
        }


def _flat(row: dict) -> list[str]:
    return [";".join(v) if isinstance(v, list) else v for v in (row[k] for k in KEYS)]


def export_audit(*, actor, fmt: str, list_: str, count: int, job_id: str = "") -> None:
    """Who took which list out, in which format, how many rows: exports are security events."""
    audit_record(actor=actor, action="credit.export", object_type="credit.listentry",
                 after={"format": fmt, "list": list_ or "all", "rows": count, **({"job": job_id} if job_id else {})})


@transaction.atomic
def export_request_listed(*, actor, list_: str) -> ExportJob:
    """Queue the XLSX export for the worker; audited with the other formats' action as well."""
    job = export_request(actor=actor, kind="credit_listed", params={"list": list_})
    export_audit(actor=actor, fmt="xlsx", list_=list_, count=listed_entries(actor, list_).count(), job_id=str(job.id))
    return job


@exporter("credit_listed", title=gettext_lazy("Credit lists"))
def credit_listed(actor, params: dict) -> ExportData:
    qs = listed_entries(actor, params.get("list", ""))
    return ExportData(headers=headers(), total=qs.count(), rows=(_flat(r) for r in rows(qs)),
                      sheet=str(_("Credit lists")))


class _Line:
    """A write-only buffer for csv.writer: each writerow returns its line."""

    def write(self, value: str) -> str:
        return value


# The streams run after the view has returned, while the response is sent: they set the
# request's language themselves rather than rely on what is still active in the thread.


def _inert(value: str) -> str:
    """A cell Excel will not run as a formula (CSV injection: =, +, -, @ at the start)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_stream(qs: QuerySet[ListEntry], *, language: str) -> Iterator[str]:
    with translation.override(language):
        # The BOM makes Excel read the file as UTF-8 (without it, Chinese opens as mojibake).
        writer = csv.writer(_Line())
        yield "\ufeff" + writer.writerow(headers())
        for row in rows(qs):
            yield writer.writerow([_inert(v) for v in _flat(row)])


def json_stream(qs: QuerySet[ListEntry], *, list_: str, count: int, language: str) -> Iterator[str]:
    """``{"generated_at", "list", "count", "fields", "items": [...]}``, written item by item."""
    with translation.override(language):
        head = {"generated_at": timezone.localtime().isoformat(timespec="seconds"), "list": list_ or "all",
                "count": count, "fields": dict(zip(KEYS, headers(), strict=True))}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
        for i, row in enumerate(rows(qs)):
            yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]}\n"
