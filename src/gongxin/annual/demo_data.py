"""Demo annual work reports for a seeded registry: five years of submissions with realistic
behaviour, so the review worklist, the dormancy scan and the credit rules have real work.

``seed_annual(as_of=..., seed=...)`` runs after ``gongxin seed`` has loaded the organizations.
It streams the organizations in id pages (no cursor is held open while writing), generates
their reports in Python with one ``random.Random`` per run (the same seed and registry give
the same reports) and writes them through ``core.bulk.insert_rows`` with ids assigned here.
Deadlines come only from ``registry.policy`` (``policy_for(region).authority_deadline``) and
exemptions from ``annual.rules``; missing reports become facts through the nightly
``services.facts_record_missing``, exactly as in production.

Behaviour per owed report: ~97% on time, ~2% late (1-120 days after the deadline: a
``report_late`` fact), ~1% never submitted. Not submitting is sticky (an organization that
skipped a year skips the next one with probability 0.7), so some organizations miss two
consecutive years, the dormancy ground. Deregistered and cancelled organizations stop
reporting about two years before ``as_of``.

The latest year is partly still in review (``P_AWAITING``, where the authority gives
conclusions): an organization without a sponsor unit waits for the authority; one with a
sponsor unit waits for its sponsor's pre-review (``sponsor_review``, not yet pre-reviewed), so
both the officers' and the sponsors' worklists have work. The sponsor unit of the demo account
sponsor_zhuhai always has ``DEMO_SPONSOR_WAITING`` of them waiting.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count

from gongxin.annual import rules
from gongxin.annual.content import EIGHT_HAVES, SELF_GOVERNANCE, SIX_GOODS
from gongxin.annual.models import (
    AnnualReport,
    BasicPassReason,
    Conclusion,
    FactKind,
    FailReason,
    ReportSource,
    ReportStatus,
    SupervisionFact,
)
from gongxin.core.bulk import columns_of, insert_rows, next_id, reset_sequence

__all__ = ["DEMO_POLICIES", "demo_org_id", "demo_sponsor_id", "policies_ensure", "seed_annual"]

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Jurisdiction policies of the demo (domain-rules.md §3): Foshan files reports without a
# conclusion (the Guangdong mode); Guangzhou's deadline is 31 March.
DEMO_POLICIES = {
    "440600": {"annual_mode": "filing"},
    "440100": {"annual_authority_deadline": "03-31"},
}

# Submission behaviour per owed report (a Markov chain per organization, so skipping is sticky).
# A missing report stays an A1 ground until it is filed, and a late one counts for six months:
# these shares keep the abnormal list at a few percent of the registry (README, "Demo data").
P_NEVER_FIRST = 0.01  # the first year in the window: the stationary share
P_NEVER_AGAIN = 0.70  # skipped last year (an organization that stopped reporting mostly stays silent)
P_NEVER = 0.003  # submitted last year; stationary share 0.003 / (0.30 + 0.003) ≈ 1%
P_LATE = 0.016  # of submitted reports, on time last year
P_LATE_AGAIN = 0.15  # late last year; overall ≈ 2% of owed reports
LATE_DAYS = 120
# The authority's conclusions in the review mode; the latest year is partly still in review.
P_BASIC_PASS = 0.09
P_FAIL = 0.03
P_AWAITING = 0.30  # without a sponsor unit at the authority, with one at the sponsor (pre-review)
# Organizations of the demo sponsor account's unit whose latest report waits for its pre-review
# whatever the draw says (the first ones by id that owe it), so the account has a worklist.
DEMO_SPONSOR_WAITING = 3
P_IDLE = 0.012  # organizations with no activity and no income in their last reports
P_ZERO_ACTIVITY = 0.03
# Deregistered / cancelled / revoked organizations report until about this many years before as_of.
INACTIVE_STOP_YEARS = 2

INDUSTRY_SUBTYPES = {"industry_association", "chamber_of_commerce", "out_of_town_chamber"}
# Checklist items in the order organizations typically achieve them (the brand comes last).
_EIGHT_ORDER = ["organization", "members", "rules", "activities", "records", "venue", "funding", "brand"]
_SIX_ORDER = ["leadership", "members", "mechanism", "reputation", "performance", "role"]
assert set(_EIGHT_ORDER) == {k for k, _label in EIGHT_HAVES} and set(_SIX_ORDER) == {k for k, _label in SIX_GOODS}
_SELF_GOVERNANCE = [k for k, _label in SELF_GOVERNANCE]
_BASIC_REASONS = list(BasicPassReason.values)
_FAIL_REASONS = list(FailReason.values)

# Short activity narratives by kind of organization: {a} and {b} split the activity count,
# {m} is a head count of people reached.
_ACTIVITY_TEMPLATES = {
    "industry": [
        "组织会员企业开展行业培训{a}场，举办行业交流对接会{b}次，参与制定团体标准1项。",
        "举办行业发展论坛和政策宣讲会{a}场，走访会员企业{b}次，协助会员企业开拓市场。",
        "开展行业自律检查和诚信建设活动{a}次，组织会员参加展会和考察{b}次。",
    ],
    "academic": [
        "举办学术年会1次、专题学术讲座{a}场，开展科普进社区活动{b}次。",
        "组织学术交流和继续教育培训{a}场，编印会刊{b}期，推荐优秀论文参评。",
    ],
    "federation": [
        "组织会员联谊和交流活动{a}次，开展帮扶慰问{b}次，服务会员约{m}人次。",
        "开展专题培训{a}场，举办主题活动{b}次，覆盖会员约{m}人次。",
    ],
    "social_work": [
        "开展社区社会工作服务{a}次，个案和小组服务{b}个，服务居民约{m}人次。",
        "承接社区综合服务项目，开展邻里互助和困难群体帮扶活动{a}次，志愿服务{b}次。",
    ],
    "education": [
        "开设培训班{a}期，举办公开课和家长讲座{b}场，培训学员约{m}人次。",
        "开展课程教学和兴趣培训{a}期，组织学员参加比赛和展演{b}次。",
    ],
    "health": [
        "开展门诊和康复服务，举办义诊及健康讲座{a}场，入户随访{b}次，服务约{m}人次。",
    ],
    "elderly_care": [
        "为辖区长者提供日间照料和助餐服务，开展文娱和健康活动{a}次，上门探访{b}次，服务约{m}人次。",
    ],
    "culture_sports": [
        "举办文体培训和比赛{a}场，组织群众性文化体育活动{b}次，参与群众约{m}人次。",
    ],
    "science_tech": [
        "开展技术咨询和成果推广{a}项，举办科普活动{b}场。",
    ],
    "foundation": [
        "资助公益项目{a}个，开展项目走访和评估{b}次，受益群众约{m}人次。",
        "开展助学、助困和救灾等公益项目{a}个，举办募捐和公益宣传活动{b}次。",
    ],
}
_KIND = {
    "industry_association": "industry", "chamber_of_commerce": "industry", "out_of_town_chamber": "industry",
    "academic": "academic", "professional": "academic", "federation": "federation",
    "public_fundraising": "foundation", "non_public_fundraising": "foundation",
}
_COMPLIANCE = [
    "本年度遵守宪法、法律、法规和国家政策，按照章程开展活动，未发现违法违规行为。",
    "严格遵守法律法规和国家政策，依照章程规定开展业务活动，无违法违规情况。",
    "遵守法律法规，财务收支纳入法定账户管理，未开展章程规定以外的活动。",
]
_IDLE_TEXT = "本年度未开展业务活动。"
_SPONSOR_OPINIONS = ["同意报送。", "经审查，同意上报登记管理机关。", "已审查，情况属实，同意报送。"]
# Plain strings for the bulk writer (not the enum members).
_AWAITING, _AT_SPONSOR = ReportStatus.AUTHORITY_REVIEW.value, ReportStatus.SPONSOR_REVIEW.value
_REVIEWED, _FILED = ReportStatus.REVIEWED.value, ReportStatus.FILED.value
_PASS, _BASIC, _FAIL = Conclusion.PASS.value, Conclusion.BASIC_PASS.value, Conclusion.FAIL.value
_NOTES = {
    _BASIC: "请对照基本合格事由限期整改，并在下一年度报告中说明整改情况。",
    _FAIL: "年度工作报告结论为不合格，责令限期整改。",
}


def policies_ensure() -> int:
    """Create the demo's jurisdiction policies that are absent (never overwrites an officer's)."""
    from gongxin.core.models import Region
    from gongxin.registry.models import JurisdictionPolicy

    created = 0
    for code, values in DEMO_POLICIES.items():
        if Region.objects.filter(code=code).exists() and not JurisdictionPolicy.objects.filter(region_id=code).exists():
            JurisdictionPolicy.objects.create(region_id=code, **values)  # post_save clears the policy cache
            created += 1
    return created


def demo_org_id() -> int | None:
    """The organization of the demo account org_zhuhai: the account's, if it exists, else the one
    ``accounts.services.demo_accounts_ensure`` will choose (the same query)."""
    from gongxin.accounts.models import User
    from gongxin.registry.models import Organization, OrgStatus, OrgSubtype

    org_id = User.objects.filter(username="org_zhuhai").values_list("organization_id", flat=True).first()
    if org_id:
        return org_id
    return (Organization.objects.filter(region_prefix__startswith="4404", subtype=OrgSubtype.INDUSTRY_ASSOCIATION,
                                        status=OrgStatus.ACTIVE).order_by("id").values_list("id", flat=True).first())


def demo_sponsor_id() -> int | None:
    """The sponsor unit of the demo account sponsor_zhuhai: the account's, if it exists, else the
    one ``accounts.services.demo_accounts_ensure`` will choose (the same query)."""
    from gongxin.accounts.models import User
    from gongxin.registry.models import SponsorUnit

    unit_id = User.objects.filter(username="sponsor_zhuhai").values_list("sponsor_unit_id", flat=True).first()
    if unit_id:
        return unit_id
    return SponsorUnit.objects.filter(region__code__startswith="4404").order_by("id").values_list("id", flat=True).first()


def _fen(x: float) -> int:
    return int(round(x * 100))


# Values go to insert_rows already in the text form both engines take (SQLite stores decimals as
# text-converted numbers anyway; PostgreSQL's COPY parses text), which halves the write cost:
# amounts as "123.45" strings and JSON lists encoded once.
def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}" if fen >= 0 else str(Decimal(fen).scaleb(-2))


def _json(items) -> str:
    return json.dumps(list(items), ensure_ascii=False)


_EIGHT_JSON = [_json(_EIGHT_ORDER[:k]) for k in range(len(_EIGHT_ORDER) + 1)]
_SIX_JSON = [_json(_SIX_ORDER[:k]) for k in range(len(_SIX_ORDER) + 1)]
_EMPTY_JSON = "[]"


def _at(day: dt.date, r) -> dt.datetime:
    """An office-hours moment on ``day`` in Asia/Shanghai."""
    return dt.datetime.combine(day, dt.time(8 + int(r() * 11), int(r() * 60), int(r() * 60)), SHANGHAI)


class _Annual:
    """Generates one organization's reports and facts; state is only the run's random stream."""

    def __init__(self, *, as_of: dt.date, seed: int, demo_org: int | None, demo_sponsor: int | None = None) -> None:
        from gongxin.registry.policy import policy_for

        self.as_of = as_of
        self.rng = random.Random(f"gongxin-annual-{seed}")
        self.policy_for = policy_for
        self.policies: dict = {}
        self.last_year = rules.latest_closed_year(as_of, policy_for("100000"))
        self.years = range(self.last_year - 4, self.last_year + 1)
        self.demo_org = demo_org
        self.demo_sponsor = demo_sponsor
        self.demo_sponsor_waiting = 0  # organizations of the demo sponsor held at pre-review so far
        self.report_cols = columns_of(AnnualReport)
        self.fact_cols = columns_of(SupervisionFact)
        self.report_id = next_id(AnnualReport)
        self.fact_id = next_id(SupervisionFact)
        self.counts = Counter()

    def _policy(self, region: str):
        policy = self.policies.get(region)
        if policy is None:
            policy = self.policies[region] = self.policy_for(region)
        return policy

    def _fact(self, out, org_id, kind, year, occurred_on, evidence) -> None:
        row = {"id": self.fact_id, "organization_id": org_id, "kind": kind, "key": str(year),
               "occurred_on": occurred_on, "resolved_on": None, "evidence": json.dumps(evidence),
               "created_at": _at(occurred_on, self.rng.random)}
        out.append([row[c] for c in self.fact_cols])
        self.fact_id += 1

    def organization(self, org: tuple, branch_count: int, reports: list, facts: list) -> None:
        (org_id, established, region, sponsor_id, org_status, org_type, subtype, members, capital) = org
        r = self.rng.random
        as_of = self.as_of
        policy = self._policy(region)
        demo = org_id == self.demo_org
        last = self.last_year
        if org_status != "active":
            last = min(last, as_of.year - INACTIVE_STOP_YEARS - (1 if r() < 0.4 else 0))
        owed = [y for y in self.years
                if y <= last and not rules.exempt_for_year(established, y) and as_of > policy.authority_deadline(y)]
        if not owed:
            return
        # The demo sponsor's first organizations (by id) owing the latest year submit it and wait for it.
        hold_for_sponsor = (sponsor_id is not None and sponsor_id == self.demo_sponsor and not demo
                            and self.last_year in owed and self.demo_sponsor_waiting < DEMO_SPONSOR_WAITING)
        if hold_for_sponsor:
            self.demo_sponsor_waiting += 1

        # The organization's size and habits, fixed across years.
        is_group, is_foundation = org_type == "social_group", org_type == "foundation"
        cap = float(capital or 3) * 10000  # registered capital is in 10,000 yuan
        if is_foundation:
            assets0 = cap * math.exp(self.rng.gauss(0.3, 0.6))
            turnover, liab_max, staff_mu = 0.1 + r() * 0.5, 0.15, 1.3
        elif is_group:
            assets0 = cap * math.exp(self.rng.gauss(0.2, 0.8))
            turnover, liab_max, staff_mu = 0.5 + r() * 1.1, 0.6, 0.9
        else:
            assets0 = cap * math.exp(self.rng.gauss(0.6, 0.9))
            turnover, liab_max, staff_mu = 0.8 + r() * 1.7, 0.7, 2.0
        growth = -0.05 + r() * 0.17
        staff0 = min(50, max(0, int(math.exp(self.rng.gauss(staff_mu, 0.7)))))
        gov_share = {"social_work": 0.3 + r() * 0.5, "elderly_care": 0.1 + r() * 0.4}.get(
            subtype, (r() * 0.15 if r() < 0.25 else 0.0))
        large = staff0 >= 8 or (members or 0) >= 200 or assets0 >= 2_000_000
        party_since = (last - int(r() * 12)) if r() < (0.85 if large else 0.35) else 9999
        eight_k, six_k = 3 + int(r() * 5), int(r() * 6)
        if subtype in INDUSTRY_SUBTYPES:
            sg = list(_SELF_GOVERNANCE)
            if r() >= 0.85:
                for _ in range(1 + int(r() * 2)):
                    sg.pop(int(r() * len(sg)))
        else:
            sg = []
        sg_json = _json(sg)
        idle = not demo and r() < P_IDLE
        activity_mu = self.rng.gauss(2.3, 0.55)  # a median of about 10 activities a year
        kind = _KIND.get(subtype, subtype)
        templates = _ACTIVITY_TEMPLATES.get(kind, _ACTIVITY_TEMPLATES["federation"])
        review_mode = not policy.filing_mode
        never_prev = late_prev = None

        for y in owed:
            # Submitted at all, and when.
            if demo:
                never, late = y == self.last_year, False  # the demo user fills in the latest year
            else:
                p = P_NEVER_FIRST if never_prev is None else (P_NEVER_AGAIN if never_prev else P_NEVER)
                never = r() < p and not (hold_for_sponsor and y == self.last_year)
                late = not never and r() < (P_LATE_AGAIN if late_prev else P_LATE)
            never_prev, late_prev = never, late
            if never:
                self.counts["never"] += 1
                continue
            deadline = policy.authority_deadline(y)
            if late:
                window = min(LATE_DAYS, (as_of - deadline).days)
                submitted_on = deadline + dt.timedelta(days=1 + int(r() * window))
            else:
                start = dt.date(y + 1, 1, 5)
                end = min(policy.sponsor_deadline(y) if sponsor_id else deadline, as_of)
                span = max(0, (end - start).days)
                submitted_on = start + dt.timedelta(days=int(span * r() ** 0.6))
            submitted_at = _at(submitted_on, r)

            # The workflow: sponsor pre-review, then filing or the authority's conclusion. Where
            # the authority gives conclusions, P_AWAITING of the latest year still waits: with a
            # sponsor unit at the sponsor (not pre-reviewed yet), without one at the authority.
            sponsor_at, arrival = None, submitted_on
            status = _AWAITING
            if sponsor_id:
                sponsor_on = submitted_on + dt.timedelta(days=2 + int(r() * 14))
                waiting = y == self.last_year and not demo and (hold_for_sponsor or (review_mode and r() < P_AWAITING))
                if waiting or sponsor_on > as_of:
                    status = _AT_SPONSOR
                else:
                    sponsor_at, arrival = _at(sponsor_on, r), sponsor_on
            conclusion, reasons, note, reviewed_at, published_on = "", [], "", None, None
            if status == _AWAITING:
                if not review_mode:
                    status, published_on = _FILED, arrival
                elif demo or sponsor_id or not (y == self.last_year and r() < P_AWAITING):
                    review_on = max(submitted_on + dt.timedelta(days=10 + int(r() * 51)),
                                    arrival + dt.timedelta(days=3))
                    if review_on > as_of:  # compressed into the time there was
                        gap = (as_of - arrival).days
                        review_on = arrival + dt.timedelta(days=1 + int(r() * gap)) if gap >= 1 else None
                    if review_on is not None:
                        x = 1.0 if demo else r()
                        if x < P_FAIL:
                            conclusion = _FAIL
                            reasons = [_FAIL_REASONS[int(r() * len(_FAIL_REASONS))]]
                            if r() < 0.3:
                                reasons.append(_BASIC_REASONS[int(r() * len(_BASIC_REASONS))])
                        elif x < P_FAIL + P_BASIC_PASS:
                            conclusion = _BASIC
                            reasons = list(dict.fromkeys(_BASIC_REASONS[int(r() * len(_BASIC_REASONS))]
                                                         for _ in range(1 + int(r() * 2))))
                        else:
                            conclusion = _PASS
                        status, published_on, note = _REVIEWED, review_on, _NOTES.get(conclusion, "")
                        reviewed_at = _at(review_on, r)
            self.counts[status] += 1

            # The content.
            k = y - self.years[0]
            assets = _fen(assets0 * (1 + growth) ** k * math.exp(self.rng.gauss(0, 0.1)))
            liabilities = int(assets * r() * liab_max)
            zero_income = idle and y >= self.last_year - 2
            income = 0 if zero_income else _fen(assets / 100 * turnover * (0.8 + r() * 0.4))
            expenses = _fen(assets / 100 * 0.02 * r()) if zero_income else int(income * (0.82 + r() * 0.28))
            if is_foundation:
                donations, grants = int(income * (0.6 + r() * 0.35)), int(expenses * (0.6 + r() * 0.3))
            else:
                donations, grants = (int(income * r() * 0.1) if r() < 0.15 else 0), 0
            gov = int(income * gov_share)
            staff = 0 if zero_income and r() < 0.5 else max(0, min(50, staff0 + int(r() * 3) - 1))
            member_count = max(0, int(members * (1 + growth / 2) ** k)) if is_group and members else None
            if zero_income or r() < P_ZERO_ACTIVITY:
                activity_count, activities = 0, _IDLE_TEXT
            else:
                activity_count = min(40, max(3, int(math.exp(activity_mu + self.rng.gauss(0, 0.3)))))
                a = max(1, activity_count * 2 // 3)
                activities = f"{y}年度，" + templates[int(r() * len(templates))].format(
                    a=a, b=max(1, activity_count - a), m=activity_count * (20 + int(r() * 80)))
            party = y >= party_since
            eight = _EIGHT_JSON[min(8, eight_k + (y - party_since) // 2)] if party else _EMPTY_JSON
            six = _SIX_JSON[min(6, six_k + (y - party_since) // 3)] if party else _EMPTY_JSON
            created_at = submitted_at - dt.timedelta(days=1 + int(r() * 20), hours=int(r() * 5))
            row = {
                "id": self.report_id, "organization_id": org_id, "year": y, "status": status,
                "source": ReportSource.IMPORT.value if r() < 0.03 else ReportSource.ONLINE.value,
                "total_assets": _money(assets), "total_liabilities": _money(liabilities),
                "net_assets": _money(assets - liabilities), "income": _money(income), "expenses": _money(expenses),
                "donations_received": _money(donations), "grants_given": _money(grants),
                "government_funding": _money(gov), "staff_count": staff, "member_count": member_count,
                "branch_count": branch_count, "activity_count": activity_count, "activities": activities,
                "compliance": _COMPLIANCE[int(r() * len(_COMPLIANCE))], "registered_changes": "无",
                "staff_changes": "无" if r() < 0.8 else "秘书处专职工作人员有调整，已按规定备案。",
                "government_services": (f"承接政府购买服务项目{1 + int(r() * 6)}个。" if gov else "无"),
                "commendations": "无", "party_org_established": party, "eight_haves": eight, "six_goods": six,
                "self_governance_check": sg_json, "financial_report": "", "submitted_at": submitted_at, "late": late,
                "sponsor_reviewed_at": sponsor_at, "sponsor_reviewed_by_id": None,
                "sponsor_opinion": _SPONSOR_OPINIONS[int(r() * 3)] if sponsor_at else "",
                "reviewed_at": reviewed_at, "reviewed_by_id": None, "conclusion": conclusion,
                "conclusion_reasons": _json(reasons) if reasons else _EMPTY_JSON, "review_note": note, "published_on": published_on,
                "version": 2 + (sponsor_at is not None) + (reviewed_at is not None), "created_at": created_at,
                "updated_at": reviewed_at or sponsor_at or submitted_at,
            }
            reports.append([row[c] for c in self.report_cols])
            self.report_id += 1
            self.counts["reports"] += 1
            if late:
                self.counts["late"] += 1
                self._fact(facts, org_id, FactKind.REPORT_LATE.value, y, submitted_on,
                           {"year": y, "deadline": deadline.isoformat(), "submitted_on": submitted_on.isoformat()})
            if conclusion == _FAIL:
                self._fact(facts, org_id, FactKind.REPORT_FAILED.value, y, published_on, {"year": y, "reasons": reasons})
            if conclusion:
                self.counts[conclusion] += 1


def seed_annual(*, as_of: dt.date, seed: int, stdout=None, first_id: int = 1, chunk: int = 5000) -> dict[str, int]:
    """Generate the annual reports of the organizations with ``id >= first_id`` (those a seed run
    just created) for the five years up to the latest closed one on ``as_of``, then record the
    missing ones as facts. Returns counts by outcome."""
    from gongxin.annual.services import facts_record_missing
    from gongxin.registry.models import Branch, Organization

    started = time.monotonic()
    policies = policies_ensure()
    gen = _Annual(as_of=as_of, seed=seed, demo_org=demo_org_id(), demo_sponsor=demo_sponsor_id())
    fields = ("id", "established_on", "registration_authority_id", "sponsor_unit_id", "status", "org_type",
              "subtype", "member_count", "registered_capital")
    orgs = Organization.objects.filter(id__gte=first_id).order_by("id")
    total = orgs.count()
    done, last_id = 0, first_id - 1
    while True:
        page = list(orgs.filter(id__gt=last_id).values_list(*fields)[:chunk])
        if not page:
            break
        last_id = page[-1][0]
        branches = dict(Branch.objects.filter(organization_id__gte=page[0][0], organization_id__lte=last_id)
                        .values_list("organization_id").annotate(n=Count("id")).order_by())
        reports, facts = [], []
        for org in page:
            gen.organization(org, branches.get(org[0], 0), reports, facts)
        with transaction.atomic():
            insert_rows(AnnualReport, gen.report_cols, reports)
            insert_rows(SupervisionFact, gen.fact_cols, facts)
        done += len(page)
        if stdout is not None:
            rate = done / max(time.monotonic() - started, 1e-9)
            stdout.write(f"  {done:,} / {total:,} organizations' annual reports ({gen.counts['reports']:,} reports, "
                         f"{rate:,.0f} organizations/s)")
    reset_sequence(AnnualReport)
    reset_sequence(SupervisionFact)
    missing = facts_record_missing(today=as_of, chunk=chunk)
    with connection.cursor() as cursor:
        for table in (AnnualReport._meta.db_table, SupervisionFact._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
    c = gen.counts
    counts = {
        "organizations": done, "reports": c["reports"], "never_submitted": c["never"], "late": c["late"],
        "reviewed": c[_REVIEWED], "filed": c[_FILED], "awaiting_review": c[_AWAITING],
        "awaiting_sponsor": c[_AT_SPONSOR], "pass": c[_PASS], "basic_pass": c[_BASIC], "fail": c[_FAIL],
        "missing_facts": missing, "policies_created": policies,
    }
    if stdout is not None:
        stdout.write(f"Seeded {counts['reports']:,} annual reports ({counts['late']:,} late, "
                     f"{counts['awaiting_review']:,} awaiting review, {missing:,} missing-report facts) "
                     f"for {gen.years[0]}–{gen.years[-1]} in {time.monotonic() - started:,.1f} s.")
    return counts


def seed_supervision_demo(*, as_of: dt.date, seed: int) -> dict:
    """A little of the officers' daily work, made through the real services with the demo
    accounts: a random inspection in Zhuhai drawn and published about three months before
    ``as_of``, with results and rectification notices (one overdue), and registration
    applications on the Zhuhai worklist. Needs the demo accounts; does nothing without them.

    The services stamp "now"; what happened on earlier days is then dated to those days (the
    campaign's draw and publication, the applications' submission at noon in Asia/Shanghai),
    so every date shown agrees with the deadlines counted from it."""
    from gongxin.accounts.models import User
    from gongxin.annual import inspections
    from gongxin.annual.models import InspectionResult, RandomInspection
    from gongxin.core.models import Region
    from gongxin.registry import applications
    from gongxin.registry.models import RegistrationApplication

    def noon(day: dt.date, hour: int = 12) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), SHANGHAI)

    officer = User.objects.filter(username="officer_zhuhai").first()
    founder = User.objects.filter(username="founder").first()
    if officer is None or RandomInspection.objects.exists():
        return {}
    rng = random.Random(seed)
    campaign = inspections.inspection_create(
        actor=officer, jurisdiction="440400", title=f"{as_of.year}年珠海市社会组织“双随机、一公开”抽查（第一批）",
        kind="spot_check", filters={"status": "active"}, sample_size=12, inspectors=[officer])
    campaign = inspections.inspection_draw(actor=officer, inspection=campaign, seed=f"zh-{as_of.year}-{seed}")
    campaign = inspections.inspection_publish(actor=officer, inspection=campaign)
    # Drawn and published 100 days ago: the organizations are inspected after the draw
    # (inspection_record_result refuses an earlier day) and before any notice is issued.
    drawn_on = as_of - dt.timedelta(days=100)
    RandomInspection.objects.filter(pk=campaign.pk).update(
        created_at=noon(drawn_on, 9), drawn_at=noon(drawn_on, 10), published_at=noon(drawn_on, 15))
    items = list(campaign.items.select_related("organization").order_by("id"))
    notices = 0
    for n, item in enumerate(items[:8]):
        result = [InspectionResult.COMPLIANT, InspectionResult.COMPLIANT, InspectionResult.ISSUES,
                  InspectionResult.UNREACHABLE][n % 4]
        findings = {InspectionResult.ISSUES: "未按章程每年召开理事会；财务票据不规范。",
                    InspectionResult.UNREACHABLE: "注册地址已无人办公，电话无法接通。"}.get(result, "")
        item = inspections.inspection_record_result(
            actor=officer, item=item, result=result, findings=findings,
            inspected_on=as_of - dt.timedelta(days=90 - n), expected_version=item.version)
        if result == InspectionResult.ISSUES:
            inspections.rectification_issue(actor=officer, inspection_item=item,
                                            requirements="按章程召开理事会并规范财务票据管理，报送整改报告。",
                                            issued_on=as_of - dt.timedelta(days=rng.choice([20, 70])))
            notices += 1
    apps = 0
    if founder is not None:
        authority = Region.objects.get(code="440402")
        for name, members, industry in (("珠海市智慧养老服务协会", 56, "Q"), ("珠海市无人机应用协会", 34, "I"),
                                        ("珠海市香洲区社区书画协会", 41, "R")):
            app = applications.application_save(
                actor=founder, kind="establishment", authority=authority,
                data={"name": name, "org_type": "social_group", "industry": industry, "legal_representative": "王建国",
                      "address": "珠海市香洲区凤凰路88号", "business_scope": "行业交流、培训、咨询服务",
                      "registered_capital": "3", "member_count": members, "founders": ["王建国", "刘洋"]})
            submitted_on = as_of - dt.timedelta(days=rng.randint(2, 30))
            app = applications.application_submit(actor=founder, application=app, expected_version=app.version,
                                                   today=submitted_on)
            # The decision is due counted from submitted_on: the application says it was submitted then.
            RegistrationApplication.objects.filter(pk=app.pk).update(submitted_at=noon(submitted_on))
            apps += 1
    return {"inspection_items": len(items), "rectification_notices": notices, "applications": apps}
