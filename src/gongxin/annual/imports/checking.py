"""Checking the rows of an import file, a chunk at a time: each column cleaned by its kind
(cells.py), each row checked on its own, then the chunk against the registry, the reporting
obligation and the existing reports (two queries). A good row becomes a plan (what it will write);
a bad one comes back with its errors.

The work is arranged for speed at 100,000 rows (bench/annual_import.py), the result being what a
row-by-row check would give: a column is cleaned in one loop (number cells take a short path, the
repetitive text of yes/no, conclusion and reason columns is cleaned once per distinct value), rows
are tuples rather than dicts, and existing reports are read as plain rows whose values are
converted (by the ORM's own converters) only where an unchanged row has to be recognised."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.annual import rules
from gongxin.annual.imports import sql
from gongxin.annual.imports.cells import (
    CENT,
    COUNT_LIMIT,
    RowError,
    cell_text,
    clean_bool,
    clean_conclusion,
    clean_count,
    clean_date,
    clean_money,
    clean_money_signed,
    clean_reasons,
    clean_year,
)
from gongxin.annual.imports.template import (
    BY_KEY,
    CONCLUSION_ZH,
    CONTENT_KEYS,
    FIRST_YEAR,
    MONEY_KEYS,
    REASON_ZH,
    conclusion_words,
    reason_words,
)
from gongxin.annual.models import AnnualReport, Conclusion, FailReason, ReportSource, ReportStatus
from gongxin.annual.services import REASONS_BY_CONCLUSION
from gongxin.core import uscc as uscc_mod
from gongxin.registry.models import Organization
from gongxin.registry.policy import policy_for
from gongxin.registry.selectors import officer_prefix

TOLERANCE = Decimal("1")  # yuan: assets - liabilities vs net assets
# Kinds whose text cells repeat (是/否, 合格, reason lists, typed dates): cleaned once per value.
MEMO_KINDS = {"bool", "conclusion", "reasons", "date", "year"}
EMPTY = {"text": "", "conclusion": "", "reasons": []}  # a kind's value for an empty cell (else None)


@dataclass(slots=True)
class Parsed:
    """A data row that failed: its cells by column key (as read), its cleaned values, its errors."""

    row: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, reason)


class Plan(NamedTuple):
    """What a checked row will do to the database. The spill file holds plain tuples in this
    order, of types ``marshal`` writes (a tenth of the time pickle takes over named tuples and
    dates); ``Plan._make`` reads one. ``values`` are in ``VALUE_KEYS`` order, amounts as "123.45"
    strings; dates are ordinals (``dt.date.fromordinal``)."""

    row: int
    kind: str  # "create" | "update"
    organization_id: int
    year: int
    pk: int | None
    version: int
    values: tuple
    submitted_on: int  # date ordinal
    deadline: int  # date ordinal
    late: bool
    status: str
    keep_review: bool  # an empty conclusion leaves an existing conclusion alone


VALUE_KEYS = [*CONTENT_KEYS, "conclusion", "conclusion_reasons"]
N_MONEY = len(MONEY_KEYS)
assert CONTENT_KEYS[:N_MONEY] == MONEY_KEYS

# The existing reports of a chunk, as read: these columns, then CONTENT_KEYS.
REPORT_FIELDS = ["organization_id", "year", "id", "source", "status", "submitted_at", "version", "conclusion",
                 "conclusion_reasons"]
_ORG, _YEAR, _PK, _SOURCE, _STATUS, _SUBMITTED, _VERSION, _CONCLUSION, _REASONS = range(len(REPORT_FIELDS))
_CONTENT = len(REPORT_FIELDS)
REVIEWED, FILED, AUTHORITY_REVIEW = (ReportStatus.REVIEWED.value, ReportStatus.FILED.value,
                                     ReportStatus.AUTHORITY_REVIEW.value)
ONLINE, IMPORTED = ReportSource.ONLINE.value, ReportSource.IMPORT.value


class Checker:
    """Checks rows against the file format, the registry and the rules, chunk by chunk. One per
    run: it remembers the (code, year) pairs seen, for duplicates, and counts what rows will do."""

    def __init__(self, *, actor, today: dt.date):
        self.actor = actor
        self.today = today
        # The jurisdiction as a region-code prefix ("" = everywhere), checked in Python on the rows
        # found by code: with the prefix range in the WHERE clause SQLite walks the region index
        # (every organization of a province) instead of the unique code index (0.24 s a chunk
        # against 0.01 s at 100,000 organizations). The same test as officer_manages; None
        # (not an officer) finds nothing.
        self.prefix = officer_prefix(actor)
        self.seen: dict[tuple[str, int], int] = {}
        self.counts = {"create": 0, "update": 0, "unchanged": 0}
        self.zone = timezone.get_current_timezone()
        last = today.year - 1
        self.last_year = last
        self.cleaners = {
            # The code is only normalised here; a code found in the registry was validated when
            # it was registered, and the chunk check runs the full check (for its message) on the rest.
            "uscc": lambda v: uscc_mod.normalize(cell_text(v)),
            "year": lambda v: clean_year(v, last), "date": clean_date, "money": clean_money,
            "money_signed": clean_money_signed, "count": clean_count, "bool": clean_bool,
            "conclusion": partial(clean_conclusion, words=conclusion_words()),
            "reasons": partial(clean_reasons, words=reason_words()), "text": cell_text,
        }
        self.memo: dict[str, dict[str, tuple[Any, str | None]]] = {kind: {} for kind in MEMO_KINDS}
        self.columns: list[tuple[int, str, str, bool]] = []
        self.width = 0
        self._year_end: dict[int, dt.date] = {}
        # Raw database values as the ORM would give them, converted only when needed.
        self._established = sql.cached(sql.converter(Organization, "established_on"))
        submitted = sql.converter(AnnualReport, "submitted_at") or (lambda v: v)
        zone = self.zone  # (not self: a closure over self would make a cycle holding ``seen``)
        self._submitted_day = sql.cached(lambda raw: submitted(raw).astimezone(zone).date())
        reasons = sql.converter(AnnualReport, "conclusion_reasons") or (lambda v: v)
        self._reasons_of = sql.cached(lambda raw: list(reasons(raw)))
        self._content_converters = [sql.converter(AnnualReport, k) for k in CONTENT_KEYS]

    def use_columns(self, columns: dict[int, str], offset: int) -> None:
        """The file's columns (absolute index -> key, in file order) and its first column's index."""
        self.columns = [(i - offset, key, BY_KEY[key].kind, BY_KEY[key].required) for i, key in columns.items()]
        self.width = max((j + 1 for j, *_rest in self.columns), default=0)

    # ----------------------------------------------------------------------- cells and rows

    def _clean(self, kind: str, cells: list, required: bool, key: str, fail) -> list:
        """One column of the chunk cleaned: values (None where a cell failed), failures reported
        through ``fail(index, key, reason)``. Same results as ``cleaners[kind]`` cell by cell, the
        common cells (a number cell in a number column, text in a text column, a repeated word)
        taking a short path inline and every other one ``slow``."""
        clean = self.cleaners[kind]
        memo = self.memo.get(kind)
        empty = EMPTY.get(kind)

        def slow(i: int, v):
            if v.__class__ is str:
                v = v.strip()
                if not v:
                    if required:
                        fail(i, key, _("This column is required."))
                    return [] if kind == "reasons" else empty
                if memo is not None:
                    hit = memo.get(v)
                    if hit is None:
                        try:
                            hit = memo[v] = (clean(v), None)
                        except RowError as exc:
                            hit = memo[v] = (None, str(exc))
                    if hit[1] is not None:
                        fail(i, key, hit[1])
                    return list(hit[0]) if kind == "reasons" and hit[0] is not None else hit[0]
            elif v is None:
                if required:
                    fail(i, key, _("This column is required."))
                return [] if kind == "reasons" else empty
            try:
                return clean(v)
            except RowError as exc:
                fail(i, key, str(exc))
                return None

        cells = enumerate(cells)
        # The short paths give what the cleaner would: see clean_money, clean_count, clean_year,
        # clean_date, cell_text and uscc.normalize (which leaves an ASCII alphanumeric code upper-cased).
        if kind == "money":
            return [Decimal(repr(v)).quantize(CENT, ROUND_HALF_UP) if v.__class__ is float and 0.0 <= v < 1e14
                    else slow(i, v) for i, v in cells]
        if kind == "money_signed":
            return [Decimal(repr(v)).quantize(CENT, ROUND_HALF_UP) if v.__class__ is float and -1e14 < v < 1e14
                    else slow(i, v) for i, v in cells]
        if kind == "count":
            return [int(v) if v.__class__ is float and v.is_integer() and 0.0 <= v <= COUNT_LIMIT
                    else slow(i, v) for i, v in cells]
        if kind == "year":
            last = self.last_year
            return [int(v) if v.__class__ is float and v.is_integer() and FIRST_YEAR <= v <= last
                    else slow(i, v) for i, v in cells]
        if kind == "date":
            return [v if v.__class__ is dt.date else slow(i, v) for i, v in cells]
        if kind == "text":
            return [s if v.__class__ is str and (s := v.strip()) else slow(i, v) for i, v in cells]
        if kind == "uscc":
            return [s.upper() if v.__class__ is str and (s := v.strip()).isascii() and s.isalnum()
                    else slow(i, v) for i, v in cells]
        if kind == "reasons":
            return [[] if v == "" and not required else slow(i, v) for i, v in cells]
        if memo is not None:  # bool, conclusion: a word seen before, as typed
            return [hit[0] if v.__class__ is str and (hit := memo.get(v)) is not None and hit[1] is None
                    else slow(i, v) for i, v in cells]
        return [slow(i, v) for i, v in cells]

    def check(self, rows: list[tuple[int, list]]) -> tuple[list[tuple], list[Parsed]]:
        """Check a chunk of (Excel row number, cells): the plans of its good rows (tuples in
        ``Plan`` order) and its bad rows with their errors, in row order."""
        n = len(rows)
        if not n:
            return [], []
        numbers = [number for number, _cells in rows]
        cells_of = [cells for _number, cells in rows]
        width = self.width
        if any(len(cells) < width for cells in cells_of):
            cells_of = [cells if len(cells) >= width else [*cells, *[""] * (width - len(cells))]
                        for cells in cells_of]
        by_column = list(zip(*cells_of, strict=False))  # each row has ``width`` cells or more
        errors: list[list[tuple[str, str]] | None] = [None] * n

        def fail(i: int, key: str, reason) -> None:
            found = errors[i]
            if found is None:
                errors[i] = [(key, str(reason))]
            else:
                found.append((key, str(reason)))

        values: dict[str, list] = {}
        for j, key, kind, required in self.columns:  # in file order: a row's errors in column order
            values[key] = self._clean(kind, by_column[j], required, key, fail)
        self._check_rows(n, values, fail)
        plans = self._resolve(numbers, values, errors, fail)
        bad = []
        for i in range(n):
            if errors[i]:
                cells = cells_of[i]
                bad.append(Parsed(numbers[i], {key: cells[j] for j, key, _kind, _req in self.columns},
                                  {key: column[i] for key, column in values.items()}, errors[i]))
        return plans, bad

    def _check_rows(self, n: int, v: dict[str, list], fail) -> None:
        """The checks within a row: net assets, the submission date, conclusion and reasons."""
        year_end, today = self._year_end, self.today
        rows = zip(v["total_assets"], v["total_liabilities"], v["net_assets"], v["year"], v["submitted_on"],
                   v["conclusion"], v["conclusion_reasons"], strict=True)
        for i, (assets, liabilities, net, year, submitted, conclusion, reasons) in enumerate(rows):
            if (assets is not None and liabilities is not None and net is not None
                    and abs(assets - liabilities - net) > TOLERANCE):
                fail(i, "net_assets", _("Net assets must equal total assets minus total liabilities "
                                        "(%(expected)s), within ¥1.") % {"expected": f"{assets - liabilities:.2f}"})
            if year and submitted:
                end = year_end.get(year) or year_end.setdefault(year, dt.date(year, 12, 31))
                if submitted <= end:
                    fail(i, "submitted_on", _("A report for %(year)s cannot be submitted before the year is over.")
                         % {"year": year})
                elif submitted > today:
                    fail(i, "submitted_on", _("The submission date is in the future."))
            if conclusion is None or reasons is None:
                continue  # already wrong
            if reasons and not conclusion:
                fail(i, "conclusion_reasons", _("Reasons are given but no conclusion."))
                continue
            if not conclusion:
                continue
            unknown = set(reasons) - REASONS_BY_CONCLUSION[Conclusion(conclusion)]
            if unknown:
                fail(i, "conclusion_reasons", _("These reasons do not fit the conclusion %(conclusion)s: %(reasons)s")
                     % {"conclusion": CONCLUSION_ZH[Conclusion(conclusion)],
                        "reasons": "、".join(REASON_ZH[r] for r in sorted(unknown))})
            elif conclusion == Conclusion.BASIC_PASS and not reasons:
                fail(i, "conclusion_reasons", _("Give at least one reason for a basic pass."))
            elif conclusion == Conclusion.FAIL and not set(reasons) & set(FailReason.values):
                fail(i, "conclusion_reasons", _("Give at least one reason for failing."))

    # ----------------------------------------------------------------------- against the database

    def _organizations(self, codes: set[str]) -> dict[str, tuple]:
        """Code -> (id, established_on, registration authority, sponsor unit) in the jurisdiction."""
        if not codes:
            return {}
        where, params = sql.among(Organization, "uscc", codes)
        wanted = ["uscc", "id", "established_on", "registration_authority", "sponsor_unit", "region_prefix"]
        rows = sql.select(f"SELECT {sql.columns(Organization, wanted)} FROM {sql.table(Organization)} WHERE {where}",
                          params)
        prefix, established = self.prefix, self._established
        return {code: (pk, established(founded), authority, sponsor)
                for code, pk, founded, authority, sponsor, region_prefix in rows
                if prefix is not None and region_prefix.startswith(prefix)}

    def _reports(self, org_ids: list[int], years: set[int]) -> dict[tuple[int, int], tuple]:
        """(organization id, year) -> the existing report as read (REPORT_FIELDS, then CONTENT_KEYS)."""
        if not org_ids or not years:
            return {}
        where, params = sql.among(AnnualReport, "organization", org_ids)
        rows = sql.select(
            f"SELECT {sql.columns(AnnualReport, [*REPORT_FIELDS, *CONTENT_KEYS])} FROM {sql.table(AnnualReport)} "
            f"WHERE {where} AND {sql.columns(AnnualReport, ['year'])} IN ({sql.marks(len(years))})",
            [*params, *years])
        return {(r[_ORG], r[_YEAR]): r for r in rows}

    def _unchanged(self, report: tuple, content: tuple, submitted_on: dt.date, keep_review: bool,
                   conclusion: str, reasons: list[str], status: str) -> bool:
        """An imported report already holding what the row says (compared as the ORM reads it)."""
        if self._submitted_day(report[_SUBMITTED]) != submitted_on:
            return False
        if not keep_review and (report[_CONCLUSION] != conclusion or report[_STATUS] != status
                                or self._reasons_of(report[_REASONS]) != reasons):
            return False
        stored = report[_CONTENT:]
        return all((convert(raw) if convert else raw) == mine
                   for convert, raw, mine in zip(self._content_converters, stored, content, strict=True))

    def _resolve(self, numbers: list[int], v: dict[str, list], errors: list, fail) -> list[tuple]:
        """Check the chunk against the registry and existing reports; the plans of its good rows."""
        codes_col, years_col, submitted_col = v["uscc"], v["year"], v["submitted_on"]
        conclusions, reasons_col = v["conclusion"], v["conclusion_reasons"]
        by_code = self._organizations({code for code in codes_col if code})
        existing = self._reports([org[0] for org in by_code.values()], {year for year in years_col if year})
        contents = list(zip(*(v[k] for k in CONTENT_KEYS), strict=True))
        seen, counts, policies = self.seen, self.counts, {}
        plans = []
        for i, code in enumerate(codes_col):
            if not code:
                continue
            org = by_code.get(code)
            if org is None:
                try:
                    uscc_mod.parse(code)
                except uscc_mod.USCCError as exc:
                    fail(i, "uscc", _("Not a valid unified social credit code: %(reason)s") % {"reason": exc.message})
                    continue
            year = years_col[i]
            if not year:
                continue
            number = numbers[i]
            first = seen.setdefault((code, year), number)
            if first != number:
                fail(i, "uscc", _("Row %(row)s already has a report of this organization for %(year)s.")
                     % {"row": first, "year": year})
                continue
            if org is None:
                fail(i, "uscc", _("No organization with this code in your jurisdiction."))
                continue
            org_id, established_on, authority, sponsor = org
            policy, filing = policies.get(authority) or policies.setdefault(
                authority, ((p := policy_for(authority)), p.filing_mode))
            ob = rules.obligation(established_on=established_on, region_code=authority,
                                  has_sponsor=sponsor is not None, year=year, policy=policy)
            if not ob.owed:
                fail(i, "year", _("This organization owed no report for %(year)s (registered on %(date)s): "
                                  "%(reason)s") % {"year": year, "date": established_on.isoformat(), "reason": ob.reason})
                continue
            conclusion = conclusions[i]
            if conclusion and filing:
                fail(i, "conclusion", _("This organization's registration authority files annual reports without a "
                                        "conclusion (filing mode): leave the conclusion empty."))
            report = existing.get((org_id, year))
            if report is not None and report[_SOURCE] == ONLINE and report[_SUBMITTED] is not None:
                fail(i, "uscc", _("Already submitted online for %(year)s (%(status)s): an import cannot replace it.")
                     % {"year": year, "status": ReportStatus(report[_STATUS]).label})
                continue
            if errors[i]:
                continue
            submitted_on = submitted_col[i]
            content = contents[i]
            keep_review = not conclusion and report is not None and report[_STATUS] == REVIEWED
            status = REVIEWED if conclusion or keep_review else FILED if filing else AUTHORITY_REVIEW
            reasons = reasons_col[i] or []
            if (report is not None and report[_SOURCE] == IMPORTED and report[_SUBMITTED] is not None
                    and self._unchanged(report, content, submitted_on, keep_review, conclusion or "", reasons,
                                        status)):
                counts["unchanged"] += 1
                continue
            # Amounts as "123.45": what the database is sent, and spilled cheaper than a Decimal.
            values = (*[None if m is None else str(m) for m in content[:N_MONEY]], *content[N_MONEY:],
                      conclusion or "", reasons)
            kind = "create" if report is None else "update"
            counts[kind] += 1
            plans.append((number, kind, org_id, year, None if report is None else report[_PK],
                          0 if report is None else report[_VERSION], values, submitted_on.toordinal(),
                          ob.deadline.toordinal(), rules.is_late(submitted_on, ob), status, keep_review))
        return plans
