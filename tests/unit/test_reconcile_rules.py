"""The rules that split a difference into causes, on worked examples (no I/O). Rounding is shown here: the
pre-check refuses a document the package would total differently, so an exported document reaches the package
with a rounding difference only when the package rounds otherwise than the pre-check predicted."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

from ledgerbridge.domain.reconcile_rules import (
    Cause,
    HostSide,
    PackageSide,
    Unimported,
    compare_document,
    roll_up_parties,
)

HOST = HostSide(number="INV-1", doc_type="sales_invoice", party="C1 Aldgate", currency="GBP", total=D("120.00"),
                paid=D(0), credited=D(0), void=False, lines=3, version=1, sync_status="seen", last_error=None,
                marked_by_hand=False, exported_version=1, exported_total=D("120.00"), unexported_paid=D(0),
                package_paid=D(0))
SAME = PackageSide(D("120.00"), D(0), D(0), D("120.00"), None, datetime(2026, 11, 2, tzinfo=UTC))
NOTHING = Unimported(D(0), (), fetched_since_change=True)


def causes(diffs: list, measure: str) -> dict[Cause, D]:
    d = next(d for d in diffs if d.measure == measure)
    out: dict[Cause, D] = {}
    for e in d.explanations:
        out[e.cause] = out.get(e.cause, D(0)) + e.amount
    return out


def test_books_that_agree_have_no_difference() -> None:
    assert compare_document(HOST, SAME, NOTHING) == []


def test_a_cent_the_package_rounded_is_rounding_but_a_pound_is_not() -> None:
    host = replace(HOST, total=D("120.01"))  # the host rounded tax per line; the package on the total
    diffs = compare_document(host, SAME, NOTHING)
    assert causes(diffs, "total") == {Cause.ROUNDING: D("-0.01")}
    assert causes(diffs, "amount_due") == {Cause.ROUNDING: D("-0.01")}
    far = compare_document(replace(HOST, total=D("121.00")), SAME, NOTHING)
    assert causes(far, "total") == {Cause.UNEXPLAINED: D("-1.00")}


def test_an_edit_in_the_package_and_one_here_are_told_apart() -> None:
    edited_there = replace(SAME, total=D("132.00"), due=D("132.00"))
    assert causes(compare_document(HOST, edited_there, NOTHING), "total") == {Cause.EDITED_IN_PACKAGE: D("12.00")}
    edited_here = replace(HOST, total=D("150.00"), version=2, sync_status="pending")
    assert causes(compare_document(edited_here, SAME, NOTHING), "total") == {Cause.NOT_EXPORTED: D("-30.00")}


def test_payments_fetched_or_not_and_a_gap_no_cause_covers() -> None:
    paid_there = replace(SAME, paid=D("50.00"), due=D("70.00"))
    fetched = Unimported(D("20.00"), ("payment P1 of 20.00",), fetched_since_change=False)
    diffs = compare_document(HOST, paid_there, fetched)
    assert causes(diffs, "allocated") == {Cause.PAYMENT_NOT_IMPORTED: D("50.00")}
    details = [e.detail for d in diffs if d.measure == "allocated" for e in d.explanations]
    assert any("fetched but not created" in t for t in details) and any("not yet fetched" in t for t in details)
    # The payments were fetched after the package's last change: 30 paid there that nothing here explains.
    stale = compare_document(HOST, paid_there, Unimported(D("20.00"), (), fetched_since_change=True))
    assert causes(stale, "allocated") == {Cause.PAYMENT_NOT_IMPORTED: D("20.00"), Cause.UNEXPLAINED: D("30.00")}


def test_a_credit_allocated_in_the_package_moves_the_invoice_and_the_credit_note_but_not_the_party() -> None:
    invoice = compare_document(HOST, replace(SAME, credited=D("20.00"), due=D("100.00")), NOTHING)
    note_host = replace(HOST, number="CN-1", doc_type="sales_credit_note", total=D("20.00"),
                        exported_total=D("20.00"))
    note = compare_document(note_host, PackageSide(D("20.00"), D(0), D("20.00"), D(0), None, None), NOTHING)
    assert causes(invoice, "amount_due") == {Cause.CREDIT_ONLY_IN_PACKAGE: D("-20.00")}
    assert causes(note, "amount_due") == {Cause.CREDIT_ONLY_IN_PACKAGE: D("-20.00")}
    balances = {("C1 Aldgate", "GBP"): (D("100.00"), D("100.00"))}  # 120 - 20 on both sides
    assert roll_up_parties(invoice + note, balances) == []


def test_not_exported_marked_by_hand_and_void_before_export() -> None:
    pending = replace(HOST, sync_status="error", last_error="nominal code 4090 has no account mapping",
                      exported_version=None, exported_total=None)
    diffs = compare_document(pending, None, NOTHING)
    assert causes(diffs, "total") == {Cause.NOT_EXPORTED: D("-120.00")}
    assert "4090" in diffs[0].explanations[0].detail
    by_hand = compare_document(replace(HOST, marked_by_hand=True), None, NOTHING)
    assert "by hand" in by_hand[0].explanations[0].detail
    assert compare_document(replace(pending, void=True, total=D(0)), None, NOTHING) == []


def test_deleted_there_and_a_deleted_payment_not_yet_imported() -> None:
    gone = PackageSide(D(0), D(0), D(0), D(0), "voided", None)
    assert causes(compare_document(HOST, gone, NOTHING), "total") == {Cause.DELETED_IN_PACKAGE: D("-120.00")}
    host_paid = replace(HOST, paid=D("40.00"), package_paid=D("40.00"))
    later = Unimported(D(0), (), fetched_since_change=False)
    assert causes(compare_document(host_paid, SAME, later), "allocated") == {Cause.DELETED_IN_PACKAGE: D("-40.00")}
    # ... but once the package's changes were fetched, the same gap has no known cause
    assert causes(compare_document(host_paid, SAME, NOTHING), "allocated") == {Cause.UNEXPLAINED: D("-40.00")}


def test_voided_here_after_a_payment_there_the_void_waits_and_the_payment_stays() -> None:
    """Found by the property test: voided here, part-paid in the package before the void went out (which the
    package then refuses, payments applied); the import allocated the payment here too."""
    host = replace(HOST, void=True, total=D(0), paid=D("1.25"), package_paid=D("1.25"), sync_status="error")
    package = replace(SAME, paid=D("1.25"), due=D("118.75"))
    diffs = compare_document(host, package, NOTHING)
    assert causes(diffs, "total") == {Cause.NOT_EXPORTED: D("120.00")}
    assert causes(diffs, "amount_due") == {Cause.NOT_EXPORTED: D("120.00")}


def test_a_credit_allocated_here_only_is_named_and_what_the_package_confirmed_is_not() -> None:
    credited_here = replace(HOST, credited=D("12.00"))  # a credit note crediting INV-1, allocation sync off
    diffs = compare_document(credited_here, SAME, NOTHING)
    assert causes(diffs, "credited") == {Cause.CREDIT_ONLY_HERE: D("-12.00")}
    assert causes(diffs, "amount_due") == {Cause.CREDIT_ONLY_HERE: D("12.00")}
    # 5.00 of it read back from the package (allocation sync), the package holding only that: 7.00 only here.
    part = replace(credited_here, credited_recorded=D("5.00"))
    held = replace(SAME, credited=D("5.00"), due=D("115.00"))
    assert causes(compare_document(part, held, NOTHING), "credited") == {Cause.CREDIT_ONLY_HERE: D("-7.00")}
    # Credit the package confirmed and no longer holds is no cause we know of.
    confirmed = replace(HOST, credited=D("5.00"), credited_recorded=D("5.00"))
    assert causes(compare_document(confirmed, SAME, NOTHING), "credited") == {Cause.UNEXPLAINED: D("-5.00")}


def test_a_prepayment_the_package_counts_as_credit_beside_a_credit_allocated_here_only() -> None:
    # Xero shows a prepayment applied as AmountCredited; the host as paid. Here 50.00 of prepayment is applied
    # and a 12.00 credit note credits the invoice here only: only the 12.00 differs, named as credit only here.
    host = replace(HOST, paid=D("50.00"), prepaid=D("50.00"), credited=D("12.00"))
    xero = replace(SAME, credited=D("50.00"), due=D("70.00"))
    diffs = compare_document(host, xero, NOTHING)
    assert {d.measure for d in diffs} == {"credited", "amount_due"}
    assert causes(diffs, "credited") == {Cause.CREDIT_ONLY_HERE: D("-12.00")}
    assert causes(diffs, "amount_due") == {Cause.CREDIT_ONLY_HERE: D("12.00")}
