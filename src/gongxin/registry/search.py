"""Organization search: building search documents and turning a query into an index lookup.

Chinese names have no word boundaries and the common queries are 1 or 2 characters (协会,
商会, 珠海), which trigram indexes cannot serve. Each organization therefore gets one search
document whose tokens are the character unigrams and bigrams of its name, former names and
legal representative, plus ``py``-prefixed prefixes of the names' pinyin initials. A query
becomes "documents containing all of these tokens":

- a 1- or 2-character term is itself a token (exact, no false positives);
- a longer term becomes its bigrams, and the document text is checked for the whole term
  (bigrams narrow, the substring check confirms);
- letters only (``zhsjdxh``) are pinyin initials, matched by prefix (every prefix is a token);
- letters and digits that could start a USCC are a USCC prefix (a range scan on the unique
  index).

SQLite answers token lookups with FTS5, PostgreSQL with a GIN index over the token array
(migration 0002). Both match exact tokens, and ordering uses code-point order on both, so
the two engines return the same rows in the same order.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, Func, IntegerField, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, StrIndex
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from gongxin.core.uscc import CHARSET

PINYIN_MARK = "py"
_USCC_PREFIX = re.compile(rf"^[{CHARSET}]{{2,18}}$")
# Leading administrative names (广东省, 珠海市, 香洲区, 台山市…): stripped for a second set of
# initials so that ``jdxh`` finds 珠海市家电协会 as well as ``zhsjdxh``.
_REGION_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|市|区|县))+")


class QueryTooLong(ValueError):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(str(_("The search text is too long (at most %(limit)d characters).") % {"limit": limit}))


def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and lower case: the form both documents and queries use."""
    return unicodedata.normalize("NFKC", text).lower()


def _segments(text: str) -> list[str]:
    """Runs of letters and digits. FTS5's unicode61 tokenizer splits on everything else, so
    keeping only these characters makes one stored token exactly one FTS5 token."""
    out, run = [], []
    for ch in text:
        if ch.isalnum():
            run.append(ch)
        elif run:
            out.append("".join(run))
            run = []
    if run:
        out.append("".join(run))
    return out


def _ngrams(text: str, into: set[str]) -> None:
    for seg in _segments(text):
        into.update(seg)
        into.update(seg[i : i + 2] for i in range(len(seg) - 1))


@functools.lru_cache(maxsize=262_144)
def _initials_of(text: str) -> str:
    # pypinyin handles polyphones by phrase (重庆 -> cq); it costs ~100 µs a name, so callers
    # split names into a region prefix and a rest, which repeat a lot and are cached here.
    letters = []
    for item in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        letters.extend(ch for ch in item.lower() if ch.isascii() and ch.isalnum())
    return "".join(letters)


def pinyin_initials(name: str) -> tuple[str, str]:
    """(initials of the whole name, initials without its leading region names)."""
    name = normalize(name)
    m = _REGION_PREFIX.match(name)
    head, rest = (m.group(0), name[m.end() :]) if m else ("", name)
    rest_initials = _initials_of(rest)
    return _initials_of(head) + rest_initials, rest_initials


def build_document(name: str, former_names: list[str], legal_representative: str) -> tuple[str, str]:
    """(text, tokens) of an organization's search document."""
    texts = [normalize(t) for t in (name, *former_names, legal_representative) if t]
    tokens: set[str] = set()
    for t in texts:
        _ngrams(t, tokens)
    for n in (name, *former_names):
        for initials in pinyin_initials(n):
            tokens.update(PINYIN_MARK + initials[:k] for k in range(1, len(initials) + 1))
    return "\n".join(texts), " ".join(sorted(tokens))


@dataclass
class ParsedQuery:
    raw: str
    kind: str  # "all" | "none" | "uscc" | "pinyin" | "text"
    tokens: list[str] = field(default_factory=list)
    verify: list[str] = field(default_factory=list)  # terms of 3+ characters to confirm as substrings
    rank_term: str = ""
    uscc_prefix: str = ""


def parse_query(q: str | None) -> ParsedQuery:
    """Classify a user's query. Never raises for odd characters: FTS and SQL syntax in ``q``
    is just text here, because queries reach the database only as bound token values."""
    raw = (q or "").strip()
    limit = settings.SEARCH_MAX_QUERY_LENGTH
    if len(raw) > limit:
        raise QueryTooLong(limit)
    if not raw:
        return ParsedQuery(raw, "all")
    text = normalize(raw)
    compact = re.sub(r"\s+", "", text)
    upper = compact.upper()
    if _USCC_PREFIX.match(upper) and any(ch.isdigit() for ch in upper):
        return ParsedQuery(raw, "uscc", uscc_prefix=upper)
    if compact.isascii() and compact.isalpha():
        return ParsedQuery(raw, "pinyin", tokens=[PINYIN_MARK + compact])
    tokens: list[str] = []
    verify: list[str] = []
    for term in (t for part in text.split() for t in _segments(part)):
        if len(term) <= 2:
            tokens.append(term)
        else:
            tokens.extend(term[i : i + 2] for i in range(len(term) - 1))
            verify.append(term)
    if not tokens:
        return ParsedQuery(raw, "none")
    terms = [t for part in text.split() for t in _segments(part)]
    return ParsedQuery(raw, "text", tokens=list(dict.fromkeys(tokens)), verify=verify, rank_term=terms[0])


def _uscc_upper_bound(prefix: str) -> str:
    """Smallest string above every code starting with ``prefix``, within CHARSET ordering (which
    agrees with byte order, so the range works under any collation that sorts 0-9 < A-Z)."""
    chars = list(prefix)
    while chars:
        idx = CHARSET.index(chars[-1])
        if idx + 1 < len(CHARSET):
            chars[-1] = CHARSET[idx + 1]
            return "".join(chars)
        chars.pop()
    return "\U0010ffff"


def _match_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """SQL selecting the ids of organizations whose documents hold every token (and, for
    longer terms, contain the whole term)."""
    if connection.vendor == "postgresql":
        sql = ["SELECT organization_id FROM registry_searchdocument WHERE string_to_array(tokens, ' ') @> %s::text[]"]
        params: list = [parsed.tokens]
        for term in parsed.verify:
            sql.append("AND strpos(text, %s) > 0")
            params.append(term)
        return " ".join(sql), params
    match = " AND ".join('"' + t + '"' for t in parsed.tokens)  # tokens are letters/digits only
    if not parsed.verify:
        return "SELECT rowid FROM registry_search_fts WHERE registry_search_fts MATCH %s", [match]
    sql = [
        "SELECT f.rowid FROM registry_search_fts f JOIN registry_searchdocument d ON d.organization_id = f.rowid",
        "WHERE registry_search_fts MATCH %s",
    ]
    params = [match]
    for term in parsed.verify:
        sql.append("AND instr(d.text, %s) > 0")
        params.append(term)
    return " ".join(sql), params


class CodePointOrder(Func):
    """Order a text column by code point on every engine (SQLite's default; PostgreSQL needs
    COLLATE "C", since a database's locale collation would order Chinese differently)."""

    template = "%(expressions)s"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template='%(expressions)s COLLATE "C"', **extra)


def apply_search(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """Filter ``qs`` (Organizations) by the query and order it by relevance, then name."""
    name_order = CodePointOrder(F("name"))
    if parsed.kind == "none":
        return qs.none()
    if parsed.kind == "all":
        return qs.order_by(name_order, "id")
    if parsed.kind == "uscc":
        qs = qs.filter(uscc__gte=parsed.uscc_prefix, uscc__lt=_uscc_upper_bound(parsed.uscc_prefix))
        rank = Case(When(uscc=parsed.uscc_prefix, then=Value(0)), default=Value(1), output_field=IntegerField())
        return qs.annotate(search_rank=rank).order_by("search_rank", name_order, "id")
    sql, params = _match_sql(parsed)
    qs = qs.filter(id__in=RawSQL(sql, params))
    if parsed.kind == "pinyin":
        return qs.order_by(name_order, "id")
    term = parsed.rank_term
    pos = StrIndex(Lower("name"), Value(term))
    rank = Case(
        When(search_name=term, then=Value(0)),
        When(search_pos=1, then=Value(1)),
        When(search_pos__gt=0, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return qs.annotate(search_name=Lower("name"), search_pos=pos).annotate(search_rank=rank).order_by("search_rank", name_order, "id")
