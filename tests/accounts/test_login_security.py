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
    assert AuditEvent.objects.filter(action="auth.locked_out", object_id=str(actors["officer_zhuhai"].pk)).exists()


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


# --- behind the reverse proxy (GONGXIN_TRUSTED_PROXIES) -------------------------------------


def _via_proxy(password, client_address, username="officer_zh", proxy="127.0.0.1"):
    """A sign-in as nginx passes it on: from the proxy's address, the client's appended to
    X-Forwarded-For ($proxy_add_x_forwarded_for)."""
    return Client().post("/accounts/login/", {"username": username, "password": password},
                         REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=client_address)


def test_behind_the_proxy_failures_from_other_clients_do_not_lock_the_officer_out(actors, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        assert _via_proxy("wrong", f"198.51.100.{i + 1}").status_code == 200
    # Five anonymous failures from five clients: the officer, at their own address, still signs in.
    response = _via_proxy("Correct-horse-9", "203.0.113.7")
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("id")
    assert [e.ip for e in failed] == [f"198.51.100.{i + 1}" for i in range(settings.AXES_FAILURE_LIMIT)]
    assert AuditEvent.objects.get(action="auth.login").ip == "203.0.113.7"


def test_behind_the_proxy_one_client_failing_five_times_is_locked_out_alone(actors, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _via_proxy("wrong", "198.51.100.9")
    assert _via_proxy("Correct-horse-9", "198.51.100.9").status_code == 429
    assert _via_proxy("Correct-horse-9", "198.51.100.10").status_code == 302


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(actors, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    # A client talking to the server directly cannot pick a new address per attempt.
    for i in range(settings.AXES_FAILURE_LIMIT):
        _via_proxy("wrong", f"198.51.100.{i + 1}", proxy="192.0.2.66")
    assert _via_proxy("Correct-horse-9", "198.51.100.200", proxy="192.0.2.66").status_code == 429
    assert set(AuditEvent.objects.filter(action__startswith="auth.").values_list("ip", flat=True)) == {"192.0.2.66"}


def test_without_trusted_proxies_the_header_is_ignored(actors, settings):
    settings.TRUSTED_PROXIES = []
    for i in range(settings.AXES_FAILURE_LIMIT):
        _via_proxy("wrong", f"198.51.100.{i + 1}")
    assert _via_proxy("Correct-horse-9", "203.0.113.7").status_code == 429


# --- the sign-in rate limit and the aggregated failure events -----------------------------------


def test_sign_in_is_rate_limited_per_address_before_any_password_is_checked(actors, settings):
    from django.contrib.auth.signals import user_login_failed

    settings.LOGIN_RATE_LIMIT = 3
    checked = []

    def count(sender, credentials, **kwargs):
        checked.append(credentials["username"])

    user_login_failed.connect(count)
    try:
        for _ in range(3):
            assert _attempt(Client(), "wrong", ip="10.9.9.9").status_code == 200
        refused = _attempt(Client(), "wrong", ip="10.9.9.9")
        assert refused.status_code == 429 and 'data-testid="rate-limited"' in refused.content.decode()
        assert len(checked) == 3  # the fourth never reached the password check
        assert _attempt(Client(), "wrong", ip="10.9.9.10").status_code == 200  # another address
    finally:
        user_login_failed.disconnect(count)
    event = AuditEvent.objects.get(action="auth.login_rate_limited")
    assert event.ip == "10.9.9.9" and event.after == {"count": 4, "limit_per_minute": 3}


def test_repeated_failures_are_aggregated_and_an_unknown_username_is_only_hashed(actors, settings):
    from gongxin.accounts.security import username_key

    settings.AXES_FAILURE_LIMIT = 100  # this test is about the audit, not the lockout
    typed = "Tr0ub4dor&3-typed-in-the-wrong-box"
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(9):
        client.post("/accounts/login/", {"username": typed, "password": "wrong"})
    events = list(AuditEvent.objects.filter(action="auth.login_failed").order_by("id"))
    assert [e.after["count"] for e in events] == [1, 2, 4, 8]  # 9 failures, 4 events
    assert {e.object_type for e in events} == {"accounts.username_hash"}
    assert {e.object_id for e in events} == {username_key(typed)}
    assert typed not in str([(e.object_id, e.before, e.after, e.actor_label) for e in events])
    # Another address, or a known account, is counted apart; a known account is named by its id.
    Client(REMOTE_ADDR="10.0.0.10").post("/accounts/login/", {"username": typed, "password": "wrong"})
    for _ in range(3):
        client.post("/accounts/login/", {"username": "officer_zh", "password": "wrong"})
    officer = AuditEvent.objects.filter(action="auth.login_failed", object_type="accounts.user")
    assert [(e.object_id, e.after["count"]) for e in officer] == [(str(actors["officer_zhuhai"].pk), 1),
                                                                (str(actors["officer_zhuhai"].pk), 2)]
    assert AuditEvent.objects.filter(action="auth.login_failed", ip="10.0.0.10").count() == 1


def test_the_username_hash_is_keyed(settings):
    from gongxin.accounts.security import username_key

    settings.AUDIT_USERNAME_KEY = "one-key"
    first = username_key("zhang.wei")
    settings.AUDIT_USERNAME_KEY = "another-key"
    assert username_key("zhang.wei") != first and len(first) == 64
    import hashlib

    assert first != hashlib.sha256(b"zhang.wei").hexdigest()  # not a plain hash anyone can recompute


def test_the_cli_gives_the_hash_to_look_for(settings):
    from io import StringIO

    from django.core.management import call_command

    from gongxin.accounts.security import username_key

    out = StringIO()
    call_command("audit", "username-hash", "zhang.wei", stdout=out)
    assert out.getvalue().strip() == username_key("zhang.wei")
