"""Accounts whose password someone else chose must change it before anything else."""

import pytest
from django.test import Client

from gongxin.accounts.models import User
from gongxin.accounts.services import demo_accounts_ensure
from gongxin.core.models import AuditEvent
from tests.accounts.security_wiring import wire

pytestmark = pytest.mark.django_db

NEW = "Zhuhai-Gongxin-42x"


@pytest.fixture(autouse=True)
def _wired(settings):
    wire(settings)


@pytest.fixture
def held(actors):
    """The Zhuhai officer, signed in, with a password an administrator handed out."""
    User.objects.filter(pk=actors["officer_zhuhai"].pk).update(must_change_password=True)
    client = Client()
    client.force_login(actors["officer_zhuhai"])
    return client


def change(client, new=NEW, **extra):
    return client.post("/accounts/password/", {"old_password": "Correct-horse-9", "new_password1": new,
                                               "new_password2": new, **extra})


def test_every_page_sends_the_user_to_the_password_change_first(held):
    response = held.get("/credit/manage/?status=open")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/?next=%2Fcredit%2Fmanage%2F%3Fstatus%3Dopen"
    assert held.get("/accounts/")["Location"] == "/accounts/password/"
    assert held.post("/accounts/export/", {"q": ""})["Location"] == "/accounts/password/"
    page = held.get("/accounts/password/")
    assert page.status_code == 200
    assert 'data-testid="password-change-required"' in page.content.decode()


def test_signing_out_switching_language_and_static_files_still_work(held):
    assert held.post("/i18n/setlang/", {"language": "en", "next": "/accounts/password/"})["Location"] == \
        "/accounts/password/"
    assert held.get("/static/gongxin/app.css").status_code == 200
    assert held.post("/accounts/logout/")["Location"] == "/orgs/"


def test_the_api_answers_403_in_its_error_shape(held):
    response = held.get("/api/v1/orgs?q=协会")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"
    assert response.json()["error"]["message"]


def test_after_the_change_the_user_goes_on_to_the_page_they_asked_for(held, actors):
    response = change(held, next="/accounts/security/")
    assert response.status_code == 302 and response["Location"] == "/accounts/security/"
    user = User.objects.get(pk=actors["officer_zhuhai"].pk)
    assert not user.must_change_password and user.password_changed_at is not None
    assert held.get("/accounts/").status_code == 200
    event = AuditEvent.objects.filter(action="auth.password_change").last()
    assert event.actor_id == user.pk and event.after == {"forced": True}


def test_the_new_password_must_differ_from_the_handed_out_one(held):
    response = change(held, new="Correct-horse-9")
    assert response.status_code == 200
    assert User.objects.get(username="officer_zh").must_change_password


def test_the_next_parameter_cannot_send_the_user_off_site(held):
    assert change(held, next="https://evil.example/")["Location"] == "/accounts/"


def test_signing_in_with_a_handed_out_password_leads_to_the_change(actors):
    User.objects.filter(username="founder").update(must_change_password=True)
    client = Client()
    response = client.post("/accounts/login/", {"username": "founder", "password": "Correct-horse-9"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password/"


def test_seeded_accounts_outside_demo_mode_must_change_their_password(actors, settings):
    settings.DEMO = False
    created = {username for username, _role, _password in demo_accounts_ensure()}
    assert created and set(User.objects.filter(username__in=created, must_change_password=True)
                           .values_list("username", flat=True)) == created


def test_demo_accounts_keep_the_published_password_without_a_forced_change(actors, settings):
    settings.DEMO = True
    created = {username for username, _role, _password in demo_accounts_ensure()}
    assert created and not User.objects.filter(username__in=created, must_change_password=True).exists()


def test_an_administrator_can_require_a_new_password(actors, client_for):
    target = actors["org_user_a"]
    admin = client_for("admin")
    response = admin.post(f"/accounts/security/users/{target.pk}/require-password-change/", {"password-confirm": "on"})
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).must_change_password
    event = AuditEvent.objects.get(action="auth.password_change_required")
    assert event.actor_id == actors["admin"].pk and event.object_id == str(target.pk)
    assert client_for("org_user_a").get("/credit/my/")["Location"].startswith("/accounts/password/")


def test_requiring_a_new_password_needs_the_confirmation_tick(actors, client_for):
    target = actors["org_user_a"]
    client_for("admin").post(f"/accounts/security/users/{target.pk}/require-password-change/", {})
    assert not User.objects.get(pk=target.pk).must_change_password
    assert not AuditEvent.objects.filter(action="auth.password_change_required").exists()
