"""The prepayment split (R-E6): invoice order, never above outstanding, the remainder kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerbridge.domain.allocation_split import OpenInvoice, split_prepayment, still_to_allocate

D = Decimal


def _inv(doc_id: int, number: str, day: int, outstanding: str) -> OpenInvoice:
    return OpenInvoice(doc_id, number, date(2026, 10, day), D(outstanding))


def _amounts(amount: str, *invoices: OpenInvoice) -> tuple[list[tuple[str, Decimal]], Decimal]:
    split = split_prepayment(D(amount), invoices)
    return [(inv.number, value) for inv, value in split.allocations], split.remainder


def test_the_demo_order_shipped_in_two_parts_with_a_remainder() -> None:
    # SO-7001: INV-1101 (9 Oct) 455.98, INV-1102 (17 Oct) 729.58; a deposit of 1,300.00 leaves 114.44.
    first, second = _inv(1, "INV-1101", 9, "455.98"), _inv(2, "INV-1102", 17, "729.58")
    assert _amounts("1300.00", second, first) == ([("INV-1101", D("455.98")), ("INV-1102", D("729.58"))],
                                                  D("114.44"))


def test_a_deposit_smaller_than_the_first_invoice_goes_wholly_to_it() -> None:
    assert _amounts("300.00", _inv(1, "INV-1101", 9, "455.98"), _inv(2, "INV-1102", 17, "729.58")) == (
        [("INV-1101", D("300.00"))], D("0"))


def test_never_above_what_is_still_outstanding_on_a_part_paid_invoice() -> None:
    # INV-1 was part paid (100.00 of 500.00 still owed): the deposit covers the 100.00 and moves on.
    assert _amounts("250.00", _inv(1, "INV-1", 1, "100.00"), _inv(2, "INV-2", 2, "120.00")) == (
        [("INV-1", D("100.00")), ("INV-2", D("120.00"))], D("30.00"))


def test_settled_or_over_credited_invoices_take_nothing() -> None:
    assert _amounts("50.00", _inv(1, "INV-1", 1, "0.00"), _inv(2, "INV-2", 2, "-5.00"), _inv(3, "INV-3", 3, "20.00")
                    ) == ([("INV-3", D("20.00"))], D("30.00"))


def test_same_day_invoices_go_in_number_order() -> None:
    assert _amounts("15.00", _inv(7, "INV-B", 4, "10.00"), _inv(8, "INV-A", 4, "10.00")) == (
        [("INV-A", D("10.00")), ("INV-B", D("5.00"))], D("0"))


def test_no_invoices_leaves_it_all_a_prepayment_and_negative_is_refused() -> None:
    assert _amounts("80.00") == ([], D("80.00"))
    with pytest.raises(ValueError, match="negative"):
        split_prepayment(D("-1"), [])


def test_only_the_difference_is_ever_sent_again() -> None:
    wanted = {1: D("455.98"), 2: D("144.02")}
    assert still_to_allocate(wanted, {}) == wanted
    assert still_to_allocate(wanted, {1: D("455.98"), 2: D("100.00")}) == {2: D("44.02")}
    assert still_to_allocate(wanted, {1: D("455.98"), 2: D("200.00")}) == {}  # never takes back


def test_an_invoice_is_offered_no_more_than_the_package_says_it_owes() -> None:
    """R-E6, issue 12: INV-A 120.00 part-paid 50.00 in the package and not yet imported is offered 70.00; what this
    prepayment already holds there counts as owed to it; never below zero."""
    from ledgerbridge.domain.allocation_split import offered

    assert offered(Decimal("120.00"), Decimal("70.00"), Decimal(0)) == Decimal("70.00")
    assert offered(Decimal("120.00"), Decimal("40.00"), Decimal("30.00")) == Decimal("70.00")
    assert offered(Decimal("60.00"), Decimal("120.00"), Decimal(0)) == Decimal("60.00")
    assert offered(Decimal("120.00"), Decimal("-5.00"), Decimal(0)) == Decimal(0)
    invoices = [OpenInvoice(1, "INV-A", date(2026, 7, 1), offered(Decimal("120.00"), Decimal("70.00"), Decimal(0))),
                OpenInvoice(2, "INV-B", date(2026, 7, 2), offered(Decimal("120.00"), Decimal("120.00"), Decimal(0)))]
    assert split_prepayment(Decimal("150.00"), invoices).by_document() == {1: Decimal("70.00"), 2: Decimal("80.00")}
