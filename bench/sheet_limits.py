"""What a hostile upload costs each import before it is refused: a 4.7 MB .xlsx of 1,000,001
numbered rows under the member-file template's header (tests/core/hostile_sheets.py), handed to
each import's reading step in a fresh process each, with the peak RSS growth and the time until
the refusal (or until the rows are read, where nothing refuses them).

    .venv/bin/python bench/sheet_limits.py

Run it on a commit before the shared reader (core.spreadsheets) for the "before" numbers: the
steps measured exist on both sides."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "var" / "bench-million-rows.xlsx"

STEPS = {
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
    print(f"{FILE.name}: {FILE.stat().st_size / 2**20:.1f} MB, 1,000,001 rows\n")
    print("| import | seconds | peak RSS growth MB | outcome |\n|---|---:|---:|---|")
    for name in STEPS:
        out = subprocess.run([sys.executable, __file__, "--measure", name], capture_output=True, text=True,
                             cwd=ROOT)
        if out.returncode != 0:
            print(f"| {name} | — | — | the process died (exit {out.returncode}) |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {name} | {r['seconds']:.2f} | {r['rss_growth_mb']:.0f} | {r['outcome']} |")


if __name__ == "__main__":
    main()
