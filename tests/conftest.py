"""Suite-wide fixtures: keys and files of the run stay in a temporary folder; the store on both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import drop_pooled_schemas, make_postgres_engine, make_sqlite_engine
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.config import reset_settings
from ledgerbridge.security import crypto
from ledgerbridge.store.db import make_session_factory


@pytest.fixture(scope="session", autouse=True)
def _isolated_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if os.environ.get(crypto.KEY_ENV) or os.environ.get(crypto.KEY_FILE_ENV):
        yield
        return
    os.environ[crypto.KEY_FILE_ENV] = str(tmp_path_factory.mktemp("keys") / "secret.key")
    crypto.reset_default_cipher()
    yield
    os.environ.pop(crypto.KEY_FILE_ENV, None)
    crypto.reset_default_cipher()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Settings are cached per process: after each test (and its monkeypatch) they are read again, so one test's
    ``LEDGERBRIDGE_*`` variables never reach the next. A test that sets one calls ``reset_settings()`` itself."""
    yield
    reset_settings()


@pytest.fixture(scope="session", autouse=True)
def _drop_pooled_schemas() -> Iterator[None]:
    """The PostgreSQL schemas kept for reuse between tests (tests/dbfixtures.py) go when the run ends."""
    yield
    drop_pooled_schemas()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated store: every test that takes it runs on a fresh SQLite file and on an empty PostgreSQL schema
    (a copy of the migrated template file; a schema migrated once, emptied between tests: tests/dbfixtures.py)."""
    if request.param == "sqlite":
        engine = make_sqlite_engine(tmp_path)
        yield engine
        engine.dispose()
    else:
        with make_postgres_engine() as engine:
            yield engine


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)
