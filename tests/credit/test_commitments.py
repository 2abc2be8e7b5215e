"""Integrity commitments (诚信自律承诺): publishing a jurisdiction's text, the text in force for
an organization (its authority or an enclosing region, the latest first), signing it once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongxin.core.models import AuditEvent, Region
from gongxin.credit.commitments import commitment_sign, commitment_text_for, commitment_text_publish
from gongxin.credit.models import CommitmentText, IntegrityCommitment
from gongxin.registry.applications import NotAllowed

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 23)
BODY = "一、依法依章程开展活动。\n二、诚信自律,公平竞争。\n三、依法公开信息,接受社会监督。"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False)


def en(client):
    client.cookies["django_language"] = "en"
    return client


def publish(actors, region="440400", actor="officer_zhuhai", effective_from=TODAY, title="珠海市社会组织诚信自律承诺书"):
    return commitment_text_publish(actor=actors[actor], region=Region.objects.get(code=region), title=title,
                                   body=BODY, effective_from=effective_from)


def test_officer_publishes_for_the_jurisdiction_and_it_is_audited(actors):
    text = publish(actors)
    assert text.region_id == "440400" and text.created_by == actors["officer_zhuhai"]
    assert AuditEvent.objects.filter(action="credit.commitment_text_publish", object_id=str(text.pk)).exists()
    district = publish(actors, region="440402", title="香洲区承诺书")
    assert district.region_id == "440402"


def test_the_foshan_officer_cannot_publish_for_zhuhai(actors):
    with pytest.raises(NotAllowed):
        publish(actors, actor="officer_foshan")
    with pytest.raises(NotAllowed):
        publish(actors, region="440000", actor="officer_zhuhai")  # nor Zhuhai's officer for the province
    assert not CommitmentText.objects.exists()


def test_a_text_cannot_be_in_force_before_it_is_published(actors):
    with pytest.raises(ValidationError) as raised:
        publish(actors, effective_from=TODAY - dt.timedelta(days=1))
    assert "effective_from" in raised.value.message_dict


def test_text_in_force_comes_from_the_authority_or_an_enclosing_region(actors):
    org_a, org_f = actors["org_a"], actors["org_foshan"]  # registered in 440402 and 440604
    assert commitment_text_for(org_a, TODAY) is None
    city = publish(actors)
    assert commitment_text_for(org_a, TODAY) == city
    assert commitment_text_for(org_f, TODAY) is None
    # The province's later text supersedes the city's; one not yet in force does not.
    province = publish(actors, region="440000", actor="admin", effective_from=TODAY + dt.timedelta(days=30))
    assert commitment_text_for(org_a, TODAY) == city
    assert commitment_text_for(org_a, TODAY + dt.timedelta(days=30)) == province
    assert commitment_text_for(org_f, TODAY + dt.timedelta(days=30)) == province
    # On the same day the more specific region's text wins.
    district = publish(actors, region="440402", effective_from=TODAY + dt.timedelta(days=30), title="香洲区")
    assert commitment_text_for(org_a, TODAY + dt.timedelta(days=30)) == district


def test_signing_is_idempotent(actors):
    text = publish(actors)
    first = commitment_sign(actor=actors["org_user_a"], organization=actors["org_a"], text=text, signatory="张伟",
                            signatory_position="法定代表人")
    again = commitment_sign(actor=actors["org_user_a"], organization=actors["org_a"], text=text, signatory="李四",
                            signatory_position="秘书长")
    assert again.pk == first.pk and again.signatory == "张伟"
    assert IntegrityCommitment.objects.count() == 1
    assert AuditEvent.objects.filter(action="credit.commitment_sign").count() == 1


def test_only_the_organization_signs_and_only_the_text_in_force(actors):
    text = publish(actors)
    with pytest.raises(NotAllowed):
        commitment_sign(actor=actors["org_user_b"], organization=actors["org_a"], text=text, signatory="张伟",
                        signatory_position="法定代表人")
    with pytest.raises(NotAllowed):  # Foshan's organization is not bound by Zhuhai's text
        commitment_sign(actor=actors["org_user_a"], organization=actors["org_a"],
                        text=publish(actors, region="440600", actor="officer_foshan"), signatory="张伟",
                        signatory_position="法定代表人")
    with pytest.raises(ValidationError) as raised:
        commitment_sign(actor=actors["org_user_a"], organization=actors["org_a"], text=text, signatory=" ",
                        signatory_position="法定代表人")
    assert "signatory" in raised.value.message_dict
    assert not IntegrityCommitment.objects.exists()


def test_officer_pages_publish_and_list(actors, client_for):
    client = en(client_for("officer_zhuhai"))
    assert 'data-testid="no-texts"' in client.get("/credit/commitments/texts/").content.decode()
    form = client.get("/credit/commitments/texts/new/").content.decode()
    assert 'value="440400"' in form and 'value="440402"' in form and 'value="440600"' not in form
    unconfirmed = client.post("/credit/commitments/texts/new/", {
        "region": "440400", "title": "承诺书", "body": BODY, "effective_from": TODAY.isoformat()})
    assert unconfirmed.status_code == 200 and not CommitmentText.objects.exists()
    response = client.post("/credit/commitments/texts/new/", {
        "region": "440400", "title": "承诺书", "body": BODY, "effective_from": TODAY.isoformat(), "confirm": "on"})
    text = CommitmentText.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/credit/commitments/texts/{text.pk}/"
    assert "承诺书" in client.get("/credit/commitments/texts/").content.decode()
    assert client_for("officer_foshan").get(f"/credit/commitments/texts/{text.pk}/").status_code == 404


def test_foshan_officer_posting_a_zhuhai_region_is_refused(actors, client_for):
    response = en(client_for("officer_foshan")).post("/credit/commitments/texts/new/", {
        "region": "440400", "title": "承诺书", "body": BODY, "effective_from": TODAY.isoformat(), "confirm": "on"})
    assert response.status_code == 200 and 'data-testid="error-region"' in response.content.decode()
    assert not CommitmentText.objects.exists()


def test_organization_signs_on_its_page_once(actors, client_for):
    client = en(client_for("org_user_a"))
    assert 'data-testid="no-current"' in client.get("/credit/commitments/sign/").content.decode()
    text = publish(actors)
    page = client.get("/credit/commitments/sign/").content.decode()
    assert 'data-testid="sign-form"' in page and text.title in page and 'data-testid="none-signed"' in page
    data = {"text": text.pk, "signatory": "张伟", "signatory_position": "法定代表人", "confirm": "on"}
    assert client.post("/credit/commitments/sign/", data).status_code == 302
    second = client.post("/credit/commitments/sign/", data, follow=True)
    assert "already signed" in second.content.decode()
    assert IntegrityCommitment.objects.count() == 1
    page = client.get("/credit/commitments/sign/").content.decode()
    assert 'data-testid="signed"' in page and 'data-testid="signed-list"' in page
    # The officer sees who signed; the Foshan officer's jurisdiction has no such text.
    detail = client_for("officer_zhuhai").get(f"/credit/commitments/texts/{text.pk}/").content.decode()
    assert actors["org_a"].name in detail


def test_a_form_for_a_superseded_text_is_refused(actors, client_for, time_machine):
    old = publish(actors)
    publish(actors, title="新承诺书", effective_from=TODAY + dt.timedelta(days=1))
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI), tick=False)
    response = en(client_for("org_user_a")).post("/credit/commitments/sign/", {
        "text": old.pk, "signatory": "张伟", "signatory_position": "法定代表人", "confirm": "on"}, follow=True)
    assert "has changed since you opened the page" in response.content.decode()
    assert not IntegrityCommitment.objects.exists()
