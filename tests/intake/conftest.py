"""Every intake test runs twice: on a fresh SQLite file and on a fresh PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.store.organisations import create_organisation


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
