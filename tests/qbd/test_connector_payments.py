"""Money after invoices on QuickBooks Desktop, through the real engine (``PaymentImporter``, the exporter's
payment step, ``AllocationSync``): payments a QuickBooks user receives and bills they pay come back and are
allocated, never twice; one deleted there is reversed here; the rest of an overpayment is a payment on account; a
prepayment taken here goes out as a payment applied to nothing and is applied to its order's invoices once they
are in QuickBooks; a credit memo applied there is recorded here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import AllocationExport
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.packages.qbd.reads import PAGE_SIZE_SETTING
from ledgerbridge.packages.qbd.sandbox.user_actions import apply_credit, delete_payment, pay_bill
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Allocation, Document, Payment, PaymentKind
from ledgerbridge.store.models.sync import (
    Connection,
    ImportStatus,
    PackagePayment,
    RecordType,
    SyncRecord,
    SyncStatus,
)
from ledgerbridge.sync.importer import PaymentImporter

from .world import QbdWorld, open_world

# The demo's order SO-7001 ships in two parts: INV-1101 (day 9) 455.98 and INV-1102 (day 17) 729.58.
INV_1101 = Decimal("455.98")
INV_1102 = Decimal("729.58")


def allocated(world: QbdWorld) -> dict[str, Decimal]:
    with session_scope(world.sessions) as session:
        return {n: a for n, a in session.execute(
            select(Document.number, Allocation.amount).join(Allocation)
            .join(Payment, Payment.id == Allocation.payment_id).where(Payment.origin == "package"))}


def imported(world: QbdWorld) -> int:
    with session_scope(world.sessions) as session:
        return session.scalar(select(func.count(Payment.id)).where(Payment.origin == "package")) or 0


def test_payments_made_in_quickbooks_are_imported_and_allocated_once(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.exporter().upload()
        full, part, bill = world.one("INV-1001", "Invoice"), world.one("INV-1002", "Invoice"), world.one("SUP-881")
        half = (part.total / 2).quantize(Decimal("0.01"))
        world.pay("INV-1001", full.total)
        world.pay("INV-1002", half)
        pay_bill(world.company, bill.txn_id, bill.total, reference="CHQ 1")  # money out
        importer = PaymentImporter(sessions, world.conn_id, world.connector())
        trips = world.pump.counts()[0]
        report = importer.fetch()
        assert world.pump.counts()[0] - trips == 1  # the three kinds of payment, paged together
        assert report.new == 3
        importer.create_and_allocate(report=report)
        assert (report.created, report.allocated, report.failed) == (3, 3, 0), report.diagnostics
        assert allocated(world) == {"INV-1001": full.total, "INV-1002": half, "SUP-881": bill.total}
        with session_scope(sessions) as session:
            rows = session.scalars(select(PackagePayment)).all()
            assert {r.status for r in rows} == {ImportStatus.CREATED_AND_ALLOCATED.value}
            assert sorted(r.direction for r in rows) == ["in", "in", "out"]
            assert {r.bank_account_code for r in rows} == {"1499", "1000"}  # undeposited funds; the bank
        again = importer.fetch()  # the look-back reads them again, and the deletions since
        importer.create_and_allocate(report=again)
        assert (again.new, again.created) == (0, 0) and imported(world) == 3
        assert "<TxnDeletedQueryRq" in world.pump.messages[-1] or any(
            "<TxnDeletedQueryRq" in m for m in world.pump.messages)
        # the connection's page size (MaxReturned): a page of one, so the two payments received take two exchanges
        with session_scope(sessions) as session:
            conn = session.get_one(Connection, world.conn_id)
            conn.settings = {**conn.settings, PAGE_SIZE_SETTING: 1}
        trips = world.pump.counts()[0]
        paged = PaymentImporter(sessions, world.conn_id, world.connector()).fetch()
        assert world.pump.counts()[0] - trips == 2 and "<MaxReturned>1</MaxReturned>" in world.pump.messages[-2]
        assert (paged.fetched, paged.new) == (3, 0)


def test_a_payment_deleted_in_quickbooks_is_reversed_here(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.exporter().upload()
        paid = world.pay("INV-1005", Decimal("5.00"))
        importer = PaymentImporter(sessions, world.conn_id, world.connector())
        importer.create_and_allocate(report=importer.fetch())
        delete_payment(world.company, paid)
        report = importer.fetch()
        assert (report.deleted_in_package, report.reversed) == (1, 1)
        with session_scope(sessions) as session:
            payment = session.scalars(select(Payment).where(Payment.origin == "package")).one()
            assert payment.reversed_at is not None
            assert "deleted in QuickBooks Desktop" in (payment.reversed_reason or "")


def test_the_rest_of_an_overpayment_is_a_payment_on_account(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.exporter().upload()
        invoice = world.one("INV-1008", "Invoice")
        paid = world.pay("INV-1008", invoice.total, invoice.total + Decimal("25.00"))
        importer = PaymentImporter(sessions, world.conn_id, world.connector())
        report = importer.create_and_allocate(report=importer.fetch())
        assert (report.created, report.allocated, report.on_account) == (2, 1, 1), report.diagnostics
        with session_scope(sessions) as session:
            parts = {r.external_id: r for r in session.scalars(select(PackagePayment))}
        assert set(parts) == {f"{paid}:{invoice.txn_id}", f"{paid}:unapplied"}
        assert parts[f"{paid}:unapplied"].amount == Decimal("25.00")


def test_a_prepayment_goes_out_unapplied_and_is_applied_to_its_orders_invoices(
        sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        with session_scope(sessions) as session:  # the deposit was taken while integrated: it goes out (R-PAY1)
            deposit = session.scalars(select(Payment).where(Payment.host_id == "PP-1")).one()
            deposit.made_while_integrated = True
            deposit.amount = Decimal("1300.00")
        report = world.exporter().upload().payments
        assert (report["exported"], report["allocations_sent"], report["failed"]) == (1, 2, 0), report["problems"]
        payment = next(t for t in world.txns("ReceivePayment"))
        applied = {a.target_id: a.amount for a in payment.applications}
        assert applied == {world.one("INV-1101").txn_id: INV_1101, world.one("INV-1102").txn_id: INV_1102}
        assert payment.total == Decimal("1300.00")  # the rest stays the customer's credit in QuickBooks
        assert payment.ref_number == "PP-1" and payment.external_guid
        assert world.pump.request_kinds["ReceivePaymentModRq"] == 1  # applied by changing the payment itself
        with session_scope(sessions) as session:
            record = session.scalars(select(SyncRecord).where(
                SyncRecord.record_type == RecordType.PAYMENT.value)).one()
            assert record.status == SyncStatus.SEEN.value and record.external_id == payment.txn_id
            held = {n: a for n, a in session.execute(select(Document.number, Allocation.amount).join(Allocation))}
            assert held == {"INV-1101": INV_1101, "INV-1102": INV_1102}
        again = world.exporter().upload().payments
        assert (again["exported"], again["allocations_sent"], again["failed"]) == (0, 0, 0), again["problems"]
        # and the import knows it for ours
        importer = PaymentImporter(sessions, world.conn_id, world.connector())
        fetched = importer.fetch()
        assert fetched.new == 0 and fetched.skipped_ours >= 1


def test_a_prepayment_whose_answer_was_lost_is_found_not_sent_again(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.exporter().upload()
        with session_scope(sessions) as session:
            deposit = session.scalars(select(Payment).where(Payment.kind == PaymentKind.PREPAYMENT.value)).one()
            deposit.made_while_integrated = True
        world.pump.drop_next_answer(lambda message: "<ReceivePaymentAddRq" in message, resume=False)
        first = world.exporter().upload().payments
        assert first["exported"] == 0
        world.pump.resume()  # the Web Connector's next run
        second = world.exporter().upload().payments
        assert second["recovered"] == 1 and second["exported"] == 0
        assert len(world.txns("ReceivePayment")) == 1


def test_credit_memos_are_applied_both_ways_with_allocation_sync(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, settings={"allocation_sync": True}) as world:
        report = world.exporter().upload()
        # here -> QuickBooks: CN-2001 credits INV-1002 in the host; a payment of nothing applies it there
        assert report.payments["allocation_sync"]["pushed"] == 1, report.payments["allocation_sync"]
        memo, invoice = world.one("CN-2001", "CreditMemo"), world.one("INV-1002", "Invoice")
        zero = next(t for t in world.txns("ReceivePayment"))
        assert zero.total == 0 and [(a.target_id, a.credits) for a in zero.applications] == [
            (invoice.txn_id, [(memo.txn_id, memo.total)])]
        # QuickBooks -> here: its user applies CN-2002 to INV-1019 (both Eastgate Motors')
        other, target = world.one("CN-2002", "CreditMemo"), world.one("INV-1019", "Invoice")
        apply_credit(world.company, other.txn_id, target.txn_id, Decimal("10.00"))
        importer = PaymentImporter(sessions, world.conn_id, world.connector())
        pulled = importer.create_and_allocate(report=importer.fetch())
        assert pulled.created == 0  # a payment of nothing that only spends a credit moves no money (R-I3)
        with session_scope(sessions) as session:
            held = {(session.get_one(Document, a.credit_document_id).number,
                     session.get_one(Document, a.invoice_document_id).number): a.amount
                    for a in session.scalars(select(CreditAllocation))}
        assert held == {("CN-2001", "INV-1002"): memo.total, ("CN-2002", "INV-1019"): Decimal("10.00")}
        credit = world.connector().read_credits("credit_note", [other.txn_id])[other.txn_id]
        assert credit.remaining == other.total - Decimal("10.00")
        assert [(a.invoice_external_id, a.amount) for a in credit.allocations] == [(target.txn_id, Decimal("10.00"))]
        # Credits as they stand are read in one exchange however many (TxnID repeated), not one per credit (a
        # memo's links name the invoices it went to here; one linked to payments only costs one exchange more).
        memos = {t.txn_id: t for t in world.txns("CreditMemo")}
        assert len(memos) >= 2
        reader = world.connector()
        held_now = reader.read_credits("credit_note", [*memos, other.txn_id])
        assert reader.calls.exchanges == 1
        assert sorted(held_now) == sorted(memos)
        assert (held_now[memo.txn_id].remaining, held_now[other.txn_id].remaining) == (
            Decimal(0), other.total - Decimal("10.00"))
        assert held_now[memo.txn_id].allocations[0].invoice_external_id == invoice.txn_id
        payments = [t.txn_id for t in world.txns("ReceivePayment")]
        assert len(payments) >= 2
        reader = world.connector()
        assert sorted(reader.read_credits("prepayment", payments)) == sorted(payments)
        assert reader.calls.exchanges == 1


def _with_supplier_credits() -> dict[str, Any]:
    """The demo's month and two supplier credit notes of SUP-881's supplier: SCN-1 credits SUP-881 here (pushed
    with allocation sync), SCN-2 credits nothing here (its QuickBooks user applies it to a bill there)."""
    batch = demo_batch()
    bill = next(d for d in batch["documents"] if d["number"] == "SUP-881")
    line = {**bill["lines"][0], "quantity": "1", "unit_price": "10.00", "net": "10.00", "tax": "2.00",
            "tax_code": "T1"}
    for number, credits in (("SCN-1", bill["host_id"]), ("SCN-2", None)):
        batch["documents"].append({
            "host_id": number, "type": "purchase_credit_note", "number": number, "status": "posted",
            "issue_date": bill["issue_date"], "party_host_id": bill["party_host_id"], "currency": bill["currency"],
            "lines": [line], **({"credits_document_host_id": credits} if credits else {})})
    return batch


def test_supplier_credits_are_applied_to_bills_both_ways_with_allocation_sync(
        sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, settings={"allocation_sync": True}, batch=_with_supplier_credits()) as world:
        report = world.exporter().upload()
        # here -> QuickBooks: SCN-1 credits SUP-881 in the host; a bill payment of nothing spends it there, as Pay
        # Bills with "Set Credits" does (13.0 and 16.0 alike; every message XSD-checked by the pump)
        assert report.payments["allocation_sync"]["pushed"] == 2, report.payments["allocation_sync"]  # + CN-2001
        credit, bill = world.one("SCN-1", "VendorCredit"), world.one("SUP-881", "Bill")
        assert credit.total == Decimal("12.00")
        cheque = next(t for t in world.txns("BillPaymentCheck"))
        assert cheque.total == 0 and cheque.entity_id == bill.entity_id
        assert [(a.target_id, a.amount, a.credits) for a in cheque.applications] == [
            (bill.txn_id, Decimal(0), [(credit.txn_id, Decimal("12.00"))])]
        assert "<IsToBePrinted>false</IsToBePrinted>" in next(m for m in world.pump.messages
                                                              if "<BillPaymentCheckAddRq" in m)
        # the sandbox's books: the bill's open amount and the vendor credit's remainder both fell by the credit
        held = world.connector().read_credits("credit_note", [credit.txn_id])[credit.txn_id]
        assert (held.total, held.remaining) == (Decimal("12.00"), Decimal(0))
        assert [(a.invoice_external_id, a.amount) for a in held.allocations] == [(bill.txn_id, Decimal("12.00"))]
        reader = world.connector()
        read_bill = reader.read_back_documents([("purchase_invoice", bill.txn_id)])[bill.txn_id]
        assert (read_bill.amount_due, read_bill.amount_credited) == (bill.total - Decimal("12.00"), Decimal("12.00"))
        # a second run sends nothing: QuickBooks already holds the allocation
        again = world.exporter().upload()
        assert again.payments["allocation_sync"]["pushed"] == 0, again.payments["allocation_sync"]
        assert len(world.txns("BillPaymentCheck")) == 1
        # QuickBooks -> here: its user applies SCN-2 to SUP-881 (the same vendor's)
        other = world.one("SCN-2", "VendorCredit")
        apply_credit(world.company, other.txn_id, bill.txn_id, Decimal("5.00"))
        importer = PaymentImporter(sessions, world.conn_id, world.connector())
        pulled = importer.create_and_allocate(report=importer.fetch())
        assert pulled.created == 0  # a bill payment of nothing that only spends a credit moves no money
        with session_scope(sessions) as session:
            recorded = {(session.get_one(Document, a.credit_document_id).number,
                         session.get_one(Document, a.invoice_document_id).number): a.amount
                        for a in session.scalars(select(CreditAllocation))}
        assert recorded[("SCN-1", "SUP-881")] == Decimal("12.00")
        assert recorded[("SCN-2", "SUP-881")] == Decimal("5.00")
        # credit memos and vendor credits as they stand: one exchange for both kinds
        reader = world.connector()
        both = reader.read_credits("credit_note", [credit.txn_id, other.txn_id, world.one("CN-2001").txn_id])
        assert reader.calls.exchanges == 1 and len(both) == 3
        assert both[other.txn_id].remaining == Decimal("7.00")
        # QuickBooks' own check holds on the sandbox: more than is left of a credit is refused with its words, and
        # nothing is written
        too_much = AllocationExport("k", "credit_note", other.txn_id, bill.txn_id, Decimal("7.01"), date(2026, 12, 8))
        outcome = reader.export_allocations([too_much], "batch-1")["k"]
        assert not outcome.ok and "credit remaining" in (outcome.message or ""), outcome
        assert len(world.txns("BillPaymentCheck")) == 2

