"""Updating many rows by id in one statement, fast on both stores: the sync record's hot path.

An export writes every record three times (the attempt, the outcome, the seen tick), thousands of rows a run.
On SQLite, SQLAlchemy's per-row parameter processing was most of that cost, so rows go through the driver's own
executemany with each column's bind processor taken once; on PostgreSQL, through SQLAlchemy's executemany. The
caller gets the rows matched, so a guard in the WHERE clause (the sync record's allowed transitions) can tell a
refused row from a written one without reading first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, text, update
from sqlalchemy.orm import Session

_UNSET = object()  # a value no row holds


def update_many_by_id(session: Session, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                      guard_sql: str | None = None) -> int:
    """One executemany ``UPDATE table SET columns WHERE id = ? [AND guard_sql]``, each row its values in the order
    of ``columns`` then the id; returns the rows matched (sqlite3 and psycopg 3 both sum ``rowcount`` over the
    rows), or -1 for a driver that does not count an executemany."""
    dialect = session.get_bind().dialect
    where = f" AND {guard_sql}" if guard_sql else ""
    if dialect.name == "sqlite":
        # The driver's own executemany, each column's bind processor taken once (as ``intake_store`` inserts): on
        # SQLite, SQLAlchemy's per-row parameter processing was most of the cost of the three updates every
        # exported record gets (attempt, outcome, seen tick). Values still pass through the columns' processors.
        cols = [table.c[name] for name in columns] + [table.c.id]
        processors = [c.type._cached_bind_processor(dialect) for c in cols]  # noqa: SLF001 - SQLAlchemy's hook
        params = _bound(processors, rows)
        assignments = ", ".join(f'"{name}" = ?' for name in columns)
        result = session.connection().exec_driver_sql(
            f'UPDATE "{table.name}" SET {assignments} WHERE "{table.name}"."id" = ?{where}', params)
    else:
        stmt = update(table).where(table.c.id == bindparam("_id"), *([text(guard_sql)] if guard_sql else []))
        stmt = stmt.values({name: bindparam(name) for name in columns})
        names = (*columns, "_id")
        result = session.connection().execute(stmt, [dict(zip(names, row, strict=True)) for row in rows])
    count = result.rowcount
    if count is None or count < 0:  # a driver that does not count executemany: count what holds our stamp
        return -1
    return int(count)


def _bound(processors: list[Any], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows through their columns' bind processors. A value that is the same object as the row before's (the
    write's timestamps: every row holds them) is processed once: that was most of the Python cost per row."""
    active = [(j, p) for j, p in enumerate(processors) if p is not None]
    seen: list[Any] = [_UNSET] * len(processors)
    done: list[Any] = [None] * len(processors)
    out = []
    for row in rows:
        values = list(row)
        for j, process in active:
            value = values[j]
            if value is None:
                continue
            if value is seen[j]:
                values[j] = done[j]
            else:
                seen[j] = value
                values[j] = done[j] = process(value)
        out.append(tuple(values))
    return out
