"""Background work of the registry, run by the task worker (`gongxin db_worker`)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from gongxin.core.audit import audit_record
from gongxin.registry.models import Organization, SearchDocument
from gongxin.registry.search import build_document

BATCH = 2000


@task()
def search_documents_rebuild() -> int:
    """Rewrite every organization's search document (after a change to how documents are
    built). Batches commit one by one, so a killed worker leaves whole batches behind and a
    rerun simply rewrites everything again. Returns the number of documents written."""
    written = 0
    last_id = 0
    while True:
        rows = list(
            Organization.objects.filter(id__gt=last_id).order_by("id")
            .values_list("id", "name", "former_names", "legal_representative")[:BATCH]
        )
        if not rows:
            break
        with transaction.atomic():
            docs = {d.organization_id: d for d in SearchDocument.objects.filter(organization_id__in=[r[0] for r in rows])}
            new, changed = [], []
            for org_id, name, former, legal_rep in rows:
                text, tokens = build_document(name, former, legal_rep)
                doc = docs.get(org_id)
                if doc is None:
                    new.append(SearchDocument(organization_id=org_id, text=text, tokens=tokens))
                elif (doc.text, doc.tokens) != (text, tokens):
                    doc.text, doc.tokens = text, tokens
                    changed.append(doc)
            SearchDocument.objects.bulk_create(new)
            SearchDocument.objects.bulk_update(changed, ["text", "tokens"])
            written += len(new) + len(changed)
        last_id = rows[-1][0]
    with transaction.atomic():
        audit_record(actor=None, action="registry.search_rebuild", object_type="registry.searchdocument",
                     after={"written": written})
    return written
