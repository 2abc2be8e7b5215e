"""The officer's credit workspace through its views: the worklist, a list entry's procedure steps
(confirm, withdraw, removal decisions), an organization's credit page with penalties, records and
the rule engine on demand, banned illegal organizations; scope and stale edits."""

import datetime as dt
from decimal import Decimal

import pytest

from gongxin.core.models import AuditEvent
from gongxin.credit import engine, services
from gongxin.credit.models import (
    BannedOrganization,
    CreditList,
    CreditRecord,
    ListEntry,
    ListingStatus,
    Penalty,
    RecordKind,
    RemovalStatus,
)
from gongxin.registry.models import OrgStatus
from tests.credit.conftest import TODAY

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
M = "/credit/manage"


def at(time_machine, day: dt.date):
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def en(client_for):
    """A client of the given actor that reads the pages in English."""
    def get(name):
        client = client_for(name)
        client.cookies["django_language"] = "en"
        return client

    return get


@pytest.fixture
def noticed(actors, fine, time_machine):
    """Organization A noticed for the dishonesty list on TODAY (a ¥60,000 fine), time frozen on TODAY."""
    at(time_machine, TODAY)
    fine()
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    return ListEntry.objects.get(organization=actors["org_a"], list=CreditList.DISHONEST)


def after_objections(time_machine, entry):
    at(time_machine, entry.objection_due + dt.timedelta(days=1))


def listed_abnormal(actors, org=None, *, title="未按规定建立党组织"):
    """A listed abnormal entry (no Party organization: a ground that needs rectifying)."""
    org = org or actors["org_a"]
    officer = actors["officer_zhuhai"] if org.region_prefix.startswith("4404") else actors["officer_foshan"]
    services.record_create(actor=officer, organization=org, kind=RecordKind.PARTY_ORG_MISSING, title=title,
                           source="党建检查", deciding_body="民政局", occurred_on=TODAY - dt.timedelta(days=60),
                           evaluate=False, today=TODAY)
    engine.evaluate(organization=org, today=TODAY - dt.timedelta(days=40))
    entry = ListEntry.objects.get(organization=org, list=CreditList.ABNORMAL)
    return services.listing_confirm(actor=officer, entry=entry, expected_version=entry.version, today=TODAY)


# --- worklist --------------------------------------------------------------------------------


def test_worklist_counts_each_tab_and_shows_days_left_in_the_objection_period(noticed, en, time_machine):
    page = en("officer_zhuhai").get(f"{M}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="count-objection">1<' in html and 'data-testid="count-awaiting">0<' in html
    assert "珠海市测试甲行业协会" in html and "working days left" in html
    after_objections(time_machine, noticed)
    html = en("officer_zhuhai").get(f"{M}/?tab=awaiting").content.decode()
    assert 'data-testid="count-objection">0<' in html and 'data-testid="count-awaiting">1<' in html
    assert f"/credit/manage/entries/{noticed.pk}/" in html


def test_worklist_is_scoped_to_the_jurisdiction(noticed, en):
    html = en("officer_foshan").get(f"{M}/").content.decode()
    assert "珠海市测试甲行业协会" not in html and 'data-testid="count-objection">0<' in html
    assert "No notice is in its objection period" in html
    assert "珠海市测试甲行业协会" in en("admin").get(f"{M}/").content.decode()


def test_awaiting_listing_puts_objections_to_answer_first(actors, fine, make_org, en, time_machine):
    at(time_machine, TODAY)
    quiet = make_org("珠海市安静协会", region="440402")
    fine(org=quiet)
    fine()
    engine.evaluate(today=TODAY, region_prefix="4404")
    entry_a = ListEntry.objects.get(organization=actors["org_a"])
    services.objection_submit(actor=actors["org_user_a"], entry=entry_a, text="罚款已缴清,请求不予列入", today=TODAY)
    after_objections(time_machine, entry_a)
    html = en("officer_zhuhai").get(f"{M}/?tab=awaiting").content.decode()
    assert html.index("珠海市测试甲行业协会") < html.index("珠海市安静协会")
    assert 'data-testid="objection-open"' in html
    by_name = en("officer_zhuhai").get(f"{M}/?tab=awaiting&sort=name").content.decode()
    assert by_name.index("珠海市安静协会") < by_name.index("珠海市测试甲行业协会")


def test_listed_tab_filters_by_list_ground_and_name(actors, make_org, en, time_machine):
    at(time_machine, TODAY)
    listed_abnormal(actors)
    other = make_org("珠海市另一协会", region="440402")
    listed_abnormal(actors, other)
    client = en("officer_zhuhai")
    html = client.get(f"{M}/?tab=listed").content.decode()
    assert 'data-testid="count-listed">2<' in html
    assert "珠海市另一协会" in html and "珠海市测试甲行业协会" in html
    html = client.get(f"{M}/?tab=listed&q=另一").content.decode()
    assert "珠海市另一协会" in html and "珠海市测试甲行业协会" not in html
    html = client.get(f"{M}/?tab=listed&q={actors['org_a'].uscc}").content.decode()
    assert "珠海市测试甲行业协会" in html and "珠海市另一协会" not in html
    assert "珠海市另一协会" in client.get(f"{M}/?tab=listed&list=abnormal&ground=A2").content.decode()
    html = client.get(f"{M}/?tab=listed&list=dishonest").content.decode()
    assert 'data-testid="empty"' in html and "No listed organization matches these filters." in html


def test_removal_applications_show_the_days_left_overdue_first(actors, make_org, en, time_machine):
    at(time_machine, TODAY)
    late = listed_abnormal(actors)
    services.removal_apply(actor=actors["org_user_a"], entry=late, statement="已建立党支部",
                           today=TODAY - dt.timedelta(days=20))
    html = en("officer_zhuhai").get(f"{M}/?tab=removals").content.decode()
    assert 'data-testid="count-removals">1<' in html and "working days overdue" in html


# --- scope -----------------------------------------------------------------------------------


def test_foshan_officer_cannot_see_or_act_on_zhuhai(noticed, actors, client_for, time_machine):
    client = client_for("officer_foshan")
    uscc = actors["org_a"].uscc
    assert client.get(f"{M}/entries/{noticed.pk}/").status_code == 404
    assert client.get(f"{M}/orgs/{uscc}/").status_code == 404
    response = client.post(f"{M}/orgs/{uscc}/penalties/new/", {
        "kind": "warning", "decision_number": "佛民罚字〔2026〕1号", "facts": "x", "legal_basis": "y",
        "decided_on": "2026-11-20", "is_public": "on"})
    assert response.status_code == 404
    assert not Penalty.objects.filter(decision_number="佛民罚字〔2026〕1号").exists()
    after_objections(time_machine, noticed)
    client = client_for("officer_foshan")  # signed in again: the session times out after 30 minutes
    response = client.post(f"{M}/entries/{noticed.pk}/confirm/", {"version": noticed.version, "confirm": "on"})
    assert response.status_code == 404
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.NOTICED
    assert client_for("org_user_a").get(f"{M}/entries/{noticed.pk}/").status_code == 404


# --- a list entry ----------------------------------------------------------------------------


def test_entry_page_shows_the_notice_grounds_and_evidence(noticed, en):
    html = en("officer_zhuhai").get(f"{M}/entries/{noticed.pk}/").content.decode()
    assert "A fine of ¥50,000 or more" in html and "列入严重违法失信名单情形第(四)项" in html
    assert "60,000.00" in html  # the facts name the fine
    assert noticed.objection_due.isoformat() in html and "Served on the organization" in html
    assert 'data-testid="in-objection-period"' in html and 'data-testid="confirm-form"' not in html


def test_listing_cannot_be_confirmed_during_the_objection_period(noticed, en):
    response = en("officer_zhuhai").post(f"{M}/entries/{noticed.pk}/confirm/",
                                         {"version": noticed.version, "confirm": "on"}, follow=True)
    assert "The objection period runs until" in response.content.decode()
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.NOTICED


def test_confirming_a_listing_needs_the_confirmation_box(noticed, en, time_machine):
    after_objections(time_machine, noticed)
    response = en("officer_zhuhai").post(f"{M}/entries/{noticed.pk}/confirm/", {"version": noticed.version})
    assert response.status_code == 200 and "Tick the box to confirm the listing." in response.content.decode()
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.NOTICED


def test_officer_confirms_the_listing_after_the_period(noticed, actors, en, time_machine):
    after_objections(time_machine, noticed)
    response = en("officer_zhuhai").post(f"{M}/entries/{noticed.pk}/confirm/",
                                         {"version": noticed.version, "confirm": "on"}, follow=True)
    html = response.content.decode()
    assert "has been put on the Serious violation and dishonesty list" in html
    noticed.refresh_from_db()
    actors["org_a"].refresh_from_db()
    assert noticed.status == ListingStatus.LISTED and noticed.listed_by == actors["officer_zhuhai"]
    assert actors["org_a"].credit_status == "dishonest"
    assert AuditEvent.objects.filter(action="credit.list", object_id=str(noticed.pk)).exists()


def test_an_objection_must_be_answered_before_listing(noticed, actors, en, time_machine):
    services.objection_submit(actor=actors["org_user_a"], entry=noticed, text="处罚尚在复议中", today=TODAY)
    noticed.refresh_from_db()
    after_objections(time_machine, noticed)
    client = en("officer_zhuhai")
    assert "处罚尚在复议中" in client.get(f"{M}/entries/{noticed.pk}/").content.decode()
    response = client.post(f"{M}/entries/{noticed.pk}/confirm/", {"version": noticed.version, "confirm": "on"})
    assert response.status_code == 200
    assert "Answer the organization&#x27;s objection before listing." in response.content.decode()
    client.post(f"{M}/entries/{noticed.pk}/confirm/",
                {"version": noticed.version, "confirm": "on", "answer": "复议不停止执行,异议不成立"})
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.LISTED and noticed.objection_answer == "复议不停止执行,异议不成立"


def test_a_stale_version_is_refused_with_a_clear_message(noticed, actors, en, time_machine):
    old = noticed.version
    services.objection_submit(actor=actors["org_user_a"], entry=noticed, text="异议", today=TODAY)  # version + 1
    after_objections(time_machine, noticed)
    response = en("officer_zhuhai").post(f"{M}/entries/{noticed.pk}/confirm/",
                                         {"version": old, "confirm": "on", "answer": "不成立"}, follow=True)
    assert "This entry was changed since you opened it" in response.content.decode()
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.NOTICED and noticed.objection_answer == ""
    response = en("officer_zhuhai").post(f"{M}/entries/{noticed.pk}/withdraw/",
                                         {"version": old, "confirm": "on", "reason": "异议成立"}, follow=True)
    assert "This entry was changed since you opened it" in response.content.decode()
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.NOTICED


def test_withdrawing_needs_a_reason_and_the_confirmation(noticed, en):
    client = en("officer_zhuhai")
    url = f"{M}/entries/{noticed.pk}/withdraw/"
    html = client.post(url, {"version": noticed.version}).content.decode()
    assert "This field is required." in html and "Tick the box to confirm the withdrawal." in html
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.NOTICED
    response = client.post(url, {"version": noticed.version, "reason": "处罚决定已被撤销", "confirm": "on"}, follow=True)
    assert "The notice has been withdrawn" in response.content.decode()
    noticed.refresh_from_db()
    assert noticed.status == ListingStatus.WITHDRAWN and noticed.removal_reason == "处罚决定已被撤销"


# --- removal applications --------------------------------------------------------------------


@pytest.fixture
def application(actors, time_machine):
    at(time_machine, TODAY)
    entry = listed_abnormal(actors)
    return services.removal_apply(actor=actors["org_user_a"], entry=entry, statement="已于11月建立党支部", today=TODAY)


def _decide(client, app, **data):
    app.entry.refresh_from_db()
    fields = {"version": app.entry.version, **data}
    return client.post(f"{M}/removals/{app.pk}/decide/", {f"app{app.pk}-{k}": v for k, v in fields.items()})


def test_approving_a_removal_needs_the_rectification_verified(application, en):
    client = en("officer_zhuhai")
    page = client.get(f"{M}/entries/{application.entry_id}/").content.decode()
    assert "已于11月建立党支部" in page and "I verified the rectification" in page
    response = _decide(client, application, decision="approve")
    assert response.status_code == 200 and "confirm that you verified the rectification" in response.content.decode()
    application.refresh_from_db()
    assert application.status == RemovalStatus.PENDING
    response = _decide(client, application, decision="approve", rectified_confirmed="on")
    assert response.status_code == 302
    application.refresh_from_db()
    application.entry.refresh_from_db()
    assert application.status == RemovalStatus.APPROVED
    assert application.entry.status == ListingStatus.REMOVED and application.entry.removal_kind == "application"
    html = client.get(f"{M}/entries/{application.entry_id}/").content.decode()
    assert 'data-testid="history-removed"' in html and "On application, after verification" in html


def test_refusing_a_removal_needs_reasons(application, en):
    client = en("officer_zhuhai")
    assert "Give the reasons for refusing." in _decide(client, application, decision="refuse").content.decode()
    _decide(client, application, decision="refuse", reasons="党支部尚未经上级党组织批准")
    application.refresh_from_db()
    assert application.status == RemovalStatus.REJECTED
    assert application.decision_reasons == "党支部尚未经上级党组织批准"


def test_a_removal_decision_on_a_changed_entry_is_refused(application, en):
    client = en("officer_zhuhai")
    stale = application.entry.version - 1
    response = client.post(f"{M}/removals/{application.pk}/decide/", {
        f"app{application.pk}-version": stale, f"app{application.pk}-decision": "refuse",
        f"app{application.pk}-reasons": "x"}, follow=True)
    assert "This entry was changed since you opened it" in response.content.decode()
    application.refresh_from_db()
    assert application.status == RemovalStatus.PENDING


def test_foshan_officer_cannot_decide_a_zhuhai_removal(application, client_for):
    response = client_for("officer_foshan").post(f"{M}/removals/{application.pk}/decide/", {
        f"app{application.pk}-version": application.entry.version, f"app{application.pk}-decision": "approve",
        f"app{application.pk}-rectified_confirmed": "on"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == RemovalStatus.PENDING


# --- the organization's credit page ----------------------------------------------------------


PENALTY = {"decision_number": "珠民罚字〔2026〕88号", "facts": "违规收取会费", "legal_basis": "《社会团体登记管理条例》第三十条",
           "decided_on": "2026-11-20", "deciding_body": "", "is_public": "on"}


def test_officer_records_a_fine_and_the_notice_follows(actors, en, time_machine, django_capture_on_commit_callbacks):
    at(time_machine, TODAY)
    client = en("officer_zhuhai")
    uscc = actors["org_a"].uscc
    form = client.get(f"{M}/orgs/{uscc}/penalties/new/").content.decode()
    assert 'value="香洲区民政局"' in form  # the deciding body defaults to the registration authority
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{M}/orgs/{uscc}/penalties/new/", {**PENALTY, "kind": "fine", "amount": "60000"})
    assert response.status_code == 302 and response["Location"] == f"{M}/orgs/{uscc}/"
    penalty = Penalty.objects.get(decision_number="珠民罚字〔2026〕88号")
    assert penalty.amount == Decimal("60000") and penalty.deciding_body == actors["org_a"].registration_authority_name
    entry = ListEntry.objects.get(organization=actors["org_a"])
    assert entry.status == ListingStatus.NOTICED and entry.list == CreditList.DISHONEST
    html = client.get(f"{M}/orgs/{uscc}/").content.decode()
    assert "珠民罚字〔2026〕88号" in html and "60,000.00" in html and f"/credit/manage/entries/{entry.pk}/" in html


def test_a_fine_needs_its_amount_and_a_suspension_its_period(actors, en, time_machine):
    at(time_machine, TODAY)
    client = en("officer_zhuhai")
    url = f"{M}/orgs/{actors['org_a'].uscc}/penalties/new/"
    html = client.post(url, {**PENALTY, "kind": "fine"}).content.decode()
    assert "A fine or confiscation needs its amount in yuan." in html
    html = client.post(url, {**PENALTY, "kind": "suspension", "suspension_from": "2026-12-01"}).content.decode()
    assert "A suspension needs its period (from and until)." in html
    html = client.post(url, {**PENALTY, "kind": "warning", "decided_on": "2027-01-01"}).content.decode()
    assert "The decision date cannot be in the future." in html
    assert not Penalty.objects.exists()


def test_a_duplicate_decision_number_is_refused_on_its_field(actors, en, time_machine):
    at(time_machine, TODAY)
    client = en("officer_zhuhai")
    url = f"{M}/orgs/{actors['org_a'].uscc}/penalties/new/"
    assert client.post(url, {**PENALTY, "kind": "warning"}).status_code == 302
    html = client.post(url, {**PENALTY, "kind": "warning"}).content.decode()
    assert "A penalty with this decision number is already recorded." in html
    assert Penalty.objects.count() == 1


def test_cancellation_needs_an_explicit_confirmation_and_ends_the_registration(actors, en, time_machine):
    at(time_machine, TODAY)
    client = en("officer_zhuhai")
    url = f"{M}/orgs/{actors['org_a'].uscc}/penalties/new/"
    html = client.post(url, {**PENALTY, "kind": "registration_cancelled"}).content.decode()
    assert "Tick the box: cancellation or revocation ends the registration." in html
    actors["org_a"].refresh_from_db()
    assert actors["org_a"].status == OrgStatus.ACTIVE and not Penalty.objects.exists()
    response = client.post(url, {**PENALTY, "kind": "registration_cancelled", "confirm_ending": "on"})
    assert response.status_code == 302
    actors["org_a"].refresh_from_db()
    assert actors["org_a"].status == OrgStatus.REGISTRATION_CANCELLED


def test_another_department_may_be_the_deciding_body(actors, en, time_machine):
    at(time_machine, TODAY)
    en("officer_zhuhai").post(f"{M}/orgs/{actors['org_a'].uscc}/penalties/new/",
                              {**PENALTY, "kind": "warning", "deciding_body": "珠海市市场监督管理局"})
    assert Penalty.objects.get().deciding_body == "珠海市市场监督管理局"


def test_officer_enters_a_court_defaulter_record_and_resolves_it(actors, en, time_machine,
                                                                 django_capture_on_commit_callbacks):
    at(time_machine, TODAY)
    client = en("officer_zhuhai")
    uscc = actors["org_a"].uscc
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{M}/orgs/{uscc}/records/new/", {
            "kind": "court_defaulter", "title": "被列为失信被执行人", "content": "(2026)粤0402执123号",
            "source": "中国执行信息公开网", "deciding_body": "珠海市香洲区人民法院", "occurred_on": "2026-11-01",
            "is_public": "on"})
    assert response.status_code == 302
    record = CreditRecord.objects.get()
    assert record.kind == RecordKind.COURT_DEFAULTER and record.recorded_by == actors["officer_zhuhai"]
    assert ListEntry.objects.filter(organization=actors["org_a"], list=CreditList.DISHONEST).exists()
    html = client.post(f"{M}/records/{record.pk}/resolve/", {f"r{record.pk}-resolved_on": "2026-10-01"},
                       follow=True).content.decode()
    assert "The end date must lie between the record" in html
    client.post(f"{M}/records/{record.pk}/resolve/", {f"r{record.pk}-resolved_on": "2026-11-20"})
    record.refresh_from_db()
    assert record.resolved_on == dt.date(2026, 11, 20)


def test_a_record_cannot_end_before_its_date(actors, en, time_machine):
    at(time_machine, TODAY)
    html = en("officer_zhuhai").post(f"{M}/orgs/{actors['org_a'].uscc}/records/new/", {
        "kind": "commendation", "title": "表彰", "source": "文件", "deciding_body": "市政府",
        "occurred_on": "2026-11-01", "valid_until": "2026-10-01"}).content.decode()
    assert "The record cannot end before its date." in html and not CreditRecord.objects.exists()


def test_running_the_rules_for_one_organization_shows_the_counts(actors, fine, en, time_machine):
    at(time_machine, TODAY)
    fine()  # on_commit does not run here: the notice waits for the button
    response = en("officer_zhuhai").post(f"{M}/orgs/{actors['org_a'].uscc}/evaluate/", follow=True)
    html = response.content.decode()
    assert "The credit rules have run for this organization: 1 new notice(s)" in html
    assert ListEntry.objects.filter(organization=actors["org_a"]).count() == 1
    assert 'data-testid="runs"' in html and "officer_zh" in html


def test_org_lookup_finds_organizations_of_the_jurisdiction_only(actors, en):
    html = en("officer_zhuhai").get(f"{M}/orgs/?q=测试").content.decode()
    assert "珠海市测试甲行业协会" in html and "佛山市测试丙协会" not in html
    html = en("officer_foshan").get(f"{M}/orgs/?q=测试").content.decode()
    assert "佛山市测试丙协会" in html and "珠海市测试甲行业协会" not in html


# --- banned illegal organizations ------------------------------------------------------------


BANNED = {"name": "珠海市某某非法协会", "uscc": "", "decision_number": "珠民取字〔2026〕1号", "banned_on": "2026-11-10",
          "facts": "未经登记以社会组织名义开展活动", "legal_basis": "《取缔非法民间组织暂行办法》第二条"}


def test_officer_records_a_banned_organization_in_the_jurisdiction(actors, en, time_machine):
    at(time_machine, TODAY)
    client = en("officer_zhuhai")
    response = client.post(f"{M}/banned/new/", {**BANNED, "region": "440402"}, follow=True)
    assert "The banning of 珠海市某某非法协会 has been recorded." in response.content.decode()
    banned = BannedOrganization.objects.get()
    assert banned.region_id == "440402" and banned.recorded_by == actors["officer_zhuhai"]
    assert "珠海市某某非法协会" in client.get(f"{M}/banned/").content.decode()
    assert "珠海市某某非法协会" not in en("officer_foshan").get(f"{M}/banned/").content.decode()


def test_a_banning_outside_the_jurisdiction_or_with_a_bad_code_is_refused(actors, en, time_machine):
    at(time_machine, TODAY)
    client = en("officer_foshan")
    html = client.post(f"{M}/banned/new/", {**BANNED, "region": "440402"}).content.decode()
    assert "Select a valid choice" in html
    html = client.post(f"{M}/banned/new/", {**BANNED, "region": "440604", "uscc": "12345"}).content.decode()
    assert "Not a valid unified social credit code" in html
    assert not BannedOrganization.objects.exists()


def test_worklist_queries_do_not_grow_with_the_rows(actors, fine, make_org, client_for, time_machine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    at(time_machine, TODAY)
    client = client_for("officer_zhuhai")

    def queries(tab):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{M}/?tab={tab}").status_code == 200
        return len(ctx.captured_queries)

    fine()
    engine.evaluate(today=TODAY)
    one = queries("objection")
    for i in range(3):
        fine(org=make_org(f"珠海市查询数协会{i}", region="440402"))
    engine.evaluate(today=TODAY)
    assert queries("objection") == one


def test_the_organization_credit_page_pages_its_records_and_has_no_form_per_row(actors, en, time_machine):
    at(time_machine, TODAY)
    for i in range(25):
        services.record_create(actor=actors["officer_zhuhai"], organization=actors["org_a"],
                               kind=RecordKind.COMMENDATION, title=f"表彰{i:02d}", source="文件",
                               deciding_body="市政府", occurred_on=TODAY - dt.timedelta(days=i), evaluate=False)
    client = en("officer_zhuhai")
    html = client.get(f"{M}/orgs/{actors['org_a'].uscc}/").content.decode()
    assert html.count('data-testid="record-row"') == 20
    assert "25 records, open ones first" in html and "records=2" in html
    assert 'data-testid="resolve-form"' not in html and html.count('data-testid="resolve-open"') == 20
    second = client.get(f"{M}/orgs/{actors['org_a'].uscc}/?records=2").content.decode()
    assert second.count('data-testid="record-row"') == 5


def test_a_record_is_marked_as_ended_on_its_own_page(actors, en, time_machine):
    at(time_machine, TODAY)
    record = services.record_create(actor=actors["officer_zhuhai"], organization=actors["org_a"],
                                    kind=RecordKind.COMMENDATION, title="表彰", source="文件", deciding_body="市政府",
                                    occurred_on=TODAY - dt.timedelta(days=10), evaluate=False)
    client = en("officer_zhuhai")
    page = client.get(f"{M}/records/{record.pk}/resolve/").content.decode()
    assert 'data-testid="resolve-form"' in page and "表彰" in page
    response = client.post(f"{M}/records/{record.pk}/resolve/", {f"r{record.pk}-resolved_on": TODAY.isoformat()})
    assert response["Location"] == f"{M}/orgs/{actors['org_a'].uscc}/"
    record.refresh_from_db()
    assert record.resolved_on == TODAY
    assert en("officer_foshan").get(f"{M}/records/{record.pk}/resolve/").status_code == 404
