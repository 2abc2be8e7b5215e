"""``gongxin tasks worker|recover|running``: the task worker with crash recovery
(core/taskrecovery.py, docs/operations.md).

- ``worker``: recover what dead workers left RUNNING, then run django-tasks' ``db_worker`` under
  a name that lets a later recovery tell whether this process is still alive. Use it instead of
  ``gongxin db_worker``; it takes the same options.
- ``recover``: recover now (cron, after a crash, the nightly run).
- ``running``: the RUNNING tasks and whether their workers are alive.
"""

import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand

from gongxin.core.taskrecovery import (
    DEFAULT_LEASE,
    scratch_leftovers_remove,
    tasks_recover,
    tasks_running,
    worker_id_new,
)


def _lease(value: str) -> dt.timedelta | None:
    hours = float(value)
    return dt.timedelta(hours=hours) if hours > 0 else None


class Command(BaseCommand):
    help = "Task worker with crash recovery: worker, recover, running."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        lease_help = (f"Hours after which a RUNNING task whose worker cannot be checked (another host, started "
                      f"by plain db_worker) counts as lost; 0 = never (default {DEFAULT_LEASE.total_seconds() / 3600:g}).")
        rec = sub.add_parser("recover", help="Fail and requeue the tasks of dead workers.")
        rec.add_argument("--lease", type=_lease, default=DEFAULT_LEASE, help=lease_help)
        sub.add_parser("running", help="List RUNNING tasks and whether their workers are alive.")
        wk = sub.add_parser("worker", help="Recover, then run db_worker (same options).")
        wk.add_argument("--lease", type=_lease, default=DEFAULT_LEASE, help=lease_help)
        wk.add_argument("--no-recover", action="store_true", help="Skip the recovery at start.")
        wk.add_argument("--queue-name", default=None)
        wk.add_argument("--exclude-queues", default=None)
        wk.add_argument("--interval", type=float, default=None)
        wk.add_argument("--batch", action="store_true")
        wk.add_argument("--backend", dest="backend_name", default=None)
        wk.add_argument("--no-startup-delay", action="store_false", dest="startup_delay")
        wk.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args, action, verbosity=1, **options):
        if action == "running":
            for result, alive in tasks_running():
                state = {True: "alive", False: "DEAD", None: "unknown"}[alive]
                self.stdout.write(f"{result.pk} {result.task_path} started {result.started_at:%Y-%m-%d %H:%M:%S} "
                                  f"worker {(result.worker_ids or ['?'])[-1]} ({state})")
            return
        if action == "recover" or not options["no_recover"]:
            recovered = tasks_recover(lease=options["lease"])
            for r in recovered:
                then = (f"requeued as {r.requeued_as}" if r.requeued_as else "given up (lost too often)"
                        if r.given_up else "NOT requeued: not known to be safe to rerun; rerun it by hand")
                self.stderr.write(f"Recovered task {r.task_id} ({r.task_path}): {r.reason}; {then}")
            for path in scratch_leftovers_remove(lease=options["lease"]):
                self.stderr.write(f"Removed the scratch directory of a dead process: {path}")
            if action == "recover":
                self.stdout.write(f"{len(recovered)} tasks recovered")
                return
        passed = {k: options[k] for k in ("queue_name", "exclude_queues", "interval", "backend_name", "max_tasks")
                  if options[k] is not None}
        call_command("db_worker", worker_id=worker_id_new(), batch=options["batch"], reload=False,
                     startup_delay=options["startup_delay"], verbosity=verbosity, **passed)
