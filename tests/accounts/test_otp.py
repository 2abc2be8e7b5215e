"""The optional second factor (TOTP): enrolment with a locally drawn QR code, the second
sign-in step, the roles that must use it, and the administrator's reset."""

import base64
import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongxin.core.models import AuditEvent
from tests.accounts.security_wiring import wire

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _wired(settings):
    wire(settings)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def code(device):
    """The code the user's app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong(device):
    return "000000" if code(device) != "000000" else "111111"


def sign_in(username="officer_zh", password="Correct-horse-9", next_url=""):
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/login/" + (f"?next={next_url}" if next_url else ""),
                           {"username": username, "password": password, "next": next_url})
    assert response.status_code == 302, response
    return client, response


PASSWORD = {"password": "Correct-horse-9"}  # the current password, asked again to set up or remove


def enrol(client):
    assert client.post("/accounts/security/otp/setup/", PASSWORD)["Location"] == "/accounts/security/"
    device = TOTPDevice.objects.get(confirmed=False)
    assert client.post("/accounts/security/otp/confirm/", {"token": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_an_officer_enrols_with_a_qr_code_drawn_on_the_server(actors, clock):
    client, _ = sign_in()
    assert client.post("/accounts/security/otp/setup/", PASSWORD).status_code == 302
    page = client.get("/accounts/security/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # no external QR service
    uri = page.split('src="data:image/svg+xml;base64,')[1].split('"')[0]
    assert base64.b64decode(uri).startswith(b"<?xml") and b"<svg" in base64.b64decode(uri)
    device = TOTPDevice.objects.get(user=actors["officer_zhuhai"])
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] in page  # the key, for typing in by hand
    assert not device.confirmed

    refused = client.post("/accounts/security/otp/confirm/", {"token": wrong(device)})
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()
    assert AuditEvent.objects.filter(action="auth.otp_enrol_failed").exists()
    clock.shift(dt.timedelta(seconds=5))  # past django-otp's 1-second throttle after a failure
    assert client.post("/accounts/security/otp/confirm/", {"token": code(device)})["Location"] == \
        "/accounts/security/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth.otp_enrol", actor_id=actors["officer_zhuhai"].pk).exists()
    # Confirming proved the factor: this session goes on without a second prompt.
    assert client.get("/accounts/").status_code == 200


def test_a_new_setup_replaces_an_unconfirmed_one(actors, clock):
    client, _ = sign_in()
    client.post("/accounts/security/otp/setup/", PASSWORD)
    first = TOTPDevice.objects.get()
    client.post("/accounts/security/otp/setup/", PASSWORD)
    assert list(TOTPDevice.objects.values_list("confirmed", flat=True)) == [False]
    assert TOTPDevice.objects.get().pk != first.pk


def test_roles_without_the_second_factor_cannot_enrol(actors, client_for):
    for name in ("org_user_a", "founder", "purchaser", "evaluator", "sponsor"):
        assert client_for(name).post("/accounts/security/otp/setup/").status_code == 404, name
    page = client_for("org_user_a").get("/accounts/security/").content.decode()
    assert 'data-testid="otp-not-offered"' in page
    assert not TOTPDevice.objects.exists()


def test_once_enrolled_signing_in_asks_for_the_code(actors, clock):
    client, _ = sign_in()
    device = enrol(client)
    client.post("/accounts/logout/")
    clock.shift(dt.timedelta(seconds=60))

    client, response = sign_in(next_url="/credit/manage/")
    assert response["Location"] == "/credit/manage/"
    held = client.get("/credit/manage/")
    assert held.status_code == 302 and held["Location"] == "/accounts/otp/verify/?next=%2Fcredit%2Fmanage%2F"
    api = client.get("/api/v1/orgs?q=协会")
    assert api.status_code == 403 and api.json()["error"]["code"] == "otp_required"

    refused = client.post("/accounts/otp/verify/", {"token": wrong(device), "next": "/credit/manage/"})
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor_id=actors["officer_zhuhai"].pk).exists()
    clock.shift(dt.timedelta(seconds=5))
    ok = client.post("/accounts/otp/verify/", {"token": code(device), "next": "/credit/manage/"})
    assert ok.status_code == 302 and ok["Location"] == "/credit/manage/"
    assert AuditEvent.objects.filter(action="auth.otp_verified").exists()
    assert client.get("/accounts/").status_code == 200


def test_a_code_cannot_be_used_twice(actors, clock):
    client, _ = sign_in()
    device = enrol(client)
    used = code(device)  # the code that just confirmed the device
    client.post("/accounts/logout/")
    client, _ = sign_in()
    assert client.post("/accounts/otp/verify/", {"token": used}).status_code == 200
    assert client.get("/accounts/").status_code == 302


def test_wrong_codes_are_throttled_even_before_the_right_one(actors, clock):
    client, _ = sign_in()
    device = enrol(client)
    client.post("/accounts/logout/")
    clock.shift(dt.timedelta(seconds=60))
    client, _ = sign_in()
    client.post("/accounts/otp/verify/", {"token": wrong(device)})
    throttled = client.post("/accounts/otp/verify/", {"token": code(device)})
    assert throttled.status_code == 200 and "Too many wrong codes: wait 1 second," in throttled.content.decode()
    assert AuditEvent.objects.filter(action="auth.otp_failed", after__throttled=True).exists()
    clock.shift(dt.timedelta(seconds=2))
    assert client.post("/accounts/otp/verify/", {"token": code(device)}).status_code == 302


def test_a_role_that_requires_the_second_factor_is_sent_to_enrol(actors, settings, clock):
    settings.OTP_REQUIRED_ROLES = ["officer", "admin"]
    client, _ = sign_in()
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"] == "/accounts/security/"
    assert 'data-testid="otp-required"' in client.get("/accounts/security/").content.decode()
    assert client.get("/api/v1/orgs").json()["error"]["code"] == "otp_enrolment_required"
    enrol(client)
    assert client.get("/accounts/").status_code == 200
    # Others are not affected.
    other, _ = sign_in("org_a")
    assert other.get("/accounts/").status_code == 200


def test_a_required_second_factor_cannot_be_removed_by_its_user(actors, settings, clock):
    settings.OTP_REQUIRED_ROLES = "officer"
    client, _ = sign_in()
    device = enrol(client)
    clock.shift(dt.timedelta(seconds=60))
    client.post("/accounts/security/otp/remove/", {"token": code(device), **PASSWORD})
    assert TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_user_can_remove_their_own_optional_device_with_a_current_code(actors, clock):
    client, _ = sign_in()
    device = enrol(client)
    clock.shift(dt.timedelta(seconds=60))
    client.post("/accounts/security/otp/remove/", {"token": wrong(device), **PASSWORD})
    assert TOTPDevice.objects.exists()
    clock.shift(dt.timedelta(seconds=5))
    client.post("/accounts/security/otp/remove/", {"token": code(device), **PASSWORD})
    assert not TOTPDevice.objects.exists()
    assert AuditEvent.objects.filter(action="auth.otp_remove").exists()


def test_an_administrator_resets_a_lost_authenticator(actors, client_for, clock):
    client, _ = sign_in()
    enrol(client)
    officer = actors["officer_zhuhai"]
    assert client_for("officer_foshan").post(f"/accounts/security/users/{officer.pk}/otp-reset/",
                                             {"reset-confirm": "on"}).status_code == 404
    admin = client_for("admin")
    page = admin.get(f"/accounts/security/users/{officer.pk}/").content.decode()
    assert 'data-testid="otp-reset-form"' in page
    admin.post(f"/accounts/security/users/{officer.pk}/otp-reset/", {})  # no confirmation tick
    assert TOTPDevice.objects.exists()
    response = admin.post(f"/accounts/security/users/{officer.pk}/otp-reset/", {"reset-confirm": "on"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()
    event = AuditEvent.objects.get(action="auth.otp_reset")
    assert event.actor_id == actors["admin"].pk and event.object_id == str(officer.pk)
    assert event.before == {"devices": 1}
    # The officer signs in with the password alone again.
    client.post("/accounts/logout/")
    client, _ = sign_in()
    assert client.get("/accounts/").status_code == 200


def test_the_users_list_shows_who_has_an_authenticator(actors, client_for, clock):
    client, _ = sign_in()
    enrol(client)
    page = client_for("admin").get("/accounts/security/users/?q=officer").content.decode()
    assert "officer_zh" in page and "officer_fs" in page and "org_a" not in page
    assert page.count('badge text-bg-success') == 1
