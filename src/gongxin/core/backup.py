"""Backup and restore of the whole platform: the database and the uploaded files, in one archive.

``gongxin backup --out DIR_OR_FILE`` writes a gzip'd tar of

- ``database.sqlite3`` (SQLite: the online backup API, one consistent snapshot taken while the
  platform keeps running) or ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom`` of an
  exported snapshot, the same one the row counts are taken in);
- ``media/…``: every file under ``MEDIA_ROOT`` (uploads, generated reports, exports), streamed;
- ``manifest.json``, last: the format version, time, engine, Django migration state, the row
  count of every table in the snapshot, and the size and SHA-256 of the dump and of every file,
  computed over the very bytes written to the archive.

Engine-native dumps are the boring choice: ``dumpdata`` builds Python objects for every row (far
too slow and memory-hungry at a million rows) and cannot reproduce the audit triggers, sequences
and indexes; a native dump restores the schema and the data byte for byte, and the audit chain
with it. The price is that an archive restores into the same engine only.

``gongxin restore ARCHIVE [--force]`` reads the archive once into a staging directory beside
``MEDIA_ROOT``, checking every member against the manifest (a truncated or altered archive is
refused before anything is touched), refuses a target database that holds data unless
``--force``, then swaps the files in, restores the database (one transaction on PostgreSQL, one
backup-API copy on SQLite: all or nothing), and checks the result: every table's row count, every
file's checksum, and the audit chain (``audit_verify``).

The database snapshot is taken before the files are read: a file referenced by the snapshot was
stored before it (uploads are never rewritten in place), so the archive is consistent; a file
uploaded meanwhile is simply an extra, unreferenced file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = "gongxin-backup"
VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
BLOCK = 1 << 20
MANIFEST_MAX = 512 << 20  # a manifest listing millions of files; anything larger is not ours

# Exit codes of the commands (documented in docs/operations.md).
EXIT_ERROR = 1  # anything else: a missing pg_dump, an unreadable target, a failed step
EXIT_REFUSED = 3  # the target database holds data and --force was not given
EXIT_BAD_ARCHIVE = 4  # corrupted, truncated, altered, another engine or a newer schema: nothing changed
EXIT_VERIFY_FAILED = 5  # restored, but the result does not match the manifest

# Tables whose rows mean "this database is in use": every real action is audited, and nobody
# uses the platform without an account. Freshly migrated databases hold regions, permissions and
# reference catalogues, which a restore may replace without asking.
IN_USE_TABLES = ("core_auditevent", "accounts_user", "registry_organization")

Progress = Callable[[str], None]


class BackupError(Exception):
    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


def _quiet(message: str) -> None:
    pass


# -- helpers ---------------------------------------------------------------------------------


class _HashingReader:
    """A file object that hashes what is read through it (tarfile copies exactly ``size`` bytes),
    so the manifest's checksum is that of the bytes in the archive."""

    def __init__(self, fh):
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("The database is in memory; there is nothing to back up or restore into.")
    return Path(name)


def _count_rows(cursor, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor) -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    with suppress(Exception):
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            state.setdefault(app, []).append(name)
    return state


def pg_tool(name: str) -> str:
    """The PostgreSQL client program ``name`` (pg_dump, pg_restore, psql): on the PATH (Debian's
    wrapper picks the version matching the server), else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} was not found. Install the PostgreSQL client programs (Debian: apt-get install "
                      f"postgresql-client) in the version of the server or newer, and put them on the PATH.")


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    sslmode = (s.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _pg_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every regular file under root, as (path, archive-relative POSIX name), in a stable order."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


# -- backup ----------------------------------------------------------------------------------


@dataclass
class Snapshot:
    path: Path
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    engine_version: str


def _snapshot_sqlite(dest: Path, progress: Progress) -> Snapshot:
    source = _sqlite_path()
    if not source.exists():
        raise BackupError(f"The database file {source} does not exist.")
    progress(f"Copying the SQLite database {source} (online backup API)…")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(dest)
    try:
        # One step (pages=-1): the copy is one read transaction, a consistent snapshot, while
        # writers carry on (WAL); SQLite copies page by page, memory stays flat.
        src.backup(dst, pages=-1)
    finally:
        src.close()
    try:
        # A self-contained file: no -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        cur = dst.cursor()
        tables = [r[0] for r in cur.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = _count_rows(cur, tables, _sqlite_quote)
        migrations = _migrations(cur)
    finally:
        dst.close()
    return Snapshot(dest, counts, migrations, f"SQLite {sqlite3.sqlite_version}")


def _snapshot_postgresql(dest: Path, progress: Progress) -> Snapshot:
    pg_dump = pg_tool("pg_dump")
    args, env = _pg_args_env()
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cur:
        # The counts and pg_dump see the same snapshot: this transaction exports it, pg_dump
        # imports it (--snapshot) while the transaction stays open.
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, server_version = cur.fetchone()
        progress(f"Dumping the PostgreSQL database {connection.settings_dict['NAME']} (pg_dump --format=custom)…")
        started = time.monotonic()
        result = subprocess.run(
            [pg_dump, *args, "--format=custom", f"--snapshot={snapshot_id}", "--no-sync", f"--file={dest}",
             "--dbname", str(connection.settings_dict["NAME"])],
            env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        progress(f"  dumped in {time.monotonic() - started:.1f} s, {dest.stat().st_size / 2**20:.1f} MB")
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [r[0] for r in cur.fetchall()]
        progress(f"Counting the rows of {len(tables)} tables in the same snapshot…")
        counts = _count_rows(cur, tables, _pg_quote)
        migrations = _migrations(cur)
    return Snapshot(dest, counts, migrations, f"PostgreSQL {server_version}")


def _output_path(out: str | Path) -> Path:
    as_dir = str(out).endswith(("/", os.sep))
    out = Path(out)
    if as_dir or out.is_dir():
        out.mkdir(parents=True, exist_ok=True)
        return out / f"gongxin-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> tuple[int, str]:
    with path.open("rb") as fh:
        st = os.fstat(fh.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), 0o600
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    return reader.size, reader.sha.hexdigest()


def backup(out: str | Path, *, progress: Progress = _quiet) -> tuple[Path, dict]:
    """Write the archive; returns its path and manifest. The archive appears under its final
    name only once complete (written as ``.partial``, fsynced, renamed): a backup killed midway
    never leaves something that looks like a backup."""
    engine = _engine()
    target = _output_path(out)
    partial = target.with_name(target.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gongxin-backup-", dir=target.parent) as tmp:
        dump = Path(tmp) / DB_MEMBER[engine]
        snap = _snapshot_sqlite(dump, progress) if engine == "sqlite" else _snapshot_postgresql(dump, progress)
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": timezone.now().isoformat(),
            "host": platform.node(), "django": django.get_version(), "engine": engine,
            "engine_version": snap.engine_version, "database_name": str(connection.settings_dict["NAME"]),
            "migrations": snap.migrations, "tables": snap.tables,
        }
        with partial.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as gz, \
                tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            progress(f"Archiving the database dump ({dump.stat().st_size / 2**20:.1f} MB)…")
            size, sha = _add_file(tar, DB_MEMBER[engine], dump)
            manifest["database"] = {"member": DB_MEMBER[engine], "size": size, "sha256": sha}
            dump.unlink()
            progress(f"Archiving the files under {media_root}…")
            files, total, last = [], 0, time.monotonic()
            for path, rel in _media_files(media_root):
                try:
                    size, sha = _add_file(tar, MEDIA_PREFIX + rel, path)
                except FileNotFoundError:
                    continue  # removed since listed (a temporary file): not part of the backup
                files.append({"path": rel, "size": size, "sha256": sha})
                total += size
                if time.monotonic() - last > 5:
                    progress(f"  {len(files):,} files, {total / 2**20:,.1f} MB")
                    last = time.monotonic()
            manifest["media"] = {"files": len(files), "bytes": total, "list": files}
            manifest["seconds"] = round(time.monotonic() - started, 3)
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    progress(f"Backup written: {target} ({target.stat().st_size / 2**20:.1f} MB, {len(files):,} files, "
             f"{sum(snap.tables.values()):,} rows, {time.monotonic() - started:.1f} s)")
    return target, manifest


# -- restore ---------------------------------------------------------------------------------


@dataclass
class Staged:
    root: Path
    manifest: dict
    database: Path
    media: Path


def _safe_member(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        return None
    return path


def _stage(archive: Path, staging: Path, progress: Progress) -> Staged:
    """Read the archive once into ``staging``, hashing every member; then compare with the
    manifest (the last member). Raises BackupError(EXIT_BAD_ARCHIVE) on any mismatch."""
    media = staging / "media"
    media.mkdir()
    seen: dict[str, tuple[int, str]] = {}
    manifest = None
    database = None
    progress(f"Reading and checking {archive}…")
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                path = _safe_member(member.name)
                if not member.isfile() or path is None:
                    raise BackupError(f"The archive holds an unexpected entry {member.name!r}.", EXIT_BAD_ARCHIVE)
                src = tar.extractfile(member)
                if member.name == MANIFEST:
                    if member.size > MANIFEST_MAX:
                        raise BackupError("The archive's manifest is implausibly large.", EXIT_BAD_ARCHIVE)
                    manifest = json.loads(src.read().decode())
                    continue
                if member.name in DB_MEMBER.values():
                    dest = database = staging / member.name
                elif member.name.startswith(MEDIA_PREFIX):
                    dest = media / PurePosixPath(member.name[len(MEDIA_PREFIX):])
                    dest.parent.mkdir(parents=True, exist_ok=True)
                else:
                    raise BackupError(f"The archive holds an unexpected entry {member.name!r}.", EXIT_BAD_ARCHIVE)
                if member.name in seen:
                    raise BackupError(f"The archive holds {member.name!r} twice.", EXIT_BAD_ARCHIVE)
                digest, size = hashlib.sha256(), 0
                with dest.open("wb") as out:
                    while block := src.read(BLOCK):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                seen[member.name] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError, zlib.error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"The archive cannot be read ({exc.__class__.__name__}: {exc}); it is truncated or "
                          f"corrupted. Nothing was changed.", EXIT_BAD_ARCHIVE) from exc
    if manifest is None:
        raise BackupError("The archive has no manifest (truncated, or not a Gongxin backup). Nothing was changed.",
                          EXIT_BAD_ARCHIVE)
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("version"), int):
        raise BackupError("This is not a Gongxin backup archive.", EXIT_BAD_ARCHIVE)
    if manifest["version"] > VERSION:
        raise BackupError(f"The archive is format version {manifest['version']}; this release reads up to "
                          f"{VERSION}. Restore with a newer release.", EXIT_BAD_ARCHIVE)
    problems = []
    db = manifest.get("database") or {}
    if seen.get(db.get("member")) != (db.get("size"), db.get("sha256")):
        problems.append(f"the database dump {db.get('member')} does not match its checksum")
    expected = {MEDIA_PREFIX + f["path"]: (f["size"], f["sha256"]) for f in manifest.get("media", {}).get("list", [])}
    got = {k: v for k, v in seen.items() if k.startswith(MEDIA_PREFIX)}
    for name in sorted(expected.keys() - got.keys())[:20]:
        problems.append(f"{name} is missing")
    for name in sorted(got.keys() - expected.keys())[:20]:
        problems.append(f"{name} is not in the manifest")
    for name in sorted(expected.keys() & got.keys()):
        if expected[name] != got[name]:
            problems.append(f"{name} does not match its checksum")
            if len(problems) > 40:
                break
    if problems:
        raise BackupError("The archive does not match its manifest; nothing was changed:\n  " + "\n  ".join(problems),
                          EXIT_BAD_ARCHIVE)
    progress(f"  archive intact: the database dump and {len(expected):,} files match the manifest")
    return Staged(staging, manifest, database, media)


def _code_migrations() -> dict[str, set[str]]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
    loader.load_disk()
    known: dict[str, set[str]] = {}
    for app, name in loader.disk_migrations:
        known.setdefault(app, set()).add(name)
    return known


def _check_compatible(manifest: dict) -> list[str]:
    """Refuse an archive from another engine or with migrations this code does not have;
    return the migrations the archive lacks (restore, then ``gongxin migrate``)."""
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupError(f"The archive is a {manifest.get('engine')} backup; the target database is {engine}. "
                          f"Restore into the same engine (native dumps do not cross engines).", EXIT_BAD_ARCHIVE)
    known = _code_migrations()
    theirs = manifest.get("migrations", {})
    unknown = sorted(f"{app}.{name}" for app, names in theirs.items() for name in names
                     if name not in known.get(app, set()))
    # django_tasks, contrib apps: the loader knows every installed app's migrations.
    if unknown:
        raise BackupError("The archive comes from a newer release (migrations this code does not have: "
                          + ", ".join(unknown[:10]) + "). Restore with that release.", EXIT_BAD_ARCHIVE)
    return sorted(f"{app}.{name}" for app, names in known.items() for name in names
                  if name not in set(theirs.get(app, [])))


def target_in_use() -> dict[str, int]:
    """The rows of the tables that mean "in use" (IN_USE_TABLES) in the target database."""
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    with connection.cursor() as cur:
        counts = _count_rows(cur, [t for t in IN_USE_TABLES if t in existing], quote)
    return {t: n for t, n in counts.items() if n}


def target_summary() -> dict[str, int]:
    existing = sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))
    with connection.cursor() as cur:
        counts = _count_rows(cur, existing, connection.ops.quote_name)
    return {t: n for t, n in counts.items() if n}


def _media_count(root: Path) -> int:
    return sum(1 for _ in _media_files(root))


def _restore_sqlite(dump: Path, progress: Progress) -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    progress(f"Restoring the SQLite database into {target} (backup API)…")
    src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=60)
    try:
        # Copying into the live file through SQLite (not replacing the file) keeps its WAL and
        # locks coherent for any connection still open; the copy is one transaction.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise BackupError(f"Restoring the database failed ({exc}); the target is unchanged.") from exc
    finally:
        src.close()
        dst.close()


def _restore_postgresql(dump: Path, progress: Progress) -> None:
    pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")
    args, env = _pg_args_env()
    name = str(connection.settings_dict["NAME"])
    existing = connection.introspection.table_names()
    connections.close_all()
    progress(f"Restoring the PostgreSQL database {name} (pg_restore | psql, one transaction)…")
    # pg_restore --clean drops only what the dump holds; tables the target has beyond it (a newer
    # schema, leftovers) would survive under a migration state that no longer lists them, so drop
    # every table first. All of it in psql's single transaction: a failure leaves the target as it was.
    preamble = "SET client_min_messages = warning;\n"
    if existing:
        preamble += "DROP TABLE IF EXISTS " + ", ".join(_pg_quote(t) for t in existing) + " CASCADE;\n"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(preamble)
    try:
        restore = subprocess.Popen([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                    "--file=-", str(dump)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        result = subprocess.run(
            [psql, *args, "--dbname", name, "--no-psqlrc", "--quiet", "--single-transaction",
             "--set", "ON_ERROR_STOP=1", "--file", fh.name, "--file", "-"],
            stdin=restore.stdout, capture_output=True, text=True, env=env)
        restore.stdout.close()
        restore_err = restore.stderr.read().decode(errors="replace")
        restore.wait()
    finally:
        os.unlink(fh.name)
    if restore.returncode != 0 or result.returncode != 0:
        raise BackupError("Restoring the database failed; the transaction was rolled back and the target is "
                          f"unchanged.\n{restore_err.strip()}\n{result.stderr.strip()}".rstrip())


@contextmanager
def _swapped_media(new: Path, progress: Progress) -> Iterator[None]:
    """Put ``new`` in place of MEDIA_ROOT, keeping the old tree beside it until the block
    succeeds; on failure the old tree is put back."""
    root = Path(settings.MEDIA_ROOT)
    old = new.parent / "media-replaced"
    had = root.exists()
    progress(f"Putting the files in place under {root}…")
    root.parent.mkdir(parents=True, exist_ok=True)
    if had:
        _move_tree(root, old)
    _move_tree(new, root)
    try:
        yield
    except BaseException:
        _empty(root)
        if had:
            _move_tree(old, root)
        raise


def _move_tree(src: Path, dest: Path) -> None:
    """Rename src to dest; where MEDIA_ROOT is a mount point (not renamable), move its entries."""
    try:
        os.replace(src, dest)
    except OSError:
        dest.mkdir(parents=True, exist_ok=True)
        for entry in list(src.iterdir()):
            shutil.move(str(entry), str(dest / entry.name))


def _empty(root: Path) -> None:
    for entry in list(root.iterdir()) if root.is_dir() else []:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


@dataclass
class RestoreReport:
    manifest: dict
    tables_checked: int = 0
    files_checked: int = 0
    audit_events: int = 0
    missing_migrations: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_restored(manifest: dict, progress: Progress = _quiet) -> RestoreReport:
    """Compare the live database and files with a manifest; run the audit chain check."""
    from gongxin.core.audit import audit_verify

    report = RestoreReport(manifest)
    progress("Checking the restored database: row counts…")
    tables = manifest.get("tables", {})
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cur:
        for table, expected in tables.items():
            if table not in existing:
                report.problems.append(f"table {table} is missing")
                continue
            got = _count_rows(cur, [table], connection.ops.quote_name)[table]
            if got != expected:
                report.problems.append(f"table {table}: {got} rows, the backup had {expected}")
            report.tables_checked += 1
    progress("Checking the restored files: checksums…")
    root = Path(settings.MEDIA_ROOT)
    listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest.get("media", {}).get("list", [])}
    on_disk = {rel: path for path, rel in _media_files(root)}
    for rel in sorted(listed.keys() - on_disk.keys())[:20]:
        report.problems.append(f"file {rel} is missing")
    for rel in sorted(on_disk.keys() - listed.keys())[:20]:
        report.problems.append(f"file {rel} is not in the backup")
    for rel in sorted(listed.keys() & on_disk.keys()):
        path = on_disk[rel]
        if (path.stat().st_size, _sha256_file(path)) != listed[rel]:
            report.problems.append(f"file {rel} does not match its checksum")
        report.files_checked += 1
    progress("Checking the audit chain…")
    if "core_auditevent" in existing:
        chain = audit_verify()
        report.audit_events = chain.checked
        if not chain.ok:
            report.problems.append(f"audit chain broken at event {chain.broken_id}: {chain.reason}")
    return report


def restore(archive: Path, *, force: bool = False, progress: Progress = _quiet) -> RestoreReport:
    """Restore an archive into the configured database and MEDIA_ROOT (see the module doc)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.", EXIT_BAD_ARCHIVE)
    _engine()
    if connection.vendor == "sqlite":
        _sqlite_path()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".gongxin-restore-", dir=media_root.parent))
    try:
        staged = _stage(archive, staging, progress)
        missing = _check_compatible(staged.manifest)
        in_use = target_in_use()
        files_now = _media_count(media_root)
        if in_use or files_now:
            what = ", ".join(f"{n:,} rows in {t}" for t, n in in_use.items())
            what = "; ".join(x for x in (what, f"{files_now:,} files under {media_root}" if files_now else "") if x)
            if not force:
                raise BackupError(f"The target is in use ({what}). A restore replaces all of it with the "
                                  f"backup of {staged.manifest['created_at']}; add --force to do so.", EXIT_REFUSED)
            summary = target_summary()
            progress(f"--force: replacing the target's database ({sum(summary.values()):,} rows in "
                     f"{len(summary)} tables: {what}) and its files with the backup of "
                     f"{staged.manifest['created_at']}.")
        with _swapped_media(staged.media, progress):
            if connection.vendor == "sqlite":
                _restore_sqlite(staged.database, progress)
            else:
                _restore_postgresql(staged.database, progress)
        connections.close_all()
        report = verify_restored(staged.manifest, progress)
        report.missing_migrations = missing
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)
