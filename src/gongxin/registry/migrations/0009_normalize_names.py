"""Normalize the names the registry already stores (core.text.normalize_identity: invisible and
control characters removed, NFKC, spaces collapsed, brackets full-width), as every new one is
from now on, so that exact-name checks, bad-record matches and search compare like with like.

Covered: organizations' names, former names and legal representatives; responsible persons;
branches (name, leader); sponsor units; the items of registration applications (name, legal
representative, founders); the published name and legal-representative changes. Then the
search document of every organization whose document no longer matches is rebuilt (the name
key now also drops invisible characters and keeps brackets full-width).

When normalization makes two names equal:
- two organizations: both keep the (now equal) name. An organization is identified by its
  USCC, and renaming a registered organization is a change registration, not a migration's
  act; the pair is listed in the audit event and on standard output, and the exact-name check
  refuses the name to any new application;
- two sponsor units (the name is unique): the later one keeps its stored name unchanged and is
  listed, for an administrator to merge them (organizations and users point at each);
- former names of one organization: kept once; one equal to the current name is dropped;
- branches of one organization: both kept (an officer may hide the copy).

One audit event (action ``registry.names_normalize``) records what changed. Not reversible:
the forms before are in that event.
"""

from django.db import migrations
from django.db.models import Count

from gongxin.core.text import (
    identity_key,
    normalization_report,
    normalize_identity,
    normalize_rows,
    normalize_unique_rows,
)

CHANGE_ITEMS = ("name", "legal_representative")


def _names(values) -> list[str]:
    out = []
    for value in values or []:
        value = normalize_identity(value) if isinstance(value, str) else value
        if value and value not in out:
            out.append(value)
    return out


def _organizations(Organization) -> tuple[list, set[int]]:
    changes, touched, dirty = [], set(), []
    fields = ["name", "legal_representative", "former_names"]
    for org in Organization.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=2000):
        name, rep = normalize_identity(org.name), normalize_identity(org.legal_representative)
        former = [n for n in _names(org.former_names) if n != name]
        for field, after in (("name", name), ("legal_representative", rep), ("former_names", former)):
            before = getattr(org, field)
            if before != after:
                changes.append(("registry.organization", org.pk, field, before, after))
                setattr(org, field, after)
                if org.pk not in touched:
                    touched.add(org.pk)
                    dirty.append(org)
    Organization.objects.bulk_update(dirty, fields, batch_size=2000)
    return changes, touched


def _applications(RegistrationApplication) -> list:
    changes, dirty = [], []
    for app in RegistrationApplication.objects.only("pk", "data").order_by("pk").iterator(chunk_size=2000):
        data = dict(app.data or {})
        for key in CHANGE_ITEMS:
            if isinstance(data.get(key), str):
                data[key] = normalize_identity(data[key])
        if isinstance(data.get("founders"), list):
            data["founders"] = [n for n in (normalize_identity(str(f)) for f in data["founders"]) if n]
        if data != app.data:
            changes.append(("registry.registrationapplication", app.pk, "data", app.data, data))
            app.data = data
            dirty.append(app)
    RegistrationApplication.objects.bulk_update(dirty, ["data"], batch_size=2000)
    return changes


def _search_documents(Organization, SearchDocument, touched: set[int]) -> int:
    """Rewrite the documents of the organizations changed here and of every document whose name
    key is not the new one. Pure functions of registry.search, as services.search_document_values."""
    from gongxin.registry.search import build_document, facet_tokens

    fields = ["name", "former_names", "legal_representative", "org_type", "subtype", "region_prefix", "status",
              "industry", "credit_status"]
    rebuilt = 0
    batch = []

    def flush():
        nonlocal rebuilt
        docs = {d.organization_id: d for d in SearchDocument.objects.filter(organization_id__in=[o.pk for o in batch])}
        dirty = []
        for org in batch:
            doc = docs.get(org.pk)
            key = identity_key(org.name)
            if doc is None or (org.pk not in touched and doc.name == key):
                continue
            facets = facet_tokens(org_type=org.org_type, subtype=org.subtype, region_prefix=org.region_prefix,
                                  status=org.status, industry=org.industry, credit=org.credit_status)
            doc.text, doc.tokens = build_document(org.name, org.former_names, org.legal_representative, facets)
            doc.name = key
            dirty.append(doc)
        # Updates, not inserts: SQLite's FTS index follows through the documents' update trigger.
        SearchDocument.objects.bulk_update(dirty, ["text", "tokens", "name"], batch_size=500)
        rebuilt += len(dirty)
        batch.clear()

    for org in Organization.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=2000):
        batch.append(org)
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    return rebuilt


def forward(apps, schema_editor):
    Organization = apps.get_model("registry", "Organization")
    changes, touched = _organizations(Organization)
    changes += normalize_rows(apps.get_model("registry", "ResponsiblePerson").objects.all(), ["name"])
    changes += normalize_rows(apps.get_model("registry", "Branch").objects.all(), ["name", "leader"])
    sponsor_changes, duplicates = normalize_unique_rows(apps.get_model("registry", "SponsorUnit").objects.all(),
                                                        "name")
    changes += sponsor_changes
    changes += _applications(apps.get_model("registry", "RegistrationApplication"))
    OrganizationChange = apps.get_model("registry", "OrganizationChange")
    changes += normalize_rows(OrganizationChange.objects.filter(item__in=CHANGE_ITEMS), ["before", "after"])
    # Organizations whose normalized names are now equal: listed, both kept (see above).
    renamed = {after for label, _pk, field, _before, after in changes
               if label == "registry.organization" and field == "name"}
    for name in (Organization.objects.filter(name__in=renamed).values("name").annotate(n=Count("pk"))
                 .filter(n__gt=1).values_list("name", flat=True)):
        for pk in Organization.objects.filter(name=name).values_list("pk", flat=True):
            duplicates.append(("registry.organization", pk, "name", "", name))
    rebuilt = _search_documents(Organization, apps.get_model("registry", "SearchDocument"), touched)
    normalization_report(action="registry.names_normalize", changes=changes, duplicates=duplicates,
                         note=f"sponsor units keep their stored name, organizations both keep theirs; "
                              f"{rebuilt} search documents rebuilt")


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_branch_hiding"), ("core", "0005_workday_year")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
