"""Registration applications (登记): establishment (筹备 and 成立 merged, seed 004), change and
deregistration; decided by the registration authority within its statutory time limit, counted
in working days. Services and the checks shown to the deciding officer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.accounts.models import Role
from gongxin.core import uscc as uscc_mod
from gongxin.core.audit import audit_record
from gongxin.core.models import Region
from gongxin.core.text import clean_identity_into, identity_key, normalize_identity
from gongxin.core.workdays import add_workdays
from gongxin.registry.models import (
    CHANGEABLE_ITEMS,
    SUBTYPES_BY_TYPE,
    USCC_TYPE_DIGIT,
    ApplicationKind,
    ApplicationStatus,
    Industry,
    Organization,
    OrgStatus,
    OrgType,
    RegistrationApplication,
    SponsorUnit,
)
from gongxin.registry.policy import policy_for
from gongxin.registry.selectors import officer_manages
from gongxin.registry.services import (
    StaleEdit,
    organization_change,
    organization_end,
    organization_register,
)

# The items an establishment application names (Organization fields, sponsor unit by id).
ESTABLISHMENT_FIELDS = ["name", "org_type", "subtype", "industry", "legal_representative", "address",
                        "business_scope", "registered_capital", "member_count", "sponsor_unit", "phone"]
CHANGE_FIELDS = CHANGEABLE_ITEMS


class NotAllowed(ValidationError):
    pass


def _snapshot(app: RegistrationApplication) -> dict[str, Any]:
    return {"kind": app.kind, "status": app.status, "data": app.data, "organization": app.organization_id,
            "due_on": app.due_on, "version": app.version}


# Items that are names of the organization or of persons: normalized, with controls refused
# (core.text), so that the checks below and the registry compare what a reader sees.
IDENTITY_ITEMS = ("name", "legal_representative")


def clean_data(kind: str, data: dict[str, Any], organization: Organization | None) -> dict[str, Any]:
    """Validate the items applied for; returns JSON-safe values. Raises ValidationError by field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if kind == ApplicationKind.ESTABLISHMENT:
        for name in ("name", "legal_representative", "address", "business_scope"):
            value = str(data.get(name) or "").strip()
            if name in IDENTITY_ITEMS:
                value = clean_identity_into(errors, name, value)
            if not value and name not in errors:
                errors[name] = _("This field is required.")
            out[name] = value
        org_type = data.get("org_type") or ""
        if org_type not in OrgType.values:
            errors["org_type"] = _("Choose a type.")
        out["org_type"] = org_type
        subtype = data.get("subtype") or ""
        if subtype and subtype not in SUBTYPES_BY_TYPE.get(org_type, []):
            errors["subtype"] = _("This subtype does not belong to the organization's type.")
        out["subtype"] = subtype
        industry = data.get("industry") or ""
        if industry and industry not in Industry.values:
            errors["industry"] = _("Choose an industry.")
        out["industry"] = industry
        try:
            capital = Decimal(str(data.get("registered_capital") or ""))
            if capital < 0:
                raise InvalidOperation
            out["registered_capital"] = str(capital.quantize(Decimal("0.01")))
        except (InvalidOperation, ValueError):
            errors["registered_capital"] = _("Enter the amount in ten thousand yuan, e.g. 3 or 10.50.")
        members = data.get("member_count")
        try:
            out["member_count"] = int(members) if members not in (None, "") else None
        except (TypeError, ValueError):
            errors["member_count"] = _("Enter a whole number.")
        sponsor = data.get("sponsor_unit") or None
        if sponsor and not SponsorUnit.objects.filter(pk=sponsor).exists():
            errors["sponsor_unit"] = _("Choose a sponsor unit from the list.")
        out["sponsor_unit"] = int(sponsor) if sponsor else None
        out["phone"] = str(data.get("phone") or "").strip()[:32]
        founders = []
        for n in data.get("founders", []):
            if (value := clean_identity_into(errors, "founders", str(n))) and value not in founders:
                founders.append(value)
        out["founders"] = founders
    elif kind == ApplicationKind.CHANGE:
        changed = {k: v for k, v in data.items() if k in CHANGE_FIELDS and v not in (None, "")}
        if not changed:
            errors["__all__"] = _("Name at least one registered item to change.")
        for name, value in changed.items():
            if name == "registered_capital":
                try:
                    value = str(Decimal(str(value)).quantize(Decimal("0.01")))
                except InvalidOperation:
                    errors[name] = _("Enter the amount in ten thousand yuan, e.g. 3 or 10.50.")
            elif name == "sponsor_unit":
                if not SponsorUnit.objects.filter(pk=value).exists():
                    errors[name] = _("Choose a sponsor unit from the list.")
                value = int(value) if str(value).isdigit() else value
            elif name in IDENTITY_ITEMS:
                value = clean_identity_into(errors, name, str(value))
            else:
                value = str(value).strip()
            out[name] = value
    else:
        out["reason"] = str(data.get("reason") or "").strip()
        if not out["reason"]:
            errors["reason"] = _("Give the reason for deregistration (e.g. dissolution by the members' assembly).")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def application_save(*, actor, kind: str, data: dict[str, Any], authority: Region | None = None,
                     organization: Organization | None = None, application: RegistrationApplication | None = None,
                     expected_version: int | None = None) -> RegistrationApplication:
    """Create or update a draft application. Founders apply for establishment; an organization's
    own user applies for its change or deregistration."""
    kind = ApplicationKind(kind)
    if kind == ApplicationKind.ESTABLISHMENT:
        if actor.role not in (Role.FOUNDER, Role.ORG_USER):
            raise NotAllowed(_("Sign in as a founder to apply for establishment."))
        if authority is None:
            raise ValidationError({"registration_authority": _("Choose the registration authority.")})
    else:
        if actor.role != Role.ORG_USER or organization is None or actor.organization_id != organization.pk:
            raise NotAllowed(_("Only the organization itself may apply for this."))
        if not organization.is_active:
            raise ValidationError(_("The organization is no longer active."))
        authority = organization.registration_authority
    clean = clean_data(kind, data, organization)
    if application is None:
        app = RegistrationApplication(kind=kind, applicant=actor, organization=organization,
                                      registration_authority=authority)
        before = None
    else:
        app = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
        if app.applicant_id != actor.pk:
            raise NotAllowed(_("This is not your application."))
        if app.status != ApplicationStatus.DRAFT:
            raise NotAllowed(_("A submitted application can no longer be edited."))
        if expected_version is not None and app.version != expected_version:
            raise StaleEdit(_("This application was changed since you opened it; reload it and try again."))
        before = _snapshot(app)
        app.version += 1
        if kind == ApplicationKind.ESTABLISHMENT:
            app.registration_authority = authority
    app.data = clean
    app.region_prefix = Region.prefix_of(app.registration_authority_id)
    app.full_clean()
    app.save()
    audit_record(actor=actor, action="application.save", obj=app, before=before, after=_snapshot(app))
    return app


@transaction.atomic
def application_submit(*, actor, application: RegistrationApplication, expected_version: int,
                       today: dt.date | None = None) -> RegistrationApplication:
    """Submit: the statutory clock starts (the jurisdiction's limit in working days). Idempotent."""
    app = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
    if app.applicant_id != actor.pk:
        raise NotAllowed(_("This is not your application."))
    if app.status == ApplicationStatus.SUBMITTED:
        return app
    if app.status != ApplicationStatus.DRAFT:
        raise NotAllowed(_("This application has already been decided."))
    if app.version != expected_version:
        raise StaleEdit(_("This application was changed since you opened it; reload it and try again."))
    before = _snapshot(app)
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        # Recording a submission received on another day (paper, back-filled, demo data): the
        # clock runs from that day, and the recount after a calendar change starts there too.
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    today = timezone.localdate(now)
    limit = policy_for(app.registration_authority_id).registration_time_limit
    deadline = add_workdays(today, limit)
    app.status, app.submitted_at, app.due_on, app.due_provisional = (
        ApplicationStatus.SUBMITTED, now, deadline.date, deadline.provisional)
    app.version += 1
    app.save()
    audit_record(actor=actor, action="application.submit", obj=app, before=before, after=_snapshot(app))
    return app


@transaction.atomic
def application_withdraw(*, actor, application: RegistrationApplication) -> RegistrationApplication:
    app = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
    if app.applicant_id != actor.pk:
        raise NotAllowed(_("This is not your application."))
    if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED):
        raise NotAllowed(_("This application has already been decided."))
    before = _snapshot(app)
    app.status = ApplicationStatus.WITHDRAWN
    app.version += 1
    app.save()
    audit_record(actor=actor, action="application.withdraw", obj=app, before=before, after=_snapshot(app))
    return app


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# What a document may be, told by its first bytes (the name and the browser's type can lie).
DOCUMENT_SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def document_check(upload) -> str:
    """A PDF, PNG or JPEG of at most 10 MB, checked by its content; returns its content type."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": upload.name})
    head = upload.read(8)
    upload.seek(0)
    for signature, content_type in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    raise ValidationError(_("%(name)s is not a PDF, PNG or JPEG file.") % {"name": upload.name})


@transaction.atomic
def application_document_add(*, actor, application: RegistrationApplication, kind: str, upload):
    """Attach a document (会议决议, 住所证明, 章程) to one's own draft establishment or change
    application; a second document of the same kind replaces the first. Audited with its digest."""
    import hashlib

    from gongxin.registry.models import ApplicationDocument

    app = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
    if app.applicant_id != actor.pk:
        raise NotAllowed(_("This is not your application."))
    if app.status != ApplicationStatus.DRAFT or app.kind == ApplicationKind.DEREGISTRATION:
        raise NotAllowed(_("Documents are attached to a draft establishment or change application."))
    if kind not in ApplicationDocument.Kind.values:
        raise ValidationError({kind: _("Unknown kind of document.")})
    try:
        content_type = document_check(upload)
    except ValidationError as exc:
        raise ValidationError({kind: exc.messages}) from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    replaced = list(app.documents.filter(kind=kind))
    for old in replaced:
        old.file.delete(save=False)
        old.delete()
    doc = ApplicationDocument(application=app, kind=kind, file=upload, name=upload.name[:200],
                              content_type=content_type, size=upload.size, sha256=digest.hexdigest(),
                              uploaded_by=actor)
    doc.full_clean(exclude=["file"])
    doc.save()
    audit_record(actor=actor, action="application.document", obj=doc, after={
        "application": app.pk, "kind": kind, "name": doc.name, "sha256": doc.sha256,
        "replaced": [d.sha256 for d in replaced]})
    return doc


@dataclass
class Check:
    """One check shown to the deciding officer (and the applicant): ``level`` ok / warning / error /
    pending (an error blocks
    approval; a warning needs the officer's judgement), with the reason and any matches."""

    name: str
    level: str
    message: str
    matches: list = field(default_factory=list)


CHECK_NAMES = {
    "members": gettext_lazy("Minimum members"),
    "similar_names": gettext_lazy("Similar existing names"),
    "name_taken": gettext_lazy("Name already registered"),
    "bad_record": gettext_lazy("Founder and legal representative records"),
}


def similar_names(name: str, region_code: str, *, limit: int = 5, exclude_pk: int | None = None) -> list[Organization]:
    """Existing active organizations in the same jurisdiction (city) with similar names: the
    registry search on the name's distinctive part (the name minus its region prefix and the
    organization-form suffix), best matches first."""
    from gongxin.registry.selectors import SearchFilters, organization_search

    region = Region.objects.filter(code=region_code).first()
    core = normalize_identity(name)
    for prefix in ([region.name] if region else []) + [r.name for r in _ancestors(region)]:
        core = core.replace(prefix, "")
    for suffix in ("行业协会", "商会", "协会", "学会", "研究会", "促进会", "联合会", "基金会", "中心", "服务社", "院"):
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core = core[: -len(suffix)]
            break
    core = core.strip()[:20]
    if len(core) < 2:
        return []
    city = region_code[:4] + "00"
    filters = SearchFilters(region=city, status=OrgStatus.ACTIVE)
    # The whole distinctive part, then its 4-character windows ("智慧养老服务" also finds
    # "智慧养老协会"), each one indexed search; candidates ranked by shared character bigrams.
    terms = list(dict.fromkeys([core, *(core[i:i + 4] for i in range(0, max(len(core) - 3, 1), 2))]))[:4]
    mine = _bigrams(core.lower())
    scored: dict[int, tuple[float, Organization]] = {}
    for term in terms:
        for org in organization_search(actor=None, q=term, filters=filters)[:20]:
            if org.pk == exclude_pk or org.pk in scored:
                continue
            theirs = _bigrams(identity_key(org.name))
            score = len(mine & theirs) / max(len(mine), 1)
            if score >= 0.5:
                scored[org.pk] = (score, org)
    return [org for _score, org in sorted(scored.values(), key=lambda s: (-s[0], s[1].name))[:limit]]


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _ancestors(region: Region | None) -> list[Region]:
    out = []
    while region is not None and region.parent_id:
        region = region.parent
        out.append(region)
    return out


def application_checks(app: RegistrationApplication) -> list[Check]:
    checks: list[Check] = []
    data = app.data
    if app.kind == ApplicationKind.ESTABLISHMENT:
        policy = policy_for(app.registration_authority_id)
        if data.get("org_type") == OrgType.SOCIAL_GROUP:
            needed = policy.min_members_for(data.get("industry", ""))
            have = data.get("member_count") or 0
            if have < needed:
                if needed == policy.min_members_priority:
                    message = _("%(have)s members; a social group in a priority industry needs at least %(needed)s.")
                else:
                    message = _("%(have)s members; a social group needs at least %(needed)s.")
                checks.append(Check("members", "error", message % {"have": have, "needed": needed}))
            else:
                checks.append(Check("members", "ok", _("%(have)s members (at least %(needed)s required).")
                                    % {"have": have, "needed": needed}))
    # Compared on the normalized form: an application saved before names were normalized (or a
    # zero-width variant from anywhere) still meets the name it copies.
    name = normalize_identity(data.get("name") or "")
    if name:
        taken = Organization.objects.filter(name=name).exclude(pk=app.organization_id).first()
        if taken:
            checks.append(Check("name_taken", "error", _("An organization with this exact name is already registered."),
                                [taken]))
        similar = similar_names(name, app.registration_authority_id, exclude_pk=app.organization_id)
        if similar:
            checks.append(Check("similar_names", "warning", _(
                "Organizations with similar names exist in this jurisdiction. More than one association per "
                "industry is allowed: judge whether the names can be confused."), similar))
        else:
            checks.append(Check("similar_names", "ok", _("No similar names in this jurisdiction.")))
    checks.append(_bad_record_check(data))
    for check in checks:
        check.title = CHECK_NAMES[check.name]
    return checks


def _bad_record_check(data: dict) -> Check:
    """Founders and the proposed legal representative named in bad records (credit module:
    their organization was penalized or listed). Persons are known by name only, so a match
    is a warning for the officer to verify, not a refusal."""
    from gongxin.credit.models import PersonBadRecord

    names = [n for n in dict.fromkeys(normalize_identity(str(n)) for n in [data.get("legal_representative", ""),
                                                                            *data.get("founders", [])]) if n]
    if not names:
        return Check("bad_record", "ok", _("No founders or legal representative named."))
    records = list(PersonBadRecord.objects.filter(name__in=names).select_related("organization")
                   .order_by("name", "-recorded_on")[:20])
    if not records:
        return Check("bad_record", "ok", _("No bad records of the founders or the legal representative."))
    lines = "; ".join(f"{r.name}: {r.reason} ({r.recorded_on})" for r in records)
    orgs = list({r.organization_id: r.organization for r in records}.values())
    return Check("bad_record", "warning", _("Bad records of persons with the same name exist; verify whether they are "
                                            "the same persons: %(records)s") % {"records": lines}, orgs)


def _lock_for_decision(actor, application, expected_version) -> RegistrationApplication:
    app = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
    if not officer_manages(actor, app.region_prefix):
        raise NotAllowed(_("Only the registration authority may decide this application."))
    if app.version != expected_version:
        raise StaleEdit(_("This application was changed since you opened it (now: %(status)s); reload it.")
                        % {"status": app.get_status_display()})
    if app.status != ApplicationStatus.SUBMITTED:
        raise NotAllowed(_("This application is not awaiting a decision."))
    return app


def _next_certificate_number(authority: Region, org_type: str) -> str:
    """社证字 / 民证字 / 基证字 numbers run per authority: the next free one."""
    word = {OrgType.SOCIAL_GROUP: "社证字", OrgType.SOCIAL_SERVICE_AGENCY: "民证字", OrgType.FOUNDATION: "基证字"}[org_type]
    prefix = f"{authority.name[:2]}{word}第"
    last = (Organization.objects.filter(certificate_number__startswith=prefix)
            .aggregate(m=Max("certificate_number"))["m"])
    number = int(last[len(prefix):-1]) + 1 if last and last[len(prefix):-1].isdigit() else 1
    return f"{prefix}{number:06d}号"


def _new_uscc(authority: Region, org_type: str) -> str:
    """The next free code for the authority's region and type: serials run per region and type."""
    digit = USCC_TYPE_DIGIT[org_type]
    prefix = f"5{digit}{authority.code}MJ"
    taken = Organization.objects.filter(uscc__startswith=prefix).count()
    for serial in range(taken + 1, taken + 10_000):
        code = uscc_mod.generate(org_type=digit, region_code=authority.code, serial=serial)
        if not Organization.objects.filter(uscc=code).exists():
            return code
    raise RuntimeError("no free code")  # pragma: no cover


@transaction.atomic
def application_approve(*, actor, application: RegistrationApplication, expected_version: int,
                        today: dt.date | None = None) -> RegistrationApplication:
    """Approve: establishment registers the organization (a new USCC and certificate number, its
    search document, certificate valid five years); change applies the items and publishes them;
    deregistration ends the organization. A blocking check refuses approval."""
    app = _lock_for_decision(actor, application, expected_version)
    blocking = [c for c in application_checks(app) if c.level == "error"]
    if blocking:
        raise ValidationError(_("Cannot approve: %(reasons)s") % {"reasons": "；".join(c.message for c in blocking)})
    before = _snapshot(app)
    today = today or timezone.localdate()
    data = app.data
    if app.kind == ApplicationKind.ESTABLISHMENT:
        authority = app.registration_authority
        fields = {k: data.get(k) for k in ESTABLISHMENT_FIELDS if k != "sponsor_unit"}
        fields["sponsor_unit"] = SponsorUnit.objects.get(pk=data["sponsor_unit"]) if data.get("sponsor_unit") else None
        fields["registered_capital"] = Decimal(data["registered_capital"])
        try:
            with transaction.atomic():
                org = organization_register(
                    actor=actor, uscc=_new_uscc(authority, data["org_type"]), registration_authority=authority,
                    established_on=today, certificate_number=_next_certificate_number(authority, data["org_type"]),
                    certificate_valid_from=today, certificate_valid_to=today.replace(year=today.year + 5) - dt.timedelta(days=1),
                    **fields)
        except IntegrityError:  # a concurrent approval took the same code or number: the retry is the user's click
            raise ValidationError(_("Another registration was approved at the same moment; try again.")) from None
        app.organization = org
    elif app.kind == ApplicationKind.CHANGE:
        changes = dict(data)
        if "sponsor_unit" in changes:
            changes["sponsor_unit"] = SponsorUnit.objects.get(pk=changes["sponsor_unit"])
        org = app.organization
        organization_change(actor=actor, org=org, expected_version=org.version, changed_on=today, **changes)
    else:
        organization_end(actor=actor, org=app.organization, status=OrgStatus.DEREGISTERED,
                         reason=data.get("reason", ""), ended_on=today, action="organization.deregister")
    app.status, app.decided_at, app.decided_by = ApplicationStatus.APPROVED, timezone.now(), actor
    app.version += 1
    app.save()
    audit_record(actor=actor, action="application.approve", obj=app, before=before, after=_snapshot(app))
    return app


@transaction.atomic
def application_reject(*, actor, application: RegistrationApplication, reasons: str,
                       expected_version: int) -> RegistrationApplication:
    app = _lock_for_decision(actor, application, expected_version)
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for rejection; the applicant will see them.")})
    before = _snapshot(app)
    app.status, app.decision_reasons = ApplicationStatus.REJECTED, reasons.strip()
    app.decided_at, app.decided_by = timezone.now(), actor
    app.version += 1
    app.save()
    audit_record(actor=actor, action="application.reject", obj=app, before=before, after=_snapshot(app))
    return app


@transaction.atomic
def branch_file(*, actor, organization: Organization, name: str, kind: str, leader: str = "",
                established_on: dt.date | None = None):
    """File a branch or representative office (分支/代表机构): filed, not approved (seed 002).
    Recorded at once, published on the profile, and audited. Names are normalized (a zero-width
    copy of a filed branch is the same branch); at most BRANCH_LIMIT per organization."""
    from gongxin.registry.models import BRANCH_LIMIT, Branch

    if actor.role != Role.ORG_USER or actor.organization_id != organization.pk:
        raise NotAllowed(_("Only the organization itself may file its branches."))
    if not organization.is_active:
        raise ValidationError(_("The organization is no longer active."))
    errors: dict[str, str] = {}
    name = clean_identity_into(errors, "name", name)
    leader = clean_identity_into(errors, "leader", leader)
    if errors:
        raise ValidationError(errors)
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one filing at a time
    filed = Branch.objects.filter(organization=organization)
    if filed.filter(name=name).exists():
        raise ValidationError({"name": _("A branch with this name is already filed.")})
    if filed.count() >= BRANCH_LIMIT:
        raise ValidationError(_("%(n)d branches and representative offices are filed already, the most one "
                                "organization may file here; ask your registration authority.") % {"n": BRANCH_LIMIT})
    branch = Branch(organization=organization, name=name, kind=kind, leader=leader, established_on=established_on)
    branch.full_clean()
    branch.save()
    audit_record(actor=actor, action="branch.file", obj=branch,
                 after={"organization": organization.uscc, "name": name, "kind": kind, "leader": branch.leader})
    return branch


def _branch_state(branch) -> dict[str, Any]:
    return {"organization": branch.organization.uscc, "name": branch.name, "hidden": branch.is_hidden,
            "hidden_reason": branch.hidden_reason}


def _lock_branch(actor, branch):
    from gongxin.registry.models import Branch

    locked = Branch.objects.select_for_update().select_related("organization").get(pk=branch.pk)
    if not officer_manages(actor, locked.organization.region_prefix):
        raise NotAllowed(_("Only the registration authority of this organization may do this."))
    return locked


@transaction.atomic
def branch_hide(*, actor, branch, reason: str):
    """Hide a filed branch from the public profile and the API, with the reason (shown to
    officers and to the organization, not to the public). The registration authority only."""
    from gongxin.registry.models import HIDE_REASON_MAX

    locked = _lock_branch(actor, branch)
    if locked.is_hidden:
        raise ValidationError(_("This entry is already hidden."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for hiding this entry; the organization will see it.")})
    if len(reason) > HIDE_REASON_MAX:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": HIDE_REASON_MAX}})
    before = _branch_state(locked)
    locked.hidden_at, locked.hidden_by, locked.hidden_reason = timezone.now(), actor, reason
    locked.full_clean()
    locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit_record(actor=actor, action="branch.hide", obj=locked, before=before, after=_branch_state(locked))
    return locked


@transaction.atomic
def branch_unhide(*, actor, branch):
    """Publish a hidden branch again. The registration authority only; the audit event keeps
    the reason it was hidden for."""
    locked = _lock_branch(actor, branch)
    if not locked.is_hidden:
        raise ValidationError(_("This entry is not hidden."))
    before = _branch_state(locked)
    locked.hidden_at, locked.hidden_by, locked.hidden_reason = None, None, ""
    locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit_record(actor=actor, action="branch.unhide", obj=locked, before=before, after=_branch_state(locked))
    return locked


def deadlines_recount(*, year: int, **kwargs) -> int:
    """An administrator entered ``year``'s holidays: recount the provisional decision dates of
    open applications (from the submission day, with the jurisdiction's limit). Returns how
    many changed."""
    changed = 0
    for app in RegistrationApplication.objects.filter(status=ApplicationStatus.SUBMITTED, due_provisional=True):
        submitted = timezone.localdate(app.submitted_at)
        deadline = add_workdays(submitted, policy_for(app.registration_authority_id).registration_time_limit)
        if (deadline.date, deadline.provisional) != (app.due_on, app.due_provisional):
            RegistrationApplication.objects.filter(pk=app.pk).update(due_on=deadline.date,
                                                                     due_provisional=deadline.provisional)
            changed += 1
    return changed
