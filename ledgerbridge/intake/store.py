"""Set-at-a-time reads and writes for intake: how a batch of 10,000 documents stays fast.

A batch is compared with what is stored in a handful of queries (existing rows fetched by
key, 500 keys per IN clause) and written with Core executemany statements, never one ORM
flush per object. Everything here works on plain dicts of column values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import JSON, Insert, Row, Select, Table, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ledgerbridge.intake.schemas import FieldError, KindCounts
from ledgerbridge.store.db import Base

T = TypeVar("T")

#: Keys per IN clause: well under SQLite's variable limit, and few round trips on PostgreSQL.
CHUNK = 500


def chunked(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def select_in(
    session: Session, make_query: Callable[[Sequence[Any]], Select[Any]], keys: Iterable[Any]
) -> list[Row[Any]]:
    """Rows for many keys, one query per chunk of keys."""
    unique = sorted(set(keys))
    rows: list[Row[Any]] = []
    for chunk in chunked(unique):
        rows.extend(session.execute(make_query(chunk)).all())
    return rows


def plain(value: Decimal) -> Decimal:
    """A stored number as the host wrote it: PostgreSQL's NUMERIC(19,4) hands back 20 as 20.0000."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


class Problems:
    """Every refusal of a batch, collected so the host can fix them all in one go."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, record: str, field: str, message: str) -> None:
        self.errors.append(FieldError(record, field, message))

    def __bool__(self) -> bool:
        return bool(self.errors)


def refuse_duplicates(
    kind: str, keys: Sequence[str], labels: Sequence[str], key_field: str, problems: Problems
) -> None:
    """The same record twice in one batch would make the outcome depend on order: refuse it."""
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in first:
            problems.add(labels[index], key_field, f'"{key}" appears twice in this batch (also {kind}[{first[key]}])')
        else:
            first[key] = index


@dataclass
class UpsertPlan:
    """What a batch does to one table: rows to insert, rows that changed (with their id), and how many did not."""

    inserts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> KindCounts:
        return KindCounts(created=len(self.inserts), updated=len(self.updates), unchanged=self.unchanged)


def plan_upsert(
    existing: Mapping[str, Mapping[str, Any]], incoming: Iterable[tuple[str, dict[str, Any]]]
) -> UpsertPlan:
    """Compare each incoming record with the stored one by key; equal values (Decimal 1.5 == 1.50) mean unchanged."""
    plan = UpsertPlan()
    for key, values in incoming:
        stored = existing.get(key)
        if stored is None:
            plan.inserts.append((key, values))
        elif all(stored[name] == value for name, value in values.items()):
            plan.unchanged += 1
        else:
            plan.updates.append((key, stored["id"], values))
    return plan


def table_of(model: type[Base]) -> Table:
    """A mapped class's Table (``__table__`` is typed as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _unnest_insert(table: Table, rows: Sequence[dict[str, Any]]) -> Insert:
    """PostgreSQL: one ``INSERT .. SELECT FROM unnest(array, ..)`` with one array parameter per column.

    psycopg parses a multi-row VALUES statement in Python at ~80 us a row, and pipelined
    executemany still costs a round of work per row; column arrays cost neither.
    """
    names = list(rows[0])
    arrays = [
        cast(bindparam(f"a_{name}", [row[name] for row in rows], type_=ARRAY(table.c[name].type)),
             ARRAY(table.c[name].type))
        for name in names
    ]
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return insert(table).from_select(names, select(*(source.c[name] for name in names)))


def _arrays_fit(session: Session, table: Table) -> bool:
    # JSON has no array form psycopg can send; such tables (parties) are small in a batch anyway.
    if session.get_bind().dialect.name != "postgresql":
        return False
    return not any(isinstance(column.type, JSON) for column in table.c)


def insert_rows(
    session: Session, table: Table, rows: list[dict[str, Any]], key_column: str | None = None
) -> dict[str, int]:
    """Insert many rows; with ``key_column``, return key -> new id.

    Core executemany (batched by SQLAlchemy's insertmanyvalues) in general; on PostgreSQL,
    column arrays (``_unnest_insert``), ten thousand rows a statement.
    """
    if not rows:
        return {}
    if key_column is None and session.get_bind().dialect.name == "sqlite" and _sqlite_insert(session, table, rows):
        return {}
    statements: list[tuple[Insert, list[dict[str, Any]] | None]]
    if _arrays_fit(session, table):
        statements = [(_unnest_insert(table, chunk), None) for chunk in chunked(rows, 10_000)]
    else:
        statements = [(insert(table), rows)]
    ids: dict[str, int] = {}
    for statement, parameters in statements:
        if key_column is None:
            session.execute(statement, parameters)
        else:
            result = session.execute(statement.returning(table.c.id, table.c[key_column]), parameters)
            ids.update((key, row_id) for row_id, key in result)
    return ids


def _sqlite_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> bool:
    """Insert through the driver's own executemany, binding each column's type once rather than per row.

    SQLAlchemy's per-row parameter processing is most of the cost of loading 50,000 document lines into
    SQLite; the values still pass through the columns' own bind processors (decimals become exact text,
    datetimes UTC), and Python-side column defaults are applied as Core would. Rows of unequal shape
    fall back to Core.
    """
    keys = list(rows[0])
    if any(len(row) != len(keys) or row.keys() != rows[0].keys() for row in rows):
        return False
    defaults = [c for c in table.c if c.name not in rows[0] and not c.primary_key and c.default is not None]
    if any(not (c.default.is_scalar or c.default.is_callable) for c in defaults):  # type: ignore[union-attr]
        return False
    dialect = session.get_bind().dialect
    columns = [table.c[k] for k in keys] + defaults
    processors = [c.type._cached_bind_processor(dialect) for c in columns]  # noqa: SLF001 - SQLAlchemy's own hook
    default_values = [c.default.arg if c.default.is_scalar else c.default.arg(None)  # type: ignore[union-attr]
                      for c in defaults]
    # Only the columns that have a bind processor (amounts, times) are passed through one: most columns (ids,
    # codes, text) have none, and a per-value test was a third of an intake batch's insert.
    processed = [(n, p) for n, p in enumerate(processors) if p is not None]
    params = []
    for row in rows:
        values = [row[k] for k in keys] + default_values
        for n, processor in processed:
            values[n] = processor(values[n])
        params.append(tuple(values))
    names = ", ".join(f'"{c.name}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    session.connection().exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', params)
    return True


def update_rows(session: Session, table: Table, rows: list[dict[str, Any]], now: datetime) -> None:
    """Rewrite changed rows by id (``b_id`` in each dict); a versioned row's version goes up by one in SQL.

    ``version = version + 1`` rather than a value computed here, so two writers racing on one
    row still leave two bumps and the sync layer sees the change.
    """
    if not rows:
        return
    stmt = update(table).where(table.c.id == bindparam("b_id"))
    if "version" in table.c:
        stmt = stmt.values(version=table.c.version + 1)
    if "updated_at" in table.c:
        rows = [{**row, "updated_at": now} for row in rows]
    session.execute(stmt, rows)


def delete_where_in(session: Session, table: Table, column: str, ids: Sequence[int]) -> None:
    for chunk in chunked(sorted(ids)):
        session.execute(delete(table).where(table.c[column].in_(chunk)))


def write_plan(
    session: Session, table: Table, organisation_id: int, key_column: str, plan: UpsertPlan, now: datetime
) -> dict[str, int]:
    """Apply a plan whose values are plain columns; returns key -> id for the inserted rows."""
    stamp = {"updated_at": now} if "updated_at" in table.c else {}
    new = [{**values, "organisation_id": organisation_id, **stamp} for _key, values in plan.inserts]
    ids = insert_rows(session, table, new, key_column)
    update_rows(session, table, [{**values, "b_id": row_id} for _key, row_id, values in plan.updates], now)
    return ids
