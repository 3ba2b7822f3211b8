"""Payments made in MYOB, imported: customer and supplier payments changed since the last import (less a look-back),
a payment of several documents as parts, the memo stamp of our own payments recognised; payments made here found
again after a lost answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ledgerbridge.connectors.protocol import ImportedPayment, PaymentExport
from ledgerbridge.packages.myob.client import MyobClient
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.myob.reads import LOOK_BACK

from .conftest import Db
from .test_client import FakeClock
from .test_connector import CHART
from .tiny_myob import TinyMyob

BANK = {"UID": "acc-bank", "DisplayID": "1-1110", "Type": "Bank"}


def customer_payment(uid: str, modified: str, invoices: list[tuple[str, str]], memo: str = "") -> dict[str, object]:
    return {"UID": uid, "Date": "2026-11-05T00:00:00", "LastModified": modified, "ReceiptNumber": "CR0001",
            "Customer": {"UID": "cust-uid", "Name": "Acme"}, "Account": {"UID": "acc-bank"}, "Memo": memo,
            "DepositTo": "Account", "AmountReceived": sum(float(a) for _, a in invoices),
            "Invoices": [{"UID": i, "Number": f"INV-{i}", "AmountApplied": float(a), "Type": "Invoice"}
                         for i, a in invoices]}


@pytest.fixture
def connector(db: Db, myob: TinyMyob, connection: tuple[int, dict[str, object]]) -> Iterator[MyobConnector]:
    myob.records.update({route: [dict(r) for r in rows] for route, rows in CHART.items()})
    myob.records["GeneralLedger/Account"].append(dict(BANK))
    clock = FakeClock()
    with MyobConnector(MyobClient(db.sessions, connection[0], transport=myob.transport(), clock=clock,
                                  sleep=clock.sleep)) as made:
        yield made


def test_payments_changed_since_the_last_import_less_the_look_back(connector: MyobConnector,
                                                                    myob: TinyMyob) -> None:
    myob.records["Sale/CustomerPayment"] = [
        customer_payment("p-old", "2026-11-01T08:00:00", [("i1", "10.00")]),
        customer_payment("p-one", "2026-11-05T09:55:00", [("i2", "110.00")]),
        customer_payment("p-two", "2026-11-05T10:30:00", [("i3", "50.00"), ("i4", "25.00")])]
    myob.records["Purchase/SupplierPayment"] = [{
        "UID": "s-one", "Date": "2026-11-06T00:00:00", "LastModified": "2026-11-06T10:00:00", "PaymentNumber": "7",
        "Supplier": {"UID": "supp-uid", "Name": "Pipes Co"}, "Account": {"UID": "acc-bank"}, "AmountPaid": 88,
        "Lines": [{"Type": "Bill", "Purchase": {"UID": "b1", "Number": "00000012"}, "AmountApplied": 88}]}]
    since = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
    got = list(connector.fetch_payments(since))
    assert [(p.external_id, p.amount, p.document_external_id, p.direction) for p in got] == [
        ("p-one", Decimal("110.00"), "i2", "in"), ("p-two:i3", Decimal("50.00"), "i3", "in"),
        ("p-two:i4", Decimal("25.00"), "i4", "in"), ("s-one", Decimal(88), "b1", "out")]
    assert got[0].bank_account_code == "1-1110" and got[0].currency == "AUD" and got[0].document_number == "INV-i2"
    assert got[0].payment_date == date(2026, 11, 5) and got[-1].document_number == "00000012"
    filters = [c.query["$filter"] for c in myob.calls if c.path.endswith("Payment")]
    assert filters == [f"LastModified gt datetime'{(since - LOOK_BACK).replace(tzinfo=None).isoformat()}'"] * 2
    assert connector.whole_payment_id("p-two:i3") == "p-two" and connector.payment_parts_prefix("p-two") == "p-two:"


def test_our_own_payments_are_recognised_by_their_memo_stamp(connector: MyobConnector, myob: TinyMyob) -> None:
    myob.records["Sale/CustomerPayment"] = [
        customer_payment("p-ours", "2026-11-05T10:30:00", [("i2", "110.00")], memo="[lb pay-77] payment PAY-77")]
    (got,) = connector.fetch_payments(None)
    assert connector.host_id_in_reference(got.reference) == "pay-77"
    assert connector.host_id_in_reference("CR0001") is None


def test_a_payment_made_here_goes_out_once_and_is_found_after_a_lost_answer(connector: MyobConnector,
                                                                           myob: TinyMyob) -> None:
    pay = PaymentExport(1, "invoice_payment", "pay-77", "payment PAY-77", "in", date(2026, 11, 5), Decimal("165.00"),
                        "AUD", "BACS", "cust-uid", "1-1110", "k", document_external_id="inv-uid")
    (made,) = connector.export_payments([pay], None, "batch")  # type: ignore[arg-type]  # the context is unused
    (payment,) = myob.records["Sale/CustomerPayment"]
    assert made.ok and made.external_id == payment["UID"] and payment["Account"] == {"UID": "acc-bank"}
    assert connector.find_existing_payments([pay]) == {1: payment["UID"]}


def test_a_deleted_payment_is_found_by_asking_for_it(connector: MyobConnector, myob: TinyMyob) -> None:
    today = datetime.now(UTC).date()
    myob.records["Sale/CustomerPayment"] = [customer_payment("p-one", "2026-11-05T09:55:00", [("i2", "110.00")])]
    imported = [ImportedPayment("p-one", "in", today), ImportedPayment("p-gone", "in", today),
                ImportedPayment("p-old", "in", today - timedelta(days=365)), ImportedPayment("s-gone", "out", today)]
    assert connector.deleted_payments(imported) == ["p-gone", "s-gone"]  # the old one is not asked for
    assert [c.path.rsplit("/", 1)[-1] for c in myob.calls if "Payment" in c.path] == ["CustomerPayment",
                                                                                      "SupplierPayment"]
