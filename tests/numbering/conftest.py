"""Numbering tests run on both stores (the ``sessions`` fixture): an organisation of their own each."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.store.organisations import create_organisation


@pytest.fixture
def org_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        organisation = create_organisation(session, "Plumbers Ltd")
        session.commit()
        return organisation.id
