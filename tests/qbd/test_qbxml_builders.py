"""Every qbXML builder's output, in a message, passes Intuit's 13.0 and 16.0 schemas; and the builders refuse what
QuickBooks would refuse, naming the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from ledgerbridge.packages.qbd.qbxml import items, purchases, sales
from ledgerbridge.packages.qbd.qbxml.envelope import MessageOptions, build_message
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, TxnRef
from ledgerbridge.packages.qbd.qbxml.payments import AppliedToTxn, ReceivePayment, receive_payment_add
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref, external_guid
from tests.contract_checks.qbxml import QbxmlViolation, check_qbxml
from tests.qbd.qbxml_examples import (
    CUSTOMER,
    EXAMPLES,
    GUID,
    SALES_HEADER,
    SALES_LINES,
    all_examples,
    builders,
)

EXAMPLE_LIST = all_examples()


def _message(request: Element, version: str) -> str:
    """The request in a message; one that uses a macro follows the Adds that define them (as it must)."""
    uses = any(e.get("useMacro") for e in request.iter())
    before = [make() for make in (EXAMPLES["sales.invoice_add"][0], EXAMPLES["sales.credit_memo_add"][0],
                                  EXAMPLES["purchases.bill_add"][0])] if uses else []
    return build_message([*before, request], MessageOptions(version, new_message_set_id="set-1")).decode()


def test_every_builder_has_an_example() -> None:
    """A builder added to the library without an example here would go out unchecked against the schemas."""
    assert sorted(EXAMPLES) == builders()


@pytest.mark.parametrize("version", ["13.0", "16.0"])
@pytest.mark.parametrize("name, make", EXAMPLE_LIST, ids=[name for name, _ in EXAMPLE_LIST])
def test_each_builder_passes_the_schema(name: str, make: Callable[[], Element], version: str) -> None:
    assert check_qbxml(_message(make(), version)) == version


def _children(element: Element) -> list[str]:
    return [str(child.tag) for child in element]


def test_item_service_and_non_inventory_order_parent_and_class_differently() -> None:
    service, non_inventory = EXAMPLES["items.item_service_add"][0](), EXAMPLES["items.item_non_inventory_add"][0]()
    service_tags = _children(service[0])
    other_tags = _children(non_inventory[0])
    assert service_tags.index("ClassRef") < service_tags.index("ParentRef")
    assert other_tags.index("ParentRef") < other_tags.index("ClassRef")


def test_the_schema_check_catches_the_two_item_orders_swapped() -> None:
    """The order test above is not vacuous: swapping ParentRef and ClassRef in a service item fails the XSD."""
    request = EXAMPLES["items.item_service_add"][0]()
    add = request[0]
    parent, klass = add.find("ParentRef"), add.find("ClassRef")
    assert parent is not None and klass is not None
    add.remove(parent)
    add.insert(list(add).index(klass), parent)
    with pytest.raises(QbxmlViolation):
        check_qbxml(_message(request, "13.0"))


def test_money_goes_out_exactly() -> None:
    request = EXAMPLES["sales.invoice_add"][0]()
    assert [e.text for e in request.iter("Amount")] == ["85.00", "-0.01"]
    assert [e.text for e in request.iter("Rate")] == ["42.5"]
    assert request.findtext("InvoiceAdd/ExchangeRate") == "1.2345"
    line = sales.SalesLine(item=Ref(full_name="X"), amount=Decimal("10.005"))
    with pytest.raises(QbxmlValueError, match=r"InvoiceLineAdd\[1\]/Amount: 10.005 has more than 2 decimal"):
        sales.invoice_add(SALES_HEADER, [line], external_guid=GUID, request_id="r")
    with pytest.raises(QbxmlValueError, match="Quantity"):
        sales.invoice_add(SALES_HEADER, [sales.SalesLine(quantity=Decimal("1.000001"))], external_guid=GUID,
                          request_id="r")
    big = Decimal("12345678901234.00")
    with pytest.raises(QbxmlValueError, match="13 digits"):
        sales.invoice_add(SALES_HEADER, [sales.SalesLine(amount=big)], external_guid=GUID, request_id="r")


def test_lengths_and_characters_are_refused_naming_the_field() -> None:
    from dataclasses import replace
    with pytest.raises(QbxmlValueError, match=r"InvoiceAdd/RefNumber: is 12 characters long; QuickBooks takes at most "
                                              r"11"):
        sales.invoice_add(replace(SALES_HEADER, ref_number="INV-10000001"), SALES_LINES, external_guid=GUID,
                          request_id="r")
    bill = purchases.PurchaseHeader(vendor=Ref(full_name="V"), ref_number="X" * 21)
    with pytest.raises(QbxmlValueError, match="RefNumber: is 21 characters"):
        purchases.bill_add(bill, [purchases.ExpenseLine(Ref(full_name="A"), Decimal(1))], external_guid=GUID,
                           request_id="r")
    with pytest.raises(QbxmlValueError, match="control character"):
        sales.invoice_add(replace(SALES_HEADER, memo="bell \x07"), SALES_LINES, external_guid=GUID, request_id="r")
    with pytest.raises(QbxmlValueError, match="requestID"):
        sales.invoice_add(SALES_HEADER, SALES_LINES, external_guid=GUID, request_id="r" * 51)
    with pytest.raises(QbxmlValueError, match="Name: is 32 characters"):
        items.item_service_add(items.ItemFields("N" * 32, items.SalesOrPurchase(Ref(full_name="A"))),
                               external_guid=GUID, request_id="r")


def test_every_add_carries_its_external_guid() -> None:
    for name, makes in EXAMPLES.items():
        for make in makes:
            request = make()
            if str(request.tag).endswith("AddRq"):
                assert request[0].findtext("ExternalGUID") == GUID, name


def test_external_guid_is_derived_from_the_key_as_quickbooks_shows_it() -> None:
    guid = external_guid("attempt-42")
    assert guid == external_guid("attempt-42") != external_guid("attempt-43")
    assert guid.startswith("{") and guid.endswith("}") and guid == guid.upper() and len(guid) == 38


def test_a_payment_after_its_invoice_names_it_by_macro() -> None:
    invoice = EXAMPLES["sales.invoice_add"][0]()
    payment = EXAMPLES["payments.receive_payment_add"][0]()
    assert invoice[0].get("defMacro") == "TxnID:inv1"
    applied = payment.find("ReceivePaymentAdd/AppliedToTxnAdd")
    assert applied is not None
    assert applied.find("TxnID").get("useMacro") == "TxnID:inv1"  # type: ignore[union-attr]
    assert applied.find("SetCredit/CreditTxnID").get("useMacro") == "TxnID:cn1"  # type: ignore[union-attr]


def test_a_prepayment_is_applied_to_nothing() -> None:
    request = EXAMPLES["payments.receive_payment_add"][1]()
    assert request.findtext("ReceivePaymentAdd/IsAutoApply") == "false"
    assert request.find("ReceivePaymentAdd/AppliedToTxnAdd") is None


def test_a_payment_cannot_apply_more_than_it_is() -> None:
    over = ReceivePayment(customer=CUSTOMER, total_amount=Decimal("10.00"),
                          applied=(AppliedToTxn(TxnRef("T1"), Decimal("10.01")),))
    with pytest.raises(QbxmlValueError, match="applies 10.01, more than the payment's 10.00"):
        receive_payment_add(over, external_guid=GUID, request_id="r")
    with pytest.raises(QbxmlValueError, match="TxnID or by a macro"):
        TxnRef("T1", Macro("m"))


def test_a_bill_mod_that_deletes_every_expense_line_says_clear() -> None:
    request = EXAMPLES["purchases.bill_mod"][1]()
    mod = request[0]
    assert mod.findtext("ClearExpenseLines") == "true"
    assert mod.find("ExpenseLineMod") is None
    assert [e.text for e in mod.iter("TxnLineID")] == ["-1"]


def test_queries_refuse_what_the_schema_would() -> None:
    from ledgerbridge.packages.qbd.qbxml import list_queries, txn_queries
    with pytest.raises(QbxmlValueError, match="takes no iterator"):
        list_queries.list_query("Account", request_id="r", page_size=10)
    with pytest.raises(QbxmlValueError, match="not both"):
        txn_queries.txn_query("Invoice", request_id="r", selection=txn_queries.TxnFilter(
            modified_from=date(2026, 1, 1), txn_date_from=date(2026, 1, 1)))  # type: ignore[arg-type]
    with pytest.raises(QbxmlValueError, match="no PaidStatus"):
        txn_queries.txn_query("CreditMemo", request_id="r", selection=txn_queries.TxnFilter(paid_status="All"))
    with pytest.raises(QbxmlValueError, match="one of them"):
        txn_queries.txn_query("Bill", request_id="r", txn_ids=["1"], ref_numbers=["2"])


def test_the_serialised_request_is_plain_xml() -> None:
    text = etree.tostring(EXAMPLES["voids.txn_void"][0](), encoding="unicode")
    assert text == ('<TxnVoidRq requestID="x-1"><TxnVoidType>Invoice</TxnVoidType><TxnID>1A2B-1</TxnID>'
                    '</TxnVoidRq>')
