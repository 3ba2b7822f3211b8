"""The property test's world: a package's sandbox (the conformance harness's: Xero, QuickBooks Online or
QuickBooks Desktop) with fresh books per example, a fresh store per example, a small organisation connected as the
harness connects it (consent; on QuickBooks Desktop the Web Connector played by the harness's pump), and the two
ways books move: the host's events (through intake, as the host system sends them) and a package user's (the
package spec's ``demo.package_user``: the package's own API, QuickBooks Desktop's books page). Every exchange is
checked against the vendor's contract."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from conformance.harness import PackageHarness, PackageWorld
from dbfixtures import make_postgres_engine, make_sqlite_engine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.demo.data import NOMINALS, TAX_CODES
from ledgerbridge.domain.money import line_net, line_tax
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.sandboxes.package_user import PackageUser
from ledgerbridge.store.db import make_session_factory, session_scope
from ledgerbridge.store.models.sync import RecordType, SyncRecord
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter
from ledgerbridge.sync.reconcile import Reconciliation, reconcile

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
    world: PackageWorld
    user: PackageUser

    @property
    def org_id(self) -> int:
        return self.world.org_id

    @property
    def conn_id(self) -> int:
        return self.world.conn_id

    def connector(self) -> Connector:
        return self.world.connector()  # closed with the world

    def host(self, **batch: Any) -> None:
        with session_scope(self.sessions) as session:
            apply_batch(session, self.org_id, Batch.model_validate(self.world.harness.host_batch(batch)))

    def allocation_sync(self, on: bool) -> None:
        """R-X1 on or off for this connection (off by default, R-I3)."""
        from ledgerbridge.store.models.sync import Connection

        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.conn_id)
            connection.settings = {**(connection.settings or {}), "allocation_sync": on}

    def ext(self, number: str) -> str | None:
        from ledgerbridge.store.models.host import Document

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


@contextmanager
def connected(harness: PackageHarness, sessions: sessionmaker[Session], sandbox: Any) -> Iterator[Ledgers]:
    """The conformance harness's world (connected, chart read, the demo's mappings) on a small organisation; its
    exchanges pass the contract check or the example fails when it closes."""
    with harness.opened(sessions, sandbox, batch=reference_batch()) as world:
        user = spec_for(harness.kind).demo.package_user(world.base_url, world.tenant_id, world.transport)
        try:
            yield Ledgers(harness.kind, sessions, world, user)
        finally:
            user.close()
