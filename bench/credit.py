"""Credit rule engine benchmark: ``credit.engine.evaluate`` (the 15 grounds of credit.rules, set-based
ORM queries over ranges of 50,000 organization ids, writing notices, grounds and audit events)
against ONE hand-written SQL statement computing the same set of (organization, list) pairs,
at N organizations with five years of annual reports, supervision facts, penalties and credit
records; plus the incremental run for one organization.

    .venv/bin/python bench/credit.py --orgs 1000000
    .venv/bin/python bench/credit.py --orgs 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/gongxin_bench_credit
    .venv/bin/python bench/credit.py --report     # only rewrite this section of BENCHMARKS.md

The database (var/bench-credit-<N>.sqlite3 unless --database-url says otherwise; a PostgreSQL
database is created if missing) is built once and reused: ``gongxin seed --orgs N --seed S
--no-accounts`` (the registry and, from annual.demo_data.seed_annual, five years of reports with
their report_missing / report_late / report_failed facts), then the penalties, credit records
and inspection facts generated here in bulk (core.bulk.insert_rows). Each measurement runs in
its own process so its peak RSS is its own:

- engine: best of 3 first full runs as of TODAY (every credit row the engine writes, and its
  audit events, deleted before each: a fresh database), then a same-day rerun that must change
  nothing;
- baseline: the hand-written statement (best of 3), checked against the entries the engine's
  last run created: the same (organization, list) pairs, or the benchmark fails;
- incremental: ``evaluate(organization=...)`` for 50 organizations, once with nothing new and
  once just after a new warning was recorded for the organization (the on-commit run of
  penalty_decide); median and p95.

Writes bench/results/credit-<engine>-<N>.json and this benchmark's section of BENCHMARKS.md
(``--report`` rewrites only that section, from the result files and the prose in
bench/credit.notes.md; the other sections are left as they are). ``--profile`` prints a cProfile
of one first full run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/common.py, also when loaded by path
from common import ROOT, django_setup, engine_of, ensure_postgres_database, rss_mb, sqlite_url  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GONGXIN = str(ROOT / ".venv" / "bin" / "gongxin")
TODAY = dt.date(2026, 6, 30)  # the seed's "as of" day: its reports and facts are current to it
FIRST = dt.date(2021, 7, 1)  # penalties, records and inspections spread over the five years before
REPEAT = 3
SAMPLES = 50  # organizations timed for the incremental run
CREDIT_ACTIONS = ("credit.notice", "credit.ground_add", "credit.ground_rectified", "credit.list", "credit.remove",
                  "credit.withdraw")  # the engine's audit actions
SECTION = "## Credit rule engine (`bench/credit.py`)"


def default_url(orgs: int) -> str:
    return sqlite_url("credit", orgs)


_django = django_setup


# --- Building the data -------------------------------------------------------------------------


def build(url: str, orgs: int, seed: int) -> None:
    """Seed the registry and its annual reports (the CLI, as an operator would), then generate
    the credit data."""
    env = {**os.environ, "GONGXIN_DATABASE_URL": url, "GONGXIN_SECRET_KEY": "bench-only"}
    subprocess.run([GONGXIN, "migrate", "--verbosity", "0"], env=env, check=True)
    _django(url)
    from gongxin.credit.models import Penalty
    from gongxin.registry.models import Organization

    have = Organization.objects.count()
    if have not in (0, orgs):
        raise SystemExit(f"{url} has {have:,} organizations, expected 0 or {orgs:,}")
    timings = {}
    if have == 0:
        t = time.perf_counter()
        subprocess.run([GONGXIN, "seed", "--orgs", str(orgs), "--seed", str(seed), "--no-accounts",
                        "--as-of", TODAY.isoformat(), "--batch", "10000", "--verbosity", "0"], env=env, check=True)
        timings["seed_seconds"] = time.perf_counter() - t
    if not Penalty.objects.exists():
        t = time.perf_counter()
        generate(seed)
        timings["generate_seconds"] = time.perf_counter() - t
    print(json.dumps(timings))


def _day(rng: random.Random, first: dt.date, last: dt.date = TODAY) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def generate(seed: int, batch: int = 20_000) -> None:
    """Penalties, credit records and inspection facts over the five years to TODAY, in
    realistic proportion (a few % of organizations ever penalized): warnings and fines under
    ¥50,000 (some organizations twice or three times, some of those within 3 years: D5), fines
    of ¥50,000 or more (a tenth exactly ¥50,000), suspensions, cancellations and revocations
    (of organizations whose registration the seed ended; some since deregistered); court
    defaulters and the other officer-entered grounds, a third to a half of them ended; records
    that are information only (commendations, evaluation grades); unreachable and overdue
    rectification facts from inspections, some resolved."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongxin.annual.models import SupervisionFact
    from gongxin.core.bulk import columns_of, insert_rows, next_id, reset_sequence
    from gongxin.core.models import Region
    from gongxin.credit.models import RECORD_CATEGORY, CreditRecord, Penalty
    from gongxin.registry.models import Organization

    rng = random.Random(f"bench-credit-{seed}")
    names = dict(Region.objects.values_list("code", "name"))
    cols = {m: columns_of(m) for m in (Penalty, CreditRecord, SupervisionFact)}
    ids = {m: next_id(m) for m in cols}
    rows: dict = {m: [] for m in cols}
    now = timezone.now()

    def add(model, **values):
        values["id"] = ids[model]
        ids[model] += 1
        rows[model].append([values.get(c) for c in cols[model]])

    def penalty(org_id, authority, kind, decided_on, amount=None):
        n = ids[Penalty]
        suspension = kind == "suspension"
        add(Penalty, organization_id=org_id, kind=kind, decision_number=f"{names[authority][:2]}民罚字〔{decided_on.year}〕"
            f"B{n}号", amount=amount, suspension_from=decided_on + dt.timedelta(days=15) if suspension else None,
            suspension_until=decided_on + dt.timedelta(days=105) if suspension else None,
            facts="未按照章程规定开展活动，经调查属实。", legal_basis="《社会团体登记管理条例》第三十条",
            decided_on=decided_on, deciding_body=f"{names[authority]}民政局", authority_id=authority,
            is_public=True, decided_by_id=None, created_at=now)

    def record(org_id, kind, title, occurred_on, p_ended):
        ended = rng.random() < p_ended
        add(CreditRecord, organization_id=org_id, category=RECORD_CATEGORY[kind], kind=kind, title=title,
            content="", source="部门共享" if kind != "court_defaulter" else "最高人民法院失信被执行人名单",
            deciding_body="人民法院" if kind == "court_defaulter" else "市民政局", occurred_on=occurred_on,
            valid_until=None, resolved_on=min(TODAY, occurred_on + dt.timedelta(days=rng.randrange(30, 400)))
            if ended else None, is_public=True, import_key="", recorded_by_id=None, recorded_at=now)

    def fact(org_id, kind, occurred_on, p_resolved, evidence):
        resolved = rng.random() < p_resolved
        n = ids[SupervisionFact]
        add(SupervisionFact, organization_id=org_id, kind=kind, key=f"bench{n}", occurred_on=occurred_on,
            resolved_on=min(TODAY, occurred_on + dt.timedelta(days=rng.randrange(10, 120))) if resolved else None,
            evidence=evidence, created_at=now)

    orgs = Organization.objects.order_by("pk").values_list("pk", "established_on", "status",
                                                           "registration_authority_id")
    for done, (pk, established, status, authority) in enumerate(orgs.iterator(chunk_size=batch), start=1):
        start = max(FIRST, established)
        p = rng.random()
        if p < 0.025:  # one minor penalty
            kind = rng.choice(["warning", "fine"])
            penalty(pk, authority, kind, _day(rng, start), rng.randrange(1, 50) * 1000 if kind == "fine" else None)
        elif p < 0.031:  # two or three, over five years: within 3 years of each other about half the time
            for _ in range(rng.choice([2, 2, 3])):
                kind = rng.choice(["warning", "fine"])
                penalty(pk, authority, kind, _day(rng, start), rng.randrange(1, 50) * 1000 if kind == "fine" else None)
        elif p < 0.034:
            amount = 50_000 if rng.random() < 0.1 else rng.randrange(50, 500) * 1000
            penalty(pk, authority, "fine", _day(rng, start), amount)
        elif p < 0.036:
            penalty(pk, authority, "suspension", _day(rng, start))
        if status in ("registration_cancelled", "certificate_revoked") and rng.random() < 0.5:
            penalty(pk, authority, status, _day(rng, start))
        elif status == "deregistered" and rng.random() < 0.05:  # revoked, deregistration completed since
            penalty(pk, authority, rng.choice(["registration_cancelled", "certificate_revoked"]), _day(rng, start))
        q = rng.random()
        if q < 0.004:
            record(pk, "court_defaulter", "被人民法院列为失信被执行人", _day(rng, start), 0.33)
        elif q < 0.006:
            record(pk, "party_org_missing", "未按规定建立党组织", _day(rng, start), 0.5)
        elif q < 0.008:
            record(pk, "disclosure_failure", "未按规定公开应当公开的信息", _day(rng, start), 0.5)
        elif q < 0.0085:
            record(pk, "fundraising_lapsed", "具有公开募捐资格的慈善组织连续6个月未开展公开募捐", _day(rng, start), 0.5)
        elif q < 0.0087:
            record(pk, "fraudulent_change", "以欺骗手段取得变更登记被撤销", _day(rng, start), 0.0)
        elif q < 0.0089:
            record(pk, "other_dishonest", "其他严重违法失信情形", _day(rng, start), 0.33)
        elif q < 0.0091:
            record(pk, "other_abnormal", "其他活动异常情形", _day(rng, start), 0.5)
        elif q < 0.04:  # information only: the engine reads past these
            kind = rng.choice(["commendation", "evaluation_grade", "government_service"])
            record(pk, kind, {"commendation": "获评先进社会组织", "evaluation_grade": "评估等级4A",
                              "government_service": "承接政府购买服务项目"}[kind], _day(rng, start), 0.0)
        r = rng.random()
        if r < 0.008:
            fact(pk, "unreachable", _day(rng, max(start, dt.date(2024, 7, 1))), 0.33,
                 {"title": "双随机抽查", "findings": "登记住所无此单位，法定代表人电话无人接听"})
        elif r < 0.013:
            fact(pk, "rectification_overdue", _day(rng, max(start, dt.date(2023, 7, 1))), 0.5,
                 {"notice": "责令整改通知书", "deadline": "逾期未整改"})
        if done % batch == 0:
            with transaction.atomic():
                for model, model_rows in rows.items():
                    insert_rows(model, cols[model], model_rows)
                    model_rows.clear()
            print(f"  {done:,} organizations' credit data", file=sys.stderr)
    with transaction.atomic():
        for model, model_rows in rows.items():
            insert_rows(model, cols[model], model_rows)
    for model in cols:
        reset_sequence(model)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:  # VACUUM cannot run inside a transaction (a test's)
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for model in cols:
                cursor.execute(f"{verb} {model._meta.db_table}")


# --- The hand-written statement ----------------------------------------------------------------


def first_active_day(months: int, today: dt.date) -> dt.date:
    """The earliest day whose listing period of ``months`` has not fully passed on ``today``
    (credit.rules.full_period_passed, calendar months clamped to the month's end), so the
    statement's windows are the rules' to the day."""
    from gongxin.credit.rules import add_months, full_period_passed

    day = add_months(today, -months)
    while full_period_passed(day, months, today):
        day += dt.timedelta(days=1)
    return day


def baseline_sql(vendor: str, today: dt.date) -> tuple[str, dict]:
    """The (organization, list) pairs a run on a fresh database notices, in one statement, as
    someone would write it by hand from domain-rules.md §2: every ground that can apply without
    a previous listing (all but D1), with the rules' windows, on the evidence known by ``today``
    (credit.rules ignores anything dated later), skipping deregistered organizations."""
    from gongxin.credit.rules import ABNORMAL_PERIOD, DISHONEST_PERIOD, REPEAT_WINDOW, add_months

    if vendor == "sqlite":  # calendar months clamped to the month's end, as credit.rules.add_months
        within_3_years = ("x.decided_on < MIN(date(p.decided_on, 'start of month', '+36 months', '+' || "
                          "(CAST(strftime('%%d', p.decided_on) AS INTEGER) - 1) || ' days'), "
                          "date(p.decided_on, 'start of month', '+37 months', '-1 day'))")
    else:  # PostgreSQL's date + interval clamps already
        within_3_years = "x.decided_on < (p.decided_on + interval '36 months')::date"

    def minor(a: str) -> str:  # a warning or a fine under ¥50,000
        return f"({a}.kind = 'warning' OR ({a}.kind = 'fine' AND {a}.amount < 50000))"

    sql = f"""
        WITH found (organization_id, list) AS (
            SELECT organization_id, 'abnormal' FROM annual_supervisionfact
             WHERE occurred_on <= %(today)s
               AND ((kind IN ('report_missing', 'rectification_overdue', 'unreachable') AND resolved_on IS NULL)
                    OR (kind IN ('report_late', 'report_failed') AND occurred_on >= %(six_months)s))
            UNION ALL
            SELECT organization_id, CASE WHEN kind IN ('court_defaulter', 'other_dishonest', 'fraudulent_change')
                                         THEN 'dishonest' ELSE 'abnormal' END
              FROM credit_creditrecord
             WHERE occurred_on <= %(today)s
               AND ((kind IN ('party_org_missing', 'fundraising_lapsed', 'disclosure_failure', 'other_abnormal',
                              'court_defaulter', 'other_dishonest') AND resolved_on IS NULL)
                    OR (kind = 'fraudulent_change' AND occurred_on >= %(two_years)s))
            UNION ALL
            SELECT organization_id, 'abnormal' FROM credit_penalty x
             WHERE {minor("x")} AND decided_on >= %(six_months)s AND decided_on <= %(today)s
            UNION ALL
            SELECT organization_id, 'dishonest' FROM credit_penalty
             WHERE decided_on >= %(two_years)s AND decided_on <= %(today)s
               AND (kind = 'suspension' OR (kind = 'fine' AND amount >= 50000))
            UNION ALL
            SELECT organization_id, 'dishonest' FROM credit_penalty
             WHERE kind IN ('registration_cancelled', 'certificate_revoked') AND decided_on <= %(today)s
            UNION ALL
            SELECT x.organization_id, 'dishonest' FROM credit_penalty x
             WHERE {minor("x")} AND x.decided_on >= %(two_years)s AND x.decided_on <= %(today)s
               AND EXISTS (SELECT 1 FROM credit_penalty p
                            WHERE p.organization_id = x.organization_id AND {minor("p")}
                              AND p.decided_on >= %(repeat_oldest)s
                              AND (p.decided_on < x.decided_on OR (p.decided_on = x.decided_on AND p.id < x.id))
                              AND {within_3_years})
        )
        SELECT DISTINCT f.organization_id, f.list
          FROM found f JOIN registry_organization o ON o.id = f.organization_id
         WHERE o.status <> 'deregistered'
    """
    assert REPEAT_WINDOW == 36 and ABNORMAL_PERIOD == 6 and DISHONEST_PERIOD == 24, "the statement hard-codes these"
    params = {"today": today, "six_months": first_active_day(ABNORMAL_PERIOD, today),
              "two_years": first_active_day(DISHONEST_PERIOD, today),
              "repeat_oldest": add_months(today, -DISHONEST_PERIOD - REPEAT_WINDOW)}
    return sql, params


def baseline_pairs(today: dt.date) -> set[tuple[int, str]]:
    from django.db import connection

    sql, params = baseline_sql(connection.vendor, today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(org_id, list_) for org_id, list_ in cursor.fetchall()}


def engine_pairs() -> set[tuple[int, str]]:
    from gongxin.credit.models import ListEntry

    return set(ListEntry.objects.filter(status="noticed").values_list("organization_id", "list"))


# --- Measuring ---------------------------------------------------------------------------------


def clean() -> None:
    """Back to the built database: no entries, grounds, runs or engine audit events (the tail of
    the chain: nothing else is appended to a benchmark database, so the chain stays whole), and
    none of the incremental phase's penalties. The append-only audit table is unlocked for this
    transaction only: on SQLite the way the test suite's flush does; on PostgreSQL, whose row
    trigger refuses every DELETE, by not firing triggers (session_replication_role, superuser)."""
    from django.db import connection, transaction

    from gongxin.core import audit

    statements = [
        "DELETE FROM credit_listingground", "DELETE FROM credit_listentry", "DELETE FROM credit_creditrun",
        "DELETE FROM credit_personbadrecord WHERE source LIKE 'listing:%'",
        "DELETE FROM credit_penalty WHERE decision_number LIKE 'BENCH-INC-%'",
        f"DELETE FROM core_auditevent WHERE action IN ({', '.join(repr(a) for a in CREDIT_ACTIONS)})",
    ]
    audit._audit_locked = False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            for sql in statements:
                cursor.execute(sql)
    finally:
        audit._audit_locked = True
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # no dead rows for the next run
        with connection.cursor() as cursor:
            for table in ("credit_listingground", "credit_listentry", "core_auditevent"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def measure_engine(url: str) -> None:
    _django(url)
    from django.db.models import Count

    from gongxin.core.models import AuditEvent
    from gongxin.credit import engine
    from gongxin.credit.models import ListEntry, ListingGround

    # Where the time goes: finding and comparing (_plan) against writing and auditing (commit).
    split = {"plan": 0.0, "commit": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                split[name] += time.perf_counter() - t
        return wrapper

    engine._plan, engine.commit = timed("plan", engine._plan), timed("commit", engine.commit)
    baseline = rss_mb()
    runs, splits, run = [], [], None
    for _ in range(REPEAT):
        clean()
        split.update(plan=0.0, commit=0.0)
        t = time.perf_counter()
        run = engine.evaluate(today=TODAY)
        runs.append(time.perf_counter() - t)
        splits.append(dict(split))
    peak = rss_mb()
    t = time.perf_counter()
    again = engine.evaluate(today=TODAY)
    rerun = time.perf_counter() - t
    changed = {k: v for k, v in again.counts.items() if k != "seconds" and v}
    assert not changed, f"the same-day rerun changed something: {changed}"
    grounds = dict(ListingGround.objects.values_list("ground").annotate(n=Count("id")).order_by())
    lists = dict(ListEntry.objects.values_list("list").annotate(n=Count("id")).order_by())
    best = min(range(REPEAT), key=runs.__getitem__)
    print(json.dumps({"runs": runs, "best": runs[best], "split": splits[best], "rerun": rerun,
                      "counts": {k: v for k, v in run.counts.items() if k != "seconds"},
                      "entries": lists, "grounds": grounds,
                      "audit_events": AuditEvent.objects.filter(action__in=CREDIT_ACTIONS).count(),
                      "peak_rss_mb": peak, "baseline_rss_mb": baseline}))


def measure_baseline(url: str) -> None:
    _django(url)
    baseline = rss_mb()
    runs, pairs = [], set()
    for _ in range(REPEAT):
        t = time.perf_counter()
        pairs = baseline_pairs(TODAY)
        runs.append(time.perf_counter() - t)
    peak = rss_mb()
    noticed = engine_pairs()  # the engine's last run
    print(json.dumps({"runs": runs, "best": min(runs), "found": len(pairs), "same_set": pairs == noticed,
                      "only_sql": len(pairs - noticed), "only_engine": len(noticed - pairs),
                      "lists": {name: sum(1 for _, list_ in pairs if list_ == name) for name in ("abnormal", "dishonest")},
                      "peak_rss_mb": peak, "baseline_rss_mb": baseline}))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def measure_incremental(url: str) -> None:
    """One organization on demand, after the full run (the nightly state): with nothing new,
    and right after a new warning (what penalty_decide's on-commit run does)."""
    _django(url)
    from django.db import connection
    from django.db.models import Max, Min
    from django.test.utils import CaptureQueriesContext

    from gongxin.credit import engine
    from gongxin.credit.models import Penalty
    from gongxin.registry.models import Organization

    rng = random.Random(7)
    bounds = Organization.objects.aggregate(lo=Min("id"), hi=Max("id"))
    orgs: list = []
    while len(orgs) < SAMPLES + 3:
        org = Organization.objects.filter(pk=rng.randint(bounds["lo"], bounds["hi"]), status="active").first()
        if org is not None and org not in orgs:
            orgs.append(org)
    for org in orgs[:3]:  # warm-up: imports, policy cache, prepared statements
        engine.evaluate(organization=org, today=TODAY)
    quiet, after, outcomes = [], [], {"noticed": 0, "grounds_added": 0}
    queries = {}
    for org in orgs[3:]:
        t = time.perf_counter()
        engine.evaluate(organization=org, today=TODAY)
        quiet.append((time.perf_counter() - t) * 1000)
        Penalty.objects.create(organization=org, kind="warning", decision_number=f"BENCH-INC-{org.pk}",
                               facts="未按规定开展活动", legal_basis="《社会团体登记管理条例》第三十条", decided_on=TODAY,
                               deciding_body="民政局", authority_id=org.registration_authority_id)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            run = engine.evaluate(organization=org, today=TODAY)
            after.append((time.perf_counter() - t) * 1000)
        kind = "noticed" if run.counts["noticed"] else "grounds_added"
        outcomes[kind] += 1
        queries.setdefault(kind, len(ctx.captured_queries))
    print(json.dumps({"samples": len(quiet),
                      "quiet": {"p50": statistics.median(quiet), "p95": pct(quiet, 95), "max": max(quiet)},
                      "after_penalty": {"p50": statistics.median(after), "p95": pct(after, 95), "max": max(after)},
                      "outcomes": outcomes, "queries": queries}))


def profile(url: str) -> None:
    """One first full run under cProfile: the top functions by own time and by cumulative time."""
    import cProfile
    import io
    import pstats

    _django(url)
    from gongxin.credit import engine

    clean()
    prof = cProfile.Profile()
    prof.enable()
    engine.evaluate(today=TODAY)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    print(out.getvalue(), file=sys.stderr)
    print(json.dumps({}))


def db_info(url: str) -> None:
    _django(url)
    from django.db import connection
    from django.db.models import Count

    from gongxin.annual.models import AnnualReport, SupervisionFact
    from gongxin.credit.models import CreditRecord, Penalty
    from gongxin.registry.models import Organization

    version = (connection.Database.sqlite_version if connection.vendor == "sqlite"
               else connection.cursor().connection.info.server_version)

    def by_kind(model):
        return dict(model.objects.values_list("kind").annotate(n=Count("id")).order_by())

    print(json.dumps({"db_version": version, "organizations": Organization.objects.count(),
                      "deregistered": Organization.objects.filter(status="deregistered").count(),
                      "reports": AnnualReport.objects.count(), "facts": by_kind(SupervisionFact),
                      "penalties": by_kind(Penalty), "records": by_kind(CreditRecord),
                      "penalized_orgs": Penalty.objects.values("organization_id").distinct().count()}))


def _clean_phase(url: str) -> None:
    _django(url)
    clean()
    print(json.dumps({}))


def _phase(phase: str, url: str, *extra: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--database-url", url, *extra],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- Report ------------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def markdown(r: dict) -> str:
    eng, raw, inc, data = r["engine_run"], r["raw"], r["incremental"], r["data"]

    def kinds(d: dict) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in sorted(d.items(), key=lambda kv: -kv[1]))

    built = "; ".join(part for part in (
        f"seeded in {r['seed_seconds']:.0f} s" if r.get("seed_seconds") else "",
        f"credit data generated in {r['generate_seconds']:.0f} s" if r.get("generate_seconds") else "") if part)
    grounds = ", ".join(f"{k} {v:,}" for k, v in sorted(eng["grounds"].items()))
    entries = sum(eng["entries"].values())
    quiet, after = inc["quiet"], inc["after_penalty"]
    return "\n".join([
        f"### {r['engine']} {r['db_version']} · {r['size']:,} organizations",
        "",
        f"Measured {r['measured_on']} ({r.get('machine', 'the machine above')}); engine at commit "
        f"`{r['code']['commit']}`"
        + (" with uncommitted changes to credit/engine.py or rules.py" if r["code"]["modified"] else "") + ". "
        f"Data: {data['organizations']:,} organizations ({data['deregistered']:,} deregistered), "
        f"{data['reports']:,} annual reports; facts: {kinds(data['facts'])}; penalties "
        f"({data['penalized_orgs']:,} organizations): {kinds(data['penalties'])}; credit records: "
        f"{kinds(data['records'])}" + (f" ({built})" if built else "") + ".",
        "",
        f"The first run noticed {entries:,} entries ({kinds(eng['entries'])}) on {sum(eng['grounds'].values()):,} "
        f"grounds ({grounds}) and wrote {eng['audit_events']:,} audit events; "
        + ("**the same (organization, list) pairs as the hand-written statement**."
           if raw["same_set"] else f"**differs** from the hand-written statement ({raw['only_engine']:,} pairs "
                                   f"only in the engine, {raw['only_sql']:,} only in the statement)."),
        "",
        f"| | best of {len(eng['runs'])} (s) | runs (s) | peak RSS (MiB) |",
        "|---|---:|---|---:|",
        f"| `evaluate()`, first full run (finds, notices, audits) | {eng['best']:.2f} | "
        f"{' / '.join(f'{x:.2f}' for x in eng['runs'])} | {eng['peak_rss_mb']:.0f} |",
        f"| … of which finding and comparing (`_plan`) / writing and auditing (`commit`) | "
        f"{eng['split']['plan']:.2f} / {eng['split']['commit']:.2f} | | |",
        f"| `evaluate()`, same-day rerun (changes nothing) | {eng['rerun']:.2f} | | |",
        f"| hand-written SQL, one statement (the set of pairs only) | {raw['best']:.2f} | "
        f"{' / '.join(f'{x:.2f}' for x in raw['runs'])} | {raw['peak_rss_mb']:.0f} |",
        "",
        f"First run ÷ SQL: **{r['ratio']:.2f}×** (target ≤ 2×: {_met(r['ratio'] <= 2)}); rerun ÷ SQL: "
        f"{r['rerun_ratio']:.2f}×. Process baseline after `django.setup()`: {eng['baseline_rss_mb']:.0f} MiB.",
        "",
        f"| `evaluate(organization=…)`, {inc['samples']} organizations | p50 (ms) | p95 (ms) | max (ms) | queries |",
        "|---|---:|---:|---:|---:|",
        f"| nothing new | {quiet['p50']:.1f} | {quiet['p95']:.1f} | {quiet['max']:.1f} | |",
        f"| right after a new warning ({inc['outcomes']['noticed']} noticed, {inc['outcomes']['grounds_added']} "
        f"added to an open entry) | {after['p50']:.1f} | {after['p95']:.1f} | {after['max']:.1f} | "
        f"{' / '.join(str(v) for v in inc['queries'].values())} |",
        "",
        f"Incremental run ≤ 50 ms: {_met(max(quiet['p95'], after['p95']) <= 50)} (p95).",
        "",
    ])


def report_section(results_dir: Path = RESULTS) -> list[str]:
    """This benchmark's section of BENCHMARKS.md, from bench/results/credit-*.json (the same
    interface as dormant.py's and annual_import.py's, for bench/search.py's other_sections)."""
    results = sorted((json.loads(p.read_text()) for p in results_dir.glob("credit-*.json")),
                     key=lambda r: (r["size"], r["engine"]))
    if not results:
        return []
    intro, findings = (ROOT / "bench" / "credit.notes.md").read_text().split("<!-- results -->")
    lines = [SECTION, "", intro.strip(), "",
             "| | first run ÷ SQL (target ≤ 2×) | rerun ÷ SQL | one organization, p95 (target ≤ 50 ms) |",
             "|---|---|---|---|"]
    for r in results:
        inc = max(r["incremental"]["quiet"]["p95"], r["incremental"]["after_penalty"]["p95"])
        lines.append(f"| {r['engine']} · {r['size']:,} | {r['engine_run']['best']:.1f} s ÷ {r['raw']['best']:.2f} s = "
                     f"**{r['ratio']:.0f}×**, {_met(r['ratio'] <= 2)} | {r['rerun_ratio']:.1f}× | "
                     f"{inc:.0f} ms, {_met(inc <= 50)} |")
    return [*lines, "", *[markdown(r) for r in results], findings.strip(), ""]


def write_section(path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Replace this section of BENCHMARKS.md (or append it), leaving the other sections as they are;
    with no result files, leave the file alone."""
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
    body = "\n".join(lines[:start] + section + lines[end:]).rstrip("\n")
    path.write_text(body + "\n")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB; Python {platform.python_version()}"


def code_version() -> dict:
    """Which engine was measured: the commit, and whether credit/engine.py or rules.py differed from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "modified": bool(git("status", "--porcelain", "--", "src/gongxin/credit/engine.py",
                                 "src/gongxin/credit/rules.py"))}


def main():
    global REPEAT  # the phases' number of runs, from --repeat
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--report", action="store_true", help="only rewrite this section of BENCHMARKS.md")
    parser.add_argument("--profile", action="store_true", help="profile one first full run (cProfile, to stderr)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help=f"first full runs (best of) [{REPEAT}]")
    parser.add_argument("--phase", choices=["build", "engine", "raw", "incremental", "info", "clean", "profile"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.report:
        write_section()
        return
    url = args.database_url or default_url(args.orgs)
    if args.phase == "build":
        build(url, args.orgs, args.seed)
        return
    REPEAT = args.repeat
    if args.phase:
        {"engine": measure_engine, "raw": measure_baseline, "incremental": measure_incremental, "info": db_info,
         "clean": _clean_phase, "profile": profile}[args.phase](url)
        return
    engine = engine_of(url)
    (ROOT / "var").mkdir(exist_ok=True)
    if engine == "postgresql":
        ensure_postgres_database(url)
    built = _phase("build", url, "--orgs", str(args.orgs), "--seed", str(args.seed))
    if args.profile:
        _phase("profile", url)
        _phase("clean", url)
        return
    info = _phase("info", url)
    eng = _phase("engine", url, "--repeat", str(args.repeat))
    raw = _phase("raw", url, "--repeat", str(args.repeat))
    inc = _phase("incremental", url)
    _phase("clean", url)
    path = RESULTS / f"credit-{engine}-{args.orgs}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    result = {
        "engine": engine, "size": args.orgs, "db_version": info.pop("db_version"), "today": TODAY.isoformat(),
        "measured_on": dt.date.today().isoformat(), "code": code_version(), "machine": machine(),
        # Measured again on the same data: keep the load times of the run that built it.
        "seed_seconds": built.get("seed_seconds", previous.get("seed_seconds")),
        "generate_seconds": built.get("generate_seconds", previous.get("generate_seconds")),
        "data": info, "engine_run": eng, "raw": raw, "incremental": inc,
        "ratio": eng["best"] / raw["best"], "rerun_ratio": eng["rerun"] / raw["best"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(markdown(result))
    write_section()
    if not raw["same_set"]:
        raise SystemExit("the engine and the hand-written statement found different (organization, list) pairs")


if __name__ == "__main__":
    main()
