"""Payments made in QBO come back: customer Payments and BillPayments, with their LinkedTxn allocations, fetched
incrementally (a query on MetaData.LastUpdatedTime the first time, CDC after), created here and allocated, never
twice."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from ledgerbridge.db import session_scope
from ledgerbridge.exporter import Exporter
from ledgerbridge.importer import PaymentImporter
from ledgerbridge.models_host import Allocation, Document, Payment
from ledgerbridge.models_sync import ImportStatus, PackagePayment, SyncCursor

from .conftest import QboWorld


def _doc(world: QboWorld, entity: str, number: str) -> dict:
    return world.query(f"SELECT * FROM {entity} WHERE DocNumber = '{number}'")[0]


def _pay_bill(world: QboWorld, bill: dict, text: str) -> dict:
    amount = float(text)  # a JSON number, as the schema wants (two decimals survive the float round trip)
    return world.api("POST", "/billpayment", params={"requestid": f"bp-{bill['Id']}"}, json={
        "VendorRef": bill["VendorRef"], "PayType": "Check", "TotalAmt": amount, "TxnDate": "2026-11-03",
        "CheckPayment": {"BankAccountRef": {"value": "5"}},
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]})["BillPayment"]


def test_payments_are_imported_allocated_and_never_duplicated(world: QboWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    full = _doc(world, "Invoice", "INV-1001")
    part = _doc(world, "Invoice", "INV-1002")
    bill = world.query("SELECT * FROM Bill")[0]
    world.pay(full["Id"], str(full["TotalAmt"]))
    half = (Decimal(str(part["TotalAmt"])) / 2).quantize(Decimal("0.01"))
    world.pay(part["Id"], str(half))
    _pay_bill(world, bill, str(bill["TotalAmt"]))
    assert Decimal(str(_doc(world, "Invoice", "INV-1001")["Balance"])) == 0

    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.fetch()  # first run: no bookmark, so a query on every payment
    assert report.new == 3
    importer.create_and_allocate(report=report)
    assert (report.created, report.allocated, report.failed) == (3, 3, 0)
    with session_scope(world.sessions) as session:
        allocated = dict(session.execute(select(Document.number, Allocation.amount).join(Allocation)).all())
        assert allocated["INV-1001"] == Decimal(str(full["TotalAmt"]))
        assert allocated["INV-1002"] == half
        assert allocated[bill["DocNumber"]] == Decimal(str(bill["TotalAmt"]))
        assert set(session.scalars(select(PackagePayment.status))) == {ImportStatus.CREATED_AND_ALLOCATED.value}
        directions = sorted(session.scalars(select(PackagePayment.direction)))
        assert directions == ["in", "in", "out"]
        assert session.scalar(select(SyncCursor.bookmark)) is not None

    # Again: the bookmark is recent, so CDC answers; the look-back re-reads the same payments, never duplicated.
    again = importer.fetch()
    importer.create_and_allocate(report=again)
    assert again.created == 0 and again.new == 0
    with session_scope(world.sessions) as session:
        assert session.scalar(select(func.count(Payment.id)).where(Payment.origin == "package")) == 3


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
        allocated = dict(session.execute(select(Document.number, Allocation.amount).join(Allocation)).all())
    assert allocated == {"INV-1001": Decimal("10.00"), other["DocNumber"]: Decimal("20.00")}


def test_payment_deleted_in_qbo_is_reversed_here(world: QboWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    payment = world.pay(_doc(world, "Invoice", "INV-1005")["Id"], "5.00")["Payment"]
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    importer.create_and_allocate(report=importer.fetch())
    world.api("POST", "/payment", params={"operation": "delete", "requestid": "del-1"},
              json={"Id": payment["Id"], "SyncToken": payment["SyncToken"]})
    report = importer.fetch()  # CDC reports the deletion
    assert report.deleted_in_package == 1 and report.reversed == 1
    with session_scope(world.sessions) as session:
        reversed_payment = session.scalar(select(Payment).where(Payment.origin == "package"))
        assert reversed_payment.reversed_at is not None
        assert "deleted in QuickBooks Online" in reversed_payment.reversed_reason


def test_payments_older_than_cdc_reach_come_by_query(world: QboWorld) -> None:
    from datetime import UTC, datetime, timedelta

    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    world.pay(_doc(world, "Invoice", "INV-1001")["Id"], "3.00")
    batch = "GET /v3/company/{realmId}/cdc"
    calls_before = world.admin("GET", "/stats").json()["calls"].get(batch, 0)
    old = list(world.connector().fetch_payments(datetime.now(UTC) - timedelta(days=45)))
    recent = list(world.connector().fetch_payments(datetime.now(UTC) - timedelta(days=1)))
    assert [p.amount for p in old] == [p.amount for p in recent] == [Decimal("3.00")]
    assert old[0].document_number == "INV-1001" and old[0].direction == "in"
    assert world.admin("GET", "/stats").json()["calls"].get(batch, 0) - calls_before == 1  # only the recent one


def test_writes_are_audited_as_qbo_calls(world: QboWorld) -> None:
    from ledgerbridge.models_sync import AuditEvent

    connector = world.connector()
    Exporter(world.sessions, world.conn_id, connector).upload()
    connector.close()  # writes the buffered audit rows
    with session_scope(world.sessions) as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.connection_id == world.conn_id)))
    assert "qbo POST /batch" in actions and not any(a.startswith("xero ") for a in actions)
