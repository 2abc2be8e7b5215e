"""Reads of annual work reports, scoped by the acting user (DESIGN.md convention 2)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from gongxin.accounts.models import Role
from gongxin.annual.models import AnnualReport, ReportStatus
from gongxin.registry.selectors import jurisdiction_q


def reports_visible(actor) -> QuerySet[AnnualReport]:
    """The reports an actor may open: their own organization's, their sponsored
    organizations' (once submitted), their jurisdiction's (once submitted); none otherwise."""
    qs = AnnualReport.objects.select_related("organization", "organization__sponsor_unit")
    if actor is None or not actor.is_authenticated:
        return qs.none()
    scope = jurisdiction_q(actor, org="organization__")
    if scope is not None:
        qs = qs.filter(scope)
    if actor.role in (Role.OFFICER, Role.SPONSOR):
        qs = qs.exclude(status=ReportStatus.DRAFT)  # a draft is the organization's own business
    return qs


def report_get(*, actor, pk: int) -> AnnualReport:
    report = reports_visible(actor).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def review_queue(*, actor, status: str = "", year: int | None = None, q: str = "") -> QuerySet[AnnualReport]:
    """The officer's or sponsor's worklist: what waits for them first, oldest submission first."""
    qs = reports_visible(actor)
    if status:
        qs = qs.filter(status=status)
    elif actor.role == Role.SPONSOR:
        qs = qs.filter(status=ReportStatus.SPONSOR_REVIEW)
    else:
        qs = qs.filter(status=ReportStatus.AUTHORITY_REVIEW)
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(Q(organization__name__contains=q) | Q(organization__uscc=q.upper()))
    return qs.order_by("submitted_at", "id")


def published_reports(org) -> list[AnnualReport]:
    """What the public profile shows (年检结果 / 年度工作报告): reviewed or filed reports."""
    return list(AnnualReport.objects.filter(organization=org, published_on__isnull=False).order_by("-year"))
