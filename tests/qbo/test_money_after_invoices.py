"""QuickBooks Online: unapplied payments come here on account (R-I1); with allocation sync on (R-X1) a credit memo
is applied to the invoice it credits by a Payment of zero that links both, and recorded here."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Document, Payment
from ledgerbridge.store.models.sync import Connection, ImportStatus, PackagePayment
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter

from .conftest import QboWorld


def _doc(world: QboWorld, entity: str, number: str) -> dict:
    return world.query(f"SELECT * FROM {entity} WHERE DocNumber = '{number}'")[0]


def test_payments_on_account_and_the_unapplied_rest_become_payments_on_account_here(world: QboWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    invoice = _doc(world, "Invoice", "INV-1001")
    customer = invoice["CustomerRef"]["value"]
    world.admin("POST", f"/companies/{world.realm_id}/payments", json={
        "amount": "50.00", "date": "2026-11-04", "reference": "ON-ACCT", "customer_id": customer,
        "allocations": []}).raise_for_status()
    world.admin("POST", f"/companies/{world.realm_id}/payments", json={
        "amount": "30.00", "date": "2026-11-05", "reference": "PART-APPLIED",
        "allocations": [{"invoice_id": invoice["Id"], "amount": "20.00"}]}).raise_for_status()
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    assert (report.on_account, report.allocated, report.failed) == (2, 1, 0)
    with session_scope(world.sessions) as session:
        on_account = sorted(p.amount for p in session.scalars(select(Payment).where(Payment.kind == "on_account")))
        assert on_account == [Decimal("10.00"), Decimal("50.00")]
        statuses = {r.reference: r.status for r in session.scalars(select(PackagePayment))
                    if r.status == ImportStatus.CREATED_ON_ACCOUNT.value}
        assert set(statuses) == {"ON-ACCT", "PART-APPLIED"}


def test_allocation_sync_applies_the_credit_memo_to_the_invoice_it_credits(world: QboWorld) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "allocation_sync": True}
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.payments["allocation_sync"]["pushed"] == 1
    memo = _doc(world, "CreditMemo", "CN-2001")
    invoice = _doc(world, "Invoice", "INV-1002")
    assert Decimal(str(memo["RemainingCredit"])) == 0
    assert Decimal(str(invoice["Balance"])) == Decimal(str(invoice["TotalAmt"])) - Decimal(str(memo["TotalAmt"]))
    with session_scope(world.sessions) as session:
        rows = session.execute(select(Document.number, CreditAllocation.amount)
                               .join(Document, Document.id == CreditAllocation.invoice_document_id)).all()
        assert [(n, a) for n, a in rows] == [("INV-1002", Decimal(str(memo["TotalAmt"])))]
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.payments["allocation_sync"]["pushed"] == 0


def test_a_vendor_credit_spent_with_cash_in_one_bill_payment_is_read_as_its_own_amount_only(world: QboWorld) -> None:
    """A QuickBooks user pays a bill partly by cheque and partly from a vendor credit, in one BillPayment: read
    back (by Id, after a credit memo Id that is not it) and pulled (changed credits), the credit is applied to the
    bill for its own amount, and the cheque is a payment of the cash alone."""
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    bill = _doc(world, "Bill", "SUP-881")
    expense = {"DetailType": "AccountBasedExpenseLineDetail", "Amount": 10.0, "AccountBasedExpenseLineDetail": {
        "AccountRef": {"value": "4"}, "TaxCodeRef": {"value": "2"}}}
    credit = world.api("POST", "/vendorcredit", json={"VendorRef": bill["VendorRef"], "DocNumber": "VC-1",
                                                      "Line": [expense]})["VendorCredit"]  # 12.00 with VAT
    due = float(bill["Balance"])  # a JSON number, as the schema wants (two decimals survive the round trip)
    paid = world.api("POST", "/billpayment", json={
        "VendorRef": bill["VendorRef"], "PayType": "Check", "TotalAmt": due - 12.0, "TxnDate": "2026-11-03",
        "CheckPayment": {"BankAccountRef": {"value": "5"}},
        "Line": [{"Amount": due, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]},
                 {"Amount": 12.0, "LinkedTxn": [{"TxnId": credit["Id"], "TxnType": "VendorCredit"}]}]})["BillPayment"]
    memo = _doc(world, "CreditMemo", "CN-2001")
    reader = world.connector()
    held = reader.read_credits("credit_note", [memo["Id"], credit["Id"]])
    assert (held[credit["Id"]].total, held[credit["Id"]].remaining) == (Decimal("12.00"), Decimal(0))
    assert [(a.invoice_external_id, a.amount) for a in held[credit["Id"]].allocations] == [(bill["Id"],
                                                                                             Decimal("12.00"))]
    pulled = {c.external_id: c for c in reader.fetch_allocations(None)}
    assert set(pulled) >= {memo["Id"], credit["Id"]} and pulled[credit["Id"]].allocations == \
        held[credit["Id"]].allocations
    cheque = [p for p in reader.fetch_payments(None) if p.external_id == paid["Id"]]
    assert [(p.document_external_id, p.amount) for p in cheque] == [(bill["Id"], Decimal(str(bill["Balance"])) - 12)]
