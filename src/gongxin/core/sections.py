"""Sections of an organization's public profile (年度检查结果, 行政处罚, 表彰奖励, …).

Each app produces its own sections with one function each (``annual.profile``,
``credit.profile``, …), returning a ``Section``: its key and title, the rows of the page asked
for, how many rows there are in all, the template that draws them and how the API writes one
row. The profile page and ``/api/v1/orgs/{uscc}`` take the same ``Section``, so they show the
same rows in the same pages; a section never shows more than ``PAGE_SIZE`` rows at once
(an organization may have hundreds of performance evaluations).

A section may add ``parts``: further lists of its own, each a ``Section`` paged by its own key
``<section>-<part>`` (the five categories of credit information; the function transfers beside
the projects of the purchase section)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import QueryDict

PAGE_SIZE = 20
PARAM = "section_page_"  # ?section_page_<key>=N on the profile page


def _no_record(row) -> dict:
    raise TypeError("this section has no JSON form for its rows")


@dataclass
class Section:
    key: str
    title: str
    template: str = ""
    rows: Sequence = ()
    total: int = 0
    page: int = 1
    page_size: int = PAGE_SIZE
    record: Callable[[Any], dict] = _no_record
    parts: list[Section] = field(default_factory=list)
    parts_template: str = "includes/section_parts.html"
    # Anything else the template and the API show (a total amount, a note).
    summary: dict = field(default_factory=dict)
    # The profile page's links to the previous and next page (core.sections.link_pages).
    previous_query: str | None = None
    next_query: str | None = None

    @property
    def count(self) -> int:
        """Rows in all, its parts' included: 0 is the section's "no records"."""
        return self.total + sum(p.count for p in self.parts)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.page * self.page_size, self.total)

    @property
    def param(self) -> str:
        return PARAM + self.key

    def records(self) -> list[dict]:
        return [self.record(r) for r in self.rows]


def paged(source, page: int = 1, size: int = PAGE_SIZE) -> tuple[list, int, int]:
    """One page of a QuerySet (or a list): (rows, total, page). A page past the end is the
    last page. A QuerySet costs one query when the first page holds everything, else a COUNT
    and the page's slice."""
    page = max(1, page)
    if isinstance(source, list | tuple):
        total = len(source)
        page = min(page, max(1, -(-total // size)))
        return list(source[(page - 1) * size: page * size]), total, page
    if page == 1:
        rows = list(source[:size])
        if len(rows) < size:
            return rows, len(rows), 1
        return rows, source.count(), 1
    total = source.count()
    page = min(page, max(1, -(-total // size)))
    return list(source[(page - 1) * size: page * size]), total, page


def parent_key(key: str) -> str:
    """The section a part belongs to ("credit_information-other" -> "credit_information")."""
    return key.split("-", 1)[0]


def pages_from_query(params: Mapping) -> dict[str, int]:
    """The pages asked for in a query string (?section_page_<key>=N): key -> page; a malformed
    number is page 1."""
    pages = {}
    for name in params:
        if name.startswith(PARAM):
            try:
                pages[name[len(PARAM):]] = max(1, int(params.get(name)))
            except (TypeError, ValueError):
                pages[name[len(PARAM):]] = 1
    return pages


def link_pages(sections: list[Section], params: QueryDict) -> None:
    """Give every section and part of a page its previous and next page's query string
    (``previous_query``, ``next_query``), keeping the pages of the other sections."""

    def link(section: Section) -> None:
        for attr, page, show in (("previous_query", section.page - 1, section.has_previous),
                                 ("next_query", section.page + 1, section.has_next)):
            query = params.copy()
            query[section.param] = str(page)
            if page == 1:
                query.pop(section.param)
            setattr(section, attr, query.urlencode() if show else None)
        for part in section.parts:
            link(part)

    for section in sections:
        link(section)
