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
- 3+ letters and digits starting with 5 (the civil-affairs department code) are a USCC prefix
  (a range scan on the unique index);
- filters (type, subtype, status, industry, region subtree) and an officer's jurisdiction are
  facet tokens added to the query (facet_tokens).

SQLite answers token lookups with FTS5, PostgreSQL with a GIN index over the token array
(migration 0002). Both match exact tokens, and ordering uses code-point order on both, so
the two engines return the same rows in the same order.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, StrIndex
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin
from pypinyin.seg import mmseg

from gongxin.core.text import identity_key
from gongxin.core.uscc import CHARSET

PINYIN_MARK = "py"
FACET_MARK = "x"
_USCC_PREFIX = re.compile(rf"^[{CHARSET}]{{2,18}}$")
# Leading administrative names (广东省, 珠海市, 香洲区, 台山市…): stripped for a second set of
# initials so that ``jdxh`` finds 珠海市家电协会 as well as ``zhsjdxh``.
_REGION_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|市|区|县))+")


class QueryTooLong(ValueError):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(str(_("The search text is too long (at most %(limit)d characters).") % {"limit": limit}))


def normalize(text: str) -> str:
    """The form both documents and queries use: the names' normalization (core.text: invisible
    and control characters removed, NFKC, spaces collapsed) in lower case."""
    return identity_key(text)


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
def _word_initials(word: str) -> str:
    letters = []
    for item in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="default"):
        letters.extend(ch for ch in item.lower() if ch.isascii() and ch.isalnum())
    return "".join(letters)


def _initials_of(text: str) -> str:
    # pypinyin converts whole names at ~130 µs each (too slow for a million-row seed). Its own
    # word segmentation, with each word's initials cached, costs ~17 µs and keeps the phrase
    # readings that matter for polyphones (重庆 -> cq, 行业 -> hy, 商会 -> sh).
    return "".join(_word_initials(word) for word in mmseg.seg.cut(text))


def pinyin_initials(name: str) -> tuple[str, str]:
    """(initials of the whole name, initials without its leading region names)."""
    name = normalize(name)
    m = _REGION_PREFIX.match(name)
    head, rest = (m.group(0), name[m.end() :]) if m else ("", name)
    rest_initials = _initials_of(rest)
    return _initials_of(head) + rest_initials, rest_initials


def facet_tokens(*, org_type: str = "", subtype: str = "", region_prefix: str | None = None, status: str = "",
                 industry: str = "", credit: str = "", query: bool = False) -> list[str]:
    """Tokens for the filterable facets: type, subtype, status, industry and every level of
    the registration region (44, 4404, 440402), so that a filter is one more token to match
    and a filtered search stays a pure index lookup on both engines. They start with
    FACET_MARK and are 3+ characters, which no name n-gram (1–2) or pinyin token (py…) is."""
    out = []
    if org_type:
        out.append(FACET_MARK + "t" + org_type.replace("_", ""))
    if subtype:
        out.append(FACET_MARK + "u" + subtype.replace("_", ""))
    if status:
        out.append(FACET_MARK + "s" + status.replace("_", ""))
    if industry:
        out.append(FACET_MARK + "i" + industry.lower())
    if credit:
        # "listed" (either list) is a filter of its own; documents carry it beside their list.
        out.append(FACET_MARK + "c" + credit)
        if not query and credit != "listed":
            out.append(FACET_MARK + "clisted")
    if region_prefix and query:
        out.append(FACET_MARK + "r" + region_prefix)  # documents carry every level: one suffices
    elif region_prefix:
        out.extend(FACET_MARK + "r" + region_prefix[:n] for n in (2, 4, 6) if len(region_prefix) >= n)
    return out


def build_document(name: str, former_names: list[str], legal_representative: str,
                   facets: list[str] = ()) -> tuple[str, str]:
    """(text, tokens) of an organization's search document; ``facets`` from facet_tokens()."""
    texts = [normalize(t) for t in (name, *former_names, legal_representative) if t]
    tokens: set[str] = set(facets)
    for t in texts:
        _ngrams(t, tokens)
    for n in (name, *former_names):
        for initials in pinyin_initials(n):
            tokens.update(PINYIN_MARK + initials[:k] for k in range(1, len(initials) + 1))
    return "\n".join(texts), " ".join(sorted(tokens))


@dataclass
class ParsedQuery:
    raw: str
    kind: str  # "all" | "none" | "uscc" | "pinyin" | "text" | "facets" (filters alone)
    tokens: list[str] = field(default_factory=list)
    verify: list[str] = field(default_factory=list)  # terms of 3+ characters to confirm as substrings
    rank_term: str = ""
    uscc_prefix: str = ""

    def with_facets(self, facets: list[str]) -> ParsedQuery:
        """The same query, narrowed to documents that also carry these facet tokens."""
        if not facets or self.kind == "none":
            return self
        kind = "facets" if self.kind == "all" else self.kind
        return ParsedQuery(self.raw, kind, [*self.tokens, *facets], self.verify, self.rank_term, self.uscc_prefix)


def parse_query(q: str | None) -> ParsedQuery:
    """Classify a user's query. Never raises for odd characters: FTS and SQL syntax in ``q``
    is just text here, because queries reach the database only as bound token values."""
    raw = (q or "").strip()
    limit = settings.SEARCH_MAX_QUERY_LENGTH
    if len(raw) > limit:
        raise QueryTooLong(limit)
    text = normalize(raw)
    if not text.strip():
        return ParsedQuery(raw, "all")
    compact = re.sub(r"\s+", "", text)
    upper = compact.upper()
    # A USCC prefix: civil-affairs codes start with 5; "120" or "2024" are text (they occur in
    # names), and so is anything shorter than 3 characters.
    if _USCC_PREFIX.match(upper) and upper[0] == "5" and len(upper) >= 3 and any(c.isdigit() for c in upper[1:]):
        return ParsedQuery(raw, "uscc", uscc_prefix=upper)
    if compact.isascii() and compact.isalpha():
        return ParsedQuery(raw, "pinyin", tokens=[PINYIN_MARK + compact])
    tokens: list[str] = []
    verify: list[str] = []
    terms = [t for part in text.split() for t in _segments(part)]
    for term in terms:
        if len(term) <= 2:
            tokens.append(term)
        else:
            tokens.extend(term[i : i + 2] for i in range(len(term) - 1))
            verify.append(term)
    if not tokens:
        return ParsedQuery(raw, "none")
    return ParsedQuery(raw, "text", tokens=list(dict.fromkeys(tokens)), verify=verify, rank_term=terms[0])


# What a mistyped code looks like: letters and digits only, nearly code length, mostly digits
# (names never are). Shorter ones are prefix searches, which are fine as they are.
_CODE_LIKE = re.compile(r"^[0-9A-Z]{15,20}$")


def code_hint(q: str | None) -> str:
    """Why a query that looks like a unified social credit code cannot be one ("" when it can,
    or when it does not look like a code): the first check that fails, as the profile's 404
    says it. Shown beside an empty result so the user can correct the code."""
    from gongxin.core import uscc as uscc_mod

    compact = re.sub(r"[\s\-]+", "", normalize(q or "")).upper()
    if not _CODE_LIKE.match(compact) or sum(c.isdigit() for c in compact) < 8:
        return ""
    try:
        uscc_mod.parse(compact)
    except uscc_mod.USCCError as exc:
        return str(_("“%(code)s” is not a valid unified social credit code: %(reason)s")
                   % {"code": compact, "reason": exc.message})
    return ""


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
    """The raw index lookup: ids of the documents holding every token (and, for longer
    terms, containing the whole term). Used to count unfiltered matches, and by the
    benchmark as the baseline."""
    if connection.vendor == "postgresql":
        sql = ["SELECT organization_id FROM registry_searchdocument WHERE string_to_array(tokens, ' ') @> %s::text[]"]
        params: list = [parsed.tokens]
        for term in parsed.verify:
            sql.append("AND strpos(text, %s) > 0")
            params.append(term)
        return " ".join(sql), params
    match = _fts_match(parsed)
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


def _fts_match(parsed: ParsedQuery) -> str:
    return " AND ".join('"' + t + '"' for t in parsed.tokens)  # tokens are letters and digits only


class CodePointOrder(Func):
    """A text column compared and ordered by code point on every engine (SQLite's default;
    PostgreSQL needs COLLATE "C", since a locale collation orders Chinese differently). The
    PostgreSQL indexes on (name COLLATE "C", …) serve it (registry migrations)."""

    template = "%(expressions)s"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template='%(expressions)s COLLATE "C"', **extra)


_MAX_CHAR = "\U0010ffff"
WALK_MIN_SHARE = 0.05
COUNT_EXACT_LIMIT = 10_000


class SearchResults:
    """The ordered matches of a query, sliceable and countable (Django's Paginator and the
    API page through it), without ever sorting the whole match set.

    Everything happens in the search document table, which carries the facets the filters
    use (type, subtype, region, status, industry) beside the name and tokens; only the page's
    20 organizations are then read. Relevance is a sequence of tiers, each in name order:
    names starting with the term (the exact name is the first of them), then every other
    match. Each tier is one stretch of the (name, id) index or its complement, so the
    database either walks that index testing each document (dense matches: 协会 is in a
    quarter of all names) or fetches the few matches and sorts them (sparse). PostgreSQL's
    planner makes that choice itself; SQLite's always drives from the FTS lookup, so on SQLite
    we choose from the match count, and walk with a correlated FTS probe per document.
    """

    ordered = True  # tells Paginator the order is deliberate

    def __init__(self, docs: QuerySet, parsed: ParsedQuery, filtered: bool = True):
        from gongxin.registry.models import Organization

        self.count_exact = True
        self.parsed = parsed
        self.filtered = filtered
        self._count: int | None = None
        self._docs = docs.alias(name_c=CodePointOrder(F("name")))
        self._orgs = Organization.objects.select_related("registration_authority").order_by()

    def _matching(self, docs: QuerySet, dense: bool = False) -> QuerySet:
        parsed = self.parsed
        if parsed.kind == "uscc":
            docs = docs.filter(organization__uscc__gte=parsed.uscc_prefix,
                               organization__uscc__lt=_uscc_upper_bound(parsed.uscc_prefix))
        if not parsed.tokens:
            return docs
        if connection.vendor == "postgresql":
            docs = docs.filter(RawSQL("string_to_array(registry_searchdocument.tokens, ' ') @> %s::text[]",
                                      [parsed.tokens], output_field=BooleanField()))
        else:
            fts = RawSQL("SELECT rowid FROM registry_search_fts WHERE registry_search_fts MATCH %s",
                         [_fts_match(parsed)])
            if dense:
                # A correlated probe per document ("is this rowid among the matches?"), so SQLite
                # walks the name index and stops after a page's worth of hits, instead of first
                # materialising every match (227,000 rowids for 协会 at a million organizations).
                docs = docs.filter(RawSQL(
                    "EXISTS (SELECT 1 FROM registry_search_fts WHERE registry_search_fts.rowid = "
                    "registry_searchdocument.organization_id AND registry_search_fts MATCH %s)",
                    [_fts_match(parsed)], output_field=BooleanField()))
            else:
                docs = docs.filter(organization_id__in=fts)
        for i, term in enumerate(parsed.verify):
            docs = docs.alias(**{f"verify_{i}": StrIndex("text", Value(term))}).filter(**{f"verify_{i}__gt": 0})
        return docs

    def count(self) -> int:
        """The number of matches: exact on SQLite (FTS5 counts 227,000 matches in 8 ms); on
        PostgreSQL exact up to COUNT_EXACT_LIMIT, beyond which counting means visiting every
        matching row (over a second for 协会 at a million organizations), so the planner's
        estimate is given and ``count_exact`` is False. Pages stop at 500 × 20 rows anyway."""
        if self._count is None:
            self.count_exact = True
            if self.parsed.kind == "none":
                self._count = 0
            elif connection.vendor == "postgresql":
                self._count = self._pg_count()
            elif not self.filtered and self.parsed.kind in ("text", "pinyin", "facets"):
                sql, params = _match_sql(self.parsed)  # the index alone, no table rows
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT count(*) FROM ({sql}) matches", params)
                    self._count = cursor.fetchone()[0]
            else:
                self._count = self._matching(self._docs).count()
        return self._count

    def _pg_count(self) -> int:
        matches = self._matching(self._docs).order_by()
        capped = matches[: COUNT_EXACT_LIMIT + 1].count()
        if capped <= COUNT_EXACT_LIMIT:
            return capped
        self.count_exact = False
        plan = json.loads(matches.values("organization_id").explain(format="json"))
        return max(COUNT_EXACT_LIMIT + 1, int(plan[0]["Plan"]["Plan Rows"]))

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return self.organizations()

    def organizations(self, *related: str):
        """Every match in order (not bounded by an estimated count), read a chunk of rows at a
        time, with ``related`` joined in as well (exports add the sponsor unit)."""
        orgs = self._orgs.select_related(*related) if related else self._orgs
        ids = self.iter_ids()
        while chunk := list(itertools.islice(ids, 1000)):
            by_id = orgs.in_bulk(chunk)
            yield from (by_id[i] for i in chunk if i in by_id)

    def _clustered(self) -> bool:
        """Region facets cluster by construction: a district's organizations all start with its
        name. Walking the name index to find them can mean walking most of it (seconds at a
        million rows), and PostgreSQL's planner, assuming an even spread, would choose that."""
        return any(t.startswith(FACET_MARK + "r") for t in self.parsed.tokens)

    def _tiers(self, dense: bool) -> list[QuerySet]:
        docs = self._matching(self._docs, dense)
        if self.parsed.kind == "uscc":
            return [docs.order_by("organization__uscc")]
        order = ("name_c", "organization_id")
        if not dense and self.parsed.tokens:
            # The same order through an expression no index serves, so that the database fetches
            # the (few) matches and sorts them. PostgreSQL's planner would otherwise sometimes
            # walk the name index for a rare token it cannot estimate (5 s for 31 matches).
            docs = docs.alias(name_sorted=CodePointOrder(Concat(F("name"), Value(""), output_field=TextField())))
            order = ("name_sorted", "organization_id")
        if self.parsed.kind != "text":
            return [docs.order_by(*order)]
        term = self.parsed.rank_term
        upper = term + _MAX_CHAR
        prefix_tier = docs.filter(name_c__gte=term, name_c__lt=upper).order_by(*order)
        rest = docs.filter(Q(name_c__lt=term) | Q(name_c__gte=upper)).order_by(*order)
        # Usually no name at all starts with the query (协会): one index probe, without the
        # match test, saves running that tier.
        if not self._docs.filter(name_c__gte=term, name_c__lt=upper).exists():
            return [rest]
        return [prefix_tier, rest]

    def _walk_is_cheaper(self, stop: int) -> bool:
        matches = self.count()
        if not matches or self.parsed.kind not in ("text", "pinyin", "facets"):
            return False
        with connection.cursor() as cursor:  # the table's size, from the end of its key
            cursor.execute("SELECT max(organization_id) FROM registry_searchdocument")
            total = cursor.fetchone()[0] or 0
        # Walking visits about stop * total / matches index entries if matches are spread out;
        # sorting touches every match. Matches can cluster in name order (a district's
        # organizations all start with its name), which makes a walk visit far more, so walk
        # only when matches are dense enough (5%) that even the worst case stays a short scan.
        return not self._clustered() and matches >= total * WALK_MIN_SHARE and stop * total / matches < matches

    def _ids(self, start: int, stop: int) -> list[int]:
        dense = self._walk_is_cheaper(stop)
        ids: list[int] = []
        offset = start  # position within the current tier
        for tier in self._tiers(dense):
            need = stop - start - len(ids)
            rows = list(tier.values_list("organization_id", flat=True)[offset : offset + need])
            ids.extend(rows)
            if len(ids) >= stop - start:
                break
            # This tier is exhausted; move the offset past it (count it only when the page
            # starts beyond it, which the first page never does).
            size = offset + len(rows) if rows else (tier.count() if offset else 0)
            offset = max(0, offset - size)
        return ids

    def iter_ids(self, chunk_size: int = 2000):
        """Every match's id in order, streamed (one query per tier, no OFFSETs): for exports."""
        if self.parsed.kind == "none":
            return
        for tier in self._tiers(dense=False):
            yield from tier.values_list("organization_id", flat=True).iterator(chunk_size=chunk_size)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            rows = self[key : key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        start, stop = key.start or 0, key.stop
        if stop is None:
            stop = self.count()
        if self.parsed.kind == "none" or stop <= start:
            return []
        ids = self._ids(start, stop)
        orgs = self._orgs.in_bulk(ids)
        return [orgs[i] for i in ids if i in orgs]


def apply_search(docs: QuerySet, parsed: ParsedQuery, filtered: bool = True) -> SearchResults:
    """Search documents ``docs`` (already narrowed by filters and scope) for the query, ordered
    by relevance tier then name; a USCC prefix by code. ``filtered=False`` promises ``docs``
    is every document."""
    return SearchResults(docs, parsed, filtered)
