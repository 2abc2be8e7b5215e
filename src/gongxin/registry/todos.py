"""The registry's to-dos on the workspace (core.todos): applications awaiting the officer's
decision (overdue ones apart), and the applicant's drafts and rejections."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gongxin.core import todos
from gongxin.registry.models import ApplicationStatus, RegistrationApplication
from gongxin.registry.selectors import officer_prefix, region_prefix_filter


@todos.register("officer", "admin")
def officer_todos(actor, today):
    prefix = officer_prefix(actor)
    if prefix is None:
        return []
    qs = RegistrationApplication.objects.filter(region_prefix_filter("region_prefix", prefix),
                                                status=ApplicationStatus.SUBMITTED)
    url = reverse("registry:applications_worklist")
    overdue = qs.filter(due_on__lt=today).count()
    return [todos.Todo(_("Registration applications past their decision deadline"), overdue, url, todos.OVERDUE,
                       area=_("Registry")),
            todos.Todo(_("Registration applications awaiting your decision"), qs.count(), url, todos.WAITING,
                       area=_("Registry"))]


@todos.register("founder", "org_user")
def applicant_todos(actor, today):
    mine = RegistrationApplication.objects.filter(applicant=actor)
    url = reverse("registry:applications_mine")
    return [todos.Todo(_("Draft applications not yet submitted"), mine.filter(status=ApplicationStatus.DRAFT).count(),
                       url, todos.DUE, area=_("Registry")),
            todos.Todo(_("Applications under review"), mine.filter(status=ApplicationStatus.SUBMITTED).count(), url,
                       todos.INFO, area=_("Registry"))]


