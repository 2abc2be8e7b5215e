"""Purchase of services on the workspace (core.todos): the purchaser's projects at each step
that waits for it, the evaluator's open assignments, the organization's projects in service,
and the officer's qualification applications."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from gongxin.core import todos
from gongxin.procurement.models import (
    PerformanceEvaluation,
    ProjectStatus,
    QualificationApplication,
    QualificationStatus,
)
from gongxin.procurement.selectors import awarded_projects, department_projects, evaluations_for
from gongxin.registry.selectors import officer_prefix, region_prefix_filter


def _projects_url(status: str) -> str:
    return reverse("procurement:work_projects") + "?" + urlencode({"status": status})


@todos.register("purchaser")
def purchaser_todos(actor, today):
    if not actor.department_id:
        return []
    qs = department_projects(actor)
    area = _("Purchase of services")
    return [
        todos.Todo(_("Projects whose application period is over: award or declare unsuccessful"),
                   qs.filter(status=ProjectStatus.PUBLICIZED, bid_deadline__lt=today).count(),
                   _projects_url(ProjectStatus.PUBLICIZED), todos.DUE, area=area),
        todos.Todo(_("Awarded projects without a signed contract"), qs.filter(status=ProjectStatus.AWARDED).count(),
                   _projects_url(ProjectStatus.AWARDED), todos.WAITING, area=area),
        todos.Todo(_("Completed projects awaiting a performance evaluation"),
                   qs.filter(status=ProjectStatus.COMPLETED, evaluation__isnull=True).count(),
                   _projects_url(ProjectStatus.COMPLETED), todos.WAITING, area=area),
        todos.Todo(_("Draft projects not yet publicized"), qs.filter(status=ProjectStatus.DRAFT).count(),
                   _projects_url(ProjectStatus.DRAFT), todos.WAITING, area=area),
    ]


@todos.register("evaluator")
def evaluator_todos(actor, today):
    open_ = evaluations_for(actor).filter(~Q(status=PerformanceEvaluation.Status.SUBMITTED)).count()
    return [todos.Todo(_("Performance evaluations to score"), open_, reverse("procurement:work_evaluations"),
                       todos.WAITING, area=_("Purchase of services"))]


@todos.register("org_user")
def organization_todos(actor, today):
    if not actor.organization_id:
        return []
    in_service = awarded_projects(actor).filter(status__in=[ProjectStatus.AWARDED, ProjectStatus.CONTRACTED]).count()
    return [todos.Todo(_("Projects you undertake that are in service"), in_service,
                       reverse("procurement:work_awarded"), todos.INFO, area=_("Purchase of services"))]


@todos.register("officer", "admin")
def officer_todos(actor, today):
    prefix = officer_prefix(actor)
    if prefix is None:
        return []
    count = QualificationApplication.objects.filter(region_prefix_filter("region_prefix", prefix),
                                                    status=QualificationStatus.SUBMITTED).count()
    url = reverse("procurement:qualification_queue") + "?" + urlencode({"status": QualificationStatus.SUBMITTED})
    return [todos.Todo(_("Qualification applications awaiting your decision"), count, url, todos.WAITING,
                       area=_("Purchase of services"))]
