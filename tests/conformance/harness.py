"""What the conformance suite needs from an accounting package, and nothing more.

A package joins the suite with one :class:`PackageHarness` (how to start its sandbox, where the demo's codes map
in its chart, how its contract is checked) and one :class:`PackageWorld` subclass (the package's books as a user
of that package sees them: documents, contacts, items, payments recorded by hand, injected faults). Everything
the tests do to ledgerbridge itself goes through the core (``Exporter``, ``PaymentImporter``, ``flow_for``), so a
test written once holds every connector to the same behaviour.

The connection is made as a user makes it: the package's own consent page (``approve_in_sandbox``), then the
package-neutral flow of :mod:`ledgerbridge.connectors.auth_flows`;
every exchange after the consent page goes through the
package's contract check (Xero's OpenAPI, Intuit's XSDs), which fails the test at teardown.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.clock import Clock
from ledgerbridge.connectors.auth_flows import flow_for
from ledgerbridge.connectors.connections import (
    ConnectorOptions,
    connector_for,
    create_connection,
    refresh_chart,
    sandbox_endpoints,
)
from ledgerbridge.connectors.consent import approve_in_sandbox
from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.demo.approvals import approve_demo_purchases
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Payment
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.sync.mappings import MappingKind, set_mapping

#: The host document types the demo data exports, each to its own kind of record in every package.
EXPORTED_TYPES = ("sales_invoice", "sales_credit_note", "purchase_invoice")


class ContractCheck(Protocol):
    """The package's contract check on every exchange: a transport that records, a verdict at the end."""

    def transport(self) -> httpx.BaseTransport: ...

    @property
    def exchanges_checked(self) -> int: ...

    def assert_clean(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RemoteDoc:
    """A document as the package's user sees it, in words every package shares."""

    number: str
    doc_type: str  # the host type it came from: sales_invoice, sales_credit_note, purchase_invoice
    external_id: str
    total: Decimal
    state: str  # open | paid | voided
    first_line: str | None  # the first line's description
    item_codes: frozenset[str]  # items the lines name (by code/Sku)
    party_id: str | None  # the package id of the customer or supplier it names
    #: Each line's account (or the item that carries it, where sales lines post through items) as the package refers
    #: to it: compared between documents, never with a host code.
    line_accounts: tuple[str | None, ...] = ()


#: How much faster than the wall a hurried clock runs.
HURRY = 20.0


def hurried_clock() -> Clock:
    """A clock that runs 20 times faster from now, for a connector's waits (a 429's Retry-After, the back-off after
    a 5xx): what a fault test checks is that they are waited out and nothing is shown, not how long they take, and
    the waits are the client's own (``Clock.sleep``), so they are still made, in simulated time."""
    return Clock(scale=HURRY, origin=time.time())


@dataclass
class PackageWorld(ABC):
    """An organisation connected to one package's sandbox, and that package's books seen from outside."""

    harness: PackageHarness
    sessions: sessionmaker[Session]
    base_url: str
    transport: httpx.BaseTransport
    org_id: int
    conn_id: int
    tenant_id: str  # Xero's tenant, QuickBooks' realm: the company the connection chose
    opened: list[Connector] = field(default_factory=list)

    def connector(self, max_attempts: int = 5, clock: Clock | None = None) -> Connector:
        """A connector as a job gets one; ``clock`` for its client and budget (``hurried_clock``), else the wall's."""
        made = connector_for(self.sessions, self.conn_id,
                             ConnectorOptions(transport=self.transport, max_attempts=max_attempts, clock=clock))
        self.opened.append(made)
        return made

    def close(self) -> None:
        for made in self.opened:
            made.close()

    def deposit_taken_while_integrated(self, host_id: str = "PP-1") -> None:
        """The demo loads its month before connecting, so its deposit PP-1 was taken while the integration was off
        and never goes out (R-PAY1). A test of prepayments going out has it taken while integrated, as intake marks a
        payment taken while a connection is live."""
        with session_scope(self.sessions) as session:
            payment = session.scalars(select(Payment).where(Payment.organisation_id == self.org_id,
                                                            Payment.host_id == host_id)).one()
            payment.made_while_integrated = True

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The sandbox-only admin API (``/sandbox``): not the package's API, so not contract-checked."""
        with httpx.Client(base_url=f"{self.base_url}/sandbox", timeout=10) as http:
            return http.request(method, path, **kwargs)

    # -- faults (the same admin API on every sandbox: ledgerbridge/sandboxes/faults.py) ----------------------
    def arm_fault(self, **plan: int) -> None:
        self.admin("POST", "/faults", json=plan).raise_for_status()

    def clear_faults(self) -> None:
        self.admin("DELETE", "/faults").raise_for_status()

    def faults(self) -> dict[str, int]:
        return self.admin("GET", "/faults").json()  # type: ignore[no-any-return]

    # -- the package's books -----------------------------------------------------------------------------------
    @abstractmethod
    def remote_documents(self) -> list[RemoteDoc]:
        """Every document the package holds (voided ones too; deleted ones are gone)."""

    def remote_numbers(self, doc_type: str | None = None) -> Counter[str]:
        """How many copies of each document number the package holds (of one host type, or of all)."""
        return Counter(d.number for d in self.remote_documents() if doc_type in (None, d.doc_type))

    def remote_document(self, number: str) -> RemoteDoc | None:
        found = [d for d in self.remote_documents() if d.number == number]
        assert len(found) <= 1, f"{len(found)} copies of {number} in {self.harness.label}"
        return found[0] if found else None

    @abstractmethod
    def remote_parties(self) -> dict[str, str]:
        """Customers and suppliers: display name -> package id."""

    @abstractmethod
    def remote_items(self) -> dict[str, str]:
        """Items that carry a host code (Xero's Code, QuickBooks' Sku): code -> package id."""

    @abstractmethod
    def record_payment(self, number: str, amount: Decimal) -> str:
        """Pay a sales or purchase invoice in the package, as its user would; returns the payment's id."""

    @abstractmethod
    def delete_payment(self, payment_id: str) -> None:
        """Delete a payment in the package, as its user would."""

    @abstractmethod
    def edit_total(self, number: str) -> None:
        """Change an invoice's total in the package, as its user would (adds a line copied from the first)."""


class PackageHarness(ABC):
    """One accounting package as the conformance suite drives it (one subclass per package, no state)."""

    kind: ClassVar[str]  # the package's kind, as in ``packages.registry``
    label: ClassVar[str]
    #: What a void becomes in the package, per host type: "voided" (kept, zeroed or marked) or "deleted" (gone,
    #: where the package has no void for that record: the connector documents which).
    void_outcome: ClassVar[dict[str, str]]
    #: The package account a host nominal with no mapping (the demo's 4090) can be mapped to.
    spare_income_account: ClassVar[str]
    world_class: ClassVar[type[PackageWorld]]
    #: How writes whose answers were lost (retries spent) come back on the next run: "recovered" (found by a
    #: lookup and bound) or "exported" (the package's own error recovery hands back the answers it recorded,
    #: QuickBooks Desktop's, so they are taken as made).
    lost_writes_return_as: ClassVar[str] = "recovered"
    #: Why a write whose answer was lost is not sent again within the run (None: it is, safely, under its
    #: idempotency key or the package's error recovery): where a second send could make a second copy, the write is
    #: left in doubt and the next run looks it up first.
    lost_writes_wait_for_next_run: ClassVar[str | None] = None
    #: Why the read-back cannot be told apart from the write (None: a read after the write, as on most): where the
    #: package's answer to the write is its record as stored (QuickBooks Desktop's Ret), no edit can come between.
    read_back_is_the_write_answer: ClassVar[str | None] = None

    def host_batch(self, batch: dict[str, Any]) -> dict[str, Any]:
        """A batch of the host's (the suites write UK figures: GBP, VAT 20 %) as a host trading where the package's
        company is would send it; unchanged where the package's company takes those."""
        return batch

    @abstractmethod
    def start_sandbox(self) -> AbstractContextManager[Any]:
        """A fresh sandbox on loopback (kept for the session; :meth:`reset` between tests)."""

    @abstractmethod
    def reset(self, sandbox: Any) -> None:
        """Fresh books, no faults, limits off, clock back to now."""

    @abstractmethod
    def contract(self) -> ContractCheck:
        """A fresh contract check for one test."""

    def connect(self, sessions: sessionmaker[Session], base_url: str, transport: httpx.BaseTransport,
                batch: dict[str, Any] | None = None, map_codes: bool = True,
                approve_purchases: bool = True) -> PackageWorld:
        """An organisation with the demo data, connected through the package's consent, chart refreshed and the
        demo's codes mapped (except 4090, left unmapped on purpose).

        The approval workflow is on by default (R-P1), so the purchase invoices are approved by two users and sent,
        as the demo does (``demo_approvals``): the suite tests the export, not the workflow. A test of the workflow
        itself passes ``approve_purchases=False``."""
        flow = flow_for(self.kind)
        with session_scope(sessions) as session:
            org = create_organisation(session, "Test Trading Ltd")
            apply_batch(session, org.id, Batch.model_validate(batch or demo_batch()))
            if approve_purchases:
                approve_demo_purchases(session, org.id)
            conn = create_connection(session, org.id, self.kind, sandbox_endpoints(self.kind, base_url),
                                     client_id="ledgerbridge-demo", client_secret="demo-secret",
                                     redirect_uri="http://127.0.0.1:8976/callback")
            url = flow.begin_consent(session, conn)
            org_id, conn_id = org.id, conn.id
        callback = approve_in_sandbox(url)  # the browser: a page, not an API call, so not contract-checked
        with session_scope(sessions) as session:
            conn = session.get_one(Connection, conn_id)
            companies = flow.complete_consent(session, conn, callback, transport=transport)
            flow.choose_tenant(session, conn, companies[0].tenant_id, transport=transport)
            tenant_id = companies[0].tenant_id
        world = self.world_class(self, sessions, base_url, transport, org_id, conn_id, tenant_id)
        refresh_chart(sessions, conn_id, world.connector())
        if map_codes:
            demo = spec_for(self.kind).demo
            with session_scope(sessions) as session:
                for local, account in demo.nominal.items():
                    set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
                for local, code in demo.tax_sales.items():
                    set_mapping(session, conn_id, MappingKind.TAX, local, code)
                for local, code in demo.tax_purchases.items():
                    set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local, code)
        return world

    # -- connecting again (test_connection.py): the OAuth packages' way; a package without consent overrides --
    def disconnect(self, world: PackageWorld, session: Session, conn: Connection) -> list[str]:
        """Disconnect as the screens do; the problems met revoking (none expected)."""
        return flow_for(self.kind).disconnect(session, conn, transport=world.transport)

    def reconnect(self, world: PackageWorld) -> None:
        """Connect the disconnected connection again, to the same company, as its user would."""
        flow = flow_for(self.kind)
        with session_scope(world.sessions) as session:
            url = flow.begin_consent(session, session.get_one(Connection, world.conn_id))
        callback = approve_in_sandbox(url)
        with session_scope(world.sessions) as session:
            conn = session.get_one(Connection, world.conn_id)
            companies = flow.complete_consent(session, conn, callback, transport=world.transport)
            flow.choose_tenant(session, conn, world.tenant_id, transport=world.transport)
            assert world.tenant_id in {c.tenant_id for c in companies} and conn.status == "connected"

    def upload(self, world: PackageWorld) -> dict[str, Any]:
        """Upload everything due, as the engine does; the report (``ExportReport.as_dict``)."""
        from ledgerbridge.sync.exporter import Exporter

        return Exporter(world.sessions, world.conn_id, world.connector()).upload().as_dict()

    def user_was_refused(self, error: Exception) -> bool:
        """Whether ``error``, raised by the package's user (``sandboxes.package_user``), is the package refusing the
        action as its screens would (paying a voided invoice...), not a failure of the test: a 400 from an API."""
        return isinstance(error, httpx.HTTPStatusError) and error.response.status_code == 400

    @contextmanager
    def opened(self, sessions: sessionmaker[Session], sandbox: Any, approve_purchases: bool = True,
               batch: dict[str, Any] | None = None) -> Iterator[PackageWorld]:
        """A connected world on fresh books for one test (the demo's month, or ``batch``); its exchanges must all
        pass the contract check."""
        self.reset(sandbox)
        check = self.contract()
        world = self.connect(sessions, sandbox.base_url, check.transport(), batch=batch,
                             approve_purchases=approve_purchases)
        try:
            yield world
        finally:
            world.close()
            world.clear_faults()
        check.assert_clean()
