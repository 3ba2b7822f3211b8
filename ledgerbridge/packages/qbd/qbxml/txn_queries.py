"""Queries of transactions: by TxnID, by RefNumber (with party and date, to resolve a write in doubt), changed
since a watermark (incremental imports, paged by an iterator), and ``TxnDeletedQuery`` for what was deleted.

The XSD's shape for every transaction query: one of ``TxnID+``, ``RefNumber+``, ``RefNumberCaseSensitive+`` or a
filter (``MaxReturned, (ModifiedDateRangeFilter | TxnDateRangeFilter), EntityFilter, AccountFilter,
(RefNumberFilter | RefNumberRangeFilter), CurrencyFilter`` and, for invoices and bills, ``PaidStatus``), then
``IncludeLineItems`` (QuickBooks' default is false: lines are asked for explicitly), ``IncludeLinkedTxns``
(invoices, credit memos, bills, vendor credits: the payments and credits applied to them),
``IncludeRetElement*``, ``OwnerID*``. The two date filters exclude each other, as do the two RefNumber filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from ledgerbridge.packages.qbd.qbxml.iterators import start_iterator
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Node, request_node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref

__all__ = ["DEFAULT_LOOK_BACK", "TXN_KINDS", "TxnFilter", "by_ref_number", "by_txn_ids", "changed_since",
           "txn_deleted_query", "txn_query"]

PaidStatus = Literal["All", "PaidOnly", "NotPaidOnly"]
MatchCriterion = Literal["StartsWith", "Contains", "EndsWith"]


@dataclass(frozen=True, slots=True)
class _Kind:
    paid_status: bool  # takes PaidStatus
    linked_txns: bool  # takes IncludeLinkedTxns


TXN_KINDS: dict[str, _Kind] = {
    "Invoice": _Kind(True, True), "CreditMemo": _Kind(False, True), "Bill": _Kind(True, True),
    "VendorCredit": _Kind(False, True), "ReceivePayment": _Kind(False, False),
    "BillPaymentCheck": _Kind(False, False), "BillPaymentCreditCard": _Kind(False, False),
}
#: QuickBooks stamps TimeModified from the PC's clock; a run re-reads this much before its watermark (duplicates
#: are harmless: records are matched by TxnID and EditSequence).
DEFAULT_LOOK_BACK = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class TxnFilter:
    max_returned: int | None = None
    modified_from: datetime | None = None
    modified_to: datetime | None = None
    txn_date_from: date | None = None
    txn_date_to: date | None = None
    entity: Ref | None = None
    account: Ref | None = None
    ref_number_match: tuple[MatchCriterion, str] | None = None
    ref_number_from: str | None = None
    ref_number_to: str | None = None
    paid_status: PaidStatus | None = None


def _one_of(node: Node, tag: str, ref: Ref) -> None:
    """EntityFilter/AccountFilter: a choice of ListID or FullName (not both, unlike a Ref)."""
    block = node.child(tag)
    if ref.list_id is not None:
        block.ident("ListID", ref.list_id)
    else:
        block.text("FullName", ref.full_name)


def _filter(node: Node, kind: str, selection: TxnFilter, page_size: int | None) -> None:
    where = node.where
    modified = selection.modified_from is not None or selection.modified_to is not None
    dated = selection.txn_date_from is not None or selection.txn_date_to is not None
    ranged = selection.ref_number_from is not None or selection.ref_number_to is not None
    if modified and dated:
        raise QbxmlValueError(where, "filter by modified date or by transaction date, not both")
    if ranged and selection.ref_number_match is not None:
        raise QbxmlValueError(where, "filter RefNumber by a match or by a range, not both")
    if selection.paid_status is not None and not TXN_KINDS[kind].paid_status:
        raise QbxmlValueError(where, f"a {kind} query has no PaidStatus")
    if page_size is not None and selection.max_returned not in (None, page_size):
        raise QbxmlValueError(f"{where}/MaxReturned", "an iterator's page size is its MaxReturned")
    node.count("MaxReturned", page_size if page_size is not None else selection.max_returned)
    if modified:
        block = node.child("ModifiedDateRangeFilter")
        block.moment("FromModifiedDate", selection.modified_from)
        block.moment("ToModifiedDate", selection.modified_to)
    if dated:
        block = node.child("TxnDateRangeFilter")
        block.day("FromTxnDate", selection.txn_date_from)
        block.day("ToTxnDate", selection.txn_date_to)
    if selection.entity is not None:
        _one_of(node, "EntityFilter", selection.entity)
    if selection.account is not None:
        _one_of(node, "AccountFilter", selection.account)
    if selection.ref_number_match is not None:
        block = node.child("RefNumberFilter")
        block.text("MatchCriterion", selection.ref_number_match[0])
        block.text("RefNumber", selection.ref_number_match[1])
    if ranged:
        block = node.child("RefNumberRangeFilter")
        block.text("FromRefNumber", selection.ref_number_from)
        block.text("ToRefNumber", selection.ref_number_to)
    node.text("PaidStatus", selection.paid_status)


def txn_query(kind: str, *, request_id: str, txn_ids: Sequence[str] = (), ref_numbers: Sequence[str] = (),
              selection: TxnFilter | None = None, include_line_items: bool | None = None,
              include_linked_txns: bool | None = None, page_size: int | None = None,
              include_ret: Sequence[str] = (), owner_ids: Sequence[str] = ()) -> Element:
    """``<kind>QueryRq``: by TxnIDs, by RefNumbers (case-insensitive), or by a filter; ``page_size`` starts an
    iterator (then continue it with ``iterators.continue_query``)."""
    if kind not in TXN_KINDS:
        raise QbxmlValueError(f"{kind}QueryRq", f"no transaction query for {kind!r}")
    tag = f"{kind}QueryRq"
    if sum(bool(x) for x in (txn_ids, ref_numbers, selection is not None)) > 1:
        raise QbxmlValueError(tag, "query by TxnIDs, by RefNumbers or by a filter: one of them")
    if include_linked_txns is not None and not TXN_KINDS[kind].linked_txns:
        raise QbxmlValueError(tag, f"a {kind} query has no IncludeLinkedTxns (its AppliedToTxnRet says it)")
    rq = request_node(tag, request_id)
    if page_size is not None:
        if txn_ids or ref_numbers:
            raise QbxmlValueError(tag, "an iterator pages a filter, not a list of ids or numbers")
        start_iterator(rq.element, page_size)
    for txn_id in txn_ids:
        rq.ident("TxnID", txn_id)
    rq.texts("RefNumber", list(ref_numbers))
    if selection is not None or page_size is not None:
        _filter(rq, kind, selection or TxnFilter(), page_size)
    rq.flag("IncludeLineItems", include_line_items)
    rq.flag("IncludeLinkedTxns", include_linked_txns)
    rq.texts("IncludeRetElement", list(include_ret), 50)
    for owner in owner_ids:
        rq.guid("OwnerID", owner)
    return rq.element


def by_txn_ids(kind: str, txn_ids: Sequence[str], *, request_id: str, include_line_items: bool = True) -> Element:
    """Transactions by TxnID, with their lines and (where the query has it) what is applied to them: the
    EditSequence a Mod needs, the TxnLineIDs a :class:`~.line_plan.LinePlan` starts from, amounts for the tick."""
    if not txn_ids:
        raise QbxmlValueError(f"{kind}QueryRq", "name at least one TxnID")
    return txn_query(kind, request_id=request_id, txn_ids=txn_ids, include_line_items=include_line_items,
                     include_linked_txns=True if TXN_KINDS[kind].linked_txns else None)


def by_ref_number(kind: str, ref_number: str, *, party: Ref, txn_date: date, request_id: str) -> Element:
    """The transactions of this party, on this date, with exactly this RefNumber: where a write whose answer was
    lost would be (its ExternalGUID in the Ret confirms it; RefNumbers are not unique in QuickBooks).

    qbXML's RefNumberFilter has no "equals", so the number is a range from itself to itself."""
    selection = TxnFilter(txn_date_from=txn_date, txn_date_to=txn_date, entity=party, ref_number_from=ref_number,
                          ref_number_to=ref_number)
    return txn_query(kind, request_id=request_id, selection=selection, include_line_items=True,
                     include_linked_txns=True if TXN_KINDS[kind].linked_txns else None)


def changed_since(kind: str, watermark: datetime, *, request_id: str, page_size: int,
                  look_back: timedelta = DEFAULT_LOOK_BACK, until: datetime | None = None,
                  include_line_items: bool = True) -> Element:
    """The first page of everything of ``kind`` modified from ``watermark - look_back`` (to ``until``, the
    run's signpost, when given), lines and applied-to links included. Continue with
    ``iterators.continue_query`` while the answer's ``iteratorRemainingCount`` is above 0."""
    if watermark.tzinfo is None:
        raise QbxmlValueError(f"{kind}QueryRq/ModifiedDateRangeFilter", "the watermark needs a time zone")
    selection = TxnFilter(modified_from=watermark - look_back, modified_to=until)
    return txn_query(kind, request_id=request_id, selection=selection, include_line_items=include_line_items,
                     include_linked_txns=True if TXN_KINDS[kind].linked_txns else None, page_size=page_size)


def txn_deleted_query(kinds: Sequence[str], *, request_id: str, deleted_from: datetime | None = None,
                      deleted_to: datetime | None = None) -> Element:
    """``TxnDeletedQueryRq``: transactions of these types deleted in the window (deleted ones never appear in the
    ordinary queries)."""
    if not kinds:
        raise QbxmlValueError("TxnDeletedQueryRq", "name at least one TxnDelType")
    rq = request_node("TxnDeletedQueryRq", request_id)
    rq.texts("TxnDelType", list(kinds))
    if deleted_from is not None or deleted_to is not None:
        block = rq.child("DeletedDateRangeFilter")
        block.moment("FromDeletedDate", deleted_from)
        block.moment("ToDeletedDate", deleted_to)
    return rq.element
