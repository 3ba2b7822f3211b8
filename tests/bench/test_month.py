"""``ledgerbridge bench month``: a small trading month on each package, its calls held to the minimum the package's
limits allow, and the work really done.

The month is small (60 invoices, a few seconds a package) but big enough that every stage takes its paged path
(more documents than one read-by-id call carries), so a call wasted anywhere shows: the minimum is 18 calls on
Xero and 16 on QuickBooks, where one call more is already past 1.05. Each stage must spend exactly its minimum:
a stage below it would mean the minimum counts a call the work does not need (an inflated minimum flatters the
ratio), one above it is the engine's waste. Only counts are asserted, never a time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.bench.month import run_month
from ledgerbridge.bench.month_minimum import MonthWork, month_minimum
from ledgerbridge.bench.month_world import MonthSize
from ledgerbridge.packages.registry import spec_for

INVOICES = 60


@pytest.fixture(scope="module", params=["xero", "qbo"])
def month(request: pytest.FixtureRequest) -> dict[str, Any]:
    return run_month(INVOICES, package=request.param)


def test_the_month_spends_the_minimum_in_every_stage(month: dict[str, Any]) -> None:
    by_stage = month["api_calls_by_stage"]
    assert by_stage.pop("precheck") == 0, month["api_calls_by_endpoint"]["precheck"]
    assert by_stage == month["api_calls_minimum_by_stage"], month["api_calls_by_endpoint"]
    assert month["api_calls"] <= 1.05 * month["api_calls_minimum"]
    assert month["api_calls_minimum"] == {"xero": 18, "qbo": 16}[month["package"]]


def test_the_month_s_work_is_done(month: dict[str, Any]) -> None:
    size = MonthSize.of(INVOICES)
    assert month["exported"] == {"sales_invoice": size.invoices, "sales_credit_note": size.credit_notes,
                                 "purchase_invoice": size.bills}
    assert month["seen"] == size.invoices + size.credit_notes + size.bills and month["failed"] == 0
    assert month["purchase_approvals"] == {"approved": size.bills, "sent": size.bills}
    # Each deposit went out and is split in full over its order's invoices (it is smaller than the order).
    deposits = month["prepayments"]
    assert (deposits["sent"], deposits["seen"]) == (size.orders, size.orders)
    assert deposits["allocations"] >= size.orders
    assert all(Decimal(p["allocated"]) == Decimal(p["amount"]) > 0 and Decimal(p["remaining"]) == 0
               for p in deposits["split"]), deposits["split"]
    # Every payment the bookkeeper made in the package is imported and allocated here; ours are skipped.
    made = sum(month["bookkeeper"]["payments"].values())
    assert made > 0 and month["bookkeeper"]["part_paid"] >= 1 and month["bookkeeper"]["credits_allocated"] == 1
    assert month["payments_imported"] == month["payments_allocated"] == made
    assert month["import_diagnostics"] == 0 and month["payments_skipped_ours"] >= size.orders
    # Reconciliation compared every document and explained every difference.
    recon = month["reconciliation"]
    assert recon["documents_compared"] == month["seen"]
    assert recon["unexplained"] == 0 and recon["explained"] == recon["differences"] > 0


def test_the_minimum_is_worked_out_from_the_package_s_limits() -> None:
    """The default month (2,000 invoices, 200 credit notes, 300 bills, 230 parties, 5 deposits over 15 invoices,
    833 receipts and 100 bill payments made in the package, 2 credit notes applied there), term by term."""
    size = MonthSize.of(2000)
    documents = {"sales_invoice": size.invoices, "sales_credit_note": size.credit_notes,
                 "purchase_invoice": size.bills}
    work = MonthWork(parties=size.customers + size.suppliers, documents=documents, prepayments=5,
                     prepaid_invoices=15, payments={"receipt": 833, "bill_payment": 100, "prepayment": 5},
                     credits_applied=2)
    # Xero: 50 a write, invoices and bills both PUT /Invoices; /Invoices and /CreditNotes read 1,000 a page; a
    # prepayment's allocations are a PUT of their own; Payments, Prepayments and Overpayments one page each.
    assert month_minimum(spec_for("xero"), work) == {
        "documents": 5 + 46 + 4, "read_back": 3 + 1, "prepayments": 1 + 1 + 5, "import": 1 + 1 + 1,
        "reconciliation": 3 + 1}
    # QuickBooks: 30 a batch of any entity, plus the item query; one query per entity; prepayments created
    # allocated; Payment (838) and BillPayment (100: none here, the list is read all the same) one page each;
    # the two payments that apply a credit memo, read by id.
    work_qbo = MonthWork(parties=work.parties, documents=documents, prepayments=5, prepaid_invoices=15,
                         payments={"receipt": 833, "prepayment": 5}, credits_applied=2)
    assert month_minimum(spec_for("qbo"), work_qbo) == {
        "documents": 8 + 84 + 1, "read_back": 2 + 1 + 1, "prepayments": 1 + 1, "import": 1 + 1,
        "reconciliation": 2 + 1 + 1 + 1}
    # Where the answers give no page count, a full last page costs a read more to find the end.
    full = MonthWork(parties=1, documents={}, prepayments=0, prepaid_invoices=0, payments={"receipt": 1000})
    assert month_minimum(spec_for("qbo"), full)["import"] == 2 + 1
    assert month_minimum(spec_for("xero"), full)["import"] == 1 + 1 + 1
