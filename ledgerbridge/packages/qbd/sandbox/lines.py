"""Transaction lines: invoice and credit-memo item lines, bill and vendor-credit expense and item lines. Amounts
from what the line says, tax codes defaulted as QuickBooks defaults them, Mod's line rules, and each line's Ret.

A line's amount is its ``Amount``; without one, ``Quantity`` x ``Rate`` (``Cost`` on a purchase item line), a
missing quantity counting as 1; without a rate, the item's price (sales) or cost (purchases). Its tax code is its
own ``SalesTaxCodeRef``, else the item's (on purchases the item's purchase code first), else the transaction's.

Mod (Intuit's InvoiceMod reference): a Mod that sends lines replaces the line list with exactly those it sends, in
that order. ``TxnLineID`` ``-1`` adds a line; an existing ID keeps that line and changes only the fields sent; a
line left out is deleted. A Mod that sends no line keeps them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from .context import Context
from .elements import Element, Value, amount, as_decimal, clone, decimal_text, round_cents, text
from .status import QbStatus
from .store import Line, ListObject

__all__ = ["CREDIT_MEMO_LINES", "EXPENSE_LINES", "INVOICE_LINES", "ITEM_LINES", "LineKind", "line_ret", "mod_lines",
           "new_line"]


@dataclass(frozen=True, slots=True)
class LineKind:
    add_tag: str
    mod_tag: str
    ret_tag: str
    #: The unit price's element (``Rate`` on sales, ``Cost`` on purchase item lines), None on expense lines.
    price: str | None
    sales: bool


INVOICE_LINES = LineKind("InvoiceLineAdd", "InvoiceLineMod", "InvoiceLineRet", "Rate", True)
CREDIT_MEMO_LINES = LineKind("CreditMemoLineAdd", "CreditMemoLineMod", "CreditMemoLineRet", "Rate", True)
EXPENSE_LINES = LineKind("ExpenseLineAdd", "ExpenseLineMod", "ExpenseLineRet", None, False)
ITEM_LINES = LineKind("ItemLineAdd", "ItemLineMod", "ItemLineRet", "Cost", False)
#: Children computed rather than kept as sent.
_COMPUTED = frozenset({"TxnLineID", "Amount", "TaxAmount"})


def _item_price(item: ListObject | None, sales: bool) -> str | None:
    if item is None:
        return None
    for aggregate, field in (("SalesOrPurchase", "Price"),
                             ("SalesAndPurchase", "SalesPrice" if sales else "PurchaseCost")):
        node = item.fields.get(aggregate)
        if isinstance(node, Element) and node.findtext(field):
            return node.findtext(field)
    return None


def _item_code(item: ListObject | None, sales: bool) -> str | None:
    if item is None:
        return None
    both = item.fields.get("SalesAndPurchase")
    if not sales and isinstance(both, Element):
        purchase = both.find("PurchaseTaxCodeRef")
        if purchase is not None:
            return purchase.findtext("ListID")
    return item.ref_id("SalesTaxCodeRef")


def _fill(ctx: Context, kind: LineKind, line: Line, sent: Element, header_code: str | None) -> Decimal | None:
    """Apply what a LineAdd/LineMod element sends to ``line``; returns the TaxAmount it sends, if any."""
    recompute = False
    sent_amount = tax = None  # the first of each, as findtext reads them
    for node in sent:
        tag = node.tag
        if not isinstance(tag, str):
            continue
        if tag in _COMPUTED:
            if tag == "Amount" and sent_amount is None:
                sent_amount = node.text or ""
            elif tag == "TaxAmount" and tax is None:
                tax = node.text or ""
            continue
        line.fields[tag] = clone(node) if len(node) else (node.text or "")
        recompute = recompute or tag in ("Quantity", "Rate", "Cost", "ItemRef", "RatePercent")
    item = ctx.books.lists.get(_ref_id(line.fields.get("ItemRef")) or "")
    if sent_amount is not None and sent_amount != "":
        line.amount = round_cents(as_decimal(sent_amount))
    elif recompute or kind.price is None:
        line.amount = _computed_amount(kind, line, item)
    code = _ref_id(line.fields.get("SalesTaxCodeRef")) or _item_code(item, kind.sales) or header_code
    line.tax_code_id = code
    code_obj = ctx.books.lists.get(code or "")
    if code_obj is not None and "SalesTaxCodeRef" not in line.fields:
        line.fields["SalesTaxCodeRef"] = _ref("SalesTaxCodeRef", code_obj)
    return round_cents(as_decimal(tax)) if tax else None


def _computed_amount(kind: LineKind, line: Line, item: ListObject | None) -> Decimal:
    if kind.price is None:  # an expense line is its amount, nothing else
        return line.amount
    quantity = line.fields.get("Quantity")
    price = line.fields.get(kind.price)
    if not isinstance(price, str) or price == "":
        price = _item_price(item, kind.sales)
        if price is None:  # nothing to price the line with: it keeps its amount (0 for a new line)
            return line.amount
        line.fields[kind.price] = decimal_text(as_decimal(price))
    count = as_decimal(quantity) if isinstance(quantity, str) and quantity else Decimal(1)
    return round_cents(count * as_decimal(price))


def _ref_id(value: Value | None) -> str | None:
    return text(value, "ListID") if isinstance(value, Element) else None


def _ref(tag: str, obj: ListObject) -> Element:
    node = etree.Element(tag)
    etree.SubElement(node, "ListID").text = obj.list_id
    etree.SubElement(node, "FullName").text = obj.full_name
    return node


def new_line(ctx: Context, kind: LineKind, sent: Element, header_code: str | None,
             taxes: dict[str, Decimal]) -> Line:
    """A line from a ``…LineAdd`` element (or a Mod's ``TxnLineID`` -1); its sent TaxAmount goes to ``taxes``."""
    line = Line(ctx.books.new_txn_id(ctx.now), kind.ret_tag, {}, Decimal(0))
    tax = _fill(ctx, kind, line, sent, header_code)
    if tax is not None:
        taxes[line.line_id] = tax
    ctx.define_macro(sent, "TxnLineID", line.line_id)
    return line


def mod_lines(ctx: Context, kind: LineKind, existing: Sequence[Line], mods: Sequence[Element],
              header_code: str | None, taxes: dict[str, Decimal]) -> list[Line]:
    """The line list after a Mod that sends ``mods`` (exactly those lines, in that order)."""
    by_id = {line.line_id: line for line in existing}
    result: list[Line] = []
    for sent in mods:
        line_id = sent.findtext("TxnLineID") or ""
        if line_id == "-1":
            result.append(new_line(ctx, kind, sent, header_code, taxes))
            continue
        old = by_id.get(line_id)
        if old is None:
            raise QbStatus.not_found(line_id)
        line = Line(old.line_id, old.tag, dict(old.fields), old.amount, old.tax_code_id, old.tax_amount, old.taxable)
        tax = _fill(ctx, kind, line, sent, header_code)
        if tax is not None:
            taxes[line.line_id] = tax
        result.append(line)
    return result


def line_ret(ctx: Context, line: Line, with_tax: bool, voided: bool = False) -> Element:
    fields: dict[str, Value | None] = dict(line.fields)
    fields["TxnLineID"] = line.line_id
    fields["Amount"] = amount(Decimal(0) if voided else line.amount)
    if with_tax:
        fields["TaxAmount"] = amount(Decimal(0) if voided else line.tax_amount)
    return ctx.build(line.tag, fields)
