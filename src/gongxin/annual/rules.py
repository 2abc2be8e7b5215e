"""When an annual work report is owed, due, late or missing: the one place that knows.

Everything else (the portal's "due" list, the review queue, the import, the nightly facts
run, the dormancy scan, the credit rules of the credit issue) asks these functions, so a
change of rule (a jurisdiction moving its deadline, the exemption boundary) happens here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gongxin.registry.policy import Policy, policy_for


def exempt_for_year(established_on: dt.date, year: int) -> bool:
    """Organizations registered 6 months or less before 31 December of ``year`` are exempt
    from that year's report (domain-rules.md §3). 31 December minus 6 months is 30 June, so
    an organization registered on 30 June or later owes nothing for that year (and one
    registered in a later year obviously owes nothing either); one registered on 29 June owes
    a report."""
    return established_on >= dt.date(year, 6, 30)


def first_year_owed(established_on: dt.date) -> int:
    year = established_on.year
    return year + 1 if exempt_for_year(established_on, year) else year


@dataclass(frozen=True)
class Obligation:
    year: int
    owed: bool
    reason: str  # why not owed: exempt / not yet registered / not active
    sponsor_deadline: dt.date | None
    deadline: dt.date  # the registration authority's deadline: after it, a report is late


def obligation(*, established_on: dt.date, region_code: str, has_sponsor: bool, year: int,
               policy: Policy | None = None) -> Obligation:
    policy = policy or policy_for(region_code)
    owed, reason = True, ""
    if established_on > dt.date(year, 12, 31):
        owed, reason = False, str(_("Not yet registered in that year"))
    elif exempt_for_year(established_on, year):
        owed, reason = False, str(_("Exempt: registered six months or less before 31 December"))
    return Obligation(year=year, owed=owed, reason=reason,
                      sponsor_deadline=policy.sponsor_deadline(year) if has_sponsor else None,
                      deadline=policy.authority_deadline(year))


def obligation_for(org, year: int) -> Obligation:
    return obligation(established_on=org.established_on, region_code=org.registration_authority_id,
                      has_sponsor=org.sponsor_unit_id is not None, year=year)


def is_late(submitted_on: dt.date, ob: Obligation) -> bool:
    return submitted_on > ob.deadline


def latest_closed_year(today: dt.date, policy: Policy) -> int:
    """The latest report year whose deadline has passed on ``today`` (reports for it are now
    either in or missing)."""
    year = today.year - 1
    return year if today > policy.authority_deadline(year) else year - 1
