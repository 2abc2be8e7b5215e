"""Dormant (僵尸型) organizations (民发〔2021〕63号): each ground with its evidence and its
boundary, the scan's upsert (idempotent, clearing, decided findings left alone), the decision,
and the officer's pages. Reports are written with the ORM directly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from gongxin.annual import dormancy, rules
from gongxin.annual.dormancy import dormancy_decide, dormancy_scan, grounds_for
from gongxin.annual.models import (
    AnnualReport,
    DormancyFinding,
    DormancyGround,
    DormancyOutcome,
    FactKind,
    ReportStatus,
    SupervisionFact,
)
from gongxin.core.exports import EXPORTERS
from gongxin.core.models import AuditEvent, Region
from gongxin.registry.models import JurisdictionPolicy, Organization, OrgStatus, SearchDocument
from gongxin.registry.services import search_document_values

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)  # the 2025 reports' deadline (31 May) has passed: 2024 and 2025 are closed
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def report(org, year, *, submitted=True, activity=6, income="1000.00"):
    return AnnualReport.objects.create(
        organization=org, year=year, status=ReportStatus.AUTHORITY_REVIEW if submitted else ReportStatus.DRAFT,
        submitted_at=dt.datetime(year + 1, 4, 1, 10, tzinfo=SHANGHAI) if submitted else None,
        activity_count=activity, income=None if income is None else Decimal(income))


def reports(org, years, **kw):
    for year in years:
        report(org, year, **kw)


def grounds(org, today=TODAY) -> dict[str, dict]:
    return {g["ground"]: g["evidence"] for g in grounds_for(org, today=today)}


@pytest.fixture
def org(make_org):
    return make_org("珠海市测试僵尸协会", region="440402", established_on=dt.date(2015, 7, 1))


# --- Ground 1: the last two years' reports missed -----------------------------------------------


def test_two_missed_years_are_found_with_the_years_as_evidence(org):
    reports(org, [2021, 2022, 2023])
    assert grounds(org) == {"reports_missed": {"years": [2024, 2025]}}
    with translation.override("en"):
        assert dormancy.evidence_text("reports_missed", {"years": [2024, 2025]}) == "2024 and 2025 reports not submitted"


def test_one_missed_year_is_not_enough(org):
    reports(org, [2021, 2022, 2023, 2024])
    assert "reports_missed" not in grounds(org)
    reports(org, [2025])
    AnnualReport.objects.filter(organization=org, year=2024).delete()
    assert "reports_missed" not in grounds(org)


def test_a_draft_is_not_a_submitted_report_and_an_open_missing_fact_counts(org):
    reports(org, [2024, 2025], submitted=False)
    assert grounds(org)["reports_missed"] == {"years": [2024, 2025]}
    AnnualReport.objects.filter(organization=org).delete()
    reports(org, [2024, 2025])
    SupervisionFact.objects.create(organization=org, kind=FactKind.REPORT_MISSING, key="2024",
                                   occurred_on=dt.date(2025, 6, 1))
    SupervisionFact.objects.create(organization=org, kind=FactKind.REPORT_MISSING, key="2025",
                                   occurred_on=dt.date(2026, 6, 1))
    assert "reports_missed" in grounds(org)
    SupervisionFact.objects.filter(organization=org, key="2024").update(resolved_on=dt.date(2025, 7, 1))
    assert "reports_missed" not in grounds(org)


@pytest.mark.parametrize(("established", "found"), [
    (dt.date(2024, 6, 29), True),  # owed both 2024 and 2025
    (dt.date(2024, 6, 30), False),  # exempt for 2024 (six months or less before 31 December)
    (dt.date(2025, 3, 1), False),  # not registered in 2024
])
def test_an_exempt_year_is_not_counted_as_missed(make_org, established, found):
    assert rules.exempt_for_year(established, 2024) is not found  # the scan's SQL and the rule agree
    org = make_org("珠海市新成立协会", established_on=established)
    assert ("reports_missed" in grounds(org)) is found


def test_the_closed_years_follow_each_jurisdictions_deadline(make_org):
    """On 15 April 2026 Guangzhou (deadline 31 March) has closed 2025; Zhuhai (31 May) has not."""
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440100"), annual_authority_deadline="03-31")
    guangzhou = make_org("广州市测试协会", region="440106")
    zhuhai = make_org("珠海市测试协会", region="440402")
    reports(guangzhou, [2023])
    reports(zhuhai, [2025])
    day = dt.date(2026, 4, 15)
    assert grounds(guangzhou, day)["reports_missed"] == {"years": [2024, 2025]}
    assert grounds(zhuhai, day)["reports_missed"] == {"years": [2023, 2024]}
    reports(guangzhou, [2024])
    assert grounds(guangzhou, day) == {}


# --- Ground 2: no activity within a year of registration --------------------------------------


def test_a_first_year_without_activity_is_found(make_org):
    org = make_org("珠海市首年无活动协会", established_on=dt.date(2023, 3, 1))
    report(org, 2023, activity=0)
    reports(org, [2024, 2025], activity=0)  # never started: income, but no activity since either
    assert grounds(org) == {"no_activity_first_year": {"year": 2023, "established_on": "2023-03-01"}}
    with translation.override("en"):
        assert "2023 report, its first year, shows no activity" in dormancy.evidence_text(
            "no_activity_first_year", grounds(org)["no_activity_first_year"])


def test_an_organization_active_since_its_first_year_is_not_found(make_org):
    """A quiet first owed year (2021) followed by four active years is not "no activity within
    one year of registration": the ground is for organizations that never started."""
    org = make_org("珠海市长期活跃协会", established_on=dt.date(2020, 7, 1))  # first owed: 2021
    report(org, 2021, activity=0)
    for year, count in zip([2022, 2023, 2024, 2025], [13, 15, 18, 16], strict=True):
        report(org, year, activity=count)
    assert grounds(org) == {}
    assert dormancy_scan(today=dt.date(2026, 6, 30)).found == 0  # the scan agrees with grounds_for


def test_only_later_submitted_activity_clears_the_first_year(make_org):
    org = make_org("珠海市从未开展活动协会", established_on=dt.date(2022, 3, 1))  # first owed: 2022
    report(org, 2022, activity=0)
    report(org, 2023, activity=None)  # activity not stated: not evidence of activity
    report(org, 2024, activity=0)
    report(org, 2025, submitted=False, activity=9)  # a draft claims activity: not submitted
    assert grounds(org) == {"no_activity_first_year": {"year": 2022, "established_on": "2022-03-01"}}
    report(org, 2021, activity=5)  # an earlier (voluntary) report does not clear it either
    assert "no_activity_first_year" in grounds(org)
    AnnualReport.objects.filter(organization=org, year=2025).update(
        status=ReportStatus.AUTHORITY_REVIEW, submitted_at=dt.datetime(2026, 4, 1, 10, tzinfo=SHANGHAI))
    assert "no_activity_first_year" not in grounds(org)


def test_first_year_counts_only_the_first_owed_year_and_only_after_a_year(make_org):
    late_starter = make_org("珠海市下半年成立协会", established_on=dt.date(2023, 8, 1))  # first owed: 2024
    report(late_starter, 2023, activity=0)  # voluntary, not owed
    reports(late_starter, [2024, 2025])
    assert grounds(late_starter) == {}
    young = make_org("珠海市新协会", established_on=dt.date(2025, 6, 29))  # owes 2025
    report(young, 2025, activity=0)
    assert "no_activity_first_year" not in grounds(young, dt.date(2026, 6, 29))  # exactly a year: not more
    assert "no_activity_first_year" in grounds(young, dt.date(2026, 6, 30))


# --- Ground 3: the last two reports show no activity and no income ------------------------------


def test_two_latest_reports_without_activity_or_income_are_found(org):
    report(org, 2023)
    report(org, 2024, activity=0, income="0")
    report(org, 2025, activity=0, income="0")
    assert grounds(org) == {"no_activity": {"years": [2024, 2025]}}


def test_the_last_two_submitted_reports_count_even_with_a_gap(org):
    reports(org, [2021, 2022])
    report(org, 2023, activity=0, income="0")
    report(org, 2024, submitted=False, activity=0, income="0")
    report(org, 2025, activity=0, income="0")
    assert grounds(org)["no_activity"] == {"years": [2023, 2025]}


@pytest.mark.parametrize(("latest", "previous"), [
    ({"activity": 3, "income": "0"}, {"activity": 0, "income": "0"}),  # active again last year
    ({"activity": 0, "income": "0"}, {"activity": 0, "income": "500.00"}),  # had income
    ({"activity": 0, "income": "0"}, {"activity": 2, "income": "0"}),
])
def test_one_report_without_activity_is_not_enough(org, latest, previous):
    reports(org, [2021, 2022, 2023])
    report(org, 2024, **previous)
    report(org, 2025, **latest)
    assert "no_activity" not in grounds(org)


# --- Ground 4: unreachable ------------------------------------------------------------------


def test_an_unresolved_unreachable_fact_this_year_is_found(org):
    reports(org, [2024, 2025])
    SupervisionFact.objects.create(organization=org, kind=FactKind.UNREACHABLE, key="insp1",
                                   occurred_on=dt.date(2026, 3, 2),
                                   evidence={"title": "2026年第一批双随机抽查", "findings": "住所无人"})
    assert grounds(org) == {"unreachable": {"occurred_on": "2026-03-02", "title": "2026年第一批双随机抽查",
                                            "findings": "住所无人"}}
    with translation.override("en"):
        assert dormancy.evidence_text("unreachable", grounds(org)["unreachable"]) == (
            "Could not be reached on 2026-03-02, during “2026年第一批双随机抽查”: 住所无人")


@pytest.mark.parametrize(("occurred_on", "resolved_on"), [
    (dt.date(2025, 6, 30), None),  # twelve months ago: outside the last twelve months
    (dt.date(2026, 3, 2), dt.date(2026, 4, 1)),  # reached later
])
def test_old_or_resolved_unreachable_facts_do_not_count(org, occurred_on, resolved_on):
    reports(org, [2024, 2025])
    SupervisionFact.objects.create(organization=org, kind=FactKind.UNREACHABLE, key="insp1",
                                   occurred_on=occurred_on, resolved_on=resolved_on)
    assert grounds(org) == {}


def test_only_active_organizations_are_scanned(make_org):
    gone = make_org("珠海市已注销协会", status=OrgStatus.DEREGISTERED)
    assert grounds(gone) == {}
    assert dormancy_scan(today=TODAY).found == 0


def test_grounds_combine_in_one_finding(org):
    SupervisionFact.objects.create(organization=org, kind=FactKind.UNREACHABLE, key="insp1",
                                   occurred_on=dt.date(2026, 3, 2))
    assert list(grounds(org)) == ["reports_missed", "unreachable"]


# --- The scan -------------------------------------------------------------------------------


def test_scan_records_findings_and_is_idempotent_for_the_day(org, make_org):
    active = make_org("珠海市活跃协会")
    reports(active, [2024, 2025])
    first = dormancy_scan(today=TODAY)
    assert (first.found, first.new, first.cleared) == (1, 1, 0)
    finding = DormancyFinding.objects.get()
    assert finding.organization == org and finding.first_found_on == finding.last_found_on == TODAY
    assert finding.grounds == [{"ground": "reports_missed", "evidence": {"years": [2024, 2025]}}]
    again = dormancy_scan(today=TODAY)
    assert (again.found, again.new, again.cleared) == (1, 0, 0)
    assert list(DormancyFinding.objects.values()) == list(DormancyFinding.objects.filter(pk=finding.pk).values())
    events = AuditEvent.objects.filter(action="dormancy.scan").order_by("id")
    assert events.count() == 2  # one per run, none per row
    assert events.first().after == {"today": "2026-06-30", "region_prefix": "", "found": 1, "new": 1, "cleared": 0}


def test_next_scan_refreshes_open_findings_and_clears_those_no_longer_met(org, make_org):
    other = make_org("珠海市另一协会")
    dormancy_scan(today=TODAY)
    assert DormancyFinding.objects.count() == 2
    SupervisionFact.objects.create(organization=org, kind=FactKind.UNREACHABLE, key="insp1",
                                   occurred_on=dt.date(2026, 7, 1))
    reports(other, [2024, 2025])
    later = dt.date(2026, 7, 2)
    result = dormancy_scan(today=later)
    assert (result.found, result.new, result.cleared) == (1, 0, 1)
    finding = DormancyFinding.objects.get()
    assert finding.organization == org
    assert (finding.first_found_on, finding.last_found_on) == (TODAY, later)
    assert [g["ground"] for g in finding.grounds] == ["reports_missed", "unreachable"]


def test_decided_findings_are_left_alone(org, actors):
    dormancy_scan(today=TODAY)
    finding = DormancyFinding.objects.get(organization=org)
    dormancy_decide(actor=actors["officer_zhuhai"], finding=finding, outcome=DormancyOutcome.RECTIFY, note="限期整改")
    reports(org, [2024, 2025])  # rectified: meets no ground any more
    result = dormancy_scan(today=dt.date(2026, 7, 2))
    assert result.cleared == 0
    finding.refresh_from_db()
    assert finding.outcome == DormancyOutcome.RECTIFY and finding.last_found_on == TODAY


def test_scan_by_region_touches_only_that_region(org, make_org):
    foshan = make_org("佛山市测试僵尸协会", region="440604")
    result = dormancy_scan(today=TODAY, region_prefix="4406")
    assert (result.found, result.new) == (1, 1)
    assert list(DormancyFinding.objects.values_list("organization", flat=True)) == [foshan.pk]
    dormancy_scan(today=TODAY, region_prefix="4404")
    assert DormancyFinding.objects.count() == 2


def test_scan_query_count_does_not_grow_with_organizations(make_org):
    def queries():
        DormancyFinding.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            dormancy_scan(today=TODAY)
        return len(ctx.captured_queries)

    make_org("珠海市一号协会")
    few = queries()
    for i in range(12):
        org = make_org(f"珠海市{i}号测试协会")
        if i % 3:
            report(org, 2024, activity=0, income="0")
            report(org, 2025, activity=0, income="0")
    assert queries() <= few + 2  # + the bulk insert batches, never one query per organization


def test_cli_and_task_run_the_scan(org, capsys):
    call_command("dormancy", "scan", "--today", "2026-06-30")
    assert "found 1 · new 1 · cleared 0" in capsys.readouterr().out
    from gongxin.annual.tasks_dormancy import dormancy_scan_nightly

    assert dormancy_scan_nightly.call(today="2026-06-30")["found"] == 1


# --- Decisions ------------------------------------------------------------------------------


def test_cancellation_changes_the_status_refreshes_search_and_is_audited(org, actors):
    dormancy_scan(today=TODAY)
    finding = DormancyFinding.objects.get(organization=org)
    decided = dormancy_decide(actor=actors["officer_zhuhai"], finding=finding, outcome="cancel", note="两年未年报")
    org.refresh_from_db()
    assert org.status == OrgStatus.REGISTRATION_CANCELLED
    assert decided.outcome == "cancel" and decided.decided_by == actors["officer_zhuhai"]
    doc = SearchDocument.objects.get(organization=org)
    assert doc.tokens == search_document_values(org)["tokens"]
    actions = list(AuditEvent.objects.filter(object_id__in=[str(org.pk), str(finding.pk)])
                   .values_list("action", flat=True))
    assert "organization.status" in actions and "dormancy.decide" in actions
    with pytest.raises(ValidationError):
        dormancy_decide(actor=actors["officer_zhuhai"], finding=finding, outcome="revoke")


def test_rectification_only_records_the_decision(org, actors):
    dormancy_scan(today=TODAY)
    dormancy_decide(actor=actors["admin"], finding=DormancyFinding.objects.get(organization=org),
                    outcome="rectify")
    org.refresh_from_db()
    assert org.status == OrgStatus.ACTIVE


def test_officer_outside_jurisdiction_cannot_decide(org, actors):
    dormancy_scan(today=TODAY)
    with pytest.raises(PermissionDenied):
        dormancy_decide(actor=actors["officer_foshan"], finding=DormancyFinding.objects.get(organization=org),
                        outcome="deregister")
    assert Organization.objects.get(pk=org.pk).status == OrgStatus.ACTIVE


# --- Pages ----------------------------------------------------------------------------------


def test_officer_sees_open_findings_with_evidence_in_words(org, actors, client_for):
    dormancy_scan(today=TODAY)
    with translation.override("zh-hans"):  # the officer's page language
        in_words = dormancy.evidence_text("reports_missed", {"years": [2024, 2025]})
    page = client_for("officer_zhuhai").get("/annual/dormancy/").content.decode()
    assert org.name in page and in_words in page
    assert actors["org_a"].name in page  # the actors' organizations have no reports either
    foshan = client_for("officer_foshan").get("/annual/dormancy/").content.decode()
    assert org.name not in foshan and actors["org_foshan"].name in foshan
    filtered = client_for("officer_zhuhai").get("/annual/dormancy/?ground=unreachable").content.decode()
    assert org.name not in filtered


def test_officer_of_foshan_gets_404_for_a_zhuhai_finding(org, client_for):
    dormancy_scan(today=TODAY)
    pk = DormancyFinding.objects.get(organization=org).pk
    client = client_for("officer_foshan")
    assert client.get(f"/annual/dormancy/{pk}/").status_code == 404
    assert client.post(f"/annual/dormancy/{pk}/", {"outcome": "rectify"}).status_code == 404
    assert client_for("officer_zhuhai").get(f"/annual/dormancy/{pk}/").status_code == 200


def test_status_changing_decision_needs_the_confirmation_box(org, client_for):
    dormancy_scan(today=TODAY)
    pk = DormancyFinding.objects.get(organization=org).pk
    client = client_for("officer_zhuhai")
    response = client.post(f"/annual/dormancy/{pk}/", {"outcome": "revoke", "note": "失联"})
    assert response.status_code == 200 and 'data-testid="confirm-error"' in response.content.decode()
    assert Organization.objects.get(pk=org.pk).status == OrgStatus.ACTIVE
    response = client.post(f"/annual/dormancy/{pk}/", {"outcome": "revoke", "note": "失联", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/annual/dormancy/"
    assert Organization.objects.get(pk=org.pk).status == OrgStatus.CERTIFICATE_REVOKED
    listing = client.get("/annual/dormancy/")
    assert any(org.name in str(m) for m in listing.context["messages"])  # "Decision recorded for ..."
    assert org.pk not in [row["org"].pk for row in listing.context["rows"]]  # decided: off the list


def test_export_is_scoped_to_the_officers_jurisdiction(org, actors, client_for):
    dormancy_scan(today=TODAY)
    response = client_for("officer_zhuhai").post("/annual/dormancy/export/", {"ground": "reports_missed"})
    assert response.status_code == 302 and response["Location"].startswith("/exports/")
    with translation.override("en"):
        data = EXPORTERS["dormancy_findings"](actors["officer_foshan"], {"ground": "reports_missed"})
        rows = list(data.rows)
    assert data.total == len(rows) == 1 and rows[0][0] == actors["org_foshan"].name
    assert "2024 and 2025 reports not submitted" in rows[0][5]


def test_ground_filter_reads_every_position(org):
    SupervisionFact.objects.create(organization=org, kind=FactKind.UNREACHABLE, key="insp1",
                                   occurred_on=dt.date(2026, 3, 2))
    dormancy_scan(today=TODAY)
    assert DormancyFinding.objects.filter(dormancy.ground_q(DormancyGround.UNREACHABLE)).count() == 1
    assert DormancyFinding.objects.filter(dormancy.ground_q(DormancyGround.NO_ACTIVITY)).count() == 0


def test_rectify_outcome_issues_a_rectification_notice_with_the_grounds(org, actors):
    from gongxin.annual.models import RectificationNotice

    dormancy_scan(today=TODAY)
    finding = DormancyFinding.objects.get(organization=org)
    dormancy_decide(actor=actors["officer_zhuhai"], finding=finding, outcome=DormancyOutcome.RECTIFY, note="限期整改")
    notice = RectificationNotice.objects.get(organization=org)
    assert "限期整改" in notice.requirements and notice.due_on > notice.issued_on and notice.working_days == 30


def test_decided_findings_move_to_the_handled_view_and_both_views_search(org, actors, client_for):
    dormancy_scan(today=TODAY)
    dormancy_decide(actor=actors["officer_zhuhai"], finding=DormancyFinding.objects.get(organization=org),
                    outcome=DormancyOutcome.RECTIFY, note="限期整改")
    client = client_for("officer_zhuhai")
    pending = client.get("/annual/dormancy/").content.decode()
    assert org.name not in pending and actors["org_a"].name in pending
    handled = client.get("/annual/dormancy/?view=decided").content.decode()
    assert org.name in handled and 'data-testid="finding-outcome"' in handled
    assert actors["org_a"].name not in handled
    searched = client.get(f"/annual/dormancy/?q={actors['org_a'].uscc[:12]}").content.decode()
    assert actors["org_a"].name in searched and actors["org_b"].name not in searched
