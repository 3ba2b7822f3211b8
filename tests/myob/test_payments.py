"""Payments made in MYOB, imported from the MYOB sandbox over loopback: customer and supplier payments changed
since the last import (less a look-back), a payment of several documents as parts, the memo stamp of our own
payments recognised; payments made here found again after a lost answer."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.connectors.protocol import ImportedPayment, PaymentExport
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.myob.reads import LOOK_BACK
from ledgerbridge.packages.myob.sandbox.seed import account_uid, tax_code_uid

from .conftest import Myob
from .test_connector import AU_SEED, TAX_CODES

BANK = {"UID": account_uid(AU_SEED, "1-1110")}
FRE = {"UID": tax_code_uid(AU_SEED, "FRE")}  # tax free, so that totals are the amounts written here


def card(myob: Myob, route: str, name: str) -> str:
    details = "SellingDetails" if route.endswith("Customer") else "BuyingDetails"
    return str(myob.post(route, {"CompanyName": name, "IsIndividual": False, details: TAX_CODES})["UID"])


def invoice(myob: Myob, customer: str, number: str, total: str) -> str:
    return str(myob.post("Sale/Invoice/Service", {
        "Number": number, "Date": "2026-11-01T00:00:00", "Customer": {"UID": customer}, "IsTaxInclusive": False,
        "Lines": [{"Type": "Transaction", "Description": "Work", "Total": float(total),
                   "Account": {"UID": account_uid(AU_SEED, "4-1000")}, "TaxCode": FRE}]})["UID"])


def customer_payment(myob: Myob, customer: str, invoices: list[tuple[str, str]], memo: str = "") -> dict[str, Any]:
    return myob.post("Sale/CustomerPayment", {
        "Date": "2026-11-05T00:00:00", "ReceiptNumber": "CR0001", "Customer": {"UID": customer}, "Account": BANK,
        "Memo": memo, "DepositTo": "Account", "AmountReceived": sum(float(a) for _, a in invoices),
        "Invoices": [{"UID": i, "AmountApplied": float(a), "Type": "Invoice"} for i, a in invoices]})


def next_second() -> None:
    """MYOB stamps ``LastModified`` to the second: wait for the next one, so that records made after this are
    later than those made before (at most a second; nothing is measured)."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)


@pytest.fixture
def customer(myob: Myob) -> str:
    return card(myob, "Contact/Customer", "Acme")


def test_payments_changed_since_the_last_import_less_the_look_back(connector: MyobConnector, myob: Myob,
                                                                    customer: str) -> None:
    i1, i2, i3, i4 = (invoice(myob, customer, f"INV-{n}", "200.00") for n in range(1, 5))
    p_old = customer_payment(myob, customer, [(i1, "10.00")])
    next_second()
    p_one = customer_payment(myob, customer, [(i2, "110.00")])["UID"]
    p_two = customer_payment(myob, customer, [(i3, "50.00"), (i4, "25.00")])["UID"]
    supplier = card(myob, "Contact/Supplier", "Pipes Co")
    b1 = myob.post("Purchase/Bill/Service", {
        "Number": "00000012", "Date": "2026-11-01T00:00:00", "Supplier": {"UID": supplier}, "IsTaxInclusive": False,
        "Lines": [{"Type": "Transaction", "Description": "Parts", "Total": 88.0,
                   "Account": {"UID": account_uid(AU_SEED, "6-1000")}, "TaxCode": FRE}]})["UID"]
    s_one = myob.post("Purchase/SupplierPayment", {
        "Date": "2026-11-06T00:00:00", "PaymentNumber": "7", "Supplier": {"UID": supplier}, "Account": BANK,
        "PayFrom": "Account", "AmountPaid": 88.0,
        "Lines": [{"Type": "Bill", "Purchase": {"UID": b1}, "AmountApplied": 88.0}]})["UID"]
    since = datetime.fromisoformat(p_old["LastModified"]).replace(tzinfo=UTC) + LOOK_BACK  # p-old is not later
    got = list(connector.fetch_payments(since))
    assert [(p.external_id, p.amount, p.document_external_id, p.direction) for p in got] == [
        (p_one, Decimal("110.00"), i2, "in"), (f"{p_two}:{i3}", Decimal("50.00"), i3, "in"),
        (f"{p_two}:{i4}", Decimal("25.00"), i4, "in"), (s_one, Decimal(88), b1, "out")]
    assert got[0].bank_account_code == "1-1110" and got[0].currency == "AUD" and got[0].document_number == "INV-2"
    assert got[0].payment_date == date(2026, 11, 5) and got[-1].document_number == "00000012"
    filters = [c.query["$filter"] for c in myob.calls if c.path.endswith("Payment")]
    assert filters == [f"LastModified gt datetime'{(since - LOOK_BACK).replace(tzinfo=None).isoformat()}'"] * 2
    assert connector.whole_payment_id(f"{p_two}:{i3}") == p_two
    assert connector.payment_parts_prefix(p_two) == f"{p_two}:"


def test_our_own_payments_are_recognised_by_their_memo_stamp(connector: MyobConnector, myob: Myob,
                                                             customer: str) -> None:
    i2 = invoice(myob, customer, "INV-2", "110.00")
    customer_payment(myob, customer, [(i2, "110.00")], memo="[lb pay-77] payment PAY-77")
    (got,) = connector.fetch_payments(None)
    assert connector.host_id_in_reference(got.reference) == "pay-77"
    assert connector.host_id_in_reference("CR0001") is None


def test_a_payment_made_here_goes_out_once_and_is_found_after_a_lost_answer(connector: MyobConnector,
                                                                           myob: Myob, customer: str) -> None:
    inv = invoice(myob, customer, "INV-1001", "165.00")
    pay = PaymentExport(1, "invoice_payment", "pay-77", "payment PAY-77", "in", date(2026, 11, 5), Decimal("165.00"),
                        "AUD", "BACS", customer, "1-1110", "k", document_external_id=inv)
    (made,) = connector.export_payments([pay], None, "batch")  # type: ignore[arg-type]  # the context is unused
    (listed,) = myob.items("Sale/CustomerPayment")
    payment = myob.get("Sale/CustomerPayment", listed["UID"])
    assert made.ok and made.external_id == payment["UID"] and payment["Account"]["UID"] == BANK["UID"]
    assert payment["AmountReceived"] == 165.0 and myob.get("Sale/Invoice/Service", inv)["Status"] == "Closed"
    assert connector.find_existing_payments([pay]) == {1: payment["UID"]}


def test_a_deleted_payment_is_found_by_asking_for_it(connector: MyobConnector, myob: Myob, customer: str) -> None:
    today = datetime.now(UTC).date()
    i2 = invoice(myob, customer, "INV-2", "110.00")
    p_one = customer_payment(myob, customer, [(i2, "110.00")])["UID"]
    p_gone, p_old, s_gone = (str(uuid.uuid4()) for _ in range(3))
    imported = [ImportedPayment(p_one, "in", today), ImportedPayment(p_gone, "in", today),
                ImportedPayment(p_old, "in", today - timedelta(days=365)), ImportedPayment(s_gone, "out", today)]
    assert connector.deleted_payments(imported) == [p_gone, s_gone]  # the old one is not asked for
    assert [c.path.rsplit("/", 1)[-1] for c in myob.calls if "Payment" in c.path] == ["CustomerPayment",
                                                                                      "SupplierPayment"]
