"""What every officer worklist shares: a 待处理 (pending) and a 已处理 (decided) view with
their counts, a search box, a choice of order and paging (includes/worklist_bar.html draws the
first three, includes/pagination.html the last). A worklist gives its sorts per view; the
query string of the page keeps view, search and sort across pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

PENDING, DECIDED = "pending", "decided"
VIEWS = (PENDING, DECIDED)
MAX_QUERY = 100

# (label, ORDER BY) per key; the first of each view is its default.
Sorts = dict[str, tuple[str, tuple[str, ...]]]


@dataclass
class Worklist:
    view: str
    q: str
    sort: str
    sorts: Sorts
    extra: dict = field(default_factory=dict)  # the worklist's own filters, kept across pages

    @classmethod
    def from_request(cls, request, *, pending: Sorts, decided: Sorts, extra: dict | None = None) -> Worklist:
        view = request.GET.get("view", "")
        view = view if view in VIEWS else PENDING
        sorts = pending if view == PENDING else decided
        sort = request.GET.get("sort", "")
        return cls(view=view, q=request.GET.get("q", "").strip()[:MAX_QUERY],
                   sort=sort if sort in sorts else next(iter(sorts)), sorts=sorts,
                   extra={k: v for k, v in (extra or {}).items() if v})

    @property
    def decided(self) -> bool:
        return self.view == DECIDED

    @property
    def order(self) -> tuple[str, ...]:
        return self.sorts[self.sort][1]

    @property
    def sort_choices(self) -> list[tuple[str, str]]:
        return [(k, v[0]) for k, v in self.sorts.items()]

    def querystring(self) -> str:
        """View, search, sort and filters, for the pagination links."""
        params = {"view": self.view, **({"q": self.q} if self.q else {}), "sort": self.sort, **self.extra}
        return urlencode(params)

    def view_url(self, view: str) -> str:
        return "?" + urlencode({"view": view, **({"q": self.q} if self.q else {}), **self.extra})

    @property
    def pending_url(self) -> str:
        return self.view_url(PENDING)

    @property
    def decided_url(self) -> str:
        return self.view_url(DECIDED)


def name_or_code_q(q: str, *, name: str, code: str):
    """Rows whose ``name`` field contains ``q`` or whose ``code`` field (a credit code) starts
    with it, as typed (spaces dropped, upper case); an empty ``q`` matches everything."""
    from django.db.models import Q

    if not q:
        return Q()
    compact = "".join(q.split()).upper()
    return Q(**{f"{name}__icontains": q}) | Q(**{f"{code}__startswith": compact})
