"""Payments and settlements: balances, statuses, LastPaymentDate, the checks on what they apply to, and deletes
that put everything back where an incremental read sees it."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import AU, Books


def _error(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    return str(answer.json()["Errors"][0]["Name"])


def test_a_customer_payment_closes_what_it_pays_and_its_delete_reopens_it(
        api: httpx.Client, books: Books, admin: httpx.Client, strict_requests: None) -> None:
    customer = books.customer()
    first, second = books.invoice(customer, "100"), books.invoice(customer, "50")
    payment = books.receive(customer, (first, "110"), (second, "20"))
    assert payment["AmountReceived"] == 130 and payment["ReceiptNumber"] == "00000001"
    assert [(line["RowID"], line["Number"], line["Type"]) for line in payment["Invoices"]] == [
        (1, first["Number"], "Invoice"), (2, second["Number"], "Invoice")]
    paid, part = books.get("Sale/Invoice/Service", first["UID"]), books.get("Sale/Invoice/Service", second["UID"])
    assert (paid["Status"], paid["BalanceDueAmount"], paid["LastPaymentDate"]) == ("Closed", 0, "2026-11-05T00:00:00")
    assert (part["Status"], part["BalanceDueAmount"]) == ("Open", 35)
    assert paid["RowVersion"] != first["RowVersion"] and paid["LastModified"] >= first["LastModified"]
    assert books.get("Contact/Customer", customer["UID"])["CurrentBalance"] == 35
    assert api.delete(f"Sale/CustomerPayment/{payment['UID']}").status_code == 200
    assert api.get(f"Sale/CustomerPayment/{payment['UID']}").status_code == 404
    reopened = books.get("Sale/Invoice/Service", first["UID"])
    assert (reopened["Status"], reopened["BalanceDueAmount"]) == ("Open", 110)
    assert admin.get(f"/businesses/{AU}/deletions").json()[0]["kind"] == "CustomerPayment"
    changed = api.get("Sale/Invoice", params={"$filter": f"LastModified ge datetime'{paid['LastModified']}'"})
    assert {i["UID"] for i in changed.json()["Items"]} == {first["UID"], second["UID"]}


def test_what_a_payment_may_apply_to(api: httpx.Client, books: Books) -> None:
    acme, bolt = books.customer(), books.customer("Bolt", "CUS002")
    invoice = books.invoice(acme, "100")

    def pay(customer: dict[str, Any], applied: float, received: float | None = None, **line: Any) -> httpx.Response:
        return api.post("Sale/CustomerPayment", json={
            "DepositTo": "Account", "Account": books.account("1-1110"), "Customer": {"UID": customer["UID"]},
            "Date": "2026-11-05T00:00:00", "AmountReceived": applied if received is None else received,
            "Invoices": [{"UID": invoice["UID"], "AmountApplied": applied, "Type": "Invoice", **line}]})

    assert _error(pay(acme, 110.01)) == "AmountAppliedExceedsBalance"
    assert _error(pay(bolt, 10)) == "CardMismatch"
    assert _error(pay(acme, 10, 20)) == "OutOfBalance"
    assert _error(pay(acme, 0)) == "InvalidAmount"
    assert api.post("Sale/CustomerPayment", json={
        "DepositTo": "Account", "Account": books.account("4-1000"), "Customer": {"UID": acme["UID"]},
        "Date": "2026-11-05T00:00:00", "AmountReceived": 1,
        "Invoices": [{"UID": invoice["UID"], "AmountApplied": 1, "Type": "Invoice"}]}).status_code == 400
    ghost = pay(acme, 10, UID="6f1c4c8e-0000-4000-8000-000000000000")
    assert ghost.json()["Errors"][0]["ErrorCode"] == 150
    assert pay(acme, 110).status_code == 201
    assert _error(pay(acme, 1)) == "TransactionNotOpen"  # now Closed
    empty = api.post("Sale/CustomerPayment", json={
        "DepositTo": "UndepositedFunds", "Customer": {"UID": acme["UID"]}, "Date": "2026-11-05T00:00:00",
        "AmountReceived": 0, "Invoices": []})
    assert _error(empty) == "Required"
    other = books.invoice(acme, "10")
    undeposited = api.post("Sale/CustomerPayment", params={"returnBody": "true"}, json={
        "DepositTo": "UndepositedFunds", "Customer": {"UID": acme["UID"]}, "Date": "2026-11-05T00:00:00",
        "AmountReceived": 11, "Invoices": [{"UID": other["UID"], "AmountApplied": 11, "Type": "Invoice"}]})
    assert undeposited.status_code == 201 and undeposited.json()["Account"] is None


def test_an_invoice_with_payments_cannot_be_deleted_or_shrunk_below_them(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    invoice = books.invoice(customer, "100")
    books.receive(customer, (invoice, "60"))
    assert _error(api.delete(f"Sale/Invoice/Service/{invoice['UID']}")) == "TransactionHasPayments"
    current = books.get("Sale/Invoice/Service", invoice["UID"])
    smaller = {**current, "Lines": [{**current["Lines"][0], "Total": 50.0}]}
    assert _error(api.put(f"Sale/Invoice/Service/{invoice['UID']}", json=smaller)) == "AmountBelowAppliedPayments"
    bigger = {**current, "Lines": [{**current["Lines"][0], "Total": 200.0}]}
    after = api.put(f"Sale/Invoice/Service/{invoice['UID']}", params={"returnBody": "true"}, json=bigger).json()
    assert (after["TotalAmount"], after["BalanceDueAmount"], after["Status"]) == (220, 160, "Open")


def test_a_credit_settlement_applies_a_credit_to_open_invoices(api: httpx.Client, books: Books,
                                                              strict_requests: None) -> None:
    customer = books.customer()
    invoice, credit = books.invoice(customer, "100"), books.invoice(customer, "-20")
    settlement = books.post("Sale/CreditSettlement", {
        "CreditFromInvoice": {"UID": credit["UID"]}, "Customer": {"UID": customer["UID"]},
        "Date": "2026-11-06T00:00:00", "CreditAmount": 22.0,
        "Lines": [{"Type": "Invoice", "Sale": {"UID": invoice["UID"]}, "AmountApplied": 22.0}]})
    assert settlement["Number"] == "00000001" and settlement["Lines"][0]["Sale"]["Number"] == invoice["Number"]
    used = books.get("Sale/Invoice/Service", credit["UID"])
    assert (used["Status"], used["BalanceDueAmount"]) == ("Closed", 0)
    assert books.get("Sale/Invoice/Service", invoice["UID"])["BalanceDueAmount"] == 88
    put = api.put(f"Sale/CreditSettlement/{settlement['UID']}", json=settlement)
    assert put.status_code == 405
    assert api.delete(f"Sale/CreditSettlement/{settlement['UID']}").status_code == 200
    restored = books.get("Sale/Invoice/Service", credit["UID"])
    assert (restored["Status"], restored["BalanceDueAmount"]) == ("Credit", -22)
    too_much = api.post("Sale/CreditSettlement", json={
        "CreditFromInvoice": {"UID": credit["UID"]}, "Customer": {"UID": customer["UID"]},
        "Date": "2026-11-06T00:00:00", "CreditAmount": 30.0,
        "Lines": [{"Type": "Invoice", "Sale": {"UID": invoice["UID"]}, "AmountApplied": 30.0}]})
    assert _error(too_much) == "AmountAppliedExceedsBalance"
    not_a_credit = api.post("Sale/CreditSettlement", json={
        "CreditFromInvoice": {"UID": invoice["UID"]}, "Customer": {"UID": customer["UID"]},
        "Date": "2026-11-06T00:00:00", "CreditAmount": 1.0,
        "Lines": [{"Type": "Invoice", "Sale": {"UID": invoice["UID"]}, "AmountApplied": 1.0}]})
    assert _error(not_a_credit) == "TransactionNotOpen"


def test_supplier_payments_and_debit_settlements(api: httpx.Client, books: Books, strict_requests: None) -> None:
    supplier = books.supplier()
    bill, debit = books.bill(supplier, "100"), books.bill(supplier, "-10")
    settlement = books.post("Purchase/DebitSettlement", {
        "DebitFromBill": {"UID": debit["UID"]}, "Supplier": {"UID": supplier["UID"]}, "Date": "2026-11-06T00:00:00",
        "DebitAmount": 11.0, "Lines": [{"Type": "Bill", "Purchase": {"UID": bill["UID"]}, "AmountApplied": 11.0}]})
    assert settlement["DebitAmount"] == 11
    payment = books.post("Purchase/SupplierPayment", {
        "PayFrom": "Account", "Account": books.account("1-1110"), "Supplier": {"UID": supplier["UID"]},
        "Date": "2026-11-07T00:00:00", "AmountPaid": 1.0,
        "Lines": [{"Type": "Bill", "Purchase": {"UID": bill["UID"]}, "AmountApplied": 99.0}]})
    assert payment["AmountPaid"] == 99 and payment["PaymentNumber"] == "00000001"  # summed from the lines
    paid = books.get("Purchase/Bill/Service", bill["UID"])
    assert (paid["Status"], paid["BalanceDueAmount"], paid["AppliedToDate"]) == ("Closed", 0, 110)
    assert api.put(f"Purchase/SupplierPayment/{payment['UID']}", json=payment).status_code == 405
    assert api.delete(f"Purchase/SupplierPayment/{payment['UID']}").status_code == 200
    assert books.get("Purchase/Bill/Service", bill["UID"])["BalanceDueAmount"] == 99
    listed = api.get("Purchase/Bill", params={"$filter": "Status eq 'Open'"}).json()["Items"]
    assert [b["UID"] for b in listed] == [bill["UID"]] and listed[0]["BillType"] == "Service"


def test_refunds_pay_a_credit_or_a_debit_out(api: httpx.Client, books: Books, strict_requests: None) -> None:
    customer, supplier = books.customer(), books.supplier()
    credit, debit = books.invoice(customer, "-50"), books.bill(supplier, "-20")
    refund = books.post("Sale/CreditRefund", {
        "Invoice": {"UID": credit["UID"]}, "Customer": {"UID": customer["UID"]}, "Account": books.account("1-1110"),
        "Date": "2026-11-08T00:00:00", "Amount": 30.0, "Payee": "Acme", "Memo": "refund"})
    assert refund["Number"] == "00000001" and refund["Invoice"]["Number"] == credit["Number"]
    assert books.get("Sale/Invoice/Service", credit["UID"])["BalanceDueAmount"] == -25
    too_much = api.post("Sale/CreditRefund", json={
        "Invoice": {"UID": credit["UID"]}, "Customer": {"UID": customer["UID"]}, "Account": books.account("1-1110"),
        "Date": "2026-11-08T00:00:00", "Amount": 26.0})
    assert _error(too_much) == "AmountAppliedExceedsBalance"
    assert api.put(f"Sale/CreditRefund/{refund['UID']}", json=refund).status_code == 405
    assert api.delete(f"Sale/CreditRefund/{refund['UID']}").status_code == 200
    assert books.get("Sale/Invoice/Service", credit["UID"])["BalanceDueAmount"] == -55
    back = books.post("Purchase/DebitRefund", {
        "Bill": {"UID": debit["UID"]}, "Supplier": {"UID": supplier["UID"]}, "DepositTo": "Account",
        "Account": books.account("1-1110"), "Date": "2026-11-08T00:00:00", "Amount": 22.0})
    assert back["DepositTo"] == "Account"
    assert books.get("Purchase/Bill/Service", debit["UID"])["Status"] == "Closed"


def test_due_dates_follow_the_terms_or_the_cards(api: httpx.Client, books: Books) -> None:
    customer = books.post("Contact/Customer", {"CompanyName": "Termly", "SellingDetails": {
        "TaxCode": books.tax("GST"), "FreightTaxCode": books.tax("GST"),
        "Terms": {"PaymentIsDue": "NumberOfDaysAfterEOM", "BalanceDueDate": 20}}})
    defaulted = books.invoice(customer, "10", date="2026-11-12T00:00:00")
    assert defaulted["Terms"]["DueDate"] == "2026-12-20T00:00:00"
    sent = books.post("Sale/Invoice/Service", {
        "Date": "2026-11-12T00:00:00", "Customer": {"UID": customer["UID"]},
        "Terms": {"PaymentIsDue": "InAGivenNumberOfDays", "BalanceDueDate": 14},
        "Lines": [{"Type": "Transaction", "Total": 1.0, "Account": books.account("4-1010"),
                   "TaxCode": books.tax("GST")}]})
    assert sent["Terms"]["DueDate"] == "2026-11-26T00:00:00"
