"""End-to-end fixtures for the QuickBooks Online connector: a migrated store (SQLite and PostgreSQL), the QBO
sandbox on loopback (fresh books per test) and an organisation connected to it through Intuit's consent flow,
with every HTTP exchange checked against Intuit's XSDs (:class:`QboSchemaTransport`, zero violations)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.auth_flows import flow_for
from ledgerbridge.connections import (
    ConnectorOptions,
    connector_for,
    create_connection,
    refresh_chart,
    sandbox_endpoints,
)
from ledgerbridge.connector import Connector
from ledgerbridge.consent import approve_in_sandbox
from ledgerbridge.contracts.qbo_transport import QboSchemaTransport
from ledgerbridge.db import session_scope
from ledgerbridge.demo_data import demo_batch
from ledgerbridge.intake import apply_batch
from ledgerbridge.mappings import MappingKind, set_mapping
from ledgerbridge.models_sync import Connection
from ledgerbridge.organisations import create_organisation
from ledgerbridge.sandboxes.qbo import DEFAULT_REALM_ID, RunningSandbox, SandboxConfig, start_qbo_sandbox
from ledgerbridge.schemas_intake import Batch

# Where each demo host code goes in the QBO sandbox's seed chart (accounts by AcctNum, VAT codes by Id).
QBO_NOMINAL_MAP = {"4000": "4000", "4010": "4010", "5000": "5000", "7500": "7000", "1200": "1200"}
QBO_TAX_MAP = {"T1": "2", "T0": "6", "T5": "4"}


@pytest.fixture(scope="session")
def qbo_sandbox() -> Iterator[RunningSandbox]:
    with start_qbo_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running


@pytest.fixture
def sandbox(qbo_sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    with httpx.Client(base_url=f"{qbo_sandbox.base_url}/sandbox", timeout=10) as admin:
        admin.post("/reset", json={"tokens": True}).raise_for_status()
        yield qbo_sandbox
        admin.delete("/faults")


@pytest.fixture
def schema() -> Iterator[QboSchemaTransport]:
    transport = QboSchemaTransport()
    yield transport
    assert transport.violations == [], "exchanges break the QBO schema:\n" + "\n".join(transport.violations)


@dataclass
class QboWorld:
    sessions: sessionmaker[Session]
    sandbox: RunningSandbox
    transport: httpx.BaseTransport
    org_id: int
    conn_id: int
    realm_id: str
    opened: list[Connector] = field(default_factory=list)

    def connector(self, max_attempts: int = 5) -> Connector:
        made = connector_for(self.sessions, self.conn_id,
                             ConnectorOptions(transport=self.transport, max_attempts=max_attempts))
        self.opened.append(made)
        return made

    def close(self) -> None:
        for made in self.opened:
            made.close()

    def access_token(self) -> str:
        from ledgerbridge.qbo.auth import fresh_access_token

        return fresh_access_token(self.sessions, self.conn_id, transport=self.transport)[0]

    def api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """QBO's books as a QBO user sees them (through the schema check too)."""
        with httpx.Client(transport=self.transport, timeout=10) as http:
            answer = http.request(method, f"{self.sandbox.company_url(self.realm_id)}{path}",
                                  params={"minorversion": "75", **kwargs.pop("params", {})},
                                  headers={"Authorization": f"Bearer {self.access_token()}",
                                           "Accept": "application/json"}, **kwargs)
            answer.raise_for_status()
            return answer.json()  # type: ignore[no-any-return]

    def query(self, statement: str) -> list[dict[str, Any]]:
        entity = statement.split(" FROM ")[1].split()[0]
        return self.api("GET", "/query", params={"query": statement})["QueryResponse"].get(entity, [])

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with httpx.Client(base_url=f"{self.sandbox.base_url}/sandbox", timeout=10) as http:
            return http.request(method, path, **kwargs)

    def pay(self, invoice_id: str, amount: str, date: str = "2026-11-02") -> dict[str, Any]:
        answer = self.admin("POST", f"/companies/{self.realm_id}/payments", json={
            "amount": amount, "allocations": [{"invoice_id": invoice_id, "amount": amount}], "date": date,
            "reference": "BACS"})
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]


def connect_qbo_world(sessions: sessionmaker[Session], sandbox: RunningSandbox, transport: httpx.BaseTransport,
                      map_codes: bool = True) -> QboWorld:
    flow = flow_for("qbo")
    with session_scope(sessions) as session:
        org = create_organisation(session, "Test Trading Ltd")
        apply_batch(session, org.id, Batch.model_validate(demo_batch()))
        conn = create_connection(session, org.id, "qbo", sandbox_endpoints("qbo", sandbox.base_url),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri="http://127.0.0.1:8976/callback")
        url = flow.begin_consent(session, conn)
        org_id, conn_id = org.id, conn.id
    callback = approve_in_sandbox(url)  # the browser: a page, not an API call
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, conn_id)
        companies = flow.complete_consent(session, conn, callback, transport=transport)
        flow.choose_tenant(session, conn, companies[0].tenant_id, transport=transport)
        realm_id = companies[0].tenant_id
    world = QboWorld(sessions, sandbox, transport, org_id, conn_id, realm_id)
    refresh_chart(sessions, conn_id, world.connector())
    if map_codes:
        with session_scope(sessions) as session:
            for local, account in QBO_NOMINAL_MAP.items():
                set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
            for local, code in QBO_TAX_MAP.items():
                set_mapping(session, conn_id, MappingKind.TAX, local, code)
                set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local, code)
    assert realm_id == DEFAULT_REALM_ID
    return world


@pytest.fixture
def world(sessions: sessionmaker[Session], sandbox: RunningSandbox, schema: QboSchemaTransport) -> Iterator[QboWorld]:
    made = connect_qbo_world(sessions, sandbox, schema)
    yield made
    made.close()
