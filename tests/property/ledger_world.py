"""The property test's world: one package sandbox (Xero or QuickBooks Online) with fresh books per example, a
fresh store per example, a small organisation connected through the package's consent, and the two ways books
move: the host's events (through intake, as the host system sends them) and a package user's (through the
package's own API, ``sandboxes.package_user``). Every exchange is checked against the vendor's contract."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from dbfixtures import make_postgres_engine, make_sqlite_engine
from sqlalchemy import select
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
from ledgerbridge.db import make_session_factory, session_scope
from ledgerbridge.demo_data import NOMINAL_MAP, NOMINALS, TAX_CODES, TAX_MAP
from ledgerbridge.exporter import Exporter
from ledgerbridge.importer import PaymentImporter
from ledgerbridge.intake import apply_batch
from ledgerbridge.mappings import MappingKind, set_mapping
from ledgerbridge.models_sync import Connection, RecordType, SyncRecord
from ledgerbridge.money import line_net, line_tax
from ledgerbridge.organisations import create_organisation
from ledgerbridge.reconcile import Reconciliation, reconcile
from ledgerbridge.sandboxes.package_user import PackageUser, QboUser, XeroUser
from ledgerbridge.schemas_intake import Batch

QBO_NOMINAL_MAP = {"4000": "4000", "4010": "4010", "5000": "5000", "7500": "7000", "1200": "1200"}
QBO_TAX = {"T1": "2", "T0": "6", "T5": "4"}
CUSTOMERS = [("C1", "Aldgate Bakery Ltd"), ("C2", "Bramley Florists")]


def reference_batch() -> dict[str, Any]:
    return {"nominal_codes": [{"code": c, "name": n, "type": t} for c, n, t in NOMINALS],
            "tax_codes": [{"code": c, "name": n, "rate": r} for c, n, r in TAX_CODES],
            "payment_methods": [{"code": "BACS", "name": "Bank transfer", "bank_nominal": "1200"}],
            "parties": [{"host_id": code, "code": code, "name": name, "is_customer": True, "currency": "GBP"}
                        for code, name in CUSTOMERS]}


def sales_document(number: str, doc_type: str, party: str, prices: list[int], status: str = "issued",
                   credits: str | None = None) -> dict[str, Any]:
    lines = []
    for price in prices:
        net = line_net(Decimal(1), Decimal(price))
        lines.append({"description": f"Goods at {price}", "quantity": "1", "unit_price": str(price),
                      "nominal_code": "4000", "tax_code": "T1", "net": str(net),
                      "tax": str(line_tax(net, Decimal(20)))})
    doc = {"host_id": number, "type": doc_type, "number": number, "status": status, "issue_date": "2026-11-02",
           "due_date": "2026-12-02", "party_host_id": party, "currency": "GBP", "lines": lines}
    if credits:
        doc["credits_document_host_id"] = credits
    return doc


@contextmanager
def fresh_store(backend: str, tmp: Path) -> Iterator[sessionmaker[Session]]:
    if backend == "sqlite":
        engine = make_sqlite_engine(tmp)
        try:
            yield make_session_factory(engine)
        finally:
            engine.dispose()
    else:
        with make_postgres_engine() as engine:
            yield make_session_factory(engine)


@dataclass
class Ledgers:
    """One example's books: the host's store and the package's company, and the people who change them."""

    package: str
    sessions: sessionmaker[Session]
    transport: httpx.BaseTransport
    org_id: int
    conn_id: int
    user: PackageUser
    opened: list[Connector] = field(default_factory=list)

    def connector(self) -> Connector:
        made = connector_for(self.sessions, self.conn_id, ConnectorOptions(transport=self.transport))
        self.opened.append(made)
        return made

    def close(self) -> None:
        for made in self.opened:
            made.close()
        self.user.close()  # type: ignore[attr-defined]

    def host(self, **batch: Any) -> None:
        with session_scope(self.sessions) as session:
            apply_batch(session, self.org_id, Batch.model_validate(batch))

    def ext(self, number: str) -> str | None:
        from ledgerbridge.models_host import Document

        with session_scope(self.sessions) as session:
            return session.scalar(select(SyncRecord.external_id).join(Document, Document.id == SyncRecord.record_id)
                                  .where(SyncRecord.connection_id == self.conn_id, Document.number == number,
                                         SyncRecord.record_type == RecordType.DOCUMENT.value))

    def upload(self) -> None:
        Exporter(self.sessions, self.conn_id, self.connector(), actor="property").upload()

    def import_payments(self, create: bool = True) -> None:
        importer = PaymentImporter(self.sessions, self.conn_id, self.connector(), actor="property")
        report = importer.fetch()
        if create:
            importer.create_and_allocate(report=report)

    def reconcile(self) -> Reconciliation:
        return reconcile(self.sessions, self.conn_id, self.connector())


def connect(package: str, sessions: sessionmaker[Session], base_url: str,
            transport: httpx.BaseTransport) -> Ledgers:
    flow = flow_for(package)
    with session_scope(sessions) as session:
        org = create_organisation(session, "Property Trading Ltd")
        apply_batch(session, org.id, Batch.model_validate(reference_batch()))
        conn = create_connection(session, org.id, package, sandbox_endpoints(package, base_url),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri="http://127.0.0.1:8976/callback")
        url = flow.begin_consent(session, conn)
        org_id, conn_id = org.id, conn.id
    callback = approve_in_sandbox(url)
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, conn_id)
        companies = flow.complete_consent(session, conn, callback, transport=transport)
        flow.choose_tenant(session, conn, companies[0].tenant_id, transport=transport)
        company = companies[0].tenant_id
    user: PackageUser = (XeroUser(base_url, company, transport) if package == "xero"
                         else QboUser(base_url, company, transport))
    ledgers = Ledgers(package, sessions, transport, org_id, conn_id, user)
    refresh_chart(sessions, conn_id, ledgers.connector())
    nominal = NOMINAL_MAP if package == "xero" else QBO_NOMINAL_MAP
    with session_scope(sessions) as session:
        for local, account in nominal.items():
            set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
        for local, (sales, purchases) in TAX_MAP.items():
            set_mapping(session, conn_id, MappingKind.TAX, local, sales if package == "xero" else QBO_TAX[local])
            set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local,
                        purchases if package == "xero" else QBO_TAX[local])
    return ledgers
