"""The schema the migrations build is the schema the models describe, on both backends."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from dbfixtures import make_postgres_engine, make_sqlite_engine

from ledgerbridge.models import metadata


def _diff(engine: object) -> list[object]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))


def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    engine = make_sqlite_engine(tmp_path)
    assert _diff(engine) == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_postgres_migrations_match_models() -> None:
    with make_postgres_engine() as engine:
        assert _diff(engine) == []
