"""Money: Decimal amounts with a currency, and the rounding rules packages apply.

Never float. Amounts are kept at 2 decimal places (4 for unit prices, as Xero's
``unitdp=4``); rounding is half away from zero, which is what Xero and QuickBooks
use for line and tax amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
UNIT = Decimal("0.0001")
ZERO = Decimal("0")


def to_decimal(value: object) -> Decimal:
    """Parse a JSON number or string into a Decimal; refuses floats' binary noise by going through str."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidOperation(f"not a number: {value!r}")
    if isinstance(value, (int, str)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise InvalidOperation(f"not a number: {value!r}")


def round_money(amount: Decimal) -> Decimal:
    """Round to the cent, half away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_unit(amount: Decimal) -> Decimal:
    return amount.quantize(UNIT, rounding=ROUND_HALF_UP)


def line_net(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal = ZERO) -> Decimal:
    """Net of a line as the packages compute it: qty x price less discount %, rounded to the cent."""
    gross = quantity * unit_price
    if discount_percent:
        gross = gross * (Decimal(100) - discount_percent) / Decimal(100)
    return round_money(gross)


def line_tax(net: Decimal, rate_percent: Decimal) -> Decimal:
    """Tax of one line, rounded per line (Xero's and QBO's default line-level rounding)."""
    return round_money(net * rate_percent / Decimal(100))


def inclusive_split(gross: Decimal, rate_percent: Decimal) -> tuple[Decimal, Decimal]:
    """Split a tax-inclusive line amount into (net, tax); tax is rounded, net takes the remainder."""
    tax = round_money(gross * rate_percent / (Decimal(100) + rate_percent))
    return gross - tax, tax


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"currency must be a 3-letter ISO code, got {self.currency!r}")

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round_money(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,.2f}"

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(ZERO, currency)
