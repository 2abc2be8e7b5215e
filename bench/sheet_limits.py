"""What a hostile upload costs each import before it is refused: a 4.7 MB .xlsx of 1,000,001
numbered rows under the member-file template's header (tests/core/hostile_sheets.py), handed to
each import's reading step in a fresh process each, with the peak RSS growth and the time until
the refusal (or until the rows are read, where nothing refuses them).

    .venv/bin/python bench/sheet_limits.py

The baseline, measured in the same run and the same way, is python-calamine's bare read of the
whole sheet (what every import did before core.spreadsheets checked the file first). Run it on a
commit before the shared reader for the "before" numbers: the steps measured exist on both
sides. Results go to bench/results/sheet_limits.json; ``report_section`` renders them into
BENCHMARKS.md (bench/search.py --report)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FILE = ROOT / "var" / "bench-million-rows.xlsx"

BASELINE = "bare python-calamine read (baseline)"
STEPS = {
    BASELINE: """
from python_calamine import CalamineWorkbook
CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
""",
    "member credit files (10,000 rows)": """
from gongxin.credit.member_files_xlsx import read_upload
read_upload(upload)
""",
    "credit records (2,000 rows)": """
from gongxin.credit.imports import check
check(actor=None, upload=upload, today=None)
""",
    "catalogue items (5,000 rows)": """
from gongxin.procurement.catalogue_imports import check
check(kind="functions", upload=upload)
""",
    "annual reports (reading the sheet)": """
from gongxin.annual.imports import Sheet
sheet = Sheet(path)
for _row in sheet.data_rows():
    pass
""",
}


def measure(name: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.test_settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = str(FILE)
    upload = SimpleUploadedFile("rows.xlsx", FILE.read_bytes())
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    outcome = "read every row"
    try:
        exec(STEPS[name], {"upload": upload, "path": path})  # noqa: S102 (the steps above)
    except Exception as exc:  # the refusal, whatever its class on either side
        outcome = f"{type(exc).__name__}: {' '.join(getattr(exc, 'messages', [str(exc)]))[:110]}"
    return {"seconds": time.perf_counter() - t,
            "rss_growth_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base, "outcome": outcome}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
        return
    if not FILE.exists():
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.test_settings")
        import django

        django.setup()
        from gongxin.credit.member_files_xlsx import COLUMNS
        from tests.core.hostile_sheets import header_row, million_rows

        FILE.parent.mkdir(exist_ok=True)
        FILE.write_bytes(million_rows(header_row([c.zh for c in COLUMNS])))
    rows = []
    for name in STEPS:
        out = subprocess.run([sys.executable, __file__, "--measure", name], capture_output=True, text=True,
                             cwd=ROOT)
        if out.returncode != 0:
            rows.append({"step": name, "died": out.returncode})
            continue
        rows.append({"step": name, **json.loads(out.stdout.strip().splitlines()[-1])})
    result = {"file_mb": FILE.stat().st_size / 2**20, "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sheet_limits.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print("\n".join(report_section(RESULTS)))


def report_section(results_dir: Path) -> list[str]:
    """The BENCHMARKS.md section from bench/results/sheet_limits.json (nothing if not run)."""
    path = results_dir / "sheet_limits.json"
    if not path.exists():
        return []
    result = json.loads(path.read_text())
    base = next((r for r in result["rows"] if r["step"] == BASELINE and "seconds" in r), None)
    lines = ["## Hostile uploads (`bench/sheet_limits.py`)", "",
             f"A {result['file_mb']:.1f} MB .xlsx of 1,000,001 rows under a template header, handed to each "
             "import's reading step in a fresh process; the ratio is against the bare python-calamine read "
             "of the same file in the same run. Target: every import refuses it before a dense read "
             "(time and memory a small fraction of the bare read).", "",
             "| import | seconds | ÷ bare read | peak RSS growth MB | outcome |", "|---|---:|---:|---:|---|"]
    for r in result["rows"]:
        if "died" in r:
            lines.append(f"| {r['step']} | — | — | — | the process died (exit {r['died']}) |")
            continue
        ratio = f"{r['seconds'] / base['seconds']:.2f}×" if base else "—"
        lines.append(f"| {r['step']} | {r['seconds']:.2f} | {ratio} | {r['rss_growth_mb']:.0f} | {r['outcome']} |")
    return lines + [""]


if __name__ == "__main__":
    main()
