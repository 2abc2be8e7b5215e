"""Fast bulk loading for generated data (the demo seed): COPY on PostgreSQL, executemany on
SQLite, with ids assigned by the caller so rows stream without RETURNING.

Django's bulk_create builds a model instance per row and a statement per batch; at a million
organizations (and several child rows each) that alone would exceed the seed's 10-minute
budget, so the seed writes plain rows here instead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Model


def columns_of(model: type[Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _sqlite_value(value):
    if type(value) in _PLAIN_TYPES:  # most values: one set lookup instead of four isinstance calls
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _pg_value(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in ``columns`` order) into ``model``'s table; returns the count."""
    table = model._meta.db_table
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3 cursor: COPY streams rows without per-row statements
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_pg_value(v) for v in row])
                    n += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            batch = [[_sqlite_value(v) for v in row] for row in rows]
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})", batch)
            n = len(batch)
    return n


def next_id(model: type[Model]) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequence(model: type[Model]) -> None:
    """After explicit ids, move PostgreSQL's sequence past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)
