"""Writing qbXML elements in schema order: a thin helper over lxml that formats each simple type and names the field
of any value it refuses.

Every builder writes its children in the order of the XSD's ``xsd:sequence`` by calling these methods in that
order; a method given ``None`` writes nothing, so optional elements cost one line each and the order stays
visible in the builder. Also here: the request element itself (``requestID``, at most 50 characters) and
``defMacro``/``useMacro``, by which a later request of the same message names a transaction an earlier one adds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree
from lxml.etree import _Element

from ledgerbridge.packages.qbd.qbxml.values import (
    ID_MAX,
    QbxmlValueError,
    Ref,
    amount_text,
    bool_text,
    check_text,
    date_text,
    datetime_text,
    decimal_text,
    quantity_text,
)

__all__ = ["Element", "Macro", "Node", "REQUEST_ID_MAX", "TxnRef", "check_request_id", "def_macro",
           "request_node", "tag_name"]

Element = _Element  # the type builders return (lxml's element)
REQUEST_ID_MAX = 50  # statusCode 1060 beyond it ("possibly too long, max 50 chars")
_GUID = re.compile(r"^(0|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\})$")
_MACRO_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


@dataclass(frozen=True, slots=True)
class Macro:
    """A ``defMacro``/``useMacro`` name for the TxnID an Add will get: ``TxnID:<name>``.

    QuickBooks substitutes the TxnID of the Add that defined it into a later request of the *same message set*
    (``envelope.pack`` never splits the pair); names are ours, kept to letters, digits and ``_.-``."""

    name: str

    def __post_init__(self) -> None:
        if not _MACRO_NAME.match(self.name):
            raise QbxmlValueError("defMacro", f"{self.name!r} is not a macro name (1-40 letters, digits, _ . -)")

    @property
    def value(self) -> str:
        return f"TxnID:{self.name}"


@dataclass(frozen=True, slots=True)
class TxnRef:
    """A transaction named in a request: by TxnID, or by the macro of an Add earlier in the same message."""

    txn_id: str | None = None
    macro: Macro | None = None

    def __post_init__(self) -> None:
        if (self.txn_id is None) == (self.macro is None):
            raise QbxmlValueError("TxnID", "name a transaction by its TxnID or by a macro, not both or neither")
        if self.txn_id is not None and not 0 < len(self.txn_id) <= ID_MAX:
            raise QbxmlValueError("TxnID", f"{self.txn_id!r} is not an id of 1 to {ID_MAX} characters")


class Node:
    """An element being written and where it is (for messages): ``InvoiceAddRq/InvoiceAdd/InvoiceLineAdd[2]``.

    The place is worked out only when a value is refused: a large upload writes millions of elements."""

    __slots__ = ("element", "_index", "_parent", "_tag")

    def __init__(self, element: Element, tag: str, parent: Node | None = None, index: int | None = None) -> None:
        self.element = element
        self._tag = tag
        self._parent = parent
        self._index = index

    @property
    def where(self) -> str:
        here = self._tag + (f"[{self._index}]" if self._index is not None else "")
        return f"{self._parent.where}/{here}" if self._parent is not None else here

    def child(self, tag: str, index: int | None = None) -> Node:
        """A new child element (``index`` counts repeated children from 1, for messages only)."""
        return Node(etree.SubElement(self.element, tag), tag, self, index)

    def _put(self, tag: str, text: str) -> None:
        etree.SubElement(self.element, tag).text = text

    def _put_value(self, tag: str, text: str) -> None:
        """A value this module formatted (a number, a date, a flag, a GUID): nothing in it needs escaping."""
        self._put(tag, text)

    def attribute(self, name: str, value: str) -> None:
        """An attribute of this element (``defMacro``), set before its content."""
        self.element.set(name, value)

    def _refused(self, tag: str, exc: QbxmlValueError) -> QbxmlValueError:
        return QbxmlValueError(f"{self.where}/{tag}", exc.problem)

    def text(self, tag: str, value: str | None, max_length: int | None = None) -> None:
        if value is not None:
            try:
                check_text(tag, value, max_length)
            except QbxmlValueError as exc:
                raise self._refused(tag, exc) from None
            self._put(tag, value)

    def texts(self, tag: str, values: tuple[str, ...] | list[str], max_length: int | None = None) -> None:
        for value in values:
            self.text(tag, value, max_length)

    def ident(self, tag: str, value: str | None) -> None:
        """An IDTYPE (ListID, TxnID, TxnLineID)."""
        if value is not None:
            if not 0 < len(value) <= ID_MAX:
                raise QbxmlValueError(f"{self.where}/{tag}", f"{value!r} is not an id of 1 to {ID_MAX} characters")
            self.text(tag, value)

    def _formatted(self, tag: str, value: Decimal, write: Callable[[str, Decimal], str]) -> None:
        try:
            text = write(tag, value)
        except QbxmlValueError as exc:
            raise self._refused(tag, exc) from None
        self._put_value(tag, text)

    def amount(self, tag: str, value: Decimal | None) -> None:
        if value is not None:
            self._formatted(tag, value, amount_text)

    def quantity(self, tag: str, value: Decimal | None) -> None:
        """QUANTYPE or PRICETYPE (same lexical form)."""
        if value is not None:
            self._formatted(tag, value, quantity_text)

    def rate(self, tag: str, value: Decimal | None) -> None:
        """FLOATTYPE (ExchangeRate)."""
        if value is not None:
            if value <= 0:
                raise QbxmlValueError(f"{self.where}/{tag}", f"{value} is not a positive rate")
            self._formatted(tag, value, decimal_text)

    def day(self, tag: str, value: date | None) -> None:
        if value is not None:
            self._put_value(tag, date_text(value))

    def moment(self, tag: str, value: datetime | None) -> None:
        if value is not None:
            self._put_value(tag, datetime_text(value))

    def flag(self, tag: str, value: bool | None) -> None:
        if value is not None:
            self._put_value(tag, bool_text(value))

    def count(self, tag: str, value: int | None) -> None:
        if value is not None:
            if value < 1:
                raise QbxmlValueError(f"{self.where}/{tag}", f"{value} must be at least 1")
            self._put_value(tag, str(value))

    def guid(self, tag: str, value: str | None) -> None:
        if value is not None:
            if not _GUID.match(value):
                raise QbxmlValueError(f"{self.where}/{tag}", f"{value!r} is not a GUID {{8-4-4-4-12}}")
            self._put_value(tag, value)

    def ref(self, tag: str, value: Ref | None) -> None:
        """A list reference: ``<XRef><ListID/><FullName/></XRef>`` (ListID first, as the XSD orders them)."""
        if value is not None:
            node = self.child(tag)
            node.ident("ListID", value.list_id)
            node.text("FullName", value.full_name, 209)

    def txn(self, tag: str, value: TxnRef) -> None:
        """A TxnID that may be a ``useMacro`` (AppliedToTxnAdd/TxnID, SetCredit/CreditTxnID)."""
        if value.macro is not None:
            etree.SubElement(self.element, tag, useMacro=value.macro.value)
        else:
            self.ident(tag, value.txn_id)


def tag_name(element: Element) -> str:
    """An element's tag as text (qbXML has no namespaces, so the tag is the plain name)."""
    return element.tag if isinstance(element.tag, str) else str(element.tag)


def check_request_id(tag: str, request_id: str) -> str:
    """A ``requestID`` is 1 to 50 characters (QuickBooks answers 1060 beyond)."""
    if not request_id or len(request_id) > REQUEST_ID_MAX:
        raise QbxmlValueError(f"{tag}@requestID", f"{request_id!r} is not 1 to {REQUEST_ID_MAX} characters")
    return check_text(f"{tag}@requestID", request_id)


def request_node(tag: str, request_id: str, **attributes: str) -> Node:
    """The request element (``InvoiceAddRq``) with its ``requestID``."""
    check_request_id(tag, request_id)
    element = etree.Element(tag, requestID=request_id)
    for name, value in attributes.items():
        element.set(name, check_text(f"{tag}@{name}", value))
    return Node(element, tag)


def def_macro(node: Node, macro: Macro | None) -> None:
    """Declare that this Add's TxnID may be used later in the message as ``macro``."""
    if macro is not None:
        node.attribute("defMacro", macro.value)
