"""When each step of a purchase project becomes possible (domain-rules §5, seed 002).

One named predicate per step, ``may_<step>(actor, project, today) -> Decision``: the service
refuses with the decision's reason, and the workspace shows the same reason beside a disabled
button, with the date the step opens. The calendar of a project:

- applications are taken from the publicity until ``bid_deadline`` (inclusive);
- procurement starts on ``procurement_starts_on``, at least the publicity period after it;
- the award (or ending without one) comes once applications have closed: the day after
  ``bid_deadline`` at the earliest (never before procurement starts, as the deadline is not),
  so no award is made while the project still takes applications;
- the contract is signed on or after the award;
- acceptance (completion) comes when the contracted service period has run: its last day at
  the earliest; a milestone is recorded once the service has started;
- the performance evaluation is scored on or after the completion date, so no permanent credit
  record describes a service that has not been delivered.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from gongxin.core.decisions import Decision
from gongxin.procurement.models import Milestone, PerformanceEvaluation, ProjectStatus, PurchaseProject

ONE_DAY = dt.timedelta(days=1)


def _department(actor, project: PurchaseProject) -> Decision:
    from gongxin.procurement.services import is_purchaser_of

    if not is_purchaser_of(actor, project.department_id):
        return Decision.refuse(_("Only a purchaser of %(department)s may do this.") % {"department": project.department})
    return Decision.allow()


def _status(project: PurchaseProject, *statuses: str) -> Decision:
    if project.status not in statuses:
        return Decision.refuse(_("Not possible while the project is %(status)s.")
                               % {"status": project.get_status_display()})
    return Decision.allow()


def award_opens_on(project: PurchaseProject) -> dt.date:
    """The first day of the award: the day after applications close (the deadline is never
    before procurement starts: a database constraint, so procurement has started too)."""
    return max(project.procurement_starts_on, project.bid_deadline + ONE_DAY)


def _award_window(project: PurchaseProject, today: dt.date) -> Decision:
    earliest = award_opens_on(project)
    if today >= earliest:
        return Decision.allow()
    return Decision.refuse(_("Applications are open until %(deadline)s: the outcome can be decided from %(date)s.")
                           % {"deadline": project.bid_deadline.isoformat(), "date": earliest.isoformat()}, earliest)


def may_award(actor, project: PurchaseProject, today: dt.date) -> Decision:
    """The department awards a publicized project once procurement started and applications closed."""
    for decision in (_department(actor, project), _status(project, ProjectStatus.PUBLICIZED)):
        if not decision:
            return decision
    return _award_window(project, today)


def may_end_unsuccessful(actor, project: PurchaseProject, today: dt.date) -> Decision:
    """Ending without an award: the same window as the award (a bid may still come in before)."""
    return may_award(actor, project, today)


def may_sign_contract(actor, project: PurchaseProject, today: dt.date) -> Decision:
    for decision in (_department(actor, project), _status(project, ProjectStatus.AWARDED)):
        if not decision:
            return decision
    if project.awarded_on and today < project.awarded_on:
        return Decision.refuse(_("The project was awarded on %(date)s: the contract is signed from then.")
                               % {"date": project.awarded_on.isoformat()}, project.awarded_on)
    return Decision.allow()


def may_mark_milestone(actor, project: PurchaseProject, contract, today: dt.date) -> Decision:
    """A milestone is recorded met or missed once the contracted service has started."""
    for decision in (_department(actor, project), _status(project, ProjectStatus.CONTRACTED)):
        if not decision:
            return decision
    if contract is not None and today < contract.starts_on:
        return Decision.refuse(_("The service starts on %(date)s: milestones are recorded from then.")
                               % {"date": contract.starts_on.isoformat()}, contract.starts_on)
    return Decision.allow()


def may_complete(actor, project: PurchaseProject, contract, today: dt.date) -> Decision:
    """Acceptance: the contracted service period has run (its last day at the earliest) and
    every milestone is recorded."""
    for decision in (_department(actor, project), _status(project, ProjectStatus.CONTRACTED)):
        if not decision:
            return decision
    if contract is not None and today < contract.ends_on:
        return Decision.refuse(_("The service period runs until %(end)s: the service can be accepted as completed "
                                 "from %(end)s.") % {"end": contract.ends_on.isoformat()}, contract.ends_on)
    pending = project.milestones.filter(status=Milestone.Status.PENDING).count()
    if pending:
        return Decision.refuse(_("%(count)d milestone(s) are still pending: record each as met or missed first.")
                               % {"count": pending})
    return Decision.allow()


def may_evaluate(actor, evaluation: PerformanceEvaluation, today: dt.date) -> Decision:
    """The scores are submitted by whoever may score, for a completed project, from its
    completion date on."""
    from gongxin.procurement.services import may_score

    project = evaluation.project
    if not may_score(actor, evaluation):
        return Decision.refuse(_("Only the assigned evaluator (or the department, when it evaluates itself) may "
                                 "score."))
    if evaluation.status != PerformanceEvaluation.Status.ASSIGNED:
        return Decision.refuse(_("The evaluation has already been submitted."))
    decision = _status(project, ProjectStatus.COMPLETED)
    if not decision:
        return decision
    if project.completed_on and today < project.completed_on:
        return Decision.refuse(_("The service was accepted as completed on %(date)s: it is evaluated from then.")
                               % {"date": project.completed_on.isoformat()}, project.completed_on)
    return Decision.allow()
