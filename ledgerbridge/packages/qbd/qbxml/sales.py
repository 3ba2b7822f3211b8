"""Invoices and credit memos: ``InvoiceAdd``/``InvoiceMod`` and ``CreditMemoAdd``/``CreditMemoMod``.

Children are written in the order of the qbXML 13.0 and 16.0 sequences (identical for these four requests in
both versions). The Add and the Mod differ: only an Add carries ExternalGUID (required here, so no Add goes out
unstamped: ``values.external_guid``), an InvoiceAdd may link and apply credits, a Mod starts with TxnID and
EditSequence and changes lines only through a :class:`~.line_plan.LinePlan`. RefNumber is at most 11 characters
for both (the XSD's maxLength; ``packages/qbd/limits.py`` holds it for pre-check).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.common import Address, SetCredit, write_address, write_set_credit
from ledgerbridge.packages.qbd.qbxml.line_plan import LinePlan, write_lines, write_slots
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, Node, def_macro, request_node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref, TxnTarget

__all__ = ["SALES_REF_NUMBER_MAX", "SalesHeader", "SalesLine", "credit_memo_add", "credit_memo_mod", "invoice_add",
           "invoice_mod", "write_credit_memo_add", "write_invoice_add"]

SALES_REF_NUMBER_MAX = 11
MEMO_MAX = 4095
DESC_MAX = 4095
PO_NUMBER_MAX = 25


@dataclass(frozen=True, slots=True)
class SalesLine:
    """A line of an invoice or credit memo. A line names an item (QuickBooks posts it to the item's income
    account unless ``override_item_account``); a line with only ``desc`` is a text line."""

    item: Ref | None = None
    desc: str | None = None
    quantity: Decimal | None = None
    rate: Decimal | None = None
    amount: Decimal | None = None
    class_ref: Ref | None = None
    tax_amount: Decimal | None = None  # UK and Canadian editions: the line's VAT/GST as the host computed it
    service_date: date | None = None
    sales_tax_code: Ref | None = None
    override_item_account: Ref | None = None


@dataclass(frozen=True, slots=True)
class SalesHeader:
    """What an invoice or credit memo says besides its lines (every field a Mod may also send)."""

    customer: Ref
    txn_date: date | None = None
    ref_number: str | None = None
    class_ref: Ref | None = None
    ar_account: Ref | None = None
    template: Ref | None = None
    bill_address: Address | None = None
    ship_address: Address | None = None
    po_number: str | None = None
    terms: Ref | None = None
    due_date: date | None = None
    item_sales_tax: Ref | None = None  # US: the sales tax item (or group) charged on taxable lines
    memo: str | None = None
    is_tax_included: bool | None = None  # UK and Canadian editions only
    customer_sales_tax_code: Ref | None = None
    exchange_rate: Decimal | None = None


def _header(node: Node, header: SalesHeader) -> None:
    node.ref("CustomerRef", header.customer)
    node.ref("ClassRef", header.class_ref)
    node.ref("ARAccountRef", header.ar_account)
    node.ref("TemplateRef", header.template)
    node.day("TxnDate", header.txn_date)
    node.text("RefNumber", header.ref_number, SALES_REF_NUMBER_MAX)
    write_address(node, "BillAddress", header.bill_address)
    write_address(node, "ShipAddress", header.ship_address)
    # (IsPending and, on InvoiceAdd, IsFinanceCharge stand here: never sent)
    node.text("PONumber", header.po_number, PO_NUMBER_MAX)
    node.ref("TermsRef", header.terms)
    node.day("DueDate", header.due_date)
    node.ref("ItemSalesTaxRef", header.item_sales_tax)
    node.text("Memo", header.memo, MEMO_MAX)
    node.flag("IsTaxIncluded", header.is_tax_included)
    node.ref("CustomerSalesTaxCodeRef", header.customer_sales_tax_code)
    node.rate("ExchangeRate", header.exchange_rate)


def _line(node: Node, line: SalesLine) -> None:
    """The line's fields after ``TxnLineID``; Add and Mod lines share this order for the fields we send."""
    node.ref("ItemRef", line.item)
    node.text("Desc", line.desc, DESC_MAX)
    node.quantity("Quantity", line.quantity)
    node.quantity("Rate", line.rate)
    node.ref("ClassRef", line.class_ref)
    node.amount("Amount", line.amount)
    node.amount("TaxAmount", line.tax_amount)
    node.day("ServiceDate", line.service_date)
    node.ref("SalesTaxCodeRef", line.sales_tax_code)
    node.ref("OverrideItemAccountRef", line.override_item_account)


def _mod_lines(node: Node, tag: str, plan: LinePlan[SalesLine] | None) -> None:
    if plan is None:
        return  # lines untouched
    if not plan.sends_lines:
        raise QbxmlValueError(node.where, "a Mod cannot delete every line of an invoice or credit memo")
    write_slots(node, tag, plan, _line)


def invoice_add(header: SalesHeader, lines: Sequence[SalesLine], *, external_guid: str, request_id: str,
                macro: Macro | None = None, link_to_txn_ids: Sequence[str] = (),
                set_credits: Sequence[SetCredit] = ()) -> Element:
    """``InvoiceAddRq``; ``macro`` lets a payment later in the same message apply to it."""
    rq = request_node("InvoiceAddRq", request_id)
    write_invoice_add(rq, header, lines, external_guid=external_guid, macro=macro, link_to_txn_ids=link_to_txn_ids,
                      set_credits=set_credits)
    return rq.element


def write_invoice_add(rq: Node, header: SalesHeader, lines: Sequence[SalesLine], *, external_guid: str,
                      macro: Macro | None = None, link_to_txn_ids: Sequence[str] = (),
                      set_credits: Sequence[SetCredit] = ()) -> None:
    """:func:`invoice_add`'s content, into the request node ``rq`` (a ``TextNode`` writes it as text)."""
    add = rq.child("InvoiceAdd")
    def_macro(add, macro)
    _header(add, header)
    add.guid("ExternalGUID", external_guid)
    for txn_id in link_to_txn_ids:
        add.ident("LinkToTxnID", txn_id)
    for n, credit in enumerate(set_credits, 1):
        write_set_credit(add, credit, n)
    write_lines(add, "InvoiceLineAdd", lines, _line)


def invoice_mod(target: TxnTarget, header: SalesHeader, lines: LinePlan[SalesLine] | None, *,
                request_id: str, set_credits: Sequence[SetCredit] = ()) -> Element:
    """``InvoiceModRq``: the header as ``header`` says; lines only through ``lines`` (None: untouched)."""
    rq = request_node("InvoiceModRq", request_id)
    mod = rq.child("InvoiceMod")
    mod.ident("TxnID", target.txn_id)
    mod.text("EditSequence", target.edit_sequence)
    _header(mod, header)
    for n, credit in enumerate(set_credits, 1):
        write_set_credit(mod, credit, n)
    _mod_lines(mod, "InvoiceLineMod", lines)
    return rq.element


def credit_memo_add(header: SalesHeader, lines: Sequence[SalesLine], *, external_guid: str, request_id: str,
                    macro: Macro | None = None) -> Element:
    """``CreditMemoAddRq`` (at least one line: the XSD requires it)."""
    if not lines:
        raise QbxmlValueError("CreditMemoAdd", "a credit memo needs at least one line")
    rq = request_node("CreditMemoAddRq", request_id)
    write_credit_memo_add(rq, header, lines, external_guid=external_guid, macro=macro)
    return rq.element


def write_credit_memo_add(rq: Node, header: SalesHeader, lines: Sequence[SalesLine], *, external_guid: str,
                          macro: Macro | None = None) -> None:
    """:func:`credit_memo_add`'s content, into the request node ``rq``."""
    if not lines:
        raise QbxmlValueError("CreditMemoAdd", "a credit memo needs at least one line")
    add = rq.child("CreditMemoAdd")
    def_macro(add, macro)
    _header(add, header)
    add.guid("ExternalGUID", external_guid)
    write_lines(add, "CreditMemoLineAdd", lines, _line)


def credit_memo_mod(target: TxnTarget, header: SalesHeader, lines: LinePlan[SalesLine] | None, *,
                    request_id: str) -> Element:
    rq = request_node("CreditMemoModRq", request_id)
    mod = rq.child("CreditMemoMod")
    mod.ident("TxnID", target.txn_id)
    mod.text("EditSequence", target.edit_sequence)
    _header(mod, header)
    _mod_lines(mod, "CreditMemoLineMod", lines)
    return rq.element
