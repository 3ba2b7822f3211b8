"""Tax rounding per line and per total, and the rounding line that makes both sides total the same."""

from __future__ import annotations

from decimal import Decimal

from ledgerbridge.domain.rounding import PER_LINE, PER_TOTAL, rounding_difference, rounding_line_amount, tax_total

from .test_precheck import _ctx, _doc, _line, messages

D = Decimal


def test_three_lines_of_99p_at_20_percent_are_a_cent_apart() -> None:
    # Per line (Xero): 0.198 -> 0.20, three times = 0.60. Per total (QuickBooks US, many hosts): 2.97 x 20% =
    # 0.594 -> 0.59.
    lines = [(D("0.99"), D(20))] * 3
    assert tax_total(lines, PER_LINE) == D("0.60")
    assert tax_total(lines, PER_TOTAL) == D("0.59")


def test_tax_inclusive_amounts_round_the_tax_part() -> None:
    # 1.03 incl. 20%: tax 1.03/6 = 0.17166 -> 0.17 a line, 0.51 for three; on the total 3.09/6 = 0.515 -> 0.52.
    lines = [(D("1.03"), D(20))] * 3
    assert tax_total(lines, PER_LINE, inclusive=True) == D("0.51")
    assert tax_total(lines, PER_TOTAL, inclusive=True) == D("0.52")


def test_per_total_rounds_once_per_rate() -> None:
    # 20% on 0.99 + 0.99 = 1.98 -> 0.396 -> 0.40; 5% on 0.10 + 0.10 = 0.20 -> 0.01. Per line: 0.40 + 0.01 + 0.01.
    lines = [(D("0.99"), D(20)), (D("0.10"), D(5)), (D("0.99"), D(20)), (D("0.10"), D(5))]
    assert tax_total(lines, PER_TOTAL) == D("0.41")
    assert tax_total(lines, PER_LINE) == D("0.42")


def _host_taxed_on_total():  # type: ignore[no-untyped-def]
    from ledgerbridge.store.views import DocumentView

    doc = _doc(*[_line(n, price="0.99", net="0.99", vat="0.20") for n in (1, 2, 3)])
    return DocumentView(**{**{f: getattr(doc, f) for f in doc.__slots__}, "tax_total": D("0.59"),
                           "gross_total": D("3.56")})


def test_a_cent_of_rounding_goes_to_the_rounding_account_when_one_is_set() -> None:
    doc = _host_taxed_on_total()
    ctx = _ctx()
    assert rounding_difference(doc, ctx.mappings) == D("-0.01")  # Xero would total 3.57
    assert rounding_line_amount(doc, ctx.mappings, {}) is None  # no account: nothing added
    assert rounding_line_amount(doc, ctx.mappings, {"rounding_account": "860"}) == D("-0.01")


def test_without_a_rounding_account_the_precheck_names_the_difference() -> None:
    [message] = messages(_host_taxed_on_total())
    assert "Xero would total 3.57 but the host's total is 3.56" in message and "-0.01" in message


def test_more_than_rounding_explains_is_never_put_on_the_rounding_account() -> None:
    from ledgerbridge.store.views import DocumentView

    doc = _host_taxed_on_total()
    wrong = DocumentView(**{**{f: getattr(doc, f) for f in doc.__slots__}, "gross_total": D("3.50")})
    assert rounding_line_amount(wrong, _ctx().mappings, {"rounding_account": "860"}) is None
    [message] = messages(wrong, rounding_account="860")
    assert "more than rounding explains" in message
