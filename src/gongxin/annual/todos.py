"""Annual work reports and inspections on the workspace (core.todos): the organization's
report owed for last year (due or overdue), returned reports and open rectification notices;
the sponsor's and the officer's reports awaiting review; overdue rectifications and dormancy
findings awaiting a decision."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from gongxin.annual import rules
from gongxin.annual.models import (
    AnnualReport,
    DormancyFinding,
    RectificationNotice,
    RectificationStatus,
    ReportStatus,
)
from gongxin.annual.selectors import reports_visible
from gongxin.core import todos
from gongxin.registry.selectors import officer_prefix, region_prefix_filter


@todos.register("org_user")
def organization_todos(actor, today):
    org = actor.organization
    if org is None:
        return []
    out = []
    year = today.year - 1
    ob = rules.obligation_for(org, year)
    report = AnnualReport.objects.filter(organization=org, year=year).only("status", "submitted_at").first()
    if ob.owed and (report is None or report.submitted_at is None):
        late = today > ob.deadline
        out.append(todos.Todo(
            _("The %(year)s annual work report is overdue") % {"year": year} if late
            else _("The %(year)s annual work report is due") % {"year": year},
            1, reverse("annual:report_edit", args=[year]), todos.OVERDUE if late else todos.DUE,
            detail=_("deadline %(date)s") % {"date": ob.deadline.isoformat()}, area=_("Annual reports")))
    returned = AnnualReport.objects.filter(organization=org, status=ReportStatus.RETURNED).count()
    out.append(todos.Todo(_("Annual reports returned for correction"), returned, reverse("annual:portal"),
                          todos.DUE, area=_("Annual reports")))
    notices = RectificationNotice.objects.filter(organization=org)
    url = reverse("annual:rectification_mine")
    out.append(todos.Todo(_("Rectification notices past their deadline"),
                          notices.filter(status=RectificationStatus.OVERDUE).count(), url, todos.OVERDUE,
                          area=_("Annual reports")))
    out.append(todos.Todo(_("Rectification notices to complete"), notices.filter(status=RectificationStatus.OPEN)
                          .count(), url, todos.DUE, area=_("Annual reports")))
    return out


@todos.register("sponsor")
def sponsor_todos(actor, today):
    count = reports_visible(actor).filter(status=ReportStatus.SPONSOR_REVIEW).count()
    return [todos.Todo(_("Annual reports awaiting your pre-review"), count, reverse("annual:queue"), todos.WAITING,
                       area=_("Annual reports"))]


@todos.register("officer", "admin")
def officer_todos(actor, today):
    prefix = officer_prefix(actor)
    if prefix is None:
        return []
    reviews = reports_visible(actor).filter(status=ReportStatus.AUTHORITY_REVIEW).count()
    overdue = RectificationNotice.objects.filter(region_prefix_filter("organization__region_prefix", prefix),
                                                 status=RectificationStatus.OVERDUE).count()
    findings = DormancyFinding.objects.filter(region_prefix_filter("organization__region_prefix", prefix),
                                              outcome="").count()
    return [
        todos.Todo(_("Rectification notices past their deadline"), overdue,
                   reverse("annual:rectification_list") + "?" + urlencode({"status": RectificationStatus.OVERDUE}),
                   todos.OVERDUE, area=_("Annual reports")),
        todos.Todo(_("Annual reports awaiting your review"), reviews, reverse("annual:queue"), todos.WAITING,
                   area=_("Annual reports")),
        todos.Todo(_("Possibly dormant organizations awaiting a decision"), findings, reverse("annual:dormancy_list"),
                   todos.WAITING, area=_("Annual reports")),
    ]
