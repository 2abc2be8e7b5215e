from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction  # noqa: F401  (connection: skipif)

from gongxin.core.audit import GENESIS, audit_record, audit_verify
from gongxin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _three_events():
    for i in range(3):
        audit_record(actor=None, action="test.event", object_type="x", object_id=str(i), after={"n": i, "名": "协会"})


def _bypass_append_only_triggers():
    """Tests that tamper must get past the triggers, as an attacker with DDL rights would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")


def test_chain_links_each_event_to_the_previous_and_verifies():
    _three_events()
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    result = audit_verify()
    assert result.ok and result.checked == 3


def test_update_and_delete_are_refused_by_the_database():
    _three_events()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(object_id="1").update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(object_id="1").delete()


def test_verify_finds_a_tampered_row():
    _three_events()
    _bypass_append_only_triggers()
    target = AuditEvent.objects.get(object_id="1")
    AuditEvent.objects.filter(pk=target.pk).update(after={"n": 99, "名": "协会"})
    result = audit_verify()
    assert not result.ok
    assert result.broken_id == target.pk
    assert result.checked == 1


def test_verify_finds_a_deleted_row():
    _three_events()
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(object_id="1").delete()
    result = audit_verify()
    assert result.broken_id == AuditEvent.objects.get(object_id="2").pk


def test_cli_reports_first_broken_link_and_exits_1():
    _three_events()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "3 events" in out.getvalue()
    _bypass_append_only_triggers()
    target = AuditEvent.objects.get(object_id="2")
    AuditEvent.objects.filter(pk=target.pk).update(actor_label="someone else")
    err = StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert info.value.code == 1
    assert f"event {target.pk}" in err.getvalue()


def test_login_and_failed_login_are_audited(client, actors):
    client.post("/accounts/login/", {"username": "officer_zh", "password": "wrong"})
    client.post("/accounts/login/", {"username": "officer_zh", "password": "Correct-horse-9"})
    actions = list(AuditEvent.objects.filter(action__startswith="auth.").values_list("action", "object_id"))
    assert ("auth.login_failed", str(actors["officer_zhuhai"].pk)) in actions
    assert ("auth.login", str(actors["officer_zhuhai"].pk)) in actions


def test_payloads_that_storage_rewrites_still_verify():
    # jsonb turns 1e16 into an integer and -0.0 into 0; inet compresses IPv6.
    audit_record(actor=None, action="test.floats", after={"x": 1e16, "y": -0.0, "z": [0.1, 2.5]},
                 ip="2001:0db8:0000:0000:0000:0000:0000:0001")
    import datetime as dt
    from decimal import Decimal

    audit_record(actor=None, action="test.types", before={"d": dt.date(2026, 7, 1), "m": Decimal("10.50")})
    assert audit_verify().ok


def test_two_events_cannot_link_to_the_same_predecessor():
    _three_events()
    last = AuditEvent.objects.order_by("-id").first()
    fork = AuditEvent(created_at=last.created_at, action="fork", prev_hash=last.prev_hash, hash="f" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        fork.save(force_insert=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_on_postgresql():
    _three_events()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent")
