"""Paths, verbs and caching as MYOB has them: trailing slashes, 404/405, the business root, ETag and 304."""

from __future__ import annotations

from datetime import date

import httpx

from ledgerbridge.packages.myob.sandbox import RunningSandbox
from ledgerbridge.packages.myob.sandbox.config import DEFAULT_BUSINESSES, BusinessSeed
from ledgerbridge.packages.myob.sandbox.seed import accounting_properties

from .conftest import AU, Books


def test_routes_answer_with_and_without_the_trailing_slash(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    for path in ("Contact/Customer", "Contact/Customer/", f"Contact/Customer/{customer['UID']}",
                 f"Contact/Customer/{customer['UID']}/", f"Contact/Customer/{customer['UID'].upper()}"):
        answer = api.get(path)
        assert answer.status_code == 200, path
    assert api.post("Contact/Supplier/", json={"CompanyName": "Slash Ltd", "BuyingDetails": {
        "TaxCode": books.tax("GST"), "FreightTaxCode": books.tax("FRE")}}).status_code == 201


def test_unknown_routes_records_and_businesses_are_404_with_myob_bodies(sandbox: RunningSandbox, api: httpx.Client,
                                                                       books: Books) -> None:
    missing = api.get("Sale/Invoice/Service/6f1c4c8e-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.json()["Errors"][0]["ErrorCode"] == 150
    assert api.get("Sale/Nothing").status_code == 404
    other = httpx.get(f"{sandbox.api_url}/6f1c4c8e-0000-4000-8000-000000000001/Contact/Customer",
                      headers=api.headers)
    assert other.status_code == 404 and other.json()["Errors"][0]["Name"] == "CompanyFileNotFound"
    put_missing = api.put("Contact/Customer/6f1c4c8e-0000-4000-8000-000000000000",
                          json={"CompanyName": "X", "RowVersion": "1"})
    assert put_missing.status_code == 404 and "PUT only supports update" in put_missing.json()["Errors"][0]["Message"]


def test_unsupported_verbs_are_405(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    invoice = books.invoice(customer, "100")
    payment = books.receive(customer, (invoice, "110"))
    put = api.put(f"Sale/CustomerPayment/{payment['UID']}", json={"RowVersion": payment["RowVersion"]})
    assert put.status_code == 405 and put.json()["Errors"][0]["Name"] == "MethodNotAllowed"
    assert "PUT" not in put.headers["Allow"]
    assert api.post("Sale/Invoice", json={"Customer": {"UID": customer["UID"]}}).status_code == 405
    assert api.post("Purchase/Bill", json={}).status_code == 405
    assert api.delete("GeneralLedger/TaxCode/" + books.tax("GST")["UID"]).status_code == 405
    assert api.put("Contact/Customer", json={}).status_code == 405  # PUT needs a UID
    assert api.patch(f"Contact/Customer/{customer['UID']}", json={}).status_code == 405


def test_the_business_root_and_the_company_file_list(sandbox: RunningSandbox, api: httpx.Client) -> None:
    root = api.get("").json()
    assert root["CompanyFile"]["Id"] == AU and root["CompanyFile"]["Country"] == "AU"
    assert f"{sandbox.business_url(AU)}/Sale/Invoice/Service" in root["Resources"]
    files = httpx.get(f"{sandbox.api_url}/", headers=api.headers).json()
    assert [f["Id"] for f in files] == [AU]


def test_etag_and_if_none_match_give_304_until_the_record_changes(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    first = api.get(f"Contact/Customer/{customer['UID']}")
    etag = first.headers["ETag"]
    cached = api.get(f"Contact/Customer/{customer['UID']}", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    listing = api.get("Contact/Customer")
    assert api.get("Contact/Customer", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304
    changed = api.put(f"Contact/Customer/{customer['UID']}", json={**first.json(), "Notes": "changed"})
    assert changed.status_code == 200
    assert api.get(f"Contact/Customer/{customer['UID']}", headers={"If-None-Match": etag}).status_code == 200


def test_answers_carry_a_request_id_and_get_sale_invoice_lists_every_layout_without_lines(
        api: httpx.Client, books: Books) -> None:
    books.invoice(books.customer(), "10")
    answer = api.get("Sale/Invoice")
    assert answer.headers["x-myobapi-requestid"]
    item = answer.json()["Items"][0]
    assert item["InvoiceType"] == "Service" and "Lines" not in item
    assert item["URI"].endswith(f"Sale/Invoice/Service/{item['UID']}")
    contacts = api.get("Contact").json()["Items"]
    assert [c["Type"] for c in contacts] == ["Customer"] and "SellingDetails" not in contacts[0]


def test_company_preferences_say_whether_transactions_must_be_reversed(api: httpx.Client,
                                                                      admin: httpx.Client) -> None:
    assert api.get("Company/Preferences").json()["System"]["TransactionsCannotBeChangedMustBeReversed"] is False
    admin.post(f"/businesses/{AU}/preferences", json={"TransactionsCannotBeChangedMustBeReversed": True})
    assert api.get("Company/Preferences/").json()["System"]["TransactionsCannotBeChangedMustBeReversed"] is True


def test_accounting_properties_give_the_current_financial_year_as_a_list_of_one(api: httpx.Client) -> None:
    answer = api.get("GeneralLedger/AccountingProperties").json()  # AU: the year from 1 July 2025 ends June 2026
    assert answer == {"Items": [{"ConversionDate": "2025-07-01T00:00:00", "CurrentFinancialYear": 2026,
                                 "LastMonthFinancialYear": 6}], "NextPageLink": None, "Count": 1}
    nz = accounting_properties(DEFAULT_BUSINESSES[1])  # from 1 April 2025: ends March 2026
    assert (nz["CurrentFinancialYear"], nz["LastMonthFinancialYear"]) == (2026, 3)
    january = accounting_properties(BusinessSeed(financial_year_start=date(2026, 1, 1)))
    assert (january["CurrentFinancialYear"], january["LastMonthFinancialYear"]) == (2026, 12)
