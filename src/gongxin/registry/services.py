"""Writes to the registry (DESIGN.md convention 1): every one audited in its transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongxin.core import uscc as uscc_mod
from gongxin.core.audit import audit_record
from gongxin.core.facts import facts_changed_notify
from gongxin.core.models import Region
from gongxin.core.text import normalize_identity
from gongxin.registry.models import (
    CHANGEABLE_ITEMS,
    SUBTYPES_BY_TYPE,
    USCC_TYPE_DIGIT,
    Organization,
    OrganizationChange,
    SearchDocument,
)
from gongxin.registry.search import build_document, facet_tokens, normalize


class StaleEdit(ValidationError):
    """The organization changed since the editor loaded it; their edit is refused."""


def search_document_values(org: Organization) -> dict[str, Any]:
    """Every column of an organization's search document but the key."""
    facets = facet_tokens(org_type=org.org_type, subtype=org.subtype, region_prefix=org.region_prefix,
                          status=org.status, industry=org.industry, credit=org.credit_status)
    text, tokens = build_document(org.name, org.former_names, org.legal_representative, facets)
    return {"text": text, "tokens": tokens, "name": normalize(org.name)}


def search_document_refresh(org: Organization) -> None:
    """Rewrite the search document; every service changing a name, former name, legal
    representative, type, subtype, registration authority, status or industry calls this."""
    SearchDocument.objects.update_or_create(organization=org, defaults=search_document_values(org))


def _snapshot(org: Organization) -> dict[str, Any]:
    return {
        "uscc": org.uscc, "name": org.name, "status": org.status, "legal_representative": org.legal_representative,
        "address": org.address, "business_scope": org.business_scope, "registered_capital": str(org.registered_capital),
        "sponsor_unit": org.sponsor_unit.name if org.sponsor_unit_id else "", "version": org.version,
    }


@transaction.atomic
def organization_register(*, actor, **fields: Any) -> Organization:
    """Record an organization's establishment registration (the registry entry and its
    search document). The USCC must pass every check and name the authority's region."""
    authority: Region = fields["registration_authority"]
    parts = uscc_mod.parse(fields["uscc"], region_exists=lambda code: Region.objects.filter(code=code).exists())
    if parts.region_code != authority.code:
        raise ValidationError({"uscc": _("The code's region %(code)s is not the registration authority's region.")
                               % {"code": parts.region_code}})
    if parts.org_type != USCC_TYPE_DIGIT.get(fields["org_type"]):
        raise ValidationError({"uscc": _("The code's organization type digit %(digit)s does not match the type.")
                               % {"digit": parts.org_type}})
    subtype = fields.get("subtype", "")
    if subtype and subtype not in SUBTYPES_BY_TYPE.get(fields["org_type"], []):
        raise ValidationError({"subtype": _("This subtype does not belong to the organization's type.")})
    if fields.get("former_names"):
        fields["former_names"] = list(dict.fromkeys(n for n in map(normalize_identity, fields["former_names"]) if n))
    org = Organization(**{**fields, "uscc": parts.code}, region_prefix=Region.prefix_of(authority.code))
    org.full_clean()
    org.save(force_insert=True)
    search_document_refresh(org)
    audit_record(actor=actor, action="organization.register", obj=org, after=_snapshot(org))
    return org


@transaction.atomic
def organization_end(*, actor, org: Organization, status: str, reason: str, ended_on: dt.date,
                     action: str = "organization.status") -> Organization:
    """End an active organization's registration (deregistered, registration cancelled,
    certificate revoked): the status, a published change entry, its search document and the
    audit event. Used by deregistration applications and dormancy decisions alike."""
    from django.utils import translation

    from gongxin.registry.models import ChangeItem, OrgStatus

    locked = Organization.objects.select_for_update().get(pk=org.pk)
    if locked.status != OrgStatus.ACTIVE:
        raise ValidationError(_("The organization is no longer active (%(status)s).") % {"status": locked.status_label})
    before = {"status": locked.status, "version": locked.version}
    locked.status = OrgStatus(status)
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    with translation.override("zh-hans"):  # the published record is in the registry's language
        OrganizationChange.objects.create(organization=locked, item=ChangeItem.STATUS,
                                          before=str(OrgStatus.ACTIVE.label), after=str(locked.status_label),
                                          changed_on=ended_on)
    search_document_refresh(locked)
    audit_record(actor=actor, action=action, obj=locked, before=before,
                 after={"status": locked.status, "version": locked.version, "reason": reason})
    # A completed deregistration ends a 吊销/撤销 listing (ground D7): the credit state follows.
    facts_changed_notify(organization_ids={locked.pk})
    return locked


@transaction.atomic
def organization_change(*, actor, org: Organization, expected_version: int, changed_on: dt.date,
                        **changes: Any) -> Organization:
    """Record a change registration: update the items, publish each as a change entry, keep
    the old name among former names. Refused if someone else saved in between."""
    unknown = set(changes) - set(CHANGEABLE_ITEMS)
    if unknown:
        raise ValidationError(_("These items cannot be changed here: %(items)s") % {"items": ", ".join(sorted(unknown))})
    locked = Organization.objects.select_for_update().get(pk=org.pk)
    if locked.version != expected_version:
        raise StaleEdit(_("This organization was changed by someone else since you opened it; reload and try again."))
    before = _snapshot(locked)
    entries = []
    for item, new in changes.items():
        field = Organization._meta.get_field(item)
        # Compare values in the field's own type: "10.00" posted for a Decimal("10.00") is no change.
        new = field.clean(new, locked) if item != "sponsor_unit" else new
        old = getattr(locked, item)
        if old == new:
            continue
        entries.append(OrganizationChange(organization=locked, item=item,
                                          before="" if old is None else str(old),
                                          after="" if new is None else str(new), changed_on=changed_on))
        if item == "name":
            # The old name becomes a former name; a name taken back stops being one.
            locked.former_names = [n for n in [*locked.former_names, old] if n != new]
            locked.former_names = list(dict.fromkeys(locked.former_names))
        setattr(locked, item, new)
    if not entries:
        return locked
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=[*changes, "former_names", "version", "updated_at"])
    OrganizationChange.objects.bulk_create(entries)
    search_document_refresh(locked)
    audit_record(actor=actor, action="organization.change", obj=locked, before=before, after=_snapshot(locked))
    return locked
