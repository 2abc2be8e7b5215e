"""Making an organization meet the qualified-organizations criteria in tests (and breaking one
criterion at a time). Shared with the project-workflow tests, which import ``make_eligible``.

The default criteria (registry.policy.POLICY_DEFAULTS): a grade of 3A or above in force, the
annual work reports of the last two closed years submitted on time and not failed, and for
industry associations and chambers of commerce the latest report's 五自四无 self-check complete.
"""

from __future__ import annotations

import datetime as dt

from gongxin.annual import rules as annual_rules
from gongxin.annual.content import SELF_GOVERNANCE
from gongxin.annual.models import AnnualReport, Conclusion, ReportStatus
from gongxin.evaluation.models import Evaluation
from gongxin.registry.policy import policy_for

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ALL_SELF_GOVERNANCE = [key for key, _label in SELF_GOVERNANCE]


def grade(org, grade: int = 3, *, decided_on: dt.date, valid_until: dt.date | None = None,
          cancelled_on: dt.date | None = None) -> Evaluation:
    """A concluded evaluation grade, valid five years (less a day) unless told otherwise."""
    if valid_until is None:
        # Five years less a day; 29 February counts from 1 March.
        valid_until = (dt.date(decided_on.year + 5, decided_on.month, 1)
                       + dt.timedelta(days=decided_on.day - 1) - dt.timedelta(days=1))
    return Evaluation.objects.create(organization=org, grade=grade, decided_on=decided_on, valid_until=valid_until,
                                     deciding_body="珠海市社会组织评估委员会", certificate_number=f"PG{org.pk:06d}",
                                     cancelled_on=cancelled_on)


def closed_years(org, on: dt.date, years: int = 2) -> list[int]:
    """The report years the ``annual_reports`` check looks at on ``on`` (owed ones only)."""
    last = annual_rules.latest_closed_year(on, policy_for(org.registration_authority_id))
    return [y for y in range(last, last - years, -1) if annual_rules.obligation_for(org, y).owed]


def report(org, year: int, *, late: bool = False, conclusion: str = Conclusion.PASS,
           status: str = ReportStatus.REVIEWED, self_governance: list[str] | None = None) -> AnnualReport:
    """An annual work report for ``year``: reviewed and passed, submitted on 1 April of the
    next year (on time) unless ``late``; industry associations get a complete 五自四无 check."""
    from gongxin.annual.services import INDUSTRY_SUBTYPES

    if self_governance is None:
        self_governance = ALL_SELF_GOVERNANCE if org.subtype in INDUSTRY_SUBTYPES else []
    submitted = status not in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    submitted_at = (dt.datetime(year + 1, 7, 1, 10, tzinfo=SHANGHAI) if late
                    else dt.datetime(year + 1, 4, 1, 10, tzinfo=SHANGHAI)) if submitted else None
    values = {"status": status, "submitted_at": submitted_at, "late": late and submitted,
              "conclusion": conclusion if status == ReportStatus.REVIEWED else "",
              "self_governance_check": self_governance, "activity_count": 6}
    obj, _created = AnnualReport.objects.update_or_create(organization=org, year=year, defaults=values)
    return obj


def make_eligible(org, on: dt.date, *, grade_value: int = 3) -> None:
    """Everything the default qualification criteria ask of ``org`` on ``on``: a grade decided a
    year earlier and the owed reports of the two closed years (and, so the governance check
    finds them, the self-check on each). Idempotent for the reports."""
    grade(org, grade_value, decided_on=on - dt.timedelta(days=365))
    for year in closed_years(org, on):
        report(org, year)
