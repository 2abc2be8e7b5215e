"""``gongxin backup`` and ``gongxin restore`` (core/backup.py), run for real in subprocesses on
databases of their own (procdb), on the suite's engine: a restore into a fresh database
reproduces every row of every table and every file, checksum for checksum; a damaged archive
changes nothing; a database in use is replaced only with --force."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from gongxin.core.backup import EXIT_BAD_ARCHIVE, EXIT_REFUSED
from tests.core import procdb


def _with_files(db: procdb.ProcDB) -> None:
    """Uploaded and generated files of several kinds and names beside the database."""
    (db.media / "imports" / "202607").mkdir(parents=True, exist_ok=True)
    (db.media / "imports" / "202607" / "报表 2025.xlsx").write_bytes(db.import_file.read_bytes())
    (db.media / "certificates").mkdir(parents=True, exist_ok=True)
    (db.media / "certificates" / "a.pdf").write_bytes(bytes(range(256)) * 400)
    (db.media / "empty.txt").write_bytes(b"")


def backup(db: procdb.ProcDB, out: Path) -> Path:
    result = db.gongxin("backup", "--out", f"{out}/")
    archive = Path(result.stdout.strip())
    assert archive.parent == out and archive.name.endswith(".tar.gz") and archive.is_file()
    assert "Backup written" in result.stderr  # progress on stderr, the path alone on stdout
    return archive


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of the archive with ``change(name, data)`` applied to every member."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


@pytest.fixture
def source(tmp_path):
    db = procdb.clone(tmp_path / "source")
    _with_files(db)
    db.gongxin("credit", "evaluate", "--today", "2026-07-01")  # hundreds of audited notices
    yield db
    db.drop()


def test_a_restore_into_a_fresh_database_reproduces_every_row_and_file(source, tmp_path):
    archive = backup(source, tmp_path / "backups")
    manifest = manifest_of(archive)
    rows = source.digests()
    files = procdb.media_digests(source.media)
    assert manifest["engine"] == procdb.engine()
    assert manifest["tables"] == {t: n for t, (n, _) in rows.items()}
    assert {f["path"]: f["sha256"] for f in manifest["media"]["list"]} == files
    assert "0001_initial" in manifest["migrations"]["core"]
    assert manifest["tables"]["core_auditevent"] > 100  # the demo's notices and listings, audited

    target = procdb.empty(tmp_path, "target")
    try:
        result = target.gongxin("restore", str(archive))
        assert "audit chain intact" in result.stdout, result.stderr
        assert target.digests() == rows  # every row of every table, byte for byte
        assert procdb.media_digests(target.media) == files

        # The restored database is alive: its sequences continue, its chain takes new links,
        # and the audit log is still append-only.
        target.python("""
            from django.db import transaction
            from gongxin.core.audit import audit_record
            with transaction.atomic():
                audit_record(actor=None, action="test.after_restore", object_type="test")
        """)
        assert "chain intact" in target.gongxin("audit", "verify").stdout
        tamper = target.python("""
            from gongxin.core.models import AuditEvent
            AuditEvent.objects.filter(action="test.after_restore").update(action="x")
        """, check=False)
        assert tamper.returncode != 0 and "append-only" in tamper.stderr
    finally:
        target.drop()


def test_a_damaged_archive_is_refused_before_anything_is_changed(source, tmp_path):
    archive = backup(source, tmp_path / "backups")
    target = procdb.clone(tmp_path / "target")
    (target.media / "keep.txt").parent.mkdir(parents=True, exist_ok=True)
    (target.media / "keep.txt").write_text("the target's own file")
    rows, files = target.digests(), procdb.media_digests(target.media)

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    def one_file_altered(name, data):
        return data.replace(b"\x00\x01\x02", b"\x00\x01\x03", 1) if name == "media/certificates/a.pdf" else data

    def other_engine(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["engine"] = "sqlite" if manifest["engine"] == "postgresql" else "postgresql"
        return json.dumps(manifest).encode()

    def newer_schema(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["core"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    cases = {
        truncated: "truncated or corrupted",
        rewrite(archive, tmp_path / "altered.tar.gz", one_file_altered): "media/certificates/a.pdf does not match",
        rewrite(archive, tmp_path / "engine.tar.gz", other_engine): "Restore into the same engine",
        rewrite(archive, tmp_path / "newer.tar.gz", newer_schema): "core.9999_from_the_future",
    }
    try:
        for bad, message in cases.items():
            result = target.gongxin("restore", str(bad), "--force", check=False)
            assert result.returncode == EXIT_BAD_ARCHIVE, (bad.name, result.stderr)
            assert message in result.stderr, (bad.name, result.stderr)
            assert target.digests() == rows, bad.name
            assert procdb.media_digests(target.media) == files, bad.name
        assert not list(target.media.parent.glob(".gongxin-restore-*"))  # the staging is cleaned up
    finally:
        target.drop()


def test_a_database_in_use_is_replaced_only_with_force(source, tmp_path):
    archive = backup(source, tmp_path / "backups")
    target = procdb.clone(tmp_path / "target")
    target.media.mkdir(parents=True, exist_ok=True)
    (target.media / "stale.txt").write_text("not in the backup")
    rows, files = target.digests(), procdb.media_digests(target.media)
    try:
        refused = target.gongxin("restore", str(archive), check=False)
        assert refused.returncode == EXIT_REFUSED
        assert "3,000 rows in registry_organization" in refused.stderr and "--force" in refused.stderr
        assert target.digests() == rows and procdb.media_digests(target.media) == files

        forced = target.gongxin("restore", str(archive), "--force")
        assert "--force: replacing the target's database" in forced.stderr
        assert target.digests() == source.digests()
        assert procdb.media_digests(target.media) == procdb.media_digests(source.media)
        assert not (target.media / "stale.txt").exists()
    finally:
        target.drop()
