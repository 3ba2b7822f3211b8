"""The message around requests: its size known before it is built, and the packer that fills messages up to a byte
bound without reordering requests or splitting a macro from its use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerbridge.packages.qbd.qbxml.envelope import (
    MessageOptions,
    MessageTooLarge,
    build_message,
    message_size,
    pack,
    size_of,
)
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, TxnRef
from ledgerbridge.packages.qbd.qbxml.payments import AppliedToTxn, ReceivePayment, receive_payment_add
from ledgerbridge.packages.qbd.qbxml.sales import SalesLine, invoice_add
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref
from tests.contract_checks.qbxml import check_qbxml
from tests.qbd.qbxml_examples import CUSTOMER, GUID, SALES_HEADER

OPTIONS = MessageOptions("13.0")


def _invoice(n: int, text_length: int, macro: str | None = None) -> Element:
    line = SalesLine(item=Ref(full_name="Consulting"), desc="d" * text_length, amount=Decimal("10.00"))
    return invoice_add(SALES_HEADER, [line], external_guid=GUID, request_id=f"inv-{n}",
                       macro=Macro(macro) if macro else None)


def _payment(n: int, macro: str) -> Element:
    payment = ReceivePayment(customer=CUSTOMER, total_amount=Decimal("10.00"),
                             applied=(AppliedToTxn(TxnRef(macro=Macro(macro)), Decimal("10.00")),))
    return receive_payment_add(payment, external_guid=GUID, request_id=f"pay-{n}")


def test_the_size_is_known_before_the_message_is_built() -> None:
    requests = [_invoice(1, 10), _invoice(2, 3000, "m2"), _payment(3, "m2")]
    for options in (OPTIONS, MessageOptions("16.0", "continueOnError", new_message_set_id="a" * 23),
                    MessageOptions("13.0", old_message_set_id="abc")):
        message = build_message(requests, options)
        assert len(message) == message_size(requests, options)
        assert check_qbxml(message.decode()) == options.version


def test_the_head_says_version_on_error_and_message_set() -> None:
    head = build_message([], MessageOptions("16.0", new_message_set_id="set-7"))
    assert head.startswith(b'<?xml version="1.0" encoding="utf-8"?><?qbxml version="16.0"?><QBXML>'
                           b'<QBXMLMsgsRq onError="stopOnError" newMessageSetID="set-7">')
    with pytest.raises(QbxmlValueError, match="23"):
        MessageOptions("13.0", new_message_set_id="x" * 24)
    with pytest.raises(QbxmlValueError, match="rollbackOnError"):
        MessageOptions("13.0", "rollbackOnError")  # type: ignore[arg-type]


def test_a_repeated_request_id_or_an_undefined_macro_is_refused() -> None:
    with pytest.raises(QbxmlValueError, match="used twice"):
        build_message([_invoice(1, 1), _invoice(1, 2)], OPTIONS)
    with pytest.raises(QbxmlValueError, match="not defined by an earlier request"):
        build_message([_payment(1, "m"), _invoice(2, 1, "m")], OPTIONS)


def test_non_ascii_text_counts_in_bytes() -> None:
    plain, accented = _invoice(1, 0), _invoice(1, 0)
    plain[0].find("InvoiceLineAdd/Desc").text = "e" * 10  # type: ignore[union-attr]
    accented[0].find("InvoiceLineAdd/Desc").text = "é" * 10  # type: ignore[union-attr]
    assert size_of(accented) == size_of(plain) + 10


def test_a_request_larger_than_the_bound_is_refused_by_name() -> None:
    with pytest.raises(MessageTooLarge, match="inv-1"):
        pack([_invoice(1, 3000)], 2000, OPTIONS)


@st.composite
def _batches(draw: st.DrawFn) -> tuple[list[Element], int]:
    count = draw(st.integers(1, 25))
    requests: list[Element] = []
    for n in range(count):
        if requests and draw(st.booleans()) and requests[-1].tag == "InvoiceAddRq" and \
                requests[-1][0].get("defMacro"):
            requests.append(_payment(n, str(requests[-1][0].get("defMacro")).split(":")[1]))
        else:
            requests.append(_invoice(n, draw(st.integers(0, 1500)), f"m{n}" if draw(st.booleans()) else None))
    biggest = max(size_of(r) for r in requests)
    bound = draw(st.integers(2 * biggest + 400, 12 * biggest + 400))
    return requests, bound


@settings(max_examples=60, derandomize=True, deadline=None)
@given(_batches())
def test_packing_never_exceeds_the_bound_never_reorders_never_splits_a_macro(
        batch: tuple[list[Element], int]) -> None:
    requests, bound = batch
    messages = pack(requests, bound, OPTIONS)
    assert [r for message in messages for r in message] == requests  # every request, in order
    for n, message in enumerate(messages):
        ids = MessageOptions("13.0", new_message_set_id=f"{n:023d}")  # the longest id the caller may stamp
        built = build_message(message, ids)  # refuses a useMacro whose defMacro is in another message
        assert len(built) <= bound
    for first, second in zip(messages, messages[1:], strict=False):  # greedy: the next message's first run
        run = [second[0]] + ([second[1]] if len(second) > 1 and second[1].tag == "ReceivePaymentAddRq"
                             and second[0][0].get("defMacro") else [])
        assert message_size(first + run, MessageOptions("13.0", new_message_set_id="x" * 23)) > bound


def test_a_macro_pair_moves_whole_to_the_next_message() -> None:
    requests = [_invoice(1, 900), _invoice(2, 900, "m2"), _payment(3, "m2")]
    sizes = [size_of(r) for r in requests]
    overhead = MessageOptions("13.0", new_message_set_id="x" * 23).overhead()
    bound = overhead + sizes[0] + sizes[1] + 10  # the invoice fits after the first, its payment does not
    messages = pack(requests, bound, OPTIONS)
    assert [[r.get("requestID") for r in m] for m in messages] == [["inv-1"], ["inv-2", "pay-3"]]
