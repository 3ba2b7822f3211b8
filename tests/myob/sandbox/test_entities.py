"""Cards, ledger and service invoices through the API: create, read, replace, delete, as MYOB answers them."""

from __future__ import annotations

from decimal import Decimal

import httpx

from .conftest import Books


def test_a_service_invoice_is_created_with_location_and_computed_totals(api: httpx.Client, books: Books,
                                                                        strict_requests: None) -> None:
    customer = books.customer()
    answer = api.post("Sale/Invoice/Service", json={
        "Date": "2026-11-01T00:00:00", "Customer": {"UID": customer["UID"]}, "IsTaxInclusive": False,
        "Lines": [{"Type": "Transaction", "Description": "Work", "Total": 100.0,
                   "Account": books.account("4-1010"), "TaxCode": books.tax("GST")},
                  {"Type": "Transaction", "Description": "More", "Total": 33.33,
                   "Account": books.account("4-1010"), "TaxCode": books.tax("GST")}]})
    assert answer.status_code == 201 and answer.content == b""
    location = answer.headers["Location"]
    assert location.startswith(str(api.base_url) + "Sale/Invoice/Service/")
    invoice = httpx.get(location, headers=api.headers).json()
    assert invoice["UID"] == location.rsplit("/", 1)[1]
    assert (invoice["Subtotal"], invoice["TotalTax"], invoice["TotalAmount"]) == (133.33, 13.33, 146.66)
    assert invoice["BalanceDueAmount"] == 146.66 and invoice["Status"] == "Open"
    assert invoice["Number"] == "00000001" and [line["RowID"] for line in invoice["Lines"]] == [1, 2]
    assert invoice["Customer"]["Name"] == "Acme Pty Ltd" and invoice["Customer"]["URI"].endswith(customer["UID"])


def test_tax_inclusive_totals_use_the_rate_of_each_line(books: Books) -> None:
    customer = books.customer()
    invoice = books.invoice(customer, "110.00", "55.00", inclusive=True)
    assert (invoice["Subtotal"], invoice["TotalTax"], invoice["TotalAmount"]) == (165, 15, 165)
    free = books.invoice(customer, "110.00", inclusive=True, code="FRE")
    assert (free["TotalTax"], free["TotalAmount"]) == (0, 110)


def test_a_negative_invoice_is_a_credit(books: Books) -> None:
    credit = books.invoice(books.customer(), "-50.00")
    assert credit["Status"] == "Credit" and Decimal(str(credit["BalanceDueAmount"])) == Decimal("-55")
