"""Applying checked plans, chunk by chunk inside the import's one transaction: new reports as plain
rows, changed reports by one UPDATE for many rows, and the supervision facts a late report makes
or resolves.

Rows are written as plain tuples of database values (sql.py), not through model instances:
the plans were checked in full already, and a model instance per row (``bulk_create``,
``bulk_update``) cost more than the rest of the apply together (measured at 100,000 rows). The
values are those the ORM would send (sql.db_value), the ones that repeat (dates, times, JSON
lists) converted once per distinct value.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from gongxin.annual.imports import sql
from gongxin.annual.imports.checking import VALUE_KEYS
from gongxin.annual.imports.template import CONTENT_KEYS
from gongxin.annual.models import AnnualReport, FactKind, ReportSource, ReportStatus, SupervisionFact
from gongxin.core.facts import facts_changed_notify


class ImportConflict(Exception):
    pass


UPDATE_FIELDS = [*CONTENT_KEYS, "status", "source", "submitted_at", "late", "conclusion", "conclusion_reasons",
                 "published_on", "reviewed_at", "reviewed_by", "version", "updated_at"]
REVIEW_FIELDS = {"status", "conclusion", "conclusion_reasons", "published_on", "reviewed_at", "reviewed_by"}
KEPT_FIELDS = [f for f in UPDATE_FIELDS if f not in REVIEW_FIELDS]  # an empty conclusion keeps the review
# A new report: the plan's values and these per row; the same for every row: source, the times,
# every other field at its default.
ROW_FIELDS = ["organization", "year", "status", "submitted_at", "late", "version", "published_on", "reviewed_at",
              "reviewed_by"]
FACT_FIELDS = ["organization", "key", "occurred_on", "evidence"]  # then kind, created_at, the defaults
N_CONTENT = len(CONTENT_KEYS)
# The row layouts below follow these lists.
assert VALUE_KEYS[:N_CONTENT] == CONTENT_KEYS and VALUE_KEYS[N_CONTENT:] == ["conclusion", "conclusion_reasons"]
assert KEPT_FIELDS == [*CONTENT_KEYS, "source", "submitted_at", "late", "version", "updated_at"]


def submitted_at(day: dt.date) -> dt.datetime:
    # A paper report carries a date, not a time: noon of that day in the display zone.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _defaults(model, exclude: list[str]) -> dict[str, object]:
    """The model's other concrete fields and their defaults, as database values."""
    return {f.name: sql.db_value(model, f.name)(f.get_default()) for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in exclude and f.attname not in exclude}


class Writer:
    """Writes the plans of one import. Made at the start of the apply: what is the same for every
    row (the actor, the import's date and time, the defaults) is converted once."""

    def __init__(self, *, actor, today: dt.date, now: dt.datetime):
        self.actor_pk = actor.pk
        self.now = sql.db_value(AnnualReport, "updated_at")(now)
        self.today = sql.db_value(AnnualReport, "published_on")(today)
        prep_submitted = sql.db_value(AnnualReport, "submitted_at")
        self.submitted_at = sql.cached(lambda day: prep_submitted(submitted_at(dt.date.fromordinal(day))))
        prep_reasons = sql.db_value(AnnualReport, "conclusion_reasons")
        self.reasons = sql.cached(lambda codes: prep_reasons(list(codes)))
        # Dates come as ordinals (Plan).
        prep_resolved = sql.db_value(SupervisionFact, "resolved_on")
        self.resolved_on = sql.cached(lambda day: prep_resolved(dt.date.fromordinal(day)))
        prep_occurred = sql.db_value(SupervisionFact, "occurred_on")
        prep_evidence = sql.db_value(SupervisionFact, "evidence")
        self.occurred_on = sql.cached(lambda day: prep_occurred(dt.date.fromordinal(day)))
        self.evidence = sql.cached(lambda key: prep_evidence(
            {"year": key[0], "deadline": dt.date.fromordinal(key[1]).isoformat(),
             "submitted_on": dt.date.fromordinal(key[2]).isoformat(), "source": "import"}))
        self.source = ReportSource.IMPORT.value
        self.report_constants = {"source": self.source, "created_at": self.now, "updated_at": self.now,
                                 **_defaults(AnnualReport, [*VALUE_KEYS, *ROW_FIELDS, "source", "created_at",
                                                            "updated_at"])}
        self.fact_constants = {"kind": FactKind.REPORT_LATE.value,
                               **_defaults(SupervisionFact, [*FACT_FIELDS, "kind", "created_at"])}
        self.fact_created = sql.db_value(SupervisionFact, "created_at")

    def _current(self, org_ids: set[int], years: set[int]) -> dict[tuple[int, int], tuple]:
        """(organization, year) -> (version, published_on as stored) of the reports there now,
        locked until the end of the import where the database locks rows."""
        lock = f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""
        where, params = sql.among(AnnualReport, "organization", org_ids)
        rows = sql.select(
            f"SELECT {sql.columns(AnnualReport, ['organization', 'year', 'version', 'published_on'])} "
            f"FROM {sql.table(AnnualReport)} WHERE {where} "
            f"AND {sql.columns(AnnualReport, ['year'])} IN ({sql.marks(len(years))}){lock}", [*params, *years])
        return {(org, year): (version, published_on) for org, year, version, published_on in rows}

    def apply_chunk(self, plans: list[tuple]) -> None:
        """Write one chunk (tuples in ``Plan`` order): re-read the chunk's reports to refuse a
        change made since the check, then a handful of set-based statements."""
        if not plans:
            return
        org_ids = {p[2] for p in plans}
        years = {p[3] for p in plans}
        current = self._current(org_ids, years)
        now, today, actor_pk, source = self.now, self.today, self.actor_pk, self.source
        submitted_at_of, reasons_of = self.submitted_at, self.reasons
        creates, updates, kept, late = [], [], [], []
        for (row, kind, org_id, year, pk, version, values, submitted_on, deadline, is_late, status,
             keep_review) in plans:
            there = current.get((org_id, year))
            if (kind == "create") != (there is None) or (there is not None and there[0] != version):
                raise ImportConflict(row)
            reviewed_at = reviewed_by = published_on = None
            if status == ReportStatus.REVIEWED:  # a conclusion from the file: published on the import date
                reviewed_at, reviewed_by, published_on = now, actor_pk, today
            elif status == ReportStatus.FILED:
                published_on = (there[1] if there is not None else None) or today
            content = values[:N_CONTENT]
            reasons = reasons_of(tuple(values[-1]))
            when = submitted_at_of(submitted_on)
            if kind == "create":
                creates.append((*content, values[N_CONTENT], reasons, org_id, year, status, when, is_late,
                                version + 1, published_on, reviewed_at, reviewed_by))
            elif keep_review:  # an empty conclusion column leaves an existing conclusion and its review alone
                kept.append((*content, source, when, is_late, version + 1, now, pk))
            else:
                updates.append((*content, status, source, when, is_late, values[N_CONTENT], reasons, published_on,
                                reviewed_at, reviewed_by, version + 1, now, pk))
            if is_late:
                late.append((org_id, str(year), self.occurred_on(submitted_on),
                             self.evidence((year, deadline, submitted_on))))
        sql.insert(AnnualReport, [*VALUE_KEYS, *ROW_FIELDS], creates, self.report_constants)
        sql.update(AnnualReport, UPDATE_FIELDS, updates)
        sql.update(AnnualReport, KEPT_FIELDS, kept)
        # Supervision facts, as annual.services.facts_record_late does one by one: a late report is
        # a fact; the "missing" fact of that year, if the nightly run recorded one, is resolved.
        if late:  # created_at as auto_now_add would set it: when written
            created = {"created_at": self.fact_created(timezone.now())}
            sql.insert(SupervisionFact, FACT_FIELDS, late, {**self.fact_constants, **created}, ignore_conflicts=True)
        self._resolve_missing(plans, org_ids, years)

    def _resolve_missing(self, plans: list[tuple], org_ids: set[int], years: set[int]) -> None:
        submitted = {(p[2], str(p[3])): p[7] for p in plans}
        keys = {str(y) for y in years}
        where, params = sql.among(SupervisionFact, "organization", org_ids)
        fact = SupervisionFact
        found = sql.select(
            f"SELECT {sql.columns(fact, ['id', 'organization', 'key'])} FROM {sql.table(fact)} "
            f"WHERE {sql.columns(fact, ['kind'])} = %s AND {sql.columns(fact, ['resolved_on'])} IS NULL "
            f"AND {where} AND {sql.columns(fact, ['key'])} IN ({sql.marks(len(keys))})",
            [FactKind.REPORT_MISSING.value, *params, *keys])
        resolved = [(self.resolved_on(submitted[(org, key)]), pk)
                    for pk, org, key in found if (org, key) in submitted]
        sql.update(SupervisionFact, ["resolved_on"], resolved)
        # The reports filed late rectify the A1 grounds of those organizations (core.facts).
        facts_changed_notify(organization_ids={org for _pk, org, key in found if (org, key) in submitted},
                             today=self.today)
