"""TxnDel, TxnVoid and TxnDeletedQuery.

Which types allow which is the schema's (``TxnVoidType`` has no ReceivePayment: a customer payment is deleted,
never voided; QuickBooks voids invoices, credit memos, bills, vendor credits and bill payments). A void keeps the
transaction with its amounts at zero and ``VOID:`` before its memo; a delete removes it and logs it for
TxnDeletedQuery (type, TxnID, created, deleted, RefNumber). Deleting or voiding a payment reopens what it paid and
frees the credits it used. An invoice, bill or credit that payments or credits are applied to is not deleted or
voided under them: QuickBooks answers 3170 (assumed detail) and the payments must go first.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from .balances import PAYMENTS
from .context import Answer, Context, Handler
from .elements import Element, Value, as_datetime, datetime_text
from .paging import answer_query
from .status import QbStatus
from .store import Txn
from .txns import touch, touch_applied

__all__ = ["HANDLERS"]


def _target(ctx: Context, kind: str, txn_id: str) -> Txn:
    txn = ctx.books.txns.get(txn_id)
    if txn is None or txn.kind != kind:
        raise QbStatus.not_found(txn_id)
    return txn


def _refuse_if_applied(ctx: Context, txn: Txn) -> None:
    others = [p for p in ctx.books.payments_of(txn.txn_id) + ctx.books.credit_users(txn.txn_id) if p is not txn]
    if others:
        raise QbStatus.modify_refused(txn.kind, "This transaction has payments or credits applied to it; delete or "
                                                "void them first.")


def _delete(ctx: Context, request: Element) -> Answer:
    kind, txn_id = request.findtext("TxnDelType") or "", request.findtext("TxnID") or ""
    txn = _target(ctx, kind, txn_id)
    _refuse_if_applied(ctx, txn)
    touch_applied(ctx, txn)
    ctx.books.unlink_payment(txn)
    ctx.books.remove_txn(txn, ctx.now)
    rs_fields: dict[str, str] = {"TxnDelType": kind, "TxnID": txn_id, "TimeDeleted": datetime_text(ctx.now)}
    if txn.ref_number:
        rs_fields["RefNumber"] = txn.ref_number
    return Answer(_inline(ctx, "TxnDelRs", rs_fields), recovery={"TxnID": txn_id})


def _void(ctx: Context, request: Element) -> Answer:
    kind, txn_id = request.findtext("TxnVoidType") or "", request.findtext("TxnID") or ""
    txn = _target(ctx, kind, txn_id)
    if not txn.voided:
        _refuse_if_applied(ctx, txn)
        if kind in PAYMENTS:
            touch_applied(ctx, txn)
            ctx.books.unlink_payment(txn)
            txn.applications = []
        elif txn.applications:  # an invoice's own SetCredit: the credits are freed
            touch_applied(ctx, txn)
            ctx.books.unlink_payment(txn)
            txn.applications = []
        for line in txn.lines:
            line.amount, line.tax_amount = Decimal(0), Decimal(0)
        txn.subtotal = txn.tax_total = txn.total = Decimal(0)
        txn.voided = True
        memo = txn.text("Memo")
        txn.fields["Memo"] = f"VOID: {memo}" if memo else "VOID:"
        touch(ctx, txn)
    rs_fields = {"TxnVoidType": kind, "TxnID": txn_id, "TimeCreated": datetime_text(txn.created),
                 "TimeModified": datetime_text(txn.modified)}
    if txn.ref_number:
        rs_fields["RefNumber"] = txn.ref_number
    return Answer(_inline(ctx, "TxnVoidRs", rs_fields),
                  recovery={"TxnID": txn_id, "EditSequence": txn.edit_sequence})


def _inline(ctx: Context, response_tag: str, fields: dict[str, str]) -> list[Element]:
    """TxnDelRs and TxnVoidRs carry their data as direct children, not in a Ret: returned in schema order."""
    order = ctx.schema.child_order(f"QBXMLMsgsRs/{response_tag}")
    nodes = []
    for name in sorted(fields, key=order.__getitem__):
        node = etree.Element(name)
        node.text = fields[name]
        nodes.append(node)
    return nodes


def _deleted_query(ctx: Context, request: Element) -> Answer:
    kinds = {node.text for node in request.findall("TxnDelType")}
    dates = request.find("DeletedDateRangeFilter")
    low = high = None
    if dates is not None:
        since, until = dates.findtext("FromDeletedDate"), dates.findtext("ToDeletedDate")
        low = as_datetime(since, ctx.config.zone) if since else None
        high = as_datetime(until, ctx.config.zone) if until else None
    found = {entry.txn_id: entry for entry in ctx.books.deleted if entry.kind in kinds
             and (low is None or entry.deleted >= low) and (high is None or entry.deleted <= high)}

    def render(txn_id: str) -> Element:
        entry = found[txn_id]
        fields: dict[str, Value | None] = {
            "TxnDelType": entry.kind, "TxnID": entry.txn_id, "TimeCreated": datetime_text(entry.created),
            "TimeDeleted": datetime_text(entry.deleted), "RefNumber": entry.ref_number}
        return ctx.ret("TxnDeletedRet", fields)

    return answer_query(ctx, request, lambda: list(found), render)


HANDLERS: dict[str, Handler] = {"TxnDelRq": _delete, "TxnVoidRq": _void, "TxnDeletedQueryRq": _deleted_query}
