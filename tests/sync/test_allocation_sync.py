"""Allocation sync (R-X1) against the Xero sandbox: off by default (R-I3); on, credit applied on either side
reaches the other."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Allocation, Document, Payment
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter

from .conftest import World
from .test_import_on_account import _as_user, _bank_transaction, _contact


def _allocation_sync(world: World, on: bool) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "allocation_sync": on}


def _credit_note(world: World, number: str) -> dict[str, Any]:
    where = f'CreditNoteNumber=="{number}"'
    return world.xero_get("/CreditNotes", where=where, page=1)["CreditNotes"][0]


def test_off_by_default_credit_notes_go_out_unallocated(world: World) -> None:
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert "R-I3" in report.payments["allocation_sync"]["skipped"]
    credit = _credit_note(world, "CN-2001")
    assert credit["Status"] == "AUTHORISED" and Decimal(str(credit["RemainingCredit"])) == Decimal(str(credit["Total"]))
    with session_scope(world.sessions) as session:
        assert session.scalars(select(CreditAllocation)).all() == []


def test_on_a_credit_note_is_applied_to_the_invoice_it_credits_once(world: World) -> None:
    _allocation_sync(world, True)
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.payments["allocation_sync"]["pushed"] == 1
    credit = _credit_note(world, "CN-2001")
    total = Decimal(str(credit["Total"]))
    assert Decimal(str(credit["RemainingCredit"])) == 0
    invoice = _xero_invoice(world, "INV-1002")
    assert Decimal(str(invoice["AmountCredited"])) == total
    with session_scope(world.sessions) as session:
        rows = session.execute(select(Document.number, CreditAllocation.amount)
                               .join(Document, Document.id == CreditAllocation.invoice_document_id)).all()
        assert [(n, a) for n, a in rows] == [("INV-1002", total)]
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.payments["allocation_sync"]["pushed"] == 0
    assert Decimal(str(_xero_invoice(world, "INV-1002")["AmountCredited"])) == total


def _prepayment_allocated_in_xero(world: World) -> Decimal:
    """A customer's deposit taken in Xero, then applied there by a Xero user to one of their invoices."""
    customer = _contact(world, "Aldgate Bakery Ltd")
    made = _bank_transaction(world, "RECEIVE-PREPAYMENT", customer, "20.00", "Deposit at the counter")
    invoice = world.xero_get("/Invoices", where=f'Contact.ContactID==GUID("{customer["ContactID"]}")',
                             page=1)["Invoices"][0]
    _as_user(world, "PUT", f"/Prepayments/{made['PrepaymentID']}/Allocations", {"Allocations": [
        {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": "15.00", "Date": "2026-11-06"}]})
    return Decimal("15.00")


def test_on_a_prepayment_applied_in_xero_is_recorded_here(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    _allocation_sync(world, True)
    applied = _prepayment_allocated_in_xero(world)
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    assert report.on_account == 1
    with session_scope(world.sessions) as session:
        payment = session.scalars(select(Payment).where(Payment.kind == "on_account")).one()
        assert [a.amount for a in payment.allocations] == [applied]


def test_off_a_prepayment_applied_in_xero_stays_unallocated_here(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    _prepayment_allocated_in_xero(world)
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    importer.create_and_allocate(report=importer.fetch())
    with session_scope(world.sessions) as session:
        payment = session.scalars(select(Payment).where(Payment.kind == "on_account")).one()
        assert payment.allocations == []
        assert session.scalars(select(Allocation).where(Allocation.payment_id == payment.id)).all() == []


def test_on_a_credit_note_applied_in_xero_is_recorded_here_and_a_removal_too(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    _allocation_sync(world, True)
    credit = _credit_note(world, "CN-2002")  # credits nothing here: applied by a Xero user to an invoice
    contact = credit["Contact"]["ContactID"]
    invoice = next(i for i in world.xero_get("/Invoices", where=f'Contact.ContactID==GUID("{contact}")',
                                             page=1)["Invoices"] if i["Type"] == "ACCREC")
    amount = min(Decimal(str(credit["Total"])), Decimal(str(invoice["AmountDue"])))
    _as_user(world, "PUT", f"/CreditNotes/{credit['CreditNoteID']}/Allocations", {"Allocations": [
        {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": str(amount), "Date": "2026-11-07"}]})
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    importer.create_and_allocate(report=importer.fetch())
    assert _recorded(world, "CN-2002") == [(invoice["InvoiceNumber"], amount, "package")]
    # Un-allocated in Xero by its user: gone here too at the next import.
    allocation_id = _credit_note(world, "CN-2002")["Allocations"][0]["AllocationID"]
    token = world.access_token()
    with world.xero() as http:
        http.delete(f"/api.xro/2.0/CreditNotes/{credit['CreditNoteID']}/Allocations/{allocation_id}",
                    headers={"Authorization": f"Bearer {token}", "xero-tenant-id": world.tenant_id}
                    ).raise_for_status()
    importer.create_and_allocate(report=importer.fetch())
    assert _recorded(world, "CN-2002") == []


def _recorded(world: World, credit_number: str) -> list[tuple[str, Decimal, str]]:
    with session_scope(world.sessions) as session:
        credit_id = session.scalar(select(Document.id).where(Document.number == credit_number))
        rows = session.execute(select(Document.number, CreditAllocation.amount, CreditAllocation.origin)
                               .join(Document, Document.id == CreditAllocation.invoice_document_id)
                               .where(CreditAllocation.credit_document_id == credit_id)).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _xero_invoice(world: World, number: str) -> dict:
    """An invoice as Xero holds it, found by its number (the path takes only Xero's id)."""
    return world.xero_get("/Invoices", InvoiceNumbers=number, page=1)["Invoices"][0]  # type: ignore[no-any-return]
