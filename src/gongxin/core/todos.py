"""To-dos on each role's home page (/accounts/): due and overdue items and items awaiting the
user's action, with counts and links.

An app registers what it knows with ``@register(roles...)`` (the way ``@exporter`` works), so
the workspace page asks this registry and imports no domain app. A provider takes
``(actor, today)`` and returns ``Todo`` items; items with a count of 0 are left out.

Providers run on every visit of the workspace: each should cost a COUNT query or two, never a
query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

OVERDUE, DUE, WAITING, INFO = "overdue", "due", "waiting", "info"
_ORDER = {OVERDUE: 0, DUE: 1, WAITING: 2, INFO: 3}


@dataclass
class Todo:
    label: str  # what is to be done, e.g. "Annual reports awaiting your review"
    count: int
    url: str  # where to do it (a filtered worklist)
    level: str = WAITING  # overdue | due | waiting | info
    detail: str = ""  # e.g. "due 2026-05-31" or "3 overdue"
    area: str = ""  # the app's name, for grouping


Provider = Callable[[object, dt.date], Iterable[Todo]]
PROVIDERS: list[tuple[frozenset[str], Provider]] = []

ADMIN = "admin"


def register(*roles: str):
    """``@register("officer", "admin")``: the function gives to-dos for users of these roles
    (a superuser counts as "admin")."""
    def add(fn: Provider) -> Provider:
        PROVIDERS.append((frozenset(roles), fn))
        return fn

    return add


def _roles_of(actor) -> set[str]:
    roles = {getattr(actor, "role", "")}
    if getattr(actor, "is_superuser", False):
        roles.add(ADMIN)
    return roles


def todos_for(actor, today: dt.date) -> list[Todo]:
    """Every registered provider's non-empty to-dos for ``actor``: overdue first, then due,
    then awaiting action, then for information."""
    roles = _roles_of(actor)
    out: list[Todo] = []
    for provider_roles, provider in PROVIDERS:
        if not roles & provider_roles:
            continue
        out.extend(t for t in provider(actor, today) if t.count)
    return sorted(out, key=lambda t: _ORDER.get(t.level, 9))
