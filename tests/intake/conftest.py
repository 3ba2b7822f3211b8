"""Every intake test runs twice: on a fresh SQLite file and on a fresh PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import make_postgres_engine, make_sqlite_engine
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.db import make_session_factory
from ledgerbridge.organisations import create_organisation


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
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


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def org_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        organisation = create_organisation(session, "Acme Ltd")
        session.commit()
        return organisation.id
