"""Query iterators: QuickBooks' paging (``iterator="Start"``, then ``"Continue"`` with the ``iteratorID``).

A query that starts an iterator returns ``MaxReturned`` objects, an ``iteratorID`` and ``iteratorRemainingCount``;
the next page is *the same query* sent again with ``iterator="Continue"`` and that id, until the count is 0.
Iterators live only as long as the QuickBooks session (Intuit's InvoiceQuery reference), i.e. one Web Connector
session: the next session starts again from the watermark. :func:`continue_query` copies the starting query, so
"the same query" cannot drift between pages. Only some queries take an iterator (the XSD gives the attribute to
customer, vendor, item and transaction queries, not to accounts, tax codes, terms or payment methods).
"""

from __future__ import annotations

import copy

from ledgerbridge.packages.qbd.qbxml.nodes import Element, check_request_id, tag_name
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, check_text

__all__ = ["ITERABLE", "continue_query", "start_iterator", "stop_query"]

#: The query requests whose XSD type has the ``iterator`` attribute.
ITERABLE = frozenset({
    "CustomerQueryRq", "VendorQueryRq", "EntityQueryRq", "ItemQueryRq", "ItemServiceQueryRq",
    "ItemNonInventoryQueryRq", "InvoiceQueryRq", "CreditMemoQueryRq", "BillQueryRq", "VendorCreditQueryRq",
    "ReceivePaymentQueryRq", "BillPaymentCheckQueryRq", "BillPaymentCreditCardQueryRq"})


def start_iterator(query: Element, page_size: int) -> None:
    """Make ``query`` the first page of an iterator of ``page_size`` objects (its MaxReturned must be written by
    the builder: it is part of the filter, in the XSD's place)."""
    if query.tag not in ITERABLE:
        raise QbxmlValueError(tag_name(query), "this query takes no iterator: ask for everything at once")
    if page_size < 1:
        raise QbxmlValueError(f"{tag_name(query)}/MaxReturned", f"{page_size} must be at least 1")
    query.set("iterator", "Start")


def _again(query: Element, iterator_id: str, request_id: str, step: str) -> Element:
    if query.get("iterator") is None:
        raise QbxmlValueError(tag_name(query), "is not an iterator's query (it has no iterator attribute)")
    check_text(f"{tag_name(query)}@iteratorID", iterator_id, 40)
    again = copy.deepcopy(query)
    again.set("requestID", check_request_id(tag_name(query), request_id))
    again.set("iterator", step)
    again.set("iteratorID", iterator_id)
    return again


def continue_query(query: Element, iterator_id: str, request_id: str) -> Element:
    """The next page: the starting ``query`` again, ``iterator="Continue"`` and the answer's ``iteratorID``."""
    return _again(query, iterator_id, request_id, "Continue")


def stop_query(query: Element, iterator_id: str, request_id: str) -> Element:
    """Abandon an iterator before its end (QuickBooks frees it)."""
    return _again(query, iterator_id, request_id, "Stop")
