"""Security events in the audit log: sign-ins, failures, sign-outs, password changes, denied
requests, exports and identity views; and the retention of at least six months."""

import datetime as dt
import uuid
from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from gongxin.accounts.security import audit_identity_view
from gongxin.core.audit import audit_record, audit_verify
from gongxin.core.models import AuditEvent
from tests.accounts.security_wiring import wire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _wired(settings):
    wire(settings)
    cache.clear()  # the flood limit of denial events lives in the cache
    yield
    cache.clear()


def actions(**filters):
    return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))


def test_sign_in_failure_and_sign_out_are_recorded_with_the_address(actors):
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": "officer_zh", "password": "wrong"})
    client.post("/accounts/login/", {"username": "officer_zh", "password": "Correct-horse-9"})
    client.post("/accounts/logout/")
    events = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("id"))
    assert [e.action for e in events] == ["auth.login_failed", "auth.login", "auth.logout"]
    assert events[0].object_id == str(actors["officer_zhuhai"].pk) and events[0].actor_id is None
    assert events[0].after == {"count": 1, "window_minutes": 15}
    assert {e.ip for e in events} == {"10.1.2.3"}
    assert "wrong" not in str([(e.before, e.after) for e in events])  # never the password


def test_a_password_change_is_recorded(actors, client_for):
    client_for("founder").post("/accounts/password/", {"old_password": "Correct-horse-9",
                                                       "new_password1": "Founder-New-pass-1",
                                                       "new_password2": "Founder-New-pass-1"})
    event = AuditEvent.objects.get(action="auth.password_change")
    assert event.actor_id == actors["founder"].pk and event.after == {"forced": False}


def test_a_404_on_a_known_page_is_recorded_once_per_user_and_page(actors, client_for):
    client = client_for("org_user_b")
    url = f"/exports/{uuid.uuid4()}/"  # someone else's export, or none: the same 404
    for _ in range(3):
        assert client.get(url).status_code == 404
    events = AuditEvent.objects.filter(action="security.not_found")
    assert events.count() == 1
    event = events.get()
    assert event.actor_id == actors["org_user_b"].pk and event.object_type == "url"
    assert event.object_id == "export_status"
    assert event.after == {"path": url, "method": "GET", "status": 404}
    # Another page, or another user on the same page, is a new event.
    client.get(f"/exports/{uuid.uuid4()}/")
    client_for("org_user_a").get(url)
    assert AuditEvent.objects.filter(action="security.not_found").count() == 3


def test_an_out_of_scope_object_is_recorded(actors, client_for):
    org_a = actors["org_a"]
    # A Zhuhai organization's credit page, asked for by the Foshan officer: 404, no existence leak.
    assert client_for("officer_foshan").get(f"/credit/manage/orgs/{org_a.uscc}/").status_code == 404
    event = AuditEvent.objects.get(action="security.not_found")
    assert event.actor_id == actors["officer_foshan"].pk and event.object_id == "credit:manage_org"
    assert event.after["path"] == f"/credit/manage/orgs/{org_a.uscc}/"


def test_a_403_is_recorded(actors):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors["org_user_a"])
    assert client.post("/accounts/export/", {"q": ""}).status_code == 403  # no CSRF token
    event = AuditEvent.objects.get(action="security.denied")
    assert event.actor_id == actors["org_user_a"].pk
    assert event.object_id == "accounts:export_organizations" and event.after["method"] == "POST"


def test_anonymous_visitors_mistyped_addresses_and_static_files_are_not_recorded(actors, client_for):
    assert Client().get(f"/exports/{uuid.uuid4()}/").status_code == 302  # to the login page
    assert Client().get("/orgs/91440400MA0000000X/").status_code == 404
    client = client_for("officer_zhuhai")
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/static/no-such-file.css").status_code == 404
    assert not actions(action__startswith="security.")


def test_exports_are_recorded(actors, client_for):
    client_for("officer_zhuhai").post("/accounts/export/", {"q": "协会"})
    event = AuditEvent.objects.get(action="export.request")
    assert event.actor_id == actors["officer_zhuhai"].pk and event.after["params"]["q"] == "协会"


def test_identity_views_are_recorded_every_time(actors):
    org = actors["org_a"]
    audit_identity_view(actors["officer_zhuhai"], org, field="legal_representative")
    audit_identity_view(actors["officer_zhuhai"], org, field="legal_representative")
    events = AuditEvent.objects.filter(action="security.identity_view")
    assert events.count() == 2
    assert events.first().after == {"field": "legal_representative"} and events.first().object_id == str(org.pk)


def test_events_seven_months_old_are_kept_and_verified(actors):
    seven_months_ago = timezone.now() - dt.timedelta(days=213)
    with time_machine.travel(seven_months_ago, tick=False):
        old = audit_record(actor=actors["admin"], action="auth.login", obj=actors["admin"])
    audit_record(actor=actors["admin"], action="auth.logout", obj=actors["admin"])
    # Append-only: nothing, however old, can be removed (the database refuses), so a
    # retention of at least six months holds by construction.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=183)).delete()
    assert AuditEvent.objects.filter(pk=old.pk, created_at=seven_months_ago).exists()
    result = audit_verify()
    assert result.ok and result.checked == AuditEvent.objects.count()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith(f"OK: {AuditEvent.objects.count()} events")
