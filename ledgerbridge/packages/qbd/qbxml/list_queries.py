"""Queries of list objects: the chart (accounts, sales tax codes, items, terms, payment methods, currencies) and
customers, vendors and the shared name space (``EntityQuery``: customers, vendors, employees and other names).

Every list query has the same shape in the XSD: one of ``ListID+``, ``FullName+`` or a filter (``MaxReturned,
ActiveStatus, FromModifiedDate, ToModifiedDate, NameFilter``), then ``IncludeRetElement*`` and, where the
object can carry private data, ``OwnerID*``. ``ActiveStatus`` defaults to ActiveOnly in QuickBooks, so a chart
read asks for All (an inactive account must still be recognised as inactive, not as missing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ledgerbridge.packages.qbd.qbxml.iterators import start_iterator
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Node, request_node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError

__all__ = ["ListFilter", "NameFilter", "account_query", "currency_query", "customer_query", "entity_query",
           "item_query", "list_query", "payment_method_query", "sales_tax_code_query", "terms_query",
           "vendor_query"]

ActiveStatus = Literal["ActiveOnly", "InactiveOnly", "All"]
MatchCriterion = Literal["StartsWith", "Contains", "EndsWith"]

#: Query kinds and whether their request takes ``OwnerID`` (private data): from the XSD.
LIST_KINDS: dict[str, bool] = {
    "Account": True, "SalesTaxCode": False, "Item": True, "ItemService": True, "ItemNonInventory": True,
    "Terms": False, "PaymentMethod": False, "Currency": False, "Customer": True, "Vendor": True, "Entity": False,
}


@dataclass(frozen=True, slots=True)
class NameFilter:
    criterion: MatchCriterion
    name: str


@dataclass(frozen=True, slots=True)
class ListFilter:
    max_returned: int | None = None
    active_status: ActiveStatus | None = None
    from_modified: datetime | None = None
    to_modified: datetime | None = None
    name: NameFilter | None = None


def _filter(node: Node, selection: ListFilter, page_size: int | None) -> None:
    if page_size is not None and selection.max_returned not in (None, page_size):
        raise QbxmlValueError(f"{node.where}/MaxReturned", "an iterator's page size is its MaxReturned")
    node.count("MaxReturned", page_size if page_size is not None else selection.max_returned)
    node.text("ActiveStatus", selection.active_status)
    node.moment("FromModifiedDate", selection.from_modified)
    node.moment("ToModifiedDate", selection.to_modified)
    if selection.name is not None:
        block = node.child("NameFilter")
        block.text("MatchCriterion", selection.name.criterion)
        block.text("Name", selection.name.name)


def list_query(kind: str, *, request_id: str, list_ids: Sequence[str] = (), full_names: Sequence[str] = (),
               selection: ListFilter | None = None, page_size: int | None = None,
               include_ret: Sequence[str] = (), owner_ids: Sequence[str] = ()) -> Element:
    """``<kind>QueryRq``: by ListIDs, by FullNames, or by a filter (all of them when none is given).

    ``page_size`` starts an iterator (customers, vendors, items, entities only)."""
    if kind not in LIST_KINDS:
        raise QbxmlValueError(f"{kind}QueryRq", f"no list query for {kind!r}")
    if sum(bool(x) for x in (list_ids, full_names, selection is not None)) > 1:
        raise QbxmlValueError(f"{kind}QueryRq", "query by ListIDs, by FullNames or by a filter: one of them")
    if owner_ids and not LIST_KINDS[kind]:
        raise QbxmlValueError(f"{kind}QueryRq", "this query takes no OwnerID")
    rq = request_node(f"{kind}QueryRq", request_id)
    if page_size is not None:
        if list_ids or full_names:
            raise QbxmlValueError(f"{kind}QueryRq", "an iterator pages a filter, not a list of ids or names")
        start_iterator(rq.element, page_size)
    for list_id in list_ids:
        rq.ident("ListID", list_id)
    rq.texts("FullName", list(full_names))
    if selection is not None or page_size is not None:
        _filter(rq, selection or ListFilter(), page_size)
    rq.texts("IncludeRetElement", list(include_ret), 50)
    for owner in owner_ids:
        rq.guid("OwnerID", owner)
    return rq.element


def account_query(*, request_id: str, selection: ListFilter | None = None, list_ids: Sequence[str] = (),
                  full_names: Sequence[str] = ()) -> Element:
    """The chart of accounts (``ActiveStatus All`` by default: inactive accounts are shown as such)."""
    if selection is None and not list_ids and not full_names:
        selection = ListFilter(active_status="All")
    return list_query("Account", request_id=request_id, selection=selection, list_ids=list_ids,
                      full_names=full_names)


def sales_tax_code_query(*, request_id: str, selection: ListFilter | None = None) -> Element:
    return list_query("SalesTaxCode", request_id=request_id,
                      selection=selection or ListFilter(active_status="All"))


def item_query(*, request_id: str, selection: ListFilter | None = None, list_ids: Sequence[str] = (),
               full_names: Sequence[str] = (), page_size: int | None = None) -> Element:
    """Every kind of item in one answer (service, non-inventory, sales tax items with their rates...)."""
    return list_query("Item", request_id=request_id, selection=selection, list_ids=list_ids, full_names=full_names,
                      page_size=page_size)


def terms_query(*, request_id: str, selection: ListFilter | None = None) -> Element:
    return list_query("Terms", request_id=request_id, selection=selection)


def payment_method_query(*, request_id: str, selection: ListFilter | None = None) -> Element:
    return list_query("PaymentMethod", request_id=request_id, selection=selection)


def currency_query(*, request_id: str, selection: ListFilter | None = None) -> Element:
    """Currencies with their ISO codes (multi-currency companies; refs elsewhere carry only the name)."""
    return list_query("Currency", request_id=request_id, selection=selection)


def customer_query(*, request_id: str, selection: ListFilter | None = None, list_ids: Sequence[str] = (),
                   full_names: Sequence[str] = (), page_size: int | None = None) -> Element:
    return list_query("Customer", request_id=request_id, selection=selection, list_ids=list_ids,
                      full_names=full_names, page_size=page_size)


def vendor_query(*, request_id: str, selection: ListFilter | None = None, list_ids: Sequence[str] = (),
                 full_names: Sequence[str] = (), page_size: int | None = None) -> Element:
    return list_query("Vendor", request_id=request_id, selection=selection, list_ids=list_ids,
                      full_names=full_names, page_size=page_size)


def entity_query(*, request_id: str, full_names: Sequence[str]) -> Element:
    """Who holds these names in the shared name space (the answer's Ret tag says: CustomerRet, VendorRet,
    EmployeeRet, OtherNameRet): what a 3100 on an Add is checked against."""
    if not full_names:
        raise QbxmlValueError("EntityQueryRq", "name at least one FullName")
    return list_query("Entity", request_id=request_id, full_names=full_names)
