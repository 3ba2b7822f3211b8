"""Payments: balances and applied-to links after ReceivePayment, credits set against invoices, unapplied amounts,
bill payments by check and card, and what deleting or voiding a payment undoes."""

from __future__ import annotations

from lxml import etree

from .conftest import Qb, expense, line


def _pay(qb: Qb, invoice_id: str, paid: str, total: str | None = None, credit: str = "") -> etree._Element:
    total_part = f"<TotalAmount>{total}</TotalAmount>" if total is not None else ""
    return qb.one("<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                  f"<TxnDate>2025-03-05</TxnDate><RefNumber>CHK-1</RefNumber>{total_part}<PaymentMethodRef>"
                  f"<FullName>Check</FullName></PaymentMethodRef><AppliedToTxnAdd><TxnID>{invoice_id}</TxnID>"
                  f"<PaymentAmount>{paid}</PaymentAmount>{credit}</AppliedToTxnAdd></ReceivePaymentAdd>"
                  "</ReceivePaymentAddRq>")


def _invoice(qb: Qb, txn_id: str) -> etree._Element:
    return qb.ok(f"<InvoiceQueryRq><TxnID>{txn_id}</TxnID><IncludeLinkedTxns>true</IncludeLinkedTxns>"
                 "</InvoiceQueryRq>")


def _balance(qb: Qb) -> str:
    return qb.ok("<CustomerQueryRq><FullName>Acme</FullName></CustomerQueryRq>").findtext("Balance", "")


def test_balances_after_part_and_full_payment(qb: Qb) -> None:
    qb.customer("Acme")
    invoice = qb.invoice("Acme", line("100.00"))
    txn_id = invoice.findtext("TxnID", "")
    assert _balance(qb) == "100.00"
    paid = _pay(qb, txn_id, "60.00")
    assert paid.get("statusCode") == "0"
    payment = paid[0]
    assert (payment.findtext("TotalAmount"), payment.findtext("UnusedPayment")) == ("60.00", "0.00")
    assert (payment.findtext("AppliedToTxnRet/Amount"), payment.findtext("AppliedToTxnRet/BalanceRemaining")) == (
        "60.00", "40.00")
    after = _invoice(qb, txn_id)
    assert (after.findtext("AppliedAmount"), after.findtext("BalanceRemaining"), after.findtext("IsPaid")) == (
        "-60.00", "40.00", "false")
    assert after.findtext("LinkedTxn/TxnID") == payment.findtext("TxnID")
    assert _balance(qb) == "40.00"
    assert _pay(qb, txn_id, "40.00").get("statusCode") == "0"
    settled = _invoice(qb, txn_id)
    assert (settled.findtext("BalanceRemaining"), settled.findtext("IsPaid")) == ("0.00", "true")
    assert _balance(qb) == "0.00"


def test_paying_more_than_is_due_is_refused_as_quickbooks_words_it(qb: Qb) -> None:
    qb.customer("Acme")
    txn_id = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    refused = _pay(qb, txn_id, "129.43")
    assert refused.get("statusCode") == "3210"
    assert refused.get("statusMessage") == ('The "AppliedToTxnAdd payment amount" field has an invalid value "129.43".'
                                            "  QuickBooks error message: You cannot pay more than the amount due.")
    assert _invoice(qb, txn_id).findtext("BalanceRemaining") == "100.00"


def test_an_overpayment_keeps_the_unapplied_amount_with_the_customer(qb: Qb) -> None:
    qb.customer("Acme")
    txn_id = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    payment = _pay(qb, txn_id, "100.00", total="130.00")[0]
    assert payment.findtext("UnusedPayment") == "30.00"
    assert _balance(qb) == "-30.00"


def test_a_credit_memo_set_against_an_invoice(qb: Qb) -> None:
    qb.customer("Acme")
    txn_id = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    memo = qb.ok("<CreditMemoAddRq><CreditMemoAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                 "<CreditMemoLineAdd><Desc>Damaged</Desc><Amount>25.00</Amount></CreditMemoLineAdd>"
                 "</CreditMemoAdd></CreditMemoAddRq>")
    credit_id = memo.findtext("TxnID")
    payment = _pay(qb, txn_id, "0.00", credit=f"<SetCredit><CreditTxnID>{credit_id}</CreditTxnID>"
                                               "<AppliedAmount>25.00</AppliedAmount></SetCredit>")[0]
    assert payment.findtext("TotalAmount") == "0.00"
    assert payment.findtext("AppliedToTxnRet/LinkedTxn/TxnID") == credit_id
    invoice = _invoice(qb, txn_id)
    assert invoice.findtext("BalanceRemaining") == "75.00"
    assert [(node.findtext("TxnType"), node.findtext("Amount")) for node in invoice.findall("LinkedTxn")] == [
        ("CreditMemo", "-25.00")]
    used = qb.ok(f"<CreditMemoQueryRq><TxnID>{credit_id}</TxnID><IncludeLinkedTxns>true</IncludeLinkedTxns>"
                 "</CreditMemoQueryRq>")
    assert (used.findtext("CreditRemaining"), used.findtext("LinkedTxn/TxnID")) == ("0.00", txn_id)
    again = _pay(qb, txn_id, "0.00", credit=f"<SetCredit><CreditTxnID>{credit_id}</CreditTxnID>"
                                             "<AppliedAmount>1.00</AppliedAmount></SetCredit>")
    assert again.get("statusCode") == "3210"


def test_auto_apply_pays_the_oldest_invoices_first(qb: Qb) -> None:
    qb.customer("Acme")
    older = qb.ok("<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Acme</FullName></CustomerRef><TxnDate>2025-01-01"
                  f"</TxnDate>{line('50.00')}</InvoiceAdd></InvoiceAddRq>")
    newer = qb.invoice("Acme", line("50.00"))
    qb.ok("<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
          "<TotalAmount>70.00</TotalAmount><IsAutoApply>true</IsAutoApply></ReceivePaymentAdd></ReceivePaymentAddRq>")
    assert _invoice(qb, older.findtext("TxnID", "")).findtext("BalanceRemaining") == "0.00"
    assert _invoice(qb, newer.findtext("TxnID", "")).findtext("BalanceRemaining") == "30.00"


def test_deleting_a_payment_reopens_what_it_paid(qb: Qb) -> None:
    qb.customer("Acme")
    txn_id = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    payment_id = _pay(qb, txn_id, "100.00")[0].findtext("TxnID")
    assert _invoice(qb, txn_id).findtext("IsPaid") == "true"
    deleted = qb.one(f"<TxnDelRq><TxnDelType>ReceivePayment</TxnDelType><TxnID>{payment_id}</TxnID></TxnDelRq>")
    assert (deleted.get("statusCode"), deleted.findtext("TxnID")) == ("0", payment_id)
    reopened = _invoice(qb, txn_id)
    assert (reopened.findtext("BalanceRemaining"), reopened.find("LinkedTxn")) == ("100.00", None)
    assert qb.one(f"<ReceivePaymentQueryRq><TxnID>{payment_id}</TxnID></ReceivePaymentQueryRq>").get(
        "statusCode") == "500"


def test_payment_query_lists_applied_lines_with_include_line_items(qb: Qb) -> None:
    qb.customer("Acme")
    txn_id = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    _pay(qb, txn_id, "10.00")
    plain = qb.ok("<ReceivePaymentQueryRq/>")
    assert plain.find("AppliedToTxnRet") is None
    full = qb.ok("<ReceivePaymentQueryRq><IncludeLineItems>true</IncludeLineItems></ReceivePaymentQueryRq>")
    assert full.findtext("AppliedToTxnRet/TxnID") == txn_id


def test_bill_payments_by_check_and_card_and_a_void(qb: Qb) -> None:
    qb.vendor("Parts Co")
    bill = qb.bill("Parts Co", expense("100.00"))
    bill_id = bill.findtext("TxnID")
    credit = qb.ok("<VendorCreditAddRq><VendorCreditAdd><VendorRef><FullName>Parts Co</FullName></VendorRef>"
                   f"{expense('10.00')}</VendorCreditAdd></VendorCreditAddRq>")
    check = qb.ok("<BillPaymentCheckAddRq><BillPaymentCheckAdd><PayeeEntityRef><FullName>Parts Co</FullName>"
                  "</PayeeEntityRef><BankAccountRef><FullName>Checking</FullName></BankAccountRef><RefNumber>1001"
                  f"</RefNumber><AppliedToTxnAdd><TxnID>{bill_id}</TxnID><PaymentAmount>50.00</PaymentAmount>"
                  f"<SetCredit><CreditTxnID>{credit.findtext('TxnID')}</CreditTxnID><AppliedAmount>10.00"
                  "</AppliedAmount></SetCredit></AppliedToTxnAdd></BillPaymentCheckAdd></BillPaymentCheckAddRq>")
    assert (check.findtext("Amount"), check.findtext("AppliedToTxnRet/BalanceRemaining")) == ("50.00", "40.00")
    card = qb.ok("<BillPaymentCreditCardAddRq><BillPaymentCreditCardAdd><PayeeEntityRef><FullName>Parts Co"
                 "</FullName></PayeeEntityRef><CreditCardAccountRef><FullName>Credit Card</FullName>"
                 f"</CreditCardAccountRef><AppliedToTxnAdd><TxnID>{bill_id}</TxnID><PaymentAmount>40.00"
                 "</PaymentAmount></AppliedToTxnAdd></BillPaymentCreditCardAdd></BillPaymentCreditCardAddRq>")
    paid = qb.ok(f"<BillQueryRq><TxnID>{bill_id}</TxnID><IncludeLinkedTxns>true</IncludeLinkedTxns></BillQueryRq>")
    assert (paid.findtext("OpenAmount"), paid.findtext("IsPaid")) == ("0.00", "true")
    assert sorted(node.findtext("TxnType") or "" for node in paid.findall("LinkedTxn")) == [
        "BillPaymentCheck", "BillPaymentCreditCard", "VendorCredit"]
    voided = qb.one(f"<TxnVoidRq><TxnVoidType>BillPaymentCreditCard</TxnVoidType><TxnID>{card.findtext('TxnID')}"
                    "</TxnID></TxnVoidRq>")
    assert voided.get("statusCode") == "0"
    assert qb.ok(f"<BillQueryRq><TxnID>{bill_id}</TxnID></BillQueryRq>").findtext("OpenAmount") == "40.00"
    assert qb.ok("<BillPaymentCheckQueryRq><IncludeLineItems>true</IncludeLineItems></BillPaymentCheckQueryRq>"
                 ).findtext("AppliedToTxnRet/TxnID") == bill_id


def test_a_payment_mod_replaces_its_applications(qb: Qb) -> None:
    qb.customer("Acme")
    first = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    second = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    payment = _pay(qb, first, "80.00")[0]
    moved = qb.ok(f"<ReceivePaymentModRq><ReceivePaymentMod><TxnID>{payment.findtext('TxnID')}</TxnID><EditSequence>"
                  f"{payment.findtext('EditSequence')}</EditSequence><AppliedToTxnMod><TxnID>{second}</TxnID>"
                  "<PaymentAmount>80.00</PaymentAmount></AppliedToTxnMod></ReceivePaymentMod></ReceivePaymentModRq>")
    assert moved.findtext("AppliedToTxnRet/TxnID") == second
    assert _invoice(qb, first).findtext("BalanceRemaining") == "100.00"
    assert _invoice(qb, second).findtext("BalanceRemaining") == "20.00"


def test_a_payment_saves_the_invoice_it_pays_again(qb: Qb) -> None:
    """QuickBooks saves an invoice again when a payment is applied to it (or taken off it): its EditSequence and
    TimeModified move, so a modified-date query finds it again (the import's bookmark, the reconciliation's "paid
    after the last import") and a Mod sent with the old EditSequence is refused."""
    qb.customer("Acme")
    txn_id = qb.invoice("Acme", line("100.00")).findtext("TxnID", "")
    before = _invoice(qb, txn_id)
    payment = _pay(qb, txn_id, "60.00")[0]
    paid = _invoice(qb, txn_id)
    assert int(paid.findtext("EditSequence", "")) > int(before.findtext("EditSequence", ""))
    assert paid.findtext("TimeModified", "") >= before.findtext("TimeModified", "")
    qb.ok(f"<TxnDelRq><TxnDelType>ReceivePayment</TxnDelType><TxnID>{payment.findtext('TxnID')}</TxnID></TxnDelRq>")
    reopened = _invoice(qb, txn_id)
    assert int(reopened.findtext("EditSequence", "")) > int(paid.findtext("EditSequence", ""))
