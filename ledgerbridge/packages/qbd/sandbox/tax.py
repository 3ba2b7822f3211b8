"""Tax on a transaction, by the company's edition.

- US: sales tax is charged on the invoice, not per line: the lines coded with a taxable code (``Tax``) add up to
  the taxable amount, and one sales-tax item (``ItemSalesTaxRef``: the invoice's, else the customer's, else the
  company's default) gives the percentage; a customer whose own code is non-taxable pays none. Purchases carry no
  sales tax.
- UK and Canada: VAT or GST/HST is per line: the line's code points at a sales tax item (for sales) or a purchase
  one (for bills), whose rate applies to the line; a ``TaxAmount`` sent on the line is taken as given. With
  ``IsTaxIncluded`` the amounts are gross and the tax is the part of them the rate makes up.

Amounts are rounded to the cent half up, per line (UK/CA) or on the total (US), as QuickBooks shows them.
"""

from __future__ import annotations

from decimal import Decimal

from .context import Context
from .elements import as_decimal, round_cents
from .store import ListObject, Txn

__all__ = ["apply_tax", "code_is_taxable", "default_sales_tax_item", "rate_of"]

_HUNDRED = Decimal(100)


def rate_of(ctx: Context, code: ListObject | None, sales: bool) -> Decimal:
    """The rate a UK/CA tax code charges on sales or purchases (0 for a code without a tax item)."""
    if code is None:
        return Decimal(0)
    item = ctx.books.lists.get(code.ref_id("ItemSalesTaxRef" if sales else "ItemPurchaseTaxRef") or "")
    return as_decimal(item.text("TaxRate") or "0") if item is not None else Decimal(0)


def code_is_taxable(code: ListObject | None) -> bool:
    return code is not None and (code.text("IsTaxable") or "").lower() == "true"


def default_sales_tax_item(ctx: Context, customer: ListObject) -> ListObject | None:
    """The US sales-tax item of an invoice that names none: the customer's, else the first active one the
    company charges (the seed's ``CA Sales Tax``)."""
    own = ctx.books.lists.get(customer.ref_id("ItemSalesTaxRef") or "")
    if own is not None:
        return own
    return next((item for item in ctx.books.of_kinds(("ItemSalesTax",)) if item.is_active), None)


def apply_tax(ctx: Context, txn: Txn, sales: bool, given: dict[str, Decimal], tax_included: bool,
              customer_code: ListObject | None = None) -> None:
    """Set each line's tax and the transaction's subtotal, tax and total. ``given``: TaxAmount sent per line ID;
    ``customer_code``: a US customer's own code (non-taxable exempts the whole invoice)."""
    us = ctx.config.flavour == "US"
    tax_lines = Decimal(0)
    net_total = Decimal(0)
    taxable_base = Decimal(0)
    for line in txn.lines:
        code = ctx.books.lists.get(line.tax_code_id or "")
        if us:
            line.taxable = sales and code_is_taxable(code) and (customer_code is None or code_is_taxable(customer_code))
            line.tax_amount = Decimal(0)
            if line.taxable:
                taxable_base += line.amount
            net_total += line.amount
            continue
        rate = rate_of(ctx, code, sales)
        line.taxable = code_is_taxable(code)
        if line.line_id in given:
            line.tax_amount = given[line.line_id]
        elif tax_included:
            line.tax_amount = round_cents(line.amount * rate / (_HUNDRED + rate))
        else:
            line.tax_amount = round_cents(line.amount * rate / _HUNDRED)
        tax_lines += line.tax_amount
        net_total += line.amount - line.tax_amount if tax_included else line.amount
    if us:
        percent = txn.tax_percent or Decimal(0)
        txn.tax_total = round_cents(taxable_base * percent / _HUNDRED) if sales else Decimal(0)
    else:
        txn.tax_total = tax_lines
    txn.subtotal = net_total
    txn.total = txn.subtotal + txn.tax_total
