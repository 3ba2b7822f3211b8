"""``ledgerbridge demo --package myob --json``, run as a user runs it: the same month as Xero's demo in the AU
business's own terms (AUD, GST 10 %), the same summary keys (issue 14 item 8): documents out and seen, quotation
and proforma kept back, the unmapped invoice in errors, bills approved before they go (R-P1), payments made in MYOB
imported and allocated, the deposit taken here going out as a customer payment (payments both ways), and every
reconciliation difference explained with the cause it has (a credit settled in MYOB only is credit, not a payment).
On connect, the customers the business's card file already holds are imported (R-I4): bound to the host's by card
ID = code or by name, the others created here; none of them is then sent to MYOB again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.demo_once import assert_the_months_documents, assert_xeros_keys
from tests.acceptance.test_demo import _assert_purchase_approvals, _assert_reconciliation
from tests.qbd.test_demo import _demo


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    return _demo("--package", "myob")


def test_the_summary_has_xeros_keys(summary: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    assert_xeros_keys(summary, tmp_path_factory)


def test_the_month_goes_out_and_comes_back_through_myob(summary: dict[str, Any]) -> None:
    assert summary["package"] == "myob"
    assert_the_months_documents(summary)
    # Six invoices paid in full, one in part, one bill paid, by a MYOB user: all imported and allocated.
    assert summary["payments_imported"] == 8 and summary["payments_allocated"] == 8
    assert summary["payment_diagnostics"] == []
    # The deposit taken here goes out as a Sale/CustomerPayment applied to the order's first invoice, and is seen.
    assert summary["prepayments"] == {"exported": 1, "seen": 1}
    # The card file held C001 (bound by code), Castle Hill Dental under card ID CHD-01 (bound by name) and two
    # customers the host did not have (imported). That the upload then makes no second card of them is
    # tests/myob/test_party_import.py's to show.
    assert summary["parties_imported"] == {
        "offered": True, "read": 4, "roles": {"customer": 4, "supplier": 0, "both": 0}, "already_bound": 0,
        "inactive": 0, "matched_by_code": 1, "matched_by_name": 1, "ambiguous": 0, "settled": 0, "created": 2,
        "skipped": 0, "left_count": 0, "left": []}
    _assert_purchase_approvals(summary)
    _assert_reconciliation(summary)
    # CN-2001 settled against INV-1015 in MYOB only (both sides: credited and amount due), INV-1007 paid there
    # after the import (allocated, amount due, and the customer's balance), INV-1103 never sent.
    assert summary["reconciliation"] == {"differences": 8, "explained": 8}
    # A customer card and a supplier card of the same name are told apart by the code (a MYOB user sees both in
    # every list); a party in both roles is a Customer card and a Supplier card.
    assert summary["parties"]["both_roles"] == [{"code": "C004", "name": "Dunmore Joinery",
                                                 "customer": "Dunmore Joinery", "supplier": "Dunmore Joinery (C004)",
                                                 "separate_records": True}]
    assert summary["parties"]["same_name"] == [{"name": "Bramley Florists", "customer": "Bramley Florists",
                                                "supplier": "Bramley Florists (S003)"}]
