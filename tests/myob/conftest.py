"""Fixtures of the MYOB client, connector and payment tests: a migrated SQLite store with a key, the MYOB sandbox
(``ledgerbridge.packages.myob.sandbox``: a real server on loopback, one per test module, books reset for each
test), a connection to its AU business with live tokens and the connector on it.

Calls reach the sandbox over real HTTP through :class:`Wire`, an ``httpx.HTTPTransport`` that keeps a copy of each
exchange so that tests can read the headers and queries the client sent (the sandbox's taps see neither)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from dbfixtures import copy_migrated_sqlite
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.myob.client import MyobClient
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.myob.sandbox import AU_BUSINESS_ID, RunningSandbox, SandboxConfig, start_myob_sandbox
from ledgerbridge.security import crypto
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.db import make_engine, make_session_factory
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection
from tests.fake_clock import FakeClock

BUSINESS = AU_BUSINESS_ID
BUSINESS_NAME = "Ledgerbridge Demo Pty Ltd"
TOKEN_PATH = "/oauth2/v1/authorize"


@dataclass
class Db:
    engine: Engine
    sessions: sessionmaker[Session]
    organisation_id: int
    cipher: TokenCipher


def db_on(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Db:
    """A migrated store (SQLite or PostgreSQL) with a token key and the organisation the tests connect."""
    monkeypatch.setenv(crypto.KEY_ENV, TokenCipher.generate_key())
    crypto.reset_default_cipher()
    sessions = make_session_factory(engine)
    with sessions() as session:
        org = Organisation(name="Clearwater")
        session.add(org)
        session.commit()
        org_id = org.id
    return Db(engine, sessions, org_id, crypto.default_cipher())


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    made = db_on(make_engine(f"sqlite:///{copy_migrated_sqlite(tmp_path / 'lb.db')}"), monkeypatch)
    yield made
    made.engine.dispose()
    crypto.reset_default_cipher()


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int
    answer: Any


class Wire(httpx.BaseTransport):
    """Real HTTP to the sandbox, each exchange kept: API calls in ``calls``, token requests (their forms) in
    ``token_calls`` and MYOB's token answers in ``token_answers``."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.calls: list[Call] = []
        self.token_calls: list[dict[str, str]] = []
        self.token_answers: list[dict[str, Any]] = []
        #: Called with each request before it is sent: what a MYOB user does meanwhile (see test_connector).
        self.before: list[Callable[[httpx.Request], None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for hook in list(self.before):
            hook(request)
        response = self.inner.handle_request(request)
        content = response.read()
        answer = json.loads(content) if content.strip().startswith((b"{", b"[")) else None
        if request.url.path.rstrip("/") == TOKEN_PATH:
            self.token_calls.append(dict(parse_qsl(request.content.decode())))
            self.token_answers.append(answer or {})
        else:
            body = json.loads(request.content) if request.content else None
            self.calls.append(Call(request.method, request.url.path, dict(request.url.params), dict(request.headers),
                                   body, response.status_code, answer))
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass
class Myob:
    """The module's sandbox as one test sees it: the wire its client uses, and the admin API (faults, limits,
    clock, tokens) with a token of its own to set the books up through the API, outside ``calls``."""

    sandbox: RunningSandbox
    admin: httpx.Client
    api: httpx.Client
    wire: Wire = field(default_factory=Wire)

    def transport(self) -> Wire:
        return self.wire

    @property
    def calls(self) -> list[Call]:
        return self.wire.calls

    @property
    def token_calls(self) -> list[dict[str, str]]:
        return self.wire.token_calls

    @property
    def client_id(self) -> str:
        return self.sandbox.config.client_id

    def fault(self, **fault: object) -> None:
        self.admin.post("/faults", json=fault).raise_for_status()

    def issue_tokens(self) -> dict[str, Any]:
        answer = self.admin.post("/tokens", json={"businessId": BUSINESS})
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def post(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.api.post(route, params={"returnBody": "true"}, json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def get(self, route: str, uid: str) -> dict[str, Any]:
        answer = self.api.get(f"{route}/{uid}")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def items(self, route: str, where: str | None = None) -> list[dict[str, Any]]:
        answer = self.api.get(route, params={"$filter": where} if where else None)
        assert answer.status_code == 200, answer.text
        return answer.json()["Items"]  # type: ignore[no-any-return]


def sandbox_config() -> SandboxConfig:
    """Limits off (tests that want them switch them on through the admin API); a module may override it."""
    return SandboxConfig(rate_limits_enabled=False)


@pytest.fixture(scope="module")
def sandbox(request: pytest.FixtureRequest) -> Iterator[RunningSandbox]:
    config = getattr(request.module, "SANDBOX_CONFIG", None) or sandbox_config()
    with start_myob_sandbox(config) as running:
        yield running


@pytest.fixture
def myob(sandbox: RunningSandbox) -> Iterator[Myob]:
    """Fresh books (tokens forgotten), no faults, limits off."""
    with httpx.Client(base_url=f"{sandbox.base_url}/sandbox", timeout=10) as admin:
        admin.post("/reset", json={"tokens": True}).raise_for_status()
        admin.post("/rate-limits", json={"enabled": False, "reset_windows": True}).raise_for_status()
        token = admin.post("/tokens", json={"businessId": BUSINESS}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "x-myobapi-key": sandbox.config.client_id,
                   "x-myobapi-version": "v2"}
        with httpx.Client(base_url=sandbox.business_url(BUSINESS) + "/", headers=headers, timeout=10) as api:
            made = Myob(sandbox, admin, api)
            yield made
            made.wire.close()
            admin.delete("/faults")


def add_connection(db: Db, myob: Myob, **fields: object) -> int:
    sandbox = myob.sandbox
    with db.sessions() as session:
        conn = Connection(organisation_id=db.organisation_id, kind="myob", name="MYOB Business",
                          api_base_url=sandbox.api_url, identity_base_url=sandbox.base_url,
                          client_id=sandbox.config.client_id,
                          client_secret_enc=db.cipher.encrypt(sandbox.config.client_secret),
                          redirect_uri="http://localhost:8000/myob/callback",
                          settings={"authorize_url": sandbox.authorize_url}, **fields)
        session.add(conn)
        session.commit()
        return conn.id


@pytest.fixture
def connection(db: Db, myob: Myob) -> tuple[int, dict[str, object]]:
    """A connection as after consent and the business chosen, with live tokens from the sandbox."""
    tokens = myob.issue_tokens()
    now = datetime.now(UTC)
    conn_id = add_connection(db, myob, status="connected", tenant_id=BUSINESS, tenant_name=BUSINESS_NAME,
                             package_connection_id=BUSINESS,
                             access_token_enc=db.cipher.encrypt(str(tokens["access_token"])),
                             refresh_token_enc=db.cipher.encrypt(str(tokens["refresh_token"])),
                             access_expires_at=now + timedelta(seconds=1200), refresh_obtained_at=now,
                             token_generation=1)
    return conn_id, tokens


@pytest.fixture
def connector(db: Db, myob: Myob, connection: tuple[int, dict[str, object]]) -> Iterator[MyobConnector]:
    """The connector on that connection, its client on the wire and on a clock that moves only when it sleeps."""
    clock = FakeClock()
    with MyobConnector(MyobClient(db.sessions, connection[0], transport=myob.transport(), clock=clock,
                                  sleep=clock.sleep)) as made:
        yield made
