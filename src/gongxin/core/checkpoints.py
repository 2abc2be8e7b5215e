"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain (core/audit.py) shows an event changed or removed in the middle: every later
link breaks. Removing the newest events leaves a shorter chain that verifies. So once a night
the head is published: the date, the last event's id and hash, the number of events up to it,
signed with an HMAC, appended as one JSON line to a file in ``settings.AUDIT_CHECKPOINT_DIR``
(``GONGXIN_AUDIT_CHECKPOINT_DIR``), a place the database's users cannot write. ``gongxin
audit verify`` then checks the database against the newest checkpoint: if the event it names is
gone, or changed, or fewer events lead up to it, the tail was truncated or rewritten.

The key is ``GONGXIN_AUDIT_CHECKPOINT_KEY``; without it one derived from the secret key, with a
warning (someone holding the secret key could then re-sign a forged file). Keep the directory
append-only (``chattr +a``) and copy the file off the machine (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gongxin.core.models import AuditEvent

logger = logging.getLogger(__name__)

FILE_NAME = "audit-checkpoints.jsonl"
_SIGNED = ("date", "last_id", "last_hash", "count", "created_at")


@dataclass(frozen=True)
class Checkpoint:
    date: str
    last_id: int
    last_hash: str
    count: int
    created_at: str
    signature: str


@dataclass(frozen=True)
class CheckpointCheck:
    ok: bool
    reason: str = ""
    checkpoint: Checkpoint | None = None


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def key_configured() -> bool:
    return bool(getattr(settings, "AUDIT_CHECKPOINT_KEY", ""))


_warned = False


def _key() -> bytes:
    global _warned
    if key_configured():
        return settings.AUDIT_CHECKPOINT_KEY.encode()
    if not _warned:
        _warned = True
        logger.warning("GONGXIN_AUDIT_CHECKPOINT_KEY is not set: audit checkpoints are signed with a key derived from "
                       "the secret key; set a key of its own (docs/security.md).")
    return hashlib.sha256(b"gongxin.audit.checkpoint\0" + settings.SECRET_KEY.encode()).digest()


def _signature(fields: dict) -> str:
    blob = json.dumps({k: fields[k] for k in _SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), blob.encode(), hashlib.sha256).hexdigest()


def checkpoints_read() -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in the file, oldest first, and the problems found (a line that is not a
    checkpoint, or whose signature does not match: the file was edited)."""
    path = checkpoint_path()
    if not path.exists():
        return [], []
    checkpoints, problems = [], []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                checkpoint = Checkpoint(**{k: data[k] for k in (*_SIGNED, "signature")})
            except (ValueError, KeyError, TypeError):
                problems.append(f"{path} line {number} is not a checkpoint")
                continue
            if not hmac.compare_digest(checkpoint.signature, _signature(asdict(checkpoint))):
                problems.append(f"{path} line {number} (checkpoint of {checkpoint.date}): the signature does not "
                                "match (the file was edited, or the key changed)")
                continue
            checkpoints.append(checkpoint)
    return checkpoints, problems


def checkpoint_write(*, today: dt.date | None = None) -> Checkpoint | None:
    """Append a signed checkpoint of the chain's current head (None when the log is empty, or
    the newest checkpoint already names the same head)."""
    head = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if head is None:
        return None
    existing, _problems = checkpoints_read()
    if existing and existing[-1].last_id == head["id"] and existing[-1].last_hash == head["hash"]:
        return None
    fields = {"date": (today or timezone.localdate()).isoformat(), "last_id": head["id"], "last_hash": head["hash"],
              # One COUNT over the table, once a night.
              "count": AuditEvent.objects.filter(id__lte=head["id"]).count(),
              "created_at": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    checkpoint = Checkpoint(**fields, signature=_signature(fields))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Append-only by construction: the file is only ever opened for appending.
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(asdict(checkpoint), sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return checkpoint


def checkpoint_verify(*, count: bool = True) -> CheckpointCheck:
    """Check the database against the newest valid checkpoint: the event it names is there with
    the same hash, and (``count``) exactly as many events lead up to it. A file with an edited
    line fails too. No checkpoint yet is not a failure (``reason`` says so)."""
    checkpoints, problems = checkpoints_read()
    if problems:
        return CheckpointCheck(False, problems[0], checkpoints[-1] if checkpoints else None)
    if not checkpoints:
        return CheckpointCheck(True, "no checkpoint yet (the nightly run writes one)")
    cp = checkpoints[-1]
    event_hash = AuditEvent.objects.filter(id=cp.last_id).values_list("hash", flat=True).first()
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    if event_hash is None:
        return CheckpointCheck(False, f"TRUNCATED: the checkpoint of {cp.date} names event {cp.last_id} "
                                      f"(hash {cp.last_hash[:16]}…), which is no longer in the database; the newest "
                                      f"event now is {newest}. Events at the end of the log were deleted.", cp)
    if event_hash != cp.last_hash:
        return CheckpointCheck(False, f"REWRITTEN: event {cp.last_id} does not have the hash the checkpoint of "
                                      f"{cp.date} recorded ({cp.last_hash[:16]}…): the log was rewritten.", cp)
    if count:
        present = AuditEvent.objects.filter(id__lte=cp.last_id).count()
        if present != cp.count:
            return CheckpointCheck(False, f"{cp.count - present} event(s) up to event {cp.last_id} are missing since "
                                          f"the checkpoint of {cp.date} ({present} of {cp.count}).", cp)
    return CheckpointCheck(True, f"the checkpoint of {cp.date} (event {cp.last_id}) matches", cp)


def checkpoint_nightly(*, today: dt.date, chain_ok: bool) -> dict:
    """The nightly step (annual/nightly.py, after the chain's verification): check the newest
    checkpoint, then publish the head, only over a chain that verified, so a checkpoint never
    certifies a broken or truncated log."""
    check = checkpoint_verify()
    if not check.ok:
        logger.error("Audit checkpoint check failed: %s", check.reason)
    written = checkpoint_write(today=today) if (chain_ok and check.ok) else None
    return {"ok": check.ok, "reason": check.reason,
            "written": asdict(written) if written else None, "file": str(checkpoint_path())}


def check_checkpoint_key(app_configs=None, **kwargs):
    """``check --deploy``: production signs checkpoints with a key of its own."""
    from django.core.checks import Warning

    if key_configured():
        return []
    return [Warning("GONGXIN_AUDIT_CHECKPOINT_KEY is not set: audit checkpoints are signed with a key derived "
                    "from the secret key.", hint="Set a random key of its own (docs/security.md, Audit).",
                    id="gongxin.W001")]
