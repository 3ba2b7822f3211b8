"""Both packages' sandboxes, connected through their consent flows, with the demo month uploaded: the books that
reconciliation compares. Every exchange (ledgerbridge's and the package user's) is checked against the vendor's
contract: Xero's OpenAPI, Intuit's XSDs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from qbo.conftest import connect_qbo_world
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sync.conftest import connect_world

from ledgerbridge.connector import Connector
from ledgerbridge.contracts.pytest_support import xero_contract_checker
from ledgerbridge.contracts.qbo_transport import QboSchemaTransport
from ledgerbridge.db import session_scope
from ledgerbridge.exporter import Exporter
from ledgerbridge.importer import PaymentImporter
from ledgerbridge.models_host import Document
from ledgerbridge.models_sync import RecordType, SyncRecord
from ledgerbridge.reconcile import Reconciliation, reconcile
from ledgerbridge.sandboxes import qbo as qbo_sandbox
from ledgerbridge.sandboxes import xero as xero_sandbox
from ledgerbridge.sandboxes.package_user import PackageUser, QboUser, XeroUser


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


@pytest.fixture(params=["xero", "qbo"])
def books(request: pytest.FixtureRequest, sessions: sessionmaker[Session]) -> Iterator[Books]:
    if request.param == "xero":
        checker = xero_contract_checker()
        with xero_sandbox.start_xero_sandbox(xero_sandbox.SandboxConfig(rate_limits_enabled=False)) as sandbox:
            world = connect_world(sessions, sandbox, checker.transport())
            user = XeroUser(sandbox.base_url, world.tenant_id, checker.transport())
            yield Books("xero", sessions, world.conn_id, world.connector, user)
            user.close()
            world.close()
        checker.assert_clean()
    else:
        schema = QboSchemaTransport()
        config = qbo_sandbox.SandboxConfig(rate_limits_enabled=False)
        with qbo_sandbox.start_qbo_sandbox(config) as sandbox:
            qworld = connect_qbo_world(sessions, sandbox, schema)
            quser = QboUser(sandbox.base_url, qworld.realm_id, schema)
            yield Books("qbo", sessions, qworld.conn_id, qworld.connector, quser)
            quser.close()
            qworld.close()
        assert schema.violations == [], "exchanges break the QBO schema:\n" + "\n".join(schema.violations)
