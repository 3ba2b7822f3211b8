"""Fixtures of the MYOB tests that need no sandbox: a migrated SQLite store with a key, and a connection bound to
the tiny MYOB (``tiny_myob``) with live tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dbfixtures import copy_migrated_sqlite
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.security import crypto
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.db import make_engine, make_session_factory
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection

from .tiny_myob import BASE, BUSINESS, CLIENT_ID, CLIENT_SECRET, TinyMyob


@dataclass
class Db:
    engine: Engine
    sessions: sessionmaker[Session]
    organisation_id: int
    cipher: TokenCipher


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    monkeypatch.setenv(crypto.KEY_ENV, TokenCipher.generate_key())
    crypto.reset_default_cipher()
    engine = make_engine(f"sqlite:///{copy_migrated_sqlite(tmp_path / 'lb.db')}")
    sessions = make_session_factory(engine)
    with sessions() as session:
        org = Organisation(name="Clearwater")
        session.add(org)
        session.commit()
        org_id = org.id
    yield Db(engine, sessions, org_id, crypto.default_cipher())
    engine.dispose()
    crypto.reset_default_cipher()


@pytest.fixture
def myob() -> TinyMyob:
    return TinyMyob()


def add_connection(db: Db, **fields: object) -> int:
    with db.sessions() as session:
        conn = Connection(organisation_id=db.organisation_id, kind="myob", name="MYOB Business",
                          api_base_url=f"{BASE}/accountright", identity_base_url=BASE, client_id=CLIENT_ID,
                          client_secret_enc=db.cipher.encrypt(CLIENT_SECRET),
                          redirect_uri="http://localhost:8000/myob/callback",
                          settings={"authorize_url": f"{BASE}/oauth2/account/authorize"}, **fields)
        session.add(conn)
        session.commit()
        return conn.id


@pytest.fixture
def connection(db: Db, myob: TinyMyob) -> tuple[int, dict[str, object]]:
    """A connection as after consent and the business chosen, with live tokens from the tiny MYOB."""
    tokens = myob.issue_tokens()
    now = datetime.now(UTC)
    conn_id = add_connection(db, status="connected", tenant_id=BUSINESS, tenant_name="Clearwater Plumbing",
                             package_connection_id=BUSINESS,
                             access_token_enc=db.cipher.encrypt(str(tokens["access_token"])),
                             refresh_token_enc=db.cipher.encrypt(str(tokens["refresh_token"])),
                             access_expires_at=now + timedelta(seconds=1200), refresh_obtained_at=now,
                             token_generation=1)
    return conn_id, tokens
