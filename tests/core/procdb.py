"""Databases of their own for the tests that run ``gongxin`` in real subprocesses (backups,
restores, workers killed with SIGKILL): the test suite's database is in memory on SQLite and
inside a transaction elsewhere, neither of which another process can see.

On the suite's engine (SQLite, or the PostgreSQL server the suite is pointed at), a template is
migrated and seeded once per test process (3,000 organizations with five years of reports, an officer, and an import file of annual reports they still owe), then cloned per test:
a file copy through SQLite's backup API, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ORGS = 3000
IMPORT_YEARS = range(2020, 2012, -1)  # owed years the seed leaves empty: the kill tests' import
OFFICER = "fault-officer"


def engine() -> str:
    return "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


def _pg_server() -> dict:
    s = settings.DATABASES["default"]
    return {"host": s.get("HOST") or "127.0.0.1", "port": int(s.get("PORT") or 5432), "user": s.get("USER") or "postgres",
            "password": s.get("PASSWORD") or None}


def _pg_admin(sql: str) -> None:
    import psycopg

    server = _pg_server()
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in server.items() if v}) as conn:
        conn.execute(sql)


def _pg_url(name: str) -> str:
    s = _pg_server()
    auth = s["user"] + (f":{s['password']}" if s["password"] else "")
    return f"postgres://{auth}@{s['host']}:{s['port']}/{name}"


@dataclass
class ProcDB:
    """A database (and MEDIA_ROOT) for ``gongxin`` subprocesses."""

    name: str  # SQLite: the file path; PostgreSQL: the database name
    var_dir: Path
    import_rows: int = 0  # rows of import_file, annual reports the template's organizations owe
    import_file: Path | None = None

    @property
    def url(self) -> str:
        return f"sqlite:///{self.name}" if engine() == "sqlite" else _pg_url(self.name)

    @property
    def media(self) -> Path:
        return self.var_dir / "media"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGXIN_") and k != "DJANGO_SETTINGS_MODULE"}
        (self.var_dir / "tmp").mkdir(parents=True, exist_ok=True)  # scratch files of killed processes stay here
        return {**env, "TMPDIR": str(self.var_dir / "tmp"), "GONGXIN_DATABASE_URL": self.url, "GONGXIN_VAR_DIR": str(self.var_dir),
                "GONGXIN_SECRET_KEY": "test-only-key-not-a-secret", "DJANGO_SETTINGS_MODULE": "gongxin.settings",
                "GONGXIN_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}

    def gongxin(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "gongxin.cli", *args], env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"gongxin {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def python(self, code: str, *, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        prelude = "import django\ndjango.setup()\n"
        result = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"python exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def popen(self, code: str) -> subprocess.Popen:
        """A long-running Django process (a worker, an engine run) to kill; stdout is a pipe."""
        prelude = "import django\ndjango.setup()\n"
        return subprocess.Popen([sys.executable, "-c", prelude + textwrap.dedent(code)], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    # -- reading the database from the test process, without Django --

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if engine() == "sqlite":
            conn = sqlite3.connect(self.name, timeout=30)
            try:
                return conn.execute(sql, params).fetchall()
            finally:
                conn.close()
        import psycopg

        server = _pg_server()
        with psycopg.connect(dbname=self.name, autocommit=True, **{k: v for k, v in server.items() if v}) as conn:
            if not params:  # no parameters: "%" in a LIKE pattern stays literal
                return conn.execute(sql).fetchall()
            return conn.execute(sql.replace("?", "%s"), params).fetchall()

    def scalar(self, sql: str, params: tuple = ()):
        return self.query(sql, params)[0][0]

    def tables(self) -> list[str]:
        if engine() == "sqlite":
            return [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                                             "'sqlite_%' ORDER BY name")]
        return [r[0] for r in self.query("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY tablename")]

    def table_digest(self, table: str) -> tuple[int, str]:
        """(rows, SHA-256 of the sorted rows as text): equal digests, equal contents."""
        if engine() == "sqlite":
            rows = sorted(repr(r) for r in self.query(f'SELECT * FROM "{table}"'))  # noqa: S608
        else:
            rows = sorted(r[0] for r in self.query(f'SELECT t::text FROM "{table}" t'))  # noqa: S608
        digest = hashlib.sha256()
        for r in rows:
            digest.update(r.encode() + b"\n")
        return len(rows), digest.hexdigest()

    def digests(self) -> dict[str, tuple[int, str]]:
        return {t: self.table_digest(t) for t in self.tables()}

    def drop(self) -> None:
        if engine() == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.var_dir, ignore_errors=True)


def media_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


_TEMPLATE: ProcDB | None = None

_PREPARE = f"""
import datetime as dt
import random

import xlsxwriter
from gongxin.accounts.models import Role, User
from gongxin.annual import imports
from gongxin.annual.models import AnnualReport
from gongxin.registry.models import Organization

officer = User.objects.create(username="{OFFICER}", role=Role.OFFICER, jurisdiction_id="440000",
                              display_name="{OFFICER}")
orgs = list(Organization.objects.order_by("id").values_list("pk", "uscc", "established_on"))


def write(path, years):
    rnd = random.Random(5)
    book = xlsxwriter.Workbook(path, {{"constant_memory": True}})
    sheet = book.add_worksheet(imports.SHEET_NAME)
    sheet.write_row(0, 0, [c.zh for c in imports.COLUMNS])
    sheet.write_row(1, 0, [c.en for c in imports.COLUMNS])
    date = book.add_format({{"num_format": "yyyy-mm-dd"}})
    r = 2
    for year in years:
        for pk, uscc, established in orgs:
            if established >= dt.date(year, 6, 30):
                continue
            assets = rnd.randint(10_000, 50_000_000) + rnd.randint(0, 99) / 100
            liabilities = round(assets * rnd.random() * 0.6, 2)
            income = rnd.randint(0, 20_000_000)
            sheet.write_row(r, 0, [uscc, year, None, assets, liabilities, round(assets - liabilities, 2), income,
                                   round(income * 0.9, 2), rnd.randint(0, 100_000), 0, rnd.randint(0, 500_000),
                                   rnd.randint(0, 50), rnd.randint(0, 2_000), rnd.randint(0, 5), rnd.randint(1, 60),
                                   "举办行业培训、年会和专题调研，开展会员服务。", rnd.choice(["是", "否"]), "", ""])
            sheet.write_datetime(r, 2, dt.datetime(year + 1, 3, 1 + rnd.randint(0, 27)), date)
            r += 1
    book.close()
    return r - 2


import sys
var = sys.argv[1]
rows = write(var + "/import.xlsx", {list(IMPORT_YEARS)!r})
print(rows)
"""


def template() -> ProcDB:
    """The migrated, seeded template of this test process (made on first use)."""
    global _TEMPLATE
    if _TEMPLATE is not None:
        return _TEMPLATE
    token = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    var = Path(tempfile.mkdtemp(prefix="gongxin-procdb-"))
    if engine() == "sqlite":
        db = ProcDB(str(var / "template.sqlite3"), var)
    else:
        db = ProcDB(f"gx_test_tmpl_{token}", var)
        _pg_admin(f'CREATE DATABASE "{db.name}"')
    atexit.register(db.drop)
    db.gongxin("migrate", "--no-input", "-v0", timeout=300)
    db.gongxin("seed", "--orgs", str(ORGS), "--seed", "5", "--as-of", "2026-06-30", "--no-accounts", timeout=300)
    result = subprocess.run([sys.executable, "-c", "import django\ndjango.setup()\n" + _PREPARE, str(var)], env=db.env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    db.import_rows, db.import_file = int(result.stdout.split()[-1]), var / "import.xlsx"
    if engine() == "sqlite":  # one self-contained file to copy
        conn = sqlite3.connect(db.name)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    _TEMPLATE = db
    return db


def clone(tmp_path: Path) -> ProcDB:
    """A copy of the template for one test, with the template's files."""
    source = template()
    var = tmp_path / "var"
    var.mkdir(parents=True)
    if source.media.exists():
        shutil.copytree(source.media, var / "media")
    if engine() == "sqlite":
        db = ProcDB(str(var / "gongxin.sqlite3"), var)
        src, dst = sqlite3.connect(source.name), sqlite3.connect(db.name)
        src.backup(dst)
        src.close()
        dst.close()
    else:
        db = ProcDB(f"gx_test_{os.getpid()}_{uuid.uuid4().hex[:8]}", var)
        _pg_admin(f'CREATE DATABASE "{db.name}" TEMPLATE "{source.name}"')
    db.import_rows, db.import_file = source.import_rows, source.import_file
    return db


def empty(tmp_path: Path, label: str = "empty") -> ProcDB:
    """A database nobody has migrated: a file that does not exist yet, an empty PostgreSQL database."""
    var = tmp_path / f"var-{label}"
    var.mkdir(parents=True)
    if engine() == "sqlite":
        return ProcDB(str(var / "gongxin.sqlite3"), var)
    db = ProcDB(f"gx_test_{os.getpid()}_{uuid.uuid4().hex[:8]}", var)
    _pg_admin(f'CREATE DATABASE "{db.name}"')
    return db
