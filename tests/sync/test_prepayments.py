"""Prepayments out to Xero (R-E6): after the order's invoices are confirmed, split over them, remainder kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Allocation, Document, Payment
from ledgerbridge.store.models.sync import RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.grids import error_feedback
from ledgerbridge.sync.payment_export import PaymentExporter
from ledgerbridge.web.queries import latest_errors

from .conftest import World

# The demo's order SO-7001 ships in two parts: INV-1101 (day 9) 455.98 and INV-1102 (day 17) 729.58.
INV_1101 = Decimal("455.98")
INV_1102 = Decimal("729.58")


def _deposit(world: World, amount: str, currency: str = "GBP") -> World:
    """The demo's deposit PP-1 against SO-7001, of another amount (or currency) than the demo's 300.00, taken while
    the integration is on (one taken before never goes out, R-PAY1)."""
    world.deposit_taken_while_integrated()
    with session_scope(world.sessions) as session:
        payment = session.scalars(select(Payment)).one()
        payment.amount = Decimal(amount)
        payment.currency = currency
    return world


@pytest.fixture
def deposit_world(world: World) -> World:
    return _deposit(world, "1300.00")


def _doc_id(session: Session, number: str) -> int:
    return session.scalar(select(Document.id).where(Document.number == number))  # type: ignore[return-value]


def _payment_record(session: Session) -> SyncRecord:
    return session.scalars(select(SyncRecord).where(SyncRecord.record_type == RecordType.PAYMENT.value)).one()


def test_prepayment_waits_for_invoices_then_splits_in_invoice_order_and_keeps_the_remainder(
        deposit_world: World) -> None:
    world = deposit_world
    with session_scope(world.sessions) as session:
        first_part = [_doc_id(session, "INV-1101")]
    Exporter(world.sessions, world.conn_id, world.connector()).upload(first_part)
    early = PaymentExporter(world.sessions, world.conn_id, world.connector()).upload()
    assert early.exported == 0 and early.waiting == 1
    assert "INV-1102" in early.waits[0]["waits_for"]
    assert world.xero_get("/Prepayments")["Prepayments"] == []
    with session_scope(world.sessions) as session:
        record = _payment_record(session)
        assert record.status == SyncStatus.PENDING.value and "waits for invoice INV-1102" in (record.last_error or "")

    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    payments = report.payments
    assert (payments["exported"], payments["allocations_sent"], payments["failed"]) == (1, 2, 0)
    remainder = Decimal("1300.00") - INV_1101 - INV_1102
    assert payments["prepayments"] == [{"payment": "PP-1", "order": "SO-7001", "currency": "GBP",
                                        "amount": "1300.00", "allocated": str(INV_1101 + INV_1102),
                                        "remaining": str(remainder)}]
    prepayment = world.xero_get("/Prepayments")["Prepayments"][0]
    assert Decimal(str(prepayment["RemainingCredit"])) == remainder
    assert _xero_invoice(world, "INV-1101")["AmountDue"] == 0
    assert _xero_invoice(world, "INV-1102")["AmountDue"] == 0
    with session_scope(world.sessions) as session:
        held = dict(session.execute(select(Document.number, Allocation.amount).join(Allocation)).all())
        assert held == {"INV-1101": INV_1101, "INV-1102": INV_1102}
        record = _payment_record(session)
        assert record.status == SyncStatus.SEEN.value and record.external_id == prepayment["PrepaymentID"]

    # Nothing more to do: a second run sends nothing and reads nothing for a fully held prepayment.
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.payments["exported"] == 0 and again.payments["allocations_sent"] == 0
    assert len(world.xero_get("/Prepayments")["Prepayments"]) == 1


def test_prepayment_never_above_an_invoice_outstanding_amount(world: World) -> None:
    _deposit(world, "600.00")
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.payments["allocations_sent"] == 2
    first = _xero_invoice(world, "INV-1101")
    second = _xero_invoice(world, "INV-1102")
    assert Decimal(str(first["AmountCredited"])) == INV_1101  # in full, not above
    assert Decimal(str(second["AmountCredited"])) == Decimal("600.00") - INV_1101
    assert Decimal(str(world.xero_get("/Prepayments")["Prepayments"][0]["RemainingCredit"])) == 0


def test_prepayment_in_another_currency_is_refused_at_precheck(world: World) -> None:
    _deposit(world, "300.00", "EUR")
    checked = Exporter(world.sessions, world.conn_id, world.connector()).precheck()
    problems = checked.payments["problems"]
    assert len(problems) == 1
    assert problems[0]["payment"] == "PP-1"
    assert ("prepayment PP-1 (EUR 300.00) is in EUR but invoice INV-1101 of order SO-7001 is in GBP"
            in problems[0]["message"])
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert world.xero_get("/Prepayments")["Prepayments"] == []
    with session_scope(world.sessions) as session:
        assert _payment_record(session).status == SyncStatus.ERROR.value


def test_a_payment_in_error_feedback_is_named_as_the_payment(world: World) -> None:
    """Issue 12: the Error Feedback grid named a payment by its internal id ("1"); it names it as documents are
    named, by what it is and the host's id, and the screen's search finds it by that id."""
    _deposit(world, "300.00", "EUR")
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    with session_scope(world.sessions) as session:
        rows = error_feedback(session, world.conn_id).rows
        assert [r["record"] for r in rows if r["record_type"] == RecordType.PAYMENT.value] == ["prepayment PP-1"]
        found = session.execute(latest_errors(world.conn_id, "PP-1")).all()
        assert [(r.record_type, r.number) for r in found] == [(RecordType.PAYMENT.value, "PP-1")]


def test_prepayment_and_allocation_answers_lost_are_found_not_duplicated(deposit_world: World) -> None:
    world = deposit_world
    Exporter(world.sessions, world.conn_id, world.connector()).upload(_all_invoice_ids(world))
    with world.xero() as http:  # the next two writes commit in Xero but their answers never arrive
        http.post("/sandbox/faults", json={"drop_response_after_commit": 2}).raise_for_status()
    lost = PaymentExporter(world.sessions, world.conn_id, world.connector(max_attempts=1)).upload()
    assert lost.exported == 0 and lost.failed == 1
    with session_scope(world.sessions) as session:
        record = _payment_record(session)
        assert record.status == SyncStatus.IN_PROGRESS.value and record.attempt_key
    # Found by its reference, not created again; then the allocations' answer is lost too.
    found = PaymentExporter(world.sessions, world.conn_id, world.connector(max_attempts=1)).upload()
    assert found.recovered == 1 and found.exported == 0 and found.failed == 1
    # Read first, so the allocations Xero already holds are not sent twice.
    settled = PaymentExporter(world.sessions, world.conn_id, world.connector()).upload()
    assert settled.allocations_sent == 0 and settled.failed == 0 and settled.seen == 1
    assert settled.prepayments[0]["remaining"] == str(Decimal("1300.00") - INV_1101 - INV_1102)
    assert len(world.xero_get("/Prepayments")["Prepayments"]) == 1
    assert len(world.xero_get("/BankTransactions")["BankTransactions"]) == 1
    assert Decimal(str(_xero_invoice(world, "INV-1102")["AmountCredited"])) == INV_1102


def _all_invoice_ids(world: World) -> list[int]:
    with session_scope(world.sessions) as session:
        return list(session.scalars(select(Document.id).where(Document.number.in_(["INV-1101", "INV-1102"]))))


def _xero_invoice(world: World, number: str) -> dict:
    """An invoice as Xero holds it, found by its number (the path takes only Xero's id)."""
    return world.xero_get("/Invoices", InvoiceNumbers=number, page=1)["Invoices"][0]  # type: ignore[no-any-return]
