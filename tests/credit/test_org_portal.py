"""The organization's own credit pages: the notice with its objection period (to the day), the
listing with how to get off it, the removal application (refused with the reason where nothing
needs rectifying, accepted and idempotent where something does), penalties and information."""

from __future__ import annotations

import datetime as dt

import pytest

from gongxin.credit import engine
from gongxin.credit.models import ListEntry, ListingStatus, RecordKind, RemovalApplication, RemovalStatus
from gongxin.credit.rules import ABNORMAL_PERIOD, GROUNDS, add_months
from gongxin.credit.services import listing_confirm, record_create, removal_decide

from .conftest import TODAY

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(time_machine, day: dt.date) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI), tick=False)


def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def notice(actors, fine, time_machine):
    """A warning decided today puts organization A under notice (abnormal list, ground A5)."""
    at(time_machine, TODAY)
    fine(None, kind="warning")
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = ListEntry.objects.get(organization=actors["org_a"], status=ListingStatus.NOTICED)
    assert entry.objection_due > TODAY
    return entry


def list_it(actors, entry) -> ListEntry:
    day = entry.objection_due + dt.timedelta(days=1)
    return listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version, today=day)


def test_notice_shows_facts_reasons_basis_and_deadline(notice, client_for):
    client = en(client_for("org_user_a"))
    overview = client.get("/credit/my/")
    assert overview.status_code == 200
    assert f'data-testid="entry-{notice.pk}"' in overview.content.decode()
    assert "open-notices" in overview.content.decode()
    page = client.get(f"/credit/my/entries/{notice.pk}/").content.decode()
    ground = notice.grounds.get()
    assert ground.facts_display in page and "Administrative penalty decided by" in page  # the facts, in English
    assert GROUNDS["A5"].basis in page
    assert notice.reason_display in page and notice.reason not in page  # the reason, in English
    assert notice.objection_due.isoformat() in page
    assert 'data-testid="objection-form"' in page


def test_objection_on_the_last_day_is_accepted(notice, client_for, time_machine):
    at(time_machine, notice.objection_due)
    client = client_for("org_user_a")
    response = client.post(f"/credit/my/entries/{notice.pk}/", {
        "action": "objection", "objection-objection": "该警告已被复议撤销", "objection-confirm": "on"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.objection == "该警告已被复议撤销" and notice.objection_at is not None
    page = client.get(f"/credit/my/entries/{notice.pk}/").content.decode()
    assert 'data-testid="objection-text"' in page and 'data-testid="objection-form"' not in page


def test_objection_the_day_after_the_deadline_is_refused(notice, client_for, time_machine):
    at(time_machine, notice.objection_due + dt.timedelta(days=1))
    client = en(client_for("org_user_a"))
    page = client.get(f"/credit/my/entries/{notice.pk}/").content.decode()
    assert 'data-testid="objection-form"' not in page and 'data-testid="objection-closed"' in page
    response = client.post(f"/credit/my/entries/{notice.pk}/", {
        "action": "objection", "objection-objection": "迟到的异议", "objection-confirm": "on"}, follow=True)
    assert "The objection period ended on" in response.content.decode()
    notice.refresh_from_db()
    assert notice.objection == ""


def test_objection_needs_text_and_confirmation(notice, client_for):
    client = en(client_for("org_user_a"))
    response = client.post(f"/credit/my/entries/{notice.pk}/", {"action": "objection", "objection-objection": "x"})
    assert response.status_code == 200
    assert 'data-testid="error-confirm"' in response.content.decode()
    notice.refresh_from_db()
    assert notice.objection == ""


def test_another_organizations_entry_is_404(notice, client_for):
    client = client_for("org_user_b")
    assert client.get(f"/credit/my/entries/{notice.pk}/").status_code == 404
    assert client.post(f"/credit/my/entries/{notice.pk}/", {
        "action": "objection", "objection-objection": "x", "objection-confirm": "on"}).status_code == 404
    assert f'data-testid="entry-{notice.pk}"' not in client.get("/credit/my/").content.decode()


def test_warning_only_listing_refuses_removal_and_names_the_automatic_date(notice, actors, client_for,
                                                                            time_machine):
    entry = list_it(actors, notice)
    at(time_machine, entry.listed_on)
    automatic = add_months(entry.clock_from, ABNORMAL_PERIOD)
    client = en(client_for("org_user_a"))
    page = client.get(f"/credit/my/entries/{entry.pk}/").content.decode()
    assert 'data-testid="not-eligible"' in page and 'data-testid="removal-form"' not in page
    assert f"removed automatically on {automatic.isoformat()}" in page
    assert "香洲区民政局" in page  # the listing authority
    response = client.post(f"/credit/my/entries/{entry.pk}/", {"action": "removal", "removal-statement": "已整改"},
                           follow=True)
    assert f"removed automatically on {automatic.isoformat()}" in response.content.decode()
    assert not RemovalApplication.objects.exists()


@pytest.fixture
def rectifiable(actors, time_machine):
    """Organization A listed for having no Party organization (ground A2: needs rectifying)."""
    at(time_machine, TODAY)
    record_create(actor=actors["officer_zhuhai"], organization=actors["org_a"], kind=RecordKind.PARTY_ORG_MISSING,
                  title="未按规定建立党组织", source="党建工作检查", deciding_body="珠海市民政局",
                  occurred_on=dt.date(2026, 10, 1), today=TODAY, evaluate=False)
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    entry = list_it(actors, ListEntry.objects.get(organization=actors["org_a"], status=ListingStatus.NOTICED))
    at(time_machine, entry.listed_on)
    return entry


def test_removal_application_for_a_rectification_ground_is_accepted_once(rectifiable, client_for):
    client = en(client_for("org_user_a"))
    url = f"/credit/my/entries/{rectifiable.pk}/"
    assert 'data-testid="removal-form"' in client.get(url).content.decode()
    data = {"action": "removal", "removal-statement": "已于2026年12月成立党支部,附批复文件"}
    first = client.post(url, data, follow=True)
    assert "Your removal application has been submitted" in first.content.decode()
    second = client.post(url, data, follow=True)  # the double submit
    assert "already awaiting verification" in second.content.decode()
    application = RemovalApplication.objects.get()
    assert application.status == RemovalStatus.PENDING and application.entry_id == rectifiable.pk
    page = client.get(url).content.decode()
    assert 'data-testid="pending"' in page and 'data-testid="applications"' in page


def test_past_applications_show_the_officers_reasons(rectifiable, actors, client_for):
    client = en(client_for("org_user_a"))
    url = f"/credit/my/entries/{rectifiable.pk}/"
    client.post(url, {"action": "removal", "removal-statement": "已整改"})
    application = RemovalApplication.objects.get()
    removal_decide(actor=actors["officer_zhuhai"], application=application, approve=False,
                   reasons="未提供党组织成立批复", today=rectifiable.listed_on)
    page = client.get(url).content.decode()
    assert "未提供党组织成立批复" in page and "Refused" in page
    assert 'data-testid="removal-form"' in page  # may apply again


def test_empty_overview_says_so(actors, client_for):
    page = en(client_for("org_user_b")).get("/credit/my/").content.decode()
    assert 'data-testid="no-entries"' in page and "on neither list" in page


def test_penalties_include_unpublished_ones(actors, fine, client_for):
    public = fine(None, kind="warning")
    hidden = fine("1000", kind="fine", is_public=False)
    page = en(client_for("org_user_a")).get("/credit/my/penalties/").content.decode()
    assert public.decision_number in page and hidden.decision_number in page
    assert "Not public" in page
    assert 'data-testid="no-penalties"' in en(client_for("org_user_b")).get("/credit/my/penalties/").content.decode()


def test_information_tabs_by_category(actors, fine, client_for):
    fine("1000", kind="fine", is_public=False)
    client = en(client_for("org_user_a"))
    page = client.get("/credit/my/information/?category=penalty").content.decode()
    assert 'data-testid="items"' in page and "Not public" in page
    basic = client.get("/credit/my/information/?category=bogus").content.decode()
    assert 'data-testid="categories"' in basic


def test_pages_are_for_organization_users_only(actors, client_for):
    for name in ("officer_zhuhai", "admin", "purchaser"):
        assert client_for(name).get("/credit/my/").status_code == 404
    assert client_for("public").get("/credit/my/").status_code == 302
