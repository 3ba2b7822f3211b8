"""Databases for tests: a fresh SQLite file, or a fresh schema on a real PostgreSQL.

Both are built by the Alembic migrations (``upgrade_schema``), as a user's database is.
PostgreSQL is at ``LEDGERBRIDGE_TEST_POSTGRES_URL`` (default: the CI service); if it cannot
be reached the test errors out rather than skipping, so a green run always means both
backends were exercised.

Import as ``dbfixtures`` from a test package (a directory with ``__init__.py`` directly under
``tests/`` puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from ledgerbridge.db import make_engine, migrated_schema, upgrade_schema

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("LEDGERBRIDGE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def make_sqlite_engine(tmp_path: Path) -> Engine:
    """A migrated SQLite database in ``tmp_path`` (WAL, foreign keys on, as in production)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ledgerbridge.db'}")
    upgrade_schema(engine)
    return engine


@contextmanager
def make_postgres_engine(url: str | None = None) -> Iterator[Engine]:
    """A migrated, uniquely named schema on PostgreSQL, dropped afterwards.

    Every connection of the yielded engine has ``search_path`` set to that schema, so tests
    running in parallel (or a crashed run's leftovers) never see each other's tables.
    """
    with migrated_schema(url or postgres_url(), "lbtest", connect_timeout=5) as engine:
        yield engine
