"""Hostile workbooks posted to every import, in subprocesses: before the shared reader, the 1.2 KB
file naming XFD1048576 made python-calamine ask for 550 GB and abort the process (SIGABRT, exit
134): the web process for the member-file, credit-record and catalogue imports, the task worker
for the annual import (recovered, requeued and killed again). Here each import gets every file of
tests/core/hostile_sheets.py in a process of its own: an abort fails the test (the exit status
shows it) instead of killing the suite. Each file must be refused with a message saying which
limit it exceeds, nothing may be saved, and the process (the web views' process, the worker,
the command) must still be there afterwards.

On a database of their own (procdb), on the suite's engine."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.core import hostile_sheets, procdb

DEADLINE = 240  # seconds for a subprocess to get through every file; only a hang reaches it


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, (build, _phrase) in hostile_sheets.FILES.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(build())
    return paths


@pytest.fixture
def db(tmp_path):
    database = procdb.clone(tmp_path)
    yield database
    database.drop()


_PRELUDE = """
import json
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from gongxin.accounts.models import Role, User
from gongxin.core.models import Region
from gongxin.registry.models import Organization

settings.ALLOWED_HOSTS = ["testserver"]
# Pages render without collectstatic's manifest (as the suite's settings do).
settings.STORAGES = {{**settings.STORAGES,
                     "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}
officer = User.objects.get(username={officer!r})
files = {files!r}


def post_all(client, url, count):
    for name, path in files.items():
        print(json.dumps({{"file": name, "posting": True}}), flush=True)  # the last line before an abort
        with open(path, "rb") as fh:
            response = client.post(url, {{"file": SimpleUploadedFile(name + ".xlsx", fh.read())}})
        print(json.dumps({{"file": name, "status": response.status_code, "saved": count(),
                           "page": response.content.decode()}}), flush=True)
    print(json.dumps({{"survived": True}}), flush=True)
"""

_SCRIPTS = {
    "member files (organization user)": """
from gongxin.credit.member_files import ASSOCIATION_SUBTYPES
from gongxin.credit.models import MemberCreditFile

association = Organization.objects.filter(subtype__in=ASSOCIATION_SUBTYPES).first()
keeper = User.objects.create(username="hostile-keeper", role=Role.ORG_USER, organization=association,
                             display_name="hostile-keeper")
client = Client()
client.force_login(keeper)
client.cookies["django_language"] = "en"
post_all(client, "/credit/members/import/", MemberCreditFile.objects.count)
""",
    "credit records (officer)": """
from gongxin.credit.models import CreditRecord

client = Client()
client.force_login(officer)
client.cookies["django_language"] = "en"
post_all(client, "/credit/manage/import/", CreditRecord.objects.count)
""",
    "catalogue items (officer)": """
from gongxin.procurement import catalogues as cat
from gongxin.procurement.models import CatalogueKind, TransferableFunction

catalogue = cat.catalogue_create(actor=officer, kind=CatalogueKind.FUNCTIONS, region=Region.objects.get(code="440000"),
                                 year=2026, title="广东省政府职能转移目录（测试）")
client = Client()
client.force_login(officer)
client.cookies["django_language"] = "en"
post_all(client, f"/procurement/catalogues/manage/{catalogue.pk}/import/", TransferableFunction.objects.count)
""",
}


def _lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def _run(db, script: str, files: dict) -> list[dict]:
    code = _PRELUDE.format(officer=procdb.OFFICER, files={k: str(v) for k, v in files.items()}) + script
    result = db.python(code, check=False, timeout=DEADLINE)
    lines = _lines(result)
    last = next((line["file"] for line in reversed(lines) if "posting" in line), None)
    # An abort is exit status 134 (-6 as a signal): the message names the file that caused it.
    assert result.returncode == 0, (f"the process died (exit {result.returncode}) on {last}:\n"
                                    f"{result.stderr[-3000:]}")
    assert lines[-1] == {"survived": True}
    return [line for line in lines if "status" in line]


@pytest.mark.parametrize("target", list(_SCRIPTS))
def test_an_import_in_the_request_refuses_every_hostile_file_and_its_process_survives(db, hostile_files, target):
    results = _run(db, _SCRIPTS[target], hostile_files)
    assert [r["file"] for r in results] == list(hostile_sheets.FILES)
    for r in results:
        phrase = hostile_sheets.FILES[r["file"]][1]
        assert r["status"] in (200, 400) and phrase in r["page"].replace("&amp;", "&"), r["file"]
        assert r["saved"] == 0, r["file"]


def test_the_annual_import_refuses_every_hostile_file_in_the_worker_and_the_worker_survives(db, hostile_files,
                                                                                           tmp_path):
    """The upload is accepted (its type is right) and the worker checks what it holds before
    calamine reads it: every job fails with the limit in its message, no report is saved, and
    the one worker that ran them all is still running."""
    reports = db.scalar("SELECT COUNT(*) FROM annual_annualreport")
    results = _run(db, """
client = Client()
client.force_login(officer)
client.cookies["django_language"] = "en"
post_all(client, "/annual/imports/", lambda: 0)
""", hostile_files)
    assert all(r["status"] == 302 for r in results), [(r["file"], r["status"]) for r in results]
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "gongxin.cli", "tasks", "worker", "--no-startup-delay",
                                   "--interval", "0.05"], env=db.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if worker.poll() is not None:
                pytest.fail(f"the worker died (exit {worker.returncode}):\n{log.read_text()[-3000:]}")
            if db.scalar("SELECT COUNT(*) FROM annual_importjob WHERE status = 'failed'") == len(hostile_files):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the jobs did not all fail in time:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
        assert worker.poll() is None, "the worker exited after the hostile files"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    failures = dict(db.query("SELECT original_name, failure FROM annual_importjob"))
    for name, (_build, phrase) in hostile_sheets.FILES.items():
        assert phrase in failures[f"{name}.xlsx"], (name, failures[f"{name}.xlsx"])
    assert db.scalar("SELECT COUNT(*) FROM annual_annualreport") == reports
    assert db.scalar("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'") == 0


def test_the_annual_import_command_refuses_every_hostile_file_and_exits_1(db, hostile_files):
    """``gongxin import annual-reports`` (the same run in the calling process): exit status 1
    with the reason (in the platform's language, Chinese), where the file used to abort it (134)."""
    from django.utils import translation

    from gongxin.annual import imports
    from gongxin.core.spreadsheets import SpreadsheetRefused, inspect

    reports = db.scalar("SELECT COUNT(*) FROM annual_annualreport")
    for name in hostile_sheets.FILES:
        with translation.override("zh-hans"), pytest.raises(SpreadsheetRefused) as expected:
            inspect(hostile_files[name], imports.limits())
        result = db.gongxin("import", "annual-reports", str(hostile_files[name]), "--actor", procdb.OFFICER,
                            check=False, timeout=DEADLINE)
        assert result.returncode == 1, (name, result.returncode, result.stderr[-2000:])
        assert f"CommandError: {expected.value.messages[0]}" in result.stderr, (name, result.stderr[-2000:])
    assert db.scalar("SELECT COUNT(*) FROM annual_annualreport") == reports
