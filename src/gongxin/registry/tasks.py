"""Background work of the registry, run by the task worker (`gongxin db_worker`)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from gongxin.core.audit import audit_record
from gongxin.registry.models import Organization, SearchDocument
from gongxin.registry.services import search_document_values

BATCH = 2000


@task()
def search_documents_rebuild() -> int:
    """Rewrite every organization's search document (after a change to how documents are
    built). Batches commit one by one, so a killed worker leaves whole batches behind and a
    rerun simply rewrites everything again. Returns the number of documents written."""
    written = 0
    last_id = 0
    while True:
        orgs = list(Organization.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not orgs:
            break
        with transaction.atomic():
            docs = {d.organization_id: d for d in SearchDocument.objects.filter(organization__in=orgs)}
            new, changed = [], []
            for org in orgs:
                values = search_document_values(org)
                doc = docs.get(org.id)
                if doc is None:
                    new.append(SearchDocument(organization=org, **values))
                elif any(getattr(doc, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(doc, k, v)
                    changed.append(doc)
            SearchDocument.objects.bulk_create(new)
            SearchDocument.objects.bulk_update(changed, list(search_document_values(orgs[0])))
            written += len(new) + len(changed)
        last_id = orgs[-1].id
    with transaction.atomic():
        audit_record(actor=None, action="registry.search_rebuild", object_type="registry.searchdocument",
                     after={"written": written})
    return written
