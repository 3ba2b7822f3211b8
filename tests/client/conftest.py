"""Fixtures for the client tier: a fresh SQLite database, a key, and a loopback Xero."""

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

from .loopback_xero import CLIENT_ID, CLIENT_SECRET, LoopbackXero


@pytest.fixture
def cipher(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TokenCipher]:
    key = TokenCipher.generate_key()
    monkeypatch.setenv(crypto.KEY_ENV, key)
    crypto.reset_default_cipher()
    yield crypto.default_cipher()
    crypto.reset_default_cipher()


@dataclass
class Db:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    organisation_id: int


@pytest.fixture
def db(tmp_path: Path, cipher: TokenCipher) -> Iterator[Db]:
    path = copy_migrated_sqlite(tmp_path / "lb.db")
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_session_factory(engine)
    with sessions() as session:
        org = Organisation(name="Acme Trading")
        session.add(org)
        session.commit()
        org_id = org.id
    yield Db(path, engine, sessions, org_id)
    engine.dispose()


@pytest.fixture
def xero() -> Iterator[LoopbackXero]:
    fake = LoopbackXero()
    fake.start()
    yield fake
    fake.stop()


def add_connection(db: Db, base_url: str, cipher: TokenCipher, **fields: object) -> int:
    with db.sessions() as session:
        conn = Connection(organisation_id=db.organisation_id, kind="xero", name="Xero",
                          api_base_url=f"{base_url}/api.xro/2.0", identity_base_url=base_url,
                          client_id=CLIENT_ID, client_secret_enc=cipher.encrypt(CLIENT_SECRET),
                          redirect_uri="http://localhost:8000/xero/callback", **fields)
        session.add(conn)
        session.commit()
        return conn.id


def connected(db: Db, fake: LoopbackXero, cipher: TokenCipher, *, expires_in: float = 1800) -> tuple[int, dict]:
    """A connection as after consent and tenant choice, holding live tokens from the fake."""
    tokens = fake.issue_tokens()
    now = datetime.now(UTC)
    conn_id = add_connection(
        db, fake.base_url, cipher, status="connected", tenant_id="tenant-111", tenant_name="Demo Company (UK)",
        package_connection_id="conn-aaa", access_token_enc=cipher.encrypt(tokens["access_token"]),
        refresh_token_enc=cipher.encrypt(tokens["refresh_token"]),
        access_expires_at=now + timedelta(seconds=expires_in), refresh_obtained_at=now, token_generation=1)
    return conn_id, tokens


@pytest.fixture
def connection(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> tuple[int, dict]:
    return connected(db, xero, cipher)
