"""The books page and the admin API, served for real on loopback, and the QuickBooks user of the tests and demo:
what they do lands in the company the Web Connector reads (checked through qbXML queries)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from ledgerbridge.packages.qbd.sandbox.processor import RequestProcessorError
from ledgerbridge.packages.qbd.sandbox.server import RunningSandbox, start_qbd_sandbox
from ledgerbridge.packages.qbd.sandbox.user import QbdUser, QuickBooksRefused
from ledgerbridge.sandboxes.package_user import PackageUser

from .conftest import Qb, expense, line, make_qb


@pytest.fixture
def served() -> Iterator[tuple[Qb, RunningSandbox]]:
    qb = make_qb()
    with start_qbd_sandbox(qb.company) as sandbox:
        yield qb, sandbox


def _open(qb: Qb, txn_id: str, kind: str = "Invoice") -> str:
    field = "BalanceRemaining" if kind == "Invoice" else "OpenAmount"
    return qb.ok(f"<{kind}QueryRq><TxnID>{txn_id}</TxnID></{kind}QueryRq>").findtext(field, "")


def test_the_user_pays_overpays_credits_edits_voids_and_deletes(served: tuple[Qb, RunningSandbox]) -> None:
    qb, sandbox = served
    user: PackageUser = QbdUser(sandbox.base_url)
    qb.customer("Acme")
    first = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    second = qb.invoice("Acme", line("50.00")).findtext("TxnID", "")
    payment = user.pay(first, Decimal("40.00"))
    assert _open(qb, first) == "60.00"
    user.overpay(second, Decimal("50.00"), Decimal("5.00"))
    assert qb.ok("<CustomerQueryRq><FullName>Acme</FullName></CustomerQueryRq>").findtext("Balance") == "55.00"
    memo = qb.ok("<CreditMemoAddRq><CreditMemoAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                 "<CreditMemoLineAdd><Desc>Sorry</Desc><Amount>10.00</Amount></CreditMemoLineAdd></CreditMemoAdd>"
                 "</CreditMemoAddRq>").findtext("TxnID", "")
    user.allocate_credit(memo, first, Decimal("10.00"))
    assert _open(qb, first) == "50.00"
    user.add_to_total(first, Decimal("20.00"))
    assert _open(qb, first) == "70.00"  # Consulting is non-taxable in the US seed: no sales tax on the new line
    user.delete_payment(payment)
    assert _open(qb, first) == "110.00"
    with pytest.raises(QuickBooksRefused) as refused:
        user.void(first)  # the credit memo is still set against it
    assert refused.value.status_code == 3170
    with pytest.raises(QuickBooksRefused) as overpaid:
        user.pay(first, Decimal("999.00"))
    assert overpaid.value.status_code == 3210 and "You cannot pay more than the amount due." in str(overpaid.value)
    user.close()


def test_the_user_pays_a_bill(served: tuple[Qb, RunningSandbox]) -> None:
    qb, sandbox = served
    user = QbdUser(sandbox.base_url)
    qb.vendor("Parts Co")
    bill = qb.bill("Parts Co", expense("80.00")).findtext("TxnID", "")
    user.pay(bill, Decimal("80.00"), bill=True)
    assert _open(qb, bill, "Bill") == "0.00"
    paid = qb.ok("<BillPaymentCheckQueryRq><IncludeLineItems>true</IncludeLineItems></BillPaymentCheckQueryRq>")
    assert (paid.findtext("BankAccountRef/FullName"), paid.findtext("AppliedToTxnRet/TxnID")) == ("Checking", bill)


def test_the_books_page_lists_and_records_payments(served: tuple[Qb, RunningSandbox]) -> None:
    qb, sandbox = served
    qb.customer("Acme &amp; Sons")
    invoice = qb.invoice("Acme &amp; Sons", line("100.00"), ref="INV-7")
    txn_id = invoice.findtext("TxnID", "")
    with httpx.Client(base_url=sandbox.base_url, follow_redirects=True) as browser:
        page = browser.get("/sandbox/")
        assert page.status_code == 200
        assert "name='viewport'" in page.text and "@media (max-width:640px)" in page.text  # made for a phone too
        assert "Acme &amp; Sons" in page.text and "INV-7" in page.text and "Receive payment" in page.text
        done = browser.post("/sandbox/ui/receive-payment", data={"target": txn_id, "amount": "30.00",
                                                                 "date": "2025-03-02", "reference": "CHK 12"})
        assert "Payment received" in done.text
        refused = browser.post("/sandbox/ui/receive-payment", data={"target": txn_id, "amount": "500.00"})
        assert "You cannot pay more than the amount due." in refused.text and "note err" in refused.text
        bad = browser.post("/sandbox/ui/receive-payment", data={"target": txn_id, "amount": "ten"})
        assert "amount must be a number" in bad.text
    assert _open(qb, txn_id) == "70.00"
    payment = qb.ok("<ReceivePaymentQueryRq/>")
    assert (payment.findtext("RefNumber"), payment.findtext("TxnDate")) == ("CHK 12", "2025-03-02")


def test_admin_api_books_faults_and_reset(served: tuple[Qb, RunningSandbox]) -> None:
    qb, sandbox = served
    qb.customer("Acme")
    qb.invoice("Acme", line("12.00"))
    with httpx.Client(base_url=sandbox.base_url) as admin:
        books = admin.get("/sandbox/books").json()
        assert books["company"]["edition"] == "US"
        assert [(row["kind"], row["total"], row["open"]) for row in books["transactions"]] == [
            ("Invoice", "12.00", "12.00")]
        assert admin.post("/sandbox/payments", json={"invoice_id": "nope", "amount": "1"}).status_code == 400
        assert admin.post("/sandbox/faults", json={"quickbooks_running": False}).json()["quickbooks_running"] is False
        with pytest.raises(RequestProcessorError):
            qb.company.begin_session("komet_sales")
        assert admin.post("/sandbox/faults", json={"bogus": 1}).status_code == 400
        assert admin.delete("/sandbox/faults").json() == {"quickbooks_running": True, "crash_after_requests": None}
        assert admin.post("/sandbox/reset").json() == {"reset": True}
    assert qb.one("<InvoiceQueryRq/>").get("statusCode") == "1"
    assert qb.ok("<AccountQueryRq><FullName>Checking</FullName></AccountQueryRq>").findtext("Name") == "Checking"
