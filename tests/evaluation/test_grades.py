"""Recording and cancelling evaluation grades: validity, scope, the credit record, the officer's
pages and the profile rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.core.models import AuditEvent
from gongxin.credit.models import CreditRecord, RecordKind
from gongxin.evaluation import selectors as sel
from gongxin.evaluation.models import Evaluation
from gongxin.evaluation.services import evaluation_cancel, evaluation_record, valid_until_for
from gongxin.registry.applications import NotAllowed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 6, 30, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        with translation.override("en"):
            yield


def record(actors, org="org_a", grade=4, decided_on=dt.date(2025, 12, 20), actor="officer_zhuhai", **kw):
    return evaluation_record(actor=actors[actor], organization=actors[org], grade=grade, decided_on=decided_on,
                             deciding_body=kw.get("deciding_body", "珠海市社会组织评估委员会"),
                             certificate_number=kw.get("certificate_number", "珠评2025-031"))


def test_a_grade_is_valid_five_years_less_a_day():
    assert valid_until_for(dt.date(2021, 3, 15)) == dt.date(2026, 3, 14)
    assert valid_until_for(dt.date(2024, 1, 1)) == dt.date(2028, 12, 31)
    assert valid_until_for(dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)


def test_recording_a_grade_writes_the_evaluation_the_credit_record_and_the_audit(actors):
    evaluation = record(actors)
    assert evaluation.valid_until == dt.date(2030, 12, 19) and evaluation.recorded_by == actors["officer_zhuhai"]
    assert sel.current_grade(actors["org_a"], TODAY) == evaluation
    credit = CreditRecord.objects.get(organization=actors["org_a"], kind=RecordKind.EVALUATION_GRADE)
    assert credit.title == "社会组织评估等级4A" and credit.valid_until == evaluation.valid_until
    assert credit.occurred_on == evaluation.decided_on and credit.source == "珠评2025-031"
    assert AuditEvent.objects.filter(action="evaluation.record", object_id=str(evaluation.pk)).exists()


def test_a_double_submission_records_one_grade(actors):
    first, second = record(actors), record(actors)
    assert first.pk == second.pk
    assert Evaluation.objects.count() == 1 and CreditRecord.objects.count() == 1


def test_a_future_decision_is_refused(actors):
    with pytest.raises(ValidationError) as exc:
        record(actors, decided_on=TODAY + dt.timedelta(days=1))
    assert "decided_on" in exc.value.message_dict


def test_the_foshan_officer_cannot_record_a_zhuhai_grade(actors):
    with pytest.raises(NotAllowed):
        record(actors, actor="officer_foshan")
    with pytest.raises(NotAllowed):
        record(actors, actor="org_user_a")
    assert not Evaluation.objects.exists()


def test_cancelling_ends_the_grade_and_its_credit_record(actors):
    evaluation = record(actors)
    with pytest.raises(ValidationError):
        evaluation_cancel(actor=actors["officer_zhuhai"], evaluation=evaluation, reason="")
    with pytest.raises(NotAllowed):
        evaluation_cancel(actor=actors["officer_foshan"], evaluation=evaluation, reason="错误")
    cancelled = evaluation_cancel(actor=actors["officer_zhuhai"], evaluation=evaluation, reason="评估委员会撤销等级")
    assert cancelled.cancelled_on == TODAY and sel.current_grade(actors["org_a"], TODAY) is None
    assert CreditRecord.objects.get(kind=RecordKind.EVALUATION_GRADE).resolved_on == TODAY
    with pytest.raises(NotAllowed):
        evaluation_cancel(actor=actors["officer_zhuhai"], evaluation=evaluation, reason="again")


def test_profile_rows_put_the_current_grade_first(actors):
    org = actors["org_a"]
    old = record(actors, grade=3, decided_on=dt.date(2019, 5, 1))  # expired 2024-04-30
    current = record(actors, grade=4, decided_on=dt.date(2024, 6, 1))
    later_cancelled = record(actors, grade=5, decided_on=dt.date(2026, 1, 10))
    evaluation_cancel(actor=actors["officer_zhuhai"], evaluation=later_cancelled, reason="复核改定")
    rows = sel.profile_grades(org, TODAY)
    assert [r.pk for r in rows] == [current.pk, later_cancelled.pk, old.pk]
    assert [r.state for r in rows] == ["current", "cancelled", "expired"]
    assert sel.profile_grades(actors["org_b"], TODAY) == []


def test_the_grade_badge_shows_the_grade_and_its_validity(actors):
    from django.template.loader import render_to_string

    record(actors)
    rows = sel.profile_grades(actors["org_a"], TODAY)
    html = render_to_string("evaluation/includes/grade_badge.html", {"evaluation": rows[0]})
    assert "4A" in html and "2030-12-19" in html
    section = render_to_string("evaluation/includes/profile_section.html", {"rows": rows})
    assert 'data-testid="grade-row"' in section


# --- pages -----------------------------------------------------------------------------------


def test_the_officer_records_a_grade_by_code(actors, client_for):
    client = client_for("officer_zhuhai")
    assert client.get("/evaluation/new/").status_code == 200
    response = client.post("/evaluation/new/", {
        "uscc": actors["org_b"].uscc.lower(), "grade": 3, "decided_on": "2026-03-01",
        "deciding_body": "珠海市社会组织评估委员会", "certificate_number": ""})
    assert response.status_code == 302 and response["Location"] == f"/evaluation/?q={actors['org_b'].uscc}"
    assert Evaluation.objects.get().organization == actors["org_b"]


def test_an_organization_outside_the_jurisdiction_is_not_found_by_code(actors, client_for):
    response = client_for("officer_zhuhai").post("/evaluation/new/", {
        "uscc": actors["org_foshan"].uscc, "grade": 3, "decided_on": "2026-03-01", "deciding_body": "佛山市评估委员会"})
    assert response.status_code == 200 and "uscc" in response.context["form"].errors
    assert not Evaluation.objects.exists()


def test_the_list_is_scoped_filtered_and_searchable(actors, client_for):
    record(actors, grade=4)
    old = record(actors, org="org_b", grade=2, decided_on=dt.date(2020, 1, 1))
    record(actors, org="org_foshan", grade=5, actor="officer_foshan")
    client = client_for("officer_zhuhai")
    assert client.get("/evaluation/").context["page"].paginator.count == 2
    assert [e.pk for e in client.get("/evaluation/?state=expired").context["page"].object_list] == [old.pk]
    assert client.get("/evaluation/?grade=4").context["page"].paginator.count == 1
    assert client.get("/evaluation/?state=in_force").context["page"].paginator.count == 1
    assert [e.organization.name for e in client.get("/evaluation/?q=学会").context["page"].object_list] == [
        "珠海市测试乙学会"]
    assert client.get("/evaluation/?q=学").status_code == 400
    assert client_for("officer_foshan").get("/evaluation/").context["page"].paginator.count == 1


def test_the_export_is_queued_and_scoped(actors, client_for):
    from gongxin.core.exports import EXPORTERS

    record(actors)
    record(actors, org="org_foshan", grade=5, actor="officer_foshan")
    response = client_for("officer_zhuhai").post("/evaluation/export/", {"state": "in_force"})
    assert response.status_code == 302 and response["Location"].startswith("/exports/")
    data = EXPORTERS["evaluation_grades"](actors["officer_zhuhai"], {"state": "in_force"})
    rows = list(data.rows)
    assert data.total == 1 and rows[0][0] == actors["org_a"].name and rows[0][3] == "4A"


def test_cancel_needs_confirmation_and_is_404_outside_the_jurisdiction(actors, client_for):
    evaluation = record(actors)
    assert client_for("officer_foshan").get(f"/evaluation/{evaluation.pk}/cancel/").status_code == 404
    client = client_for("officer_zhuhai")
    assert client.post(f"/evaluation/{evaluation.pk}/cancel/", {"reason": "撤销"}).status_code == 200
    evaluation.refresh_from_db()
    assert evaluation.cancelled_on is None
    response = client.post(f"/evaluation/{evaluation.pk}/cancel/", {"reason": "撤销", "confirm": "on"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.cancelled_on == TODAY


def test_a_grade_recorded_here_makes_the_qualification_grade_check_pass(actors):
    from gongxin.procurement.eligibility import check_grade

    assert not check_grade(actors["org_a"], 3, TODAY).passed
    record(actors, grade=3)
    assert check_grade(actors["org_a"], 3, TODAY).passed
