"""Every package's sandbox (the conformance suite's harness: fresh books per test), connected as its user connects
it, with the demo month: the books that reconciliation compares. Every exchange, ledgerbridge's and the package
user's, is checked against the vendor's contract (Xero's OpenAPI, Intuit's XSDs, the qbXML XSD) at teardown.

The package user is the package spec's own (``demo.package_user``): on QuickBooks Desktop a QuickBooks user on the
sandbox company's books page; ledgerbridge's calls there wait in the mailbox for the Web Connector, which the
harness plays (``tests/qbd/pump.py``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from conformance.fixtures import HARNESSES, SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.sandboxes.package_user import PackageUser
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.polled import PolledSession, PolledSessionStatus
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

    @contextmanager
    def reachable_by_the_app(self) -> Iterator[None]:
        """For what the app reads itself (API, pages, CLI: the registry's connector). A package called over HTTP
        answers at any time; one that polls us (``PackageSpec.polled``: QuickBooks Desktop's Web Connector) only
        while its client is in a session, so the session the harness's pump plays is recorded open meanwhile,
        as ``authenticate`` records it, and closed after."""
        if spec_for(self.package).polled is None:
            yield
            return
        with session_scope(self.sessions) as session:
            row = PolledSession(connection_id=self.conn_id, ticket_hash=secrets.token_hex(32))
            session.add(row)
            session.flush()
            row_id = row.id
        try:
            yield
        finally:
            with session_scope(self.sessions) as session:
                session.get_one(PolledSession, row_id).status = PolledSessionStatus.CLOSED.value


@pytest.fixture(params=sorted(HARNESSES))
def books(request: pytest.FixtureRequest, sessions: sessionmaker[Session],
          sandboxes: SandboxPool) -> Iterator[Books]:  # noqa: F811
    for world in open_world(HARNESSES[request.param], sessions, sandboxes):
        user: PackageUser = spec_for(world.harness.kind).demo.package_user(world.base_url, world.tenant_id,
                                                                              world.transport)
        yield Books(world.harness.kind, sessions, world.conn_id, world.connector, user)
        user.close()  # type: ignore[attr-defined]
