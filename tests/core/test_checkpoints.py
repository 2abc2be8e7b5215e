"""Signed checkpoints of the audit chain's head, outside the database: deleting the newest
events is detected by ``gongxin audit verify`` (on SQLite and PostgreSQL alike)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from gongxin.core.audit import audit_record
from gongxin.core.checkpoints import checkpoint_path, checkpoint_verify, checkpoint_write, checkpoints_read
from gongxin.core.models import AuditEvent
from tests.core.test_audit import _bypass_append_only_triggers

pytestmark = pytest.mark.django_db


def _events(n, start=0):
    for i in range(start, start + n):
        audit_record(actor=None, action="test.event", object_type="x", object_id=str(i), after={"n": i})


def _verify():
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue()


def test_a_checkpoint_is_one_signed_json_line_outside_the_database(settings):
    settings.AUDIT_CHECKPOINT_KEY = "checkpoint-test-key"
    _events(3)
    written = checkpoint_write(today=dt.date(2026, 3, 2))
    head = AuditEvent.objects.order_by("-id").first()
    lines = checkpoint_path().read_text().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["date"] == "2026-03-02" and line["last_id"] == head.pk and line["last_hash"] == head.hash
    assert line["count"] == 3 and len(line["signature"]) == 64 and written.signature == line["signature"]
    # The same head is not written twice; a new head appends a line.
    assert checkpoint_write() is None
    _events(1, start=3)
    checkpoint_write(today=dt.date(2026, 3, 3))
    assert [c.date for c in checkpoints_read()[0]] == ["2026-03-02", "2026-03-03"]
    assert _verify() == (0, "OK: 4 events, chain intact; the checkpoint of 2026-03-03 (event "
                            f"{AuditEvent.objects.order_by('-id').first().pk}) matches\n")


def test_deleting_the_newest_events_is_detected_and_verify_exits_non_zero(settings):
    _events(5)
    checkpoint_write()
    last = AuditEvent.objects.order_by("-id").first()
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(id__gte=last.pk - 1).delete()  # the two newest events
    _events(1, start=100)  # and life goes on: the shorter chain links up and verifies by itself
    code, output = _verify()
    assert code == 1
    assert "CHECKPOINT FAILED: TRUNCATED" in output and f"names event {last.pk}" in output
    assert "Events at the end of the log were deleted" in output


def test_a_rewritten_head_and_an_edited_checkpoint_file_are_detected(settings):
    settings.AUDIT_CHECKPOINT_KEY = "checkpoint-test-key"
    _events(3)
    checkpoint_write()
    path = checkpoint_path()
    line = json.loads(path.read_text())
    line["count"] = 2  # an attacker lowering the count to match a shorter log
    path.write_text(json.dumps(line) + "\n")
    check = checkpoint_verify()
    assert not check.ok and "the signature does not match" in check.reason
    # Signed with another key, the file does not verify either.
    path.unlink()
    checkpoint_write()
    settings.AUDIT_CHECKPOINT_KEY = "another-key"
    assert not checkpoint_verify().ok


def test_without_a_checkpoint_yet_verify_passes_and_says_so():
    _events(2)
    assert _verify() == (0, "OK: 2 events, chain intact; no checkpoint yet (the nightly run writes one)\n")


def test_the_nightly_run_writes_the_checkpoint_after_verifying(settings):
    from gongxin.annual.nightly import nightly_run

    result = nightly_run(today=dt.date(2026, 3, 2))
    assert result["audit_checkpoint"]["ok"] and result["audit_checkpoint"]["written"]["date"] == "2026-03-02"
    head = AuditEvent.objects.order_by("-id").first()
    assert head.action == "audit.verify" and checkpoints_read()[0][-1].last_id == head.pk
    # A truncated tail: the next night reports it and certifies nothing new.
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(pk=head.pk).delete()
    again = nightly_run(today=dt.date(2026, 3, 3))
    assert not again["audit_checkpoint"]["ok"] and again["audit_checkpoint"]["written"] is None
    assert len(checkpoints_read()[0]) == 1


def test_the_officer_page_shows_the_checkpoints_and_a_failed_check(actors, client_for):
    client = client_for("officer_zhuhai")  # signing in is an event too: before the checkpoint
    client.cookies["django_language"] = "en"
    _events(2)
    checkpoint_write(today=dt.date(2026, 3, 2))
    page = client.get("/accounts/security/audit/").content.decode()
    assert 'data-testid="checkpoint-ok"' in page and "2026-03-02" in page
    head = AuditEvent.objects.order_by("-id").first()
    assert head.hash in page
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(pk=head.pk).delete()
    page = client.get("/accounts/security/audit/").content.decode()
    assert 'data-testid="checkpoint-failed"' in page and "TRUNCATED" in page
