"""Inventory/Item and the Item layouts: items sold and bought, lines by quantity and price, items in use."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Books


def _item(books: Books, number: str = "WIDGET", **changes: Any) -> dict[str, Any]:
    body = {"Number": number, "Name": "Widget", "IsSold": True, "IsBought": True, "IsInventoried": False,
            "IncomeAccount": books.account("4-1000"), "ExpenseAccount": books.account("5-1000"),
            "SellingDetails": {"BaseSellingPrice": 12.5, "TaxCode": books.tax("GST"), "IsTaxInclusive": False}}
    body.update(changes)
    return books.post("Inventory/Item", body)


def test_items_need_the_accounts_their_use_needs(api: httpx.Client, books: Books, strict_requests: None) -> None:
    item = _item(books)
    assert (item["BaseSellingPrice"], item["QuantityOnHand"], item["IncomeAccount"]["DisplayID"]) == (12.5, 0,
                                                                                                       "4-1000")
    found = api.get("Inventory/Item", params={"$filter": "Number eq 'WIDGET'"}).json()
    assert [i["UID"] for i in found["Items"]] == [item["UID"]]
    unsold = api.post("Inventory/Item", json={"Number": "X", "Name": "X", "IsSold": True})
    assert unsold.status_code == 400 and unsold.json()["Errors"][0]["Message"] == "IncomeAccount.UID is required"
    too_long = api.post("Inventory/Item", json={"Number": "N" * 31, "Name": "X"})
    assert too_long.status_code == 400


def test_an_item_invoice_prices_its_lines_and_keeps_the_item_in_use(api: httpx.Client, books: Books,
                                                                    strict_requests: None) -> None:
    item = _item(books)
    customer = books.customer()
    invoice = books.post("Sale/Invoice/Item", {
        "Date": "2026-11-01T00:00:00", "Customer": {"UID": customer["UID"]}, "IsTaxInclusive": False,
        "Lines": [{"Type": "Transaction", "Item": {"UID": item["UID"]}, "ShipQuantity": 3.0, "UnitPrice": 12.5,
                   "DiscountPercent": 10.0, "TaxCode": books.tax("GST")},
                  {"Type": "Transaction", "Item": {"UID": item["UID"]}, "ShipQuantity": 1.0, "UnitPrice": 5.0,
                   "Total": 5.0, "Description": "Spare", "TaxCode": books.tax("FRE")}]})
    assert invoice["InvoiceType"] == "Item" and invoice["URI"].endswith(f"Sale/Invoice/Item/{invoice['UID']}")
    first = invoice["Lines"][0]
    assert (first["Total"], first["Description"], first["Item"]["Number"]) == (33.75, "Widget", "WIDGET")
    assert (invoice["Subtotal"], invoice["TotalTax"], invoice["TotalAmount"]) == (38.75, 3.38, 42.13)
    assert api.get(f"Sale/Invoice/Service/{invoice['UID']}").status_code == 404  # another layout's route
    assert api.get(f"Sale/Invoice/{invoice['UID']}").json()["InvoiceType"] == "Item"
    in_use = api.delete(f"Inventory/Item/{item['UID']}")
    assert in_use.status_code == 400 and in_use.json()["Errors"][0]["Name"] == "ItemInUse"
    not_sold = _item(books, "BUYONLY", IsSold=False)
    refused = api.post("Sale/Invoice/Item", json={
        "Date": "2026-11-01T00:00:00", "Customer": {"UID": customer["UID"]},
        "Lines": [{"Type": "Transaction", "Item": {"UID": not_sold["UID"]}, "ShipQuantity": 1.0,
                   "TaxCode": books.tax("GST")}]})
    assert refused.status_code == 400 and refused.json()["Errors"][0]["Name"] == "ItemNotSold"


def test_an_item_bill(books: Books, strict_requests: None) -> None:
    item = _item(books)
    bill = books.post("Purchase/Bill/Item", {
        "Date": "2026-11-01T00:00:00", "Supplier": {"UID": books.supplier()["UID"]}, "IsTaxInclusive": True,
        "Lines": [{"Type": "Transaction", "Item": {"UID": item["UID"]}, "BillQuantity": 2.0, "ReceivedQuantity": 2.0,
                   "UnitPrice": 11.0, "TaxCode": books.tax("GST")}]})
    assert (bill["BillType"], bill["TotalAmount"], bill["TotalTax"]) == ("Item", 22, 2)
    assert bill["Lines"][0]["Account"]["DisplayID"] == "5-1000"
