"""Who may undertake transferred functions and purchased services: named checks with reasons.

Each check is a small function returning a ``Check`` (passed or not, and why in words), so the
qualification page, the bid page and the award can all say exactly what an organization lacks
(DESIGN.md convention 4). The criteria set is the jurisdiction's policy
(``JurisdictionPolicy.qualify_*``, resolved by ``registry.policy.policy_for``):

- ``active``: the registration is in force;
- ``credit``: not on the abnormal-activity or dishonesty list (joint punishment, domain-rules §2);
- ``grade``: an evaluation grade in force of at least 3A (seed 004, domain-rules §4);
- ``annual_reports``: the last two years' annual work reports submitted on time and not failed;
- ``governance``: for industry associations and chambers of commerce, the latest report's
  五自四无 self-check complete (sound governance, seed 001).

A project adds its own: ``qualified`` (in the published qualified organizations catalogue of
the project's jurisdiction) where the project requires it, and its own minimum grade.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.annual import rules as annual_rules
from gongxin.annual.content import SELF_GOVERNANCE
from gongxin.annual.models import Conclusion, ReportStatus
from gongxin.annual.services import INDUSTRY_SUBTYPES
from gongxin.evaluation.models import Grade
from gongxin.evaluation.selectors import current_grade
from gongxin.registry.models import OrgStatus
from gongxin.registry.policy import policy_for

# What each check asks, for the pages that list them (the reason says how it came out).
CHECK_TITLES = {
    "active": gettext_lazy("Registration in force"),
    "credit": gettext_lazy("Not on a credit list"),
    "grade": gettext_lazy("Evaluation grade"),
    "annual_reports": gettext_lazy("Annual work reports on time"),
    "governance": gettext_lazy("Sound governance (five selves, four withouts)"),
    "qualified": gettext_lazy("In the qualified organizations catalogue"),
}


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    reason: str

    @property
    def title(self) -> str:
        return str(CHECK_TITLES.get(self.code, self.code))


@dataclass
class Decision:
    checks: list[Check] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def reasons(self) -> list[str]:
        """The failing checks' reasons, in check order (the refusal's message)."""
        return [c.reason for c in self.failures]

    def as_json(self) -> list[dict]:
        """For ``QualificationApplication.checks`` / ``Bid.checks``."""
        return [asdict(c) for c in self.checks]

    @classmethod
    def from_json(cls, rows: list[dict] | None) -> Decision:
        """A stored result back (unknown keys ignored), so a page shows stored and fresh checks alike."""
        return cls([Check(str(r.get("code", "")), bool(r.get("passed")), str(r.get("reason", ""))) for r in rows or []])


def check_active(org) -> Check:
    if org.status == OrgStatus.ACTIVE:
        return Check("active", True, _("The registration is in force."))
    return Check("active", False, _("The registration is not in force (%(status)s).") % {"status": org.status_label})


def check_credit(org) -> Check:
    from gongxin.credit.selectors import eligibility

    result = eligibility(org, "procurement")
    if result.eligible:
        return Check("credit", True, _("Not on the abnormal-activity list or the dishonesty list."))
    return Check("credit", False, " ".join(str(r) for r in result.reasons))


def check_grade(org, minimum: int, on: dt.date) -> Check:
    evaluation = current_grade(org, on)
    required = Grade(minimum).label
    if evaluation is None:
        return Check("grade", False, _("No evaluation grade in force; %(required)s or above is required.")
                     % {"required": required})
    grade = evaluation.get_grade_display()
    if evaluation.grade < minimum:
        return Check("grade", False, _("Evaluation grade %(grade)s (valid until %(until)s) is below the required "
                                       "%(required)s.") % {"grade": grade, "until": evaluation.valid_until,
                                                           "required": required})
    return Check("grade", True, _("Evaluation grade %(grade)s, valid until %(until)s.")
                 % {"grade": grade, "until": evaluation.valid_until})


def check_annual_reports(org, years: int, on: dt.date) -> Check:
    """The last ``years`` report years whose deadline has passed, counting only years the
    organization owed a report for (one registered on 1 July owes nothing for that year)."""
    from gongxin.annual.models import AnnualReport

    policy = policy_for(org.registration_authority_id)
    last = annual_rules.latest_closed_year(on, policy)
    owed = [y for y in range(last, last - years, -1) if annual_rules.obligation_for(org, y).owed]
    if not owed:
        return Check("annual_reports", True, _("No annual work report was owed yet."))
    reports = {r.year: r for r in AnnualReport.objects.filter(organization=org, year__in=owed)}
    problems = []
    for year in owed:
        report = reports.get(year)
        if report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            problems.append(_("the %(year)s report was not submitted") % {"year": year})
        elif report.late:
            problems.append(_("the %(year)s report was submitted late") % {"year": year})
        elif report.conclusion == Conclusion.FAIL:
            problems.append(_("the %(year)s report was found failed") % {"year": year})
    years_text = "、".join(str(y) for y in sorted(owed))
    if problems:
        return Check("annual_reports", False, _("Annual work reports for %(years)s: %(problems)s.")
                     % {"years": years_text, "problems": "; ".join(problems)})
    return Check("annual_reports", True, _("Annual work reports for %(years)s submitted on time.")
                 % {"years": years_text})


def check_governance(org, on: dt.date) -> Check:
    from gongxin.annual.models import AnnualReport

    if org.subtype not in INDUSTRY_SUBTYPES:
        return Check("governance", True, _("The self-governance check applies to industry associations and "
                                           "chambers of commerce only."))
    # The latest submitted report of a year already over on ``on`` (a report for the current
    # year cannot exist yet in real life; with frozen dates in tests and back-dated checks it can).
    report = (AnnualReport.objects.filter(organization=org, year__lt=on.year)
              .exclude(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
              .order_by("-year").only("year", "self_governance_check").first())
    if report is None:
        return Check("governance", False, _("No submitted annual work report with the self-governance check "
                                            "(five selves, four withouts)."))
    missing = [str(label) for key, label in SELF_GOVERNANCE if key not in (report.self_governance_check or [])]
    if missing:
        return Check("governance", False, _("The %(year)s self-governance check is not met: %(items)s.")
                     % {"year": report.year, "items": "、".join(missing)})
    return Check("governance", True, _("The %(year)s self-governance check (five selves, four withouts) is met.")
                 % {"year": report.year})


def qualification_decision(org, region_code: str, on: dt.date | None = None) -> Decision:
    """May ``org`` enter the qualified organizations catalogue of jurisdiction ``region_code``?"""
    on = on or timezone.localdate()
    policy = policy_for(region_code)
    checks = [check_active(org), check_credit(org), check_grade(org, policy.qualify_min_grade, on),
              check_annual_reports(org, policy.qualify_report_years, on)]
    if policy.qualify_sound_governance:
        checks.append(check_governance(org, on))
    return Decision(checks)


def check_qualified(org, project, on: dt.date) -> Check:
    """In a published batch of the qualified organizations catalogue of the project's
    jurisdiction (or of an enclosing one: a provincial catalogue counts in its cities)."""
    from gongxin.procurement.models import QualificationApplication, QualificationStatus
    from gongxin.registry.policy import ancestors

    entry = (QualificationApplication.objects
             .filter(organization=org, status=QualificationStatus.PUBLISHED,
                     region_id__in=ancestors(project.region_id), catalogue__published_on__lte=on)
             .select_related("catalogue").first())
    if entry is None:
        return Check("qualified", False, _("Not in the qualified organizations catalogue of this jurisdiction."))
    return Check("qualified", True, _("In the qualified organizations catalogue (%(batch)s).")
                 % {"batch": entry.catalogue.title})


def bid_decision(org, project, on: dt.date | None = None) -> Decision:
    """May ``org`` apply for, and be awarded, ``project``? Checked at submission and at award."""
    on = on or timezone.localdate()
    checks = [check_active(org), check_credit(org)]
    if project.require_qualified:
        checks.append(check_qualified(org, project, on))
    if project.min_grade:
        checks.append(check_grade(org, project.min_grade, on))
    return Decision(checks)
