"""Fixtures for the Web Connector tests: a connection with its Web Connector credentials, a clock the test moves,
the service mounted on an app, and a SOAP client that checks every exchange against Intuit's WSDL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.webconnector.credentials import ensure_credentials, set_password
from ledgerbridge.packages.qbd.webconnector.operations import OPERATIONS
from ledgerbridge.packages.qbd.webconnector.routes import SOAP_PATH, ServiceSettings, router
from ledgerbridge.packages.qbd.webconnector.sessions import SessionSettings
from ledgerbridge.packages.qbd.webconnector.soap import parse_result, render_call
from ledgerbridge.sandboxes.serving import serve_in_thread
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.organisations import create_organisation
from tests.contract_checks.qbwc_wsdl import check_soap, check_soap_action
from tests.qbd.scripted_source import ScriptedSource

BASE = "http://localhost"


@dataclass
class MovableNow:
    """``now`` for the sessions backend: the test moves it; nothing waits on the wall clock."""

    at: datetime = field(default_factory=lambda: datetime(2026, 12, 7, 14, 2, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


@dataclass(frozen=True)
class WcConnection:
    connection_id: int
    user: str
    password: str


def make_wc_connection(sessions: sessionmaker[Session], name: str = "Komet Sales") -> WcConnection:
    with session_scope(sessions) as session:
        org = create_organisation(session, name)
        conn = Connection(organisation_id=org.id, kind="desktop", name="Books", api_base_url="http://x",
                          identity_base_url="http://x", client_id="-", client_secret_enc="-", redirect_uri="http://x",
                          status="connected")
        session.add(conn)
        session.flush()
        credential = ensure_credentials(session, conn.id)
        password = set_password(session, conn.id)
        return WcConnection(conn.id, credential.user_name, password)


@pytest.fixture
def wc(sessions: sessionmaker[Session]) -> WcConnection:
    return make_wc_connection(sessions)


@pytest.fixture
def source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
def now() -> MovableNow:
    return MovableNow()


class SoapClient:
    """Calls the service as the Web Connector does, every exchange checked against the WSDL."""

    def __init__(self, http: httpx.Client, url: str = BASE + SOAP_PATH) -> None:
        self.http = http
        self.url = url
        self.exchanges: list[tuple[str, bytes, bytes]] = []

    def raw(self, body: bytes, action: str = "") -> httpx.Response:
        return self.http.post(self.url, content=body, headers={"Content-Type": "text/xml; charset=utf-8",
                                                                "SOAPAction": action})

    def call(self, name: str, **values: str | int) -> str | int | list[str]:
        op = OPERATIONS[name]
        body = render_call(op, values)
        checked = op.in_wsdl
        if checked:
            check_soap(body, "request")
            check_soap_action(f'"{op.soap_action}"', name)
        response = self.raw(body, f'"{op.soap_action}"')
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        if checked:
            assert check_soap(response.content, "response") == name
        self.exchanges.append((name, body, response.content))
        return parse_result(response.content, op)

    # The callbacks, typed.
    def authenticate(self, user: str, password: str) -> list[str]:
        result = self.call("authenticate", strUserName=user, strPassword=password)
        assert isinstance(result, list)
        return result

    def send(self, ticket: str, hcp: str = "", major: int = 13, minor: int = 0,
             company: str = r"C:\Company Files\Komet Sales.QBW", country: str = "US") -> str:
        result = self.call("sendRequestXML", ticket=ticket, strHCPResponse=hcp, strCompanyFileName=company,
                           qbXMLCountry=country, qbXMLMajorVers=major, qbXMLMinorVers=minor)
        assert isinstance(result, str)
        return result

    def receive(self, ticket: str, response: str, hresult: str = "", message: str = "") -> int:
        result = self.call("receiveResponseXML", ticket=ticket, response=response, hresult=hresult,
                           message=message)
        assert isinstance(result, int)
        return result

    def text(self, name: str, **values: str | int) -> str:
        result = self.call(name, **values)
        assert isinstance(result, str)
        return result


def service_app(sessions: sessionmaker[Session], source: ScriptedSource, now: MovableNow,
                timeout: timedelta = timedelta(minutes=30)) -> FastAPI:
    app = FastAPI()
    settings = ServiceSettings(sessions=SessionSettings(timeout=timeout, wait_seconds=0.0))
    app.include_router(router(sessions, source, settings, now=now), prefix="/packages/desktop")
    return app


@pytest.fixture
def soap(sessions: sessionmaker[Session], source: ScriptedSource, now: MovableNow) -> Iterator[SoapClient]:
    with TestClient(service_app(sessions, source, now), base_url=BASE) as http:
        yield SoapClient(http, BASE + "/packages/desktop" + SOAP_PATH)


@dataclass
class Served:
    """The service on loopback; ``restart`` takes it down and brings up a new one on the same port."""

    sessions: sessionmaker[Session]
    source: ScriptedSource
    port: int = 0
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    restarts: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()
        settings = ServiceSettings(sessions=SessionSettings(wait_seconds=0.0))
        app.include_router(router(self.sessions, self.source, settings), prefix="/packages/desktop")
        return app

    def start(self) -> None:
        self.server, self.thread, self.port = serve_in_thread(self.app(), "127.0.0.1", self.port, "warning",
                                                              "web-connector")

    def stop(self) -> None:
        assert self.server is not None and self.thread is not None
        self.server.should_exit = True
        self.thread.join(10)

    def restart(self) -> None:
        """Nothing of the old server's memory survives: a new app, new service objects, the same store."""
        self.stop()
        self.start()
        self.restarts += 1


@pytest.fixture
def served(sessions: sessionmaker[Session], source: ScriptedSource) -> Iterator[Served]:
    served = Served(sessions, source)
    served.start()
    yield served
    served.stop()
