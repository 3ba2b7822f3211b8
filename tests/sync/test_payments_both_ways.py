"""Payments both ways (seed 004): with the setting on, a payment taken here goes to Xero as a Payment on its
invoice, once the invoice is confirmed there; and it never comes back as a second payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.domain.payment_policy import MADE_WHILE_OFF, ONE_WAY
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Allocation, Document, Payment
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter
from ledgerbridge.sync.records import not_exported_reasons

from .conftest import World


def _take_payment_here(world: World, number: str, amount: str, *, integrated: bool = True) -> None:
    with session_scope(world.sessions) as session:
        doc = session.scalars(select(Document).where(Document.number == number)).one()
        payment = Payment(organisation_id=world.org_id, host_id=f"RC-{number}", direction="in",
                          kind="invoice_payment", party_id=doc.party_id, payment_date=date(2026, 11, 3),
                          amount=Decimal(amount), currency="GBP", method_code="BACS", reference=f"Card {number}",
                          made_while_integrated=integrated)
        payment.allocations.append(Allocation(document_id=doc.id, amount=Decimal(amount)))
        session.add(payment)


def _both_ways(world: World) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "payments_both_ways": True}


def test_off_by_default_a_payment_here_stays_here(world: World) -> None:
    _take_payment_here(world, "INV-1003", "10.00")
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    # Nothing: RC-INV-1003 stays here (one way), and the demo's deposit PP-1 was taken before the connection, so it
    # never goes out either (R-PAY1): no sync record, the reason in the not-exported list.
    assert report.payments["exported"] == 0 and report.payments["checked"] == 0
    assert _xero_invoice(world, "INV-1003")["AmountPaid"] == 0
    assert world.xero_get("/Prepayments")["Prepayments"] == []
    with session_scope(world.sessions) as session:
        reasons = not_exported_reasons(session, session.get_one(Connection, world.conn_id))["payment"]
        assert reasons == {MADE_WHILE_OFF: 1, ONE_WAY: 1}


def test_on_a_payment_here_pays_the_invoice_in_xero_and_is_not_imported_back(world: World) -> None:
    _both_ways(world)
    world.deposit_taken_while_integrated()
    _take_payment_here(world, "INV-1003", "10.00")
    _take_payment_here(world, "INV-1004", "5.00", integrated=False)  # made while the integration was off: never
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.payments["exported"] == 2 and report.payments["failed"] == 0  # the prepayment and RC-INV-1003
    assert Decimal(str(_xero_invoice(world, "INV-1003")["AmountPaid"])) == Decimal("10.00")
    assert _xero_invoice(world, "INV-1004")["AmountPaid"] == 0
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    back = importer.create_and_allocate(report=importer.fetch())
    assert back.skipped_ours == 2 and back.created == 0
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.payments["exported"] == 0
    assert len(world.xero_get("/Payments")["Payments"]) == 1


def _xero_invoice(world: World, number: str) -> dict:
    """An invoice as Xero holds it, found by its number (the path takes only Xero's id)."""
    return world.xero_get("/Invoices", InvoiceNumbers=number, page=1)["Invoices"][0]  # type: ignore[no-any-return]
