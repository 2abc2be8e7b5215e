"""The qualified organizations catalogue (承接政府职能转移和购买服务资质的社会组织目录): an
organization applies to its jurisdiction's catalogue, the eligibility checks (with reasons,
``procurement.eligibility``) decide whether it may, an officer approves or rejects, and
publishing a batch moves every approved application into a new numbered batch (Zhuhai: 244
organizations in 5 batches). An officer withdraws an organization from the catalogue, e.g.
after a credit listing.

Services (writes, audited, stale edits refused) and selectors (reads, scoped by the actor) of
this sub-domain, and the officer queue's Excel exporter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.accounts.models import Role
from gongxin.core.audit import audit_record, audit_record_many
from gongxin.core.exports import ExportData, exporter
from gongxin.core.models import Region, RegionLevel
from gongxin.procurement.eligibility import Decision, qualification_decision
from gongxin.procurement.models import (
    Catalogue,
    CatalogueKind,
    CatalogueStatus,
    QualificationApplication,
    QualificationStatus,
)
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization, authority_name
from gongxin.registry.policy import ancestors
from gongxin.registry.selectors import officer_manages, officer_prefix, region_prefix_filter
from gongxin.registry.services import StaleEdit

OPEN_STATUSES = (QualificationStatus.SUBMITTED, QualificationStatus.APPROVED, QualificationStatus.PUBLISHED)
MIN_QUERY = 2  # 协会, 商会, 珠海: two characters are the common search


# --- jurisdictions ---------------------------------------------------------------------------


def jurisdictions_for(org: Organization) -> list[Region]:
    """The catalogues an organization may apply to: its registration authority's city and the
    regions above it (a district-registered organization applies to its city's catalogue, as
    Zhuhai's catalogue covers the districts' organizations), nearest first."""
    codes = [c for c in ancestors(org.registration_authority_id) if c != "100000"]
    regions = {r.code: r for r in Region.objects.filter(code__in=codes, level__lte=RegionLevel.CITY)}
    return [regions[c] for c in codes if c in regions]


def default_jurisdiction(org: Organization) -> Region | None:
    options = jurisdictions_for(org)
    return options[0] if options else None


# --- services --------------------------------------------------------------------------------


def _require_officer(actor, region_prefix: str) -> None:
    if not officer_manages(actor, region_prefix):
        raise NotAllowed(_("Only the civil-affairs authority of this jurisdiction may do this."))


def _lock(application: QualificationApplication, expected_version: int | None) -> QualificationApplication:
    locked = (QualificationApplication.objects.select_for_update(of=("self",)).select_related("organization", "region")
              .get(pk=application.pk))
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(_("This application was changed since you opened it (now: %(status)s); reload it.")
                        % {"status": locked.get_status_display()})
    return locked


def _open_application(org: Organization, region: Region) -> QualificationApplication | None:
    return QualificationApplication.objects.filter(organization=org, region=region, status__in=OPEN_STATUSES).first()


@transaction.atomic
def qualification_apply(*, actor, organization: Organization, region: Region, service_areas: str, statement: str,
                        on: dt.date | None = None) -> QualificationApplication:
    """An organization applies to ``region``'s qualified organizations catalogue. The checks run
    first: an ineligible organization is refused with the failing checks' reasons. A second
    submission while one is open (submitted, approved or in the catalogue) returns that one
    (a double click is idempotent; the database's ``qualification_one_open`` backs it)."""
    on = on or timezone.localdate()
    if not (actor is not None and getattr(actor, "role", None) == Role.ORG_USER
            and actor.organization_id == organization.pk):
        raise NotAllowed(_("Only the organization itself may apply."))
    if region.code not in {r.code for r in jurisdictions_for(organization)}:
        raise ValidationError({"region": _("%(org)s cannot apply to the catalogue of %(region)s: it is not "
                                           "registered there.") % {"org": organization.name, "region": region.name}})
    existing = _open_application(organization, region)
    if existing is not None:
        return existing
    decision = qualification_decision(organization, region.code, on)
    if not decision.eligible:
        raise NotAllowed(decision.reasons)
    app = QualificationApplication(organization=organization, region=region, region_prefix=region.prefix,
                                   service_areas=service_areas.strip(), statement=statement.strip(),
                                   checks=decision.as_json(), eligible=True, submitted_by=actor)
    # The uniqueness is the database's to decide (two requests at once both pass the lookup).
    app.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            app.save(force_insert=True)
    except IntegrityError:
        existing = _open_application(organization, region)
        if existing is None:
            raise
        return existing
    audit_record(actor=actor, action="procurement.qualification_apply", obj=app, after={
        "organization": organization.uscc, "region": region.code, "checks": app.checks})
    return app


@transaction.atomic
def qualification_decide(*, actor, application: QualificationApplication, approve: bool, reason: str = "",
                         expected_version: int, on: dt.date | None = None) -> QualificationApplication:
    """The officer approves (to be published with the next batch) or rejects (with a reason).
    The checks run again: the organization may have been listed or its grade expired since it
    applied, and an ineligible application cannot be approved."""
    on = on or timezone.localdate()
    app = _lock(application, expected_version)
    _require_officer(actor, app.region_prefix)
    if app.status != QualificationStatus.SUBMITTED:
        raise NotAllowed(_("This application has already been decided (%(status)s).")
                         % {"status": app.get_status_display()})
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the application is rejected: the organization reads it.")})
    decision = qualification_decision(app.organization, app.region_id, on)
    if approve and not decision.eligible:
        raise NotAllowed([_("The organization is not eligible now:"), *decision.reasons])
    before = {"status": app.status, "eligible": app.eligible}
    app.checks, app.eligible = decision.as_json(), decision.eligible
    app.status = QualificationStatus.APPROVED if approve else QualificationStatus.REJECTED
    app.decided_by, app.decided_at, app.decision_reason = actor, timezone.now(), reason
    app.version += 1
    app.save(update_fields=["checks", "eligible", "status", "decided_by", "decided_at", "decision_reason",
                            "version"])
    audit_record(actor=actor, action="procurement.qualification_decide", obj=app, before=before, after={
        "status": app.status, "eligible": app.eligible, "reason": reason, "checks": app.checks})
    return app


def next_batch(region: Region) -> int:
    last = Catalogue.objects.filter(kind=CatalogueKind.QUALIFIED, region=region).aggregate(n=Max("batch"))["n"]
    return (last or 0) + 1


def default_batch_title(region: Region, batch: int) -> str:
    # Titles are the official Chinese ones whatever the officer's language: they are published.
    return f"{region.name}第{batch}批具备承接政府职能转移和购买服务资质的社会组织目录"


@transaction.atomic
def qualified_batch_publish(*, actor, region: Region, year: int, title: str = "", expected_count: int | None = None,
                            on: dt.date | None = None) -> Catalogue:
    """Publish the next batch of ``region``'s qualified organizations catalogue: every approved
    application of the jurisdiction enters it. Refused when none is approved, and when the
    number approved changed since the officer's confirmation page said "N applications"."""
    on = on or timezone.localdate()
    _require_officer(actor, region.prefix)
    approved = list(QualificationApplication.objects.select_for_update()
                    .filter(region=region, status=QualificationStatus.APPROVED).order_by("id"))
    if not approved:
        raise NotAllowed(_("No approved application is waiting for publication in %(region)s.")
                         % {"region": region.name})
    if expected_count is not None and expected_count != len(approved):
        raise StaleEdit(_("%(now)d applications are approved now, not %(then)d as when you opened the page; "
                          "check the list and confirm again.") % {"now": len(approved), "then": expected_count})
    batch = next_batch(region)
    catalogue = Catalogue(kind=CatalogueKind.QUALIFIED, region=region, region_prefix=region.prefix, year=year,
                          batch=batch, title=title.strip() or default_batch_title(region, batch),
                          status=CatalogueStatus.PUBLISHED, published_on=on, created_by=actor)
    catalogue.full_clean()
    catalogue.save(force_insert=True)
    QualificationApplication.objects.filter(pk__in=[a.pk for a in approved]).update(
        status=QualificationStatus.PUBLISHED, catalogue=catalogue, version=F("version") + 1)
    audit_record(actor=actor, action="procurement.qualified_batch_publish", obj=catalogue, after={
        "region": region.code, "batch": batch, "year": year, "title": catalogue.title, "count": len(approved)})
    audit_record_many(actor=actor, action="procurement.qualification_publish", items=[
        (a, {"status": QualificationStatus.APPROVED}, {"status": QualificationStatus.PUBLISHED,
                                                       "catalogue": catalogue.pk}) for a in approved])
    return catalogue


@transaction.atomic
def qualification_withdraw(*, actor, application: QualificationApplication, reason: str, expected_version: int,
                           on: dt.date | None = None) -> QualificationApplication:
    """Take an organization out of the catalogue (or an approved one out of the next batch),
    e.g. after it was put on a credit list. The organization may apply again later."""
    on = on or timezone.localdate()
    app = _lock(application, expected_version)
    _require_officer(actor, app.region_prefix)
    if app.status not in (QualificationStatus.PUBLISHED, QualificationStatus.APPROVED):
        raise NotAllowed(_("Only an organization in the catalogue or approved for it can be withdrawn (now: "
                           "%(status)s).") % {"status": app.get_status_display()})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the organization is withdrawn: the organization reads it.")})
    before = {"status": app.status}
    app.status, app.withdrawn_on, app.withdrawn_reason = QualificationStatus.WITHDRAWN, on, reason
    app.version += 1
    app.save(update_fields=["status", "withdrawn_on", "withdrawn_reason", "version"])
    audit_record(actor=actor, action="procurement.qualification_withdraw", obj=app, before=before,
                 after={"status": app.status, "withdrawn_on": on, "reason": reason})
    return app


# --- selectors -------------------------------------------------------------------------------


class QueryTooShort(ValidationError):
    pass


def _search(qs: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return qs
    if len(q) < MIN_QUERY:
        raise QueryTooShort(_("Type at least %(n)d characters to search.") % {"n": MIN_QUERY})
    return qs.filter(Q(organization__name__icontains=q) | Q(organization__uscc__icontains=q.upper()))


@dataclass
class PublicFilters:
    q: str = ""
    region: str = ""  # a jurisdiction's code
    batch: int | None = None  # a Catalogue pk


def qualified_public(filters: PublicFilters) -> QuerySet[QualificationApplication]:
    """The public catalogue: every organization in a published batch, newest batch first, by
    name within a batch. Search by name or code (2 characters and up). Raises QueryTooShort."""
    qs = QualificationApplication.objects.filter(status=QualificationStatus.PUBLISHED,
                                                 catalogue__status=CatalogueStatus.PUBLISHED)
    if filters.region:
        qs = qs.filter(region_prefix_filter("region_prefix", Region.prefix_of(filters.region)))
    if filters.batch:
        qs = qs.filter(catalogue_id=filters.batch)
    qs = _search(qs, filters.q)
    return (qs.select_related("organization", "catalogue", "region")
            .order_by("region_id", "-catalogue__batch", "organization__name", "id"))


def qualified_batches(region: str = "") -> QuerySet[Catalogue]:
    """Published batches (for the public filter and the batch headings)."""
    qs = Catalogue.objects.filter(kind=CatalogueKind.QUALIFIED, status=CatalogueStatus.PUBLISHED)
    if region:
        qs = qs.filter(region_prefix_filter("region_prefix", Region.prefix_of(region)))
    return qs.select_related("region").order_by("region_id", "-batch")


def qualified_regions() -> QuerySet[Region]:
    codes = Catalogue.objects.filter(kind=CatalogueKind.QUALIFIED, status=CatalogueStatus.PUBLISHED).values("region_id")
    return Region.objects.filter(code__in=codes).order_by("code")


def require_officer(actor) -> str:
    """The actor's jurisdiction prefix; a 404 for anyone who is not an officer or administrator."""
    prefix = officer_prefix(actor)
    if prefix is None:
        raise Http404(_("No such page."))
    return prefix


QUEUE_SORTS = {
    "submitted": (_("Newest first"), ["-submitted_at", "-id"]),
    "oldest": (_("Oldest first"), ["submitted_at", "id"]),
    "name": (_("Name"), ["organization__name", "id"]),
    "decided": (_("Recently decided"), [F("decided_at").desc(nulls_last=True), "-id"]),
}


def officer_queue(actor, *, status: str = "", q: str = "", sort: str = "") -> QuerySet[QualificationApplication]:
    """Applications to the catalogues of the officer's jurisdiction (and the ones below it)."""
    prefix = require_officer(actor)
    qs = QualificationApplication.objects.filter(region_prefix_filter("region_prefix", prefix))
    if status in QualificationStatus.values:
        qs = qs.filter(status=status)
    qs = _search(qs, q)
    order = QUEUE_SORTS.get(sort, QUEUE_SORTS["submitted"])[1]
    return qs.select_related("organization", "region", "catalogue").order_by(*order)


def queue_counts(actor) -> dict[str, int]:
    from django.db.models import Count

    prefix = require_officer(actor)
    rows = (QualificationApplication.objects.filter(region_prefix_filter("region_prefix", prefix))
            .values("status").annotate(n=Count("id")))
    return {r["status"]: r["n"] for r in rows}


def application_get(*, actor, pk: int) -> QualificationApplication:
    """An application for its jurisdiction's officers (and the administrator); a 404 otherwise."""
    prefix = require_officer(actor)
    app = (QualificationApplication.objects.filter(region_prefix_filter("region_prefix", prefix), pk=pk)
           .select_related("organization__registration_authority", "region", "catalogue", "decided_by",
                           "submitted_by").first())
    if app is None:
        raise Http404(_("No such application."))
    return app


def my_applications(actor) -> QuerySet[QualificationApplication]:
    """The organization user's own organization's applications, newest first."""
    if getattr(actor, "role", None) != Role.ORG_USER or not actor.organization_id:
        raise Http404(_("No such page."))
    return (QualificationApplication.objects.filter(organization_id=actor.organization_id)
            .select_related("region", "catalogue").order_by("-submitted_at", "-id"))


def publish_region(actor, code: str = "") -> Region:
    """The jurisdiction whose batch the officer publishes: its own, or (an administrator, a
    provincial officer) the one named, which must lie in its jurisdiction and be a city or above."""
    prefix = require_officer(actor)
    code = code or (actor.jurisdiction_id or "")
    region = Region.objects.filter(code=code, level__lte=RegionLevel.CITY).first() if code else None
    if region is None or not region.prefix.startswith(prefix):
        raise Http404(_("No such jurisdiction."))
    return region


def approved_waiting(region: Region) -> QuerySet[QualificationApplication]:
    return (QualificationApplication.objects.filter(region=region, status=QualificationStatus.APPROVED)
            .select_related("organization").order_by("organization__name", "id"))


def stored_decision(app: QualificationApplication) -> Decision:
    return Decision.from_json(app.checks)


# --- exports ---------------------------------------------------------------------------------


def export_headers() -> list[str]:
    return [str(h) for h in (_("Batch"), _("Name"), _("Unified social credit code"), _("Type"),
                             _("Registration authority"), _("Legal representative"),
                             _("Services the organization can undertake"), _("Published on"))]


def export_rows(qs: QuerySet[QualificationApplication]):
    for app in qs.select_related("organization__registration_authority").iterator(chunk_size=2000):
        org = app.organization
        yield [app.catalogue.title if app.catalogue_id else "", org.name, org.uscc, str(org.type_label),
               authority_name(org.registration_authority), org.legal_representative, app.service_areas,
               app.catalogue.published_on.isoformat() if app.catalogue_id and app.catalogue.published_on else ""]


QUEUE_EXPORT_KEYS = ("status", "q", "sort")


@exporter("qualification_queue", title=gettext_lazy("Qualification applications"))
def queue_export(actor, params: dict) -> ExportData:
    """The officer's queue as filtered and sorted on the page, with the stored checks in words."""
    try:
        qs = officer_queue(actor, status=str(params.get("status", "")), q=str(params.get("q", "")),
                           sort=str(params.get("sort", "")))
    except QueryTooShort:  # the page refused it already; export the unsearched list
        qs = officer_queue(actor, status=str(params.get("status", "")), sort=str(params.get("sort", "")))
    headers = [_("Name"), _("Unified social credit code"), _("Jurisdiction"), _("Status"), _("Submitted"),
               _("Eligible"), _("Eligibility checks"), _("Decided"), _("Reason"), _("Catalogue batch"),
               _("Services the organization can undertake")]

    def rows():
        for app in qs.iterator(chunk_size=2000):
            checks = "；".join(f"{'✓' if c.passed else '✗'} {c.title}: {c.reason}" for c in stored_decision(app).checks)
            yield [app.organization.name, app.organization.uscc, app.region.name, str(app.get_status_display()),
                   timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M"),
                   str(_("Yes") if app.eligible else _("No")), checks,
                   timezone.localtime(app.decided_at).strftime("%Y-%m-%d %H:%M") if app.decided_at else "",
                   app.decision_reason, app.catalogue.title if app.catalogue_id else "", app.service_areas]

    return ExportData(headers=[str(h) for h in headers], total=qs.count(), rows=rows(),
                      sheet=str(_("Qualification applications")))
