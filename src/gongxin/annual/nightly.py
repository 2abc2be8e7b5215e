"""The supervision module's nightly run, in dependency order: first the facts (missing reports,
overdue rectifications), then the dormancy scan and the credit rule engine that read them, the
purge of files past their retention period (core.retention), and finally the audit chain's
verification and its signed checkpoint (core/checkpoints.py). Every step is idempotent, so
rerunning a night (after a crash, or twice by mistake) changes nothing.

Run it from cron or a systemd timer (docs/deploy.md): ``gongxin nightly`` runs it in the
calling process; ``gongxin nightly --enqueue`` hands it to the task worker."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from gongxin.core.audit import audit_record, audit_verify
from gongxin.core.checkpoints import checkpoint_nightly

logger = logging.getLogger(__name__)


def nightly_run(*, today: dt.date | None = None) -> dict:
    from gongxin.annual.dormancy import dormancy_scan
    from gongxin.annual.inspections import rectifications_mark_overdue
    from gongxin.annual.services import facts_record_missing
    from gongxin.core.taskrecovery import tasks_recover

    # First: tasks a dead worker left running are failed and, when safe, queued again.
    recovered = tasks_recover()
    today = today or timezone.localdate()
    missing = facts_record_missing(today=today)
    with transaction.atomic():
        audit_record(actor=None, action="annual.facts_missing", object_type="annual.supervisionfact",
                     after={"today": today.isoformat(), "created": missing})
    overdue = rectifications_mark_overdue(today)
    scan = dormancy_scan(today=today)
    # Last: the credit rules read the facts recorded above.
    from gongxin.credit.engine import evaluate

    credit = evaluate(today=today)
    # Files past their retention period (exports, import uploads, superseded attachments).
    from gongxin.core.retention import retention_purge

    purged = retention_purge()
    # The audit chain is verified every night (a tampered or deleted event is reported by id).
    chain = audit_verify()
    if not chain.ok:
        logger.error("Audit chain broken at event %s: %s", chain.broken_id, chain.reason)
    with transaction.atomic():
        audit_record(actor=None, action="audit.verify", object_type="core.auditevent",
                     after={"checked": chain.checked, "ok": chain.ok, "broken_id": chain.broken_id})
    # Then the chain's head is published outside the database (a truncated tail shows).
    checkpoint = checkpoint_nightly(today=today, chain_ok=chain.ok)
    return {"today": today.isoformat(), "tasks_recovered": [r.task_id for r in recovered],
            "report_missing_facts": missing, "rectifications_overdue": overdue,
            "dormancy": dataclasses.asdict(scan), "credit": credit.counts, "retention": purged,
            "audit": {"checked": chain.checked, "ok": chain.ok, "broken_id": chain.broken_id, "reason": chain.reason},
            "audit_checkpoint": checkpoint}


@task()
def supervision_nightly(today: str = "") -> dict:
    return nightly_run(today=dt.date.fromisoformat(today) if today else None)
