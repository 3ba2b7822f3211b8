"""Payments made in Xero come back: fetched since a cursor, created here and allocated, never twice."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from ledgerbridge.db import session_scope
from ledgerbridge.exporter import Exporter
from ledgerbridge.importer import PaymentImporter
from ledgerbridge.models_host import Allocation, Document, Payment
from ledgerbridge.models_sync import ImportStatus, PackagePayment, SyncCursor

from .conftest import World


def _invoice(world: World, number: str) -> dict:
    return world.xero_get(f"/Invoices/{number}")["Invoices"][0]


def test_payments_are_imported_allocated_and_never_duplicated(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    full = _invoice(world, "INV-1001")
    part = _invoice(world, "INV-1002")
    bill = world.xero_get("/Invoices", page=1, where='Type=="ACCPAY"')["Invoices"][0]
    world.pay(full["InvoiceID"], str(full["Total"]))
    half = (Decimal(str(part["Total"])) / 2).quantize(Decimal("0.01"))
    world.pay(part["InvoiceID"], str(half))
    world.pay(bill["InvoiceID"], str(bill["Total"]))
    assert _invoice(world, "INV-1001")["Status"] == "PAID"

    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.fetch()
    assert report.new == 3
    importer.create_and_allocate(report=report)
    assert (report.created, report.allocated, report.failed) == (3, 3, 0)
    with session_scope(world.sessions) as session:
        allocated = dict(session.execute(select(Document.number, Allocation.amount).join(Allocation)).all())
        assert allocated["INV-1001"] == Decimal(str(full["Total"]))
        assert allocated["INV-1002"] == half
        statuses = set(session.scalars(select(PackagePayment.status)))
        assert statuses == {ImportStatus.CREATED_AND_ALLOCATED.value}
        assert session.scalar(select(SyncCursor.bookmark)) is not None

    # Importing again (the look-back re-reads the same payments) never duplicates.
    again = importer.fetch()
    importer.create_and_allocate(report=again)
    assert again.created == 0 and again.new == 0
    with session_scope(world.sessions) as session:
        assert session.scalar(select(func.count(Payment.id)).where(Payment.origin == "package")) == 3


def test_payment_on_a_document_not_uploaded_from_here_is_diagnosed(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    # An invoice keyed straight into Xero by someone, then paid there.
    token = world.access_token()
    contact = world.xero_get("/Contacts", page=1)["Contacts"][0]
    with world.xero() as http:
        made = http.put("/api.xro/2.0/Invoices", headers={"Authorization": f"Bearer {token}",
                                                         "xero-tenant-id": world.tenant_id},
                        json={"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]},
                                            "InvoiceNumber": "XERO-ONLY-1", "Status": "AUTHORISED",
                                            "Date": "2026-10-20",
                                            "LineItems": [{"Description": "Keyed in Xero", "Quantity": 1,
                                                           "UnitAmount": 50, "AccountCode": "200",
                                                           "TaxType": "OUTPUT2"}]}]})
        made.raise_for_status()
    invoice = made.json()["Invoices"][0]
    world.pay(invoice["InvoiceID"], "10.00")
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    assert report.created == 0 and report.failed == 1
    message = report.diagnostics[0]["message"]
    assert "XERO-ONLY-1" in message and "not uploaded from here" in message and "10.00" in message


def test_payment_deleted_in_xero_is_reversed_here(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    invoice = _invoice(world, "INV-1005")
    payment = world.pay(invoice["InvoiceID"], "5.00")
    payment_id = (payment.get("Payments") or [payment])[0]["PaymentID"]
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    importer.create_and_allocate(report=importer.fetch())
    token = world.access_token()
    with world.xero() as http:
        http.post(f"/api.xro/2.0/Payments/{payment_id}", json={"Status": "DELETED"},
                  headers={"Authorization": f"Bearer {token}", "xero-tenant-id": world.tenant_id}).raise_for_status()
    report = importer.fetch()
    assert report.deleted_in_package == 1 and report.reversed == 1
    with session_scope(world.sessions) as session:
        reversed_payment = session.scalar(select(Payment).where(Payment.origin == "package"))
        assert reversed_payment.reversed_at is not None and "deleted in Xero" in reversed_payment.reversed_reason
