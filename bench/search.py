"""Search benchmark: p50/p95 of the search API in-process at 100k and 1M organizations, on
SQLite and PostgreSQL, against (a) the raw index lookup alone and (b) the naive
``name__icontains`` query a typical project would write. Writes BENCHMARKS-style Markdown to
stdout and bench/results/search-<engine>-<size>.json.

    .venv/bin/python bench/search.py --sizes 100000 1000000 --engines sqlite postgresql

Each (engine, size) uses its own database (var/bench-<size>.sqlite3, PostgreSQL database
gongxin_bench_<size>), seeded with `gongxin seed --seed 2026` once and reused afterwards.
Run each engine in a separate process (the script re-executes itself per engine), because
Django binds one database configuration per process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# The fixed query mix: (label, q, filters). Names follow the demo generator's vocabulary.
QUERIES = [
    ("1 char", "瓷", {}),
    ("2 chars, common", "协会", {}),
    ("2 chars", "珠海", {}),
    ("2 chars, rare", "游艇", {}),
    ("3 chars", "慈善会", {}),
    ("4 chars", "行业协会", {}),
    ("USCC prefix", "51440400", {}),
    ("pinyin initials", "zhsjy", {}),
    ("2 chars + type", "协会", {"type": "social_group"}),
    ("2 chars + region", "商会", {"region": "440400"}),
    ("4 chars + status", "服务中心", {"status": "active"}),
    ("no query, region", "", {"region": "440606"}),
]
REPEAT = 15
WARMUP = 2


def database_url(engine: str, size: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{ROOT / 'var' / f'bench-{size}.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:5432/gongxin_bench_{size}"


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, repeat=REPEAT):
    for _ in range(WARMUP):
        fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return {"p50": statistics.median(samples), "p95": pct(samples, 95)}


def run_engine(engine: str, size: int) -> dict:
    os.environ["GONGXIN_DATABASE_URL"] = database_url(engine, size)
    os.environ.setdefault("GONGXIN_SECRET_KEY", "bench-only")
    os.environ.setdefault("GONGXIN_ALLOWED_HOSTS", "testserver")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    if engine == "postgresql":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", f"gongxin_bench_{size}"],
                       stderr=subprocess.DEVNULL, check=False)
    (ROOT / "var").mkdir(exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongxin.registry.models import Organization
    from gongxin.registry.search import _match_sql
    from gongxin.registry.selectors import SearchFilters, organization_search

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the profile page is served as in production
    have = Organization.objects.count()
    seed_seconds = None
    if have != size:
        if have:
            raise SystemExit(f"{database_url(engine, size)} has {have} organizations, expected 0 or {size}")
        t = time.perf_counter()
        call_command("seed", orgs=size, seed=2026, batch=10000, no_accounts=True, no_annual=True)
        seed_seconds = time.perf_counter() - t  # includes the seed's own index tuning
    client = Client()
    rows = []
    for label, q, filters in QUERIES:
        params = {"q": q, **filters}
        body = client.get("/api/v1/orgs", params).json()
        api = timed(lambda params=params: client.get("/api/v1/orgs", params).json())
        # The same query as the API builds it, filters included (as facet tokens).
        parsed = organization_search(actor=None, q=q, filters=SearchFilters(**{
            "org_type" if k == "type" else k: v for k, v in filters.items()})).parsed
        raw = naive = None
        if parsed.kind in ("text", "pinyin", "facets"):
            sql, sql_params = _match_sql(parsed)

            def raw_query(sql=sql, sql_params=sql_params):
                # The index lookup alone: how many documents match, and the first page of ids.
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT count(*) FROM ({sql}) m", sql_params)
                    cursor.fetchone()
                    cursor.execute(f"{sql} LIMIT 20", sql_params)
                    cursor.fetchall()

            raw = timed(raw_query)
        if parsed.kind == "text" and not filters:
            def naive_query(q=q):
                qs = Organization.objects.filter(name__icontains=q).order_by("name")
                qs.count()
                list(qs[:20])

            naive = timed(naive_query, repeat=5)
        rows.append({"label": label, "q": q, "filters": filters, "count": body["count"],
                     "count_exact": body.get("count_exact", True),
                     "first_page": [item["uscc"] for item in body["items"]], "api": api,
                     "raw": raw, "naive": naive})
    uscc = Organization.objects.order_by("id").values_list("uscc", flat=True)[size // 2]
    client.get(f"/orgs/{uscc}/")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/orgs/{uscc}/")
    profile = {"queries": len(ctx.captured_queries), **timed(lambda: client.get(f"/orgs/{uscc}/"))}
    previous = RESULTS / f"search-{engine}-{size}.json"
    if seed_seconds is None and previous.exists():  # measured again on the same data: keep the load time
        seed_seconds = json.loads(previous.read_text()).get("seed_seconds")
    result = {"engine": engine, "size": size, "seed_seconds": seed_seconds, "rows": rows, "profile": profile,
              "db_version": connection.Database.sqlite_version if engine == "sqlite"
              else connection.cursor().connection.info.server_version}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"search-{engine}-{size}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def fmt(cell):
    return "—" if cell is None else f"{cell['p50']:.1f} / {cell['p95']:.1f}"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a['p95'] / b['p95']:.2f}×"


def markdown(result: dict) -> str:
    lines = [
        f"### {result['engine']} · {result['size']:,} organizations",
        "",
        (f"Seeded in {result['seed_seconds']:.0f} s. " if result["seed_seconds"] else "")
        + f"Profile page: {result['profile']['queries']} queries, p50/p95 "
        f"{result['profile']['p50']:.1f} / {result['profile']['p95']:.1f} ms.",
        "",
        "| query | q | matches | API p50 / p95 ms | raw index p50 / p95 ms | API ÷ raw (p95) "
        "| icontains p50 / p95 ms | icontains ÷ API (p95) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        flt = " ".join(f"{k}={v}" for k, v in r["filters"].items())
        lines.append(
            f"| {r['label']} | `{r['q']}` {flt} | {r['count']:,} | {fmt(r['api'])} | {fmt(r['raw'])} | "
            f"{ratio(r['api'], r['raw'])} | {fmt(r['naive'])} | {ratio(r['naive'], r['api'])} |"
        )
    return "\n".join(lines) + "\n"


def same_results_section(results: list[dict]) -> list[str]:
    """Both engines were seeded with the same seed: their answers must agree row for row."""
    lines = []
    by_size: dict[int, dict[str, dict]] = {}
    for r in results:
        by_size.setdefault(r["size"], {})[r["engine"]] = r
    for size, engines in sorted(by_size.items()):
        if len(engines) < 2 or not all("first_page" in row for r in engines.values() for row in r["rows"]):
            continue
        a, b = engines["sqlite"], engines["postgresql"]
        pairs = list(zip(a["rows"], b["rows"], strict=True))

        def exact(row):
            return row.get("count_exact", row["count"] <= 10_000)

        same_pages = [ra["label"] for ra, rb in pairs if ra["first_page"] == rb["first_page"]]
        both_exact = [(ra, rb) for ra, rb in pairs if exact(ra) and exact(rb)]
        same_counts = [ra["label"] for ra, rb in both_exact if ra["count"] == rb["count"]]
        estimated = [f"{rb['label']} ({ra['count']:,} exact, {rb['count']:,} estimated)"
                     for ra, rb in pairs if not exact(rb)]
        lines.append(
            f"At {size:,} organizations: the same first page, in the same order, for {len(same_pages)} of "
            f"{len(pairs)} queries; the same count for {len(same_counts)} of the {len(both_exact)} queries whose "
            f"counts are exact on both engines."
            + (f" PostgreSQL estimated the count (over 10,000 matches) for: {'; '.join(estimated)}." if estimated else "")
            + "\n")
    return (["## Same results on both engines", "", *lines] if lines else [])


def other_sections() -> list[str]:
    """The other benchmarks' sections, each rendered by its own script from its own result
    files (bench/dormant.py: bench/results/dormant-*.json; bench/annual_import.py:
    bench/results/annual_import-*.json; bench/credit.py: bench/results/credit-*.json; bench/ocds.py:
    bench/results/ocds-*.json; bench/load.py: bench/results/load.json; bench/sheet_limits.py:
    bench/results/sheet_limits.json)."""
    import importlib.util

    lines = []
    for name in ("dormant", "annual_import", "credit", "ocds", "load", "sheet_limits"):
        spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        lines += module.report_section(RESULTS)
    return lines


def write_benchmarks_md(sizes, engines) -> None:
    """Regenerate BENCHMARKS.md from this run's result files."""
    results = []
    for size in sizes:
        for engine in engines:
            path = RESULTS / f"search-{engine}-{size}.json"
            if path.exists():
                results.append(json.loads(path.read_text()))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    head = (ROOT / "bench" / "BENCHMARKS.head.md").read_text()
    body = [head.rstrip(), "", "## Results", "",
            f"Machine: {cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB; Python {platform.python_version()}; "
            + ", ".join(f"{r['engine']} {r['db_version']}" for r in results[:2]) + ".", ""]
    body += [markdown(r) for r in results]
    body += same_results_section(results)
    body += other_sections()
    (ROOT / "BENCHMARKS.md").write_text("\n".join(body))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--report", action="store_true", help="only rewrite BENCHMARKS.md from bench/results")
    args = parser.parse_args()
    if args.report:
        write_benchmarks_md(args.sizes, args.engines)
        return
    if args.one:
        result = run_engine(args.one[0], int(args.one[1]))
        print(markdown(result))
        return
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n")
    for size in args.sizes:
        for engine in args.engines:
            subprocess.run([sys.executable, __file__, "--one", engine, str(size)], check=True)
    write_benchmarks_md(args.sizes, args.engines)


if __name__ == "__main__":
    main()
