"""Plain SQL for the import's per-chunk statements, with table and column names taken from the
models and values converted exactly as the ORM converts them.

Why not the ORM here: a chunk's queries filter on 2,000 codes or ids, and the ORM spends ~5 µs
preparing each parameter of an ``__in`` lookup, then runs every converter of every column of
every row (on SQLite a Decimal per amount) whether the caller looks at it or not; writes go
through a model instance per row. Measured at 100,000 rows, that was more than half of the
import's time (bench/annual_import.py). The statements below are the ones the ORM would send,
shaped for each engine:

- SQLite (in process): one prepared statement run with many parameter rows (executemany),
  values that are the same for every row written into the statement;
- PostgreSQL: many values never go as separate parameters (psycopg adapts them one by one, in
  Python) but as one array literal or, for rows, by COPY into a temporary table that one
  statement then reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import JSONField, Model
from django.db.models.constants import OnConflict

PG_BATCH = 5000  # rows per COPY into a temporary table


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def columns(model: type[Model], names: Sequence[str]) -> str:
    """``"col_a", "col_b"`` for the model's fields (attribute names or field names)."""
    return ", ".join(quote(model._meta.get_field(n).column) for n in names)


def marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def among(model: type[Model], name: str, values: Iterable) -> tuple[str, list]:
    """``column IN (values)`` as SQL and parameters. On PostgreSQL the values go as one array
    (``IN (SELECT unnest(%s))``): with thousands of literals in an IN list the planner prefers a
    sequential scan (measured: 28 ms against 5 ms for 2,000 codes among 100,000 organizations)."""
    field = model._meta.get_field(name)
    column = quote(field.column)
    if connection.vendor == "postgresql":
        return f"{column} IN (SELECT unnest(%s::{field.db_type(connection)}[]))", [_pg_array(values)]
    values = list(values)
    return f"{column} IN ({marks(len(values))})", values


def _pg_array(values: Iterable) -> str:
    """A PostgreSQL array literal of integers or strings (psycopg would adapt a list element by
    element in Python, ~3.5 µs each)."""
    parts = []
    for v in values:
        if v is None:
            parts.append("NULL")
        elif v.__class__ is int:
            parts.append(str(v))
        elif v.isascii() and v.isalnum() and v.upper() != "NULL":
            parts.append(v)
        else:
            parts.append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def select(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def converter(model: type[Model], name: str) -> Callable[[Any], Any] | None:
    """The ORM's conversion of a raw database value of the field (backend converters, then the
    field's ``from_db_value``), as one function; None when the raw value is already the value."""
    field = model._meta.get_field(name)
    col = field.get_col(model._meta.db_table)
    steps = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
    if not steps:
        return None
    db = connection
    if len(steps) == 1:
        step = steps[0]
        return lambda value: step(value, col, db)

    def convert(value):
        for step in steps:
            value = step(value, col, db)
        return value

    return convert


def cached(convert: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """``convert`` remembering its results, for columns with few distinct values (dates, JSON
    lists, times of day). Results are shared: callers must not mutate them."""
    if convert is None:
        return lambda value: value
    memo: dict = {}

    def lookup(value):
        try:
            return memo[value]
        except KeyError:
            result = memo[value] = convert(value)
            return result
        except TypeError:  # unhashable (a driver giving JSON decoded): not remembered
            return convert(value)

    return lookup


def db_value(model: type[Model], name: str) -> Callable[[Any], Any]:
    """A model value as the database driver takes it (``get_db_prep_save``), as the ORM would
    send it in an INSERT or UPDATE; JSON as its text (what the ORM sends SQLite; PostgreSQL reads
    the same text into jsonb, and text goes through COPY where an adapter object does not)."""
    field = model._meta.get_field(name)
    if isinstance(field, JSONField):
        return lambda value: json.dumps(value, cls=field.encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def insert(model: type[Model], names: Sequence[str], rows: list[tuple], constants: dict[str, Any] | None = None,
           *, ignore_conflicts: bool = False) -> None:
    """Insert plain rows (database values in ``names`` order, then ``constants``, the same for
    every row): COPY on PostgreSQL (through a temporary table for ON CONFLICT DO NOTHING), one
    executemany elsewhere, on SQLite with the constants written into the statement (binding
    parameters is most of an insert's cost there)."""
    if not rows:
        return
    constants = constants or {}
    fixed = tuple(constants.values())
    name, cols = table(model), columns(model, [*names, *constants])
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    verb = connection.ops.insert_statement(on_conflict=on_conflict)
    suffix = connection.ops.on_conflict_suffix_sql([], on_conflict, [], [])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            # (COPY goes to psycopg's cursor: its errors made Django's, an IntegrityError included.)
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + fixed)
        elif connection.vendor == "postgresql":
            for stage in _pg_staged(cursor, model, names, rows):
                cursor.execute(f"{verb} {name} ({cols}) SELECT *{', %s' * len(fixed)} FROM {stage} {suffix}", fixed)
        elif connection.vendor == "sqlite":  # one prepared statement for every row
            row_marks = f"({', '.join([*['%s'] * len(names), *_sqlite_literals(cursor, fixed)])})"
            cursor.executemany(f"{verb} {name} ({cols}) VALUES {row_marks} {suffix}", rows)
        else:
            cursor.executemany(f"{verb} {name} ({cols}) VALUES ({marks(len(names) + len(fixed))}) {suffix}",
                               [row + fixed for row in rows])


def update(model: type[Model], names: Sequence[str], rows: list[tuple]) -> None:
    """``UPDATE ... SET names WHERE pk`` for many rows, each holding the database values in
    ``names`` order, then the primary key: one executemany; on PostgreSQL one UPDATE ... FROM a
    temporary table the rows were copied to (a statement per row costs a round trip each)."""
    if not rows:
        return
    pk = model._meta.pk
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cols = [quote(model._meta.get_field(n).column) for n in names]
            sets = ", ".join(f"{c} = s.{c}" for c in cols)
            for stage in _pg_staged(cursor, model, [*names, pk.name], rows):
                cursor.execute(f"UPDATE {table(model)} SET {sets} FROM {stage} s "
                               f"WHERE {table(model)}.{quote(pk.column)} = s.{quote(pk.column)}")
            return
        sets = ", ".join(f"{quote(model._meta.get_field(n).column)} = %s" for n in names)
        cursor.executemany(f"UPDATE {table(model)} SET {sets} WHERE {quote(pk.column)} = %s", rows)


def _pg_staged(cursor, model: type[Model], names: Sequence[str], rows: list[tuple]):
    """Yield the name of a temporary table holding a batch of the rows (COPY), for each batch;
    the table goes when done (or with the transaction, on an error)."""
    fields = [model._meta.get_field(n) for n in names]
    stage = quote(f"import_stage_{model._meta.db_table}")
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    cursor.execute(f"CREATE TEMPORARY TABLE {stage} "
                   f"({', '.join(f'{quote(f.column)} {f.db_type(connection)}' for f in fields)})")
    for start in range(0, len(rows), PG_BATCH):
        if start:
            cursor.execute(f"TRUNCATE {stage}")
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {stage} FROM STDIN") as copy:
            for row in rows[start:start + PG_BATCH]:
                copy.write_row(row)
        yield stage
    cursor.execute(f"DROP TABLE {stage}")


def _sqlite_literals(cursor, values: tuple) -> list[str]:
    """SQLite's own quoting of the values (its quote() function), as SQL literals; a ``%`` doubled
    for the placeholder conversion of Django's cursor."""
    if not values:
        return []
    cursor.execute(f"SELECT {', '.join(['quote(%s)'] * len(values))}", values)
    return [literal.replace("%", "%%") for literal in cursor.fetchone()]
