"""Writes of purchase projects, from publicity to performance evaluation (domain-rules §5,
seeds 002 and 004), and of function transfers (DESIGN.md convention 1).

Every service is keyword-only, atomic, audited in its transaction, and refuses a stale edit
(``expected_version``) where two people may act on the same row. Every step the public sees
appends an OCDS release in the same transaction (``ocds.release_publish``), so the published
history never shows a step the database rolled back.

Who may act: the purchaser of the project's department for the department's steps, the
awarded organization's users for its tracking reports, the organization for its own bids,
the assigned evaluator (or the department when none is assigned) for the evaluation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.accounts.models import Role
from gongxin.core.audit import audit_record
from gongxin.core.uploads import safe_name, upload_check
from gongxin.credit.models import RECORD_CATEGORY, CreditRecord, RecordKind
from gongxin.procurement import ocds, steps
from gongxin.procurement.eligibility import bid_decision, check_active, check_credit
from gongxin.procurement.models import (
    Bid,
    BidStatus,
    Contract,
    Department,
    FunctionTransfer,
    FunctionTransferStatus,
    IndicatorSet,
    Milestone,
    PerformanceEvaluation,
    PerformanceRating,
    ProjectDocument,
    ProjectStatus,
    PurchaseProject,
    TrackingReport,
    TransferableFunction,
)
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization
from gongxin.registry.policy import ancestors, policy_for
from gongxin.registry.selectors import officer_manages
from gongxin.registry.services import StaleEdit

GUIDANCE_YEARS = 3  # seed 004: 设立3年监管指导期
PLATFORM_SOURCE = "公信社会组织综合监管平台·政府购买服务绩效评价"
# The import key of the credit record a performance evaluation writes (performance-evaluation:<id>).
CREDIT_KEY_PREFIX = "performance-evaluation:"
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# The standard performance-evaluation indicator set (seed 002: 绩效评价): a jurisdiction without
# its own gets this one. Weights add up to 100.
DEFAULT_INDICATORS = [
    {"code": "management", "name": "项目管理", "weight": 20,
     "description": "组织实施、资金管理、制度执行与档案资料"},
    {"code": "output", "name": "服务产出", "weight": 30,
     "description": "服务数量、质量与时效是否达到合同约定"},
    {"code": "effect", "name": "服务效果", "weight": 30,
     "description": "社会效益、可持续影响与目标实现程度"},
    {"code": "satisfaction", "name": "服务对象满意度", "weight": 20,
     "description": "服务对象及购买主体的满意度调查结果"},
]

# Cancellation ends a procurement the public has seen, before a contract binds both sides. A
# draft is not cancelled: it was never public (and the status constraint would want a
# publicity date); the department edits it or leaves it.
OPEN_FOR_CANCEL = (ProjectStatus.PUBLICIZED, ProjectStatus.AWARDED)


# --- helpers ---------------------------------------------------------------------------------


def is_purchaser_of(actor, department_id) -> bool:
    return (actor is not None and getattr(actor, "is_authenticated", False) and actor.role == Role.PURCHASER
            and actor.department_id is not None and actor.department_id == department_id)


def _require_department(actor, project: PurchaseProject) -> None:
    if not is_purchaser_of(actor, project.department_id):
        raise NotAllowed(_("Only a purchaser of %(department)s may do this.") % {"department": project.department})


def _lock(project: PurchaseProject, expected_version: int | None) -> PurchaseProject:
    locked = (PurchaseProject.objects.select_for_update(of=("self",)).select_related("department", "region", "function")
              .get(pk=project.pk))
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(_("This project was changed since you opened it (now: %(status)s); reload it and try again.")
                        % {"status": locked.get_status_display()})
    return locked


def _require_status(project: PurchaseProject, *statuses: str) -> None:
    if project.status not in statuses:
        raise NotAllowed(_("Not possible while the project is %(status)s.") % {"status": project.get_status_display()})


def _save(project: PurchaseProject, fields: list[str]) -> None:
    project.version += 1
    project.full_clean()
    project.save(update_fields=[*fields, "version", "updated_at"])


def _state(project: PurchaseProject) -> dict:
    return {"status": project.status, "publicized_on": project.publicized_on,
            "procurement_starts_on": project.procurement_starts_on, "bid_deadline": project.bid_deadline,
            "budget": project.budget, "awarded_supplier_id": project.awarded_supplier_id,
            "awarded_amount": project.awarded_amount, "awarded_on": project.awarded_on,
            "completed_on": project.completed_on}


def _release(project: PurchaseProject, tag: str) -> None:
    """The OCDS release of this step, in the caller's transaction."""
    ocds.release_publish(project=project, tag=tag)


def _document(*, project: PurchaseProject, kind: str, upload, actor, bid: Bid | None = None, title: str = "",
              is_public: bool = True) -> ProjectDocument:
    """Store an uploaded file with its SHA-256 (the digest lets anyone check a published copy)."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"documents": _("%(name)s is larger than 20 MB.") % {"name": upload.name}})
    # PDF, images and office documents only, by content: a script must never be stored here,
    # and the stored name carries the extension of what the file is.
    file_kind = upload_check(upload, field="documents")
    title = title or upload.name
    upload.name = safe_name(upload.name, file_kind)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    doc = ProjectDocument(project=project, bid=bid, kind=kind, title=title[:200], file=upload,
                          sha256=digest.hexdigest(), is_public=is_public, uploaded_by=actor)
    doc.full_clean()
    doc.save(force_insert=True)
    audit_record(actor=actor, action="procurement.document", obj=doc,
                 after={"project": project.pk, "kind": kind, "title": doc.title, "sha256": doc.sha256})
    return doc


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the period ends on 28 February
        return day.replace(year=day.year + years, day=28)


def services_in_force(region_code: str):
    """The purchasable services a department of ``region_code`` may buy: the catalogue
    module's answer where it exists, else the published services catalogues of the region and
    the regions above it."""
    try:
        from gongxin.procurement.catalogues import services_in_force as in_force
    except ImportError:
        from gongxin.procurement.models import CatalogueKind, CatalogueStatus, PurchasableService

        return (PurchasableService.objects.filter(catalogue__kind=CatalogueKind.SERVICES,
                                                  catalogue__status=CatalogueStatus.PUBLISHED,
                                                  catalogue__region_id__in=ancestors(region_code))
                .select_related("category", "catalogue").order_by("code"))
    return in_force(region_code)


# --- projects --------------------------------------------------------------------------------

PROJECT_FIELDS = ("title", "description", "budget", "method", "require_qualified", "min_grade", "requirements",
                  "year", "procurement_starts_on", "bid_deadline", "service_starts_on", "service_ends_on")


def _check_dates(data: dict) -> None:
    errors = {}
    if data["bid_deadline"] < data["procurement_starts_on"]:
        errors["bid_deadline"] = _("Applications close on or after the day procurement starts.")
    if data["service_starts_on"] < data["procurement_starts_on"]:
        errors["service_starts_on"] = _("The service cannot start before procurement starts.")
    if data["service_ends_on"] < data["service_starts_on"]:
        errors["service_ends_on"] = _("The service cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


def _check_service_and_function(department: Department, service, function) -> None:
    if service is not None and not services_in_force(department.region_id).filter(pk=service.pk).exists():
        raise ValidationError({"service": _("This service is not in the purchasable services catalogue in force "
                                            "for %(region)s.") % {"region": department.region}})
    if function is not None and function.department_name != department.name:
        raise ValidationError({"function": _("This function belongs to %(department)s, not to your department.")
                               % {"department": function.department_name}})


@transaction.atomic
def project_create(*, actor, service, title: str, description: str, budget: Decimal, method: str,
                   procurement_starts_on: dt.date, bid_deadline: dt.date, service_starts_on: dt.date,
                   service_ends_on: dt.date, year: int | None = None, require_qualified: bool = True,
                   min_grade: int | None = None, requirements: str = "", function=None) -> PurchaseProject:
    """A draft project of the actor's department for a service of the catalogue in force."""
    if actor is None or getattr(actor, "role", None) != Role.PURCHASER or actor.department_id is None:
        raise NotAllowed(_("Only a purchaser of a department may create purchase projects."))
    department = actor.department
    data = {"procurement_starts_on": procurement_starts_on, "bid_deadline": bid_deadline,
            "service_starts_on": service_starts_on, "service_ends_on": service_ends_on}
    _check_dates(data)
    _check_service_and_function(department, service, function)
    project = PurchaseProject(
        # The ocid needs the id; a unique placeholder holds the column until it is known.
        ocid=f"tmp-{uuid.uuid4().hex}", department=department, region_id=department.region_id, service=service,
        category=service.category if service else None, function=function, title=title.strip(),
        description=description.strip(), budget=budget, method=method, require_qualified=require_qualified,
        min_grade=min_grade or None, requirements=requirements.strip(),
        year=year or procurement_starts_on.year, created_by=actor, **data)
    project.full_clean()
    project.save(force_insert=True)
    project.ocid = f"{settings.OCDS_PREFIX}-{project.pk}"
    project.save(update_fields=["ocid"])
    audit_record(actor=actor, action="procurement.project_create", obj=project,
                 after={**_state(project), "title": project.title, "ocid": project.ocid})
    return project


@transaction.atomic
def project_update(*, actor, project: PurchaseProject, expected_version: int, service=None, function=None,
                   **fields) -> PurchaseProject:
    """Edit a draft; a publicized project changes only through its own steps (the public has
    seen it)."""
    locked = _lock(project, expected_version)
    _require_department(actor, locked)
    _require_status(locked, ProjectStatus.DRAFT)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    before = _state(locked)
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.min_grade = locked.min_grade or None
    _check_dates({k: getattr(locked, k) for k in ("procurement_starts_on", "bid_deadline", "service_starts_on",
                                                  "service_ends_on")})
    _check_service_and_function(locked.department, service, function)
    locked.service, locked.function = service, function
    locked.category = service.category if service else None
    _save(locked, [*fields, "service", "category", "function", "min_grade"])
    audit_record(actor=actor, action="procurement.project_update", obj=locked, before=before, after=_state(locked))
    return locked


def earliest_procurement_start(project: PurchaseProject, publicized_on: dt.date) -> dt.date:
    """The 15-day rule (seed 002; a jurisdiction may ask more): procurement starts at least
    this many calendar days after the publicity."""
    return publicized_on + dt.timedelta(days=policy_for(project.region_id).procurement_publicity_days)


@transaction.atomic
def project_publicize(*, actor, project: PurchaseProject, expected_version: int,
                      today: dt.date | None = None) -> PurchaseProject:
    """Publish the project on the platform: applications open, and procurement may start only
    after the publicity period."""
    today = today or timezone.localdate()
    locked = _lock(project, expected_version)
    _require_department(actor, locked)
    _require_status(locked, ProjectStatus.DRAFT)
    earliest = earliest_procurement_start(locked, today)
    if locked.procurement_starts_on < earliest:
        days = policy_for(locked.region_id).procurement_publicity_days
        raise ValidationError({"procurement_starts_on": _(
            "Procurement must start at least %(days)d days after the publicity: publicized today, it can start on "
            "%(earliest)s at the earliest (planned: %(planned)s). Move the dates and publicize again.") % {
            "days": days, "earliest": earliest.isoformat(), "planned": locked.procurement_starts_on.isoformat()}})
    before = _state(locked)
    locked.status, locked.publicized_on = ProjectStatus.PUBLICIZED, today
    _save(locked, ["status", "publicized_on"])
    audit_record(actor=actor, action="procurement.project_publicize", obj=locked, before=before, after=_state(locked))
    _release(locked, "tender")
    return locked


@transaction.atomic
def project_award(*, actor, project: PurchaseProject, bid: Bid, amount: Decimal, reason: str, expected_version: int,
                  today: dt.date | None = None) -> PurchaseProject:
    """Award the project to a submitted bid whose organization is still eligible today (the
    checks run again: a listing since the bid refuses the award, with its reason)."""
    today = today or timezone.localdate()
    locked = _lock(project, expected_version)
    steps.may_award(actor, locked, today).require(NotAllowed)
    winner = Bid.objects.select_for_update(of=("self",)).select_related("organization").filter(pk=bid.pk, project=locked).first()
    if winner is None or winner.status != BidStatus.SUBMITTED:
        raise NotAllowed(_("Only a submitted bid of this project can be awarded."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reasons for the award.")})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter the awarded amount in yuan.")})
    if amount > locked.budget:
        raise ValidationError({"amount": _("The awarded amount exceeds the budget of ¥%(budget)s.")
                               % {"budget": f"{locked.budget:,.2f}"}})
    decision = bid_decision(winner.organization, locked, today)
    if not decision.eligible:
        raise NotAllowed(_("%(org)s is not eligible today: %(reasons)s") % {
            "org": winner.organization.name, "reasons": " ".join(c.reason for c in decision.failures)})
    winner.checks, winner.eligible = decision.as_json(), True  # the checks the award relied on
    before = _state(locked)
    org = winner.organization
    locked.status = ProjectStatus.AWARDED
    locked.awarded_organization, locked.awarded_supplier_name, locked.awarded_supplier_id = org, org.name, org.uscc
    locked.awarded_amount, locked.awarded_on, locked.award_reason = amount, today, reason.strip()
    _save(locked, ["status", "awarded_organization", "awarded_supplier_name", "awarded_supplier_id",
                   "awarded_amount", "awarded_on", "award_reason"])
    winner.status, winner.version = BidStatus.AWARDED, winner.version + 1
    winner.save(update_fields=["status", "checks", "eligible", "version"])
    others = list(locked.bids.filter(status=BidStatus.SUBMITTED).exclude(pk=winner.pk).values_list("pk", flat=True))
    Bid.objects.filter(pk__in=others).update(status=BidStatus.UNSUCCESSFUL)
    audit_record(actor=actor, action="procurement.project_award", obj=locked, before=before,
                 after={**_state(locked), "bid": winner.pk, "reason": locked.award_reason, "unsuccessful": others})
    _release(locked, "award")
    return locked


@transaction.atomic
def project_unsuccessful(*, actor, project: PurchaseProject, reason: str, expected_version: int,
                         today: dt.date | None = None) -> PurchaseProject:
    """No bid qualifies (or none came): the procurement ends without an award."""
    today = today or timezone.localdate()
    locked = _lock(project, expected_version)
    steps.may_end_unsuccessful(actor, locked, today).require(NotAllowed)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why no bid could be awarded.")})
    before = _state(locked)
    locked.status, locked.cancelled_reason = ProjectStatus.UNSUCCESSFUL, reason.strip()
    _save(locked, ["status", "cancelled_reason"])
    locked.bids.filter(status=BidStatus.SUBMITTED).update(status=BidStatus.UNSUCCESSFUL)
    audit_record(actor=actor, action="procurement.project_unsuccessful", obj=locked, before=before,
                 after={**_state(locked), "reason": locked.cancelled_reason})
    _release(locked, "tenderUpdate")
    return locked


@transaction.atomic
def project_cancel(*, actor, project: PurchaseProject, reason: str, expected_version: int) -> PurchaseProject:
    """Cancel a publicized or awarded project before its contract is signed."""
    locked = _lock(project, expected_version)
    _require_department(actor, locked)
    _require_status(locked, *OPEN_FOR_CANCEL)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    before = _state(locked)
    locked.status, locked.cancelled_reason = ProjectStatus.CANCELLED, reason.strip()
    _save(locked, ["status", "cancelled_reason"])
    locked.bids.filter(status__in=[BidStatus.SUBMITTED, BidStatus.AWARDED]).update(status=BidStatus.UNSUCCESSFUL)
    audit_record(actor=actor, action="procurement.project_cancel", obj=locked, before=before,
                 after={**_state(locked), "reason": locked.cancelled_reason})
    _release(locked, "tenderCancellation")
    return locked


# --- bids ------------------------------------------------------------------------------------


def _require_org_user(actor) -> Organization:
    if actor is None or getattr(actor, "role", None) != Role.ORG_USER or actor.organization_id is None:
        raise NotAllowed(_("Only an organization's user may apply."))
    return actor.organization


@transaction.atomic
def bid_submit(*, actor, project: PurchaseProject, amount: Decimal, proposal: str, documents=(),
               today: dt.date | None = None) -> Bid:
    """Apply for a publicized project with a proposal and documents. The eligibility checks
    run now and are stored with the bid; an ineligible organization is refused with its
    reasons. A second submission returns the first bid (one per organization)."""
    today = today or timezone.localdate()
    org = _require_org_user(actor)
    locked = _lock(project, None)
    existing = Bid.objects.select_for_update().filter(project=locked, organization=org).first()
    if existing is not None and existing.status != BidStatus.WITHDRAWN:
        return existing
    _require_status(locked, ProjectStatus.PUBLICIZED)
    if today > locked.bid_deadline:
        raise NotAllowed(_("Applications closed on %(date)s.") % {"date": locked.bid_deadline.isoformat()})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter the proposed amount in yuan.")})
    if amount > locked.budget:
        raise ValidationError({"amount": _("The proposed amount exceeds the budget of ¥%(budget)s.")
                               % {"budget": f"{locked.budget:,.2f}"}})
    if not proposal.strip():
        raise ValidationError({"proposal": _("Describe how the organization will deliver the service.")})
    decision = bid_decision(org, locked, today)
    if not decision.eligible:
        raise NotAllowed(_("%(org)s may not apply for this project: %(reasons)s") % {
            "org": org.name, "reasons": " ".join(c.reason for c in decision.failures)})
    if existing is not None:  # withdrawn earlier: the same row comes back (one bid per organization)
        bid = existing
        bid.amount, bid.proposal, bid.status, bid.version = amount, proposal.strip(), BidStatus.SUBMITTED, bid.version + 1
        bid.checks, bid.eligible, bid.submitted_by = decision.as_json(), True, actor
        bid.full_clean()
        bid.save()
    else:
        bid = Bid(project=locked, organization=org, amount=amount, proposal=proposal.strip(),
                  checks=decision.as_json(), eligible=True, submitted_by=actor)
        bid.full_clean()
        try:
            with transaction.atomic():
                bid.save(force_insert=True)
        except IntegrityError:  # a concurrent double click won the race: return its bid
            return Bid.objects.get(project=locked, organization=org)
    audit_record(actor=actor, action="procurement.bid_submit", obj=bid,
                 after={"project": locked.pk, "organization": org.uscc, "amount": amount, "checks": bid.checks})
    for upload in documents:
        _document(project=locked, kind=ProjectDocument.Kind.BID, upload=upload, actor=actor, bid=bid,
                  is_public=False)
    return bid


@transaction.atomic
def bid_withdraw(*, actor, bid: Bid, expected_version: int | None = None, today: dt.date | None = None) -> Bid:
    today = today or timezone.localdate()
    org = _require_org_user(actor)
    locked = Bid.objects.select_for_update(of=("self",)).select_related("project").get(pk=bid.pk)
    if locked.organization_id != org.pk:
        raise NotAllowed(_("Only the organization itself may withdraw its bid."))
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(_("This bid was changed since you opened it; reload it."))
    if locked.status != BidStatus.SUBMITTED or locked.project.status != ProjectStatus.PUBLICIZED:
        raise NotAllowed(_("This bid can no longer be withdrawn."))
    if today > locked.project.bid_deadline:
        raise NotAllowed(_("Applications closed on %(date)s: the bid stands.")
                         % {"date": locked.project.bid_deadline.isoformat()})
    locked.status, locked.version = BidStatus.WITHDRAWN, locked.version + 1
    locked.save(update_fields=["status", "version"])
    audit_record(actor=actor, action="procurement.bid_withdraw", obj=locked, after={"status": locked.status})
    return locked


# --- contract and implementation -----------------------------------------------------------


@transaction.atomic
def contract_sign(*, actor, project: PurchaseProject, number: str, signed_on: dt.date, amount: Decimal,
                  starts_on: dt.date, ends_on: dt.date, document, expected_version: int,
                  today: dt.date | None = None) -> Contract:
    """Record the signed contract with its scanned copy; the service is then under way."""
    today = today or timezone.localdate()
    locked = _lock(project, expected_version)
    steps.may_sign_contract(actor, locked, today).require(NotAllowed)
    errors = {}
    if signed_on > today or signed_on < locked.awarded_on:
        errors["signed_on"] = _("The contract is signed between the award (%(awarded)s) and today.") % {
            "awarded": locked.awarded_on.isoformat()}
    if amount is None or amount <= 0 or amount > locked.awarded_amount:
        errors["amount"] = _("The contract amount is at most the awarded amount, ¥%(amount)s.") % {
            "amount": f"{locked.awarded_amount:,.2f}"}
    if ends_on < starts_on:
        errors["ends_on"] = _("The service period cannot end before it starts.")
    if document is None:
        errors["document"] = _("Upload the signed contract.")
    if errors:
        raise ValidationError(errors)
    contract = Contract(project=locked, number=number.strip(), signed_on=signed_on, amount=amount,
                        starts_on=starts_on, ends_on=ends_on, created_by=actor)
    contract.full_clean()
    contract.save(force_insert=True)
    _document(project=locked, kind=ProjectDocument.Kind.CONTRACT, upload=document, actor=actor,
              title=_("Contract %(number)s") % {"number": contract.number})
    before = _state(locked)
    locked.status = ProjectStatus.CONTRACTED
    _save(locked, ["status"])
    audit_record(actor=actor, action="procurement.contract_sign", obj=locked, before=before, after={
        **_state(locked), "contract": contract.number, "amount": amount, "period": [starts_on, ends_on]})
    _release(locked, "contract")
    return contract


@transaction.atomic
def milestone_add(*, actor, project: PurchaseProject, title: str, due_on: dt.date,
                  payment: Decimal | None = None) -> Milestone:
    locked = _lock(project, None)
    _require_department(actor, locked)
    _require_status(locked, ProjectStatus.CONTRACTED)
    if not title.strip():
        raise ValidationError({"title": _("Name the milestone.")})
    milestone = Milestone(project=locked, title=title.strip(), due_on=due_on, payment=payment)
    milestone.full_clean()
    milestone.save(force_insert=True)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="procurement.milestone_add", obj=milestone,
                 after={"project": locked.pk, "title": milestone.title, "due_on": due_on, "payment": payment})
    _release(locked, "implementation")
    return milestone


@transaction.atomic
def milestone_mark(*, actor, milestone: Milestone, status: str, done_on: dt.date | None = None,
                   today: dt.date | None = None) -> Milestone:
    """The department records a milestone as met or missed."""
    today = today or timezone.localdate()
    locked_m = Milestone.objects.select_for_update().get(pk=milestone.pk)
    locked = _lock(locked_m.project, None)
    contract = Contract.objects.filter(project=locked).first()
    steps.may_mark_milestone(actor, locked, contract, today).require(NotAllowed)
    if status not in (Milestone.Status.MET, Milestone.Status.MISSED):
        raise ValidationError({"status": _("A milestone is met or missed.")})
    if locked_m.status != Milestone.Status.PENDING:
        raise NotAllowed(_("This milestone is already recorded as %(status)s.")
                         % {"status": locked_m.get_status_display()})
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    if contract is not None and done_on < contract.starts_on:
        raise ValidationError({"done_on": _("The service started on %(date)s: the date lies between then and today.")
                               % {"date": contract.starts_on.isoformat()}})
    locked_m.status, locked_m.done_on = status, done_on
    locked_m.save(update_fields=["status", "done_on"])
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="procurement.milestone_mark", obj=locked_m,
                 after={"status": status, "done_on": done_on})
    _release(locked, "implementation")
    return locked_m


@transaction.atomic
def tracking_report_submit(*, actor, project: PurchaseProject, progress: int, content: str, milestone=None,
                           document=None, today: dt.date | None = None) -> TrackingReport:
    """跟踪: the awarded organization reports its progress, the department notes what it found."""
    today = today or timezone.localdate()
    locked = _lock(project, None)
    if is_purchaser_of(actor, locked.department_id):
        author = TrackingReport.Author.DEPARTMENT
    elif (getattr(actor, "role", None) == Role.ORG_USER and actor.organization_id
          and actor.organization_id == locked.awarded_organization_id):
        author = TrackingReport.Author.ORGANIZATION
    else:
        raise NotAllowed(_("Only the awarded organization or the purchasing department may report on this project."))
    _require_status(locked, ProjectStatus.CONTRACTED)
    if milestone is not None and milestone.project_id != locked.pk:
        raise ValidationError({"milestone": _("This milestone belongs to another project.")})
    if not content.strip():
        raise ValidationError({"content": _("Describe the progress or the findings.")})
    report = TrackingReport(project=locked, milestone=milestone, author=author, reported_on=today,
                            progress=progress, content=content.strip(), submitted_by=actor)
    report.full_clean()
    report.save(force_insert=True)
    if document is not None:
        _document(project=locked, kind=ProjectDocument.Kind.REPORT, upload=document, actor=actor, is_public=False)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="procurement.tracking_report", obj=report,
                 after={"project": locked.pk, "author": author, "progress": progress})
    _release(locked, "implementation")
    return report


@transaction.atomic
def project_complete(*, actor, project: PurchaseProject, completed_on: dt.date, expected_version: int,
                     today: dt.date | None = None) -> PurchaseProject:
    """The service is delivered; the performance evaluation comes next. Every milestone must
    be recorded met or missed first."""
    today = today or timezone.localdate()
    locked = _lock(project, expected_version)
    contract = Contract.objects.filter(project=locked).first()
    steps.may_complete(actor, locked, contract, today).require(NotAllowed)
    ends_on = contract.ends_on
    if completed_on > today or completed_on < ends_on:
        raise ValidationError({"completed_on": _("The completion date lies between the end of the service period "
                                                 "(%(end)s) and today.") % {"end": ends_on.isoformat()}})
    before = _state(locked)
    locked.status, locked.completed_on = ProjectStatus.COMPLETED, completed_on
    _save(locked, ["status", "completed_on"])
    audit_record(actor=actor, action="procurement.project_complete", obj=locked, before=before, after=_state(locked))
    _release(locked, "implementation")
    return locked


# --- performance evaluation ------------------------------------------------------------------


@transaction.atomic
def indicator_set_default(*, region, actor=None) -> IndicatorSet:
    """The indicator set in use for ``region``: its own or its nearest enclosing region's; where
    none exists, the standard set is created for the region (weights 20/30/30/20)."""
    code = getattr(region, "code", region)
    sets = {s.region_id: s for s in IndicatorSet.objects.filter(region_id__in=ancestors(code), is_active=True)}
    for candidate in ancestors(code):
        if candidate in sets:
            return sets[candidate]
    indicator_set = IndicatorSet(name=_("Standard performance indicators"), region_id=code,
                                 indicators=DEFAULT_INDICATORS)
    indicator_set.full_clean()
    indicator_set.save(force_insert=True)
    audit_record(actor=actor, action="procurement.indicator_set_create", obj=indicator_set,
                 after={"region": code, "indicators": DEFAULT_INDICATORS})
    return indicator_set


@transaction.atomic
def evaluation_assign(*, actor, project: PurchaseProject, evaluator=None) -> PerformanceEvaluation:
    """Open the performance evaluation of a completed project: the department evaluates it
    itself (``evaluator=None``) or assigns a third-party evaluator. Assigning again before the
    scores are in changes the evaluator."""
    locked = _lock(project, None)
    _require_department(actor, locked)
    _require_status(locked, ProjectStatus.COMPLETED)
    if evaluator is not None and evaluator.role != Role.EVALUATOR:
        raise ValidationError({"evaluator": _("Choose a third-party evaluator's account.")})
    evaluation = PerformanceEvaluation.objects.select_for_update().filter(project=locked).first()
    if evaluation is not None:
        if evaluation.status != PerformanceEvaluation.Status.ASSIGNED:
            raise NotAllowed(_("The evaluation has already been submitted."))
        if evaluation.evaluator_id == getattr(evaluator, "pk", None):
            return evaluation
        before = {"evaluator": evaluation.evaluator_id}
        evaluation.evaluator, evaluation.version = evaluator, evaluation.version + 1
        evaluation.save(update_fields=["evaluator", "version"])
        audit_record(actor=actor, action="procurement.evaluation_assign", obj=evaluation, before=before,
                     after={"evaluator": evaluation.evaluator_id})
        return evaluation
    evaluation = PerformanceEvaluation(project=locked, evaluator=evaluator,
                                       indicator_set=indicator_set_default(region=locked.region_id, actor=actor))
    evaluation.full_clean()
    evaluation.save(force_insert=True)
    audit_record(actor=actor, action="procurement.evaluation_assign", obj=evaluation,
                 after={"project": locked.pk, "evaluator": evaluation.evaluator_id,
                        "indicator_set": evaluation.indicator_set_id})
    return evaluation


def may_score(actor, evaluation: PerformanceEvaluation) -> bool:
    """The assigned third-party evaluator; the department only when it evaluates itself."""
    if evaluation.evaluator_id is not None:
        return getattr(actor, "pk", None) == evaluation.evaluator_id
    return is_purchaser_of(actor, evaluation.project.department_id)


RATING_ZH = {PerformanceRating.EXCELLENT: "优秀", PerformanceRating.GOOD: "良好", PerformanceRating.PASS: "合格",
             PerformanceRating.FAIL: "不合格"}


def score_text(total: Decimal) -> str:
    """92.50 -> "92.5", 90.00 -> "90" (Decimal.normalize would give 9E+1)."""
    return f"{total:f}".rstrip("0").rstrip(".") if "." in f"{total:f}" else f"{total:f}"


def rating_for(total: Decimal) -> str:
    if total >= 90:
        return PerformanceRating.EXCELLENT
    if total >= 80:
        return PerformanceRating.GOOD
    if total >= 60:
        return PerformanceRating.PASS
    return PerformanceRating.FAIL


def _clean_scores(indicators: list[dict], scores: dict) -> dict[str, Decimal]:
    cleaned, errors = {}, {}
    for ind in indicators:
        raw = scores.get(ind["code"])
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except (InvalidOperation, TypeError, ValueError):
            errors[f"score_{ind['code']}"] = _("Score %(name)s.") % {"name": ind["name"]}
            continue
        if not 0 <= value <= Decimal(ind["weight"]):
            errors[f"score_{ind['code']}"] = _("%(name)s is scored from 0 to %(weight)s.") % {
                "name": ind["name"], "weight": ind["weight"]}
            continue
        cleaned[ind["code"]] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def evaluation_submit(*, actor, evaluation: PerformanceEvaluation, scores: dict, comments: str,
                      expected_version: int, today: dt.date | None = None) -> PerformanceEvaluation:
    """Score each indicator (0..its weight): the total gives the rating (≥90 excellent, ≥80
    good, ≥60 pass, else fail), the project is EVALUATED, and the organization's credit file
    gets a public record of the result (credit information of kind GOVERNMENT_SERVICE)."""
    today = today or timezone.localdate()
    locked = (PerformanceEvaluation.objects.select_for_update(of=("self",))
              .select_related("project__department", "project__awarded_organization", "indicator_set")
              .get(pk=evaluation.pk))
    if locked.status == PerformanceEvaluation.Status.SUBMITTED and may_score(actor, locked):
        return locked  # a double submit: the first one stands (the scores cannot be changed)
    if locked.version != expected_version and may_score(actor, locked):
        raise StaleEdit(_("This evaluation was changed since you opened it; reload it."))
    project = _lock(locked.project, None)
    locked.project = project
    steps.may_evaluate(actor, locked, today).require(NotAllowed)
    cleaned = _clean_scores(locked.indicator_set.indicators, scores)
    if not comments.strip():
        raise ValidationError({"comments": _("Summarise the findings behind the scores.")})
    total = sum(cleaned.values(), Decimal("0.00"))
    locked.scores = {code: str(value) for code, value in cleaned.items()}
    locked.total, locked.rating, locked.comments = total, rating_for(total), comments.strip()
    locked.evaluated_on, locked.status = today, PerformanceEvaluation.Status.SUBMITTED
    org = project.awarded_organization
    if org is not None:
        # The credit file is kept in Chinese, whatever the scorer's language.
        title = f"承接政府购买服务《{project.title}》绩效评价:{RATING_ZH[locked.rating]}({score_text(total)}分)"
        record = CreditRecord(
            organization=org, category=RECORD_CATEGORY[RecordKind.GOVERNMENT_SERVICE],
            kind=RecordKind.GOVERNMENT_SERVICE, title=title[:200],
            content=f"{project.department.name}购买服务项目(合同金额{project.awarded_amount:,.2f}元)绩效评价总分"
                    f"{score_text(total)}分。{locked.comments}",
            source=PLATFORM_SOURCE, deciding_body=project.department.name, occurred_on=today, is_public=True,
            import_key=f"{CREDIT_KEY_PREFIX}{locked.pk}", recorded_by=actor)
        record.full_clean()
        record.save(force_insert=True)
        audit_record(actor=actor, action="credit.record", obj=record, after={
            "organization": org.uscc, "kind": record.kind, "title": record.title, "occurred_on": today})
        locked.credit_record = record
    locked.version += 1
    locked.full_clean()
    locked.save()
    before = _state(project)
    project.status = ProjectStatus.EVALUATED
    _save(project, ["status"])
    audit_record(actor=actor, action="procurement.evaluation_submit", obj=locked, before=before, after={
        **_state(project), "scores": locked.scores, "total": total, "rating": locked.rating,
        "credit_record": locked.credit_record_id})
    _release(project, "implementation")
    return locked


# --- function transfers ----------------------------------------------------------------------


def _transfer_department(actor, function: TransferableFunction) -> Department:
    """The purchaser's own department when it is the function's; for an officer of the
    catalogue's jurisdiction, the department of that name in the catalogue's region."""
    if getattr(actor, "role", None) == Role.PURCHASER and actor.department_id:
        if actor.department.name != function.department_name:
            raise NotAllowed(_("This function belongs to %(department)s.") % {"department": function.department_name})
        return actor.department
    if officer_manages(actor, function.catalogue.region_prefix):
        department = Department.objects.filter(name=function.department_name,
                                               region_id=function.catalogue.region_id).first()
        if department is None:
            raise ValidationError({"function": _("%(department)s has no account on the platform yet.")
                                   % {"department": function.department_name}})
        return department
    raise NotAllowed(_("Only the function's department or the registration authority may transfer it."))


@transaction.atomic
def function_transfer_create(*, actor, function: TransferableFunction, organization: Organization,
                             started_on: dt.date) -> FunctionTransfer:
    """Hand a transferable function to an organization, under a 3-year guidance period. The
    same function already in force with the organization is returned (idempotent)."""
    department = _transfer_department(actor, function)
    existing = FunctionTransfer.objects.filter(function=function, organization=organization,
                                               status=FunctionTransferStatus.ACTIVE).first()
    if existing is not None:
        return existing
    failures = [c for c in (check_active(organization), check_credit(organization)) if not c.passed]
    if failures:
        raise NotAllowed(" ".join(c.reason for c in failures))
    transfer = FunctionTransfer(function=function, organization=organization, department=department,
                                started_on=started_on, guidance_until=_add_years(started_on, GUIDANCE_YEARS))
    transfer.full_clean()
    transfer.save(force_insert=True)
    audit_record(actor=actor, action="procurement.transfer_create", obj=transfer, after={
        "function": function.code, "organization": organization.uscc, "department": department.name,
        "started_on": started_on, "guidance_until": transfer.guidance_until})
    return transfer


def may_manage_transfer(actor, transfer: FunctionTransfer) -> bool:
    return is_purchaser_of(actor, transfer.department_id) or officer_manages(actor, transfer.department.region_prefix)


@transaction.atomic
def function_transfer_revoke(*, actor, transfer: FunctionTransfer, reason: str, expected_version: int,
                             today: dt.date | None = None) -> FunctionTransfer:
    """Take the function back (seed 004: 可按有关规定和程序收回相应职能), during the guidance period."""
    today = today or timezone.localdate()
    locked = (FunctionTransfer.objects.select_for_update(of=("self",)).select_related("department", "function", "organization")
              .get(pk=transfer.pk))
    if not may_manage_transfer(actor, locked):
        raise NotAllowed(_("Only the function's department or the registration authority may revoke it."))
    if locked.version != expected_version:
        raise StaleEdit(_("This transfer was changed since you opened it; reload it."))
    if locked.status != FunctionTransferStatus.ACTIVE:
        raise NotAllowed(_("This transfer is not in force."))
    if today > locked.guidance_until:
        raise NotAllowed(_("The guidance period ended on %(date)s: the function can no longer be revoked here.")
                         % {"date": locked.guidance_until.isoformat()})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for revoking the function.")})
    locked.status, locked.revoked_on, locked.revoked_reason = FunctionTransferStatus.REVOKED, today, reason.strip()
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=["status", "revoked_on", "revoked_reason", "version"])
    audit_record(actor=actor, action="procurement.transfer_revoke", obj=locked,
                 before={"status": FunctionTransferStatus.ACTIVE},
                 after={"status": locked.status, "revoked_on": today, "reason": locked.revoked_reason})
    return locked
