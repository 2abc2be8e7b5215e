import pytest
from django.test import Client

from gongxin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _attempt(client, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": "officer_zh", "password": password}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_the_sign_in_with_a_clear_message(actors, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "wrong").status_code == 200  # the form again, with its error
    locked = _attempt(client, "wrong")
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    # Even the right password is refused while locked.
    assert _attempt(client, "Correct-horse-9").status_code == 429
    assert AuditEvent.objects.filter(action="auth.locked_out", object_id="officer_zh").exists()


def test_a_lockout_from_one_address_does_not_lock_the_user_out_elsewhere(actors, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "wrong", ip="10.0.0.66")
    response = _attempt(Client(), "Correct-horse-9", ip="10.0.0.2")
    assert response.status_code == 302 and response["Location"] == "/accounts/"


def test_a_success_resets_the_count(actors, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "wrong")
    assert _attempt(client, "Correct-horse-9").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "wrong").status_code == 200
