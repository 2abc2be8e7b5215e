"""Re-authentication: changing the password, setting up or removing an authenticator ask for
the current password, and wrong answers are counted, locked and audited like sign-in."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongxin.core.models import AuditEvent
from tests.accounts.security_wiring import wire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _wired(settings):
    wire(settings)


def _signed_in(user, ip="10.2.0.1"):
    client = Client(REMOTE_ADDR=ip)
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _change(client, old, new="Founder-New-pass-1"):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_wrong_current_passwords_at_password_change_are_audited_and_locked_like_sign_in(actors, settings):
    founder = actors["founder"]
    client = _signed_in(founder)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _change(client, "guess")
        assert response.status_code == 200 and "Your old password was entered incorrectly" in response.content.decode()
    locked = _change(client, "guess")
    assert locked.status_code == 429 and 'data-testid="locked-out"' in locked.content.decode()
    # While locked even the right password changes nothing, here or at sign-in from this address.
    assert _change(client, "Correct-horse-9").status_code == 429
    founder.refresh_from_db()
    assert founder.check_password("Correct-horse-9")
    assert Client(REMOTE_ADDR="10.2.0.1").post("/accounts/login/", {"username": "founder",
                                                                    "password": "Correct-horse-9"}).status_code == 429
    failed = AuditEvent.objects.filter(action="auth.reauth_failed").order_by("id")
    assert [e.after for e in failed] == [{"count": n, "window_minutes": 15, "purpose": "password_change"}
                                         for n in (1, 2, 4)]
    assert {(e.actor_id, e.object_id, e.ip) for e in failed} == {(founder.pk, str(founder.pk), "10.2.0.1")}
    assert AuditEvent.objects.filter(action="auth.locked_out", object_id=str(founder.pk)).exists()
    assert not AuditEvent.objects.filter(action="auth.password_change").exists()


def test_the_right_current_password_still_changes_it(actors):
    client = _signed_in(actors["founder"])
    assert _change(client, "Correct-horse-9").status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_change", actor_id=actors["founder"].pk).exists()


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def test_setting_up_an_authenticator_asks_for_the_current_password(actors, clock):
    officer = actors["officer_zhuhai"]
    client = _signed_in(officer)
    missing = client.post("/accounts/security/otp/setup/", {})
    assert missing.status_code == 400 and not TOTPDevice.objects.exists()
    wrong = client.post("/accounts/security/otp/setup/", {"password": "stolen-session-guess"})
    assert wrong.status_code == 400 and "That is not your current password" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()
    event = AuditEvent.objects.get(action="auth.reauth_failed")
    assert event.actor_id == officer.pk and event.after["purpose"] == "otp_setup"
    assert client.post("/accounts/security/otp/setup/", {"password": "Correct-horse-9"}).status_code == 302
    assert TOTPDevice.objects.filter(user=officer, confirmed=False).exists()


def test_removing_an_authenticator_asks_for_the_current_password(actors, clock):
    from django_otp.oath import totp

    officer = actors["officer_zhuhai"]
    client = _signed_in(officer)
    device = TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    from gongxin.accounts import otp

    session = client.session
    session["otp_device_id"] = device.persistent_id  # this session passed the second step
    session.save()
    assert otp.confirmed_device(officer) is not None
    current = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post("/accounts/security/otp/remove/", {"token": current, "password": "wrong"})
    assert TOTPDevice.objects.filter(confirmed=True).exists()
    assert AuditEvent.objects.filter(action="auth.reauth_failed", after__purpose="otp_remove").exists()
    client.post("/accounts/security/otp/remove/", {"token": current})  # no password at all
    assert TOTPDevice.objects.filter(confirmed=True).exists()
    client.post("/accounts/security/otp/remove/", {"token": current, "password": "Correct-horse-9"})
    assert not TOTPDevice.objects.exists()
