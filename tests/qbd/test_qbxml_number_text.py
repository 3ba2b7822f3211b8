"""qbXML's numbers as text (``values.amount_text``, ``quantity_text``, ``fits``): the quick path for the common case
(a value that fits, in three C calls) says exactly what the long way says, for any Decimal, refusals included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, amount_text, fits, quantity_text


def _long_way(value: Decimal, places: int, int_digits: int, exact_places: bool) -> str:
    """The rule as the XSD states it, written plainly: at most ``places`` decimals (trailing zeros do not count),
    fewer than ``int_digits`` digits before the point; AMTTYPE always with exactly two places."""
    if not value.is_finite():
        raise QbxmlValueError("f", "not finite")
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    assert isinstance(exponent, int)
    if value != 0 and exponent < -places:
        raise QbxmlValueError("f", "places")
    if value != 0 and normal.adjusted() >= int_digits:
        raise QbxmlValueError("f", "digits")
    if exact_places:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    text = format(normal, "f") if value != 0 else "0"
    return text


def _outcome(write: object, *args: object) -> str:
    try:
        return str(write(*args))  # type: ignore[operator]
    except QbxmlValueError:
        return "refused"


_DECIMALS = st.builds(lambda coefficient, exponent, sign: Decimal(sign * coefficient).scaleb(exponent),
                      st.integers(0, 10**17), st.integers(-9, 8), st.sampled_from([1, -1]))


@settings(max_examples=500, deadline=None)
@given(value=_DECIMALS)
def test_amounts_and_quantities_are_written_as_the_rule_says(value: Decimal) -> None:
    assert _outcome(amount_text, "f", value) == _outcome(_long_way, value, 2, 13, True)
    assert _outcome(quantity_text, "f", value) == _outcome(_long_way, value, 5, 10, False)
    assert fits(value, 5, 10) == (_outcome(_long_way, value, 5, 10, False) != "refused")
    assert fits(value, 2, 13) == (_outcome(_long_way, value, 2, 13, True) != "refused")


@pytest.mark.parametrize("value, amount, quantity", [
    ("10", "10.00", "10"), ("10.50", "10.50", "10.5"), ("1E+2", "100.00", "100"), ("-0", "-0.00", "0"),
    ("0.00000", "0.00", "0"), ("12345.12345", "refused", "12345.12345"), ("0.000001", "refused", "refused"),
    ("9999999999", "9999999999.00", "9999999999"), ("10000000000", "10000000000.00", "refused"),
    ("NaN", "refused", "refused"), ("-Infinity", "refused", "refused"),
])
def test_examples(value: str, amount: str, quantity: str) -> None:
    assert _outcome(amount_text, "f", Decimal(value)) == amount
    assert _outcome(quantity_text, "f", Decimal(value)) == quantity
