"""Performance evaluation and function transfers: the standard indicator set, scoring by the
department or an assigned third-party evaluator, the rating and the credit record it writes,
stale and out-of-range scores; transfers with their 3-year guidance period, the revocation a
failed evaluation offers, and no revocation once the period is over."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongxin.accounts.models import Role, User
from gongxin.core.models import AuditEvent
from gongxin.credit.models import CreditRecord, RecordKind
from gongxin.procurement import services, steps
from gongxin.procurement.models import FunctionTransferStatus, IndicatorSet, PerformanceRating, ProjectStatus
from gongxin.registry.applications import NotAllowed
from gongxin.registry.services import StaleEdit
from tests.confirming import confirm_post
from tests.procurement.factories_projects import TODAY, at, completed, contracted, transferable_function

pytestmark = pytest.mark.django_db
W = "/procurement/work"
FULL = {"management": 20, "output": 30, "effect": 30, "satisfaction": 20}


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


def scores(total_off=0.0):
    """Full marks less ``total_off`` points taken from the output indicator."""
    return {**FULL, "output": Decimal(str(30 - total_off))}


def submit(actors, evaluation, who="purchaser", values=None, version=None, today=None):
    return services.evaluation_submit(actor=actors[who], evaluation=evaluation, scores=values or scores(7.5),
                                      comments="服务到位,档案完整。", expected_version=version or evaluation.version,
                                      today=today or evaluation.project.completed_on)


# --- indicator sets --------------------------------------------------------------------------


def test_the_standard_indicator_set_is_created_once_with_weights_adding_to_100():
    first = services.indicator_set_default(region="440400")
    again = services.indicator_set_default(region="440400")
    assert first.pk == again.pk and IndicatorSet.objects.count() == 1
    assert sum(i["weight"] for i in first.indicators) == 100
    assert [i["name"] for i in first.indicators] == ["项目管理", "服务产出", "服务效果", "服务对象满意度"]


def test_a_city_set_serves_its_districts():
    city = services.indicator_set_default(region="440400")
    assert services.indicator_set_default(region="440402").pk == city.pk


# --- scoring -----------------------------------------------------------------------------------


def test_the_department_evaluates_itself_and_the_credit_record_is_written(actors):
    project = completed(actors)
    evaluation = services.evaluation_assign(actor=actors["purchaser"], project=project)
    evaluation = submit(actors, evaluation)
    assert evaluation.total == Decimal("92.50") and evaluation.rating == PerformanceRating.EXCELLENT
    project.refresh_from_db()
    assert project.status == ProjectStatus.EVALUATED
    record = CreditRecord.objects.get()
    assert evaluation.credit_record == record
    assert record.organization == actors["org_a"] and record.kind == RecordKind.GOVERNMENT_SERVICE
    assert record.title == f"承接政府购买服务《{project.title}》绩效评价:优秀(92.5分)"
    assert record.deciding_body == "珠海市民政局" and record.occurred_on == project.completed_on and record.is_public
    assert "平台" in record.source
    assert AuditEvent.objects.filter(action="credit.record", object_id=str(record.pk)).exists()
    assert AuditEvent.objects.filter(action="procurement.evaluation_submit").exists()


@pytest.mark.parametrize("off, rating", [(10, "excellent"), (10.5, "good"), (20, "good"), (20.5, "pass"),
                                         (30, "pass")])
def test_the_rating_follows_the_total(actors, off, rating):
    project = completed(actors)
    evaluation = services.evaluation_assign(actor=actors["purchaser"], project=project)
    values = dict(FULL)
    values["output"] = Decimal(str(max(0, 30 - off)))
    values["effect"] = Decimal(str(30 - max(0, off - 30)))
    assert submit(actors, evaluation, values=values).rating == rating


def test_a_total_below_60_fails():
    assert services.rating_for(Decimal("59.99")) == PerformanceRating.FAIL
    assert services.rating_for(Decimal("60")) == PerformanceRating.PASS


def test_a_score_above_the_weight_is_refused(actors):
    project = completed(actors)
    evaluation = services.evaluation_assign(actor=actors["purchaser"], project=project)
    with pytest.raises(ValidationError) as exc:
        submit(actors, evaluation, values={**FULL, "management": 21})
    assert "score_management" in exc.value.message_dict


def test_acceptance_waits_for_the_last_day_of_the_service_period(actors):
    project = contracted(actors)
    end = project.contract.ends_on
    decision = steps.may_complete(actors["purchaser"], project, project.contract, end - dt.timedelta(days=1))
    assert not decision and decision.earliest == end and end.isoformat() in decision.reason
    with pytest.raises(NotAllowed) as exc:
        services.project_complete(actor=actors["purchaser"], project=project, completed_on=end - dt.timedelta(days=1),
                                  expected_version=project.version, today=end - dt.timedelta(days=1))
    assert end.isoformat() in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:  # on the day, but dated before it
        services.project_complete(actor=actors["purchaser"], project=project, completed_on=end - dt.timedelta(days=1),
                                  expected_version=project.version, today=end)
    assert "completed_on" in exc.value.message_dict
    project = services.project_complete(actor=actors["purchaser"], project=project, completed_on=end,
                                        expected_version=project.version, today=end)
    assert project.status == ProjectStatus.COMPLETED


def test_the_workspace_disables_acceptance_with_the_date_it_opens(actors, en):
    project = contracted(actors)  # the service period ends in 2027; "today" is 2026-03-02
    html = en("purchaser").get(f"{W}/projects/{project.pk}/").content.decode()
    assert 'data-testid="complete-not-yet"' in html and project.contract.ends_on.isoformat() in html
    assert 'data-testid="milestone-not-yet"' not in html  # no milestone yet


def test_no_evaluation_is_scored_before_the_completion_date(actors):
    project = completed(actors)
    evaluation = services.evaluation_assign(actor=actors["purchaser"], project=project)
    day_before = project.completed_on - dt.timedelta(days=1)
    decision = steps.may_evaluate(actors["purchaser"], evaluation, day_before)
    assert not decision and decision.earliest == project.completed_on
    with pytest.raises(NotAllowed):
        submit(actors, evaluation, today=day_before)
    assert not CreditRecord.objects.exists()
    assert submit(actors, evaluation, today=project.completed_on).status == "submitted"


def test_a_stale_evaluation_is_refused(actors):
    project = completed(actors)
    evaluation = services.evaluation_assign(actor=actors["purchaser"], project=project)
    with pytest.raises(StaleEdit):
        submit(actors, evaluation, version=evaluation.version + 1)


def test_an_assigned_third_party_evaluator_scores_and_the_department_does_not(actors, en, time_machine):
    project = completed(actors)
    at(time_machine, project.completed_on)
    evaluation = services.evaluation_assign(actor=actors["purchaser"], project=project,
                                            evaluator=actors["evaluator"])
    with pytest.raises(NotAllowed):
        submit(actors, evaluation, who="purchaser")
    html = en("evaluator").get(f"{W}/evaluations/").content.decode()
    assert project.title in html
    page = en("evaluator").get(f"{W}/evaluations/{evaluation.pk}/")
    assert page.status_code == 200 and 'data-testid="evaluation-form"' in page.content.decode()
    data = {f"score_{k}": v for k, v in FULL.items()}
    client = en("evaluator")
    url = f"{W}/evaluations/{evaluation.pk}/"
    posted = {**data, "score_output": "10", "comments": "产出不足", "version": evaluation.version}
    asked = client.post(url, posted).content.decode()
    assert 'data-testid="confirmation"' in asked and "80.00" in asked and "Good" in asked
    evaluation.refresh_from_db()
    assert evaluation.status == "assigned"  # not yet: the confirmation page changed nothing
    response = confirm_post(client, url, posted)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("80.00") and evaluation.rating == "good"
    other = User.objects.create(username="eval2", role=Role.EVALUATOR)
    client = en("evaluator")
    client.force_login(other)
    assert client.get(f"{W}/evaluations/{evaluation.pk}/").status_code == 404


def test_only_an_evaluator_account_can_be_assigned(actors):
    project = completed(actors)
    with pytest.raises(ValidationError):
        services.evaluation_assign(actor=actors["purchaser"], project=project, evaluator=actors["officer_zhuhai"])


# --- function transfers ----------------------------------------------------------------------


def _transfer(actors, started_on=TODAY):
    function = transferable_function()
    return services.function_transfer_create(actor=actors["purchaser"], function=function,
                                             organization=actors["org_a"], started_on=started_on)


def test_a_transfer_has_a_three_year_guidance_period_and_is_created_once(actors):
    transfer = _transfer(actors)
    assert transfer.guidance_until == dt.date(2029, 3, 2) and transfer.department == actors["purchaser"].department
    assert _transfer(actors).pk == transfer.pk


def test_a_purchaser_of_another_department_cannot_transfer_the_function(actors):
    function = transferable_function(department="珠海市卫生健康局", code="F002")
    with pytest.raises(NotAllowed):
        services.function_transfer_create(actor=actors["purchaser"], function=function,
                                          organization=actors["org_a"], started_on=TODAY)


def test_a_failed_evaluation_offers_revocation(actors, en):
    transfer = _transfer(actors, started_on=TODAY - dt.timedelta(days=30))
    project = completed(actors, function=transfer.function)
    evaluation = services.evaluation_assign(actor=actors["purchaser"], project=project)
    html = en("purchaser").get(f"{W}/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="revocation-offered"' not in html
    submit(actors, evaluation, values={"management": 10, "output": 15, "effect": 15, "satisfaction": 10})
    html = en("purchaser").get(f"{W}/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="revocation-offered"' in html and "Fail" in html
    assert 'data-testid="revocation-offered"' in en("purchaser").get(f"{W}/projects/{project.pk}/").content.decode()
    response = en("purchaser").post(f"{W}/transfers/{transfer.pk}/revoke/", {
        "reason": "绩效评价不合格", "confirm": "on", "version": transfer.version})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == FunctionTransferStatus.REVOKED and transfer.revoked_on == TODAY


def test_revocation_after_the_guidance_period_is_refused(actors, en):
    transfer = _transfer(actors, started_on=dt.date(2022, 1, 10))
    assert transfer.guidance_until == dt.date(2025, 1, 10)
    with pytest.raises(NotAllowed) as exc:
        services.function_transfer_revoke(actor=actors["purchaser"], transfer=transfer, reason="x",
                                          expected_version=transfer.version)
    assert "2025-01-10" in " ".join(exc.value.messages)
    html = en("purchaser").get(f"{W}/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="guidance-over"' in html and 'data-testid="revoke-form"' not in html
    transfer.refresh_from_db()
    assert transfer.status == FunctionTransferStatus.ACTIVE


def test_the_last_day_of_the_guidance_period_still_allows_revocation(actors):
    transfer = _transfer(actors, started_on=dt.date(2023, 3, 2))
    assert transfer.guidance_until == TODAY
    transfer = services.function_transfer_revoke(actor=actors["purchaser"], transfer=transfer, reason="履职不力",
                                                 expected_version=transfer.version)
    assert transfer.status == FunctionTransferStatus.REVOKED
