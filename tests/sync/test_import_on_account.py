"""Full import (R-I1, R-I2): prepayments and overpayments made in Xero come here as payments on account."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Party, Payment
from ledgerbridge.store.models.sync import ImportStatus, PackagePayment, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter

from .conftest import World


def _as_user(world: World, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A Xero user's own write, through the API as Xero's UI would make it."""
    token = world.access_token()
    with world.xero() as http:
        answer = http.request(method, f"/api.xro/2.0{path}", json=body,
                              headers={"Authorization": f"Bearer {token}", "xero-tenant-id": world.tenant_id})
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]


def _bank_transaction(world: World, kind: str, contact: dict[str, Any], amount: str, reference: str) -> dict:
    return _as_user(world, "PUT", "/BankTransactions", {"BankTransactions": [{
        "Type": kind, "Contact": {"ContactID": contact["ContactID"]}, "BankAccount": {"Code": "090"},
        "Date": "2026-11-05", "Reference": reference, "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Money on account", "Quantity": 1, "UnitAmount": amount,
                       "AccountCode": "200"}]}]})["BankTransactions"][0]


def _contact(world: World, name: str) -> dict[str, Any]:
    return next(c for c in world.xero_get("/Contacts", page=1)["Contacts"] if c["Name"] == name)


def test_prepayments_and_overpayments_made_in_xero_become_payments_on_account(world: World) -> None:
    world.deposit_taken_while_integrated()  # so PP-1 goes out from here, and must not come back
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    customer = _contact(world, "Aldgate Bakery Ltd")
    _bank_transaction(world, "RECEIVE-OVERPAYMENT", customer, "40.00", "Paid twice")
    _bank_transaction(world, "RECEIVE-PREPAYMENT", customer, "125.50", "Deposit by phone")
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    # The demo's own prepayment PP-1 went out from here: read back, never imported as a second payment.
    assert report.skipped_ours == 1
    assert (report.on_account, report.failed) == (2, 0)
    with session_scope(world.sessions) as session:
        rows = {p.reference: p for p in session.scalars(select(PackagePayment))}
        assert rows["Paid twice"].status == ImportStatus.CREATED_ON_ACCOUNT.value
        assert "Xero receipt Paid twice of GBP 40.00" in (rows["Paid twice"].diagnostic or "")
        assert "from Aldgate Bakery Ltd" in (rows["Paid twice"].diagnostic or "")
        made = session.scalars(select(Payment).where(Payment.kind == "on_account")).all()
        assert sorted(p.amount for p in made) == [Decimal("40.00"), Decimal("125.50")]
        party = session.get_one(Party, made[0].party_id)
        assert party.name == "Aldgate Bakery Ltd" and all(not p.allocations for p in made)
    again = importer.create_and_allocate(report=importer.fetch())
    assert again.created == 0 and again.new == 0


def test_overpayment_from_a_contact_not_exported_is_diagnosed_with_names_and_amounts(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    stranger = _as_user(world, "PUT", "/Contacts", {"Contacts": [{"Name": "Walk-in Customer"}]})["Contacts"][0]
    _bank_transaction(world, "RECEIVE-OVERPAYMENT", stranger, "12.00", "Cash over")
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    assert report.failed == 1 and report.on_account == 0
    message = report.diagnostics[0]["message"]
    assert "Cash over" in message and "12.00" in message and "Walk-in Customer" in message
    assert "not exported from here" in message


def test_deleted_payment_is_reversed_with_the_document_and_amount_in_the_reason(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    invoice = _xero_invoice(world, "INV-1004")
    payment = world.pay(invoice["InvoiceID"], "7.25")
    payment_id = (payment.get("Payments") or [payment])[0]["PaymentID"]
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    importer.create_and_allocate(report=importer.fetch())
    _as_user(world, "POST", f"/Payments/{payment_id}", {"Status": "DELETED"})
    report = importer.fetch()
    assert report.reversed == 1
    with session_scope(world.sessions) as session:
        reversed_payment = session.scalars(select(Payment).where(Payment.reversed_at.is_not(None))).one()
        assert "deleted in Xero" in (reversed_payment.reversed_reason or "")
        assert "7.25" in (reversed_payment.reversed_reason or "") and "INV-1004" in reversed_payment.reversed_reason


def _xero_invoice(world: World, number: str) -> dict:
    """An invoice as Xero holds it, found by its number (the path takes only Xero's id)."""
    return world.xero_get("/Invoices", InvoiceNumbers=number, page=1)["Invoices"][0]  # type: ignore[no-any-return]


def test_our_prepayment_whose_answer_was_lost_is_not_imported_as_one_made_in_xero(world: World) -> None:
    """The database restarted after Xero created our prepayment and before its id was written here (the state a
    crash leaves: an attempt, no package id). An import then must not take it for money received in Xero."""
    world.deposit_taken_while_integrated()  # so PP-1 goes out from here (R-PAY1)
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    with session_scope(world.sessions) as session:
        record = session.scalars(select(SyncRecord).where(SyncRecord.connection_id == world.conn_id,
                                                          SyncRecord.record_type == "payment")).one()
        sent_as = record.external_id
        assert sent_as and record.attempt_key
        record.external_id, record.status = None, SyncStatus.IN_PROGRESS.value
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    assert (report.skipped_ours, report.new, report.created, report.on_account) == (1, 0, 0, 0)
    Exporter(world.sessions, world.conn_id, world.connector()).upload()  # finds it in Xero by its reference
    with session_scope(world.sessions) as session:
        assert session.get_one(SyncRecord, record.id).external_id == sent_as
        assert session.scalars(select(PackagePayment)).all() == []
        assert len(session.scalars(select(Payment)).all()) == 1  # PP-1, once
