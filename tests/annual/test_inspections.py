"""Random inspections (双随机一公开): the reproducible draw, publication, results, rectification
notices in working days, the nightly overdue rule and the pages around them."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from unittest import mock

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.annual import inspections as svc
from gongxin.annual.models import (
    FactKind,
    InspectionItem,
    InspectionResult,
    InspectionStatus,
    RandomInspection,
    RectificationNotice,
    RectificationStatus,
    SupervisionFact,
)
from gongxin.core.exports import EXPORTERS
from gongxin.core.models import AuditEvent, Region
from gongxin.core.workdays import add_workdays
from gongxin.registry.models import JurisdictionPolicy, Organization
from gongxin.registry.policy import policy_cache_clear
from gongxin.registry.services import StaleEdit

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture(autouse=True)
def _fresh_policy():
    # policy_for caches per process; a policy row a test creates is rolled back, its cache entry is not.
    policy_cache_clear()
    yield
    policy_cache_clear()


@pytest.fixture
def zhuhai_orgs(actors, make_org):
    """Twenty more Zhuhai organizations beside A and B: 22 candidates in Zhuhai."""
    return [make_org(f"珠海市抽查样本{i:02d}协会", region="440402" if i % 2 else "440403") for i in range(20)]


def _create(actors, actor="officer_zhuhai", **kw):
    fields = {"jurisdiction": "440400", "title": "2026年珠海市社会组织双随机抽查", "kind": "spot_check",
              "filters": {}, "sample_size": 5}
    fields.update(kw)
    if "sample_share" in kw:
        fields["sample_size"] = None
    return svc.inspection_create(actor=actors[actor], **fields)


def _drawn(actors, seed="gongxin-2026", **kw):
    return svc.inspection_draw(actor=actors["officer_zhuhai"], inspection=_create(actors, **kw), seed=seed)


def _sample(inspection):
    return set(inspection.items.values_list("organization__uscc", flat=True))


# --- the draw --------------------------------------------------------------------------------


def test_draw_is_reproducible_with_the_same_seed(actors, zhuhai_orgs):
    first, second = _drawn(actors, seed="abc123"), _drawn(actors, seed="abc123")
    assert _sample(first) == _sample(second) and len(_sample(first)) == 5
    assert first.candidate_digest == second.candidate_digest and first.candidate_count == 22


def test_a_different_seed_draws_a_different_sample(actors, zhuhai_orgs):
    assert _sample(_drawn(actors, seed="abc123")) != _sample(_drawn(actors, seed="xyz789"))


def test_anyone_can_recompute_the_draw_from_the_published_seed_and_codes(actors, zhuhai_orgs):
    inspection = _drawn(actors, seed="public-check")
    codes = sorted(Organization.objects.filter(region_prefix__startswith="4404").values_list("uscc", flat=True))
    assert hashlib.sha256("\n".join(codes).encode()).hexdigest() == inspection.candidate_digest
    assert _sample(inspection) == set(random.Random("public-check").sample(codes, 5))


def test_inspectors_are_assigned_in_turn_after_shuffling_with_the_same_generator(actors, zhuhai_orgs):
    from gongxin.accounts.models import Role, User

    colleague = User.objects.create(username="officer_zh2", role=Role.OFFICER, jurisdiction_id="440402")
    inspection = _create(actors, sample_size=6, inspectors=[actors["officer_zhuhai"], colleague])
    svc.inspection_draw(actor=actors["officer_zhuhai"], inspection=inspection, seed="pool")
    codes = sorted(Organization.objects.filter(region_prefix__startswith="4404").values_list("uscc", flat=True))
    rng = random.Random("pool")
    picked = rng.sample(codes, 6)
    pool = sorted([actors["officer_zhuhai"].pk, colleague.pk])
    rng.shuffle(pool)
    expected = {code: pool[i % 2] for i, code in enumerate(picked)}
    got = dict(inspection.items.values_list("organization__uscc", "inspector_id"))
    assert got == expected


def test_a_missing_seed_is_generated_and_recorded(actors, zhuhai_orgs):
    inspection = svc.inspection_draw(actor=actors["officer_zhuhai"], inspection=_create(actors))
    assert len(inspection.seed) == 16 and inspection.status == InspectionStatus.DRAWN


def test_a_seed_that_could_not_be_quoted_safely_is_refused(actors):
    with pytest.raises(ValidationError):
        svc.inspection_draw(actor=actors["officer_zhuhai"], inspection=_create(actors), seed='a" or "b')


def test_sample_size_from_a_share_rounds_up(actors, zhuhai_orgs):
    assert len(_sample(_drawn(actors, sample_share="10"))) == 3  # 10% of 22 = 2.2 -> 3
    assert len(_sample(_drawn(actors, sample_share="50"))) == 11
    inspection = RandomInspection(sample_share=Decimal("0.01"))
    assert svc.sample_count(inspection, 22) == 1
    assert svc.sample_count(RandomInspection(sample_size=50), 22) == 22  # never more than there are


def test_candidates_are_limited_to_the_jurisdiction(actors, zhuhai_orgs):
    everyone = _drawn(actors, sample_share="100")
    assert actors["org_foshan"].uscc not in _sample(everyone)
    assert {actors["org_a"].uscc, actors["org_b"].uscc} <= _sample(everyone) and everyone.candidate_count == 22
    district = _drawn(actors, sample_share="100", filters={"region": "440402"})
    assert _sample(district) == set(Organization.objects.filter(region_prefix="440402").values_list("uscc", flat=True))


def test_candidates_follow_the_filters(actors, zhuhai_orgs):
    inspection = _drawn(actors, sample_share="100", filters={"org_type": "social_group", "subtype": "academic"})
    assert _sample(inspection) == {actors["org_b"].uscc}


def test_officer_of_foshan_cannot_create_an_inspection_in_zhuhai(actors):
    with pytest.raises(ValidationError):
        _create(actors, actor="officer_foshan")
    with pytest.raises(ValidationError):
        _create(actors, actor="officer_foshan", jurisdiction="440604", filters={"region": "440402"})
    assert not RandomInspection.objects.exists()


def test_only_officers_create_inspections(actors):
    for actor in ("org_user_a", "sponsor", "purchaser"):
        with pytest.raises(ValidationError):
            _create(actors, actor=actor)


def test_officer_of_foshan_gets_404_for_a_zhuhai_inspection(actors, client_for):
    inspection = _drawn(actors)
    item = inspection.items.first()
    foshan = client_for("officer_foshan")
    for url in (f"/annual/inspections/{inspection.pk}/", f"/annual/inspections/{inspection.pk}/draw/",
                f"/annual/inspections/items/{item.pk}/result/"):
        assert foshan.get(url).status_code == 404
    assert foshan.post(f"/annual/inspections/{inspection.pk}/publish/").status_code == 404
    assert client_for("officer_zhuhai").get(f"/annual/inspections/{inspection.pk}/").status_code == 200


def test_drawing_twice_is_refused(actors):
    inspection = _drawn(actors)
    with pytest.raises(ValidationError):
        svc.inspection_draw(actor=actors["officer_zhuhai"], inspection=inspection, seed="again")
    assert inspection.items.count() == 2


def test_the_draw_streams_ids_and_codes_not_organization_instances(actors, zhuhai_orgs):
    with mock.patch.object(Organization, "from_db", side_effect=AssertionError("model instance loaded")):
        inspection = _drawn(actors, sample_share="100")
    assert inspection.items.count() == 22


def test_the_draw_needs_a_ticked_confirmation(actors, client_for):
    inspection = _create(actors)
    client = client_for("officer_zhuhai")
    page = client.get(f"/annual/inspections/{inspection.pk}/draw/").content.decode()
    assert 'data-testid="draw-preview"' in page
    response = client.post(f"/annual/inspections/{inspection.pk}/draw/", {"seed": "s"})
    assert response.status_code == 200 and 'data-testid="error-confirm"' in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT
    response = client.post(f"/annual/inspections/{inspection.pk}/draw/", {"seed": "s", "confirm": "on"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAWN and inspection.seed == "s"


def test_officer_creates_an_inspection_through_the_form(actors, client_for):
    client = client_for("officer_zhuhai")
    assert 'data-testid="empty"' in client.get("/annual/inspections/").content.decode()
    response = client.post("/annual/inspections/new/", {
        "title": "香洲区财务抽查", "kind": "financial_audit", "jurisdiction": "440402", "status": "active",
        "sample_share": "20"})
    inspection = RandomInspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/annual/inspections/{inspection.pk}/"
    assert inspection.filters == {"status": "active"} and inspection.sample_share == Decimal("20")
    assert list(inspection.inspectors.all()) == [actors["officer_zhuhai"]]
    assert "香洲区财务抽查" in client.get("/annual/inspections/").content.decode()


def test_foshan_officer_cannot_choose_zhuhai_in_the_form(actors, client_for):
    response = client_for("officer_foshan").post("/annual/inspections/new/", {
        "title": "越权", "kind": "spot_check", "jurisdiction": "440400", "status": "active", "sample_size": "1"})
    assert response.status_code == 200 and 'data-testid="error-jurisdiction"' in response.content.decode()
    assert not RandomInspection.objects.exists()


# --- publication -----------------------------------------------------------------------------


def test_a_published_draw_shows_on_the_public_page(actors, client, zhuhai_orgs):
    inspection = _drawn(actors, seed="shown")
    assert client.get(f"/annual/inspections/public/{inspection.pk}/").status_code == 404
    assert inspection.title not in client.get("/annual/inspections/public/").content.decode()
    svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=inspection)
    assert inspection.title in client.get("/annual/inspections/public/").content.decode()
    page = client.get(f"/annual/inspections/public/{inspection.pk}/").content.decode()
    for value in ("shown", inspection.candidate_digest, ">22<"):
        assert value in page
    for item in inspection.items.select_related("organization"):
        assert item.organization.name in page and f'href="/orgs/{item.organization.uscc}/"' in page


def test_publishing_twice_or_before_drawing_is_refused(actors):
    draft = _create(actors)
    with pytest.raises(ValidationError):
        svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=draft)
    drawn = _drawn(actors)
    svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=drawn)
    with pytest.raises(ValidationError):
        svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=drawn)


def test_public_pages_have_an_empty_state(client):
    assert 'data-testid="empty"' in client.get("/annual/inspections/public/").content.decode()


# --- results ---------------------------------------------------------------------------------


def _item(actors, org="org_a"):
    inspection = _drawn(actors, sample_share="100")
    return inspection.items.get(organization=actors[org])


def test_a_stale_result_edit_is_refused(actors):
    item = _item(actors)
    svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="compliant", expected_version=1)
    with pytest.raises(StaleEdit) as exc:
        svc.inspection_record_result(actor=actors["admin"], item=item, result="issues", findings="账目不清",
                                     expected_version=1)
    assert exc.value.code == "stale"
    item.refresh_from_db()
    assert item.result == InspectionResult.COMPLIANT and item.version == 2


def test_a_stale_result_form_shows_the_refusal(actors, client_for):
    item = _item(actors)
    client = client_for("officer_zhuhai")
    url = f"/annual/inspections/items/{item.pk}/result/"
    assert client.post(url, {"result": "compliant", "version": 1}).status_code == 302
    response = client.post(url, {"result": "issues", "findings": "x", "version": 1})
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()
    item.refresh_from_db()
    assert item.result == InspectionResult.COMPLIANT


def test_an_unreachable_result_records_a_supervision_fact(actors):
    item = _item(actors)
    item = svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="unreachable",
                                        findings="注册地址无人", expected_version=1)
    fact = SupervisionFact.objects.get(kind=FactKind.UNREACHABLE)
    assert (fact.organization, fact.key, fact.occurred_on) == (actors["org_a"], f"insp{item.pk}", TODAY.date())
    item = svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="unreachable",
                                        expected_version=item.version)
    assert SupervisionFact.objects.filter(kind=FactKind.UNREACHABLE).count() == 1
    svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="compliant",
                                 expected_version=item.version)
    fact.refresh_from_db()
    assert fact.resolved_on == TODAY.date()  # a corrected result resolves the fact


def test_problems_found_need_findings(actors):
    with pytest.raises(ValidationError):
        svc.inspection_record_result(actor=actors["officer_zhuhai"], item=_item(actors), result="issues",
                                     expected_version=1)


def test_the_inspection_date_lies_between_the_draw_and_today(actors):
    item = _item(actors)  # drawn now: 2026-11-23 10:00 in Shanghai
    officer = actors["officer_zhuhai"]
    for day, words in ((dt.date(2026, 11, 22), "before the draw (2026-11-23)"), (dt.date(2026, 11, 24), "future")):
        with pytest.raises(ValidationError) as exc, translation.override("en"):
            svc.inspection_record_result(actor=officer, item=item, result="compliant", inspected_on=day,
                                         expected_version=1)
        assert words in " ".join(exc.value.message_dict["inspected_on"])
    item.refresh_from_db()
    assert (item.result, item.version) == (InspectionResult.PENDING, 1)
    item = svc.inspection_record_result(actor=officer, item=item, result="compliant",
                                        inspected_on=dt.date(2026, 11, 23), expected_version=1)
    assert item.inspected_on == dt.date(2026, 11, 23)


def test_the_draw_day_is_the_local_day(actors):
    """Drawn at 00:30 in Shanghai, which is still the day before in UTC: that UTC day is refused."""
    item = _item(actors)
    RandomInspection.objects.filter(pk=item.inspection_id).update(
        drawn_at=dt.datetime(2026, 11, 20, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    with pytest.raises(ValidationError):
        svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="compliant",
                                     inspected_on=dt.date(2026, 11, 19), expected_version=1)
    svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="compliant",
                                 inspected_on=dt.date(2026, 11, 20), expected_version=1)


def test_an_inspection_date_before_the_draw_is_shown_on_the_form(actors, client_for):
    item = _item(actors)
    response = client_for("officer_zhuhai").post(f"/annual/inspections/items/{item.pk}/result/", {
        "result": "compliant", "inspected_on": "2026-11-01", "version": 1})
    assert response.status_code == 200 and 'data-testid="error-inspected_on"' in response.content.decode()
    item.refresh_from_db()
    assert item.result == InspectionResult.PENDING


def test_an_officer_outside_the_jurisdiction_cannot_record_a_result(actors):
    with pytest.raises(ValidationError):
        svc.inspection_record_result(actor=actors["officer_foshan"], item=_item(actors), result="compliant",
                                     expected_version=1)


# --- rectification ---------------------------------------------------------------------------


def _issues(actors, org="org_a"):
    item = _item(actors, org)
    return svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="issues",
                                        findings="未按章程召开理事会", expected_version=1)


def _notice(actors, issued_on=dt.date(2026, 9, 28), working_days=10):
    return svc.rectification_issue(actor=actors["officer_zhuhai"], inspection_item=_issues(actors),
                                   requirements="按章程召开理事会并报送会议纪要", issued_on=issued_on,
                                   working_days=working_days)


def test_the_rectification_deadline_counts_working_days_past_the_national_day_holiday(actors):
    notice = _notice(actors, issued_on=dt.date(2026, 9, 28), working_days=10)
    assert notice.due_on == add_workdays(dt.date(2026, 9, 28), 10).date
    # By hand: 29 and 30 September (2), the holiday 1-7 October, 8 and 9 October (4), Saturday
    # 10 October a make-up working day (5), 12-16 October (10).
    assert not chinese_calendar.is_workday(dt.date(2026, 10, 7)) and chinese_calendar.is_workday(dt.date(2026, 10, 10))
    assert notice.due_on == dt.date(2026, 10, 16) and notice.due_provisional is False


def test_the_default_time_limit_is_the_jurisdictions(actors):
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440400"), rectification_time_limit=5)
    notice = svc.rectification_issue(actor=actors["officer_zhuhai"], inspection_item=_issues(actors),
                                     requirements="整改", issued_on=dt.date(2026, 9, 28))
    assert notice.due_on == add_workdays(dt.date(2026, 9, 28), 5).date == dt.date(2026, 10, 10)  # the make-up Saturday


def test_a_deadline_in_an_unknown_year_is_provisional(actors):
    notice = _notice(actors, issued_on=dt.date(2026, 12, 20), working_days=30)
    assert notice.due_provisional is True and notice.due_on.year == 2027


def test_a_rectification_needs_problems_found(actors):
    with pytest.raises(ValidationError):
        svc.rectification_issue(actor=actors["officer_zhuhai"], inspection_item=_item(actors), requirements="整改")


def test_a_second_notice_for_the_same_inspection_is_refused_while_one_is_open(actors):
    first = _notice(actors)
    item, officer = first.inspection_item, actors["officer_zhuhai"]
    with pytest.raises(ValidationError) as exc, translation.override("en"):  # a double click, or a second officer
        svc.rectification_issue(actor=officer, inspection_item=item, requirements="按章程召开理事会并报送会议纪要",
                                issued_on=dt.date(2026, 9, 28), working_days=10)
    assert exc.value.code == "duplicate_notice" and "still open" in exc.value.messages[0]
    svc.rectifications_mark_overdue(dt.date(2026, 10, 20))
    with pytest.raises(ValidationError):  # overdue is still not done
        svc.rectification_issue(actor=officer, inspection_item=item, requirements="另行整改")
    assert RectificationNotice.objects.count() == 1
    svc.rectification_complete(actor=officer, notice=first, follow_up="已核查")
    again = svc.rectification_issue(actor=officer, inspection_item=item, requirements="再次发现问题，限期整改")
    assert again.pk != first.pk and RectificationNotice.objects.filter(inspection_item=item).count() == 2


def test_a_notice_without_an_inspection_is_not_issued_twice_the_same_day(actors):
    officer, org = actors["officer_zhuhai"], actors["org_b"]

    def issue(requirements="补报材料", issued_on=dt.date(2026, 11, 2)):
        return svc.rectification_issue(actor=officer, organization=org, requirements=requirements,
                                       issued_on=issued_on, working_days=3)

    first = issue()
    with pytest.raises(ValidationError) as exc:
        issue(requirements="  补报材料 ")  # the same text, as submitted twice
    assert exc.value.code == "duplicate_notice"
    assert RectificationNotice.objects.count() == 1
    issue(requirements="更新备案")  # other requirements: another notice
    issue(issued_on=dt.date(2026, 11, 3))  # the same requirements another day: a deliberate repeat
    svc.rectification_complete(actor=officer, notice=first, follow_up="已补报")
    issue()  # the first one is done
    assert RectificationNotice.objects.count() == 4


def test_overdue_marking_creates_exactly_one_fact_on_rerun(actors):
    notice = _notice(actors)  # due 2026-10-16
    assert svc.rectifications_mark_overdue(dt.date(2026, 10, 16)) == 0  # due today: not yet overdue
    assert svc.rectifications_mark_overdue(dt.date(2026, 10, 17)) == 1
    assert svc.rectifications_mark_overdue(dt.date(2026, 10, 17)) == 0
    assert svc.rectifications_mark_overdue(dt.date(2026, 10, 20)) == 0
    notice.refresh_from_db()
    assert notice.status == RectificationStatus.OVERDUE
    fact = SupervisionFact.objects.get(kind=FactKind.RECTIFICATION_OVERDUE)
    assert (fact.key, fact.occurred_on, fact.resolved_on) == (f"rect{notice.pk}", dt.date(2026, 10, 17), None)


def test_the_nightly_task_marks_overdue_notices(actors):
    from gongxin.annual.tasks_inspections import rectifications_overdue_nightly

    _notice(actors)
    assert rectifications_overdue_nightly.call("2026-10-19") == 1
    assert rectifications_overdue_nightly.call() == 0  # today: nothing left open


def test_completion_resolves_the_overdue_fact(actors):
    notice = _notice(actors)
    svc.rectifications_mark_overdue(dt.date(2026, 10, 20))
    notice = svc.rectification_complete(actor=actors["officer_zhuhai"], notice=notice, follow_up="已现场核查会议纪要",
                                        completed_on=dt.date(2026, 10, 22))
    assert notice.status == RectificationStatus.COMPLETED and notice.completed_on == dt.date(2026, 10, 22)
    fact = SupervisionFact.objects.get(kind=FactKind.RECTIFICATION_OVERDUE)
    assert fact.resolved_on == dt.date(2026, 10, 22)
    assert svc.rectifications_mark_overdue(dt.date(2026, 10, 30)) == 0


def test_completion_needs_a_follow_up_note_and_an_officer_in_scope(actors):
    notice = _notice(actors)
    with pytest.raises(ValidationError):
        svc.rectification_complete(actor=actors["officer_zhuhai"], notice=notice, follow_up=" ")
    with pytest.raises(ValidationError):
        svc.rectification_complete(actor=actors["officer_foshan"], notice=notice, follow_up="核查")
    with pytest.raises(ValidationError):
        svc.rectification_complete(actor=actors["org_user_a"], notice=notice, follow_up="我们已整改")


def test_every_service_writes_an_audit_event(actors):
    inspection = _create(actors, sample_share="100")
    svc.inspection_draw(actor=actors["officer_zhuhai"], inspection=inspection, seed="audit")
    svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=inspection)
    item = inspection.items.get(organization=actors["org_a"])
    item = svc.inspection_record_result(actor=actors["officer_zhuhai"], item=item, result="issues", findings="问题",
                                        expected_version=1)
    notice = svc.rectification_issue(actor=actors["officer_zhuhai"], inspection_item=item, requirements="整改",
                                     issued_on=dt.date(2026, 9, 28), working_days=10)
    svc.rectifications_mark_overdue(dt.date(2026, 11, 2))
    svc.rectification_complete(actor=actors["officer_zhuhai"], notice=notice, follow_up="核查")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for action in ("inspection.create", "inspection.draw", "inspection.publish", "inspection.result",
                   "rectification.issue", "rectification.overdue", "rectification.complete"):
        assert actions.count(action) == 1, action
    overdue = AuditEvent.objects.get(action="rectification.overdue")
    assert overdue.actor_label == "system" and overdue.object_id == str(notice.pk)


# --- pages -----------------------------------------------------------------------------------


def test_the_worklist_shows_working_days_left_with_open_notices_first(actors, client_for):
    late = _notice(actors)  # due 2026-10-16: overdue by today (2026-11-23)
    svc.rectifications_mark_overdue(TODAY.date())
    done = svc.rectification_issue(actor=actors["officer_zhuhai"], organization=actors["org_b"], requirements="补报材料",
                                   issued_on=dt.date(2026, 11, 2), working_days=3)
    svc.rectification_complete(actor=actors["officer_zhuhai"], notice=done, follow_up="已补报")
    fresh = svc.rectification_issue(actor=actors["officer_zhuhai"], organization=actors["org_b"], requirements="更新备案",
                                    issued_on=dt.date(2026, 11, 20), working_days=5)
    assert fresh.due_on == dt.date(2026, 11, 27)
    page = client_for("officer_zhuhai").get("/annual/inspections/rectifications/").content.decode()
    rows = [page.index(f"/annual/inspections/rectifications/{n.pk}/") for n in (late, fresh, done)]
    assert rows == sorted(rows)
    assert 'data-days="4"' in page  # 24-27 November
    assert 'data-days="-26"' in page  # 19 October .. 23 November
    assert 'data-testid="empty"' in client_for("officer_foshan").get("/annual/inspections/rectifications/").content.decode()


def test_organization_users_see_only_their_own_notices(actors, client_for):
    notice = _notice(actors)
    mine = client_for("org_user_a").get("/annual/inspections/rectifications/mine/").content.decode()
    assert f"/annual/inspections/rectifications/{notice.pk}/" in mine
    other = client_for("org_user_b").get("/annual/inspections/rectifications/mine/").content.decode()
    assert f"/rectifications/{notice.pk}/" not in other and 'data-testid="empty"' in other
    assert client_for("org_user_a").get(f"/annual/inspections/rectifications/{notice.pk}/").status_code == 200
    assert client_for("org_user_b").get(f"/annual/inspections/rectifications/{notice.pk}/").status_code == 404
    assert client_for("officer_foshan").get(f"/annual/inspections/rectifications/{notice.pk}/").status_code == 404


def test_an_organization_sees_its_inspection_only_once_the_draw_is_published(actors, client_for):
    inspection = _drawn(actors, sample_share="100")
    client = client_for("org_user_a")
    assert inspection.title not in client.get("/annual/inspections/rectifications/mine/").content.decode()
    svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=inspection)
    assert inspection.title in client.get("/annual/inspections/rectifications/mine/").content.decode()


def test_officer_confirms_completion_on_the_notice_page(actors, client_for):
    notice = _notice(actors)
    client = client_for("officer_zhuhai")
    url = f"/annual/inspections/rectifications/{notice.pk}/complete/"
    assert client.post(url, {"follow_up": ""}).status_code == 200
    assert client.post(url, {"follow_up": "已核查"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == RectificationStatus.COMPLETED


def test_issuing_a_rectification_through_the_form(actors, client_for):
    item = _issues(actors)
    response = client_for("officer_zhuhai").post(f"/annual/inspections/items/{item.pk}/rectification/", {
        "requirements": "限期整改财务制度", "issued_on": "2026-09-28", "working_days": "10"})
    notice = RectificationNotice.objects.get()
    assert response.status_code == 302 and notice.due_on == dt.date(2026, 10, 16)


def test_an_item_with_an_open_notice_links_to_it_instead_of_the_form(actors, client_for):
    notice = _notice(actors)
    item = notice.inspection_item
    client = client_for("officer_zhuhai")
    url = f"/annual/inspections/items/{item.pk}/rectification/"
    page = client.get(url).content.decode()
    assert 'data-testid="rectification-form"' not in page and 'data-testid="open-notice"' in page
    assert f'href="/annual/inspections/rectifications/{notice.pk}/"' in page
    response = client.post(url, {"requirements": "限期整改财务制度", "issued_on": "2026-11-23", "working_days": "10"})
    assert response.status_code == 200 and 'data-testid="open-notice-link"' in response.content.decode()
    assert RectificationNotice.objects.count() == 1
    detail = client.get(f"/annual/inspections/{item.inspection_id}/").content.decode()
    assert 'data-testid="issue-rectification"' not in detail
    assert f'href="/annual/inspections/rectifications/{notice.pk}/" data-testid="open-notice-link"' in detail
    svc.rectification_complete(actor=actors["officer_zhuhai"], notice=notice, follow_up="已核查")
    assert 'data-testid="rectification-form"' in client.get(url).content.decode()
    detail = client.get(f"/annual/inspections/{item.inspection_id}/").content.decode()
    assert 'data-testid="issue-rectification"' in detail and 'data-testid="open-notice-link"' not in detail


def test_the_worklist_export_lists_the_officers_notices(actors, client_for):
    from gongxin.core.models import ExportJob

    notice = _notice(actors)
    response = client_for("officer_zhuhai").post("/annual/inspections/rectifications/export/", {"status": ""})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.kind == "rectifications"
    data = EXPORTERS["rectifications"](actors["officer_zhuhai"], {"status": ""})
    rows = list(data.rows)
    assert data.total == 1 and rows[0][1] == actors["org_a"].uscc and rows[0][5] == notice.due_on.isoformat()
    assert EXPORTERS["rectifications"](actors["officer_foshan"], {}).total == 0


def test_the_detail_page_lists_the_drawn_organizations(actors, client_for, django_assert_max_num_queries):
    inspection = _drawn(actors, sample_share="100")
    client = client_for("officer_zhuhai")
    with django_assert_max_num_queries(15):
        page = client.get(f"/annual/inspections/{inspection.pk}/").content.decode()
    assert page.count('data-testid="item-row"') == 2 and 'data-testid="publish"' in page
    assert InspectionItem.objects.filter(inspection=inspection).count() == 2


def test_provisional_rectification_deadline_is_recounted_when_the_year_is_entered(actors):
    from gongxin.annual import inspections as svc
    from gongxin.core.services import workday_year_set

    notice = svc.rectification_issue(actor=actors["officer_zhuhai"], organization=actors["org_a"],
                                     requirements="补交年度报告", issued_on=dt.date(2031, 12, 22), working_days=10)
    assert notice.due_provisional and notice.due_on == dt.date(2032, 1, 5)
    workday_year_set(actor=actors["admin"], year=2032, holidays=["2032-01-01", "2032-01-02"], workdays=[])
    workday_year_set(actor=actors["admin"], year=2031, holidays=[], workdays=[])
    notice.refresh_from_db()
    assert (notice.due_on, notice.due_provisional) == (dt.date(2032, 1, 7), False)


def test_publishing_a_draw_asks_first_and_publishes_once(actors, client_for):
    from gongxin.core.models import AuditEvent
    from tests.confirming import confirm_post

    inspection = _drawn(actors)
    client = client_for("officer_zhuhai")
    url = f"/annual/inspections/{inspection.pk}/publish/"
    page = client.post(url).content.decode()
    assert 'data-testid="confirmation"' in page and inspection.seed in page
    inspection.refresh_from_db()
    assert inspection.status == "drawn"
    assert confirm_post(client, url).status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "published"
    assert AuditEvent.objects.filter(action="inspection.publish").count() == 1
def test_the_public_downloads_the_candidate_list_exactly_as_hashed_and_recomputes_the_draw(
        actors, client, zhuhai_orgs, settings, tmp_path):
    import hashlib
    import random

    settings.MEDIA_ROOT = tmp_path
    inspection = _drawn(actors, seed="recompute")
    svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=inspection)
    page = client.get(f"/annual/inspections/public/{inspection.pk}/").content.decode()
    assert 'data-testid="candidates-download"' in page
    response = client.get(f"/annual/inspections/public/{inspection.pk}/candidates.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == inspection.candidate_digest
    codes = data.decode("ascii").split("\n")
    assert len(codes) == inspection.candidate_count and codes == sorted(codes)
    drawn = {i.organization.uscc for i in inspection.items.select_related("organization")}
    assert set(random.Random("recompute").sample(codes, len(drawn))) == drawn

    # The registry changes afterwards: the list is still the one that was drawn from.
    zhuhai_orgs[0].__class__.objects.filter(pk=zhuhai_orgs[0].pk).update(status="deregistered")
    again = b"".join(client.get(f"/annual/inspections/public/{inspection.pk}/candidates.txt").streaming_content)
    assert again == data


def test_a_draw_without_a_kept_list_says_so_and_offers_no_download(actors, client, zhuhai_orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = _drawn(actors, seed="lost")
    svc.inspection_publish(actor=actors["officer_zhuhai"], inspection=inspection)
    (tmp_path / svc.candidates_path(inspection, inspection.candidate_digest)).write_bytes(b"tampered")
    page = client.get(f"/annual/inspections/public/{inspection.pk}/").content.decode()
    assert 'data-testid="candidates-unavailable"' in page
    assert client.get(f"/annual/inspections/public/{inspection.pk}/candidates.txt").status_code == 404
