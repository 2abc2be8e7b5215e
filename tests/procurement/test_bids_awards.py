"""Applications and awards: eligibility at submission and again at the award (a listing since
the bid refuses it with that reason), idempotent double submissions, the deadline, the
procurement start, stale awards; then contract, milestones, tracking and completion, and the
OCDS release of each step."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.core.models import AuditEvent
from gongxin.procurement import ocds, services, steps
from gongxin.procurement.models import (
    Bid,
    BidStatus,
    Milestone,
    ProjectDocument,
    ProjectStatus,
    TrackingReport,
)
from gongxin.registry.applications import NotAllowed
from gongxin.registry.services import StaleEdit
from tests.confirming import confirm_post, confirmation_fields
from tests.procurement.factories_projects import (
    TODAY,
    at,
    award_day,
    awarded,
    bid,
    contracted,
    list_abnormal,
    pdf,
    publicized,
    qualify,
)

pytestmark = pytest.mark.django_db
W = "/procurement/work"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    at(time_machine, TODAY)


@pytest.fixture
def en(client_for):
    def get(name):
        client = client_for(name)
        client.cookies["django_language"] = "en"
        return client

    return get


@pytest.fixture
def releases(monkeypatch):
    """The tags of the OCDS releases the services publish (the OCDS module's own tests check
    the releases themselves)."""
    tags = []
    monkeypatch.setattr(ocds, "release_publish", lambda *, project, tag, when=None: tags.append(tag))
    return tags


def award(actors, project, b, *, today=None, amount=Decimal("480000"), version=None):
    return services.project_award(actor=actors["purchaser"], project=project, bid=b, amount=amount,
                                  reason="综合评分第一", expected_version=version or project.version,
                                  today=today or award_day(project))


# --- bids ------------------------------------------------------------------------------------


def test_a_qualified_organization_applies_and_its_checks_are_stored(actors):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    assert b.status == BidStatus.SUBMITTED and b.eligible
    assert {c["code"] for c in b.checks} == {"active", "credit", "qualified"}
    doc = ProjectDocument.objects.get(bid=b)
    assert doc.kind == "bid" and not doc.is_public and len(doc.sha256) == 64


def test_a_double_submission_returns_the_first_bid(actors):
    project = publicized(actors)
    qualify(actors["org_a"])
    first = bid(actors, project)
    second = bid(actors, project, amount=Decimal("1000"))
    assert first.pk == second.pk and Bid.objects.count() == 1
    assert Bid.objects.get().amount == Decimal("480000")


def test_an_organization_outside_the_qualified_catalogue_is_refused_with_the_reason(actors):
    project = publicized(actors)
    with translation.override("en"), pytest.raises(NotAllowed) as exc:
        bid(actors, project)
    assert "Not in the qualified organizations catalogue" in " ".join(exc.value.messages)
    assert not Bid.objects.exists()


def test_a_bid_after_the_deadline_is_refused(actors):
    project = publicized(actors)
    qualify(actors["org_a"])
    with pytest.raises(NotAllowed) as exc:
        bid(actors, project, today=project.bid_deadline + dt.timedelta(days=1))
    assert project.bid_deadline.isoformat() in " ".join(exc.value.messages)
    assert bid(actors, project, today=project.bid_deadline).status == BidStatus.SUBMITTED  # the last day counts


def test_a_withdrawn_bid_can_be_submitted_again(actors):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    services.bid_withdraw(actor=actors["org_user_a"], bid=b, today=TODAY)
    again = bid(actors, project, amount=Decimal("470000"))
    assert again.pk == b.pk and again.status == BidStatus.SUBMITTED and again.amount == Decimal("470000")


def test_withdrawing_through_the_page_needs_a_confirmation(actors, en):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    client = en("org_user_a")
    assert 'data-testid="withdraw-form"' in client.get(f"{W}/bids/{b.pk}/withdraw/").content.decode()
    response = client.post(f"{W}/bids/{b.pk}/withdraw/", {})
    assert response.status_code == 400 and 'data-testid="error-confirm"' in response.content.decode()
    b.refresh_from_db()
    assert b.status == BidStatus.SUBMITTED
    assert client.post(f"{W}/bids/{b.pk}/withdraw/", {"confirm": "on"}).status_code == 302
    b.refresh_from_db()
    assert b.status == BidStatus.WITHDRAWN


def test_the_bid_page_shows_the_checks_first_and_takes_documents(actors, en):
    project = publicized(actors)
    client = en("org_user_a")
    html = client.get(f"{W}/opportunities/{project.pk}/").content.decode()
    assert 'data-testid="check-qualified"' in html and 'data-testid="not-eligible"' in html
    assert 'data-testid="bid-form"' not in html
    qualify(actors["org_a"])
    html = client.get(f"{W}/opportunities/{project.pk}/").content.decode()
    assert html.index('data-testid="eligibility"') < html.index('data-testid="bid-form"')
    response = client.post(f"{W}/opportunities/{project.pk}/", {
        "amount": "450000", "proposal": "十人团队", "confirm": "on", "documents": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 302
    b = Bid.objects.get()
    assert b.documents.count() == 2
    response = client.post(f"{W}/opportunities/{project.pk}/", {"amount": "1", "proposal": "x", "confirm": "on"})
    assert response.status_code == 302 and Bid.objects.count() == 1  # idempotent through the page too


def test_opportunities_list_the_region_and_above_with_the_eligibility(actors, en):
    project = publicized(actors)
    html = en("org_user_a").get(f"{W}/opportunities/").content.decode()
    assert project.title in html and 'data-testid="ineligible"' in html
    foshan = _org_user(actors["org_foshan"])
    client = en("org_user_a")
    client.force_login(foshan)
    assert project.title not in client.get(f"{W}/opportunities/").content.decode()
    assert client.get(f"{W}/opportunities/{project.pk}/").status_code == 404


def _org_user(org):
    from gongxin.accounts.models import Role, User

    return User.objects.create(username=f"u{org.pk}", role=Role.ORG_USER, organization=org)


# --- awards ----------------------------------------------------------------------------------


def test_the_award_sets_the_supplier_and_ends_the_other_bids(actors, releases):
    project = publicized(actors)
    qualify(actors["org_a"])
    qualify(actors["org_b"])
    win, lose = bid(actors, project), bid(actors, project, who="org_user_b")
    project.refresh_from_db()
    project = award(actors, project, win)
    org = actors["org_a"]
    assert project.status == ProjectStatus.AWARDED
    assert (project.awarded_organization, project.awarded_supplier_name, project.awarded_supplier_id) == (
        org, org.name, org.uscc)
    assert project.awarded_amount == Decimal("480000") and project.awarded_on == award_day(project)
    assert Bid.objects.get(pk=win.pk).status == BidStatus.AWARDED
    assert Bid.objects.get(pk=lose.pk).status == BidStatus.UNSUCCESSFUL
    assert releases == ["tender", "award"]


def test_an_award_before_procurement_starts_is_refused(actors):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    project.refresh_from_db()
    with pytest.raises(NotAllowed) as exc:
        award(actors, project, b, today=project.procurement_starts_on - dt.timedelta(days=1))
    assert award_day(project).isoformat() in " ".join(exc.value.messages)


def test_no_award_while_applications_are_open_the_day_after_the_deadline_it_opens(actors, en):
    project = publicized(actors)  # procurement starts 03-17, applications close 03-22
    qualify(actors["org_a"])
    b = bid(actors, project)
    project.refresh_from_db()
    deadline = project.bid_deadline
    with pytest.raises(NotAllowed) as exc:
        award(actors, project, b, today=deadline)
    message = " ".join(exc.value.messages)
    assert deadline.isoformat() in message and (deadline + dt.timedelta(days=1)).isoformat() in message
    decision = steps.may_award(actors["purchaser"], project, deadline)
    assert not decision and decision.earliest == deadline + dt.timedelta(days=1)
    assert steps.may_award(actors["purchaser"], project, deadline + dt.timedelta(days=1))
    project = award(actors, project, b, today=deadline + dt.timedelta(days=1))
    assert project.status == ProjectStatus.AWARDED


def test_ending_without_an_award_waits_for_the_deadline_too(actors):
    project = publicized(actors)
    with pytest.raises(NotAllowed):
        services.project_unsuccessful(actor=actors["purchaser"], project=project, reason="无申请",
                                      expected_version=project.version, today=project.bid_deadline)
    project = services.project_unsuccessful(actor=actors["purchaser"], project=project, reason="无申请",
                                            expected_version=project.version,
                                            today=project.bid_deadline + dt.timedelta(days=1))
    assert project.status == ProjectStatus.UNSUCCESSFUL


def test_the_workspace_disables_the_award_with_the_reason_and_the_date(actors, en, time_machine):
    project = publicized(actors)
    qualify(actors["org_a"])
    bid(actors, project)
    at(time_machine, project.bid_deadline)
    html = en("purchaser").get(f"{W}/projects/{project.pk}/").content.decode()
    assert 'data-testid="award-not-yet"' in html
    assert (project.bid_deadline + dt.timedelta(days=1)).isoformat() in html
    assert 'data-testid="award-form"' not in html
    at(time_machine, project.bid_deadline + dt.timedelta(days=1))
    html = en("purchaser").get(f"{W}/projects/{project.pk}/").content.decode()
    assert 'data-testid="award-form"' in html and 'data-testid="award-not-yet"' not in html


def test_a_stale_award_is_refused(actors):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    project.refresh_from_db()
    with pytest.raises(StaleEdit):
        award(actors, project, b, version=project.version - 1)
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLICIZED


def test_an_award_above_the_budget_is_refused(actors):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        award(actors, project, b, amount=project.budget + 1)
    assert "amount" in exc.value.message_dict


def test_an_organization_listed_after_bidding_is_refused_at_the_award_with_that_reason(actors, en, time_machine):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    list_abnormal(actors["org_a"], TODAY + dt.timedelta(days=3))
    project.refresh_from_db()
    with pytest.raises(NotAllowed) as exc:
        award(actors, project, b)
    message = " ".join(exc.value.messages)
    assert "abnormal" in message.lower() and actors["org_a"].name in message
    b.refresh_from_db()
    assert b.status == BidStatus.SUBMITTED
    # The workspace shows it before the purchaser tries, and the page refuses it the same way.
    at(time_machine, award_day(project))
    client = en("purchaser")
    html = client.get(f"{W}/projects/{project.pk}/").content.decode()
    assert 'data-testid="ineligible-now"' in html
    response = confirm_post(client, f"{W}/projects/{project.pk}/award/", {
        "bid": b.pk, "amount": "480000", "reason": "评分第一", "version": project.version}, follow=True)
    assert "abnormal" in response.content.decode().lower()
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLICIZED


def test_no_qualifying_bid_ends_the_procurement_unsuccessful(actors, releases):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    project.refresh_from_db()
    project = services.project_unsuccessful(actor=actors["purchaser"], project=project, reason="无符合条件的申请",
                                            expected_version=project.version, today=award_day(project))
    assert project.status == ProjectStatus.UNSUCCESSFUL
    assert Bid.objects.get(pk=b.pk).status == BidStatus.UNSUCCESSFUL
    assert releases == ["tender", "tenderUpdate"]


# --- contract, implementation, completion --------------------------------------------------


def test_the_lifecycle_to_completion_publishes_each_step(actors, releases):
    project = contracted(actors)
    assert project.status == ProjectStatus.CONTRACTED and project.contract.number == "ZHMZ-2026-001"
    assert ProjectDocument.objects.filter(project=project, kind="contract").count() == 1
    day = project.awarded_on
    m = services.milestone_add(actor=actors["purchaser"], project=project, title="第一季度服务",
                               due_on=day + dt.timedelta(days=90), payment=Decimal("120000"))
    started, end = project.contract.starts_on, project.contract.ends_on
    services.tracking_report_submit(actor=actors["org_user_a"], project=project, progress=30, content="已服务120人次",
                                    milestone=m, today=day)
    services.tracking_report_submit(actor=actors["purchaser"], project=project, progress=30, content="抽查属实",
                                    today=day)
    project.refresh_from_db()
    with pytest.raises(NotAllowed):  # a pending milestone
        services.project_complete(actor=actors["purchaser"], project=project, completed_on=end,
                                  expected_version=project.version, today=end)
    services.milestone_mark(actor=actors["purchaser"], milestone=m, status=Milestone.Status.MET, done_on=started,
                            today=started)
    project.refresh_from_db()
    project = services.project_complete(actor=actors["purchaser"], project=project, completed_on=end,
                                        expected_version=project.version, today=end)
    assert project.status == ProjectStatus.COMPLETED
    assert [r.author for r in TrackingReport.objects.order_by("id")] == ["organization", "department"]
    assert releases == ["tender", "award", "contract", "implementation", "implementation", "implementation",
                        "implementation", "implementation"]


def test_only_the_awarded_organization_reports_progress(actors, en):
    project = contracted(actors)
    qualify(actors["org_b"])
    with pytest.raises(NotAllowed):
        services.tracking_report_submit(actor=actors["org_user_b"], project=project, progress=10, content="x")
    assert en("org_user_b").post(f"{W}/projects/{project.pk}/tracking/", {
        "tracking-progress": 10, "tracking-content": "x"}).status_code == 404
    html = en("org_user_a").get(f"{W}/projects/{project.pk}/").content.decode()
    assert 'data-testid="tracking-form"' in html and 'data-testid="bids"' not in html
    response = en("org_user_a").post(f"{W}/projects/{project.pk}/tracking/", {
        "tracking-progress": 40, "tracking-content": "完成入户评估"})
    assert response.status_code == 302 and TrackingReport.objects.get().author == "organization"


def test_the_contract_cannot_exceed_the_award(actors):
    project = awarded(actors)
    with pytest.raises(ValidationError) as exc:
        services.contract_sign(actor=actors["purchaser"], project=project, number="X", signed_on=project.awarded_on,
                               amount=project.awarded_amount + 1, starts_on=project.service_starts_on,
                               ends_on=project.service_ends_on, document=pdf(), expected_version=project.version,
                               today=project.awarded_on)
    assert "amount" in exc.value.message_dict


def test_the_workspace_shows_bids_with_their_checks(actors, en):
    project = publicized(actors)
    qualify(actors["org_a"])
    bid(actors, project)
    html = en("purchaser").get(f"{W}/projects/{project.pk}/").content.decode()
    assert actors["org_a"].name in html and 'data-testid="check-qualified"' in html
    assert 'data-testid="award-not-yet"' in html  # before the procurement start


def test_the_award_asks_for_confirmation_with_a_summary_and_a_double_submit_awards_once(actors, en, time_machine):
    project = publicized(actors)
    qualify(actors["org_a"])
    b = bid(actors, project)
    project.refresh_from_db()
    at(time_machine, award_day(project))
    client = en("purchaser")
    url = f"{W}/projects/{project.pk}/award/"
    data = {"bid": b.pk, "amount": "480000", "reason": "评分第一", "version": project.version}
    page = client.post(url, data)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="confirmation"' in html
    assert actors["org_a"].name in html and "480,000.00" in html and "评分第一" in html
    assert 'data-testid="confirmation-irreversible"' in html and 'data-testid="confirm-back"' in html
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLICIZED  # the first POST changed nothing
    fields = {}
    for name, value in confirmation_fields(html):
        fields.setdefault(name, []).append(value)
    first = client.post(url, fields)
    assert first.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.AWARDED
    again = client.post(url, fields, follow=True)  # the double click
    assert "already done" in again.content.decode()
    assert AuditEvent.objects.filter(action="procurement.project_award").count() == 1
def test_a_reason_that_holds_for_every_open_project_is_said_once(actors, en):
    first = publicized(actors, title="第一个服务项目")
    second = publicized(actors, title="第二个服务项目")
    html = en("org_user_a").get(f"{W}/opportunities/").content.decode()
    assert first.title in html and second.title in html
    assert html.count('data-testid="common-reasons"') == 1
    assert 'data-testid="ineligible-reasons"' not in html  # nothing particular to either project
    assert html.count("See the reasons above.") == 2
