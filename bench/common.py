"""Helpers shared by the benchmarks that build their own databases (dormant.py, credit.py)."""

from __future__ import annotations

import os
import resource
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def engine_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def sqlite_url(name: str, orgs: int) -> str:
    # One file per benchmark and size: the 100,000 and 1,000,000 databases are both kept for reruns.
    return f"sqlite:///{ROOT / 'var' / f'bench-{name}-{orgs}.sqlite3'}"


def django_setup(url: str) -> None:
    os.environ["GONGXIN_DATABASE_URL"] = url
    os.environ.setdefault("GONGXIN_SECRET_KEY", "bench-only")
    os.environ.setdefault("GONGXIN_ALLOWED_HOSTS", "testserver")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def ensure_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username,
                         password=parts.password, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
