"""``ledgerbridge demo --package qbd --json``, run as a user runs it: the same month, the same summary as Xero's demo
(the same keys, the outcome issue 13 lists), every call to QuickBooks made in the Web Connector's sessions (the
simulator on the connection's .qwc, the app served on loopback)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.demo_once import assert_the_months_documents, assert_xeros_keys
from tests.acceptance.demo_once import run_demo as _demo
from tests.acceptance.test_demo import _assert_purchase_approvals, _assert_reconciliation


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    return _demo("--package", "qbd")


def test_the_summary_has_xeros_keys(summary: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    assert_xeros_keys(summary, tmp_path_factory)


def test_the_month_goes_out_and_comes_back_through_the_web_connector(summary: dict[str, Any]) -> None:
    assert summary["package"] == "qbd"
    assert_the_months_documents(summary)
    # Six invoices paid in full, one in part, one bill paid (QuickBooks takes bill payments), all imported.
    assert summary["payments_imported"] == 8 and summary["payments_allocated"] == 8
    assert summary["prepayments"] == {"exported": 1, "seen": 1}
    _assert_reconciliation(summary)  # the credit allocated in QuickBooks only, the payment after the import
    _assert_purchase_approvals(summary)
    # QuickBooks: a customer and a vendor may not share a name (the suffix rule), and a party in both roles is a
    # Customer and a Vendor of its own.
    assert summary["parties"]["same_name"] == [{"name": "Bramley Florists", "customer": "Bramley Florists",
                                                "supplier": "Bramley Florists (S003)"}]
    assert summary["parties"]["both_roles"] == [{"code": "C004", "name": "Dunmore Joinery",
                                                 "customer": "Dunmore Joinery", "supplier": "Dunmore Joinery (C004)",
                                                 "separate_records": True}]
