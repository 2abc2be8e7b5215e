"""双随机一公开: random inspections, their results, rectification notices and the nightly
overdue rule (DESIGN.md conventions 1-3; domain-rules.md §2 abnormal-list grounds 3 and 6).

Services (writes, audited) and selectors (reads, scoped by the acting user) of the
inspection sub-domain live together here; the views, the task and the export call only these.

The draw is reproducible by anyone: the candidates are the organizations matching the
campaign's filters within its jurisdiction, in ascending USCC order; the published
``candidate_digest`` is the sha256 of their USCCs joined by line feeds, and the sample is
``random.Random(seed).sample(candidates, k)`` in Python 3. Inspectors are then assigned
round-robin over the pool (ordered by id) after ``shuffle`` with the same generator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import re
import secrets
import tempfile
from array import array
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.accounts.models import Role, User
from gongxin.annual.models import (
    FactKind,
    InspectionItem,
    InspectionKind,
    InspectionResult,
    InspectionStatus,
    RandomInspection,
    RectificationNotice,
    RectificationStatus,
    SupervisionFact,
)
from gongxin.core.audit import audit_record
from gongxin.core.exports import ExportData, exporter
from gongxin.core.facts import facts_changed_notify
from gongxin.core.models import Region
from gongxin.core.workdays import add_workdays, workdays_left
from gongxin.registry.models import SUBTYPES_BY_TYPE, Organization, OrgStatus, OrgSubtype, OrgType
from gongxin.registry.policy import policy_for
from gongxin.registry.selectors import officer_manages, officer_prefix, region_prefix_filter
from gongxin.registry.services import StaleEdit

CHUNK = 10_000  # rows per fetch when streaming the candidate list
FILTER_KEYS = ("org_type", "subtype", "status", "region")
# Seeds are quoted in the public page's verification snippet: no quotes, spaces or backslashes.
SEED_RE = re.compile(r"[\w.\-]{1,64}")
# Notices not yet confirmed completed: while one stands, its inspection gets no second notice.
_UNFINISHED = (RectificationStatus.OPEN, RectificationStatus.OVERDUE)


class NotAllowed(ValidationError):
    """The actor may not do this to this object in its current state."""


class InspectionNotFound(Http404):
    pass


# --- scope -----------------------------------------------------------------------------------


def _code_within(code: str, prefix: str) -> bool:
    return Region.prefix_of(code).startswith(prefix)


def _require_officer(actor) -> str:
    prefix = officer_prefix(actor)
    if prefix is None:
        raise NotAllowed(_("Only a registration officer may do this."))
    return prefix


def officer_covers(actor, inspection: RandomInspection) -> bool:
    prefix = officer_prefix(actor)
    return prefix is not None and _code_within(inspection.jurisdiction_id, prefix)


def org_in_scope(actor, org: Organization) -> bool:
    return officer_manages(actor, org.region_prefix)


# --- selectors -------------------------------------------------------------------------------


def inspections_visible(*, actor) -> QuerySet[RandomInspection]:
    """Campaigns an officer may open: those whose jurisdiction lies within theirs, and those
    they were drawn into as an inspector. Anyone but an officer or an administrator: 404."""
    prefix = officer_prefix(actor)
    if prefix is None:
        raise InspectionNotFound(_("No such inspection."))
    scope = region_prefix_filter("jurisdiction_id", prefix)
    if actor.role == Role.OFFICER:
        pools = RandomInspection.inspectors.through.objects.filter(user_id=actor.pk)
        scope |= Q(pk__in=pools.values("randominspection_id"))
    return RandomInspection.objects.filter(scope).select_related("jurisdiction", "created_by")


def inspection_list(*, actor) -> QuerySet[RandomInspection]:
    """The officer's list, newest first, with the number of organizations drawn."""
    return inspections_visible(actor=actor).annotate(item_count=Count("items")).order_by("-created_at", "-id")


def inspection_get(*, actor, pk: int) -> RandomInspection:
    inspection = inspections_visible(actor=actor).filter(pk=pk).first()
    if inspection is None:
        raise InspectionNotFound(_("No such inspection."))
    return inspection


def inspection_items(*, inspection: RandomInspection) -> QuerySet[InspectionItem]:
    """The sampled organizations of a campaign the caller already may see, in USCC order."""
    return (InspectionItem.objects.filter(inspection=inspection)
            .select_related("organization", "inspector")
            .annotate(notice_count=Count("notices"), last_notice_id=Max("notices__id"),
                      open_notice_id=Max("notices__id", filter=Q(notices__status__in=_UNFINISHED)))
            .order_by("organization__uscc"))


def item_get(*, actor, pk: int) -> InspectionItem:
    """One sampled organization, for its inspector or an officer covering the campaign."""
    item = (InspectionItem.objects.select_related("inspection__jurisdiction", "organization", "inspector")
            .filter(pk=pk).first())
    if item is None or not (officer_covers(actor, item.inspection)
                            or (actor.is_authenticated and item.inspector_id == actor.pk)):
        raise InspectionNotFound(_("No such inspected organization."))
    return item


def inspection_candidates(inspection: RandomInspection) -> QuerySet[Organization]:
    """The organizations a draw picks from: the campaign's filters within its jurisdiction."""
    f = inspection.filters or {}
    qs = Organization.objects.filter(region_prefix_filter("region_prefix", Region.prefix_of(inspection.jurisdiction_id)))
    if f.get("region"):
        qs = qs.filter(region_prefix_filter("region_prefix", Region.prefix_of(f["region"])))
    if f.get("org_type"):
        qs = qs.filter(org_type=f["org_type"])
    if f.get("subtype"):
        qs = qs.filter(subtype=f["subtype"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    return qs


def public_inspections() -> QuerySet[RandomInspection]:
    """Published draws (双随机一公开), newest publication first."""
    return (RandomInspection.objects.filter(status__in=[InspectionStatus.PUBLISHED, InspectionStatus.CLOSED],
                                            published_at__isnull=False)
            .select_related("jurisdiction").annotate(item_count=Count("items"))
            .order_by("-published_at", "-id"))


def public_inspection_get(*, pk: int) -> RandomInspection:
    inspection = public_inspections().filter(pk=pk).first()
    if inspection is None:
        raise InspectionNotFound(_("No published inspection with this number."))
    return inspection


_OPEN_FIRST = Case(When(status__in=[RectificationStatus.OPEN, RectificationStatus.OVERDUE], then=Value(0)),
                   default=Value(1), output_field=IntegerField())


def rectifications_visible(*, actor, status: str = "") -> QuerySet[RectificationNotice]:
    """Notices an actor may open: an officer's (by the organization's registration authority),
    an organization user's own organization's; open and overdue ones first, earliest due first.
    Anyone else: 404."""
    qs = RectificationNotice.objects.select_related("organization", "inspection_item__inspection", "issued_by")
    prefix = officer_prefix(actor)
    if prefix is not None:
        qs = qs.filter(region_prefix_filter("organization__region_prefix", prefix))
    elif actor is not None and actor.is_authenticated and actor.role == Role.ORG_USER:
        qs = qs.filter(organization_id=actor.organization_id)
    else:
        raise InspectionNotFound(_("No such rectification notice."))
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(open_first=_OPEN_FIRST).order_by("open_first", "due_on", "id")


def rectification_get(*, actor, pk: int) -> RectificationNotice:
    notice = rectifications_visible(actor=actor).filter(pk=pk).first()
    if notice is None:
        raise InspectionNotFound(_("No such rectification notice."))
    return notice


def open_notice_for_item(item: InspectionItem) -> RectificationNotice | None:
    """The notice still open (or overdue) for an inspected organization, if any: while it
    stands, no second notice is issued for the same inspection (``rectification_issue``)."""
    return (RectificationNotice.objects.filter(inspection_item_id=item.pk, status__in=_UNFINISHED)
            .order_by("id").first())


def organization_items(*, actor) -> QuerySet[InspectionItem]:
    """An organization user's own organization's inspections, once the draw is published
    (an unannounced inspection stays unannounced until then)."""
    if actor is None or not actor.is_authenticated or actor.role != Role.ORG_USER:
        raise InspectionNotFound(_("No such inspection."))
    return (InspectionItem.objects.filter(organization_id=actor.organization_id,
                                          inspection__status__in=[InspectionStatus.PUBLISHED, InspectionStatus.CLOSED])
            .select_related("inspection").order_by("-inspection__published_at", "-id"))


def inspector_choices(*, actor) -> QuerySet[User]:
    """Officers who may be put in a campaign's inspector pool: those within the actor's jurisdiction."""
    prefix = _require_officer(actor)
    return (User.objects.filter(region_prefix_filter("jurisdiction_id", prefix), role=Role.OFFICER, is_active=True)
            .order_by("jurisdiction_id", "username"))


def jurisdiction_choices(*, actor) -> QuerySet[Region]:
    """Regions an officer may open a campaign in: their jurisdiction and every region under it."""
    prefix = _require_officer(actor)
    return Region.objects.filter(region_prefix_filter("code", prefix)).order_by("code")


def days_left(notice: RectificationNotice, today: dt.date | None = None) -> int | None:
    """Working days until the notice is due (0 = due today, negative = overdue); None once completed."""
    if notice.status == RectificationStatus.COMPLETED:
        return None
    return workdays_left(today or timezone.localdate(), notice.due_on)


# --- services --------------------------------------------------------------------------------


def _inspection_snapshot(inspection: RandomInspection) -> dict[str, Any]:
    return {
        "jurisdiction": inspection.jurisdiction_id, "title": inspection.title, "kind": inspection.kind,
        "status": inspection.status, "filters": inspection.filters, "sample_size": inspection.sample_size,
        "sample_share": str(inspection.sample_share) if inspection.sample_share is not None else None,
        "seed": inspection.seed, "candidate_count": inspection.candidate_count,
        "candidate_digest": inspection.candidate_digest,
    }


def _clean_filters(filters: dict[str, Any] | None, jurisdiction: Region) -> dict[str, str]:
    f = {k: str(v or "").strip() for k, v in (filters or {}).items()}
    unknown = set(f) - set(FILTER_KEYS)
    if unknown:
        raise ValidationError(_("Unknown filters: %(names)s") % {"names": ", ".join(sorted(unknown))})
    out: dict[str, str] = {"status": f.get("status") or OrgStatus.ACTIVE}
    if out["status"] not in OrgStatus.values:
        raise ValidationError({"status": _("Unknown organization status.")})
    if f.get("org_type"):
        if f["org_type"] not in OrgType.values:
            raise ValidationError({"org_type": _("Unknown organization type.")})
        out["org_type"] = f["org_type"]
    if f.get("subtype"):
        if f["subtype"] not in OrgSubtype.values:
            raise ValidationError({"subtype": _("Unknown organization subtype.")})
        if out.get("org_type") and f["subtype"] not in SUBTYPES_BY_TYPE[out["org_type"]]:
            raise ValidationError({"subtype": _("This subtype does not belong to the chosen type.")})
        out["subtype"] = f["subtype"]
    if f.get("region"):
        if not Region.objects.filter(code=f["region"]).exists():
            raise ValidationError({"region": _("Unknown region code.")})
        if not _code_within(f["region"], Region.prefix_of(jurisdiction.code)):
            raise ValidationError({"region": _("The region must lie within the inspection's jurisdiction.")})
        out["region"] = f["region"]
    return out


@transaction.atomic
def inspection_create(*, actor, jurisdiction: Region | str, title: str, kind: str,
                      filters: dict[str, Any] | None = None, sample_size: int | None = None,
                      sample_share: Decimal | str | None = None,
                      inspectors: list[User] | QuerySet[User] | None = None) -> RandomInspection:
    """Open a campaign (draft) in a jurisdiction within the officer's own. Exactly one of
    ``sample_size`` (organizations) and ``sample_share`` (percent of the candidates) is given;
    the inspector pool defaults to the officer alone."""
    prefix = _require_officer(actor)
    if isinstance(jurisdiction, str):
        jurisdiction = Region.objects.filter(code=jurisdiction).first()
        if jurisdiction is None:
            raise ValidationError({"jurisdiction": _("Unknown region code.")})
    if not _code_within(jurisdiction.code, prefix):
        raise NotAllowed({"jurisdiction": _("You may only open inspections within your own jurisdiction.")})
    if (sample_size is None) == (sample_share is None or sample_share == ""):
        raise ValidationError(_("Give either a sample size or a sample share, not both."))
    if sample_size is not None and int(sample_size) < 1:
        raise ValidationError({"sample_size": _("Draw at least one organization.")})
    if sample_share not in (None, ""):
        try:
            sample_share = Decimal(str(sample_share))
        except InvalidOperation:
            raise ValidationError({"sample_share": _("Enter a percentage.")}) from None
        if not Decimal("0") < sample_share <= Decimal("100"):
            raise ValidationError({"sample_share": _("The share must be more than 0 and at most 100 percent.")})
    else:
        sample_share = None
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": _("Unknown inspection kind.")})
    pool = list(inspectors) if inspectors else [actor]
    for user in pool:
        if user.role != Role.OFFICER or not _code_within(user.jurisdiction_id or "", prefix):
            raise ValidationError({"inspectors": _("%(user)s is not a registration officer within your jurisdiction.")
                                   % {"user": user}})
    inspection = RandomInspection(jurisdiction=jurisdiction, title=title.strip(), kind=kind,
                                  filters=_clean_filters(filters, jurisdiction), sample_size=sample_size,
                                  sample_share=sample_share, created_by=actor)
    inspection.full_clean()
    inspection.save(force_insert=True)
    inspection.inspectors.set(pool)
    audit_record(actor=actor, action="inspection.create", obj=inspection,
                 after={**_inspection_snapshot(inspection), "inspectors": sorted(u.pk for u in pool)})
    return inspection


def sample_count(inspection: RandomInspection, candidate_count: int) -> int:
    """k: the fixed size, or the share of the candidates rounded up; never more than there are."""
    if inspection.sample_size is not None:
        k = inspection.sample_size
    else:
        k = math.ceil(Decimal(inspection.sample_share) * candidate_count / 100)
    return min(k, candidate_count)


@transaction.atomic
def inspection_draw(*, actor, inspection: RandomInspection, seed: str | None = None) -> RandomInspection:
    """Draw the organizations and assign the inspectors, once.

    Scales to a province's million organizations: the candidate list is streamed as
    (id, uscc) tuples, the USCCs hashed as they pass and only the ids kept (8 bytes each);
    sampling indices ``range(n)`` picks exactly the elements ``sample(candidates, k)`` would,
    since ``random.sample`` only ever looks at the population's length and indices."""
    locked = RandomInspection.objects.select_for_update().select_related("jurisdiction").get(pk=inspection.pk)
    if not officer_covers(actor, locked):
        raise NotAllowed(_("Only an officer of this jurisdiction may draw this inspection."))
    if locked.status != InspectionStatus.DRAFT:
        raise NotAllowed(_("This inspection has already been drawn; a draw cannot be repeated."))
    seed = (seed or "").strip() or secrets.token_hex(8)
    if not SEED_RE.fullmatch(seed):
        raise ValidationError({"seed": _("A seed is at most 64 letters, digits, hyphens, dots or underscores.")})
    before = _inspection_snapshot(locked)

    ids = array("q")
    digest = hashlib.sha256()
    rows = inspection_candidates(locked).order_by("uscc").values_list("id", "uscc")
    # The exact bytes hashed are kept (candidates_store): the public page offers them, so that
    # a citizen can recompute the draw from the list as it was, not as the registry is later.
    with tempfile.TemporaryFile() as hashed:
        for i, (org_id, uscc) in enumerate(rows.iterator(chunk_size=CHUNK)):
            chunk = (b"\n" if i else b"") + uscc.encode("ascii")
            digest.update(chunk)
            hashed.write(chunk)
            ids.append(org_id)
        hashed.seek(0)
        candidates_store(locked, digest.hexdigest(), hashed)
    n = len(ids)
    k = sample_count(locked, n)
    rng = random.Random(seed)
    picked = rng.sample(range(n), k)
    pool = list(locked.inspectors.order_by("id").values_list("id", flat=True))
    rng.shuffle(pool)
    InspectionItem.objects.bulk_create(
        [InspectionItem(inspection=locked, organization_id=ids[j], inspector_id=pool[i % len(pool)] if pool else None)
         for i, j in enumerate(picked)],
        batch_size=1000,
    )
    locked.seed, locked.candidate_count, locked.candidate_digest = seed, n, digest.hexdigest()
    locked.status, locked.drawn_at = InspectionStatus.DRAWN, timezone.now()
    locked.full_clean()
    locked.save(update_fields=["seed", "candidate_count", "candidate_digest", "status", "drawn_at"])
    audit_record(actor=actor, action="inspection.draw", obj=locked, before=before,
                 after={**_inspection_snapshot(locked), "drawn": k})
    return locked


def candidates_path(inspection: RandomInspection, digest: str) -> str:
    # Named by its digest: the name says which bytes it holds, and a draw rolled back (or a
    # test database reusing the id) can never leave a list that passes for another draw's.
    return f"inspections/{inspection.pk}/candidates-{digest}.txt"


def candidates_store(inspection: RandomInspection, digest: str, fh) -> None:
    """Keep the candidate list of a draw (USCCs in ascending order joined by line feeds, ASCII:
    the bytes the digest is taken of) in the default storage."""
    name = candidates_path(inspection, digest)
    if not default_storage.exists(name):  # the same digest is the same bytes
        default_storage.save(name, File(fh))


def candidates_open(inspection: RandomInspection):
    """The stored candidate list of a published draw, or None when it was drawn before lists
    were kept or the file no longer matches the published digest (then it is not offered)."""
    if not inspection.candidate_digest:
        return None
    name = candidates_path(inspection, inspection.candidate_digest)
    if not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != inspection.candidate_digest:
        return None
    return default_storage.open(name, "rb")


@transaction.atomic
def inspection_publish(*, actor, inspection: RandomInspection) -> RandomInspection:
    """Publish a draw: its sample, seed, candidate count and digest go on the public page."""
    locked = RandomInspection.objects.select_for_update().get(pk=inspection.pk)
    if not officer_covers(actor, locked):
        raise NotAllowed(_("Only an officer of this jurisdiction may publish this inspection."))
    if locked.status != InspectionStatus.DRAWN:
        raise NotAllowed(_("Only a drawn inspection that is not yet published can be published."))
    before = _inspection_snapshot(locked)
    locked.status, locked.published_at = InspectionStatus.PUBLISHED, timezone.now()
    locked.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, action="inspection.publish", obj=locked, before=before,
                 after=_inspection_snapshot(locked))
    return locked


def _item_snapshot(item: InspectionItem) -> dict[str, Any]:
    return {"organization": item.organization.uscc, "inspector": item.inspector_id, "result": item.result,
            "findings": item.findings, "inspected_on": item.inspected_on, "version": item.version}


@transaction.atomic
def inspection_record_result(*, actor, item: InspectionItem, result: str, findings: str = "",
                             inspected_on: dt.date | None = None, expected_version: int) -> InspectionItem:
    """Record (or correct) one organization's result, by its inspector or an officer covering
    the campaign. Refused if someone saved the item since the editor loaded it. "Cannot be
    reached" records the supervision fact behind abnormal-list ground 6; correcting it away
    resolves that fact."""
    locked = (InspectionItem.objects.select_for_update()
              .select_related("inspection", "organization").get(pk=item.pk))
    if not (officer_covers(actor, locked.inspection) or (actor.is_authenticated and locked.inspector_id == actor.pk)):
        raise NotAllowed(_("Only the assigned inspector or an officer of this jurisdiction may record this result."))
    if locked.inspection.status not in (InspectionStatus.DRAWN, InspectionStatus.PUBLISHED):
        raise NotAllowed(_("Results can only be recorded while the inspection is under way."))
    if locked.version != expected_version:
        raise StaleEdit(_("Someone else recorded a result for this organization since you opened it "
                          "(now: %(result)s); reload the page and try again.")
                        % {"result": locked.get_result_display()}, code="stale")
    if result not in InspectionResult.values or result == InspectionResult.PENDING:
        raise ValidationError({"result": _("Choose the result of the inspection.")})
    if result == InspectionResult.ISSUES and not findings.strip():
        raise ValidationError({"findings": _("Describe the problems found.")})
    today = timezone.localdate()
    inspected_on = inspected_on or today
    if inspected_on > today:
        raise ValidationError({"inspected_on": _("The inspection date cannot be in the future.")})
    drawn_on = timezone.localdate(locked.inspection.drawn_at) if locked.inspection.drawn_at else None
    if drawn_on is not None and inspected_on < drawn_on:
        raise ValidationError({"inspected_on": _("The inspection date cannot be before the draw (%(date)s): "
                                                 "an organization is inspected only after it was drawn.")
                               % {"date": drawn_on.isoformat()}})
    before = _item_snapshot(locked)
    was_unreachable = locked.result == InspectionResult.UNREACHABLE
    locked.result, locked.findings, locked.inspected_on = result, findings.strip(), inspected_on
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=["result", "findings", "inspected_on", "version"])
    key = f"insp{locked.pk}"
    if result == InspectionResult.UNREACHABLE:
        fact, created = SupervisionFact.objects.get_or_create(
            organization=locked.organization, kind=FactKind.UNREACHABLE, key=key,
            defaults={"occurred_on": inspected_on,
                      "evidence": {"inspection": locked.inspection_id, "item": locked.pk,
                                   "title": locked.inspection.title, "findings": locked.findings}})
        if not created and fact.resolved_on is not None:
            fact.resolved_on = None
            fact.save(update_fields=["resolved_on"])
    elif was_unreachable:
        SupervisionFact.objects.filter(organization=locked.organization, kind=FactKind.UNREACHABLE, key=key,
                                       resolved_on__isnull=True).update(resolved_on=today)
    if result == InspectionResult.UNREACHABLE or was_unreachable:
        facts_changed_notify(organization_ids={locked.organization_id}, today=today)
    audit_record(actor=actor, action="inspection.result", obj=locked, before=before, after=_item_snapshot(locked))
    return locked


def _notice_snapshot(notice: RectificationNotice) -> dict[str, Any]:
    return {"organization": notice.organization.uscc, "inspection_item": notice.inspection_item_id,
            "requirements": notice.requirements, "issued_on": notice.issued_on, "due_on": notice.due_on,
            "due_provisional": notice.due_provisional, "status": notice.status,
            "completed_on": notice.completed_on, "follow_up": notice.follow_up}


@transaction.atomic
def rectification_issue(*, actor, requirements: str, inspection_item: InspectionItem | None = None,
                        organization: Organization | None = None, issued_on: dt.date | None = None,
                        working_days: int | None = None) -> RectificationNotice:
    """Order an organization to rectify, after an inspection that found problems (or on its
    own, given the organization). Due ``working_days`` working days after ``issued_on``: by
    default the jurisdiction's rectification time limit; provisional where the calendar of
    the due year is not yet known.

    One notice at a time: refused while an open (or overdue) notice stands for the same
    inspected organization, and, for a notice without an inspection, when the same
    requirements were already issued to the organization that day (a double submit). The
    inspection item (or the organization) is locked first, so two concurrent submits queue
    and the second one sees the first's notice."""
    _require_officer(actor)
    if inspection_item is not None:
        inspection_item = (InspectionItem.objects.select_for_update().select_related("inspection", "organization")
                           .get(pk=inspection_item.pk))
        if not officer_covers(actor, inspection_item.inspection):
            raise NotAllowed(_("Only an officer of this jurisdiction may order this rectification."))
        if inspection_item.result != InspectionResult.ISSUES:
            raise NotAllowed(_("A rectification can only be ordered after an inspection found problems."))
        organization = inspection_item.organization
    if organization is None:
        raise ValidationError(_("Say which organization must rectify."))
    if not org_in_scope(actor, organization):
        raise NotAllowed(_("This organization is not within your jurisdiction."))
    if not requirements.strip():
        raise ValidationError({"requirements": _("Say what must be rectified.")})
    issued_on = issued_on or timezone.localdate()
    if inspection_item is not None:
        existing = open_notice_for_item(inspection_item)
        if existing is not None:
            raise ValidationError(
                _("A rectification notice for this inspection is still open (issued %(issued)s, due %(due)s): "
                  "follow it up or confirm it completed instead of issuing another.")
                % {"issued": existing.issued_on.isoformat(), "due": existing.due_on.isoformat()},
                code="duplicate_notice")
    else:
        Organization.objects.select_for_update().filter(pk=organization.pk).first()  # queue double submits
        if RectificationNotice.objects.filter(organization=organization, inspection_item__isnull=True,
                                              requirements=requirements.strip(), issued_on=issued_on,
                                              status__in=_UNFINISHED).exists():
            raise ValidationError(
                _("This organization was already ordered to rectify with the same requirements on %(date)s; "
                  "the notice has not been issued twice.") % {"date": issued_on.isoformat()},
                code="duplicate_notice")
    if working_days is None:
        working_days = policy_for(organization.registration_authority_id).rectification_time_limit
    if working_days < 1:
        raise ValidationError({"working_days": _("Allow at least one working day.")})
    deadline = add_workdays(issued_on, working_days)
    notice = RectificationNotice(organization=organization, inspection_item=inspection_item,
                                 requirements=requirements.strip(), issued_on=issued_on, due_on=deadline.date,
                                 due_provisional=deadline.provisional, working_days=working_days, issued_by=actor)
    notice.full_clean()
    notice.save(force_insert=True)
    audit_record(actor=actor, action="rectification.issue", obj=notice,
                 after={**_notice_snapshot(notice), "working_days": working_days})
    return notice


def _overdue_key(notice: RectificationNotice) -> str:
    return f"rect{notice.pk}"


@transaction.atomic
def rectification_complete(*, actor, notice: RectificationNotice, follow_up: str,
                           completed_on: dt.date | None = None) -> RectificationNotice:
    """An officer confirms the rectification done, with a follow-up note. A completion after
    the deadline resolves the overdue fact (the ground for the abnormal list) as of that day."""
    locked = RectificationNotice.objects.select_for_update().select_related("organization").get(pk=notice.pk)
    if not org_in_scope(actor, locked.organization):
        raise NotAllowed(_("Only an officer of this jurisdiction may confirm this rectification."))
    if locked.status == RectificationStatus.COMPLETED:
        raise NotAllowed(_("This rectification has already been confirmed as completed."))
    if not follow_up.strip():
        raise ValidationError({"follow_up": _("Record how the rectification was verified.")})
    today = timezone.localdate()
    completed_on = completed_on or today
    if completed_on < locked.issued_on or completed_on > today:
        raise ValidationError({"completed_on": _("The completion date must lie between the notice and today.")})
    before = _notice_snapshot(locked)
    locked.status, locked.completed_on, locked.follow_up = RectificationStatus.COMPLETED, completed_on, follow_up.strip()
    locked.full_clean()
    locked.save(update_fields=["status", "completed_on", "follow_up"])
    resolved = SupervisionFact.objects.filter(organization=locked.organization, kind=FactKind.RECTIFICATION_OVERDUE,
                                              key=_overdue_key(locked), resolved_on__isnull=True
                                              ).update(resolved_on=completed_on)
    if resolved:
        facts_changed_notify(organization_ids={locked.organization_id}, today=today)
    audit_record(actor=actor, action="rectification.complete", obj=locked, before=before,
                 after={**_notice_snapshot(locked), "overdue_fact_resolved": bool(resolved)})
    return locked


def rectifications_mark_overdue(today: dt.date, *, actor=None) -> int:
    """The nightly rule: open notices whose due day has passed become overdue, each recording
    the supervision fact behind abnormal-list ground 3 (occurred the day after the due day).
    Idempotent: a rerun finds no open notice past due, and the fact's unique key makes a
    repeated record a no-op. Each notice commits on its own, so a crash loses nothing done."""
    marked = 0
    due = (RectificationNotice.objects.filter(status=RectificationStatus.OPEN, due_on__lt=today)
           .order_by("id").values_list("id", flat=True))
    for notice_id in list(due):
        with transaction.atomic():
            notice = (RectificationNotice.objects.select_for_update().select_related("organization")
                      .filter(pk=notice_id, status=RectificationStatus.OPEN).first())
            if notice is None:
                continue  # completed meanwhile
            before = _notice_snapshot(notice)
            notice.status = RectificationStatus.OVERDUE
            notice.save(update_fields=["status"])
            SupervisionFact.objects.get_or_create(
                organization=notice.organization, kind=FactKind.RECTIFICATION_OVERDUE, key=_overdue_key(notice),
                defaults={"occurred_on": notice.due_on + dt.timedelta(days=1),
                          "evidence": {"notice": notice.pk, "issued_on": notice.issued_on.isoformat(),
                                       "due_on": notice.due_on.isoformat(),
                                       "inspection_item": notice.inspection_item_id}})
            audit_record(actor=actor, action="rectification.overdue", obj=notice, before=before,
                         after=_notice_snapshot(notice))
            marked += 1
    return marked


# --- export ----------------------------------------------------------------------------------


@exporter("rectifications", title=gettext_lazy("Rectification notices"))
def rectifications_export(actor, params: dict) -> ExportData:
    """The officer's rectification worklist as filtered on the page, in the page's order."""
    status = params.get("status", "")
    qs = rectifications_visible(actor=actor, status=status if status in RectificationStatus.values else "")
    today = timezone.localdate()
    headers = [_("Name"), _("Unified social credit code"), _("Inspection"), _("Requirements"), _("Issued on"),
               _("Due"), _("Provisional deadline"), _("Working days left"), _("Status"), _("Completed on"),
               _("Follow-up")]

    def rows():
        for n in qs.iterator(chunk_size=2000):
            left = days_left(n, today)
            yield [n.organization.name, n.organization.uscc,
                   n.inspection_item.inspection.title if n.inspection_item_id else "", n.requirements,
                   n.issued_on.isoformat(), n.due_on.isoformat(), _("Yes") if n.due_provisional else _("No"),
                   "" if left is None else left, str(n.get_status_display()),
                   n.completed_on.isoformat() if n.completed_on else "", n.follow_up]

    return ExportData(headers=[str(h) for h in headers], total=qs.count(), rows=rows(),
                      sheet=str(_("Rectification notices")))
