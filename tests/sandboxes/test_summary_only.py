"""``summaryOnly=true`` on GET /Invoices and GET /Contacts: the lightweight record, with paging, ids, filters
and If-Modified-Since all still applying."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx

from .conftest import create_invoice, line, pay

#: What a summarised invoice carries (DueDate, InvoiceNumber and Reference only when set).
INVOICE_SUMMARY_KEYS = {
    "InvoiceID", "InvoiceNumber", "Type", "Status", "Contact", "Date", "DueDate", "Reference", "CurrencyCode",
    "SubTotal", "TotalTax", "Total", "AmountDue", "AmountPaid", "AmountCredited", "UpdatedDateUTC",
}
HEAVY_INVOICE_KEYS = {"LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments"}


def _summaries(api: httpx.Client, params: dict[str, Any] | None = None,
               headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = api.get("/Invoices", params={"summaryOnly": "true", **(params or {})}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _ms(timestamp: str) -> int:
    """``/Date(1551213567813+0000)/`` -> 1551213567813."""
    return int(timestamp[6:timestamp.index("+")])


def _credit_invoice(api: httpx.Client, invoice_id: str, amount: str) -> None:
    note = api.put("/CreditNotes", params={"summarizeErrors": "false"}, json={"CreditNotes": [{
        "Type": "ACCRECCREDIT", "Contact": {"Name": "Acme Ltd"}, "Status": "AUTHORISED", "Date": "2026-07-05",
        "LineItems": [line(unit=amount)]}]}).json()["CreditNotes"][0]
    allocated = api.put(f"/CreditNotes/{note['CreditNoteID']}/Allocations", json={"Allocations": [
        {"Invoice": {"InvoiceID": invoice_id}, "Amount": note["Total"], "Date": "2026-07-06"}]})
    assert allocated.status_code == 200, allocated.text


def test_summary_invoices_keep_the_header_and_amounts_but_not_lines_or_settlements(api: httpx.Client) -> None:
    sale = create_invoice(api, lines=[line(unit="100"), line(unit="50")], Reference="SO-1")  # 180.00 with VAT
    assert pay(api, sale["InvoiceID"], "20.00").status_code == 200
    _credit_invoice(api, sale["InvoiceID"], "10")  # 12.00 credited

    full = api.get("/Invoices", params={"page": 1}).json()["Invoices"][0]
    assert HEAVY_INVOICE_KEYS <= set(full), "without summaryOnly a paged GET has lines and settlements"
    assert full["Payments"] and full["CreditNotes"] and full["LineItems"]

    summary = _summaries(api, {"page": 1})["Invoices"][0]
    assert set(summary) == INVOICE_SUMMARY_KEYS
    assert summary["Contact"] == {"ContactID": full["Contact"]["ContactID"], "Name": "Acme Ltd"}
    for key in INVOICE_SUMMARY_KEYS - {"Contact"}:
        assert summary[key] == full[key], key
    assert (summary["Total"], summary["AmountPaid"], summary["AmountCredited"], summary["AmountDue"]) == (
        180.0, 20.0, 12.0, 148.0)
    assert summary["Reference"] == "SO-1" and summary["Status"] == "AUTHORISED"

    raw = api.get("/Invoices", params={"summaryOnly": "True"}).text  # the SDK writes Python's True
    assert '"Total":180.00' in raw, "amounts still go out as 2-dp JSON numbers"
    assert "LineItems" not in raw and "Payments" not in raw and "CreditNotes" not in raw
    unpaged = api.get("/Invoices", params={"summaryOnly": "false"}).json()["Invoices"][0]
    assert "Payments" in unpaged, "summaryOnly=false is the ordinary view"


def test_summary_invoices_page_filter_by_id_and_honour_if_modified_since(api: httpx.Client) -> None:
    created = []
    for n in range(5):
        created.append(create_invoice(api, Reference=f"R{n}"))
        time.sleep(0.003)
    ids = [c["InvoiceID"] for c in created]

    page = _summaries(api, {"page": 2, "pageSize": 2})
    assert page["pagination"] == {"page": 2, "pageSize": 2, "pageCount": 3, "itemCount": 5}
    assert [i["InvoiceID"] for i in page["Invoices"]] == ids[2:4]
    assert all(set(i) == INVOICE_SUMMARY_KEYS for i in page["Invoices"])

    chosen = _summaries(api, {"IDs": f"{ids[3]},{ids[1]}"})["Invoices"]
    assert sorted(i["InvoiceID"] for i in chosen) == sorted([ids[1], ids[3]])
    assert all("LineItems" not in i for i in chosen)

    ms = _ms(created[3]["UpdatedDateUTC"])
    since = datetime.fromtimestamp(ms // 1000, tz=UTC).replace(microsecond=ms % 1000 * 1000).isoformat()
    expected = [c["InvoiceID"] for c in created if _ms(c["UpdatedDateUTC"]) >= ms]
    changed = _summaries(api, {"page": 1, "pageSize": 1000}, headers={"If-Modified-Since": since})
    assert [i["InvoiceID"] for i in changed["Invoices"]] == expected
    assert ids[4] in expected and ids[0] not in expected
    assert changed["pagination"]["itemCount"] == len(expected)


def test_summary_invoices_can_still_be_filtered_and_ordered_on_any_field(api: httpx.Client) -> None:
    create_invoice(api, lines=[line(unit="10")], Reference="small")
    create_invoice(api, lines=[line(unit="30")], Reference="big", LineAmountTypes="Inclusive")
    create_invoice(api, lines=[line(unit="20")], Reference="middle")
    ordered = _summaries(api, {"order": "Total DESC"})["Invoices"]
    assert [i["Reference"] for i in ordered] == ["big", "middle", "small"]
    # LineAmountTypes is not in the summary, but the filter reads the whole invoice, as Xero's does.
    inclusive = _summaries(api, {"where": 'LineAmountTypes=="Inclusive"', "page": 1})
    assert [i["Reference"] for i in inclusive["Invoices"]] == ["big"]
    assert set(inclusive["Invoices"][0]) == INVOICE_SUMMARY_KEYS
    assert inclusive["pagination"]["itemCount"] == 1


def test_summary_contacts_leave_out_addresses_phones_and_groups(api: httpx.Client) -> None:
    contact = {"Name": "Acme Ltd", "ContactNumber": "C-1", "EmailAddress": "ap@acme.test", "FirstName": "Ann",
               "Addresses": [{"AddressType": "STREET", "City": "Leeds"}],
               "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "0700"}],
               "PaymentTerms": {"Sales": {"Day": 30, "Type": "DAYSAFTERBILLDATE"}}}
    created = api.put("/Contacts", json={"Contacts": [contact, {"Name": "Other Co"}]})
    assert created.status_code == 200, created.text
    create_invoice(api)  # makes Acme Ltd a customer

    full = api.get("/Contacts").json()["Contacts"]
    assert {"Addresses", "Phones", "ContactGroups", "PaymentTerms"} <= set(full[0])

    summaries = api.get("/Contacts", params={"summaryOnly": "true", "page": 1, "pageSize": 1})
    assert summaries.status_code == 200
    body = summaries.json()
    assert body["pagination"]["itemCount"] == 2
    [acme] = body["Contacts"]
    assert acme == {
        "ContactID": full[0]["ContactID"], "ContactStatus": "ACTIVE", "Name": "Acme Ltd", "ContactNumber": "C-1",
        "FirstName": "Ann", "EmailAddress": "ap@acme.test", "UpdatedDateUTC": full[0]["UpdatedDateUTC"],
        "IsSupplier": False, "IsCustomer": True,
    }
    by_id = api.get("/Contacts", params={"summaryOnly": "true", "IDs": full[1]["ContactID"]}).json()["Contacts"]
    assert [c["Name"] for c in by_id] == ["Other Co"] and "Addresses" not in by_id[0]
