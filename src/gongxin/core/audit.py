"""Writing and verifying the hash-chained audit log (DESIGN.md convention 3)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gongxin.core.bulk import insert_rows
from gongxin.core.middleware import current_ip
from gongxin.core.models import AuditEvent

GENESIS = "0" * 64
# Any constant works: it names the advisory lock that serialises appends on PostgreSQL.
_PG_CHAIN_LOCK = 7_410_2026


# Only the test suite's flush after a transactional test turns this off (tests/conftest.py).
_audit_locked = True


def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("gongxin_audit_locked", 0, lambda: int(_audit_locked))


def username_key(username: str) -> str:
    """The keyed hash (HMAC-SHA256) under which a failed sign-in for a username that names no
    account is recorded (accounts.security): the raw text may be a password typed in the wrong
    box. The key is ``GONGXIN_AUDIT_USERNAME_KEY``, else one derived from the secret key
    (rotating that changes the hashes). ``gongxin audit username-hash NAME`` gives the hash of a
    name to look for."""
    secret = getattr(settings, "AUDIT_USERNAME_KEY", "") or settings.SECRET_KEY
    return salted_hmac("gongxin.audit.username", str(username), secret=secret, algorithm="sha256").hexdigest()


def _canonical(value: Any) -> Any:
    """JSON-normalise a payload so the hash computed now equals the one recomputed on read.

    Floats become strings: PostgreSQL's jsonb rewrites them (1e16 comes back as an integer,
    -0.0 as 0), which would break the hash of an untouched event. Decimals and dates are
    strings already (default=str)."""
    if value is None:
        return None

    def strip_floats(v):
        if isinstance(v, float):
            return repr(v)
        if isinstance(v, dict):
            return {str(k): strip_floats(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [strip_floats(x) for x in v]
        return v

    return strip_floats(json.loads(json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)))


def _normal_ip(ip: str | None) -> str | None:
    """The form PostgreSQL's inet gives back (it compresses IPv6), so the hash survives storage."""
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip).compressed
    except ValueError:
        return None


def _digest(event: AuditEvent) -> str:
    payload = {
        "created_at": event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Appends are serialised (an advisory lock on PostgreSQL, SQLite's single writer) so two
    concurrent writers cannot both link to the same predecessor.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        event = AuditEvent(
            created_at=timezone.now(),
            actor_id=actor.pk if authenticated else None,
            actor_label=(str(actor.username) if authenticated else "system" if actor is None else "anonymous"),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_canonical(before),
            after=_canonical(after),
            ip=_normal_ip(ip if ip is not None else current_ip()),
            prev_hash=last or GENESIS,
        )
        event.hash = _digest(event)
        event.save(force_insert=True)
    return event


def audit_record_many(*, actor, action: str, items: list[tuple[Any, Any, Any]]) -> int:
    """Append one event per ``(obj, before, after)`` in ``items`` under one chain lock and one
    bulk insert: bulk work (a rule-engine run listing thousands of organizations) audits every
    change without one round trip per event. Same chain, same digests as ``audit_record``."""
    if not items:
        return 0
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    label = str(actor.username) if authenticated else "system" if actor is None else "anonymous"
    now, ip = timezone.now(), _normal_ip(current_ip())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        rows = []
        for obj, before, after in items:
            event = AuditEvent(created_at=now, actor_id=actor.pk if authenticated else None, actor_label=label,
                               action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk),
                               before=_canonical(before), after=_canonical(after), ip=ip, prev_hash=prev)
            event.hash = prev = _digest(event)
            rows.append([getattr(event, c) if c not in ("before", "after") else _json(getattr(event, c))
                         for c in _BULK_COLUMNS])
        # Plain rows (COPY / executemany): a model instance per event through bulk_create cost
        # more than the digests (a rule-engine run appends hundreds of thousands).
        insert_rows(AuditEvent, _BULK_COLUMNS, rows)
    return len(rows)


_BULK_COLUMNS = ["created_at", "actor_id", "actor_label", "action", "object_type", "object_id", "before", "after",
                 "ip", "prev_hash", "hash"]


def _json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False)


@dataclass
class VerifyResult:
    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def audit_verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first event whose link or content does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return VerifyResult(checked=checked)
        for event in batch:
            if event.prev_hash != prev:
                return VerifyResult(checked, event.id, "previous-hash link broken (an event before it was changed or removed)")
            if _digest(event) != event.hash:
                return VerifyResult(checked, event.id, "content does not match its hash (the event was changed)")
            prev = event.hash
            checked += 1
            last_id = event.id
