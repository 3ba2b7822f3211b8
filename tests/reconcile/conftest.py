"""Both packages' sandboxes (the conformance suite's harness: one sandbox per package per session, fresh books per
test), connected through their consent flows with the demo month: the books that reconciliation compares. Every
exchange, ledgerbridge's and the package user's, is checked against the vendor's contract (Xero's OpenAPI,
Intuit's XSDs) at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conformance.fixtures import CALLED_HARNESSES, HARNESSES, SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.packages.qbo.sandbox.user import QboUser
from ledgerbridge.packages.xero.sandbox.user import XeroUser
from ledgerbridge.sandboxes.package_user import PackageUser
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import RecordType, SyncRecord
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter
from ledgerbridge.sync.reconcile import Reconciliation, reconcile


@dataclass
class Books:
    """One organisation connected to one package, its demo month uploaded."""

    package: str
    sessions: sessionmaker[Session]
    conn_id: int
    connector: Callable[[], Connector]
    user: PackageUser

    def ext(self, number: str) -> str:
        with session_scope(self.sessions) as session:
            ext = session.scalar(select(SyncRecord.external_id).join(Document, Document.id == SyncRecord.record_id)
                                 .where(SyncRecord.connection_id == self.conn_id, Document.number == number,
                                        SyncRecord.record_type == RecordType.DOCUMENT.value))
        assert ext, f"{number} was not exported"
        return ext

    def upload(self) -> Any:
        return Exporter(self.sessions, self.conn_id, self.connector(), actor="test").upload()

    def importer(self) -> PaymentImporter:
        return PaymentImporter(self.sessions, self.conn_id, self.connector(), actor="test")

    def reconcile(self) -> Reconciliation:
        return reconcile(self.sessions, self.conn_id, self.connector())


@pytest.fixture(params=sorted(CALLED_HARNESSES))
def books(request: pytest.FixtureRequest, sessions: sessionmaker[Session],
          sandboxes: SandboxPool) -> Iterator[Books]:  # noqa: F811
    for world in open_world(HARNESSES[request.param], sessions, sandboxes):
        user: PackageUser = (XeroUser if world.harness.kind == "xero" else QboUser)(
            world.base_url, world.tenant_id, world.transport)
        yield Books(world.harness.kind, sessions, world.conn_id, world.connector, user)
        user.close()  # type: ignore[attr-defined]
