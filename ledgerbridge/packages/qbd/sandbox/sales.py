"""Sales transactions: InvoiceAdd/Mod and CreditMemoAdd/Mod, and their Rets.

What QuickBooks does and the sandbox with it: an invoice without ``RefNumber`` gets the next number; duplicates
are accepted (QuickBooks does not enforce RefNumber uniqueness through the SDK); ``TxnDate`` defaults to today,
``TermsRef`` to the customer's and ``DueDate`` to what the terms say; ``ARAccountRef`` to Accounts Receivable;
tax by the company's edition (:mod:`.tax`); ``SetCredit`` applies credit memos to the invoice at once;
``ExternalGUID`` is kept and returned. A Mod with lines replaces them (:mod:`.lines`); a Mod that would bring the
total below what has been paid and credited is refused (3170, assumed wording).
"""

from __future__ import annotations

import copy
from decimal import Decimal

from .balances import check_credit, open_amount
from .context import Answer, Context, Handler
from .currency import currency_fields
from .elements import (
    Element,
    Value,
    amount,
    as_bool,
    as_date,
    as_decimal,
    bool_text,
    clone,
    date_text,
    decimal_text,
    first,
    text,
)
from .lines import CREDIT_MEMO_LINES, INVOICE_LINES, LineKind, line_ret, mod_lines, new_line
from .refs import ref_element, resolve_refs
from .status import QbStatus
from .store import Application, Line, ListObject, Txn
from .tax import apply_tax, default_sales_tax_item
from .txns import (
    base_fields,
    default_account,
    due_date,
    header_fields,
    linked_txns,
    mod_target,
    next_ref_number,
    recovery_of_txn,
    refuse_unsupported,
    touch,
    txn_date,
)

__all__ = ["HANDLERS", "sales_ret"]

_KINDS: dict[str, LineKind] = {"Invoice": INVOICE_LINES, "CreditMemo": CREDIT_MEMO_LINES}
_NOT_KEPT = frozenset({
    "TxnID", "EditSequence", "TxnDate", "RefNumber", "ExternalGUID", "LinkToTxnID", "SetCredit", "ItemSalesTaxRef",
    "DueDate", "InvoiceLineAdd", "InvoiceLineMod", "CreditMemoLineAdd", "CreditMemoLineMod"})
_UNSUPPORTED = ("InvoiceLineGroupAdd", "InvoiceLineGroupMod", "CreditMemoLineGroupAdd", "CreditMemoLineGroupMod",
                "DiscountLineAdd", "SalesTaxLineAdd", "ShippingLineAdd", "LinkToTxnID")


def _customer_code(ctx: Context, txn: Txn) -> ListObject | None:
    return ctx.books.lists.get(txn.ref_id("CustomerSalesTaxCodeRef") or "")


def _set_tax_item(ctx: Context, txn: Txn, body: Element, customer: ListObject) -> None:
    """US only: the sales-tax item and its percentage (the invoice's, else the customer's, else the default)."""
    if ctx.config.flavour != "US":
        return
    sent = body.find("ItemSalesTaxRef")
    item = ctx.books.lists.get(sent.findtext("ListID") or "") if sent is not None else None
    if item is None and txn.tax_item_id is None:
        item = default_sales_tax_item(ctx, customer)
    if item is not None:
        txn.tax_item_id = item.list_id
        txn.tax_percent = as_decimal(item.text("TaxRate") or "0")


def _credits(ctx: Context, txn: Txn, body: Element, open_now: Decimal) -> list[tuple[str, Decimal]]:
    """The ``SetCredit`` elements checked: each credit memo the customer's with that much left, and no more in
    all than the invoice still owes (``open_now``)."""
    credits: list[tuple[str, Decimal]] = []
    for node in body.findall("SetCredit"):
        credit_id, used = node.findtext("CreditTxnID") or "", as_decimal(node.findtext("AppliedAmount") or "0")
        check_credit(ctx.books, credit_id, used, txn.entity_id, "CreditMemo")
        credits.append((credit_id, used))
    total = sum((used for _, used in credits), Decimal(0))
    if total > open_now:
        raise QbStatus.invalid_value("SetCredit applied amount", amount(total),
                                     "You cannot pay more than the amount due.")
    return credits


def _apply_credits(ctx: Context, txn: Txn, credits: list[tuple[str, Decimal]]) -> None:
    if credits:
        ctx.books.unlink_payment(txn)
        txn.applications.append(Application(txn.txn_id, Decimal(0), credits))
        ctx.books.link_payment(txn)


def _add(ctx: Context, request: Element) -> Answer:
    kind = str(request.tag)[:-len("AddRq")]
    lines_kind = _KINDS[kind]
    sent = first(request, f"{kind}Add")
    assert sent is not None
    body = clone(sent)  # lxml copies deep, without deepcopy's memo (a tenth of an Add's time)
    refuse_unsupported(kind, body, _UNSUPPORTED)
    resolve_refs(ctx.books, body, kind)
    customer_ref = first(body, "CustomerRef")
    customer = ctx.books.lists[(text(customer_ref, "ListID") if customer_ref is not None else None) or ""]
    when = txn_date(ctx, body)
    txn = Txn(kind, ctx.books.new_txn_id(ctx.now), ctx.books.new_txn_number(), ctx.now, ctx.now,
              ctx.books.new_edit_sequence(ctx.now), customer.list_id, when,
              text(body, "RefNumber") or next_ref_number(ctx, _KINDS), external_guid=text(body, "ExternalGUID"))
    header_fields(body, _NOT_KEPT, txn.fields)
    _defaults(ctx, txn, customer, body)
    _set_tax_item(ctx, txn, body, customer)
    taxes: dict[str, Decimal] = {}
    txn.lines = [new_line(ctx, lines_kind, node, None, taxes) for node in body.findall(lines_kind.add_tag)]
    apply_tax(ctx, txn, True, taxes, as_bool(text(body, "IsTaxIncluded")), _customer_code(ctx, txn))
    credits = _credits(ctx, txn, body, txn.total)
    ctx.books.add_txn(txn)
    _apply_credits(ctx, txn, credits)
    ctx.define_macro(sent, "TxnID", txn.txn_id)
    # IncludeRetElement names the Ret's elements the answer carries (its lines only when one is named), as
    # QuickBooks answers an Add: a caller that reads the id and total does not get every line back.
    include = [node.text or "" for node in request.findall("IncludeRetElement")] or None
    with_lines = include is None or any(name.endswith("LineRet") for name in include)
    return Answer([sales_ret(ctx, txn, with_lines, False, include)], recovery=recovery_of_txn(txn))


def _defaults(ctx: Context, txn: Txn, customer: ListObject, body: Element) -> None:
    if "ARAccountRef" not in txn.fields:
        receivable = default_account(ctx, "AccountsReceivable")
        if receivable is not None:
            txn.fields["ARAccountRef"] = ref_element("ARAccountRef", receivable)
    if "TermsRef" not in txn.fields and customer.ref_id("TermsRef") and txn.kind == "Invoice":
        txn.fields["TermsRef"] = ref_element("TermsRef", ctx.books.lists[customer.ref_id("TermsRef") or ""])
    if "CustomerSalesTaxCodeRef" not in txn.fields and customer.ref_id("SalesTaxCodeRef"):
        code = ctx.books.lists[customer.ref_id("SalesTaxCodeRef") or ""]
        txn.fields["CustomerSalesTaxCodeRef"] = ref_element("CustomerSalesTaxCodeRef", code)
    sent_due = text(body, "DueDate")
    if txn.kind == "Invoice":
        terms = ctx.books.lists.get(txn.ref_id("TermsRef") or "")
        txn.fields["DueDate"] = sent_due or date_text(due_date(ctx, terms, txn.txn_date))
    elif sent_due:
        txn.fields["DueDate"] = sent_due


def _mod(ctx: Context, request: Element) -> Answer:
    target = mod_target(ctx, request, party="Customer", paid_by_payments="Invoice", unsupported=_UNSUPPORTED)
    kind, txn, body, customer_id, paid = target.kind, target.txn, target.body, target.party_id, target.paid
    lines_kind = _KINDS[kind]
    taxes: dict[str, Decimal] = {}
    mods = body.findall(lines_kind.mod_tag)
    lines: list[Line] = mod_lines(ctx, lines_kind, txn.lines, mods, None, taxes) if mods else txn.lines
    draft = copy.copy(txn)
    draft.entity_id = customer_id
    draft.fields = dict(txn.fields)
    header_fields(body, _NOT_KEPT, draft.fields)
    draft.lines = lines
    if body.findtext("DueDate"):
        draft.fields["DueDate"] = body.findtext("DueDate") or ""
    if body.findtext("TxnDate"):
        draft.txn_date = as_date(body.findtext("TxnDate") or "")
    draft.ref_number = body.findtext("RefNumber") or txn.ref_number
    _set_tax_item(ctx, draft, body, ctx.books.lists[customer_id])
    apply_tax(ctx, draft, True, taxes, as_bool(draft.text("IsTaxIncluded")), _customer_code(ctx, draft))
    if draft.total < paid:
        raise QbStatus.modify_refused(kind, "The total cannot be less than the payments and credits applied to it.")
    credits = _credits(ctx, draft, body, draft.total - paid) if kind == "Invoice" else []
    _commit(ctx, txn, draft, customer_id)
    _apply_credits(ctx, txn, credits)
    touch(ctx, txn)
    return Answer([sales_ret(ctx, txn, True, False)], recovery=recovery_of_txn(txn))


def _commit(ctx: Context, txn: Txn, draft: Txn, customer_id: str) -> None:
    if customer_id != txn.entity_id:
        ctx.books.move_txn(txn, customer_id)
    txn.fields, txn.lines, txn.txn_date, txn.ref_number = draft.fields, draft.lines, draft.txn_date, draft.ref_number
    txn.subtotal, txn.tax_total, txn.total = draft.subtotal, draft.tax_total, draft.total
    txn.tax_item_id, txn.tax_percent = draft.tax_item_id, draft.tax_percent


def sales_ret(ctx: Context, txn: Txn, with_lines: bool, with_links: bool,
              include: list[str] | None = None) -> Element:
    """An InvoiceRet or CreditMemoRet."""
    fields: dict[str, Value | None] = base_fields(txn)
    fields.update(currency_fields(ctx, txn))
    fields["Subtotal"] = amount(txn.subtotal)
    fields["SalesTaxTotal"] = amount(txn.tax_total)
    item = ctx.books.lists.get(txn.tax_item_id or "")
    if item is not None:
        fields["ItemSalesTaxRef"] = ref_element("ItemSalesTaxRef", item)
        fields["SalesTaxPercentage"] = decimal_text(txn.tax_percent or Decimal(0))
    remaining = open_amount(ctx.books, txn)
    if txn.kind == "Invoice":
        fields["IsFinanceCharge"] = bool_text(False)
        fields["AppliedAmount"] = amount(-(txn.total - remaining) if not txn.voided else Decimal(0))
        fields["BalanceRemaining"] = amount(remaining)
        fields["IsPaid"] = bool_text(remaining <= 0)
    else:
        fields["TotalAmount"] = amount(txn.total)
        fields["CreditRemaining"] = amount(remaining)
    fields.setdefault("IsPending", bool_text(False))
    if with_links:
        fields["LinkedTxn"] = linked_txns(ctx, txn)
    if with_lines:
        fields[_KINDS[txn.kind].ret_tag] = [line_ret(ctx, line, ctx.config.flavour != "US") for line in txn.lines]
    return ctx.ret(f"{txn.kind}Ret", fields, include,
                   owned={_KINDS[txn.kind].ret_tag, "LinkedTxn", "ItemSalesTaxRef"})


HANDLERS: dict[str, Handler] = {"InvoiceAddRq": _add, "InvoiceModRq": _mod, "CreditMemoAddRq": _add,
                                "CreditMemoModRq": _mod}
