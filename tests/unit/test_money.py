"""Money is Decimal with a currency; rounding is half away from zero, per line, as Xero rounds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgerbridge.domain.money import Money, inclusive_split, line_net, line_tax, round_money, to_decimal


def test_half_cent_rounds_away_from_zero() -> None:
    assert round_money(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert round_money(Decimal("-2.675")) == Decimal("-2.68")
    assert round_money(Decimal("0.004")) == Decimal("0.00")


def test_line_arithmetic_matches_xero_line_rounding() -> None:
    net = line_net(Decimal(3), Decimal("3.33"))
    assert net == Decimal("9.99")
    assert line_tax(net, Decimal(20)) == Decimal("2.00")  # 1.998 -> 2.00
    assert line_net(Decimal(3), Decimal("19.99"), Decimal("12.5")) == Decimal("52.47")  # 52.47375
    net, tax = inclusive_split(Decimal("10.00"), Decimal(20))
    assert (net, tax) == (Decimal("8.33"), Decimal("1.67")) and net + tax == Decimal("10.00")


def test_per_line_rounding_differs_from_rounding_the_total() -> None:
    nets = [Decimal("0.13")] * 3
    per_line = sum(line_tax(n, Decimal(20)) for n in nets)  # 0.026 -> 0.03 each
    on_total = round_money(sum(nets) * Decimal(20) / 100)  # 0.078 -> 0.08
    assert per_line == Decimal("0.09") and on_total == Decimal("0.08")


def test_money_refuses_mixing_currencies_and_floats() -> None:
    assert Money(Decimal("1.10"), "GBP") + Money(Decimal("2.20"), "GBP") == Money(Decimal("3.30"), "GBP")
    with pytest.raises(ValueError, match="GBP and EUR"):
        Money(Decimal(1), "GBP") + Money(Decimal(1), "EUR")
    with pytest.raises(TypeError):
        Money(1.5, "GBP")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(Decimal(1), "gbp")
    assert to_decimal(0.1) == Decimal("0.1")
    assert str(Money(Decimal("1234.5"), "GBP")) == "GBP 1,234.50"
