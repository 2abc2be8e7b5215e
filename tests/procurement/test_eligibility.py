"""The qualification checks of procurement.eligibility, each at its boundary (DESIGN.md
convention 4: a rule returns its decision and its reasons in words)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from gongxin.annual.content import SELF_GOVERNANCE
from gongxin.annual.models import Conclusion, ReportStatus
from gongxin.credit.models import ListEntry
from gongxin.procurement.eligibility import qualification_decision
from gongxin.registry.models import JurisdictionPolicy
from tests.procurement.eligibility_helpers import ALL_SELF_GOVERNANCE, grade, make_eligible, report

pytestmark = pytest.mark.django_db

# The 2025 reports' deadline (31 May 2026) has passed: 2024 and 2025 are the two closed years.
TODAY = dt.date(2026, 6, 30)
ZHUHAI = "440400"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def checks(org, on=TODAY, region=ZHUHAI) -> dict:
    return {c.code: c for c in qualification_decision(org, region, on).checks}


@pytest.fixture
def association(actors):
    """Organization A, an industry association registered in 2015, meeting every criterion."""
    make_eligible(actors["org_a"], TODAY)
    return actors["org_a"]


def test_an_organization_made_eligible_passes_every_check(association):
    decision = qualification_decision(association, ZHUHAI, TODAY)
    assert decision.eligible, decision.as_json()
    assert [c.code for c in decision.checks] == ["active", "credit", "grade", "annual_reports", "governance"]
    assert decision.reasons == []


# --- grade -----------------------------------------------------------------------------------


def test_grade_2a_is_below_the_required_3a(actors):
    org = actors["org_b"]
    make_eligible(org, TODAY, grade_value=2)
    check = checks(org)["grade"]
    assert not check.passed
    assert "2A" in check.reason and "below the required 3A" in check.reason


def test_grade_3a_is_enough(actors):
    org = actors["org_b"]
    make_eligible(org, TODAY, grade_value=3)
    check = checks(org)["grade"]
    assert check.passed and "3A" in check.reason


def test_an_expired_grade_does_not_count(actors):
    org = actors["org_b"]
    make_eligible(org, TODAY)
    org.evaluations.all().delete()
    grade(org, 5, decided_on=dt.date(2021, 6, 30), valid_until=TODAY - dt.timedelta(days=1))
    check = checks(org)["grade"]
    assert not check.passed and "No evaluation grade in force" in check.reason


def test_a_grade_valid_until_today_still_counts(actors):
    org = actors["org_b"]
    make_eligible(org, TODAY)
    org.evaluations.all().delete()
    grade(org, 4, decided_on=dt.date(2021, 7, 1), valid_until=TODAY)
    check = checks(org)["grade"]
    assert check.passed and TODAY.isoformat() in check.reason
    assert not checks(org, on=TODAY + dt.timedelta(days=1))["grade"].passed


def test_a_cancelled_grade_does_not_count(actors):
    org = actors["org_b"]
    make_eligible(org, TODAY)
    org.evaluations.update(cancelled_on=TODAY - dt.timedelta(days=3))
    assert not checks(org)["grade"].passed


# --- annual reports --------------------------------------------------------------------------


def test_an_organization_registered_on_1_july_owes_no_report_for_that_year(make_org, actors):
    org = make_org("珠海市新成立社工服务中心", region="440402", org_type="social_service_agency",
                   established_on=dt.date(2024, 7, 1))
    grade(org, 3, decided_on=dt.date(2025, 12, 1))
    report(org, 2025)  # only 2025: nothing is owed for 2024
    check = checks(org)["annual_reports"]
    assert check.passed, check.reason
    assert "2025" in check.reason and "2024" not in check.reason


def test_an_organization_registered_on_29_june_owes_that_years_report(make_org, actors):
    org = make_org("珠海市六月成立社工服务中心", region="440402", org_type="social_service_agency",
                   established_on=dt.date(2024, 6, 29))
    grade(org, 3, decided_on=dt.date(2025, 12, 1))
    report(org, 2025)
    check = checks(org)["annual_reports"]
    assert not check.passed and "the 2024 report was not submitted" in check.reason


def test_a_late_report_fails_the_check_and_names_the_year(association):
    report(association, 2024, late=True)
    check = checks(association)["annual_reports"]
    assert not check.passed
    assert "the 2024 report was submitted late" in check.reason and "2025" not in check.reason.split(":")[1]


def test_a_failed_report_fails_the_check(association):
    report(association, 2025, conclusion=Conclusion.FAIL)
    check = checks(association)["annual_reports"]
    assert not check.passed and "the 2025 report was found failed" in check.reason


def test_a_basic_pass_and_a_report_awaiting_review_are_fine(association):
    report(association, 2025, conclusion=Conclusion.BASIC_PASS)
    report(association, 2024, status=ReportStatus.AUTHORITY_REVIEW)
    assert checks(association)["annual_reports"].passed


def test_a_draft_report_counts_as_not_submitted(association):
    report(association, 2025, status=ReportStatus.DRAFT)
    check = checks(association)["annual_reports"]
    assert not check.passed and "the 2025 report was not submitted" in check.reason


def test_before_the_deadline_the_previous_year_is_not_yet_asked(actors):
    """On 31 May 2026 (the 2025 deadline itself) the closed years are still 2023 and 2024."""
    org = actors["org_b"]
    on = dt.date(2026, 5, 31)
    grade(org, 3, decided_on=dt.date(2025, 1, 1))
    report(org, 2023)
    report(org, 2024)
    check = checks(org, on=on)["annual_reports"]
    assert check.passed and "2023" in check.reason and "2024" in check.reason


# --- credit lists ----------------------------------------------------------------------------


def test_an_organization_on_the_abnormal_list_is_refused_and_the_reason_names_the_list(association):
    ListEntry.objects.create(
        organization=association, list="abnormal", status="listed", authority_id="440402",
        region_prefix=association.region_prefix, noticed_on=dt.date(2026, 3, 2), objection_due=dt.date(2026, 3, 16),
        listed_on=dt.date(2026, 3, 20), clock_from=dt.date(2026, 3, 20), reason="未按规定报送年度工作报告")
    decision = qualification_decision(association, ZHUHAI, TODAY)
    check = {c.code: c for c in decision.checks}["credit"]
    assert not decision.eligible and not check.passed
    assert "Abnormal activity list" in check.reason and "2026-03-20" in check.reason


def test_a_removed_listing_no_longer_counts(association):
    ListEntry.objects.create(
        organization=association, list="abnormal", status="removed", authority_id="440402",
        region_prefix=association.region_prefix, noticed_on=dt.date(2025, 1, 2), objection_due=dt.date(2025, 1, 16),
        listed_on=dt.date(2025, 1, 20), clock_from=dt.date(2025, 1, 20), removed_on=dt.date(2025, 7, 20),
        removal_kind="automatic")
    assert checks(association)["credit"].passed


def test_a_cancelled_registration_fails_the_active_check(association):
    association.status = "registration_cancelled"
    association.save(update_fields=["status"])
    check = checks(association)["active"]
    assert not check.passed and "not in force" in check.reason


# --- governance ------------------------------------------------------------------------------


def test_a_self_governance_check_missing_one_item_names_it(association):
    report(association, 2025, self_governance=[k for k in ALL_SELF_GOVERNANCE if k != "self_funded"])
    check = checks(association)["governance"]
    label = str(dict(SELF_GOVERNANCE)["self_funded"])
    assert not check.passed
    assert label in check.reason and "2025" in check.reason
    assert str(dict(SELF_GOVERNANCE)["self_initiated"]) not in check.reason


def test_governance_reads_the_latest_submitted_report(association):
    report(association, 2024, self_governance=[])
    assert checks(association)["governance"].passed  # 2025 is complete


def test_organizations_other_than_industry_associations_skip_governance(actors):
    org = actors["org_b"]  # an academic society
    make_eligible(org, TODAY)
    report(org, 2025, self_governance=[])
    check = checks(org)["governance"]
    assert check.passed and "industry associations" in check.reason
    assert qualification_decision(org, ZHUHAI, TODAY).eligible


# --- the jurisdiction's policy ---------------------------------------------------------------


def test_a_jurisdiction_may_ask_for_4a(association):
    JurisdictionPolicy.objects.create(region_id=ZHUHAI, qualify_min_grade=4)
    check = checks(association)["grade"]
    assert not check.passed and "4A" in check.reason
    # Foshan keeps the national 3A.
    assert checks(association, region="440600")["grade"].passed


def test_a_jurisdiction_may_drop_the_governance_criterion_and_ask_for_one_year(association):
    JurisdictionPolicy.objects.create(region_id=ZHUHAI, qualify_sound_governance=False, qualify_report_years=1)
    report(association, 2024, late=True)
    decision = qualification_decision(association, ZHUHAI, TODAY)
    assert "governance" not in {c.code for c in decision.checks}
    assert decision.eligible, decision.as_json()
