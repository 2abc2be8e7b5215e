"""The demo annual reports of ``gongxin seed``: the right years only, consistent figures and
workflow states, realistic shares of late and missing reports, and determinism."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from gongxin.annual import rules
from gongxin.annual.content import EIGHT_HAVES, SELF_GOVERNANCE, SIX_GOODS
from gongxin.annual.demo_data import DEMO_SPONSOR_WAITING, demo_org_id, demo_sponsor_id, seed_annual
from gongxin.annual.models import AnnualReport, Conclusion, FactKind, ReportStatus, SupervisionFact
from gongxin.core import regions
from gongxin.core.audit import audit_verify
from gongxin.core.models import Region
from gongxin.registry.models import JurisdictionPolicy, Organization
from gongxin.registry.policy import policy_for

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)
YEARS = range(2021, 2026)
INDUSTRY = {"industry_association", "chamber_of_commerce", "out_of_town_chamber"}
REPORT_FIELDS = ("organization_id", "year", "status", "total_assets", "net_assets", "income", "activity_count",
                 "submitted_at", "late", "conclusion", "conclusion_reasons", "published_on", "eight_haves")


@pytest.fixture
def seeded():
    regions.load_into(Region)  # a transactional test elsewhere may have flushed the region table
    call_command("seed", orgs=300, seed=2026, batch=100, no_accounts=True, no_annual=True, stdout=StringIO())
    return seed_annual(as_of=AS_OF, seed=2026, chunk=120)


def _orgs():
    return {o.id: o for o in Organization.objects.all()}


def _owed(org, year) -> bool:
    return not rules.exempt_for_year(org.established_on, year) and AS_OF > policy_for(
        org.registration_authority_id).authority_deadline(year)


def test_reports_only_for_owed_years_and_every_gap_is_a_fact(seeded):
    orgs = _orgs()
    reports = defaultdict(set)
    for org_id, year in AnnualReport.objects.values_list("organization_id", "year"):
        reports[org_id].add(year)
    missing = set(SupervisionFact.objects.filter(kind=FactKind.REPORT_MISSING).values_list("organization_id", "key"))
    assert reports and missing
    for org_id, org in orgs.items():
        for year in reports[org_id]:
            assert year in YEARS and _owed(org, year), (org_id, year, org.established_on)
            if org.status != "active":
                assert year <= AS_OF.year - 2
        if org.status == "active":
            gaps = {(org_id, str(y)) for y in YEARS if _owed(org, y) and y not in reports[org_id]}
            assert gaps == {m for m in missing if m[0] == org_id}
    assert not {m for m in missing if orgs[m[0]].status != "active"}
    assert seeded["missing_facts"] == len(missing)


def test_figures_are_consistent_and_plausible(seeded):
    orgs = _orgs()
    eight, six, sg = ({k for k, _ in items} for items in (EIGHT_HAVES, SIX_GOODS, SELF_GOVERNANCE))
    zero = 0
    rows = list(AnnualReport.objects.all())
    for r in rows:
        org = orgs[r.organization_id]
        assert r.net_assets == r.total_assets - r.total_liabilities and r.total_liabilities >= 0
        assert r.income >= 0 and r.expenses >= 0 and 0 <= r.staff_count <= 50
        assert 0 <= r.activity_count <= 40 and r.activities and r.compliance
        zero += r.activity_count == 0
        assert (r.member_count is not None) == (org.org_type == "social_group" and bool(org.member_count))
        assert set(r.eight_haves) <= eight and set(r.six_goods) <= six and set(r.self_governance_check) <= sg
        assert bool(r.self_governance_check) == (org.subtype in INDUSTRY)
        if not r.party_org_established:
            assert r.eight_haves == [] and r.six_goods == []
    assert 0.01 < zero / len(rows) < 0.08
    # A few organizations were idle (no activity, no income) two years running.
    idle = defaultdict(set)
    for r in rows:
        if r.activity_count == 0 and r.income == 0:
            idle[r.organization_id].add(r.year)
    assert any(y - 1 in ys for ys in idle.values() for y in ys)


def test_submission_behaviour_and_conclusions_in_the_expected_shares(seeded):
    reports = seeded["reports"]
    owed = reports + seeded["never_submitted"]
    # Few late and fewer missing: each is an A1 ground, and a real registry lists a few percent.
    assert 0.93 < (reports - seeded["late"]) / owed < 0.99
    assert 0.008 < seeded["late"] / owed < 0.04
    assert 0.003 < seeded["never_submitted"] / owed < 0.03
    reviewed = seeded["reviewed"]
    assert 0.80 < seeded["pass"] / reviewed < 0.95
    assert 0.04 < seeded["basic_pass"] / reviewed < 0.15
    assert 0.005 < seeded["fail"] / reviewed < 0.07
    # Where the authority gives conclusions, about the same share of the latest year still waits:
    # at the authority without a sponsor unit, at the sponsor's pre-review with one.
    orgs = _orgs()
    waiting = defaultdict(Counter)
    for org_id, status in AnnualReport.objects.filter(year=2025).values_list("organization_id", "status"):
        org = orgs[org_id]
        if not policy_for(org.registration_authority_id).filing_mode:
            waiting[bool(org.sponsor_unit_id)][status] += 1
    unsponsored, sponsored = waiting[False], waiting[True]
    assert 0.18 < unsponsored[ReportStatus.AUTHORITY_REVIEW] / unsponsored.total() < 0.42
    assert 0.18 < sponsored[ReportStatus.SPONSOR_REVIEW] / sponsored.total() < 0.42
    assert sponsored[ReportStatus.AUTHORITY_REVIEW] / sponsored.total() < 0.05  # they wait at the sponsor
    assert not AnnualReport.objects.filter(year__lt=2025, status=ReportStatus.AUTHORITY_REVIEW).exists()


def test_skipping_is_sticky_so_some_miss_two_consecutive_years():
    # About 1% of owed reports are missing, so 300 organizations are too few to show it.
    regions.load_into(Region)
    call_command("seed", orgs=1500, seed=2026, batch=500, no_accounts=True, no_annual=True, stdout=StringIO())
    seed_annual(as_of=AS_OF, seed=2026, chunk=500)
    missed = defaultdict(set)
    for org_id, key in SupervisionFact.objects.filter(kind=FactKind.REPORT_MISSING).values_list("organization_id", "key"):
        missed[org_id].add(int(key))
    twice = [o for o, ys in missed.items() if any(y + 1 in ys for y in ys)]
    assert len(twice) >= 2
    assert any({2024, 2025} <= ys for ys in missed.values())  # the dormancy ground "missed the last two years"


def test_workflow_states_respect_the_rules(seeded):
    orgs = _orgs()
    late_facts = set(SupervisionFact.objects.filter(kind=FactKind.REPORT_LATE).values_list("organization_id", "key"))
    failed_facts = set(SupervisionFact.objects.filter(kind=FactKind.REPORT_FAILED)
                       .values_list("organization_id", "key"))
    statuses = Counter()
    for r in AnnualReport.objects.all():
        org = orgs[r.organization_id]
        policy = policy_for(org.registration_authority_id)
        statuses[r.status] += 1
        assert (r.status == ReportStatus.REVIEWED) == bool(r.conclusion)  # the DB check constraint, again
        assert r.submitted_at is not None and r.submitted_at.date() <= AS_OF
        deadline = policy.authority_deadline(r.year)
        assert r.late == (r.submitted_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() > deadline)
        assert r.late == ((r.organization_id, str(r.year)) in late_facts)
        assert (r.conclusion == Conclusion.FAIL) == ((r.organization_id, str(r.year)) in failed_facts)
        if policy.filing_mode:
            assert r.status in (ReportStatus.FILED, ReportStatus.SPONSOR_REVIEW)
        else:
            assert r.status != ReportStatus.FILED
        if org.sponsor_unit_id:
            assert (r.sponsor_reviewed_at is None) == (r.status == ReportStatus.SPONSOR_REVIEW)
            if r.status == ReportStatus.SPONSOR_REVIEW:
                assert not r.sponsor_opinion and r.reviewed_at is None and r.conclusion == ""
        else:
            assert r.sponsor_reviewed_at is None and r.status != ReportStatus.SPONSOR_REVIEW
        assert (r.published_on is None) == (r.status in (ReportStatus.AUTHORITY_REVIEW, ReportStatus.SPONSOR_REVIEW))
        if r.published_on:
            assert r.submitted_at.date() <= r.published_on <= AS_OF
        if r.conclusion == Conclusion.BASIC_PASS:
            assert 1 <= len(r.conclusion_reasons) <= 2
        if r.conclusion == Conclusion.FAIL:
            assert r.conclusion_reasons
    assert statuses[ReportStatus.FILED] and statuses[ReportStatus.REVIEWED]
    # The demo's jurisdiction policies: Foshan files, Guangzhou's deadline is 31 March.
    assert policy_for("440604").filing_mode and policy_for("440106").authority_deadline(2025) == dt.date(2026, 3, 31)
    assert seeded["policies_created"] == 2 and JurisdictionPolicy.objects.count() == 2


def test_same_seed_gives_the_same_reports(seeded):
    first = list(AnnualReport.objects.order_by("organization_id", "year").values_list(*REPORT_FIELDS))
    AnnualReport.objects.all().delete()
    SupervisionFact.objects.all().delete()
    again = seed_annual(as_of=AS_OF, seed=2026, chunk=1000)
    assert {**again, "policies_created": 2} == seeded  # the policies exist the second time
    assert list(AnnualReport.objects.order_by("organization_id", "year").values_list(*REPORT_FIELDS)) == first


def test_the_demo_organization_has_its_latest_report_to_fill_in(seeded):
    org_id = demo_org_id()
    assert org_id is not None
    reports = list(AnnualReport.objects.filter(organization_id=org_id).order_by("year"))
    assert 2025 not in {r.year for r in reports}
    assert SupervisionFact.objects.filter(organization_id=org_id, kind=FactKind.REPORT_MISSING, key="2025").exists()
    assert reports and all(r.status == ReportStatus.REVIEWED and r.conclusion == Conclusion.PASS and not r.late
                           for r in reports)


def test_the_demo_sponsor_has_reports_waiting_for_its_pre_review(seeded):
    """The demo account sponsor_zhuhai's unit (the first sponsor unit under 4404): its first
    organizations owing the latest report have it waiting at the pre-review, whatever the draw."""
    unit = demo_sponsor_id()
    owing = [o for o in Organization.objects.filter(sponsor_unit_id=unit).order_by("id")
             if o.status == "active" and _owed(o, 2025) and o.id != demo_org_id()]
    assert owing
    held = owing[:DEMO_SPONSOR_WAITING]
    reports = {r.organization_id: r for r in AnnualReport.objects.filter(organization__in=held, year=2025)}
    assert set(reports) == {o.id for o in held}
    assert all(r.status == ReportStatus.SPONSOR_REVIEW and r.sponsor_reviewed_at is None and r.conclusion == ""
               for r in reports.values())


def test_seed_with_accounts_gives_every_demo_account_work_with_consistent_dates():
    """``gongxin seed --orgs 3000 --seed 2026`` (the README's demo): the sponsor's pre-review
    worklist is not empty, the applications were submitted on the day their deadline counts
    from, and the inspection was drawn before its organizations were inspected."""
    from django.utils import timezone

    from gongxin.accounts.models import User
    from gongxin.annual.models import RandomInspection, RectificationNotice
    from gongxin.annual.selectors import review_queue
    from gongxin.core.workdays import add_workdays
    from gongxin.registry.models import RegistrationApplication

    regions.load_into(Region)
    call_command("seed", orgs=3000, seed=2026, batch=1000, stdout=StringIO())
    sponsor = User.objects.get(username="sponsor_zhuhai")
    assert sponsor.sponsor_unit_id == demo_sponsor_id()
    queue = review_queue(actor=sponsor)
    assert queue.filter(year=2025, organization__sponsor_unit_id=sponsor.sponsor_unit_id,
                        sponsor_reviewed_at__isnull=True).values("organization").distinct().count() >= 3
    today = timezone.localdate()
    apps = list(RegistrationApplication.objects.filter(status="submitted"))
    assert len(apps) == 3
    for app in apps:
        submitted = timezone.localtime(app.submitted_at)
        assert submitted.time() == dt.time(12) and submitted.date() < today
        limit = policy_for(app.registration_authority_id).registration_time_limit
        assert app.due_on == add_workdays(submitted.date(), limit).date
    campaign = RandomInspection.objects.get()
    drawn_on = timezone.localdate(campaign.drawn_at)
    assert timezone.localdate(campaign.created_at) <= drawn_on <= timezone.localdate(campaign.published_at)
    inspected = [i for i in campaign.items.all() if i.inspected_on]
    assert inspected and all(drawn_on <= i.inspected_on <= today for i in inspected)
    for notice in RectificationNotice.objects.select_related("inspection_item"):
        assert notice.inspection_item.inspected_on <= notice.issued_on <= today
    assert audit_verify().ok


def test_seed_command_writes_reports_unless_told_not_to():
    regions.load_into(Region)
    call_command("seed", orgs=40, seed=3, batch=25, no_accounts=True, no_annual=True, stdout=StringIO())
    assert not AnnualReport.objects.exists()
    last_id = Organization.objects.order_by("-id").values_list("id", flat=True).first()
    out = StringIO()
    call_command("seed", orgs=40, seed=4, batch=25, no_accounts=True, stdout=out)
    # Only the organizations this run created get reports.
    assert not AnnualReport.objects.filter(organization_id__lte=last_id).exists()
    assert AnnualReport.objects.filter(organization_id__gt=last_id).exists()
    assert "annual reports" in out.getvalue()
    assert audit_verify().ok
