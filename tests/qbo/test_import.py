"""Payments made in QBO, what is QuickBooks' own: one Payment's LinkedTxn over two invoices, CDC within its window
and a query beyond it, audit rows named as QBO calls.

Import, allocation, the cursor, bill payments and deletions are the conformance suite's (``tests/conformance``).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Allocation, Document, Payment
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter

from .conftest import QboWorld


def _doc(world: QboWorld, entity: str, number: str) -> dict:
    return world.query(f"SELECT * FROM {entity} WHERE DocNumber = '{number}'")[0]


def test_one_payment_over_two_invoices_gives_two_allocations(world: QboWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    first = _doc(world, "Invoice", "INV-1001")
    second = world.query(f"SELECT * FROM Invoice WHERE CustomerRef = '{first['CustomerRef']['value']}'")
    others = [d for d in second if d["Id"] != first["Id"] and Decimal(str(d["TotalAmt"])) > 0]
    assert others, "the demo customer of INV-1001 has a second invoice"
    other = others[0]
    world.admin("POST", f"/companies/{world.realm_id}/payments", json={
        "amount": "30.00", "date": "2026-11-04", "reference": "TWO",
        "allocations": [{"invoice_id": first["Id"], "amount": "10.00"},
                        {"invoice_id": other["Id"], "amount": "20.00"}]}).raise_for_status()
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    assert (report.created, report.failed) == (2, 0)
    with session_scope(world.sessions) as session:
        allocated = dict(session.execute(select(Document.number, Allocation.amount).join(Allocation).join(Payment)
                                         .where(Payment.origin == "package")).all())  # not the demo's prepayment
    assert allocated == {"INV-1001": Decimal("10.00"), other["DocNumber"]: Decimal("20.00")}


def test_payments_older_than_cdc_reach_come_by_query(world: QboWorld) -> None:
    from datetime import UTC, datetime, timedelta

    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    world.pay(_doc(world, "Invoice", "INV-1001")["Id"], "3.00")
    batch = "GET /v3/company/{realmId}/cdc"
    calls_before = world.admin("GET", "/stats").json()["calls"].get(batch, 0)
    # The demo's deposit PP-1 went out as a QBO Payment too (the importer skips it as its own): left out here.
    old = [p for p in world.connector().fetch_payments(datetime.now(UTC) - timedelta(days=45)) if p.reference != "PP-1"]
    recent = [p for p in world.connector().fetch_payments(datetime.now(UTC) - timedelta(days=1))
              if p.reference != "PP-1"]
    assert [p.amount for p in old] == [p.amount for p in recent] == [Decimal("3.00")]
    assert old[0].document_number == "INV-1001" and old[0].direction == "in"
    assert world.admin("GET", "/stats").json()["calls"].get(batch, 0) - calls_before == 1  # only the recent one


def test_writes_are_audited_as_qbo_calls(world: QboWorld) -> None:
    from ledgerbridge.store.models.sync import AuditEvent

    connector = world.connector()
    Exporter(world.sessions, world.conn_id, connector).upload()
    connector.close()  # writes the buffered audit rows
    with session_scope(world.sessions) as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.connection_id == world.conn_id)))
    assert "qbo POST /batch" in actions and not any(a.startswith("xero ") for a in actions)


def test_paid_invoice_numbers_come_from_the_payment_lines_not_a_query(world: QboWorld) -> None:
    """QuickBooks puts the paid invoice's number on the payment's line (``LineEx``'s ``txnReferenceNumber``), so
    an import of many payments does not query the invoices they pay (a query per 50 of them before)."""
    from datetime import UTC, datetime, timedelta

    from ledgerbridge.packages.qbo.reads import line_reference_number

    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    world.pay(_doc(world, "Invoice", "INV-1001")["Id"], "3.00")
    paid = [p for p in world.query("SELECT * FROM Payment") if p.get("PaymentRefNum") != "PP-1"]
    assert [line_reference_number(line) for p in paid for line in p["Line"]] == ["INV-1001"]
    connector = world.connector()
    connector.account_id("")  # the chart's ids (which a payment's bank account names), read once per connector
    before = world.admin("GET", "/stats").json()["calls"]
    payments = [p for p in connector.fetch_payments(datetime.now(UTC) - timedelta(days=1)) if p.reference != "PP-1"]
    assert [(p.document_number, p.amount) for p in payments] == [("INV-1001", Decimal("3.00"))]
    after = world.admin("GET", "/stats").json()["calls"]
    spent = {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0) and "/sandbox" not in k}
    assert spent == {"GET /v3/company/{realmId}/cdc": 1}  # no query of the paid invoices
