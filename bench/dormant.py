"""Dormancy scan benchmark: ``dormancy_scan`` (the ORM, set-based, in windows of organization
ids, writing the findings) against ONE hand-written SQL query computing the same set of
organization ids, at N organizations with five years of annual reports and supervision facts.

    .venv/bin/python bench/dormant.py --orgs 100000
    .venv/bin/python bench/dormant.py --orgs 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/gongxin_bench_dormant

The database (var/bench-dormant-<N>.sqlite3 unless --database-url says otherwise; a PostgreSQL
database is created if missing) is built once and reused: ``gongxin seed --orgs N --seed S
--no-accounts``, then reports and facts generated here in bulk (core.bulk.insert_rows: COPY on
PostgreSQL, executemany on SQLite). Each measurement runs in its own process so its peak RSS
(``resource.getrusage``) is its own: the scan (best of 3 first full scans, the finding table
emptied before each; then one same-day rescan), then the hand-written query (best of 3), which
also checks that both found the same organizations. Writes bench/results/dormant-<engine>-<N>.json;
``python bench/search.py --report`` puts it in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/common.py, also when loaded by path
from common import ROOT, django_setup, engine_of, ensure_postgres_database, rss_mb, sqlite_url  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GONGXIN = str(ROOT / ".venv" / "bin" / "gongxin")
TODAY = dt.date(2026, 6, 30)  # the seed's "as of" day: the 2025 reports' deadline has passed
YEARS = range(TODAY.year - 5, TODAY.year)  # five report years, 2021-2025
REPEAT = 3


def default_url(orgs: int) -> str:
    return sqlite_url("dormant", orgs)


_django = django_setup


# --- Building the data -------------------------------------------------------------------------


def build(url: str, orgs: int, seed: int) -> None:
    """Seed the registry (the CLI, as an operator would) and generate reports and facts."""
    env = {**os.environ, "GONGXIN_DATABASE_URL": url, "GONGXIN_SECRET_KEY": "bench-only"}
    subprocess.run([GONGXIN, "migrate", "--verbosity", "0"], env=env, check=True)
    _django(url)
    from gongxin.annual.models import AnnualReport
    from gongxin.registry.models import Organization

    have = Organization.objects.count()
    if have not in (0, orgs):
        raise SystemExit(f"{url} has {have:,} organizations, expected 0 or {orgs:,}")
    timings = {}
    if have == 0:
        t = time.perf_counter()
        # The reports and facts are this benchmark's own (below), so they stay the same whatever the
        # demo seed generates; skip the seed's demo reports where it has them.
        help_text = subprocess.run([GONGXIN, "seed", "--help"], env=env, check=True, capture_output=True,
                                   text=True).stdout
        no_annual = ["--no-annual"] if "--no-annual" in help_text else []
        subprocess.run([GONGXIN, "seed", "--orgs", str(orgs), "--seed", str(seed), "--no-accounts", *no_annual,
                        "--batch", "10000", "--verbosity", "0"], env=env, check=True)
        timings["seed_seconds"] = time.perf_counter() - t
    if not AnnualReport.objects.exists():
        t = time.perf_counter()
        generate(seed)
        timings["generate_seconds"] = time.perf_counter() - t
    print(json.dumps(timings))


def generate(seed: int, batch: int = 20_000) -> None:
    """Five years of reports and the facts the nightly rules would have recorded, realistic in
    proportion: most organizations file on time, about one in seven files late once in a while,
    a few stop filing (some for two years or more), a few report no activity and no income,
    some report nothing done in their first year, and under 1 % could not be reached at an
    inspection in the last two years (a third of them reached later)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongxin.annual.models import AnnualReport, SupervisionFact
    from gongxin.core.bulk import columns_of, insert_rows, next_id, reset_sequence
    from gongxin.registry.models import Organization

    rng = random.Random(seed)
    report_cols = columns_of(AnnualReport)
    template = {}
    for f in AnnualReport._meta.concrete_fields:
        if f.has_default():
            template[f.column] = f.get_default()
        elif f.null:
            template[f.column] = None
        else:
            template[f.column] = ""
    fact_cols = columns_of(SupervisionFact)
    assert fact_cols == ["id", "organization_id", "kind", "key", "occurred_on", "resolved_on", "evidence", "created_at"]
    now = timezone.now()
    report_id, fact_id = next_id(AnnualReport), next_id(SupervisionFact)
    tz = dt.timezone(dt.timedelta(hours=8))

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, 9 + rng.randrange(9), rng.randrange(60), tzinfo=tz)

    orgs = Organization.objects.order_by("pk").values_list("pk", "established_on", "status")
    reports, facts = [], []
    done = 0
    for pk, established, status in orgs.iterator(chunk_size=batch):
        owed = [y for y in YEARS if established < dt.date(y, 6, 30)]
        p = rng.random()
        missing: set[int] = set()
        idle = 0
        if p < 0.03 and owed:  # stopped filing: the last 1-3 owed years missing
            missing = set(owed[-rng.choice([1, 1, 2, 2, 2, 3]):])
        elif p < 0.07:  # files now and then
            missing = {y for y in owed if rng.random() < 0.15}
        elif p < 0.10:  # idle: the last 1-3 reports show no activity and no income
            idle = rng.choice([1, 2, 2, 3])
        first_idle = rng.random() < 0.04
        filed = [y for y in owed if y not in missing]
        for y in owed:
            deadline = dt.date(y + 1, 5, 31)
            if y in missing:
                if status == "active":
                    facts.append([fact_id, pk, "report_missing", str(y), deadline + dt.timedelta(days=1), None,
                                  {"year": y, "deadline": deadline.isoformat()}, now])
                    fact_id += 1
                if rng.random() < 0.2:  # a draft left unfinished
                    row = dict(template, id=report_id, organization_id=pk, year=y, status="draft",
                               activity_count=rng.randrange(0, 5), created_at=now, updated_at=now)
                    reports.append([row[c] for c in report_cols])
                    report_id += 1
                continue
            late = rng.random() < 0.04
            submitted = (deadline + dt.timedelta(days=rng.randrange(1, 120)) if late
                         else dt.date(y + 1, 1, 5) + dt.timedelta(days=rng.randrange(140)))
            zero = idle and y in filed[-idle:]
            activity = 0 if zero or (first_idle and y == owed[0]) else rng.randrange(1, 60)
            income = 0 if zero else rng.randrange(10_000, 5_000_000)
            reviewed = rng.random() < 0.85
            row = dict(template, id=report_id, organization_id=pk, year=y,
                       status="reviewed" if reviewed else "authority_review", conclusion="pass" if reviewed else "",
                       total_assets=income * 2, total_liabilities=income // 4, net_assets=income * 2 - income // 4,
                       income=income, expenses=income * 9 // 10, staff_count=rng.randrange(0, 30),
                       activity_count=activity, activities="开展会员服务、行业培训和交流活动。" if activity else "",
                       submitted_at=at(submitted), late=late,
                       reviewed_at=at(submitted + dt.timedelta(days=20)) if reviewed else None,
                       published_on=submitted + dt.timedelta(days=20) if reviewed else None,
                       created_at=now, updated_at=now)
            reports.append([row[c] for c in report_cols])
            report_id += 1
            if late:
                facts.append([fact_id, pk, "report_late", str(y), submitted, None,
                              {"year": y, "deadline": deadline.isoformat(), "submitted_on": submitted.isoformat()}, now])
                facts.append([fact_id + 1, pk, "report_missing", str(y), deadline + dt.timedelta(days=1), submitted,
                              {"year": y, "deadline": deadline.isoformat()}, now])
                fact_id += 2
        if rng.random() < 0.008:
            occurred = dt.date(2024, 7, 1) + dt.timedelta(days=rng.randrange(720))
            resolved = occurred + dt.timedelta(days=rng.randrange(10, 60)) if rng.random() < 0.33 else None
            if resolved and resolved > TODAY:
                resolved = None
            facts.append([fact_id, pk, "unreachable", f"insp{fact_id}", occurred, resolved,
                          {"title": f"{occurred.year}年双随机抽查", "findings": "登记住所无此单位，法定代表人电话无人接听"}, now])
            fact_id += 1
        done += 1
        if len(reports) >= batch * 4:
            with transaction.atomic():
                insert_rows(AnnualReport, report_cols, reports)
                insert_rows(SupervisionFact, fact_cols, facts)
            reports, facts = [], []
            print(f"  {done:,} organizations' reports", file=sys.stderr)
    with transaction.atomic():
        insert_rows(AnnualReport, report_cols, reports)
        insert_rows(SupervisionFact, fact_cols, facts)
    reset_sequence(AnnualReport)
    reset_sequence(SupervisionFact)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            for table in ("annual_annualreport", "annual_supervisionfact", "registry_organization"):
                cursor.execute(f"VACUUM ANALYZE {table}")


# --- Measuring ---------------------------------------------------------------------------------


def measure_scan(url: str) -> None:
    _django(url)
    from gongxin.annual.dormancy import dormancy_scan
    from gongxin.annual.models import DormancyFinding

    baseline = rss_mb()
    runs = []
    result = None
    for _ in range(REPEAT):
        DormancyFinding.objects.all().delete()
        t = time.perf_counter()
        result = dormancy_scan(today=TODAY)
        runs.append(time.perf_counter() - t)
    peak = rss_mb()
    t = time.perf_counter()
    again = dormancy_scan(today=TODAY)
    rescan = time.perf_counter() - t
    assert (again.new, again.cleared) == (0, 0), again
    grounds: dict[str, int] = {}
    for entries in DormancyFinding.objects.values_list("grounds", flat=True).iterator(chunk_size=5000):
        for g in entries:
            grounds[g["ground"]] = grounds.get(g["ground"], 0) + 1
    print(json.dumps({"runs": runs, "best": min(runs), "rescan": rescan, "found": result.found,
                      "new": result.new, "grounds": grounds, "peak_rss_mb": peak, "baseline_rss_mb": baseline}))


def raw_sql(vendor: str) -> str:
    """The same set in one statement, as someone would write it by hand for this engine."""
    if vendor == "sqlite":
        first_owed = ("CAST(strftime('%%Y', o.established_on) AS INTEGER)"
                      " + CASE WHEN strftime('%%m-%%d', o.established_on) < '06-30' THEN 0 ELSE 1 END")
    else:
        first_owed = ("CAST(EXTRACT(YEAR FROM o.established_on) AS INTEGER)"
                      " + CASE WHEN to_char(o.established_on, 'MM-DD') < '06-30' THEN 0 ELSE 1 END")

    def missed(year_param: str, key_param: str) -> str:
        return f"""(NOT EXISTS (SELECT 1 FROM annual_annualreport r WHERE r.organization_id = o.id
                                AND r.year = %({year_param})s AND r.submitted_at IS NOT NULL)
                    OR EXISTS (SELECT 1 FROM annual_supervisionfact f WHERE f.organization_id = o.id
                               AND f.kind = 'report_missing' AND f.key = %({key_param})s AND f.resolved_on IS NULL))"""

    return f"""
        SELECT o.id FROM registry_organization o
         WHERE o.status = 'active' AND o.established_on < %(owes_from)s
           AND {missed("y0", "k0")} AND {missed("y1", "k1")}
        UNION
        SELECT r.organization_id FROM annual_annualreport r JOIN registry_organization o ON o.id = r.organization_id
         WHERE r.submitted_at IS NOT NULL AND r.activity_count = 0 AND o.status = 'active'
           AND o.established_on < %(year_ago)s AND r.year = {first_owed}
           AND NOT EXISTS (SELECT 1 FROM annual_annualreport l WHERE l.organization_id = r.organization_id
                           AND l.year > r.year AND l.submitted_at IS NOT NULL AND l.activity_count > 0)
        UNION
        SELECT z.organization_id FROM annual_annualreport z JOIN registry_organization o ON o.id = z.organization_id
         WHERE z.submitted_at IS NOT NULL AND z.activity_count = 0 AND z.income = 0 AND o.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM annual_annualreport n WHERE n.organization_id = z.organization_id
                           AND n.year > z.year AND n.submitted_at IS NOT NULL)
           AND (SELECT p.activity_count = 0 AND p.income = 0 FROM annual_annualreport p
                 WHERE p.organization_id = z.organization_id AND p.year < z.year AND p.submitted_at IS NOT NULL
                 ORDER BY p.year DESC LIMIT 1)
        UNION
        SELECT f.organization_id FROM annual_supervisionfact f JOIN registry_organization o ON o.id = f.organization_id
         WHERE f.kind = 'unreachable' AND f.resolved_on IS NULL AND f.occurred_on > %(year_ago)s
           AND f.occurred_on <= %(today)s AND o.status = 'active'
    """


def measure_raw(url: str) -> None:
    _django(url)
    from django.db import connection

    from gongxin.annual.dormancy import closed_year_groups
    from gongxin.annual.models import DormancyFinding

    # The hand-written query knows one closed year: on 30 June every jurisdiction's deadline for
    # the previous year's reports (Guangzhou's 31 March, everyone else's 31 May) has passed.
    groups = closed_year_groups(TODAY)
    assert len(groups) == 1, groups
    closed = groups[0][0]
    params = {"y0": closed - 1, "y1": closed, "k0": str(closed - 1), "k1": str(closed),
              "owes_from": dt.date(closed - 1, 6, 30), "year_ago": TODAY.replace(year=TODAY.year - 1),
              "today": TODAY}
    sql = raw_sql(connection.vendor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")  # as the scan does: compiling costs more than it saves here
    baseline = rss_mb()
    runs, ids = [], set()
    for _ in range(REPEAT):
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = {row[0] for row in cursor.fetchall()}
        runs.append(time.perf_counter() - t)
    peak = rss_mb()
    scanned = set(DormancyFinding.objects.values_list("organization_id", flat=True))  # the scan's last run
    print(json.dumps({"runs": runs, "best": min(runs), "found": len(ids), "same_set": ids == scanned,
                      "only_sql": len(ids - scanned), "only_scan": len(scanned - ids),
                      "peak_rss_mb": peak, "baseline_rss_mb": baseline}))


def db_info(url: str) -> None:
    _django(url)
    from django.db import connection

    from gongxin.annual.models import AnnualReport, SupervisionFact
    from gongxin.registry.models import Organization

    version = (connection.Database.sqlite_version if connection.vendor == "sqlite"
               else connection.cursor().connection.info.server_version)
    print(json.dumps({"db_version": version, "organizations": Organization.objects.count(),
                      "active": Organization.objects.filter(status="active").count(),
                      "reports": AnnualReport.objects.count(), "facts": SupervisionFact.objects.count()}))


def _phase(phase: str, url: str, *extra: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--database-url", url, *extra],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- Report ------------------------------------------------------------------------------------


def markdown(r: dict) -> str:
    scan, raw = r["scan"], r["raw"]
    grounds = ", ".join(f"{k} {v:,}" for k, v in sorted(r["scan"]["grounds"].items()))
    built = " ".join(
        part for part in (
            f"seeded in {r['seed_seconds']:.0f} s;" if r.get("seed_seconds") else "",
            f"reports and facts generated in {r['generate_seconds']:.0f} s;" if r.get("generate_seconds") else "",
        ) if part)
    return "\n".join([
        f"### {r['engine']} {r['db_version']} · {r['size']:,} organizations",
        "",
        f"{r['data']['active']:,} active, {r['data']['reports']:,} reports, {r['data']['facts']:,} facts"
        + (f" ({built.rstrip(';')})" if built else "") + f". Found {scan['found']:,} ({grounds}); "
        + ("the same set as the hand-written query." if raw["same_set"]
           else f"**differs** from the hand-written query ({raw['only_scan']:,} only in the scan, "
                f"{raw['only_sql']:,} only in the query)."),
        "",
        "| | best of 3 (s) | runs (s) | peak RSS (MiB) |",
        "|---|---:|---|---:|",
        f"| `dormancy_scan`, first full scan (computes and writes the findings) | {scan['best']:.2f} | "
        f"{' / '.join(f'{x:.2f}' for x in scan['runs'])} | {scan['peak_rss_mb']:.0f} |",
        f"| `dormancy_scan`, same-day rescan | {scan['rescan']:.2f} | | |",
        f"| hand-written SQL, one statement (computes the set only) | {raw['best']:.2f} | "
        f"{' / '.join(f'{x:.2f}' for x in raw['runs'])} | {raw['peak_rss_mb']:.0f} |",
        "",
        f"Scan ÷ SQL: **{r['ratio']:.2f}×** (target ≤ 2×). Process baseline after `django.setup()`: "
        f"{scan['baseline_rss_mb']:.0f} MiB.",
        "",
    ])


def report_section(results_dir: Path = RESULTS) -> list[str]:
    """The dormancy section of BENCHMARKS.md, from bench/results/dormant-*.json (called by
    bench/search.py when it rewrites BENCHMARKS.md)."""
    paths = sorted(results_dir.glob("dormant-*.json"),
                   key=lambda p: (json.loads(p.read_text())["size"], json.loads(p.read_text())["engine"]))
    if not paths:
        return []
    lines = [
        "## Dormancy scan (`bench/dormant.py`)",
        "",
        "`dormancy_scan` (民发〔2021〕63号 grounds, set-based ORM queries over windows of 50,000",
        "organization ids, upserting the findings) on the seeded registry plus five years of generated",
        "annual reports and supervision facts, as of 2026-06-30, against one hand-written SQL statement",
        "computing the same set of organization ids (which writes nothing). Best of 3 runs; the finding",
        "table is emptied before each, so every run is a first full scan. Peak RSS is the measuring",
        "process's own (each side runs in a fresh process). On PostgreSQL both sides run with `jit = off`",
        "(the scan sets it for its own transactions: compiling each window's query took 0.7 s for 0.25 s",
        "of work). The machine is shared (2 cores): runs of the same command have varied by ±30 %.",
        "",
    ]
    for path in paths:
        lines.append(markdown(json.loads(path.read_text())))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--phase", choices=["build", "scan", "raw", "info"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.database_url or default_url(args.orgs)
    if args.phase == "build":
        build(url, args.orgs, args.seed)
        return
    if args.phase:
        {"scan": measure_scan, "raw": measure_raw, "info": db_info}[args.phase](url)
        return
    engine = engine_of(url)
    (ROOT / "var").mkdir(exist_ok=True)
    if engine == "postgresql":
        ensure_postgres_database(url)
    built = _phase("build", url, "--orgs", str(args.orgs), "--seed", str(args.seed))
    info = _phase("info", url)
    scan = _phase("scan", url)
    raw = _phase("raw", url)
    path = RESULTS / f"dormant-{engine}-{args.orgs}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    result = {
        "engine": engine, "size": args.orgs, "db_version": info.pop("db_version"), "today": TODAY.isoformat(),
        # Measured again on the same data: keep the load times of the run that built it.
        "seed_seconds": built.get("seed_seconds", previous.get("seed_seconds")),
        "generate_seconds": built.get("generate_seconds", previous.get("generate_seconds")),
        "data": info, "scan": scan, "raw": raw, "ratio": scan["best"] / raw["best"],
        "rows": [
            {"label": "dormancy_scan", "best_s": scan["best"], "runs_s": scan["runs"], "peak_rss_mb": scan["peak_rss_mb"]},
            {"label": "hand-written SQL", "best_s": raw["best"], "runs_s": raw["runs"], "peak_rss_mb": raw["peak_rss_mb"]},
        ],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(markdown(result))
    if not raw["same_set"]:
        raise SystemExit("the scan and the hand-written query found different organizations")


if __name__ == "__main__":
    main()
