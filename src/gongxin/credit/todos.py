"""Credit supervision on the workspace (core.todos): for the officer, notices whose objection
period is over (to list or withdraw), objections to answer and removal applications to verify
(overdue ones apart); for the organization, notices it may still object to, its listings and
its recent penalties."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from gongxin.core import todos
from gongxin.credit.models import (
    CreditList,
    ListEntry,
    ListingStatus,
    Penalty,
    RemovalApplication,
    RemovalStatus,
)
from gongxin.registry.selectors import officer_prefix, region_prefix_filter

RECENT_PENALTY_DAYS = 90


@todos.register("officer", "admin")
def officer_todos(actor, today):
    prefix = officer_prefix(actor)
    if prefix is None:
        return []
    entries = ListEntry.objects.filter(region_prefix_filter("region_prefix", prefix), status=ListingStatus.NOTICED)
    awaiting = entries.filter(objection_due__lt=today)
    removals = RemovalApplication.objects.filter(region_prefix_filter("entry__region_prefix", prefix),
                                                 status=RemovalStatus.PENDING)
    url = reverse("credit:manage_worklist")
    return [
        todos.Todo(_("Removal applications past their verification deadline"), removals.filter(due_on__lt=today)
                   .count(), url + "?tab=removals", todos.OVERDUE, area=_("Credit")),
        todos.Todo(_("Objections to answer before listing"),
                   awaiting.filter(~Q(objection=""), objection_answer="").count(), url + "?tab=awaiting",
                   todos.DUE, area=_("Credit")),
        todos.Todo(_("Notices whose objection period is over: list or withdraw"), awaiting.count(),
                   url + "?tab=awaiting", todos.WAITING, area=_("Credit")),
        todos.Todo(_("Removal applications to verify"), removals.count(), url + "?tab=removals", todos.WAITING,
                   area=_("Credit")),
    ]


@todos.register("org_user")
def organization_todos(actor, today):
    org = actor.organization
    if org is None:
        return []
    entries = ListEntry.objects.filter(organization=org)
    url = reverse("credit:my")
    out = [todos.Todo(_("Listing notices you may still object to"),
                      entries.filter(status=ListingStatus.NOTICED, objection_due__gte=today, objection="").count(),
                      url, todos.DUE, area=_("Credit"))]
    for value, label in CreditList.choices:
        out.append(todos.Todo(_("Your organization is on the %(list)s: rectify, then apply for removal")
                              % {"list": label}, entries.filter(status=ListingStatus.LISTED, list=value).count(),
                              url, todos.DUE, area=_("Credit")))
    since = today - dt.timedelta(days=RECENT_PENALTY_DAYS)
    out.append(todos.Todo(_("Administrative penalties in the last %(days)d days") % {"days": RECENT_PENALTY_DAYS},
                          Penalty.objects.filter(organization=org, decided_on__gte=since).count(),
                          reverse("credit:my_penalties"), todos.INFO, area=_("Credit")))
    return out


