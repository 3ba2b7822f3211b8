"""The schema the migrations build is the schema the models describe, on both backends.

The other tests' stores are copies of a migrated SQLite file and replays of the migrations' recorded statements
on PostgreSQL, reused once emptied (tests/dbfixtures.py): these tests check that those match the models too and
that an emptied schema holds nothing a fresh one would not.
"""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from dbfixtures import make_postgres_engine, make_sqlite_engine
from sqlalchemy import text

from ledgerbridge.store.db import make_session_factory, session_scope
from ledgerbridge.store.models import metadata
from ledgerbridge.store.organisations import create_organisation


def _diff(engine: object) -> list[object]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))


def _head(engine: object) -> str:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    engine = make_sqlite_engine(tmp_path, fresh_migrations=True)
    assert _diff(engine) == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    head = _head(engine)
    engine.dispose()
    (tmp_path / "copy").mkdir()
    copied = make_sqlite_engine(tmp_path / "copy")
    assert _diff(copied) == []
    assert _head(copied) == head
    with copied.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    copied.dispose()


def test_postgres_migrations_match_models() -> None:
    with make_postgres_engine(fresh_migrations=True) as engine:
        assert _diff(engine) == []
        head = _head(engine)
    with make_postgres_engine() as replayed:
        assert _diff(replayed) == []
        assert _head(replayed) == head


def test_a_reused_postgres_schema_is_emptied_and_its_ids_start_again() -> None:
    with make_postgres_engine() as engine:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        with session_scope(make_session_factory(engine)) as session:
            first = create_organisation(session, "Acme Ltd").id
            create_organisation(session, "Other Ltd")
    with make_postgres_engine() as engine:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_schema()")).scalar_one() == schema  # the same schema, reused
            for table in metadata.sorted_tables:
                assert conn.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one() == 0, table.name
        with session_scope(make_session_factory(engine)) as session:
            assert create_organisation(session, "Acme Ltd").id == first
        assert _diff(engine) == []


def test_schema_head_is_alembics_head_and_a_database_behind_it_is_upgraded(tmp_path: Path) -> None:
    """``SCHEMA_HEAD`` lets a migrated database skip Alembic at start-up: it must be the newest migration, and a
    database stamped at an older revision must still be upgraded (not taken for migrated)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from ledgerbridge.store.db import SCHEMA_HEAD, alembic_config, make_engine, schema_at_head, upgrade_schema

    url = f"sqlite:///{tmp_path / 'behind.db'}"
    config = alembic_config(url)
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_HEAD]
    engine = make_engine(url)
    try:
        assert not schema_at_head(engine)  # no version table yet
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0010")
        assert not schema_at_head(engine)
        upgrade_schema(engine)
        assert schema_at_head(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM app_call_windows")).scalar() == 0  # 0011's table
    finally:
        engine.dispose()
