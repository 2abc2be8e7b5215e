"""The listing procedure around the rules: idempotent runs, notice before listing, objections,
automatic listing where the jurisdiction says so, withdrawal, removal applications, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongxin.annual.models import FactKind, SupervisionFact
from gongxin.core.audit import audit_verify
from gongxin.core.models import AuditEvent
from gongxin.credit import engine
from gongxin.credit.models import ListEntry, ListingStatus, RemovalKind, RemovalStatus
from gongxin.credit.rules import add_months
from gongxin.credit.services import (
    listing_confirm,
    listing_withdraw,
    objection_submit,
    removal_apply,
    removal_decide,
)
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import JurisdictionPolicy
from gongxin.registry.services import StaleEdit

from .conftest import TODAY


def test_rerunning_the_engine_changes_nothing(actors, fine):
    fine("60000")
    SupervisionFact.objects.create(organization=actors["org_b"], kind=FactKind.REPORT_MISSING, key="2025",
                                   occurred_on=dt.date(2026, 6, 1))
    first = engine.evaluate(today=TODAY)
    assert first.counts["noticed"] == 2
    events = AuditEvent.objects.count()
    rows = list(ListEntry.objects.values())
    second = engine.evaluate(today=TODAY)
    assert {k: v for k, v in second.counts.items() if k != "seconds"} == dict.fromkeys(
        ["noticed", "grounds_added", "rectified", "listed", "removed", "withdrawn"], 0)
    assert AuditEvent.objects.count() == events and list(ListEntry.objects.values()) == rows
    assert audit_verify().ok  # the batch-appended events chain like single ones


def test_the_notice_precedes_the_listing_and_the_objection_period_is_respected(actors, fine):
    fine("60000")
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = ListEntry.objects.get()
    assert entry.status == ListingStatus.NOTICED and entry.listed_on is None
    actors["org_a"].refresh_from_db()
    assert actors["org_a"].credit_status == ""  # a notice is not a listing
    # 10 working days from Monday 23 November 2026: 7 December.
    assert entry.objection_due == dt.date(2026, 12, 7)
    with pytest.raises(NotAllowed):
        listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                        today=entry.objection_due)
    listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                    today=dt.date(2026, 12, 8))
    entry.refresh_from_db()
    actors["org_a"].refresh_from_db()
    assert entry.status == ListingStatus.LISTED and entry.listed_on == dt.date(2026, 12, 8)
    assert actors["org_a"].credit_status == "dishonest"


def test_the_officer_of_another_city_can_neither_penalize_nor_list(actors, fine):
    from gongxin.credit.services import penalty_decide

    with pytest.raises(NotAllowed):
        penalty_decide(actor=actors["officer_foshan"], organization=actors["org_a"], kind="warning",
                       decision_number="佛民罚字〔2026〕1号", facts="f", legal_basis="b", decided_on=TODAY, today=TODAY)
    fine("60000")
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = ListEntry.objects.get()
    with pytest.raises(NotAllowed):
        listing_confirm(actor=actors["officer_foshan"], entry=entry, expected_version=entry.version,
                        today=dt.date(2026, 12, 8))


def test_automatic_listing_where_the_jurisdiction_says_so_but_not_over_an_open_objection(actors, fine):
    JurisdictionPolicy.objects.create(region_id="440400", credit_auto_list=True)
    fine("60000")
    fine("70000", org=actors["org_b"])
    engine.evaluate(today=TODAY)
    a = ListEntry.objects.get(organization=actors["org_a"])
    objection_submit(actor=actors["org_user_a"], entry=a, text="罚款已缴纳,事实有误", today=a.objection_due)
    engine.evaluate(today=a.objection_due)
    assert set(ListEntry.objects.values_list("status", flat=True)) == {"noticed"}
    engine.evaluate(today=a.objection_due + dt.timedelta(days=1))
    a.refresh_from_db()
    b = ListEntry.objects.get(organization=actors["org_b"])
    assert b.status == ListingStatus.LISTED and b.listed_by is None
    assert a.status == ListingStatus.NOTICED  # waits for the officer's answer
    with pytest.raises(ValidationError):
        listing_confirm(actor=actors["officer_zhuhai"], entry=a, expected_version=a.version,
                        today=a.objection_due + dt.timedelta(days=1))
    listing_confirm(actor=actors["officer_zhuhai"], entry=a, expected_version=a.version, answer="经核实,事实清楚",
                    today=a.objection_due + dt.timedelta(days=1))


def test_objections_close_with_the_period_and_come_only_from_the_organization(actors, fine):
    fine("60000")
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = ListEntry.objects.get()
    with pytest.raises(NotAllowed):
        objection_submit(actor=actors["org_user_b"], entry=entry, text="x", today=TODAY)
    with pytest.raises(NotAllowed):
        objection_submit(actor=actors["org_user_a"], entry=entry, text="x", today=entry.objection_due + dt.timedelta(1))


def test_a_withdrawn_notice_is_not_proposed_again(actors, fine):
    fine("60000")
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = ListEntry.objects.get()
    with pytest.raises(StaleEdit):
        listing_withdraw(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version - 1, reason="x")
    listing_withdraw(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                     reason="异议成立:处罚决定已被行政复议撤销")
    engine.evaluate(organization=actors["org_a"], today=TODAY + dt.timedelta(days=1))
    assert ListEntry.objects.count() == 1 and ListEntry.objects.get().status == ListingStatus.WITHDRAWN


class TestRemovalApplications:
    def _listed(self, actors, kind="report"):
        org = actors["org_a"]
        if kind == "report":
            SupervisionFact.objects.create(organization=org, kind=FactKind.REPORT_MISSING, key="2025",
                                           occurred_on=dt.date(2026, 6, 1))
        engine.evaluate(organization=org, today=TODAY)
        entry = ListEntry.objects.get(organization=org)
        return listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                               today=dt.date(2026, 12, 8))

    def test_apply_verify_within_five_working_days_and_remove(self, actors):
        entry = self._listed(actors)
        app = removal_apply(actor=actors["org_user_a"], entry=entry, statement="已补报2025年度工作报告",
                            today=dt.date(2026, 12, 10))
        again = removal_apply(actor=actors["org_user_a"], entry=entry, statement="重复提交", today=dt.date(2026, 12, 10))
        assert again.pk == app.pk  # a double submission is the same application
        assert app.due_on == dt.date(2026, 12, 17) and app.status == RemovalStatus.PENDING
        with pytest.raises(ValidationError):  # the report is still missing in the platform's data
            removal_decide(actor=actors["officer_zhuhai"], application=app, approve=True, today=dt.date(2026, 12, 11))
        with pytest.raises(NotAllowed):
            removal_decide(actor=actors["officer_foshan"], application=app, approve=True, rectified_confirmed=True)
        removal_decide(actor=actors["officer_zhuhai"], application=app, approve=True, rectified_confirmed=True,
                       today=dt.date(2026, 12, 11))
        entry.refresh_from_db()
        assert entry.status == ListingStatus.REMOVED and entry.removal_kind == RemovalKind.APPLICATION
        assert entry.removed_on == dt.date(2026, 12, 11)
        actors["org_a"].refresh_from_db()
        assert actors["org_a"].credit_status == ""
        # The same evidence does not list the organization again.
        engine.evaluate(organization=actors["org_a"], today=dt.date(2026, 12, 12))
        assert ListEntry.objects.filter(status__in=["noticed", "listed"]).count() == 0

    def test_nothing_to_rectify_means_no_application_only_the_automatic_date(self, actors, fine):
        fine(None, kind="warning", decided_on=TODAY)
        entry = self._listed(actors, kind="penalty")
        with pytest.raises(NotAllowed) as exc:
            removal_apply(actor=actors["org_user_a"], entry=entry, statement="x", today=dt.date(2026, 12, 10))
        assert str(add_months(entry.clock_from, 6)) in str(exc.value)

    @pytest.mark.parametrize("offset, allowed", [(-1, False), (0, True)])
    def test_dishonest_removal_after_two_full_years(self, actors, fine, offset, allowed):
        fine("60000")
        entry = self._listed(actors, kind="penalty")
        day = add_months(entry.clock_from, 24) + dt.timedelta(days=offset)
        if allowed:
            app = removal_apply(actor=actors["org_user_a"], entry=entry, statement="两年内无新的失信行为", today=day)
            removal_decide(actor=actors["officer_zhuhai"], application=app, approve=True, today=day)
            entry.refresh_from_db()
            assert entry.status == ListingStatus.REMOVED
        else:
            with pytest.raises(NotAllowed):
                removal_apply(actor=actors["org_user_a"], entry=entry, statement="x", today=day)

    def test_refusal_needs_reasons(self, actors):
        entry = self._listed(actors)
        app = removal_apply(actor=actors["org_user_a"], entry=entry, statement="已整改", today=dt.date(2026, 12, 10))
        with pytest.raises(ValidationError):
            removal_decide(actor=actors["officer_zhuhai"], application=app, approve=False, reasons=" ")
        removal_decide(actor=actors["officer_zhuhai"], application=app, approve=False, reasons="年报仍未报送")
        app.refresh_from_db()
        entry.refresh_from_db()
        assert app.status == RemovalStatus.REJECTED and entry.status == ListingStatus.LISTED


def test_a_notice_rectified_during_its_period_is_withdrawn_not_listed(actors):
    fact = SupervisionFact.objects.create(organization=actors["org_a"], kind=FactKind.REPORT_MISSING, key="2025",
                                          occurred_on=dt.date(2026, 6, 1))
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = ListEntry.objects.get()
    entry.grounds.update(cured_on=dt.date(2026, 11, 30))  # as the platform records it, before the engine runs
    with pytest.raises(NotAllowed):
        listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                        today=dt.date(2026, 12, 8))
    entry.grounds.update(cured_on=None)
    SupervisionFact.objects.filter(pk=fact.pk).update(resolved_on=dt.date(2026, 11, 30))  # the report came in
    engine.evaluate(organization=actors["org_a"], today=dt.date(2026, 11, 30))
    entry.refresh_from_db()
    assert entry.status == ListingStatus.WITHDRAWN and entry.removal_reason
    assert entry.grounds.get().cured_on == dt.date(2026, 11, 30)
