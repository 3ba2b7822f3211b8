"""An organisation connected to a sandbox QuickBooks Desktop company, for tests that drive the real engine
(``sync.exporter.Exporter``, ``sync.importer.PaymentImporter``, ``connectors.connections.refresh_chart``) with the
QuickBooks Desktop connector, through the mailbox, against the sandbox company played by :class:`~.pump.Pump`.

The demo's month of trading (``demo.data.demo_batch``: GBP, UK VAT) goes to a UK company; its codes map to the
seed's chart (:data:`NOMINAL`, :data:`TAX`). Built so that a conformance harness (``tests/conformance``) can use it:
:class:`QbdWorld` answers what ``PackageWorld`` asks (documents, parties, items as a QuickBooks user sees them;
payments recorded, deleted; an invoice edited there) from the company's books.

Until the package's spec is registered (``packages/registry.py``, another change), the engine's pre-check reads
the package's text limits through the registry: :func:`registered` puts a test registration there for the test's
life (the real connector factory, QuickBooks Desktop's text limits; nothing else of it is used).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.connections import refresh_chart
from ledgerbridge.connectors.limits import BudgetLimits, no_limit_headers
from ledgerbridge.connectors.mailbox import Mailbox
from ledgerbridge.connectors.spec import (
    AuthFlow,
    DemoWorld,
    PackageEndpoints,
    PackageSpec,
    SandboxSpec,
)
from ledgerbridge.demo.approvals import approve_demo_purchases
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages import registry
from ledgerbridge.packages.qbd.connector import MAX_BATCH, QbdConnector, connector_for
from ledgerbridge.packages.qbd.limits import QBD_TEXT_LIMITS
from ledgerbridge.packages.qbd.reads import READ_PAGE
from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QbdUser, QuickBooksCompany
from ledgerbridge.packages.qbd.sandbox.context import Context
from ledgerbridge.packages.qbd.sandbox.store import Txn
from ledgerbridge.packages.qbd.sandbox.user_actions import receive_payment
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.mappings import MappingKind, set_mapping

from .pump import Pump

__all__ = ["NOMINAL", "TAX", "QbdWorld", "connect_world", "open_world", "registered"]

#: The demo's codes in the seed's UK chart (accounts numbered like the host's where they can be).
NOMINAL = {"4000": "4000", "4010": "4100", "5000": "5000", "7500": "6000", "1200": "1000"}
TAX = {"T1": "S", "T0": "Z", "T5": "R"}
DOC_KINDS = ("Invoice", "CreditMemo", "Bill", "VendorCredit")


def _unused(*_: Any, **__: Any) -> Any:
    raise AssertionError("not part of the test registration")


def _record_payment(http: httpx.Client, _company: str, doc_id: str, amount: Decimal, reference: str,
                    bill: bool) -> None:
    """A QuickBooks user records a payment on the sandbox's books page (its admin API)."""
    if bill:
        http.post("/sandbox/bill-payments", json={"bill_id": doc_id, "amount": str(amount)}).raise_for_status()
    else:
        http.post("/sandbox/payments", json={"invoice_id": doc_id, "amount": str(amount),
                                             "reference": reference}).raise_for_status()


def _spec() -> PackageSpec:
    nothing = PackageEndpoints("", "", "")
    return PackageSpec(
        kind="qbd", name="QuickBooks Desktop", limits=BudgetLimits(), read_limits=no_limit_headers,
        batch_size=MAX_BATCH, read_page=READ_PAGE, production=nothing,
        auth=lambda: AuthFlow(_unused, _unused, _unused, _unused, _unused), connector=connector_for,
        sandbox=SandboxSpec(start=_unused, command=_unused, endpoints=lambda _: nothing, stats_calls_key=""),
        demo=DemoWorld(nominal=NOMINAL, tax_sales=TAX, tax_purchases=TAX, bank_account="1000",
                       record_payment=_record_payment, pays_bills=True,
                       package_user=lambda base_url, _company, transport: QbdUser(base_url, transport)),
        text_limits=QBD_TEXT_LIMITS)


@contextmanager
def registered() -> Iterator[None]:
    """The package registered for the duration (see the module's docstring)."""
    with pytest.MonkeyPatch.context() as patch:
        if "qbd" not in registry.kinds():
            patch.setitem(registry._BY_KIND, "qbd", _spec())
        yield


@dataclass
class QbdWorld:
    sessions: sessionmaker[Session]
    org_id: int
    conn_id: int
    company: QuickBooksCompany
    pump: Pump
    opened: list[QbdConnector] = field(default_factory=list)

    def connector(self, **options: Any) -> QbdConnector:
        """A connector as the factory makes it (``options``: the connector's own, e.g. ``read_back_from_answers``),
        the Web Connector in session while the pump says so."""
        mailbox = Mailbox(self.sessions, self.conn_id, reachable=lambda: self.pump.in_session(),
                          package="QuickBooks Desktop")
        made = QbdConnector(self.sessions, self.conn_id, mailbox, **options)
        self.opened.append(made)
        return made

    def exporter(self, connector: QbdConnector | None = None) -> Exporter:
        return Exporter(self.sessions, self.conn_id, connector or self.connector())

    def close(self) -> None:
        for made in self.opened:
            made.close()

    # -- the company's books, as a QuickBooks user sees them ------------------------------------------------
    def txns(self, *kinds: str) -> list[Txn]:
        def read(ctx: Context) -> list[Txn]:
            return [t for t in ctx.books.txns.values() if not kinds or t.kind in kinds]

        found = self.company.read(read)
        assert isinstance(found, list)
        return found

    def by_number(self, number: str, kind: str | None = None) -> list[Txn]:
        return [t for t in self.txns(*((kind,) if kind else DOC_KINDS)) if t.ref_number == number]

    def one(self, number: str, kind: str | None = None) -> Txn:
        found = self.by_number(number, kind)
        assert len(found) == 1, f"{len(found)} copies of {number} in QuickBooks"
        return found[0]

    def names(self, kind: str) -> dict[str, str]:
        """Name -> ListID of the company's customers (or vendors, items...)."""
        def read(ctx: Context) -> dict[str, str]:
            return {o.full_name: o.list_id for o in ctx.books.lists.values() if o.kind == kind}

        found = self.company.read(read)
        assert isinstance(found, dict)
        return found

    def list_object(self, kind: str, name: str) -> Any:
        def read(ctx: Context) -> Any:
            return next(o for o in ctx.books.lists.values() if o.kind == kind and o.full_name == name)

        return self.company.read(read)

    def pay(self, number: str, amount: Decimal, total: Decimal | None = None) -> str:
        """A QuickBooks user receives a payment against the invoice (``total`` above ``amount``: the rest stays
        unapplied, a credit of the customer's)."""
        return receive_payment(self.company, self.one(number, "Invoice").txn_id, amount, total,
                               reference=f"paid {number}").txn_id


def connect_world(sessions: sessionmaker[Session], company: QuickBooksCompany, *, version: str | None = None,
                  settings: dict[str, Any] | None = None, map_codes: bool = True, batch: dict[str, Any] | None = None,
                  approve_purchases: bool = True) -> QbdWorld:
    """An organisation with the demo's month (or ``batch``), connected to ``company`` (a pump playing its Web
    Connector, started), its chart read through the engine and the demo's codes mapped (4090 left unmapped on
    purpose). The package must be registered (:func:`registered`); stop the pump when done."""
    with session_scope(sessions) as session:
        org = create_organisation(session, "Test Trading Ltd")
        apply_batch(session, org.id, Batch.model_validate(batch or demo_batch()))
        if approve_purchases:
            approve_demo_purchases(session, org.id)
        conn = Connection(organisation_id=org.id, kind="qbd", name="QuickBooks Desktop", status="connected",
                          api_base_url="", identity_base_url="", client_id="", client_secret_enc="",
                          redirect_uri="", settings=dict(settings or {}))
        session.add(conn)
        session.flush()
        org_id, conn_id = org.id, conn.id
    pump = Pump(sessions, conn_id, company, version=version).start()
    world = QbdWorld(sessions, org_id, conn_id, company, pump)
    try:
        refresh_chart(sessions, conn_id, world.connector())
        if map_codes:
            with session_scope(sessions) as session:
                for local, account in NOMINAL.items():
                    set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
                for local, code in TAX.items():
                    set_mapping(session, conn_id, MappingKind.TAX, local, code)
                    set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local, code)
    except BaseException:
        world.close()
        pump.stop()
        raise
    return world


@contextmanager
def open_world(sessions: sessionmaker[Session], *, flavour: str = "UK", version: str | None = None,
               settings: dict[str, Any] | None = None, map_codes: bool = True,
               batch: dict[str, Any] | None = None, approve: bool = True,
               multi_currency: bool = False) -> Iterator[QbdWorld]:
    """:func:`connect_world` on a fresh sandbox company of the edition ``flavour`` (with multicurrency on or off),
    for one test (``approve``: the purchase approvals (R-P1) given, as the demo's bookkeepers do)."""
    with registered():
        company = QuickBooksCompany(CompanyConfig(flavour=flavour,  # type: ignore[arg-type]
                                                  multi_currency=multi_currency))
        world = connect_world(sessions, company, version=version, settings=settings, map_codes=map_codes,
                              batch=batch, approve_purchases=approve)
        try:
            yield world
        finally:
            world.close()
            world.pump.stop()
