"""Fault tolerance: a worker or engine run killed with SIGKILL midway leaves no partial data,
its task is recovered (core/taskrecovery.py) and the rerun ends where an uninterrupted run would.

The killing tests run the real commands in subprocesses on a database of their own (procdb: 3,000
seeded organizations), on the suite's engine. They wait, with a deadline, for the work to be
visibly under way before the kill; nothing is timed.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from gongxin.core import taskrecovery
from gongxin.core.taskrecovery import WORKER_LOST, tasks_recover, worker_alive, worker_id_new
from tests.core import procdb

DEADLINE = 90  # seconds to wait for a subprocess to reach a state; only a hang reaches it


def wait_for(what: str, predicate, proc: subprocess.Popen | None = None):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process ended (exit {proc.returncode}) before {what}")
        time.sleep(0.005)
    pytest.fail(f"gave up waiting for {what}")


def start_worker(db: procdb.ProcDB, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-m", "gongxin.cli", "tasks", "worker", "--no-startup-delay",
                                 "--interval", "0.05"], env=db.env, stdout=out, stderr=subprocess.STDOUT)


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def tasks(db) -> list[tuple[str, str]]:
    return sorted(db.query("SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult"))


def enqueue_import(db) -> None:
    db.python(f"""
        from django.core.files import File
        from gongxin.accounts.models import User
        from gongxin.annual import imports
        with open({str(db.import_file)!r}, "rb") as fh:
            imports.import_request(actor=User.objects.get(username={procdb.OFFICER!r}),
                                   upload=File(fh, name="owed.xlsx"), language="en")
    """)


def import_job(db) -> tuple:
    return db.query("SELECT status, done, total, created_count, failure FROM annual_importjob "
                    "WHERE original_name = 'owed.xlsx'")[0]


@pytest.fixture
def db(tmp_path):
    database = procdb.clone(tmp_path)
    yield database
    database.drop()


def test_an_import_killed_while_checking_is_recovered_by_the_next_worker_and_rerun_in_full(db, tmp_path):
    reports = db.scalar("SELECT COUNT(*) FROM annual_annualreport")
    enqueue_import(db)
    worker = start_worker(db, tmp_path / "worker.log")
    wait_for("the check to report progress",
             lambda: import_job(db)[0] == "validating" and import_job(db)[1] > 0, worker)
    kill(worker)

    status, done, total, created, _ = import_job(db)
    assert status == "validating" and 0 < done < total
    assert db.scalar("SELECT COUNT(*) FROM annual_annualreport") == reports
    assert tasks(db) == [("RUNNING", "")]  # what django-tasks leaves behind: running for ever

    # The next worker recovers the task of its dead predecessor and runs it again.
    rerun = db.gongxin("tasks", "worker", "--batch", "--no-startup-delay")
    assert "Recovered task" in rerun.stderr and "requeued as" in rerun.stderr
    status, done, total, created, failure = import_job(db)
    assert (status, failure) == ("done", "")
    assert created == done == total == db.import_rows
    assert db.scalar("SELECT COUNT(*) FROM annual_annualreport") == reports + db.import_rows
    assert tasks(db) == [("FAILED", WORKER_LOST), ("SUCCESSFUL", "")]
    assert db.scalar("SELECT COUNT(*) FROM core_auditevent WHERE action = 'task.recover'") == 1
    assert db.scalar("SELECT COUNT(*) FROM core_auditevent WHERE action = 'annual.import'") == 1
    assert "chain intact" in db.gongxin("audit", "verify").stdout


def _applying(db) -> bool:
    """The import is inside its apply transaction (not merely about to open it)."""
    if import_job(db)[0] != "applying":
        return False
    if procdb.engine() == "postgresql":
        # The worker's session is writing the reports.
        return bool(db.scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                              "AND xact_start IS NOT NULL AND query ILIKE '%annual_%'"
                              "AND pid <> pg_backend_pid()"))
    # SQLite: the apply transaction holds the database's write lock (its status save is committed).
    probe = sqlite3.connect(db.name, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    finally:
        probe.close()


def test_an_import_killed_while_saving_leaves_no_report_and_reruns_cleanly(db, tmp_path):
    reports = db.scalar("SELECT COUNT(*) FROM annual_annualreport")
    facts = db.scalar("SELECT COUNT(*) FROM annual_supervisionfact")
    enqueue_import(db)
    worker = start_worker(db, tmp_path / "worker.log")
    wait_for("the import to start saving", lambda: _applying(db), worker)
    kill(worker)

    assert import_job(db)[0] == "applying"
    # All or nothing: not one report or fact of the file.
    assert db.scalar("SELECT COUNT(*) FROM annual_annualreport") == reports
    assert db.scalar("SELECT COUNT(*) FROM annual_supervisionfact") == facts

    recovered = db.gongxin("tasks", "recover")
    assert "1 tasks recovered" in recovered.stdout
    assert import_job(db)[:2] == ("queued", 0)  # the page shows it waiting again
    assert tasks(db) == [("FAILED", WORKER_LOST), ("READY", "")]
    assert db.gongxin("tasks", "recover").stdout.startswith("0 tasks")  # nothing left to recover

    db.gongxin("db_worker", "--batch", "--no-startup-delay")
    status, done, total, created, failure = import_job(db)
    assert (status, failure, created) == ("done", "", db.import_rows)
    assert db.scalar("SELECT COUNT(*) FROM annual_annualreport") == reports + db.import_rows
    assert "chain intact" in db.gongxin("audit", "verify").stdout


def test_an_export_killed_midway_stores_no_file_and_is_written_in_full_by_the_rerun(db, tmp_path):
    expected = db.scalar("SELECT COUNT(*) FROM annual_annualreport WHERE status = 'reviewed'")
    db.python(f"""
        from django.db import transaction
        from gongxin.accounts.models import User
        from gongxin.core.exports import export_request
        export_request(actor=User.objects.get(username={procdb.OFFICER!r}), kind="annual_reports",
                       params={{"status": "reviewed"}})
    """)
    worker = start_worker(db, tmp_path / "worker.log")
    wait_for("the export to report progress",
             lambda: db.query("SELECT status, done FROM core_exportjob")[0] >= ("running", 1), worker)
    kill(worker)

    status, done, file = db.query("SELECT status, done, file FROM core_exportjob")[0]
    assert status == "running" and 0 < done < expected and file == ""
    assert not (db.media / "exports").exists()

    db.gongxin("tasks", "worker", "--batch", "--no-startup-delay")
    status, done, total, file = db.query("SELECT status, done, total, file FROM core_exportjob")[0]
    assert status == "done" and done == total == expected
    assert [p.name for p in (db.media / "exports").iterdir()] == [Path(file).name]
    sheet = openpyxl.load_workbook(db.media / file, read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == expected + 1  # the header row and every report
    assert tasks(db) == [("FAILED", WORKER_LOST), ("SUCCESSFUL", "")]


CREDIT_TODAY = "2026-07-01"  # the seeded registry's first run: hundreds of notices with their grounds

CREDIT_DRIVER = f"""
    import datetime as dt
    from gongxin.credit.engine import evaluate

    # Small ranges (the engine commits one range at a time), each reported once committed.
    evaluate(today=dt.date.fromisoformat({CREDIT_TODAY!r}), chunk=30,
             progress=lambda done, total: print(done, total, flush=True))
    print("finished", flush=True)
"""


def credit_state(db) -> dict:
    """The outcome of the engine, without ids and clocks (ids differ where rolled-back inserts used
    up sequence values, as on PostgreSQL)."""
    entries = ("SELECT e.organization_id, e.list, e.status, e.region_prefix, e.noticed_on, e.objection_due, e.reason, "
               "e.legal_basis, e.listed_on, e.clock_from, e.removed_on, e.removal_kind, e.removal_reason, e.version, "
               "e.notice_by_announcement FROM credit_listentry e")
    grounds = ("SELECT g.organization_id, g.list, g.ground, g.evidence_key, g.needs_rectification, g.added_on, "
               "g.cured_on, e.noticed_on FROM credit_listingground g JOIN credit_listentry e ON e.id = g.entry_id")
    people = "SELECT name, role, position, reason, recorded_on, organization_id FROM credit_personbadrecord"
    statuses = "SELECT id, credit_status FROM registry_organization"
    audit = "SELECT action, COUNT(*) FROM core_auditevent WHERE action LIKE 'credit.%' GROUP BY action"
    return {name: sorted(map(repr, db.query(sql))) for name, sql in
            {"entries": entries, "grounds": grounds, "people": people, "statuses": statuses, "audit": audit}.items()}


def test_a_credit_run_killed_midway_and_rerun_ends_exactly_where_an_uninterrupted_run_does(tmp_path):
    killed, whole = procdb.clone(tmp_path / "a"), procdb.clone(tmp_path / "b")
    try:
        whole.gongxin("credit", "evaluate", "--today", CREDIT_TODAY)
        reference = credit_state(whole)
        before = credit_state(killed)
        assert reference["entries"] != before["entries"]  # the run has work to do

        run = killed.popen(CREDIT_DRIVER)
        first = run.stdout.readline()
        assert first.split() == ["1", "100"], first + run.stderr.read()
        kill(run)
        assert killed.scalar("SELECT COUNT(*) FROM credit_creditrun WHERE finished_at IS NULL") == 1
        midway = credit_state(killed)
        assert midway not in (before, reference)  # some ranges committed, not all

        again = killed.popen(CREDIT_DRIVER)
        out, err = again.communicate(timeout=DEADLINE)
        assert again.returncode == 0 and out.rstrip().endswith("finished"), err
        assert credit_state(killed) == reference
        assert "chain intact" in killed.gongxin("audit", "verify").stdout
    finally:
        killed.drop()
        whole.drop()


# -- the recovery rules, in process ----------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_worker_is_alive_while_its_process_runs_and_dead_once_it_has_gone():
    assert worker_alive(worker_id_new()) is True
    gone = _dead_pid()
    assert worker_alive(worker_id_new(os.getpid()).replace(f":{os.getpid()}:", f":{gone}:")) is False
    # The same pid with another start time: the pid was reused by a new process.
    boot_host_pid, start = worker_id_new().rsplit(":", 1)
    assert worker_alive(f"{boot_host_pid}:{int(start) + 1}") is False
    # Another machine, or a worker named by plain db_worker: cannot be told.
    assert worker_alive(worker_id_new().replace(f":{taskrecovery._host()}:", ":elsewhere:")) is None
    assert worker_alive("kT2dx8Q1N0e5Zr7W4vYb3aLm6pHsJc9u") is None


def _running(task, *args, worker: str, started: dt.datetime):
    from django_tasks_db.models import DBTaskResult

    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=[worker], started_at=started)
    return result.id


@pytest.mark.django_db
def test_recovery_requeues_a_dead_workers_task_and_leaves_a_live_workers_alone():
    from django_tasks_db.models import DBTaskResult

    from gongxin.core.models import AuditEvent
    from gongxin.registry.tasks import search_documents_rebuild

    now = timezone.now()
    dead = _running(search_documents_rebuild, worker=f"gx1:{taskrecovery._boot_id()}:{taskrecovery._host()}:"
                    f"{_dead_pid()}:1", started=now)
    alive = _running(search_documents_rebuild, worker=worker_id_new(), started=now - dt.timedelta(days=2))
    foreign_new = _running(search_documents_rebuild, worker="another-host-worker", started=now - dt.timedelta(hours=1))
    foreign_old = _running(search_documents_rebuild, worker="another-host-worker", started=now - dt.timedelta(hours=7))

    recovered = {r.task_id: r for r in tasks_recover()}
    assert set(recovered) == {str(dead), str(foreign_old)}
    assert "no longer running" in recovered[str(dead)].reason and "lease" in recovered[str(foreign_old)].reason
    statuses = {str(k): v for k, v in DBTaskResult.objects.values_list("id", "status")}
    assert statuses[str(alive)] == statuses[str(foreign_new)] == "RUNNING"
    assert statuses[str(dead)] == statuses[str(foreign_old)] == "FAILED"
    requeued = DBTaskResult.objects.filter(status="READY")
    assert {str(r.id) for r in requeued} == {r.requeued_as for r in recovered.values()}
    assert AuditEvent.objects.filter(action="task.recover").count() == 2
    assert tasks_recover() == []
    assert tasks_recover(lease=None, now=now + dt.timedelta(days=30)) == []  # no lease: only dead workers


@pytest.mark.django_db
def test_a_task_lost_three_times_is_given_up_and_its_import_marked_failed(actors, tmp_path):
    from django.core.files import File
    from django_tasks_db.models import DBTaskResult

    from gongxin.annual.models import ImportJob
    from gongxin.annual.tasks_imports import import_run

    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04")  # the run never starts: any stored file will do
    job = ImportJob.objects.create(requested_by=actors["officer_zhuhai"], original_name="x.xlsx",
                                   file_sha256="0" * 64, language="en", status=ImportJob.Status.APPLYING)
    job.file.save("x.xlsx", File(path.open("rb")), save=True)
    dead = f"gx1:{taskrecovery._boot_id()}:{taskrecovery._host()}:{_dead_pid()}:1"
    _running(import_run, str(job.id), worker=dead, started=timezone.now())
    outcomes = []
    for _ in range(taskrecovery.MAX_ATTEMPTS):
        outcomes += tasks_recover()
        # The requeued copy is claimed by a worker that dies too.
        DBTaskResult.objects.filter(status="READY").update(status="RUNNING", worker_ids=[dead],
                                                           started_at=timezone.now())
    assert [bool(o.requeued_as) for o in outcomes] == [True, True, False]
    assert outcomes[-1].given_up
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "stopped 3 times" in job.failure


@pytest.mark.django_db
def test_a_task_not_known_to_be_safe_to_rerun_is_failed_but_not_requeued():
    from django_tasks_db.models import DBTaskResult

    from gongxin.registry.tasks import search_documents_rebuild

    task_id = _running(search_documents_rebuild, worker=f"gx1:-:{taskrecovery._host()}:{_dead_pid()}:-",
                       started=timezone.now())
    DBTaskResult.objects.filter(pk=task_id).update(task_path="gongxin.somewhere.unknown_task")
    [outcome] = tasks_recover()
    assert outcome.requeued_as is None and not outcome.given_up
    assert DBTaskResult.objects.get(pk=task_id).status == "FAILED"
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_the_scratch_directories_of_dead_processes_are_removed(tmp_path):
    old, dead = tmp_path / "gongxin-import-k3j2l1", f"gongxin-import-{_dead_pid()}-x1"
    for name in (dead, f"gongxin-export-{os.getpid()}-x2", "gongxin-import-a8c2", old.name, "unrelated-dir"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "plans.marshal").write_bytes(b"spill")
    os.utime(old, (time.time() - 7 * 3600, time.time() - 7 * 3600))
    removed = taskrecovery.scratch_leftovers_remove(root=str(tmp_path))
    assert sorted(Path(p).name for p in removed) == sorted([old.name, dead])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"gongxin-export-{os.getpid()}-x2", "gongxin-import-a8c2", "unrelated-dir"])
