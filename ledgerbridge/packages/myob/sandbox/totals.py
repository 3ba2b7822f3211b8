"""A document's computed amounts: Subtotal, TotalTax, TotalAmount from its lines, freight and tax codes' rates.

Tax is worked out per line from its tax code's ``Rate`` and rounded half-up to the cent (assumed: MYOB rounds per
line, as AccountRight's tax column shows). With ``IsTaxInclusive`` the line totals include their tax
(``tax = Total x rate / (100 + rate)``) and ``Subtotal`` is the sum of the inclusive totals, so ``TotalAmount =
Subtotal + Freight``; without it ``tax = Total x rate / 100`` and ``TotalAmount = Subtotal + Freight + TotalTax``
(assumed from AccountRight's forms; the SDK's summary calls Subtotal "tax exclusive", which holds for the
exclusive case only). Header and SubTotal lines carry no amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .store import Business, Record
from .wire import money

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Decimal
    total_tax: Decimal
    total_amount: Decimal


def rate(business: Business, tax_code: Record | None) -> Decimal:
    if not tax_code:
        return ZERO
    record = business.get("TaxCode", str(tax_code.get("UID", "")))
    if record is None:
        return ZERO
    value = Decimal(record["Rate"])
    return -value if record.get("IsRateNegative") else value


def line_tax(amount: Decimal, line_rate: Decimal, inclusive: bool) -> Decimal:
    if line_rate == 0:
        return ZERO
    if inclusive:
        return money(amount * line_rate / (Decimal(100) + line_rate))
    return money(amount * line_rate / Decimal(100))


def compute(business: Business, lines: list[Record], freight: Decimal, freight_tax_code: Record | None,
            inclusive: bool) -> Totals:
    subtotal = ZERO
    tax = ZERO
    for line in lines:
        if line.get("Type", "Transaction") != "Transaction":
            continue
        total = Decimal(line["Total"])
        subtotal += total
        tax += line_tax(total, rate(business, line.get("TaxCode")), inclusive)
    tax += line_tax(freight, rate(business, freight_tax_code), inclusive)
    amount = subtotal + freight if inclusive else subtotal + freight + tax
    return Totals(money(subtotal), money(tax), money(amount))
