"""Vendor bills and vendor credits: ``BillAdd``/``BillMod``, ``VendorCreditAdd``/``VendorCreditMod``.

A purchase transaction has two kinds of line, each its own list in the XSD: expense lines, which post straight to
an account (``ExpenseLineAdd``: ledgerbridge's purchase lines on a nominal code), then item lines. A Mod touches
each list on its own through a :class:`~.line_plan.LinePlan`; a plan that deletes every line of a list sends
``ClearExpenseLines``/``ClearItemLines``, because sending no line would leave them all. RefNumber holds 20
characters (the vendor's invoice number: Komet's rule puts the PO number before it, ``packages/qbd/mapper``).
Order is the 13.0 sequence; 16.0 adds only elements ledgerbridge never sends (ClassRef on the header, VendorRef
on an expense line), so one order serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.common import Address, write_address
from ledgerbridge.packages.qbd.qbxml.line_plan import LinePlan, write_lines, write_slots
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, Node, def_macro, request_node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref, TxnTarget

__all__ = ["PURCHASE_REF_NUMBER_MAX", "ExpenseLine", "ItemLine", "PurchaseHeader", "bill_add", "bill_mod",
           "vendor_credit_add", "vendor_credit_mod", "write_bill_add", "write_vendor_credit_add"]

PURCHASE_REF_NUMBER_MAX = 20
TEXT_MAX = 4095


@dataclass(frozen=True, slots=True)
class ExpenseLine:
    """A line posted to an account (no item)."""

    account: Ref
    amount: Decimal
    memo: str | None = None
    tax_amount: Decimal | None = None  # UK and Canadian editions
    customer: Ref | None = None  # billable to a customer (job costing)
    class_ref: Ref | None = None
    sales_tax_code: Ref | None = None


@dataclass(frozen=True, slots=True)
class ItemLine:
    """A line naming an item (QuickBooks posts it to the item's expense account unless overridden)."""

    item: Ref
    desc: str | None = None
    quantity: Decimal | None = None
    cost: Decimal | None = None
    amount: Decimal | None = None
    tax_amount: Decimal | None = None
    customer: Ref | None = None
    class_ref: Ref | None = None
    sales_tax_code: Ref | None = None
    override_item_account: Ref | None = None


@dataclass(frozen=True, slots=True)
class PurchaseHeader:
    """A bill's or vendor credit's header. ``vendor_address``, ``due_date`` and ``terms`` are a bill's only."""

    vendor: Ref
    txn_date: date | None = None
    ref_number: str | None = None
    ap_account: Ref | None = None
    vendor_address: Address | None = None
    due_date: date | None = None
    terms: Ref | None = None
    memo: str | None = None
    is_tax_included: bool | None = None  # UK and Canadian editions only
    sales_tax_code: Ref | None = None
    exchange_rate: Decimal | None = None


def _bill_header(node: Node, header: PurchaseHeader) -> None:
    node.ref("VendorRef", header.vendor)
    write_address(node, "VendorAddress", header.vendor_address)
    node.ref("APAccountRef", header.ap_account)
    node.day("TxnDate", header.txn_date)
    node.day("DueDate", header.due_date)
    node.text("RefNumber", header.ref_number, PURCHASE_REF_NUMBER_MAX)
    node.ref("TermsRef", header.terms)
    node.text("Memo", header.memo, TEXT_MAX)
    node.flag("IsTaxIncluded", header.is_tax_included)
    node.ref("SalesTaxCodeRef", header.sales_tax_code)
    node.rate("ExchangeRate", header.exchange_rate)


def _credit_header(node: Node, header: PurchaseHeader) -> None:
    for name, value in (("vendor_address", header.vendor_address), ("due_date", header.due_date),
                        ("terms", header.terms)):
        if value is not None:
            raise QbxmlValueError(f"{node.where}", f"a vendor credit has no {name}")
    node.ref("VendorRef", header.vendor)
    node.ref("APAccountRef", header.ap_account)
    node.day("TxnDate", header.txn_date)
    node.text("RefNumber", header.ref_number, PURCHASE_REF_NUMBER_MAX)
    node.text("Memo", header.memo, TEXT_MAX)
    node.flag("IsTaxIncluded", header.is_tax_included)
    node.ref("SalesTaxCodeRef", header.sales_tax_code)
    node.rate("ExchangeRate", header.exchange_rate)


def _expense(node: Node, line: ExpenseLine) -> None:
    node.ref("AccountRef", line.account)
    node.amount("Amount", line.amount)
    node.amount("TaxAmount", line.tax_amount)
    node.text("Memo", line.memo, TEXT_MAX)
    node.ref("CustomerRef", line.customer)
    node.ref("ClassRef", line.class_ref)
    node.ref("SalesTaxCodeRef", line.sales_tax_code)


def _item(node: Node, line: ItemLine) -> None:
    node.ref("ItemRef", line.item)
    node.text("Desc", line.desc, TEXT_MAX)
    node.quantity("Quantity", line.quantity)
    node.quantity("Cost", line.cost)
    node.amount("Amount", line.amount)
    node.amount("TaxAmount", line.tax_amount)
    node.ref("CustomerRef", line.customer)
    node.ref("ClassRef", line.class_ref)
    node.ref("SalesTaxCodeRef", line.sales_tax_code)
    node.ref("OverrideItemAccountRef", line.override_item_account)


def _add_lines(node: Node, expenses: Sequence[ExpenseLine], items: Sequence[ItemLine]) -> None:
    if not expenses and not items:
        raise QbxmlValueError(node.where, "needs at least one expense or item line")
    write_lines(node, "ExpenseLineAdd", expenses, _expense)
    write_lines(node, "ItemLineAdd", items, _item)


def _mod_lines(node: Node, expenses: LinePlan[ExpenseLine] | None, items: LinePlan[ItemLine] | None) -> None:
    if expenses is not None and items is not None and not expenses.sends_lines and not items.sends_lines:
        raise QbxmlValueError(node.where, "a Mod cannot delete every line")
    if expenses is not None:
        node.flag("ClearExpenseLines", True if not expenses.sends_lines else None)
        write_slots(node, "ExpenseLineMod", expenses, _expense)
    if items is not None:
        node.flag("ClearItemLines", True if not items.sends_lines else None)
        write_slots(node, "ItemLineMod", items, _item)


def bill_add(header: PurchaseHeader, expenses: Sequence[ExpenseLine], items: Sequence[ItemLine] = (), *,
             external_guid: str, request_id: str, macro: Macro | None = None,
             link_to_txn_ids: Sequence[str] = ()) -> Element:
    """``BillAddRq``; ``macro`` lets a bill payment later in the same message name it."""
    rq = request_node("BillAddRq", request_id)
    write_bill_add(rq, header, expenses, items, external_guid=external_guid, macro=macro,
                   link_to_txn_ids=link_to_txn_ids)
    return rq.element


def write_bill_add(rq: Node, header: PurchaseHeader, expenses: Sequence[ExpenseLine], items: Sequence[ItemLine] = (),
                   *, external_guid: str, macro: Macro | None = None, link_to_txn_ids: Sequence[str] = ()) -> None:
    """:func:`bill_add`'s content, into the request node ``rq`` (a ``TextNode`` writes it as text)."""
    add = rq.child("BillAdd")
    def_macro(add, macro)
    _bill_header(add, header)
    add.guid("ExternalGUID", external_guid)
    for txn_id in link_to_txn_ids:
        add.ident("LinkToTxnID", txn_id)
    _add_lines(add, expenses, items)


def bill_mod(target: TxnTarget, header: PurchaseHeader, expenses: LinePlan[ExpenseLine] | None,
             items: LinePlan[ItemLine] | None = None, *, request_id: str) -> Element:
    """``BillModRq``: each list of lines untouched (None) or as its plan says."""
    rq = request_node("BillModRq", request_id)
    mod = rq.child("BillMod")
    mod.ident("TxnID", target.txn_id)
    mod.text("EditSequence", target.edit_sequence)
    _bill_header(mod, header)
    _mod_lines(mod, expenses, items)
    return rq.element


def vendor_credit_add(header: PurchaseHeader, expenses: Sequence[ExpenseLine], items: Sequence[ItemLine] = (), *,
                      external_guid: str, request_id: str, macro: Macro | None = None) -> Element:
    rq = request_node("VendorCreditAddRq", request_id)
    write_vendor_credit_add(rq, header, expenses, items, external_guid=external_guid, macro=macro)
    return rq.element


def write_vendor_credit_add(rq: Node, header: PurchaseHeader, expenses: Sequence[ExpenseLine],
                            items: Sequence[ItemLine] = (), *, external_guid: str, macro: Macro | None = None) -> None:
    """:func:`vendor_credit_add`'s content, into the request node ``rq``."""
    add = rq.child("VendorCreditAdd")
    def_macro(add, macro)
    _credit_header(add, header)
    add.guid("ExternalGUID", external_guid)
    _add_lines(add, expenses, items)


def vendor_credit_mod(target: TxnTarget, header: PurchaseHeader, expenses: LinePlan[ExpenseLine] | None,
                      items: LinePlan[ItemLine] | None = None, *, request_id: str) -> Element:
    rq = request_node("VendorCreditModRq", request_id)
    mod = rq.child("VendorCreditMod")
    mod.ident("TxnID", target.txn_id)
    mod.text("EditSequence", target.edit_sequence)
    _credit_header(mod, header)
    _mod_lines(mod, expenses, items)
    return rq.element
