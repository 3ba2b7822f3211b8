"""Payments, credit-note / prepayment / overpayment allocations, and what they do to the invoice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from .conftest import create_invoice, get_invoice, line, pay


def _outcome(response: httpx.Response, collection: str = "Payments") -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()[collection][0]  # type: ignore[no-any-return]


def _messages(element: dict[str, Any]) -> list[str]:
    return [e["Message"] for e in element.get("ValidationErrors", [])]


def test_payments_reduce_amount_due_until_paid(api: httpx.Client) -> None:
    created = create_invoice(api, lines=[line(unit="100.00")])  # 120.00 with VAT
    first = _outcome(pay(api, created["InvoiceID"], "20.00", Reference="part"))
    assert first["StatusAttributeString"] == "OK" and first["HasValidationErrors"] is False
    assert first["PaymentType"] == "ACCRECPAYMENT" and first["Status"] == "AUTHORISED"
    assert first["Invoice"]["InvoiceID"] == created["InvoiceID"]
    assert first["Invoice"]["Contact"]["Name"] == "Acme Ltd" and first["Account"]["Code"] == "090"
    after = get_invoice(api, created["InvoiceID"])
    assert (after["AmountPaid"], after["AmountDue"], after["Status"]) == (20.0, 100.0, "AUTHORISED")
    assert [p["PaymentID"] for p in after["Payments"]] == [first["PaymentID"]]

    _outcome(pay(api, created["InvoiceID"], "100.00"))
    paid = get_invoice(api, created["InvoiceID"])
    assert (paid["AmountPaid"], paid["AmountDue"], paid["Status"]) == (120.0, 0.0, "PAID")
    assert paid["FullyPaidOnDate"] == "/Date(1783641600000+0000)/"  # 2026-07-10


def test_overpayment_and_unapproved_documents_are_refused(api: httpx.Client) -> None:
    created = create_invoice(api, lines=[line(unit="10.00")])
    too_much = _outcome(pay(api, created["InvoiceID"], "12.01"))
    assert too_much["HasValidationErrors"] is True and too_much["StatusAttributeString"] == "ERROR"
    assert _messages(too_much) == ["Payment amount exceeds the amount outstanding on this document"]
    draft = create_invoice(api, status="DRAFT")
    assert _messages(_outcome(pay(api, draft["InvoiceID"], "1.00"))) == [
        "Payments can only be made against Authorised documents"]
    assert _messages(_outcome(pay(api, created["InvoiceID"], "1.00", account="200"))) == [
        "Account type is invalid for making a payment to/from"]
    assert get_invoice(api, created["InvoiceID"])["AmountPaid"] == 0


def test_bill_payment_by_invoice_number_with_post(api: httpx.Client) -> None:
    create_invoice(api, contact="Supplier", type_="ACCPAY", InvoiceNumber="B-1", lines=[line(account="300")])
    response = api.post("/Payments", json={"Invoice": {"InvoiceNumber": "B-1"}, "Account": {"Code": "090"},
                                           "Amount": 12, "Date": "2026-07-02"})
    payment = _outcome(response)
    assert payment["PaymentType"] == "ACCPAYPAYMENT" and payment["Amount"] == 12.0


def test_void_is_refused_while_a_payment_is_applied(api: httpx.Client) -> None:
    created = create_invoice(api)
    _outcome(pay(api, created["InvoiceID"], "1.00"))
    void = api.post(f"/Invoices/{created['InvoiceID']}", json={"Invoices": [{"Status": "VOIDED"}]})
    assert void.status_code == 400
    assert [e["Message"] for e in void.json()["Elements"][0]["ValidationErrors"]] == [
        "Invoice not of valid status for modification",
        "This document cannot be edited as it has a payment or credit note allocated to it.",
    ]
    edit = api.post(f"/Invoices/{created['InvoiceID']}", json={"Invoices": [{"LineItems": [line(unit="99")]}]})
    assert edit.status_code == 400
    assert edit.json()["Elements"][0]["ValidationErrors"][0]["Message"] == \
        "Invoice not of valid status for modification"
    reference = api.post(f"/Invoices/{created['InvoiceID']}", json={"Invoices": [{"Reference": "ok"}]})
    assert reference.status_code == 200, "fields that do not change the amount stay editable"


def test_deleting_a_payment_restores_the_invoice_and_shows_in_incremental_polls(api: httpx.Client) -> None:
    created = create_invoice(api)  # 12.00
    payment = _outcome(pay(api, created["InvoiceID"], "12.00"))
    assert get_invoice(api, created["InvoiceID"])["Status"] == "PAID"
    watermark = datetime.now(UTC).isoformat(timespec="milliseconds")

    deleted = api.post(f"/Payments/{payment['PaymentID']}", json={"Status": "DELETED"})
    assert deleted.status_code == 200 and _outcome(deleted)["Status"] == "DELETED"
    restored = get_invoice(api, created["InvoiceID"])
    assert (restored["Status"], restored["AmountDue"], restored["AmountPaid"]) == ("AUTHORISED", 12.0, 0.0)
    assert restored["Payments"] == [] and "FullyPaidOnDate" not in restored

    changed = api.get("/Payments", headers={"If-Modified-Since": watermark}).json()["Payments"]
    assert [(p["PaymentID"], p["Status"]) for p in changed] == [(payment["PaymentID"], "DELETED")]
    again = api.post(f"/Payments/{payment['PaymentID']}", json={"Status": "DELETED"})
    assert again.status_code == 400


def test_payment_list_where_and_paging(api: httpx.Client) -> None:
    sale = create_invoice(api, lines=[line(unit="100")])
    bill = create_invoice(api, contact="Supplier", type_="ACCPAY", lines=[line(account="300", unit="100")])
    for _ in range(3):
        _outcome(pay(api, sale["InvoiceID"], "10"))
    _outcome(pay(api, bill["InvoiceID"], "10"))
    received = api.get("/Payments", params={"where": 'PaymentType=="ACCRECPAYMENT"'}).json()["Payments"]
    assert len(received) == 3
    page = api.get("/Payments", params={"page": 1, "pageSize": 3, "where": 'Status=="AUTHORISED"'}).json()
    assert page["pagination"]["itemCount"] == 4 and len(page["Payments"]) == 3


def test_credit_note_allocation(api: httpx.Client) -> None:
    sale = create_invoice(api, lines=[line(unit="100")])  # 120.00
    note = api.put("/CreditNotes", params={"summarizeErrors": "false"}, json={"CreditNotes": [{
        "Type": "ACCRECCREDIT", "Contact": {"Name": "Acme Ltd"}, "Status": "AUTHORISED", "Date": "2026-07-05",
        "LineItems": [line(unit="25")]}]})
    credit = _outcome(note, "CreditNotes")
    assert credit["CreditNoteNumber"] == "CN-0001" and credit["RemainingCredit"] == 30.0

    too_much = api.put(f"/CreditNotes/{credit['CreditNoteID']}/Allocations", params={"summarizeErrors": "false"},
                       json={"Allocations": [{"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": 31,
                                              "Date": "2026-07-06"}]})
    assert _messages(_outcome(too_much, "Allocations")) == [
        "The amount being allocated exceeds the remaining credit on this document."]
    allocated = api.put(f"/CreditNotes/{credit['CreditNoteID']}/Allocations",
                        json={"Allocations": [{"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": 30,
                                               "Date": "2026-07-06"}]})
    allocation = _outcome(allocated, "Allocations")
    assert allocation["Amount"] == 30.0 and allocation["CreditNote"]["CreditNoteID"] == credit["CreditNoteID"]

    invoice_now = get_invoice(api, sale["InvoiceID"])
    assert (invoice_now["AmountCredited"], invoice_now["AmountDue"]) == (30.0, 90.0)
    assert [(c["CreditNoteID"], c["AppliedAmount"]) for c in invoice_now["CreditNotes"]] == [
        (credit["CreditNoteID"], 30.0)]
    note_now = api.get(f"/CreditNotes/{credit['CreditNoteID']}").json()["CreditNotes"][0]
    assert (note_now["RemainingCredit"], note_now["Status"]) == (0.0, "PAID")
    assert [a["Amount"] for a in note_now["Allocations"]] == [30.0]


def test_allocation_rules(api: httpx.Client) -> None:
    sale = create_invoice(api, lines=[line(unit="10")])  # 12.00
    other = create_invoice(api, contact="Someone Else")
    draft_note = _outcome(api.put("/CreditNotes", params={"summarizeErrors": "false"}, json={"CreditNotes": [{
        "Type": "ACCRECCREDIT", "Contact": {"Name": "Acme Ltd"}, "Status": "DRAFT",
        "LineItems": [line(unit="50")]}]}), "CreditNotes")
    url = f"/CreditNotes/{draft_note['CreditNoteID']}/Allocations"
    refused = _outcome(api.put(url, params={"summarizeErrors": "false"}, json={"Allocations": [
        {"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": 1, "Date": "2026-07-06"}]}), "Allocations")
    assert _messages(refused) == ["The credit note must be Authorised before it can be allocated."]
    api.post(f"/CreditNotes/{draft_note['CreditNoteID']}",
             json={"CreditNotes": [{"Status": "AUTHORISED"}]}).raise_for_status()
    outcomes = api.put(url, params={"summarizeErrors": "false"}, json={"Allocations": [
        {"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": 13, "Date": "2026-07-06"},
        {"Invoice": {"InvoiceID": other["InvoiceID"]}, "Amount": 1, "Date": "2026-07-06"},
    ]}).json()["Allocations"]
    assert _messages(outcomes[0]) == ["The amount being allocated exceeds the amount outstanding on the invoice."]
    assert _messages(outcomes[1]) == ["The invoice and the credit being allocated must belong to the same contact."]


def test_prepayment_from_a_bank_transaction_allocated_to_an_invoice(api: httpx.Client) -> None:
    received = api.put("/BankTransactions", json={"BankTransactions": [{
        "Type": "RECEIVE-PREPAYMENT", "Contact": {"Name": "Acme Ltd"}, "BankAccount": {"Code": "090"},
        "Date": "2026-06-20", "LineAmountTypes": "Inclusive", "Reference": "SO-42",
        "LineItems": [line(description="Deposit on SO-42", unit="60.00", tax="OUTPUT2")]}]})
    transaction = _outcome(received, "BankTransactions")
    assert transaction["Total"] == 60.0 and "PrepaymentID" in transaction
    prepayment = api.get(f"/Prepayments/{transaction['PrepaymentID']}").json()["Prepayments"][0]
    assert (prepayment["Type"], prepayment["RemainingCredit"], prepayment["Status"]) == (
        "RECEIVE-PREPAYMENT", 60.0, "AUTHORISED")

    sale = create_invoice(api, lines=[line(unit="100")])  # 120.00
    allocated = api.put(f"/Prepayments/{transaction['PrepaymentID']}/Allocations",
                        json={"Allocations": [{"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": 60,
                                               "Date": "2026-07-01"}]})
    assert _outcome(allocated, "Allocations")["Prepayment"]["PrepaymentID"] == transaction["PrepaymentID"]
    invoice_now = get_invoice(api, sale["InvoiceID"])
    assert (invoice_now["AmountDue"], invoice_now["AmountCredited"]) == (60.0, 60.0)
    assert [p["AppliedAmount"] for p in invoice_now["Prepayments"]] == [60.0]
    listed = api.get("/Prepayments").json()["Prepayments"]
    assert [(p["RemainingCredit"], p["Status"]) for p in listed] == [(0.0, "PAID")]


def test_overpayment_allocation(api: httpx.Client) -> None:
    received = api.put("/BankTransactions", json={"BankTransactions": [{
        "Type": "RECEIVE-OVERPAYMENT", "Contact": {"Name": "Acme Ltd"}, "BankAccount": {"Code": "090"},
        "LineAmountTypes": "NoTax", "LineItems": [{"Description": "Paid twice", "LineAmount": 15}]}]})
    overpayment_id = _outcome(received, "BankTransactions")["OverpaymentID"]
    sale = create_invoice(api)  # 12.00
    allocated = api.put(f"/Overpayments/{overpayment_id}/Allocations",
                        json={"Allocations": [{"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": 12,
                                               "Date": "2026-07-01"}]})
    assert allocated.status_code == 200
    assert get_invoice(api, sale["InvoiceID"])["Status"] == "PAID"
    overpayment = api.get(f"/Overpayments/{overpayment_id}").json()["Overpayments"][0]
    assert overpayment["RemainingCredit"] == 3.0
