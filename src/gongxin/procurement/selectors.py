"""Reads of the project work pages, scoped by the acting user (DESIGN.md convention 2).

- a purchaser sees its department's projects (another department's are a 404);
- an organization user sees the publicized projects of its region and the regions above it,
  its own bids, and the projects awarded to it;
- an evaluator sees the evaluations assigned to it;
- an officer sees (read-only) the projects and transfers of its jurisdiction;
- an administrator sees everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.accounts.models import Role
from gongxin.core.exports import ExportData, exporter
from gongxin.procurement.models import (
    Bid,
    BidStatus,
    FunctionTransfer,
    FunctionTransferStatus,
    PerformanceEvaluation,
    PerformanceRating,
    ProjectDocument,
    ProjectStatus,
    PurchaseMethod,
    PurchaseProject,
    TrackingReport,
)
from gongxin.procurement.services import is_purchaser_of
from gongxin.registry.policy import ancestors
from gongxin.registry.selectors import officer_prefix, region_prefix_filter


def _authenticated(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _role(actor) -> str | None:
    return actor.role if _authenticated(actor) else None


def is_admin(actor) -> bool:
    return _authenticated(actor) and actor.is_platform_admin


def _not_found(message=None):
    raise Http404(message or _("No such project."))


# --- the purchaser's projects ----------------------------------------------------------------


def department_projects(actor) -> QuerySet[PurchaseProject]:
    """The projects a purchaser works on: its department's (an administrator: all)."""
    if is_admin(actor):
        return PurchaseProject.objects.all()
    if _role(actor) == Role.PURCHASER and actor.department_id:
        return PurchaseProject.objects.filter(department_id=actor.department_id)
    _not_found(_("No such page."))


SORTS = {
    "-created": (gettext_lazy("Newest first"), ("-created_at", "-id")),
    "procurement": (gettext_lazy("Procurement start"), ("procurement_starts_on", "id")),
    "-budget": (gettext_lazy("Largest budget"), ("-budget", "-id")),
    "title": (gettext_lazy("Title"), ("title", "id")),
}


@dataclass
class ProjectFilters:
    status: str = ""
    year: int | None = None
    method: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query) -> ProjectFilters:
        status = query.get("status", "")
        method = query.get("method", "")
        try:
            year = int(query.get("year", "") or 0) or None
        except ValueError:
            year = None
        return cls(status=status if status in ProjectStatus.values else "",
                   year=year if year and 1990 <= year <= 2100 else None,
                   method=method if method in PurchaseMethod.values else "", q=query.get("q", "").strip()[:100])

    def as_params(self) -> dict:
        return {k: v for k, v in vars(self).items() if v}

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.year:
            qs = qs.filter(year=self.year)
        if self.method:
            qs = qs.filter(method=self.method)
        if self.q:
            qs = qs.filter(Q(title__icontains=self.q) | Q(awarded_supplier_name__icontains=self.q))
        return qs


def _listing(qs: QuerySet, filters: ProjectFilters, sort: str) -> QuerySet[PurchaseProject]:
    # One query for the page: the department, service and awarded organization joined, the
    # bids counted in the same statement.
    return (filters.apply(qs).select_related("department", "service", "awarded_organization")
            .annotate(bid_count=Count("bids", filter=~Q(bids__status=BidStatus.WITHDRAWN)))
            .order_by(*SORTS.get(sort, SORTS["-created"])[1]))


def project_list(actor, filters: ProjectFilters, sort: str = "-created") -> QuerySet[PurchaseProject]:
    return _listing(department_projects(actor), filters, sort)


def project_years(qs: QuerySet) -> list[int]:
    return list(qs.order_by("-year").values_list("year", flat=True).distinct())


def supervision_projects(actor, filters: ProjectFilters, sort: str = "-created") -> QuerySet[PurchaseProject]:
    """The officer's read-only view: every project its jurisdiction's departments have
    publicized (a draft is the department's own working copy until then)."""
    prefix = officer_prefix(actor)
    if prefix is None:
        _not_found(_("No such page."))
    return _listing(PurchaseProject.objects.filter(region_prefix_filter("region_prefix", prefix))
                    .exclude(status=ProjectStatus.DRAFT), filters, sort)


def _with_workspace(qs: QuerySet) -> QuerySet[PurchaseProject]:
    return (qs.select_related("department", "region", "service__category", "function", "awarded_organization",
                              "created_by")
            .prefetch_related(
                Prefetch("bids", queryset=Bid.objects.select_related("organization").prefetch_related("documents")
                         .order_by("submitted_at", "id")),
                Prefetch("documents", queryset=ProjectDocument.objects.order_by("uploaded_at", "id")),
                "milestones",
                Prefetch("tracking_reports", queryset=TrackingReport.objects.select_related("milestone", "submitted_by")
                         .order_by("reported_on", "id"))))


def project_get(*, actor, pk: int) -> PurchaseProject:
    """A project whose workspace the actor may open: the department's purchaser, the
    administrator, the officer of its jurisdiction (read-only), the awarded organization
    (its tracking reports), and the assigned evaluator."""
    if not _authenticated(actor):
        _not_found()
    qs = PurchaseProject.objects.filter(pk=pk)
    role = actor.role
    if is_admin(actor):
        pass
    elif role == Role.PURCHASER:
        qs = qs.filter(department_id=actor.department_id or 0)
    elif role == Role.OFFICER:
        qs = qs.filter(region_prefix_filter("region_prefix", officer_prefix(actor) or "")).exclude(
            status=ProjectStatus.DRAFT)
        if officer_prefix(actor) is None:
            _not_found()
    elif role == Role.ORG_USER:
        qs = qs.filter(awarded_organization_id=actor.organization_id or 0)
    elif role == Role.EVALUATOR:
        qs = qs.filter(evaluation__evaluator=actor)
    else:
        _not_found()
    project = _with_workspace(qs).first()
    if project is None:
        _not_found()
    return project


def department_project_get(*, actor, pk: int) -> PurchaseProject:
    """A project the actor may act on as its department (every department step's page)."""
    project = _with_workspace(PurchaseProject.objects.filter(pk=pk)).first()
    if project is None or not is_purchaser_of(actor, project.department_id):
        _not_found()
    return project


def milestone_get(*, actor, pk: int):
    """A milestone of a project of the actor's department."""
    from gongxin.procurement.models import Milestone

    milestone = Milestone.objects.select_related("project").filter(pk=pk).first()
    if milestone is None or not is_purchaser_of(actor, milestone.project.department_id):
        _not_found(_("No such milestone."))
    return milestone


def project_evaluation(project: PurchaseProject) -> PerformanceEvaluation | None:
    return (PerformanceEvaluation.objects.select_related("evaluator", "indicator_set", "credit_record")
            .filter(project=project).first())


def project_contract(project: PurchaseProject):
    from gongxin.procurement.models import Contract

    return Contract.objects.filter(project=project).first()


TIMELINE = [ProjectStatus.DRAFT, ProjectStatus.PUBLICIZED, ProjectStatus.AWARDED, ProjectStatus.CONTRACTED,
            ProjectStatus.COMPLETED, ProjectStatus.EVALUATED]


@dataclass
class Step:
    status: str
    label: str
    state: str  # "done", "current", "todo", "ended"
    date: dt.date | None = None


def timeline(project: PurchaseProject, contract=None, evaluation=None) -> list[Step]:
    """The lifecycle for the workspace: steps done (with their dates), the current one, those
    to come; a cancelled or unsuccessful project ends where it stopped."""
    dates = {ProjectStatus.DRAFT: project.created_at.date() if project.created_at else None,
             ProjectStatus.PUBLICIZED: project.publicized_on, ProjectStatus.AWARDED: project.awarded_on,
             ProjectStatus.CONTRACTED: contract.signed_on if contract else None,
             ProjectStatus.COMPLETED: project.completed_on,
             ProjectStatus.EVALUATED: evaluation.evaluated_on if evaluation else None}
    ended = project.status in (ProjectStatus.CANCELLED, ProjectStatus.UNSUCCESSFUL)
    if ended:
        reached = max((i for i, s in enumerate(TIMELINE) if dates[s]), default=0)
    else:
        reached = TIMELINE.index(project.status)
    steps = []
    for i, status in enumerate(TIMELINE):
        state = "done" if i < reached or (i == reached and ended) else "current" if i == reached else "todo"
        steps.append(Step(status, str(ProjectStatus(status).label), state, dates[status] if state == "done"
                          or state == "current" else None))
    if ended:
        steps = [s for s in steps if s.state == "done"]
        steps.append(Step(project.status, str(ProjectStatus(project.status).label), "ended"))
    return steps


# --- organizations: opportunities, bids, awarded projects -----------------------------------


def _require_org(actor):
    if _role(actor) != Role.ORG_USER or not actor.organization_id:
        _not_found(_("No such page."))
    return actor.organization


def _open_to(org) -> Q:
    # Projects of the organization's registration region and the regions above it (a
    # provincial project is open to a city's organizations; a neighbouring city's is not).
    return Q(region_id__in=ancestors(org.registration_authority_id))


def opportunities(actor, today: dt.date | None = None) -> QuerySet[PurchaseProject]:
    """Publicized projects still taking applications, with the organization's own bid."""
    org = _require_org(actor)
    today = today or timezone.localdate()
    mine = Bid.objects.filter(project=OuterRef("pk"), organization=org).exclude(status=BidStatus.WITHDRAWN)
    return (PurchaseProject.objects.filter(_open_to(org), status=ProjectStatus.PUBLICIZED, bid_deadline__gte=today)
            .select_related("department", "service")
            .annotate(has_bid=Exists(mine)).order_by("bid_deadline", "id"))


def opportunity_get(*, actor, pk: int) -> PurchaseProject:
    """A project the organization may read and apply for: publicized (or since decided, when
    it applied) in its region or above."""
    org = _require_org(actor)
    project = (PurchaseProject.objects.filter(_open_to(org), pk=pk)
               .filter(Q(status=ProjectStatus.PUBLICIZED) | Q(bids__organization=org))
               .select_related("department", "service__category", "region").distinct().first())
    if project is None:
        _not_found()
    return project


def org_bid(org, project) -> Bid | None:
    return Bid.objects.filter(project=project, organization=org).prefetch_related("documents").first()


def org_bids(actor) -> QuerySet[Bid]:
    org = _require_org(actor)
    return (Bid.objects.filter(organization=org).select_related("project__department")
            .order_by("-submitted_at", "-id"))


def org_bid_get(*, actor, pk: int) -> Bid:
    bid = org_bids(actor).filter(pk=pk).first()
    if bid is None:
        _not_found(_("No such bid."))
    return bid


def awarded_projects(actor) -> QuerySet[PurchaseProject]:
    org = _require_org(actor)
    return (PurchaseProject.objects.filter(awarded_organization=org)
            .exclude(status=ProjectStatus.CANCELLED).select_related("department")
            .order_by("-awarded_on", "-id"))


# --- evaluations -----------------------------------------------------------------------------


def evaluations_for(actor) -> QuerySet[PerformanceEvaluation]:
    """The evaluator's assignments (an administrator: every evaluation)."""
    qs = PerformanceEvaluation.objects.select_related("project__department", "project__awarded_organization",
                                                      "evaluator")
    if is_admin(actor):
        return qs.order_by("status", "-id")
    if _role(actor) == Role.EVALUATOR:
        return qs.filter(evaluator=actor).order_by("status", "-id")
    _not_found(_("No such page."))


def evaluation_get(*, actor, pk: int) -> PerformanceEvaluation:
    """An evaluation the actor may open: the assigned evaluator, the department, the
    administrator, the officer of the project's jurisdiction."""
    evaluation = (PerformanceEvaluation.objects
                  .select_related("project__department", "project__awarded_organization", "indicator_set",
                                  "evaluator", "credit_record").filter(pk=pk).first())
    if evaluation is None or not _authenticated(actor):
        _not_found(_("No such evaluation."))
    project = evaluation.project
    prefix = officer_prefix(actor)
    if not (is_admin(actor) or actor.pk == evaluation.evaluator_id or is_purchaser_of(actor, project.department_id)
            or (_role(actor) == Role.OFFICER and prefix is not None and project.region_prefix.startswith(prefix))):
        _not_found(_("No such evaluation."))
    return evaluation


def evaluators() -> QuerySet:
    from gongxin.accounts.models import User

    return User.objects.filter(role=Role.EVALUATOR, is_active=True).order_by("unit_name", "username")


# --- function transfers ----------------------------------------------------------------------


def transfers_for(actor) -> QuerySet[FunctionTransfer]:
    qs = FunctionTransfer.objects.select_related("function__catalogue", "organization", "department")
    if is_admin(actor):
        return qs
    if _role(actor) == Role.PURCHASER and actor.department_id:
        return qs.filter(department_id=actor.department_id)
    prefix = officer_prefix(actor)
    if _role(actor) == Role.OFFICER and prefix is not None:
        return qs.filter(region_prefix_filter("department__region_prefix", prefix))
    _not_found(_("No such page."))


def transfer_get(*, actor, pk: int) -> FunctionTransfer:
    transfer = transfers_for(actor).filter(pk=pk).first()
    if transfer is None:
        _not_found(_("No such transfer."))
    return transfer


def latest_evaluation_for_transfer(transfer: FunctionTransfer) -> PerformanceEvaluation | None:
    """The organization's latest submitted performance evaluation on a project carrying the
    transferred function."""
    return (PerformanceEvaluation.objects
            .filter(status=PerformanceEvaluation.Status.SUBMITTED, project__function=transfer.function_id,
                    project__awarded_organization=transfer.organization_id)
            .select_related("project").order_by("-evaluated_on", "-id").first())


def revocation_offered(transfer: FunctionTransfer, today: dt.date | None = None) -> tuple[bool, object]:
    """Whether the page offers revocation: the transfer is in force, in its guidance period,
    and the latest evaluation on a project carrying the function failed."""
    today = today or timezone.localdate()
    latest = latest_evaluation_for_transfer(transfer)
    offered = (transfer.status == FunctionTransferStatus.ACTIVE and today <= transfer.guidance_until
               and latest is not None and latest.rating == PerformanceRating.FAIL)
    return offered, latest


def transferable_functions(actor):
    """The functions the actor may transfer: the published catalogues' items of its department
    (purchaser) or of its jurisdiction (officer)."""
    from gongxin.procurement.models import CatalogueKind, CatalogueStatus, TransferableFunction

    qs = TransferableFunction.objects.filter(catalogue__kind=CatalogueKind.FUNCTIONS,
                                             catalogue__status=CatalogueStatus.PUBLISHED).select_related("catalogue")
    if _role(actor) == Role.PURCHASER and actor.department_id:
        return qs.filter(department_name=actor.department.name,
                         catalogue__region_id__in=ancestors(actor.department.region_id))
    prefix = officer_prefix(actor)
    if prefix is None:
        return qs.none()
    return qs.filter(region_prefix_filter("catalogue__region_prefix", prefix))


# --- documents -------------------------------------------------------------------------------


def document_get(*, actor, pk: int) -> ProjectDocument:
    """A project file for someone who may see it: whoever may open the project's workspace,
    and an organization for its own bid's documents."""
    doc = ProjectDocument.objects.select_related("project", "bid").filter(pk=pk).first()
    if doc is None or not _authenticated(actor):
        _not_found(_("No such document."))
    if doc.bid_id and _role(actor) == Role.ORG_USER and doc.bid.organization_id == actor.organization_id:
        return doc
    project_get(actor=actor, pk=doc.project_id)  # 404 when the project is out of scope
    if _role(actor) == Role.ORG_USER and doc.bid_id:
        _not_found(_("No such document."))  # another organization's bid
    return doc


# --- the Excel export ------------------------------------------------------------------------


@exporter("procurement_projects", title=gettext_lazy("Purchase projects"))
def projects_export(actor, params: dict) -> ExportData:
    """The purchaser's project list as filtered on the page."""
    filters = ProjectFilters.from_query(params)
    qs = project_list(actor, filters, params.get("sort", "-created"))
    headers = [_("OCID"), _("Title"), _("Purchasing department"), _("Catalogue service"), _("Method"), _("Year"),
               _("Budget (yuan)"), _("Status"), _("Publicized on"), _("Procurement starts on"),
               _("Application deadline"), _("Bids"), _("Awarded to"), _("Supplier code"), _("Awarded amount (yuan)"),
               _("Awarded on"), _("Completed on")]

    def day(value):
        return value.isoformat() if value else ""

    def rows():
        for p in qs.iterator(chunk_size=2000):
            yield [p.ocid, p.title, p.department.name, p.service.name if p.service else "",
                   str(p.get_method_display()), p.year, float(p.budget), str(p.get_status_display()),
                   day(p.publicized_on), day(p.procurement_starts_on), day(p.bid_deadline), p.bid_count,
                   p.awarded_supplier_name, p.awarded_supplier_id,
                   float(p.awarded_amount) if p.awarded_amount is not None else "", day(p.awarded_on),
                   day(p.completed_on)]

    return ExportData(headers=[str(h) for h in headers], total=qs.count(), rows=rows(),
                      sheet=str(_("Purchase projects")))
