"""Purchase transactions: BillAdd/Mod (vendor invoices) and VendorCreditAdd/Mod, and their Rets.

A bill's RefNumber is the vendor's invoice number: never generated, never unique (two vendors may use the same
one, and QuickBooks accepts a repeat from one vendor through the SDK). Lines are expense lines (an account) and
item lines (an item, with ``Cost``); a Mod replaces the expense lines when it sends any (or ``ClearExpenseLines``)
and the item lines likewise, each set on its own. ``TermsRef`` defaults to the vendor's, ``DueDate`` to what the
terms say, ``APAccountRef`` to Accounts Payable. US bills carry no sales tax; UK and Canadian lines their VAT or
GST/HST from the line's (or the bill's) code and the code's purchase tax item (:mod:`.tax`).
"""

from __future__ import annotations

import copy
from decimal import Decimal

from .balances import open_amount
from .context import Answer, Context, Handler
from .currency import currency_fields
from .elements import Element, Value, amount, as_bool, as_date, bool_text, clone, date_text
from .lines import EXPENSE_LINES, ITEM_LINES, line_ret, mod_lines, new_line
from .refs import ref_element, resolve_refs
from .status import QbStatus
from .store import Line, Txn
from .tax import apply_tax
from .txns import (
    base_fields,
    default_account,
    due_date,
    header_fields,
    linked_txns,
    mod_target,
    recovery_of_txn,
    refuse_unsupported,
    touch,
    txn_date,
)

__all__ = ["HANDLERS", "purchase_ret"]

_NOT_KEPT = frozenset({
    "TxnID", "EditSequence", "TxnDate", "RefNumber", "ExternalGUID", "LinkToTxnID", "DueDate", "ClearExpenseLines",
    "ClearItemLines", "ExpenseLineAdd", "ExpenseLineMod", "ItemLineAdd", "ItemLineMod"})
_UNSUPPORTED = ("ItemGroupLineAdd", "ItemGroupLineMod", "LinkToTxnID")


def _add(ctx: Context, request: Element) -> Answer:
    kind = str(request.tag)[:-len("AddRq")]
    sent = request.find(f"{kind}Add")
    assert sent is not None
    body = clone(sent)  # lxml copies deep, without deepcopy's memo
    refuse_unsupported(kind, body, _UNSUPPORTED)
    resolve_refs(ctx.books, body, kind)
    vendor = ctx.books.lists[body.findtext("VendorRef/ListID") or ""]
    txn = Txn(kind, ctx.books.new_txn_id(ctx.now), ctx.books.new_txn_number(), ctx.now, ctx.now,
              ctx.books.new_edit_sequence(ctx.now), vendor.list_id, txn_date(ctx, body), body.findtext("RefNumber"),
              external_guid=body.findtext("ExternalGUID"))
    header_fields(body, _NOT_KEPT, txn.fields)
    payable = default_account(ctx, "AccountsPayable")
    if "APAccountRef" not in txn.fields and payable is not None:
        txn.fields["APAccountRef"] = ref_element("APAccountRef", payable)
    if kind == "Bill":
        if "TermsRef" not in txn.fields and vendor.ref_id("TermsRef"):
            txn.fields["TermsRef"] = ref_element("TermsRef", ctx.books.lists[vendor.ref_id("TermsRef") or ""])
        terms = ctx.books.lists.get(txn.ref_id("TermsRef") or "")
        txn.fields["DueDate"] = body.findtext("DueDate") or date_text(due_date(ctx, terms, txn.txn_date))
    header_code = txn.ref_id("SalesTaxCodeRef")
    taxes: dict[str, Decimal] = {}
    txn.lines = ([new_line(ctx, EXPENSE_LINES, node, header_code, taxes) for node in body.findall("ExpenseLineAdd")]
                 + [new_line(ctx, ITEM_LINES, node, header_code, taxes) for node in body.findall("ItemLineAdd")])
    apply_tax(ctx, txn, False, taxes, as_bool(body.findtext("IsTaxIncluded")))
    ctx.books.add_txn(txn)
    ctx.define_macro(sent, "TxnID", txn.txn_id)
    # IncludeRetElement names the Ret's elements the answer carries (its lines only when one is named), as
    # QuickBooks answers an Add: a caller that reads the id and total does not get every line back.
    include = [node.text or "" for node in request.findall("IncludeRetElement")] or None
    with_lines = include is None or any(name.endswith("LineRet") for name in include)
    return Answer([purchase_ret(ctx, txn, with_lines, False, include)], recovery=recovery_of_txn(txn))


def _replaced(ctx: Context, body: Element, txn: Txn, header_code: str | None,
              taxes: dict[str, Decimal]) -> list[Line]:
    """The lines after a Mod: each of the two sets replaced when the Mod sends lines of it or clears it."""
    result: list[Line] = []
    for kind, clear in ((EXPENSE_LINES, "ClearExpenseLines"), (ITEM_LINES, "ClearItemLines")):
        existing = [line for line in txn.lines if line.tag == kind.ret_tag]
        mods = body.findall(kind.mod_tag)
        if as_bool(body.findtext(clear)):
            existing = []
        result += mod_lines(ctx, kind, existing, mods, header_code, taxes) if mods else existing
    return result


def _mod(ctx: Context, request: Element) -> Answer:
    target = mod_target(ctx, request, party="Vendor", paid_by_payments="Bill", unsupported=_UNSUPPORTED)
    kind, txn, body, vendor_id, paid = target.kind, target.txn, target.body, target.party_id, target.paid
    fields = dict(txn.fields)
    header_fields(body, _NOT_KEPT, fields)
    if body.findtext("DueDate"):
        fields["DueDate"] = body.findtext("DueDate") or ""
    draft = copy.copy(txn)
    draft.fields = fields
    taxes: dict[str, Decimal] = {}
    draft.lines = _replaced(ctx, body, txn, draft.ref_id("SalesTaxCodeRef"), taxes)
    apply_tax(ctx, draft, False, taxes, as_bool(draft.text("IsTaxIncluded")))
    if draft.total < paid:
        raise QbStatus.modify_refused(kind, "The total cannot be less than the payments and credits applied to it.")
    if vendor_id != txn.entity_id:
        ctx.books.move_txn(txn, vendor_id)
    txn.fields, txn.lines = draft.fields, draft.lines
    txn.subtotal, txn.tax_total, txn.total = draft.subtotal, draft.tax_total, draft.total
    if body.findtext("TxnDate"):
        txn.txn_date = as_date(body.findtext("TxnDate") or "")
    if body.find("RefNumber") is not None:
        txn.ref_number = body.findtext("RefNumber") or None
    touch(ctx, txn)
    return Answer([purchase_ret(ctx, txn, True, False)], recovery=recovery_of_txn(txn))


def purchase_ret(ctx: Context, txn: Txn, with_lines: bool, with_links: bool,
                 include: list[str] | None = None) -> Element:
    """A BillRet or VendorCreditRet."""
    fields: dict[str, Value | None] = base_fields(txn)
    fields.update(currency_fields(ctx, txn))
    remaining = open_amount(ctx.books, txn)
    if txn.kind == "Bill":
        fields["AmountDue"] = amount(txn.total)
        fields["IsPaid"] = bool_text(remaining <= 0)
    else:
        fields["CreditAmount"] = amount(txn.total)
    fields["OpenAmount"] = amount(remaining)
    if with_links:
        fields["LinkedTxn"] = linked_txns(ctx, txn)
    if with_lines:
        with_tax = ctx.config.flavour != "US"
        fields["ExpenseLineRet"] = [line_ret(ctx, line, with_tax) for line in txn.lines if line.tag == "ExpenseLineRet"]
        fields["ItemLineRet"] = [line_ret(ctx, line, with_tax) for line in txn.lines if line.tag == "ItemLineRet"]
    return ctx.ret(f"{txn.kind}Ret", fields, include, owned={"ExpenseLineRet", "ItemLineRet", "LinkedTxn"})


HANDLERS: dict[str, Handler] = {"BillAddRq": _add, "BillModRq": _mod, "VendorCreditAddRq": _add,
                                "VendorCreditModRq": _mod}
