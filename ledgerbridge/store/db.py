"""Database engine and session plumbing.

SQLite (WAL) is the embedded default; PostgreSQL is the scale-out store, chosen by URL.
The schema is owned by Alembic (``ledgerbridge/store/migrations``); ``upgrade_schema`` brings
any database to the head revision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from sqlalchemy import JSON, DateTime, Dialect, Engine, Numeric, String, Table, create_engine, event
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator, TypeEngine

if TYPE_CHECKING:
    from alembic.config import Config

from ledgerbridge.config import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


class Money4(TypeDecorator[Decimal]):
    """A Decimal column that never passes through float.

    PostgreSQL stores NUMERIC(19,4). SQLite has no decimal type (NUMERIC affinity
    becomes REAL), so there the value is kept as canonical text.
    """

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(19, 4, asdecimal=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Decimal | str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return value if dialect.name == "postgresql" else format(value, "f")

    def process_result_value(self, value: Decimal | str | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)


class Rate10(Money4):
    """An exchange rate: NUMERIC(19,10) on PostgreSQL (rates carry 6 or more places), text on SQLite."""

    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(19, 10, asdecimal=True))
        return dialect.type_descriptor(String(32))


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {Decimal: Money4, datetime: UTCDateTime, dict[str, Any]: JSON}
    # Every model here is mapped to a Table (SQLAlchemy types ``__table__`` as any FromClause), so Core statements
    # on ``Model.__table__`` (the hot paths' executemany) type-check as statements on a table.
    __table__: ClassVar[Table]


def _json_default(value: Any) -> Any:
    # JSON columns keep raw package payloads and job results; amounts in them stay exact as strings.
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a JSON column")


def _json_serializer(value: Any) -> str:
    return json.dumps(value, default=_json_default)


#: How long a SQLite writer waits for the database's one write lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 30.0
#: Connections kept open to a SQLite file (and as many more opened when those are all in use).
SQLITE_POOL_SIZE = 20


def make_engine(url: str | None = None, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT, **kwargs: Any) -> Engine:
    """An engine for ``url``, else for the configured store (``LEDGERBRIDGE_DATABASE_URL``, see ``config``).

    ``busy_timeout`` (SQLite only, seconds): how long a write waits for another writer's transaction; tests that
    prove no writer waits on a lock held across a package call set it short, so a wait shows at once."""
    url = url or get_settings().database_url
    kwargs.setdefault("json_serializer", _json_serializer)
    if url.startswith("sqlite"):
        busy_ms = int(busy_timeout * 1000)
        if ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite+pysqlite:") \
                and "poolclass" not in kwargs:
            # A file's connections are kept: the serving process has more threads than QueuePool's default 5
            # (the web server's, the worker's, its export calls'), and each connection past those was opened, set
            # up (the pragmas below) and closed again for every unit of work: a tenth of the Web Connector
            # bench's CPU went on that.
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", SQLITE_POOL_SIZE)
        engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={busy_ms}")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE or DELETE run through ``Session.execute`` matched. SQLAlchemy types that result as
    any ``Result``; for these statements it is a ``CursorResult``, which carries the count."""
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (nothing half-written)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def write_locked_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """``session_scope`` for a read-then-write of one shared row: on SQLite the database's write lock is taken
    first (``BEGIN IMMEDIATE``), so no other writer comes between the read and the write; on PostgreSQL the
    caller reads its row ``FOR UPDATE``."""
    with session_scope(factory) as session:
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield session


T = TypeVar("T")


def committed_between(session: Session, stream: Iterable[T]) -> Iterator[T]:
    """Items of ``stream`` (a package's pages, or calls made one by one), with ``session`` committed before each
    next item is asked for.

    Why: asking a package's stream for its next item may be a call to the package, and a call must never run
    while this thread holds uncommitted writes. On SQLite those hold the database's one write lock: the package
    client's own writes (audit rows, health, the call budget, in a session of its own on this same thread or a
    pool thread) and the job's progress would wait for it until the busy timeout ("database is locked"), and a
    call that waits for the call budget would hold it for a minute. Each item's writes are one short
    transaction instead; callers write what an item says idempotently, so a run stopped between two items is
    simply taken up again."""
    items = iter(stream)
    while True:
        session.commit()
        try:
            item = next(items)
        except StopIteration:
            return
        yield item


MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


#: The newest migration's revision (``store/migrations/versions``; ``tests/store/test_migrations.py`` holds it to
#: Alembic's head). A database already there is left alone without loading Alembic and every migration script,
#: which cost every command-line start some 0.4 s of CPU.
SCHEMA_HEAD = "0013"


def schema_at_head(engine: Engine) -> bool:
    """Whether this engine's database is migrated to ``SCHEMA_HEAD`` (False where it has no version table yet)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with engine.connect() as conn:
        try:
            versions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except DBAPIError:
            return False
    return versions == [SCHEMA_HEAD]


def upgrade_schema(engine: Engine) -> None:
    """Apply Alembic migrations up to head on this engine's database."""
    if schema_at_head(engine):
        return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def migrated_schema(url: str, prefix: str, **connect_args: Any) -> Iterator[Engine]:
    """A migrated schema of its own on PostgreSQL (``prefix_`` and a random name), dropped afterwards.

    Every connection of the yielded engine has ``search_path`` set to it, so runs in parallel on one server (tests,
    benchmarks, or a crashed run's leftovers) never see each other's tables.
    """
    import uuid

    from sqlalchemy import text

    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = make_engine(url, connect_args=connect_args)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(url, connect_args={**connect_args, "options": f"-csearch_path={schema}"})
        try:
            upgrade_schema(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()
