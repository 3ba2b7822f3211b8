"""Undoing a transaction: ``TxnVoidRq`` (amounts zeroed, the transaction kept, "VOID:" before its memo) and
``TxnDelRq`` where QuickBooks has no void (a received payment) or the record must go.

QuickBooks Desktop voids invoices, credit memos, bills, vendor credits and bill payments (the XSD's TxnVoidType);
a received payment can only be deleted. :func:`undo_request` picks the one QuickBooks allows.
"""

from __future__ import annotations

from ledgerbridge.packages.qbd.qbxml.nodes import Element, request_node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError

__all__ = ["DELETABLE", "VOIDABLE", "txn_del", "txn_void", "undo_request"]

#: TxnVoidType and TxnDelType values ledgerbridge uses (each a subset of the XSD's enumeration).
VOIDABLE = frozenset({"Invoice", "CreditMemo", "Bill", "VendorCredit", "BillPaymentCheck", "BillPaymentCreditCard"})
DELETABLE = VOIDABLE | {"ReceivePayment"}


def txn_void(kind: str, txn_id: str, *, request_id: str) -> Element:
    if kind not in VOIDABLE:
        raise QbxmlValueError("TxnVoidRq/TxnVoidType", f"QuickBooks cannot void a {kind}")
    rq = request_node("TxnVoidRq", request_id)
    rq.text("TxnVoidType", kind)
    rq.ident("TxnID", txn_id)
    return rq.element


def txn_del(kind: str, txn_id: str, *, request_id: str) -> Element:
    if kind not in DELETABLE:
        raise QbxmlValueError("TxnDelRq/TxnDelType", f"ledgerbridge does not delete a {kind}")
    rq = request_node("TxnDelRq", request_id)
    rq.text("TxnDelType", kind)
    rq.ident("TxnID", txn_id)
    return rq.element


def undo_request(kind: str, txn_id: str, *, request_id: str) -> Element:
    """A void where QuickBooks has one (the record stays, visibly voided), else a delete."""
    if kind in VOIDABLE:
        return txn_void(kind, txn_id, request_id=request_id)
    return txn_del(kind, txn_id, request_id=request_id)
