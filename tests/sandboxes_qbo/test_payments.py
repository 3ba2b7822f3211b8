"""Balances after payments (partial, full, unapplied), allocation limits, voids and deletes, bill payments,
and the admin/books-page way of recording a customer's payment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from ledgerbridge.packages.qbo.sandbox import RunningSandbox

from .conftest import REALM, create_customer, create_invoice, create_vendor, fault, ok, pay, sales_line


def d(value: Any) -> Decimal:
    return Decimal(str(value))


def _invoice(qbo: httpx.Client, customer: dict[str, Any], net: float = 100.0) -> dict[str, Any]:
    return create_invoice(qbo, customer["Id"], sales_line(net))  # 20% VAT: total net * 1.2


@pytest.mark.usefixtures("strict_requests")
def test_partial_then_full_payment_drives_balances(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    assert d(invoice["Balance"]) == 120
    payment = ok(pay(qbo, customer["Id"], 50.0, (invoice["Id"], 50.0)), "Payment")
    assert d(payment["UnappliedAmt"]) == 0
    after = ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")
    assert d(after["Balance"]) == 70
    assert after["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "Payment"}]
    assert int(after["SyncToken"]) > int(invoice["SyncToken"])
    assert d(ok(qbo.get(f"/customer/{customer['Id']}"), "Customer")["Balance"]) == 70
    ok(pay(qbo, customer["Id"], 70.0, (invoice["Id"], 70.0)), "Payment")
    assert d(ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")["Balance"]) == 0
    assert d(ok(qbo.get(f"/customer/{customer['Id']}"), "Customer")["Balance"]) == 0


def test_unapplied_amounts_stay_on_the_payment(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    partial = ok(pay(qbo, customer["Id"], 200.0, (invoice["Id"], 120.0)), "Payment")
    assert d(partial["UnappliedAmt"]) == 80
    on_account = ok(pay(qbo, customer["Id"], 25.0), "Payment")
    assert d(on_account["UnappliedAmt"]) == 25 and on_account["Line"] == []
    assert d(ok(qbo.get(f"/customer/{customer['Id']}"), "Customer")["Balance"]) == -105


def test_allocation_above_the_open_balance_is_refused(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    error = fault(pay(qbo, customer["Id"], 130.0, (invoice["Id"], 130.0)))
    assert error["code"] == "6000" and "open balance" in error["Detail"]
    error = fault(pay(qbo, customer["Id"], 10.0, (invoice["Id"], 20.0)))
    assert error["code"] == "6000"
    other = create_customer(qbo, "Someone Else")
    assert fault(pay(qbo, other["Id"], 10.0, (invoice["Id"], 10.0)))["code"] == "6000"


def test_updating_a_payment_reallocates(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    payment = ok(pay(qbo, customer["Id"], 120.0, (invoice["Id"], 120.0)), "Payment")
    changed = ok(qbo.post("/payment", json={"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True,
                                            "Line": [{"Amount": 100.0, "LinkedTxn": [
                                                {"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]}), "Payment")
    assert d(changed["UnappliedAmt"]) == 20
    assert d(ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")["Balance"]) == 20


def test_invoice_void_only_without_payments(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    payment = ok(pay(qbo, customer["Id"], 10.0, (invoice["Id"], 10.0)), "Payment")
    current = ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")
    error = fault(qbo.post("/invoice", params={"operation": "void"},
                           json={"Id": invoice["Id"], "SyncToken": current["SyncToken"]}))
    assert error["code"] == "6000" and "payments applied" in error["Detail"]
    voided = ok(qbo.post("/payment", params={"operation": "update", "include": "void"},
                         json={"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True}), "Payment")
    assert d(voided["TotalAmt"]) == 0 and voided["PrivateNote"].startswith("Voided")
    reopened = ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")
    assert d(reopened["Balance"]) == 120 and reopened["LinkedTxn"] == []
    gone = ok(qbo.post("/invoice", params={"operation": "void"},
                       json={"Id": invoice["Id"], "SyncToken": reopened["SyncToken"]}), "Invoice")
    assert d(gone["TotalAmt"]) == 0 and d(gone["Balance"]) == 0 and gone["PrivateNote"] == "Voided"
    assert d(ok(qbo.get(f"/customer/{customer['Id']}"), "Customer")["Balance"]) == 0


def test_payment_void_with_operation_void(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    payment = ok(pay(qbo, customer["Id"], 120.0, (invoice["Id"], 120.0)), "Payment")
    ok(qbo.post("/payment", params={"operation": "void"}, json={"Id": payment["Id"],
                                                                "SyncToken": payment["SyncToken"]}), "Payment")
    assert d(ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")["Balance"]) == 120


def test_delete_needs_unlinked_payments(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    payment = ok(pay(qbo, customer["Id"], 10.0, (invoice["Id"], 10.0)), "Payment")
    current = ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")
    body = {"Id": invoice["Id"], "SyncToken": current["SyncToken"]}
    assert fault(qbo.post("/invoice", params={"operation": "delete"}, json=body))["code"] == "6000"
    deleted = ok(qbo.post("/payment", params={"operation": "delete"},
                          json={"Id": payment["Id"], "SyncToken": payment["SyncToken"]}), "Payment")
    assert deleted == {"Id": payment["Id"], "status": "Deleted", "domain": "QBO"}
    current = ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")
    ok(qbo.post("/invoice", params={"operation": "delete"},
                json={"Id": invoice["Id"], "SyncToken": current["SyncToken"]}), "Invoice")
    assert fault(qbo.get(f"/invoice/{invoice['Id']}"))["code"] == "610"


@pytest.mark.usefixtures("strict_requests")
def test_bill_payment_reduces_the_bill(qbo: httpx.Client) -> None:
    vendor = create_vendor(qbo)
    bill = ok(qbo.post("/bill", json={"VendorRef": {"value": vendor["Id"]}, "DocNumber": "SUP-991",
                                      "TxnDate": "2026-07-01", "Line": [
                                          {"DetailType": "AccountBasedExpenseLineDetail", "Amount": 100.0,
                                           "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "4"},
                                                                             "TaxCodeRef": {"value": "2"}}}]}),
              "Bill")
    assert d(bill["Balance"]) == 120
    paid = ok(qbo.post("/billpayment", json={
        "VendorRef": {"value": vendor["Id"]}, "PayType": "Check", "TotalAmt": 120.0,
        "CheckPayment": {"BankAccountRef": {"value": "5"}},
        "Line": [{"Amount": 120.0, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]}), "BillPayment")
    after = ok(qbo.get(f"/bill/{bill['Id']}"), "Bill")
    assert d(after["Balance"]) == 0
    assert after["LinkedTxn"] == [{"TxnId": paid["Id"], "TxnType": "BillPaymentCheck"}]
    assert d(ok(qbo.get(f"/vendor/{vendor['Id']}"), "Vendor")["Balance"]) == 0
    assert fault(qbo.post("/billpayment", json={"VendorRef": {"value": vendor["Id"]}, "TotalAmt": 1.0}))["code"] \
        == "2020"


def test_admin_records_a_payment_through_the_same_rules(qbo: httpx.Client, admin: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    response = admin.post(f"/companies/{REALM}/payments",
                          json={"amount": "60.00", "allocations": [{"invoice_id": invoice["Id"], "amount": "60.00"}],
                                "reference": "BACS-77"})
    assert response.status_code == 201, response.text
    assert d(ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")["Balance"]) == 60
    refused = admin.post(f"/companies/{REALM}/payments",
                         json={"amount": "100", "allocations": [{"invoice_id": invoice["Id"], "amount": "100"}]})
    assert refused.status_code == 400 and refused.json()["Fault"]["Error"][0]["code"] == "6000"


def test_books_page_lists_and_receives_payments(qbo: httpx.Client, sandbox: RunningSandbox) -> None:
    customer = create_customer(qbo, "Books & Co")
    invoice = create_invoice(qbo, customer["Id"], sales_line(50.0), DocNumber="BK-1")
    page = httpx.get(f"{sandbox.base_url}/sandbox/")
    assert page.status_code == 200 and "BK-1" in page.text and "Receive payment" in page.text
    assert "Books &amp; Co" in page.text and "<style>" in page.text
    answer = httpx.post(f"{sandbox.base_url}/sandbox/ui/receive-payment",
                        data={"realm_id": REALM, "invoice_id": invoice["Id"], "amount": "60.00",
                              "date": "2026-07-12", "reference": "CHQ"}, follow_redirects=True)
    assert answer.status_code == 200 and "recorded" in answer.text
    assert d(ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")["Balance"]) == 0


def test_zero_payment_applies_a_credit_memo_to_an_invoice(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    credit = ok(qbo.post("/creditmemo", json={"CustomerRef": {"value": customer["Id"]},
                                              "Line": [sales_line(25.0)]}), "CreditMemo")
    assert d(credit["RemainingCredit"]) == 30
    assert d(ok(qbo.get(f"/customer/{customer['Id']}"), "Customer")["Balance"]) == 90
    response = qbo.post("/payment", json={"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 0, "Line": [
        {"Amount": 30.0, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]},
        {"Amount": 30.0, "LinkedTxn": [{"TxnId": credit["Id"], "TxnType": "CreditMemo"}]}]})
    assert d(ok(response, "Payment")["UnappliedAmt"]) == 0
    assert d(ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")["Balance"]) == 90
    assert d(ok(qbo.get(f"/creditmemo/{credit['Id']}"), "CreditMemo")["RemainingCredit"]) == 0
    assert d(ok(qbo.get(f"/customer/{customer['Id']}"), "Customer")["Balance"]) == 90


def test_zero_bill_payment_applies_a_vendor_credit_to_a_bill_and_refuses_credit_spent_on_nothing(
        qbo: httpx.Client) -> None:
    """Pay Bills with a credit: a BillPayment of 0 whose lines link the bill and the vendor credit (both amounts
    positive); the bill owes less, the credit's Balance falls and names the payment. Refused: a credit spent
    beyond what the payment applies to bills, more than the credit has left, and another vendor's credit."""
    vendor, other = create_vendor(qbo), create_vendor(qbo, "Other Supplies")
    expense = {"DetailType": "AccountBasedExpenseLineDetail", "AccountBasedExpenseLineDetail": {
        "AccountRef": {"value": "4"}, "TaxCodeRef": {"value": "2"}}}
    bill = ok(qbo.post("/bill", json={"VendorRef": {"value": vendor["Id"]}, "Line": [{**expense, "Amount": 100.0}]}),
              "Bill")
    credit = ok(qbo.post("/vendorcredit", json={"VendorRef": {"value": vendor["Id"]},
                                                "Line": [{**expense, "Amount": 25.0}]}), "VendorCredit")
    theirs = ok(qbo.post("/vendorcredit", json={"VendorRef": {"value": other["Id"]},
                                                "Line": [{**expense, "Amount": 5.0}]}), "VendorCredit")

    def apply(on_bill: float, from_credit: float, credit_id: str = credit["Id"]) -> httpx.Response:
        return qbo.post("/billpayment", json={
            "VendorRef": {"value": vendor["Id"]}, "PayType": "Check", "TotalAmt": max(on_bill - from_credit, 0),
            "CheckPayment": {"BankAccountRef": {"value": "5"}},
            "Line": [{"Amount": on_bill, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]},
                     {"Amount": from_credit, "LinkedTxn": [{"TxnId": credit_id, "TxnType": "VendorCredit"}]}]})

    assert fault(apply(10.0, 20.0))["code"] == "6000"  # 20 of credit spent on 10 of bill
    assert fault(apply(40.0, 40.0))["code"] == "6000"  # the credit holds 30
    assert fault(apply(5.0, 5.0, theirs["Id"]))["code"] == "6000"
    paid = ok(apply(30.0, 30.0), "BillPayment")
    assert d(paid["TotalAmt"]) == 0
    assert d(ok(qbo.get(f"/bill/{bill['Id']}"), "Bill")["Balance"]) == 90
    after = ok(qbo.get(f"/vendorcredit/{credit['Id']}"), "VendorCredit")
    assert d(after["Balance"]) == 0
    assert after["LinkedTxn"] == [{"TxnId": paid["Id"], "TxnType": "BillPaymentCheck"}]
    assert d(ok(qbo.get(f"/vendor/{vendor['Id']}"), "Vendor")["Balance"]) == 90


def test_python_quickbooks_style_defaults_are_accepted(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    body = {"CustomerRef": {"value": customer["Id"], "name": "", "type": ""}, "TotalAmt": "", "TxnDate": "",
            "DueDate": "", "domain": "QBO", "sparse": False, "GlobalTaxCalculation": "TaxExcluded",
            "Line": [sales_line(10.0)]}
    invoice = ok(qbo.post("/invoice", json=body), "Invoice")
    again = ok(qbo.post("/invoice", json={**body, "Id": invoice["Id"], "SyncToken": 0,
                                          "PrivateNote": "int SyncToken"}), "Invoice")
    assert again["SyncToken"] == "1" and again["PrivateNote"] == "int SyncToken"


def test_updating_a_paid_invoice_keeps_its_balance_and_is_one_version(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = _invoice(qbo, customer)
    ok(pay(qbo, customer["Id"], 50.0, (invoice["Id"], 50.0)), "Payment")
    current = ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")
    updated = ok(qbo.post("/invoice", json={"Id": invoice["Id"], "SyncToken": current["SyncToken"], "sparse": True,
                                            "PrivateNote": "edited"}), "Invoice")
    assert int(updated["SyncToken"]) == int(current["SyncToken"]) + 1
    assert d(updated["Balance"]) == 70 and len(updated["LinkedTxn"]) == 1
    assert ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice") == updated
    shrink = {"Id": invoice["Id"], "SyncToken": updated["SyncToken"], "sparse": True, "Line": [sales_line(10.0)]}
    assert fault(qbo.post("/invoice", json=shrink))["code"] == "6000"
