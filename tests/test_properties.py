"""Property tests (hypothesis) for the parsers that take anything a user types or uploads:
the unified social credit code, the registry search query, and the catalogue Excel import.

Derandomized with small example counts, so CI runs the same cases every time and quickly."""

from __future__ import annotations

import io
import itertools

import pytest
import xlsxwriter
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from gongxin.core import uscc
from gongxin.core.models import AuditEvent, Region
from gongxin.core.text import identity_key, normalize_identity
from gongxin.procurement import catalogue_imports as imports
from gongxin.procurement import catalogues as cat
from gongxin.procurement.models import CatalogueKind, TransferableFunction
from gongxin.registry.search import QueryTooLong, parse_query
from gongxin.registry.selectors import SearchFilters, organization_search

FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)
DB = settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
XLSX = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- Unified social credit code ---------------------------------------------------------------

ERROR_CODES = {"empty", "length", "charset", "department", "org_type", "region", "org_code_check", "check_char"}


@st.composite
def valid_codes(draw) -> str:
    """Any valid code (not only the ones ``uscc.generate`` makes): a department, a type valid
    for it, six region digits, an 8-character organization code body and both check characters."""
    department = draw(st.sampled_from(sorted(uscc.DEPARTMENTS)))
    org_type = draw(st.sampled_from(sorted(uscc.CIVIL_AFFAIRS_TYPES) if department == uscc.CIVIL_AFFAIRS
                                    else list(uscc.CHARSET)))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    body = draw(st.text(uscc.CHARSET, min_size=8, max_size=8))
    first17 = department + org_type + region + body + uscc.org_code_check_digit(body)
    return first17 + uscc.check_character(first17)


@FAST
@given(valid_codes())
def test_every_valid_code_parses_into_its_parts(code):
    parts = uscc.parse(code, civil_affairs_only=False)
    assert (parts.code, parts.department, parts.org_type, parts.region_code) == (code, code[0], code[1], code[2:8])
    assert parts.organization_code + parts.check_character == code[8:]
    assert uscc.is_valid(code, civil_affairs_only=False)


@FAST
@given(valid_codes(), st.sampled_from(["{}", " {} ", "{}\u200b", "\ufeff{}\n"]), st.booleans(), st.booleans())
def test_spaces_case_and_full_width_do_not_change_a_code(code, around, lower, full_width):
    typed = code.lower() if lower else code
    if full_width:
        typed = "".join(chr(ord(c) + 0xFEE0) for c in typed)
    typed = around.format(typed[:9] + " " + typed[9:])
    assert uscc.parse(typed, civil_affairs_only=False).code == code


def _failure(text: str) -> uscc.USCCError | None:
    try:
        uscc.parse(text, civil_affairs_only=False)
    except uscc.USCCError as exc:
        return exc
    return None


@FAST
@given(valid_codes(), st.integers(0, uscc.LENGTH - 1))
def test_every_change_of_one_character_to_another_code_character_is_caught(code, index):
    # Exhaustive over the charset at one position per example: GB 32100's mod-31 check
    # character catches every single substitution (31 is prime, every weight is non-zero).
    for char in uscc.CHARSET:
        if char == code[index]:
            continue
        error = _failure(code[:index] + char + code[index + 1:])
        assert error is not None, (code, index, char)
        assert error.code in ERROR_CODES
        position = index + 1
        # Reported where the change is, by the check covering that position, or by a check digit
        # (another department at position 1 may make the type at position 2 invalid for it).
        assert (error.position in {position, 17, 18} or (error.code == "region" and 3 <= position <= 8)
                or (position, error.position) == (1, 2)), (
            code, index, char, error.code, error.position)


@FAST
@given(valid_codes(), st.integers(0, uscc.LENGTH - 1), st.characters(exclude_categories=["Cs"]))
def test_any_other_character_is_caught_or_is_the_same_character_typed_differently(code, index, char):
    changed = code[:index] + char + code[index + 1:]
    error = _failure(changed)
    if error is None:
        # Only a different way of typing the same character (lower case, full width) is accepted.
        assert uscc.normalize(changed) == code, (code, index, repr(char))
    else:
        assert error.code in ERROR_CODES and str(error)


@FAST
@given(st.text(max_size=40))
def test_arbitrary_text_is_a_code_or_a_reported_error_never_another_exception(text):
    error = _failure(text)
    if error is None:
        assert len(uscc.normalize(text)) == uscc.LENGTH
    else:
        assert error.code in ERROR_CODES
        assert str(error)  # a message for the user, translated lazily
        assert error.position is None or 1 <= error.position <= uscc.LENGTH
    assert uscc.is_valid(text) == (error is None and uscc.normalize(text)[0] == uscc.CIVIL_AFFAIRS)


# --- Search query parsing ---------------------------------------------------------------------

KINDS = {"all", "none", "uscc", "pinyin", "text"}
queries = st.one_of(
    st.text(max_size=120),
    st.text("珠海市协会行业学会基金会 　ＡＢＣ１２３abc5144０-\u200b'\"*():^~", max_size=40),
)


@FAST
@given(queries)
def test_a_query_is_always_parsed_into_bounded_tokens_and_never_raises_otherwise(q):
    limit = django_settings.SEARCH_MAX_QUERY_LENGTH
    if len(q.strip()) > limit:
        with pytest.raises(QueryTooLong):
            parse_query(q)
        return
    parsed = parse_query(q)
    assert parsed.kind in KINDS and parsed.raw == q.strip()
    text = identity_key(q)  # the names' normalization, which documents and queries share
    if parsed.kind == "text":
        assert parsed.tokens and all(1 <= len(t) <= 2 for t in parsed.tokens)
        assert len(parsed.tokens) == len(set(parsed.tokens))
        assert all(term in text for term in parsed.verify)
        assert parsed.rank_term in text
    elif parsed.kind == "uscc":
        assert 3 <= len(parsed.uscc_prefix) <= uscc.LENGTH and parsed.uscc_prefix[0] == "5"
    elif parsed.kind == "pinyin":
        assert len(parsed.tokens) == 1 and len(parsed.tokens[0]) <= 2 + limit
    else:
        assert parsed.tokens == []
    # Stable: the same text, or the same text with more space around it, parses the same.
    assert parse_query(q) == parsed
    assert parse_query(f"  {q}\t") == parsed


@pytest.mark.django_db
@DB
@given(q=queries)
def test_any_query_runs_against_the_database(q, actors):
    if len(q.strip()) > django_settings.SEARCH_MAX_QUERY_LENGTH:
        return
    results = organization_search(actor=None, q=q, filters=SearchFilters())
    rows = list(results[:20])
    assert {o.uscc for o in rows} <= {actors[k].uscc for k in ("org_a", "org_b", "org_foshan")}
    assert list(results[:20]) == rows  # the same order twice


# --- Catalogue Excel import -------------------------------------------------------------------

HEADER = ["编号", "职能事项", "部门", "转移方式", "依据", "说明"]
KEYS = ["code", "name", "department", "mode", "legal_basis", "description"]
# Text a person types in a cell (no control characters, which .xlsx cannot hold).
cell = st.text(st.characters(exclude_categories=["Cc", "Cs", "Co", "Cn"]), max_size=12)
good_text = st.text("行业统计调查评估服务珠海市民政局 ab", min_size=1, max_size=10).filter(str.strip)
def mostly(good, *bad):
    """``good`` about six times in seven (one_of picks its branches evenly), else one of ``bad``:
    both outcomes, a complete import and a refused file, occur within a few examples."""
    return st.one_of(*[good] * 6 * len(bad), *bad)


def _rows(wrong: bool):
    def field(good, *bad):
        return mostly(good, *bad) if wrong else good
    return st.lists(st.fixed_dictionaries({
        "code": field(st.integers(1, 10**6).map(str), st.sampled_from(["1", "A-1", ""]), cell),
        "name": field(good_text, cell, st.just("长" * 201)),
        "department": field(good_text, cell),
        "mode": field(st.sampled_from(["转移", "授权", "委托", "entrust", " Transfer "]), st.just("出售"), cell),
        "legal_basis": st.one_of(st.just(""), cell),
        "description": st.one_of(st.just(""), cell),
    }), min_size=1, max_size=4)


# Files of right rows (which may still repeat a code) and files with some wrong cells.
rows_strategy = st.one_of(_rows(wrong=False), _rows(wrong=True))


def _xlsx(rows: list[dict]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, start=1):
        for c, key in enumerate(KEYS):  # fixed_dictionaries does not keep the keys' order
            sheet.write_string(r, c, row[key])  # as typed: never a formula or a number
    book.close()
    return SimpleUploadedFile("catalogue.xlsx", buffer.getvalue())


_serial = itertools.count(1)


def _clearly_wrong(rows: list[dict]) -> bool:
    """A row with an empty required cell, or a code used twice (all but empty rows count)."""
    filled = [r for r in rows if any(v.strip() for v in r.values())]
    codes = [r["code"].strip() for r in filled]
    return any(not (r["code"].strip() and r["name"].strip() and r["department"].strip() and r["mode"].strip())
               for r in filled) or len(set(codes)) < len(codes)


@pytest.mark.django_db
@XLSX
@given(rows=rows_strategy)
def test_a_catalogue_file_imports_completely_or_saves_nothing(rows, actors):
    # Examples share the test's database: a title of its own, as the same draft twice is one draft.
    catalogue = cat.catalogue_create(actor=actors["officer_zhuhai"], kind=CatalogueKind.FUNCTIONS,
                                     region=Region.objects.get(code="440400"), year=2026,
                                     title=f"珠海市目录{next(_serial)}")
    audits = AuditEvent.objects.count()
    try:
        result = imports.catalogue_import(actor=actors["officer_zhuhai"], catalogue=catalogue, upload=_xlsx(rows))
    except imports.FileRefused:
        assume(False)  # unreadable files are the upload check's business, tested elsewhere
    items = TransferableFunction.objects.filter(catalogue=catalogue)
    event("imported" if result.ok else "refused")  # both kinds show in --hypothesis-show-statistics
    if result.ok:
        assert not _clearly_wrong(rows)
        filled = [r for r in rows if any(v.strip() for v in r.values())]
        assert result.created == len(filled) == items.count() == result.rows
        # Names are stored normalized (core.text), as the item form stores them.
        assert {i.code: i.name for i in items} == {r["code"].strip(): normalize_identity(r["name"]) for r in filled}
        assert AuditEvent.objects.count() == audits + 1
    else:
        assert result.problems and all(p.message for p in result.problems)
        assert items.count() == 0 and result.created == result.updated == 0
        assert AuditEvent.objects.count() == audits
