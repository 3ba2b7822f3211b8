"""A prepayment is split against what the package says is still outstanding (R-E6, issue 12): an invoice part-paid
in the package, and not yet imported here, is offered only what it still owes there, so the package never refuses
the allocation, the rest goes to the next invoice or stays the customer's credit, and a later upload sends nothing
and shows no error."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Allocation, Document, Payment, PaymentKind
from ledgerbridge.store.models.sync import RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter

from .harness import PackageWorld

# The demo's order SO-7001 ships in two parts: INV-1101 (day 9), 2 pine desks at 189.99 (379.98 net), and INV-1102
# (day 17), the same plus 6 hours' fitting at 38.00 (607.98 net), all at the standard rate. Their totals in the
# currency a harness's host trades in: the demo's UK month (VAT 20 %), or MYOB's AU month (GST 10 %, ``in_aud``).
INVOICE_TOTALS = {"GBP": (Decimal("455.98"), Decimal("729.58")), "AUD": (Decimal("417.98"), Decimal("668.78"))}
DEPOSIT = Decimal("1300.00")
PAID_IN_PACKAGE = Decimal("300.00")


def test_prepayment_split_uses_the_package_outstanding_after_a_part_payment_made_there(world: PackageWorld) -> None:
    with session_scope(world.sessions) as session:
        currency = session.scalars(select(Document.currency).where(Document.organisation_id == world.org_id,
                                                                   Document.number == "SO-7001")).one()
    inv_1101, inv_1102 = INVOICE_TOTALS[currency]
    # The invoices go out (the deposit, taken before the connection, does not: R-PAY1) and are confirmed there.
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    first = world.remote_document("INV-1101")
    assert first is not None and first.total == inv_1101
    # The bookkeeper records part of INV-1101 paid in the package; nothing is imported here.
    user = spec_for(world.harness.kind).demo.package_user(world.base_url, world.tenant_id, world.transport)
    try:
        user.pay(first.external_id, PAID_IN_PACKAGE)
    finally:
        user.close()
    # The deposit is taken while integrated now, so it goes out on the next upload.
    world.deposit_taken_while_integrated()
    with session_scope(world.sessions) as session:
        deposit = session.scalars(select(Payment).where(Payment.organisation_id == world.org_id,
                                                        Payment.kind == PaymentKind.PREPAYMENT.value)).one()
        deposit.amount = DEPOSIT

    report = Exporter(world.sessions, world.conn_id, world.connector()).upload().payments
    offered = inv_1101 - PAID_IN_PACKAGE  # what INV-1101 still owes in the package
    assert (report["exported"], report["allocations_sent"], report["failed"]) == (1, 2, 0), report["problems"]
    assert report["prepayments"] == [{"payment": "PP-1", "order": "SO-7001", "currency": currency,
                                      "amount": str(DEPOSIT), "allocated": str(offered + inv_1102),
                                      "remaining": str(DEPOSIT - offered - inv_1102)}]
    assert {n: d.state for n in ("INV-1101", "INV-1102") if (d := world.remote_document(n))} == \
        {"INV-1101": "paid", "INV-1102": "paid"}
    with session_scope(world.sessions) as session:
        held = dict(session.execute(select(Document.number, Allocation.amount).join(Allocation)).all())
        assert held == {"INV-1101": offered, "INV-1102": inv_1102}
        record = session.scalars(select(SyncRecord).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.PAYMENT.value)).one()
        assert record.status == SyncStatus.SEEN.value and record.last_error is None

    # The remainder stays the customer's credit: the next upload sends nothing and shows no error.
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload().payments
    assert (again["exported"], again["allocations_sent"], again["failed"]) == (0, 0, 0), again["problems"]
    assert again["prepayments"] == report["prepayments"]
