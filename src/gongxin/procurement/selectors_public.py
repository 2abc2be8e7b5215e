"""Reads behind the public disclosure platform (政府购买社会组织服务项目信息公示平台, seed 002):
no login and no scope, but never a draft: a project is public from its publicity on. The list
page, its Excel export and the organization profile share these, so a filter means the same
everywhere."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from gongxin.core.models import Region
from gongxin.procurement.models import (
    Milestone,
    PerformanceEvaluation,
    ProjectDocument,
    ProjectStatus,
    PurchaseProject,
)
from gongxin.procurement.stats import publicized_projects
from gongxin.registry.selectors import region_prefix_filter

# Sort keys of the public list -> ORDER BY (id last: a stable order for paging).
SORTS = {
    "date": ["-publicized_on", "-id"],
    "date_asc": ["publicized_on", "id"],
    "budget": ["-budget", "-id"],
    "budget_asc": ["budget", "id"],
}
PUBLIC_STATUSES = [s for s in ProjectStatus.values if s != ProjectStatus.DRAFT]


@dataclass
class ProjectFilters:
    q: str = ""  # a title substring: 2-character queries (养老, 社工) are the common case
    year: int | None = None
    department: int | None = None
    status: str = ""
    category: str = ""  # a category code (A, or A05): its whole subtree
    method: str = ""
    region: str = ""  # a 6-digit region code: its whole subtree
    sort: str = "date"

    def as_params(self) -> dict:
        """JSON-safe, for the export job's params."""
        return asdict(self)

    @classmethod
    def from_params(cls, params: dict) -> ProjectFilters:
        known = {k: v for k, v in params.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def public_projects(filters: ProjectFilters) -> QuerySet[PurchaseProject]:
    """The publicized projects matching ``filters``, with what a list row shows loaded (one
    query per page, whatever its size)."""
    qs = publicized_projects()
    q = filters.q.strip()
    if q:
        cond = Q(title__contains=q)
        if q.lower().startswith("ocds-"):
            cond |= Q(ocid=q)
        qs = qs.filter(cond)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        # A code range ('A05' <= c < 'A05~'): the subtree, as a lookup a foreign key accepts.
        qs = qs.filter(category__gte=filters.category, category__lt=filters.category + "~")
    if filters.method:
        qs = qs.filter(method=filters.method)
    if filters.region:
        # A range on the stored prefix ('4404' <= p < '4405'): an index range scan on both engines.
        qs = qs.filter(region_prefix_filter("region_prefix", Region.prefix_of(filters.region)))
    order = SORTS.get(filters.sort, SORTS["date"])
    return qs.select_related("department", "category", "awarded_organization").order_by(*order)


def summary(qs: QuerySet[PurchaseProject]) -> dict:
    """The filtered set's summary row: how many projects and their total budget (one query;
    the list page reuses the count for its paginator)."""
    return qs.order_by().aggregate(
        count=Count("id"),
        budget=Coalesce(Sum("budget"), Value(Decimal("0.00")), output_field=DecimalField(max_digits=16,
                                                                                         decimal_places=2)))


def project_public_get(pk: int) -> PurchaseProject:
    """A publicized project with everything its notice shows (four queries); a draft, or a
    project that does not exist, is a 404 alike."""
    documents = Prefetch("documents", queryset=ProjectDocument.objects.filter(is_public=True, bid__isnull=True)
                         .order_by("uploaded_at", "id"), to_attr="public_documents")
    milestones = Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id"))
    project = (publicized_projects()
               .select_related("department", "region", "service", "category", "category__parent", "function",
                               "awarded_organization", "contract", "evaluation", "evaluation__evaluator")
               .prefetch_related(documents, milestones)
               .filter(pk=pk).first())
    if project is None:
        raise Http404(_("No such project."))
    return project


def project_evaluation(project: PurchaseProject) -> PerformanceEvaluation | None:
    """The submitted performance evaluation of a project (an assigned one is not a result yet)."""
    # The reverse one-to-one raises an AttributeError subclass when there is none.
    evaluation = getattr(project, "evaluation", None)
    return evaluation if evaluation is not None and evaluation.status == PerformanceEvaluation.Status.SUBMITTED else None
