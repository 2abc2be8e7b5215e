"""Per-jurisdiction policy, resolved from the most specific region up to the national default.

A district's empty field inherits its city's, then its province's, then ``POLICY_DEFAULTS``
(the national rules of domain-rules.md §3 and seed 004). One query per call (the region's
ancestors are known from its code), cached per process for a minute since officers change
these rarely and every worklist row asks.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from gongxin.registry.models import AnnualMode, JurisdictionPolicy

POLICY_DEFAULTS = {
    "registration_time_limit": 15,  # working days (seed 004: 筹备成立一并办理, 15 个工作日)
    "min_members": 50,  # 社会团体登记管理条例: 50 individual members
    "min_members_priority": 30,  # seed 004: 30 for priority industries
    "priority_industries": ["A", "M", "I"],  # agriculture, science and technology, IT (seed 004's examples)
    "annual_mode": AnnualMode.REVIEW,
    "annual_sponsor_deadline": "03-31",
    "annual_authority_deadline": "05-31",
    "rectification_time_limit": 30,
    "credit_objection_days": 10,  # domain-rules §2 (draft): 10 working days to object before listing
    "credit_auto_list": False,  # an officer confirms each listing unless the jurisdiction says otherwise
    "procurement_publicity_days": 15,  # seed 002: publicized at least 15 days before procurement
    "qualify_min_grade": 3,  # seed 004 / domain-rules §4: 3A and above take transferred functions
    "qualify_report_years": 2,  # annual reports on time for the last two years
    "qualify_sound_governance": True,
}


@dataclass(frozen=True)
class Policy:
    registration_time_limit: int
    min_members: int
    min_members_priority: int
    priority_industries: list[str] = field(default_factory=list)
    annual_mode: str = AnnualMode.REVIEW
    annual_sponsor_deadline: str = "03-31"
    annual_authority_deadline: str = "05-31"
    rectification_time_limit: int = 30
    credit_objection_days: int = 10
    credit_auto_list: bool = False
    procurement_publicity_days: int = 15
    qualify_min_grade: int = 3
    qualify_report_years: int = 2
    qualify_sound_governance: bool = True
    # Which region set each value (for the settings page: "inherited from 广东省").
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def filing_mode(self) -> bool:
        return self.annual_mode == AnnualMode.FILING

    def authority_deadline(self, year: int) -> dt.date:
        """The last day to report year ``year``'s annual work report to the authority."""
        month, day = map(int, self.annual_authority_deadline.split("-"))
        return dt.date(year + 1, month, day)

    def sponsor_deadline(self, year: int) -> dt.date:
        month, day = map(int, self.annual_sponsor_deadline.split("-"))
        return dt.date(year + 1, month, day)

    def min_members_for(self, industry: str) -> int:
        return self.min_members_priority if industry and industry in self.priority_industries else self.min_members


def ancestors(code: str) -> list[str]:
    """The region and its enclosing regions, most specific first, ending with 100000."""
    chain = [code]
    if code[4:] != "00":
        chain.append(code[:4] + "00")
    if code[2:] != "0000":
        chain.append(code[:2] + "0000")
    if code != "100000":
        chain.append("100000")
    return list(dict.fromkeys(chain))


_cache: dict[str, tuple[float, Policy]] = {}
CACHE_SECONDS = 60


_names: list = []  # [(expires, {region code: name})]


def policy_cache_clear() -> None:
    _cache.clear()
    _names.clear()


def authority_name_overrides() -> dict[str, str]:
    """Region code -> the registration authority's own name, where a policy sets one (one query,
    cached for a minute like the policies)."""
    if _names and _names[0][0] > time.monotonic():
        return _names[0][1]
    names = dict(JurisdictionPolicy.objects.exclude(authority_name="").values_list("region_id", "authority_name"))
    _names[:] = [(time.monotonic() + CACHE_SECONDS, names)]
    return names


def policy_for(region_code: str) -> Policy:
    hit = _cache.get(region_code)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    chain = ancestors(region_code)
    rows = {p.region_id: p for p in JurisdictionPolicy.objects.filter(region_id__in=chain)}
    values, sources = {}, {}
    for name, default in POLICY_DEFAULTS.items():
        for code in chain:
            row = rows.get(code)
            value = getattr(row, name) if row is not None else None
            if value not in (None, ""):
                values[name], sources[name] = value, code
                break
        else:
            values[name], sources[name] = default, ""
    policy = Policy(**values, sources=sources)
    _cache[region_code] = (time.monotonic() + CACHE_SECONDS, policy)
    return policy
