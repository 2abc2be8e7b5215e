"""Every ground of both lists and every removal path, at the boundaries (the day before and the
day of each period), with the engine run as of a given day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongxin.annual.models import FactKind, SupervisionFact
from gongxin.credit import engine
from gongxin.credit.models import CreditRecord, ListEntry, ListingStatus, RecordKind, RemovalKind
from gongxin.credit.rules import add_months, full_period_passed
from gongxin.credit.services import listing_confirm, record_create

D = dt.date


def fact(org, kind, on, key="k", resolved_on=None):
    return SupervisionFact.objects.create(organization=org, kind=kind, key=key, occurred_on=on, resolved_on=resolved_on)


def record(actors, kind, on, org=None, resolved_on=None):
    rec = record_create(actor=actors["officer_zhuhai"], organization=org or actors["org_a"], kind=kind,
                        title=str(RecordKind(kind).label), source="测试来源", deciding_body="珠海市中级人民法院",
                        occurred_on=on, today=max(on, D(2026, 11, 23)), evaluate=False)
    if resolved_on:
        CreditRecord.objects.filter(pk=rec.pk).update(resolved_on=resolved_on)
    return rec


def grounds_noticed(org, today):
    engine.evaluate(organization=org, today=today)
    return {(e.list, g.ground) for e in ListEntry.objects.filter(organization=org) for g in e.grounds.all()}


def list_now(actors, org, today):
    """Run the engine, then list the notice(s) once their objection period is over."""
    engine.evaluate(organization=org, today=today)
    listed = []
    for entry in ListEntry.objects.filter(organization=org, status=ListingStatus.NOTICED):
        day = entry.objection_due + dt.timedelta(days=1)
        listed.append(listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                                      today=day))
    return listed


class TestPeriods:
    @pytest.mark.parametrize("start, months, expected", [
        (D(2024, 3, 10), 24, D(2026, 3, 10)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2024, 2, 29), 24, D(2026, 2, 28)),
    ])
    def test_add_months_clamps_to_the_month_end(self, start, months, expected):
        assert add_months(start, months) == expected

    def test_two_full_years_pass_on_the_anniversary_not_the_day_before(self):
        assert not full_period_passed(D(2024, 3, 10), 24, D(2026, 3, 9))
        assert full_period_passed(D(2024, 3, 10), 24, D(2026, 3, 10))


TODAY = D(2026, 11, 23)


# ground -> how to create its evidence for organization A as of TODAY
def _evidence(code, actors, fine):
    org = actors["org_a"]
    return {
        "A1": lambda: fact(org, FactKind.REPORT_MISSING, D(2026, 6, 1), key="2025"),
        "A2": lambda: record(actors, RecordKind.PARTY_ORG_MISSING, D(2026, 10, 1)),
        "A3": lambda: fact(org, FactKind.RECTIFICATION_OVERDUE, D(2026, 10, 9)),
        "A4": lambda: record(actors, RecordKind.FUNDRAISING_LAPSED, D(2026, 10, 1)),
        "A5": lambda: fine("49999.99", decided_on=D(2026, 11, 2)),
        "A6": lambda: fact(org, FactKind.UNREACHABLE, D(2026, 11, 1)),
        "A7": lambda: record(actors, RecordKind.DISCLOSURE_FAILURE, D(2026, 9, 30)),
        "D2": lambda: record(actors, RecordKind.FRAUDULENT_CHANGE, D(2026, 5, 1)),
        "D3": lambda: fine(None, kind="suspension", decided_on=D(2026, 11, 1), suspension_from=D(2026, 11, 1),
                           suspension_until=D(2027, 2, 1)),
        "D4": lambda: fine("50000", decided_on=D(2026, 11, 2)),
        "D5": lambda: (fine(None, kind="warning", decided_on=D(2024, 1, 5)),
                       fine(None, kind="warning", decided_on=D(2026, 11, 2))),
        "D6": lambda: record(actors, RecordKind.COURT_DEFAULTER, D(2026, 8, 1)),
        "D7": lambda: fine(None, kind="certificate_revoked", decided_on=D(2026, 11, 2)),
        "D8": lambda: record(actors, RecordKind.OTHER_DISHONEST, D(2026, 8, 1)),
    }[code]


@pytest.mark.parametrize("code", ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "D2", "D3", "D4", "D5", "D6", "D7", "D8"])
def test_each_ground_serves_a_notice_on_its_list(actors, fine, code):
    _evidence(code, actors, fine)()
    found = grounds_noticed(actors["org_a"], TODAY)
    expected_list = "abnormal" if code[0] == "A" else "dishonest"
    assert (expected_list, code) in found
    entry = ListEntry.objects.get(organization=actors["org_a"], list=expected_list)
    assert entry.status == ListingStatus.NOTICED  # never listed without a notice first
    assert entry.objection_due > TODAY and entry.reason and "民政部令第60号" in entry.legal_basis


def test_d1_after_two_full_years_on_the_abnormal_list(actors, fine):
    org = actors["org_a"]
    fact(org, FactKind.REPORT_MISSING, D(2024, 6, 1), key="2023")
    [abnormal] = list_now(actors, org, D(2024, 6, 3))
    start = abnormal.clock_from
    assert ("dishonest", "D1") not in grounds_noticed(org, add_months(start, 24) - dt.timedelta(days=1))
    assert ("dishonest", "D1") in grounds_noticed(org, add_months(start, 24))
    dishonest = ListEntry.objects.get(organization=org, list="dishonest")
    listing_confirm(actor=actors["officer_zhuhai"], entry=dishonest, expected_version=dishonest.version,
                    today=dishonest.objection_due + dt.timedelta(days=1))
    abnormal.refresh_from_db()
    assert abnormal.status == ListingStatus.REMOVED and abnormal.removal_kind == RemovalKind.TRANSFERRED
    assert abnormal.transferred_to_id == dishonest.pk
    org.refresh_from_db()
    assert org.credit_status == "dishonest"


class TestBoundaries:
    def test_fine_of_exactly_50000_is_a_dishonesty_ground_and_49999_99_abnormal(self, actors, fine):
        fine("50000.00", decided_on=D(2026, 11, 2))
        fine("49999.99", decided_on=D(2026, 11, 3), org=actors["org_b"])
        assert grounds_noticed(actors["org_a"], TODAY) == {("dishonest", "D4")}
        assert grounds_noticed(actors["org_b"], TODAY) == {("abnormal", "A5")}

    def test_a_warning_older_than_six_months_is_not_listed_any_more(self, actors, fine):
        # Decided 23 May: on 23 November its six months have run out; on 22 November they have not.
        fine(None, kind="warning", decided_on=D(2026, 5, 23))
        assert grounds_noticed(actors["org_a"], D(2026, 11, 23)) == set()
        assert grounds_noticed(actors["org_a"], D(2026, 11, 22)) == {("abnormal", "A5")}

    @pytest.mark.parametrize("second, repeated", [(D(2026, 5, 9), True), (D(2026, 5, 10), False)])
    def test_two_minor_penalties_within_three_years(self, actors, fine, second, repeated):
        fine(None, kind="warning", decided_on=D(2023, 5, 10))
        fine("1000", decided_on=second)
        found = grounds_noticed(actors["org_a"], D(2026, 5, 20))
        assert (("dishonest", "D5") in found) is repeated
        assert ("abnormal", "A5") in found

    def test_a_rectified_ground_is_not_proposed(self, actors):
        fact(actors["org_a"], FactKind.RECTIFICATION_OVERDUE, D(2026, 9, 1), resolved_on=D(2026, 10, 1))
        fact(actors["org_a"], FactKind.UNREACHABLE, D(2025, 1, 1), key="u", resolved_on=D(2025, 3, 1))
        assert grounds_noticed(actors["org_a"], TODAY) == set()

    def test_a_deregistered_organization_is_not_noticed(self, actors):
        org = actors["org_a"]
        fact(org, FactKind.REPORT_MISSING, D(2026, 6, 1), key="2025")
        type(org).objects.filter(pk=org.pk).update(status="deregistered")
        assert grounds_noticed(org, TODAY) == set()


class TestAbnormalRemoval:
    def test_automatic_removal_six_months_after_listing_where_nothing_needs_rectifying(self, actors, fine):
        fine(None, kind="warning", decided_on=D(2026, 11, 2))
        [entry] = list_now(actors, actors["org_a"], TODAY)
        six_months = add_months(entry.clock_from, 6)
        engine.evaluate(organization=actors["org_a"], today=six_months - dt.timedelta(days=1))
        entry.refresh_from_db()
        assert entry.status == ListingStatus.LISTED
        engine.evaluate(organization=actors["org_a"], today=six_months)
        entry.refresh_from_db()
        assert entry.status == ListingStatus.REMOVED and entry.removal_kind == RemovalKind.AUTOMATIC
        assert entry.removed_on == six_months and entry.removal_reason
        actors["org_a"].refresh_from_db()
        assert actors["org_a"].credit_status == ""

    def test_a_ground_needing_rectification_is_never_removed_automatically(self, actors):
        fact(actors["org_a"], FactKind.REPORT_MISSING, D(2026, 6, 1), key="2025")
        [entry] = list_now(actors, actors["org_a"], TODAY)
        engine.evaluate(organization=actors["org_a"], today=add_months(entry.clock_from, 7))
        entry.refresh_from_db()
        assert entry.status == ListingStatus.LISTED

    def test_a_new_ground_while_listed_restarts_the_clock(self, actors, fine):
        fine(None, kind="warning", decided_on=D(2026, 11, 2))
        [entry] = list_now(actors, actors["org_a"], TODAY)
        later = add_months(entry.clock_from, 3)
        fine("2000", decided_on=later)
        engine.evaluate(organization=actors["org_a"], today=later)
        entry.refresh_from_db()
        assert entry.clock_from == later and entry.grounds.count() == 2
        engine.evaluate(organization=actors["org_a"], today=add_months(entry.listed_on, 6))
        entry.refresh_from_db()
        assert entry.status == ListingStatus.LISTED  # the first six months no longer count
        engine.evaluate(organization=actors["org_a"], today=add_months(later, 6))
        entry.refresh_from_db()
        assert entry.status == ListingStatus.REMOVED


class TestDishonestRemoval:
    def test_revocation_listing_ends_with_deregistration(self, actors, fine):
        org = actors["org_a"]
        fine(None, kind="certificate_revoked", decided_on=D(2026, 11, 2))
        [entry] = list_now(actors, org, TODAY)
        org.refresh_from_db()
        assert org.status == "certificate_revoked" and org.credit_status == "dishonest"
        engine.evaluate(organization=org, today=D(2027, 1, 5))
        entry.refresh_from_db()
        assert entry.status == ListingStatus.LISTED
        type(org).objects.filter(pk=org.pk).update(status="deregistered")
        engine.evaluate(organization=org, today=D(2027, 1, 6))
        entry.refresh_from_db()
        assert entry.status == ListingStatus.REMOVED and entry.removal_kind == RemovalKind.DEREGISTERED


def test_penalties_leave_bad_records_that_flag_new_applications(actors, fine):
    from gongxin.credit.models import PersonBadRecord
    from gongxin.registry.applications import application_checks
    from gongxin.registry.models import RegistrationApplication

    fine("60000")
    assert PersonBadRecord.objects.filter(name="张伟", organization=actors["org_a"]).exists()
    app = RegistrationApplication(kind="establishment", applicant=actors["founder"], registration_authority_id="440400",
                                  data={"name": "珠海市新申请协会", "legal_representative": "李四", "founders": ["张伟"]})
    check = next(c for c in application_checks(app) if c.name == "bad_record")
    assert check.level == "warning" and "张伟" in check.message and actors["org_a"] in check.matches
    app.data["founders"] = ["王五"]
    check = next(c for c in application_checks(app) if c.name == "bad_record")
    assert check.level == "ok"


def test_amounts_are_kept_exactly(actors, fine):
    penalty = fine("49999.99")
    penalty.refresh_from_db()
    assert penalty.amount == Decimal("49999.99")
