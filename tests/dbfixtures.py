"""Databases for tests: a fresh SQLite file, or a fresh schema on a real PostgreSQL.

Both are built by the Alembic migrations (``upgrade_schema``), as a user's database is, but the migrations run
once per test process, not once per test (a store cost 0.3-1 s to migrate and drop, and a run makes hundreds):

- SQLite: the migrations build a template file once; every test gets a byte copy of it.
- PostgreSQL: the migrations run once into a template schema while every SQL statement they send is recorded;
  a new schema gets the same statements replayed, in order, in one transaction. The statements are schema-free
  (the schema is chosen by ``search_path``), so the replay builds exactly what the migrations built. A schema is
  then reused by the next test of the process once its rows are deleted (``_SchemaPool``).

``tests/store`` runs the migrations for real on both backends (``fresh_migrations=True``) and checks that both
the migrated and the copied/replayed stores match the models.

PostgreSQL is at ``LEDGERBRIDGE_TEST_POSTGRES_URL`` (default: the CI service); if it cannot be reached the test
errors out rather than skipping, so a green run always means both backends were exercised.

Import as ``dbfixtures`` from a test package (a directory with ``__init__.py`` directly under
``tests/`` puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, event, select, text
from sqlalchemy.exc import DBAPIError

from ledgerbridge.store.db import make_engine, upgrade_schema

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

_lock = threading.Lock()  # tests start stores from threads too (sandboxes, workers): build each template once
_sqlite_template: Path | None = None
_postgres_script: list[tuple[str, Any]] | None = None


def postgres_url() -> str:
    return os.environ.get("LEDGERBRIDGE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _template_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="lbtest-template-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def sqlite_template() -> Path:
    """The migrated SQLite file of this process (built on first use), checkpointed so one file holds it all."""
    global _sqlite_template
    with _lock:
        if _sqlite_template is None:
            path = _template_dir() / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            upgrade_schema(engine)
            engine.dispose()
            with sqlite3.connect(path) as conn:  # WAL folded into the main file: a copy of it is complete
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _sqlite_template = path
        return _sqlite_template


def copy_migrated_sqlite(path: Path) -> Path:
    """Write a migrated SQLite database at ``path`` (a copy of the template)."""
    shutil.copyfile(sqlite_template(), path)
    return path


def make_sqlite_engine(tmp_path: Path, *, fresh_migrations: bool = False) -> Engine:
    """A migrated SQLite database in ``tmp_path`` (WAL, foreign keys on, as in production)."""
    path = tmp_path / "ledgerbridge.db"
    if not fresh_migrations:
        copy_migrated_sqlite(path)
    engine = make_engine(f"sqlite:///{path}")
    if fresh_migrations:
        upgrade_schema(engine)
    return engine


def _record_migrations(url: str) -> list[tuple[str, Any]]:
    """Run the migrations into a throwaway schema and return every statement they sent, in order."""
    schema = f"lbtmpl_{uuid.uuid4().hex[:16]}"
    admin = make_engine(url, connect_args={"connect_timeout": 5})
    script: list[tuple[str, Any]] = []
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(url, connect_args={"connect_timeout": 5, "options": f"-csearch_path={schema}"})

        # After each statement, so only what ran is replayed (``upgrade_schema`` first asks for a version table
        # that is not there yet).
        @event.listens_for(engine, "after_cursor_execute")
        def _record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                    executemany: bool) -> None:
            assert not executemany, "a migration sent an executemany: replay it before relying on the script"
            script.append((statement, parameters))

        try:
            upgrade_schema(engine)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()
    # The replay is only faithful if nothing names the template schema (Alembic ran with search_path alone).
    named = [stmt for stmt, _ in script if schema in stmt]
    assert not named, f"the migrations named their schema, a replay would not be faithful: {named[:3]}"
    return script


def migrate_postgres(engine: Engine) -> None:
    """Bring the (empty) schema of ``engine``'s ``search_path`` to head: the recorded migrations, replayed."""
    global _postgres_script
    with _lock:
        if _postgres_script is None:
            _postgres_script = _record_migrations(postgres_url())
        script = _postgres_script
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for statement, parameters in script:
            cursor.execute(statement, parameters)  # exactly as SQLAlchemy handed them to the driver
        cursor.close()


class _SchemaPool:
    """This process's migrated schemas on the default server, reused: a test takes one emptied, gives it back.

    Building a schema costs about a second of DDL on a loaded server (creating it, dropping it after); emptying
    one costs a few tens of milliseconds: its rows deleted children first, its sequences set back to 1, then a
    VACUUM that hands every table's pages back (TRUNCATE for the tables it could not empty). A schema is reused
    only if every table is then 0 bytes, as in a freshly migrated one: rows land and come back (a query without
    ORDER BY) in the order they would on a fresh schema, and ids start at 1. Otherwise (a lock held them) it is
    dropped and the next test gets a new one.
    """

    def __init__(self) -> None:
        self.free: list[str] = []
        self.every: set[str] = set()
        self._tables: list[str] = []
        self._sequences: list[str] = []

    def _learn(self, conn: Any) -> None:
        if self._tables:
            return
        from ledgerbridge.store.models import metadata

        tables = {row[0] for row in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))} - {"alembic_version"}
        modelled = [t.name for t in reversed(metadata.sorted_tables)]  # children before parents
        assert set(modelled) == tables, f"tables without a model would keep their rows: {tables ^ set(modelled)}"
        self._sequences = [row[0] for row in conn.execute(text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"))]
        self._tables = modelled

    def give_back(self, url: str, schema: str) -> bool:
        """Empty ``schema`` and keep it for the next test; False if it is not as fresh (the caller drops it)."""
        engine = make_engine(url, connect_args={"connect_timeout": 5, "options": f"-csearch_path={schema}"},
                             isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                self._learn(conn)
                # A connection a test left open with locks must not hang the run: give up and drop the schema.
                conn.exec_driver_sql("SET lock_timeout = '10s'")
                conn.exec_driver_sql("BEGIN; " + "; ".join(
                    [f'DELETE FROM "{name}"' for name in self._tables]
                    + [f"SELECT setval('\"{name}\"', 1, false)" for name in self._sequences]) + "; COMMIT")
                conn.exec_driver_sql("VACUUM " + ", ".join(f'"{name}"' for name in self._tables))
                # VACUUM cannot free rows another session's snapshot may still see (the other test process's, or
                # anyone's on a shared server): those few tables get new, empty files instead.
                kept = [row[0] for row in conn.execute(text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'alembic_version' "
                    "AND pg_relation_size(c.oid) > 0"))]
                if kept:
                    conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{name}"' for name in kept) + " CASCADE")
                left = conn.execute(text(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'alembic_version' "
                    "AND pg_relation_size(c.oid) > 0")).scalar_one()
        except DBAPIError:
            return False
        finally:
            engine.dispose()
        if left:
            return False
        with _lock:
            self.free.append(schema)
        return True

    def take(self) -> str | None:
        with _lock:
            return self.free.pop() if self.free else None


_pool = _SchemaPool()


def drop_pooled_schemas() -> None:
    """Drop the schemas this process kept for reuse (at the end of the test session)."""
    with _lock:
        schemas, _pool.free = sorted(_pool.every), []
        _pool.every.clear()
    if not schemas:
        return
    admin = make_engine(postgres_url(), connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def make_postgres_engine(url: str | None = None, *, fresh_migrations: bool = False) -> Iterator[Engine]:
    """A migrated, uniquely named schema on PostgreSQL holding no rows, emptied or dropped afterwards.

    Every connection of the yielded engine has ``search_path`` set to that schema, so tests
    running in parallel (or a crashed run's leftovers) never see each other's tables. On the default server the
    schema is kept for the next test of this process once the engine has given back every connection and the
    rows are deleted (:class:`_SchemaPool`); otherwise it is dropped.
    """
    pooled = url is None and not fresh_migrations
    url = url or postgres_url()
    schema = _pool.take() if pooled else None
    admin = make_engine(url, connect_args={"connect_timeout": 5})
    try:
        if schema is None:
            schema = f"lbtest_{uuid.uuid4().hex[:16]}"
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            if pooled:
                with _lock:
                    _pool.every.add(schema)
            fresh = True
        else:
            fresh = False
        engine = make_engine(url, connect_args={"connect_timeout": 5, "options": f"-csearch_path={schema}"})
        kept = False
        try:
            if fresh_migrations:
                upgrade_schema(engine)
            elif fresh:
                migrate_postgres(engine)
            yield engine
        finally:
            leaked = getattr(engine.pool, "checkedout", lambda: 0)()  # a test still holding a connection
            engine.dispose()
            if pooled and not leaked:
                kept = _pool.give_back(url, schema)
            if not kept:
                with _lock:
                    _pool.every.discard(schema)
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def every_row(engine: Engine, leave_out: frozenset[str] = frozenset({"audit_events", "alembic_version"})
              ) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but ``leave_out`` (the audit trail by default: it may record a refusal), sorted:
    two snapshots are equal when a request wrote nothing."""
    metadata = MetaData()
    with engine.connect() as conn:
        metadata.reflect(conn)
        return {name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
                for name, table in metadata.tables.items() if name not in leave_out}
