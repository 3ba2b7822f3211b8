"""The document Adds written as text (``qbxml.text_nodes.TextNode``) are byte for byte what the lxml builders make
and serialise, for every element the Adds can carry, awkward characters and errors included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerbridge.packages.qbd.qbxml import purchases, sales
from ledgerbridge.packages.qbd.qbxml.common import SetCredit
from ledgerbridge.packages.qbd.qbxml.envelope import MessageOptions, request_text, wrap_texts
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, Node, TxnRef, request_node
from ledgerbridge.packages.qbd.qbxml.text_nodes import request_text_node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref
from tests.contract_checks.qbxml import check_qbxml
from tests.qbd.qbxml_examples import ADDRESS, EXPENSE, GUID, ITEM_LINE, PURCHASE_HEADER, SALES_HEADER, SALES_LINES

Write = Callable[[Node], None]


def _both(tag: str, request_id: str, write: Write) -> tuple[str, str]:
    """The request as the lxml builder serialises it, and as the text writer writes it."""
    element_node = request_node(tag, request_id)
    write(element_node)
    text_node = request_text_node(tag, request_id)
    write(text_node)
    return request_text(element_node.element), text_node.finish()


WRITES: dict[str, tuple[str, Write]] = {
    "invoice, every header field, macro, links and credits": ("InvoiceAddRq", lambda rq: sales.write_invoice_add(
        rq, SALES_HEADER, SALES_LINES, external_guid=GUID, macro=Macro("inv1"), link_to_txn_ids=["99-1"],
        set_credits=[SetCredit(TxnRef("CM-1"), Decimal("5.00")), SetCredit(TxnRef(macro=Macro("cm")),
                                                                           Decimal("1.50"), override=True)])),
    "invoice, no lines": ("InvoiceAddRq", lambda rq: sales.write_invoice_add(
        rq, sales.SalesHeader(customer=Ref(list_id="80000001-1")), [], external_guid=GUID)),
    "credit memo": ("CreditMemoAddRq", lambda rq: sales.write_credit_memo_add(
        rq, SALES_HEADER, SALES_LINES, external_guid=GUID, macro=Macro("cn1"))),
    "bill, both kinds of line": ("BillAddRq", lambda rq: purchases.write_bill_add(
        rq, replace(PURCHASE_HEADER, due_date=date(2027, 1, 2), vendor_address=ADDRESS,
                    terms=Ref(full_name="Net 30")), [EXPENSE], [ITEM_LINE], external_guid=GUID,
        macro=Macro("bill1"), link_to_txn_ids=["PO-1"])),
    "vendor credit": ("VendorCreditAddRq", lambda rq: purchases.write_vendor_credit_add(
        rq, PURCHASE_HEADER, [EXPENSE], external_guid=GUID)),
}


@pytest.mark.parametrize("case", sorted(WRITES))
def test_the_text_is_what_lxml_serialises(case: str) -> None:
    tag, write = WRITES[case]
    from_elements, from_text = _both(tag, "r-1", write)
    assert from_text == from_elements


def test_an_empty_element_and_answer_fields_are_written_as_lxml_writes_them() -> None:
    def write(rq: Node) -> None:
        rq.child("InvoiceAdd").child("Empty")
        rq.texts("IncludeRetElement", ("TxnID", ""))

    from_elements, from_text = _both("InvoiceAddRq", "r-2", write)
    assert from_text == from_elements
    assert "<Empty/>" in from_text and "<IncludeRetElement></IncludeRetElement>" in from_text


# characters XML carries, those it must escape in text and in attributes among them
_AWKWARD = st.text(alphabet=st.sampled_from(list("aZ9 &<>\"'\r\n\t]]>é€😀")), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(desc=_AWKWARD, memo=_AWKWARD, name=_AWKWARD, macro=st.from_regex(r"[A-Za-z0-9_.\-]{1,40}", fullmatch=True),
       request_id=st.from_regex(r"[A-Za-z0-9&<>\"' .\-]{1,50}", fullmatch=True))
def test_any_text_is_escaped_as_lxml_escapes_it(desc: str, memo: str, name: str, macro: str,
                                                 request_id: str) -> None:
    header = replace(SALES_HEADER, memo=memo, customer=Ref(full_name=name))
    lines = [replace(SALES_LINES[0], desc=desc, item=Ref(list_id="80000005-1", full_name=name))]
    from_elements, from_text = _both("InvoiceAddRq", request_id, lambda rq: sales.write_invoice_add(
        rq, header, lines, external_guid=GUID, macro=Macro(macro)))
    assert from_text == from_elements


@pytest.mark.parametrize("bad, field", [
    (replace(SALES_LINES[0], amount=Decimal("1.001")), "InvoiceAddRq/InvoiceAdd/InvoiceLineAdd[1]/Amount"),
    (replace(SALES_LINES[0], desc="bell \x07"), "InvoiceAddRq/InvoiceAdd/InvoiceLineAdd[1]/Desc"),
    (replace(SALES_LINES[0], sales_tax_code=Ref(full_name="x" * 210)),
     "InvoiceAddRq/InvoiceAdd/InvoiceLineAdd[1]/SalesTaxCodeRef/FullName"),
])
def test_a_refused_value_is_refused_the_same_way(bad: sales.SalesLine, field: str) -> None:
    messages = []
    for make in (request_node, request_text_node):
        with pytest.raises(QbxmlValueError) as refused:
            sales.write_invoice_add(make("InvoiceAddRq", "r-3"), SALES_HEADER, [bad], external_guid=GUID)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]
    assert field in messages[0]


def test_an_attribute_after_content_is_refused() -> None:
    rq = request_text_node("InvoiceAddRq", "r-4")
    rq.child("InvoiceAdd")
    with pytest.raises(QbxmlValueError, match="attribute after"):
        rq.attribute("defMacro", "TxnID:x")


@pytest.mark.parametrize("version", ["13.0", "16.0"])
def test_the_text_passes_the_schema(version: str) -> None:
    texts = [_both(tag, f"r-{n}", write)[1] for n, (tag, write) in enumerate(WRITES.values())]
    message = wrap_texts(texts, MessageOptions(version, "continueOnError", new_message_set_id="set-1"))
    assert check_qbxml(message) == version


def test_element_type_is_unchanged_for_the_builders() -> None:
    """The builders still return elements (the text writer is an addition, not a replacement)."""
    made: Element = sales.invoice_add(SALES_HEADER, SALES_LINES, external_guid=GUID, request_id="r-5")
    assert made.tag == "InvoiceAddRq"
