"""End-to-end fixtures: a migrated store (SQLite and PostgreSQL), a live Xero sandbox on loopback,
and an organisation connected to it through the real OAuth consent, with every HTTP exchange
checked against Xero's OpenAPI contract."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connections import (
    ConnectorOptions,
    connector_for,
    create_connection,
    refresh_chart,
    sandbox_endpoints,
)
from ledgerbridge.connector import Connector
from ledgerbridge.consent import approve_in_sandbox
from ledgerbridge.contracts.pytest_support import XeroContractChecker, xero_contract_checker
from ledgerbridge.db import session_scope
from ledgerbridge.demo_data import NOMINAL_MAP, TAX_MAP, demo_batch
from ledgerbridge.intake import apply_batch
from ledgerbridge.mappings import MappingKind, set_mapping
from ledgerbridge.models_sync import Connection
from ledgerbridge.organisations import create_organisation
from ledgerbridge.sandboxes.xero import RunningSandbox, SandboxConfig, start_xero_sandbox
from ledgerbridge.schemas_intake import Batch
from ledgerbridge.xero import auth


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running


@pytest.fixture
def contract() -> Iterator[XeroContractChecker]:
    checker = xero_contract_checker()
    yield checker
    checker.assert_clean()


@dataclass
class World:
    sessions: sessionmaker[Session]
    sandbox: RunningSandbox
    transport: httpx.BaseTransport
    org_id: int
    conn_id: int
    tenant_id: str

    opened: list[Connector] = field(default_factory=list)

    def connector(self, max_attempts: int = 5) -> Connector:
        made = connector_for(self.sessions, self.conn_id,
                             ConnectorOptions(transport=self.transport, max_attempts=max_attempts))
        self.opened.append(made)
        return made

    def close(self) -> None:
        for made in self.opened:
            made.close()

    def xero(self) -> httpx.Client:
        """A plain client on the sandbox (tests look at Xero's books as a Xero user would)."""
        return httpx.Client(base_url=self.sandbox.base_url, timeout=10)

    def xero_get(self, path: str, **params: Any) -> dict[str, Any]:
        token = self.access_token()
        with self.xero() as http:
            answer = http.get(f"/api.xro/2.0{path}", params=params,
                              headers={"Authorization": f"Bearer {token}", "xero-tenant-id": self.tenant_id})
            answer.raise_for_status()
            return answer.json()  # type: ignore[no-any-return]

    def access_token(self) -> str:
        from ledgerbridge.xero.auth import ensure_fresh_access_token

        return ensure_fresh_access_token(self.sessions, self.conn_id, transport=self.transport)

    def pay(self, invoice_id: str, amount: str, date: str = "2026-11-02") -> dict[str, Any]:
        with self.xero() as http:
            answer = http.post(f"/sandbox/tenants/{self.tenant_id}/payments", json={
                "Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Date": date, "Amount": amount})
            answer.raise_for_status()
            return answer.json()  # type: ignore[no-any-return]


def connect_world(sessions: sessionmaker[Session], sandbox: RunningSandbox, transport: httpx.BaseTransport,
                  batch: dict[str, Any] | None = None, map_codes: bool = True) -> World:
    with session_scope(sessions) as session:
        org = create_organisation(session, "Test Trading Ltd")
        apply_batch(session, org.id, Batch.model_validate(batch or demo_batch()))
        conn = create_connection(session, org.id, "xero", sandbox_endpoints("xero", sandbox.base_url),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri="http://127.0.0.1:8976/callback")
        url = auth.begin_consent(session, conn)
        org_id, conn_id = org.id, conn.id
    callback = approve_in_sandbox(url)  # the browser: a page, not an API call, so not contract-checked
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, conn_id)
        tenants = auth.complete_consent(session, conn, callback, transport=transport)
        auth.choose_tenant(session, conn, tenants[0].tenant_id, transport=transport)
        tenant_id = tenants[0].tenant_id
    world = World(sessions, sandbox, transport, org_id, conn_id, tenant_id)
    refresh_chart(sessions, conn_id, world.connector())
    if map_codes:
        with session_scope(sessions) as session:
            for local, account in NOMINAL_MAP.items():
                set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
            for local, (sales, purchases) in TAX_MAP.items():
                set_mapping(session, conn_id, MappingKind.TAX, local, sales)
                set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local, purchases)
    return world


@pytest.fixture
def world(sessions: sessionmaker[Session], sandbox: RunningSandbox,
          contract: XeroContractChecker) -> Iterator[World]:
    made = connect_world(sessions, sandbox, contract.transport())
    yield made
    made.close()
