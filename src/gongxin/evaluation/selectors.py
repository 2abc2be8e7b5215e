"""Reads of grading evaluations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.evaluation.models import Evaluation, Grade
from gongxin.registry.models import Organization
from gongxin.registry.selectors import officer_prefix, region_prefix_filter

MIN_QUERY = 2


def current_grade(organization, on: dt.date | None = None) -> Evaluation | None:
    """The grade in force on ``on`` (today): the latest decision by then that is not cancelled
    and not expired. One query."""
    on = on or timezone.localdate()
    return (Evaluation.objects.filter(organization=organization, decided_on__lte=on, valid_until__gte=on)
            .exclude(cancelled_on__lte=on).order_by("-decided_on", "-id").first())


def in_force_q(on: dt.date) -> Q:
    return Q(decided_on__lte=on, valid_until__gte=on) & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=on))


def profile_grades(org: Organization, on: dt.date | None = None) -> list[Evaluation]:
    """The rows of the profile's "evaluation" section: the grade in force first (``is_current``
    set on it), then the earlier ones newest first, each with ``state`` ("current", "expired",
    "cancelled", "superseded"). One query."""
    on = on or timezone.localdate()
    rows = list(Evaluation.objects.filter(organization=org, decided_on__lte=on).order_by("-decided_on", "-id"))
    current = current_grade(org, on) if rows else None
    for e in rows:
        e.is_current = current is not None and e.pk == current.pk
        e.state = ("current" if e.is_current else "cancelled" if e.cancelled_on and e.cancelled_on <= on
                   else "expired" if e.valid_until < on else "superseded")
    return sorted(rows, key=lambda e: not e.is_current)


def require_officer(actor) -> str:
    prefix = officer_prefix(actor)
    if prefix is None:
        raise Http404(_("No such page."))
    return prefix


class QueryTooShort(ValueError):
    pass


STATES = {
    "in_force": gettext_lazy("In force"),
    "expired": gettext_lazy("Expired"),
    "cancelled": gettext_lazy("Cancelled"),
}

SORTS = {
    "decided": (gettext_lazy("Newest decision"), ["-decided_on", "-id"]),
    "valid_until": (gettext_lazy("Expiring first"), ["valid_until", "id"]),
    "grade": (gettext_lazy("Grade"), ["-grade", "organization__name", "id"]),
    "name": (gettext_lazy("Name"), ["organization__name", "-decided_on", "id"]),
}


@dataclass
class GradeFilters:
    grade: int | None = None
    state: str = ""
    q: str = ""
    sort: str = "decided"

    @classmethod
    def from_query(cls, data) -> GradeFilters:
        try:
            grade = int(data.get("grade", "") or 0) or None
        except ValueError:
            grade = None
        state = data.get("state", "")
        sort = data.get("sort", "")
        return cls(grade=grade if grade in Grade.values else None, state=state if state in STATES else "",
                   q=(data.get("q", "") or "").strip()[:64], sort=sort if sort in SORTS else "decided")

    def params(self) -> dict:
        return {k: v for k, v in {"grade": self.grade or "", "state": self.state, "q": self.q,
                                  "sort": self.sort}.items() if v}


def officer_grades(actor, filters: GradeFilters, on: dt.date | None = None) -> QuerySet[Evaluation]:
    """The grades of the organizations in the officer's jurisdiction. Raises QueryTooShort."""
    prefix = require_officer(actor)
    on = on or timezone.localdate()
    qs = Evaluation.objects.filter(region_prefix_filter("organization__region_prefix", prefix))
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.state == "in_force":
        qs = qs.filter(in_force_q(on))
    elif filters.state == "expired":
        qs = qs.filter(valid_until__lt=on, cancelled_on__isnull=True)
    elif filters.state == "cancelled":
        qs = qs.filter(cancelled_on__isnull=False)
    if filters.q:
        if len(filters.q) < MIN_QUERY:
            raise QueryTooShort(_("Type at least %(n)d characters to search.") % {"n": MIN_QUERY})
        qs = qs.filter(Q(organization__name__icontains=filters.q) | Q(organization__uscc__icontains=filters.q.upper())
                       | Q(certificate_number__icontains=filters.q))
    return qs.select_related("organization", "recorded_by").order_by(*SORTS[filters.sort][1])


def evaluation_get(*, actor, pk: int) -> Evaluation:
    prefix = require_officer(actor)
    evaluation = (Evaluation.objects.filter(region_prefix_filter("organization__region_prefix", prefix), pk=pk)
                  .select_related("organization").first())
    if evaluation is None:
        raise Http404(_("No such evaluation."))
    return evaluation


def organization_for_officer(actor, uscc: str) -> Organization | None:
    """The organization with this code if the officer manages it (None otherwise: no leak)."""
    prefix = require_officer(actor)
    return (Organization.objects.filter(region_prefix_filter("region_prefix", prefix), uscc=uscc.strip().upper())
            .select_related("registration_authority").first())


def state_of(e: Evaluation, on: dt.date) -> str:
    if e.cancelled_on and e.cancelled_on <= on:
        return "cancelled"
    if e.valid_until < on:
        return "expired"
    return "in_force" if e.decided_on <= on else ""
