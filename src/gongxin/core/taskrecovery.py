"""Recovering the tasks of a task worker that died (SIGKILL, the OOM killer, a power cut).

django-tasks' database backend marks a task RUNNING when a worker claims it and SUCCESSFUL or
FAILED when the worker finishes it; a worker that dies in between leaves it RUNNING for ever, and
the job it was running (an import, an export) shows "running" to its user for ever. Nothing in
the backend notices. This module does:

- ``worker_id_new()`` names a worker after its host, boot and process (``gx1:<boot>:<host>:<pid>:
  <start>``, the process start time guarding against a reused pid); ``gongxin tasks worker`` runs
  ``db_worker`` under such a name;
- ``worker_alive(worker_id)`` answers for such a name on the same host from /proc (a zombie is
  dead); for a worker of another host or with another name it cannot tell;
- ``tasks_recover()`` takes every RUNNING task whose worker is dead — or, where that cannot be
  told, that has been running longer than the lease — marks it FAILED (``WorkerLost``, audited)
  and, for the tasks known to be safe to rerun (``RERUNNABLE``: every one of them starts afresh
  or is idempotent), enqueues it again, in the same transaction. A task lost ``MAX_ATTEMPTS``
  times is not requeued (a file that kills the worker every time must not kill it for ever): its
  job is marked failed with a message for its user.

It runs at the start of every ``gongxin tasks worker`` (a restarted worker picks up what its
predecessor dropped), from ``gongxin tasks recover`` (cron, the nightly run) and is safe to run
anywhere at any time: a task is taken under a row lock and only while still RUNNING.

The work itself leaves no partial data behind when killed: the import applies the file in one
transaction (annual/imports/jobs.py), the credit engine commits one organization range at a time
and a rerun skips what is already recorded (credit/engine.py), an export writes its file to a
temporary directory and stores it only when complete (core/exports.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from gongxin.core.audit import audit_record

logger = logging.getLogger(__name__)

ID_PREFIX = "gx1"
DEFAULT_LEASE = dt.timedelta(hours=6)  # longer than any task runs (a 1M-row nightly takes minutes)
MAX_ATTEMPTS = 3  # lost runs of the same task and arguments before it is given up
WORKER_LOST = "gongxin.core.taskrecovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running the task died (killed or crashed) before finishing it."""


# -- worker identity -------------------------------------------------------------------------


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")[:8]
    except OSError:
        return "-"


def _host() -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in platform.node())[:24] or "-"


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or None
    if there is no such process; "" where /proc does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else ""
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": comm may hold spaces
    if fields[0] in ("Z", "X"):  # a zombie or dead process: killed, not yet reaped
        return None
    return fields[19]


def worker_id_new(pid: int | None = None) -> str:
    pid = pid or os.getpid()
    return f"{ID_PREFIX}:{_boot_id()}:{_host()}:{pid}:{_start_ticks(pid) or '-'}"[:64]


def worker_alive(worker_id: str) -> bool | None:
    """True or False for a worker named by ``worker_id_new`` on this host; None if it cannot be
    told (another host, another naming)."""
    parts = worker_id.split(":")
    if len(parts) != 5 or parts[0] != ID_PREFIX or parts[2] != _host():
        return None
    boot, pid, start = parts[1], parts[3], parts[4]
    if not pid.isdigit():
        return None
    if boot != "-" and boot != _boot_id():
        return False  # the machine has rebooted since: every process of that boot is gone
    ticks = _start_ticks(int(pid))
    if ticks is None:
        return False
    if ticks == "" or start == "-":  # no /proc: the pid alone
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return ticks == start  # a different start time: the pid has been reused by another process


# -- what to do with the jobs of lost tasks ----------------------------------------------------


def _job_id(result: DBTaskResult) -> str | None:
    args = (result.args_kwargs or {}).get("args") or []
    kwargs = (result.args_kwargs or {}).get("kwargs") or {}
    return str(args[0]) if args else kwargs.get("job_id")


def _import_requeued(result: DBTaskResult) -> None:
    from gongxin.annual.models import ImportJob

    running = [ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING]
    # Back to "queued" for the page; the rerun checks the file from the start (nothing was saved).
    ImportJob.objects.filter(pk=_job_id(result), status__in=running).update(status=ImportJob.Status.QUEUED, done=0)


def _import_given_up(result: DBTaskResult) -> None:
    from gongxin.annual.models import ImportJob

    job = ImportJob.objects.filter(pk=_job_id(result)).exclude(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED]).first()
    if job is not None:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            job.failure = _("The import stopped %(n)s times while running (the task worker was killed or crashed); "
                            "nothing was saved. Check the file, then run the import again.") % {"n": MAX_ATTEMPTS}
        job.status, job.finished_at = ImportJob.Status.FAILED, timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])


def _export_requeued(result: DBTaskResult) -> None:
    from gongxin.core.models import ExportJob

    ExportJob.objects.filter(pk=_job_id(result), status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.QUEUED, done=0)


def _export_given_up(result: DBTaskResult) -> None:
    from gongxin.core.models import ExportJob

    job = ExportJob.objects.filter(pk=_job_id(result)).exclude(
        status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED]).first()
    if job is not None:
        with translation.override((job.params or {}).get("language") or settings.LANGUAGE_CODE):
            job.error = _("The export stopped %(n)s times while running (the task worker was killed or crashed). "
                          "Please request it again.") % {"n": MAX_ATTEMPTS}
        job.status, job.finished_at = ExportJob.Status.FAILED, timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])


@dataclass(frozen=True)
class Rerun:
    """A task safe to run again from the start, and what its job needs when it is."""

    requeued: Callable[[DBTaskResult], None] | None = None
    given_up: Callable[[DBTaskResult], None] | None = None


# Every task here starts afresh or is idempotent (each says so in its docstring). A task not
# listed is marked failed and left for an operator (the log and the audit event name it).
RERUNNABLE: dict[str, Rerun] = {
    "gongxin.annual.tasks_imports.import_run": Rerun(_import_requeued, _import_given_up),
    "gongxin.core.tasks.export_run": Rerun(_export_requeued, _export_given_up),
    "gongxin.annual.nightly.supervision_nightly": Rerun(),
    "gongxin.annual.tasks_dormancy.dormancy_scan_nightly": Rerun(),
    "gongxin.annual.tasks_inspections.rectifications_overdue_nightly": Rerun(),
    "gongxin.registry.tasks.search_documents_rebuild": Rerun(),
}


# -- recovery --------------------------------------------------------------------------------


@dataclass
class Recovered:
    task_id: str
    task_path: str
    worker_id: str
    reason: str
    requeued_as: str | None = None
    given_up: bool = False


def _lost_reason(result: DBTaskResult, now: dt.datetime, lease: dt.timedelta | None) -> str | None:
    worker = (result.worker_ids or [""])[-1]
    alive = worker_alive(worker)
    if alive is False:
        return f"worker {worker} is no longer running"
    if alive is None and lease and result.started_at and now - result.started_at > lease:
        return f"running for longer than the lease ({lease}) under worker {worker or '?'}, which cannot be checked"
    return None


def _attempts(result: DBTaskResult) -> int:
    """The lost runs before this one in its chain of requeues (each lost run's traceback names
    the task that replaced it)."""
    count, current = 0, str(result.pk)
    while count < MAX_ATTEMPTS:
        previous = DBTaskResult.objects.filter(exception_class_path=WORKER_LOST,
                                               traceback__contains=f"requeued as {current}").values_list("pk", flat=True).first()
        if previous is None:
            break
        count, current = count + 1, str(previous)
    return count


def _recover_one(task_id, now: dt.datetime, lease: dt.timedelta | None) -> Recovered | None:
    with transaction.atomic():
        rows = DBTaskResult.objects.filter(pk=task_id, status="RUNNING")
        if connection.features.has_select_for_update:
            rows = rows.select_for_update(skip_locked=True)
        result = rows.first()
        if result is None:
            return None  # finished meanwhile, or another recovery holds it
        reason = _lost_reason(result, now, lease)
        if reason is None:
            return None
        worker = (result.worker_ids or [""])[-1]
        attempts = _attempts(result) + 1
        rerun = RERUNNABLE.get(result.task_path)
        outcome = Recovered(str(result.pk), result.task_path, worker, reason)
        if rerun is not None and attempts < MAX_ATTEMPTS:
            args = result.args_kwargs or {}
            again = result.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))
            outcome.requeued_as = str(again.id)
            if rerun.requeued:
                rerun.requeued(result)
            then = f"requeued as {outcome.requeued_as}"
        elif rerun is not None:
            outcome.given_up = True
            if rerun.given_up:
                rerun.given_up(result)
            then = "given up"
        else:
            then = "not requeued: not known to be safe to rerun"
        result.status, result.finished_at = "FAILED", now
        result.exception_class_path = WORKER_LOST
        result.traceback = (f"{WORKER_LOST}: {reason}; recovered at {now.isoformat()}, lost run {attempts} of at "
                            f"most {MAX_ATTEMPTS}; {then}.\n")
        result.return_value = None
        result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
        audit_record(actor=None, action="task.recover", object_type="django_tasks_db.dbtaskresult",
                     object_id=str(result.pk),
                     before={"status": "RUNNING", "worker": worker, "started_at": result.started_at},
                     after={"status": "FAILED", "task": result.task_path, "reason": reason, "attempt": attempts,
                            "requeued_as": outcome.requeued_as, "given_up": outcome.given_up})
    log = logger.warning if outcome.requeued_as else logger.error
    log("Recovered task %s (%s): %s; %s", outcome.task_id, outcome.task_path, reason,
        f"requeued as {outcome.requeued_as}" if outcome.requeued_as
        else "given up" if outcome.given_up else "not requeued (not known to be safe to rerun)")
    return outcome


def tasks_recover(*, lease: dt.timedelta | None = DEFAULT_LEASE, now: dt.datetime | None = None) -> list[Recovered]:
    """Recover every RUNNING task whose worker is dead (or past the lease where that cannot be
    told). ``lease=None`` recovers dead workers' tasks only. Returns what was recovered."""
    now = now or timezone.now()
    recovered = []
    for task_id in list(DBTaskResult.objects.filter(status="RUNNING").values_list("pk", flat=True)):
        outcome = _recover_one(task_id, now, lease)
        if outcome is not None:
            recovered.append(outcome)
    return recovered


# Scratch directories of background work (annual/imports/jobs.py: the spill files of a check, which
# can run to hundreds of MB): a process killed with SIGKILL never removes its own.
SCRATCH_PREFIXES = ("gongxin-import-", "gongxin-export-")


def scratch_leftovers_remove(*, lease: dt.timedelta | None = DEFAULT_LEASE, root: str | None = None) -> list[str]:
    """Remove the scratch directories of dead processes in the temporary directory: those named
    ``<prefix><pid>-…`` whose process is gone, and any other ``<prefix>…`` untouched for longer than
    the lease. Returns the paths removed."""
    import shutil
    import tempfile
    import time

    base = Path(root or tempfile.gettempdir())
    removed = []
    for prefix in SCRATCH_PREFIXES:
        for path in base.glob(prefix + "*"):
            if not path.is_dir() or path.is_symlink():
                continue
            pid = path.name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and "-" in path.name[len(prefix):]:
                gone = _start_ticks(int(pid)) is None
            else:
                try:
                    gone = bool(lease) and time.time() - path.stat().st_mtime > lease.total_seconds()
                except FileNotFoundError:
                    continue
            if gone:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(str(path))
    return removed


def tasks_running() -> list[tuple[DBTaskResult, bool | None]]:
    """The RUNNING tasks with whether their worker is alive (None: cannot be told)."""
    return [(r, worker_alive((r.worker_ids or [""])[-1]))
            for r in DBTaskResult.objects.filter(status="RUNNING").order_by("started_at")]
