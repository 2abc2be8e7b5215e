"""The credit state follows the facts: a late filing of an overdue report rectifies its A1
ground as soon as it is committed (no hand-run of the rules), and it is the same ground (no
second A1, no restarted clock); a removal application approved while another ground still
holds removes the rectified grounds only, and the officer sees what remains first."""

from __future__ import annotations

import datetime as dt

import pytest

from gongxin.annual import services as annual
from gongxin.annual.models import FactKind, SupervisionFact
from gongxin.credit import engine
from gongxin.credit.models import ListEntry, ListingGround, ListingStatus, RemovalStatus
from gongxin.credit.rules import add_months
from gongxin.credit.services import listing_confirm, removal_apply, removal_decide
from tests.annual.conftest import COMPLETE

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(time_machine, day: dt.date):
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI), tick=False)


def missing_2025(actors):
    """What the nightly run records on 1 June for a 2025 report not in (annual.facts_record_missing)."""
    SupervisionFact.objects.create(organization=actors["org_a"], kind=FactKind.REPORT_MISSING, key="2025",
                                   occurred_on=dt.date(2026, 6, 1), evidence={"year": 2025})


def listed_for_missing_report(actors, time_machine):
    """Organization A missed its 2025 report: the nightly facts and rules notice it on 1 June,
    the officer lists it after the objection period."""
    org = actors["org_a"]
    at(time_machine, dt.date(2026, 6, 1))
    missing_2025(actors)
    engine.evaluate(today=dt.date(2026, 6, 1))
    entry = ListEntry.objects.get(organization=org)
    at(time_machine, dt.date(2026, 6, 22))
    return listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                           today=dt.date(2026, 6, 22))


def submit_late(actors, time_machine, day=dt.date(2026, 7, 6)):
    at(time_machine, day)
    report = annual.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                                      data=dict(COMPLETE))
    return annual.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)


def test_a_late_report_rectifies_its_ground_on_commit_and_stays_the_same_ground(
        actors, time_machine, django_capture_on_commit_callbacks):
    entry = listed_for_missing_report(actors, time_machine)
    [ground] = entry.grounds.all()
    assert ground.needs_rectification and ground.cured_on is None
    with django_capture_on_commit_callbacks(execute=True):
        report = submit_late(actors, time_machine)
    assert report.late
    ground.refresh_from_db()
    assert ground.cured_on == dt.date(2026, 7, 6)  # no one ran the rules by hand
    # Running them later (the night, or an officer's button) finds the late filing of the same
    # report: nothing new, the clock keeps running from the listing.
    engine.evaluate(today=dt.date(2026, 7, 7))
    engine.evaluate(today=dt.date(2026, 7, 8))
    entry.refresh_from_db()
    assert list(entry.grounds.values_list("ground", flat=True)) == ["A1"]
    assert entry.clock_from == dt.date(2026, 6, 22) and entry.status == ListingStatus.LISTED
    assert ListEntry.objects.filter(organization=actors["org_a"]).count() == 1


def test_a_report_filed_late_during_the_notice_withdraws_it_on_commit(
        actors, time_machine, django_capture_on_commit_callbacks):
    at(time_machine, dt.date(2026, 6, 1))
    missing_2025(actors)
    engine.evaluate(today=dt.date(2026, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        submit_late(actors, time_machine, dt.date(2026, 6, 5))
    entry = ListEntry.objects.get(organization=actors["org_a"])
    assert entry.status == ListingStatus.WITHDRAWN


def test_a_report_filed_late_with_no_ground_recorded_yet_lists_once(actors, time_machine):
    """Missing and filed late before the rules ran: one A1 ground, the late filing (six months)."""
    at(time_machine, dt.date(2026, 6, 1))
    missing_2025(actors)
    submit_late(actors, time_machine, dt.date(2026, 6, 3))
    engine.evaluate(today=dt.date(2026, 6, 3))
    [ground] = ListingGround.objects.all()
    assert (ground.ground, ground.evidence_key, ground.needs_rectification) == ("A1", "report:2025", False)


def test_removal_on_application_removes_only_the_rectified_grounds(actors, time_machine, client_for):
    from gongxin.credit.services import penalty_decide

    entry = listed_for_missing_report(actors, time_machine)
    at(time_machine, dt.date(2026, 7, 1))
    penalty_decide(actor=actors["officer_zhuhai"], organization=actors["org_a"], kind="warning",
                   decision_number="珠民罚字〔2026〕31号", facts="未按规定办理变更登记",
                   legal_basis="《社会团体登记管理条例》第三十条", decided_on=dt.date(2026, 7, 1), evaluate=False)
    engine.evaluate(today=dt.date(2026, 7, 1))  # A5 joins the listed entry: the clock restarts
    entry.refresh_from_db()
    assert sorted(entry.grounds.values_list("ground", flat=True)) == ["A1", "A5"]
    assert entry.clock_from == dt.date(2026, 7, 1)
    submit_late(actors, time_machine, dt.date(2026, 7, 6))
    engine.evaluate(today=dt.date(2026, 7, 6))
    application = removal_apply(actor=actors["org_user_a"], entry=entry, statement="已补报2025年度工作报告",
                                today=dt.date(2026, 7, 7))
    # The officer's decision page says what stays: A5 until six months from 1 July.
    at(time_machine, dt.date(2026, 7, 8))
    client = client_for("officer_zhuhai")
    client.cookies["django_language"] = "en"
    page = client.get(f"/credit/manage/entries/{entry.pk}/").content.decode()
    remaining = page[page.index('data-testid="removal-remaining"'):]
    remaining = remaining[:remaining.index("</div>")]
    assert "(A1)" in remaining and "A5" in remaining and "2027-01-01" in remaining
    removal_decide(actor=actors["officer_zhuhai"], application=application, approve=True,
                   today=dt.date(2026, 7, 8))
    entry.refresh_from_db()
    application.refresh_from_db()
    assert entry.status == ListingStatus.LISTED and application.status == RemovalStatus.PARTIAL
    assert {g.ground: g.removed_on for g in entry.grounds.all()} == {"A1": dt.date(2026, 7, 8), "A5": None}
    actors["org_a"].refresh_from_db()
    assert actors["org_a"].credit_status == "abnormal"
    # Then the engine removes it when the warning's six months are over, not before.
    end = add_months(entry.clock_from, 6)
    engine.evaluate(today=end - dt.timedelta(days=1))
    entry.refresh_from_db()
    assert entry.status == ListingStatus.LISTED
    engine.evaluate(today=end)
    entry.refresh_from_db()
    assert entry.status == ListingStatus.REMOVED


def test_the_migration_merges_a_late_filing_recorded_as_a_second_ground(actors):
    """What the engine wrote before: one ground per fact, the late one restarting the clock."""
    import importlib

    from django.apps import apps

    org = actors["org_a"]
    missing = SupervisionFact.objects.create(organization=org, kind=FactKind.REPORT_MISSING, key="2025",
                                             occurred_on=dt.date(2026, 6, 1), resolved_on=dt.date(2026, 7, 6))
    late = SupervisionFact.objects.create(organization=org, kind=FactKind.REPORT_LATE, key="2025",
                                          occurred_on=dt.date(2026, 7, 6))
    entry = ListEntry.objects.create(organization=org, list="abnormal", status="listed", authority_id="440402",
                                     region_prefix=org.region_prefix, noticed_on=dt.date(2026, 6, 1),
                                     objection_due=dt.date(2026, 6, 15), listed_on=dt.date(2026, 6, 22),
                                     clock_from=dt.date(2026, 7, 7))
    for fact, added in ((missing, dt.date(2026, 6, 1)), (late, dt.date(2026, 7, 7))):
        ListingGround.objects.create(entry=entry, organization=org, list="abnormal", ground="A1",
                                     evidence_key=f"fact:{fact.pk}", facts="…", applies_from=fact.occurred_on,
                                     needs_rectification=fact.kind == FactKind.REPORT_MISSING, added_on=added)
    migration = importlib.import_module("gongxin.credit.migrations.0003_a1_report_evidence")
    migration.forwards(apps, None)
    entry.refresh_from_db()
    assert list(entry.grounds.values_list("evidence_key", flat=True)) == ["report:2025"]
    assert entry.clock_from == dt.date(2026, 6, 22)
    engine.evaluate(today=dt.date(2026, 7, 8))
    assert entry.grounds.count() == 1


def test_a_ground_found_during_the_objection_period_serves_the_notice_again(actors, time_machine):
    from gongxin.credit.services import penalty_decide

    at(time_machine, dt.date(2026, 6, 1))
    missing_2025(actors)
    engine.evaluate(today=dt.date(2026, 6, 1))
    at(time_machine, dt.date(2026, 6, 8))
    penalty_decide(actor=actors["officer_zhuhai"], organization=actors["org_a"], kind="warning",
                   decision_number="珠民罚字〔2026〕32号", facts="未按规定办理变更登记",
                   legal_basis="《社会团体登记管理条例》第三十条", decided_on=dt.date(2026, 6, 8), evaluate=False)
    engine.evaluate(today=dt.date(2026, 6, 8))
    entry = ListEntry.objects.get(organization=actors["org_a"])
    assert entry.status == ListingStatus.NOTICED and entry.noticed_on == dt.date(2026, 6, 8)
    assert entry.objection_due > dt.date(2026, 6, 19)  # a full period from the new notice
    assert all(g.applies_from <= entry.noticed_on for g in entry.grounds.all())


def test_the_founder_check_dates_a_bad_record_by_the_penalty_it_records(actors, time_machine):
    from gongxin.credit.services import penalty_decide
    from gongxin.registry.applications import _bad_record_check

    at(time_machine, dt.date(2026, 12, 7))
    penalty_decide(actor=actors["officer_zhuhai"], organization=actors["org_a"], kind="warning",
                   decision_number="珠民罚字〔2026〕8号", facts="未按规定办理负责人变更登记",
                   legal_basis="《社会团体登记管理条例》第三十条", decided_on=dt.date(2026, 12, 4), evaluate=False)
    check = _bad_record_check({"legal_representative": actors["org_a"].legal_representative})
    assert "(2026-12-04)" in check.message and "2026-12-07" not in check.message
