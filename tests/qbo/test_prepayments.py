"""Prepayments out to QuickBooks Online (R-E6): a Payment applied to the order's invoices, the rest unapplied."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Allocation, Document, Payment
from ledgerbridge.store.models.sync import RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter

from .conftest import QboWorld

INV_1101 = Decimal("455.98")
INV_1102 = Decimal("729.58")


def test_prepayment_is_applied_in_invoice_order_and_the_rest_stays_unapplied(world: QboWorld) -> None:
    world.deposit_taken_while_integrated()  # one taken before connecting never goes out (R-PAY1)
    with session_scope(world.sessions) as session:
        session.scalars(select(Payment)).one().amount = Decimal("1300.00")
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (report.payments["exported"], report.payments["allocations_sent"], report.payments["failed"]) == (1, 2, 0)
    remainder = Decimal("1300.00") - INV_1101 - INV_1102
    assert report.payments["prepayments"][0]["remaining"] == str(remainder)
    payment = world.query("SELECT * FROM Payment WHERE PaymentRefNum = 'PP-1'")
    assert len(payment) == 1
    assert Decimal(str(payment[0]["UnappliedAmt"])) == remainder
    for number in ("INV-1101", "INV-1102"):
        invoice = world.query(f"SELECT * FROM Invoice WHERE DocNumber = '{number}'")[0]
        assert Decimal(str(invoice["Balance"])) == 0
    with session_scope(world.sessions) as session:
        held = dict(session.execute(select(Document.number, Allocation.amount).join(Allocation)).all())
        assert held == {"INV-1101": INV_1101, "INV-1102": INV_1102}
        record = session.scalars(select(SyncRecord).where(SyncRecord.record_type == RecordType.PAYMENT.value)).one()
        assert record.status == SyncStatus.SEEN.value
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.payments["exported"] == 0 and again.payments["allocations_sent"] == 0
    assert len(world.query("SELECT * FROM Payment WHERE PaymentRefNum = 'PP-1'")) == 1


def test_demo_deposit_goes_wholly_to_the_first_invoice(world: QboWorld) -> None:
    world.deposit_taken_while_integrated()
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.payments["prepayments"][0]["allocated"] == "300.00"
    first = world.query("SELECT * FROM Invoice WHERE DocNumber = 'INV-1101'")[0]
    assert Decimal(str(first["Balance"])) == INV_1101 - Decimal("300.00")
