"""Load benchmark: the production server (gunicorn, DEBUG off, PostgreSQL) under 200 concurrent
users for 60 seconds on loopback: anonymous searches (page and API) and profile reads, organization
users saving their annual report draft, officers entering credit records; then the same number of
users against the same server's minimal view (/bench/ping, one line of JSON through the same
middleware), for the framework's ceiling.

    .venv/bin/python bench/load.py                          # 200 users, 60 s
    .venv/bin/python bench/load.py --users 20 --seconds 10  # a smoke run
    .venv/bin/python bench/load.py --report                 # only rewrite this section of BENCHMARKS.md

The database (gongxin_bench_load on 127.0.0.1:5432 unless --database-url says otherwise) is created,
migrated and seeded once (``gongxin seed --orgs 20000 --seed 7 --no-accounts``) and reused; the bench
accounts (bench_org_<n>: organizations of 440400 that owe last year's annual report;
bench_officer_<n>: officers of 440400) are created or reset each run with a known password. The
server is ``gunicorn gongxin.wsgi`` with bench/load_settings.py (gongxin.settings plus /bench/ping
from bench/load_urls.py), GONGXIN_DEBUG=0, the secret key from GONGXIN_SECRET_KEY (a random one if
unset), ALLOWED_HOSTS 127.0.0.1 and secure cookies off (plain http on loopback), static files
collected into var/bench-load/. Locust (bench/load_locustfile.py) drives it headless.

Every write carries a unique token (the draft's activities text, the credit record's title). After
the run each acknowledged write (the redirect after a valid POST) is looked for in the database:
credit records by title; drafts by their ``annual.draft_save`` audit events since the run started,
and each report must hold its user's last acknowledged token. Writes found but not acknowledged
(a response lost at the end of the run) are reported too.

Writes bench/results/load.json and this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/common.py, also when loaded by path
from common import ROOT, ensure_postgres_database  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BIN = ROOT / ".venv" / "bin"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongxin_bench_load"
VAR_DIR = ROOT / "var" / "bench-load"
PASSWORD = "Bench-load-2026-pw"
ORG_ACCOUNTS = 20
OFFICER_ACCOUNTS = 5
JURISDICTION = "440400"
QUERIES = ["协会", "商会", "珠海", "广州", "慈善", "教育", "体育", "文化", "养老", "科技", "社区", "服务",
           "基金", "医疗", "环保", "青年"]
SECTION = "## Load (`bench/load.py`)"


def server_env(url: str) -> dict:
    return {**os.environ, "GONGXIN_DATABASE_URL": url,
            "GONGXIN_SECRET_KEY": os.environ.get("GONGXIN_SECRET_KEY") or secrets.token_urlsafe(64),
            "GONGXIN_DEBUG": "0", "GONGXIN_DEMO": "0", "GONGXIN_ALLOWED_HOSTS": "127.0.0.1",
            "GONGXIN_SECURE_COOKIES": "0", "GONGXIN_SSL_REDIRECT": "0", "GONGXIN_VAR_DIR": str(VAR_DIR),
            "GONGXIN_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "load_settings",
            # Every simulated user signs in from 127.0.0.1: the per-address sign-in limit would
            # refuse them as it refuses one client guessing passwords.
            "GONGXIN_LOGIN_RATE_LIMIT": "1000000",
            "PYTHONPATH": str(ROOT / "bench")}


# --- Data and accounts (a subprocess with Django set up) ----------------------------------------


def prepare(url: str, orgs: int, seed: int) -> dict:
    env = server_env(url)
    gongxin = str(BIN / "gongxin")
    subprocess.run([gongxin, "migrate", "--verbosity", "0"], env=env, check=True)
    subprocess.run([gongxin, "seed", "--orgs", str(orgs), "--seed", str(seed), "--no-accounts", "--if-empty",
                    "--verbosity", "0"], env=env, check=True)
    subprocess.run([gongxin, "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True)
    out = subprocess.run([sys.executable, __file__, "--phase", "accounts", "--database-url", url], env=env,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _django():
    import django

    django.setup()


def make_accounts() -> None:
    """Bench accounts with a known password, the organizations and queries the users pick from,
    and the audit high-water mark the write count starts from."""
    _django()
    import random

    from django.db.models import Max
    from django.utils import timezone

    from gongxin.accounts.models import Role, User
    from gongxin.annual import rules
    from gongxin.annual.models import AnnualReport
    from gongxin.core.models import AuditEvent
    from gongxin.registry.models import Organization

    rng = random.Random(7)
    year = timezone.localdate().year - 1
    local = Organization.objects.filter(registration_authority__code__startswith=JURISDICTION[:4], status="active")
    owing = []
    for org in local.order_by("pk").iterator():
        report = AnnualReport.objects.filter(organization=org, year=year).first()
        if rules.obligation_for(org, year).owed and (report is None or not report.locked):
            owing.append(org)
            if len(owing) == ORG_ACCOUNTS:
                break
    if len(owing) < ORG_ACCOUNTS:
        raise SystemExit(f"only {len(owing)} organizations of {JURISDICTION} owe an open {year} report")

    def account(username, role, **kw):
        user, _ = User.objects.update_or_create(username=username, defaults={"role": role, "display_name": username,
                                                                             "must_change_password": False, **kw})
        user.set_password(PASSWORD)
        user.save()
        return user

    orgs = [account(f"bench_org_{i}", Role.ORG_USER, organization=org).username for i, org in enumerate(owing)]
    officers = [account(f"bench_officer_{i}", Role.OFFICER, jurisdiction_id=JURISDICTION).username
                for i in range(OFFICER_ACCOUNTS)]
    pks = list(Organization.objects.values_list("pk", flat=True))
    usccs = list(Organization.objects.filter(pk__in=rng.sample(pks, min(2000, len(pks)))).values_list("uscc", flat=True))
    officer_usccs = list(local.order_by("?").values_list("uscc", flat=True)[:300])
    print(json.dumps({"org_accounts": orgs, "officer_accounts": officers, "usccs": usccs,
                      "officer_usccs": officer_usccs, "queries": QUERIES, "password": PASSWORD, "year": year,
                      "today": timezone.localdate().isoformat(),
                      "audit_mark": AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0,
                      "organizations": Organization.objects.count()}))


def count_writes(config: dict, acks_path: str) -> None:
    """Each acknowledged write, looked for in the database."""
    _django()
    from django.db.models import Count

    from gongxin.accounts.models import User
    from gongxin.annual.models import AnnualReport
    from gongxin.core.models import AuditEvent
    from gongxin.credit.models import CreditRecord

    acks = [line.split(" ", 2) for line in Path(acks_path).read_text(encoding="utf-8").splitlines() if line]
    records = {token for kind, _, token in acks if kind == "record"}
    stored = set(CreditRecord.objects.filter(title__startswith=config["prefix"] + "-record-")
                 .values_list("title", flat=True))
    drafts = Counter(user for kind, user, _ in acks if kind == "draft")
    last = {user: token for kind, user, token in acks if kind == "draft"}
    users = dict(User.objects.filter(username__in=config["org_accounts"]).values_list("pk", "username"))
    events = {users[row["actor_id"]]: row["n"] for row in AuditEvent.objects.filter(
        action="annual.draft_save", actor_id__in=users, id__gt=config["audit_mark"]).values("actor_id")
        .annotate(n=Count("id")).order_by()}
    holding = dict(AnnualReport.objects.filter(organization__users__username__in=list(last), year=config["year"])
                   .values_list("organization__users__username", "activities"))
    print(json.dumps({
        "records": {"acknowledged": len(records), "found": len(records & stored), "unacknowledged": len(stored - records)},
        "drafts": {"acknowledged": sum(drafts.values()), "found": sum(min(events.get(u, 0), n) for u, n in drafts.items()),
                   "unacknowledged": sum(max(0, n - drafts.get(u, 0)) for u, n in events.items()),
                   "last_token_held": sum(holding.get(u) == t for u, t in last.items()), "users": len(last)},
    }))


# --- The server and the runs ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(BIN / "gunicorn"), "gongxin.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
                             str(workers), "--timeout", "60"], env=server_env(url), cwd=ROOT)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ping", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the server did not start")


def run_locust(port: int, classes: list[str], users: int, seconds: int, spawn_rate: int, config_path: str,
               workdir: Path) -> dict:
    acks = workdir / f"{classes[0]}.acks"
    stats = workdir / f"{classes[0]}.stats.json"
    env = {**os.environ, "LOAD_CONFIG": config_path, "LOAD_ACKS": str(acks), "LOAD_STATS": str(stats)}
    subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "load_locustfile.py"), "--headless",
                    "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s",
                    "--stop-timeout", "20", "--host", f"http://127.0.0.1:{port}", "--only-summary",
                    "--loglevel", "WARNING", *classes], env=env, check=False)
    return {**json.loads(stats.read_text(encoding="utf-8")), "acks": str(acks)}


def machine() -> str:
    import platform

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB; Python {platform.python_version()}"


def versions(url: str) -> dict:
    def out(*cmd):
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()

    pg = out("psql", url, "-Atc", "SHOW server_version")
    return {"commit": out("git", "rev-parse", "--short", "HEAD"), "postgresql": pg,
            "gunicorn": out(str(BIN / "gunicorn"), "--version").split()[-1].strip("()"),
            "locust": out(str(BIN / "locust"), "--version").split()[1]}


# --- Report ------------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report_section(results_dir: Path = RESULTS) -> list[str]:
    """This benchmark's section of BENCHMARKS.md, from bench/results/load.json (the interface of
    the other scripts' report_section, for bench/search.py's other_sections)."""
    path = results_dir / "load.json"
    if not path.exists():
        return []
    r = json.loads(path.read_text())
    app, ping, w = r["app"], r["ping"], r["writes"]
    acked = w["records"]["acknowledged"] + w["drafts"]["acknowledged"]
    found = w["records"]["found"] + w["drafts"]["found"]
    lines = [SECTION, "",
             f"Measured {r['measured_on']} ({r['machine']}), commit `{r['versions']['commit']}`: gunicorn "
             f"{r['versions']['gunicorn']} (`gongxin.wsgi`, {r['workers']} sync workers, DEBUG off, the production "
             f"middleware; settings `bench/load_settings.py`) on PostgreSQL {r['versions']['postgresql']} with "
             f"{r['organizations']:,} organizations (`gongxin seed --seed 7`); locust {r['versions']['locust']} "
             f"headless on the same machine, **{r['users']} users** (spawn rate {r['spawn_rate']}/s) for "
             f"**{r['seconds']} s** per run over loopback; application users pause 0.5–1.5 s between requests, ping "
             "users not at all (a closed loop: the ceiling, not the offered load). Locust and the server share "
             "the same cores, so the client's CPU is part of the picture; requests per second count until the "
             "last user finished its task (`--stop-timeout 20`)."
             + (f" *{r['note']}*" if r.get("note") else ""),
             "",
             "Mix (by users): anonymous visitors 9/11 (public search page `/orgs/?q=` with 2-character "
             "Chinese queries, the search API, organization profiles), organization users 1/11 (open last "
             "year's annual report and save the draft: `report_save_draft`, audited), officers of 440400 1/11 "
             "(open an organization's credit file, the record form, and enter a credit record: "
             "`record_create`, audited, the credit rules run for the organization on commit). The minimal "
             "view is `/bench/ping` in the same server (a bench-only URLconf), one line of JSON through the "
             "same middleware stack.",
             "",
             "| run | requests | errors | p50 (ms) | p95 (ms) | p99 (ms) | req/s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, run in (("application mix", app), ("minimal view `/bench/ping`", ping)):
        t = run["total"]
        lines.append(f"| {label} | {t['requests']:,} | {t['errors']:,} | {t['p50_ms']:.0f} | {t['p95_ms']:.0f} | "
                     f"{t['p99_ms']:.0f} | {t['rps']:.1f} |")
    lines += ["", f"Throughput, application mix ÷ minimal view: **{r['ratio']:.2f}** "
                  f"({app['total']['rps']:.1f} ÷ {ping['total']['rps']:.1f} req/s). Errors: target 0, "
                  f"{_met(app['total']['errors'] + ping['total']['errors'] == 0)}.",
              "", "| request (application mix) | requests | errors | p50 (ms) | p95 (ms) | p99 (ms) |",
              "|---|---:|---:|---:|---:|---:|"]
    for name, s in sorted(app["by_name"].items(), key=lambda kv: -kv[1]["requests"]):
        lines.append(f"| `{name}` | {s['requests']:,} | {s['errors']:,} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} | "
                     f"{s['p99_ms']:.0f} |")
    if app["failures"] or ping["failures"]:
        lines += ["", "Errors: " + "; ".join(f"{f['name']} — {f['error']} ×{f['count']}"
                                            for f in app["failures"] + ping["failures"]) + "."]
    d, c = w["drafts"], w["records"]
    lines += ["",
              f"Writes accounted for: {found:,} of {acked:,} acknowledged writes found in the database "
              f"({_met(found == acked)}): credit records {c['found']:,} / {c['acknowledged']:,} (by title), draft "
              f"saves {d['found']:,} / {d['acknowledged']:,} (by `annual.draft_save` audit event), and "
              f"{d['last_token_held']} of {d['users']} reports hold their user's last acknowledged token. Written "
              f"but not acknowledged (a response cut off when the run stopped): {c['unacknowledged'] + d['unacknowledged']}.",
              ""]
    return lines


def write_section(path: Path = ROOT / "BENCHMARKS.md") -> None:
    section = report_section()
    if not section:
        return
    lines = path.read_text().rstrip("\n").split("\n") if path.exists() else []
    if SECTION in lines:
        start = lines.index(SECTION)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    else:
        start = end = len(lines)
        section = ["", *section] if lines and lines[-1] else section
    path.write_text("\n".join(lines[:start] + section + lines[end:]).rstrip("\n") + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--spawn-rate", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers [4, as in docs/deploy.md]")
    parser.add_argument("--orgs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--note", default="", help="a sentence for the report (e.g. why the run was shortened)")
    parser.add_argument("--report", action="store_true", help="only rewrite this section of BENCHMARKS.md")
    parser.add_argument("--phase", choices=["accounts", "count"], help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--acks", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.report:
        write_section()
        return
    if args.phase == "accounts":
        make_accounts()
        return
    if args.phase == "count":
        count_writes(json.loads(Path(args.config).read_text(encoding="utf-8")), args.acks)
        return

    ensure_postgres_database(args.database_url)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    config = prepare(args.database_url, args.orgs, args.seed)
    config["prefix"] = f"LOAD{dt.datetime.now():%Y%m%d%H%M%S}"
    work = Path(tempfile.mkdtemp(prefix="gongxin-load-"))
    config_path = work / "config.json"
    config_path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    server = start_server(args.database_url, port, args.workers)
    try:
        app = run_locust(port, ["PublicUser", "OrgUser", "OfficerUser"], args.users, args.seconds, args.spawn_rate,
                         str(config_path), work)
        ping = run_locust(port, ["PingUser"], args.users, args.seconds, args.spawn_rate, str(config_path), work)
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = subprocess.run([sys.executable, __file__, "--phase", "count", "--config", str(config_path),
                          "--acks", app.pop("acks")], env=server_env(args.database_url), check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    writes = json.loads(out.strip().splitlines()[-1])
    ping.pop("acks")
    result = {"measured_on": dt.date.today().isoformat(), "machine": machine(),
              "versions": versions(args.database_url), "users": args.users, "seconds": args.seconds,
              "spawn_rate": args.spawn_rate, "workers": args.workers, "organizations": config["organizations"],
              "note": args.note, "app": app, "ping": ping, "writes": writes,
              "ratio": app["total"]["rps"] / ping["total"]["rps"] if ping["total"]["rps"] else 0.0}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print("\n".join(report_section()))
    write_section()


if __name__ == "__main__":
    main()
