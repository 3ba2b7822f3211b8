"""Invoices and bills: numbering, batch semantics, arithmetic, validation messages, workflow, listing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from .conftest import create_invoice, get_invoice, invoice, line, put_invoices

ZERO_ID = "00000000-0000-0000-0000-000000000000"


def _errors(element: dict[str, Any]) -> list[str]:
    return [e["Message"] for e in element.get("ValidationErrors", [])]


def test_sales_invoice_numbers_are_generated_and_unique(api: httpx.Client) -> None:
    first = create_invoice(api)
    second = create_invoice(api)
    assert (first["InvoiceNumber"], second["InvoiceNumber"]) == ("INV-0001", "INV-0002")
    clash = put_invoices(api, invoice(InvoiceNumber="INV-0001")).json()["Invoices"][0]
    assert _errors(clash) == ["Invoice # must be unique."]
    assert clash["HasErrors"] is True and clash["InvoiceID"] == ZERO_ID


def test_bill_numbers_may_repeat(api: httpx.Client) -> None:
    bill = invoice("Supplies Ltd", type_="ACCPAY", InvoiceNumber="SUP-77", lines=[line(account="300")])
    response = put_invoices(api, bill, dict(bill))
    outcomes = response.json()["Invoices"]
    assert [o["StatusAttributeString"] for o in outcomes] == ["OK", "OK"]
    assert outcomes[0]["InvoiceID"] != outcomes[1]["InvoiceID"]
    found = api.get("/Invoices", params={"InvoiceNumbers": "SUP-77"}).json()["Invoices"]
    assert len(found) == 2


def test_summarize_errors_false_reports_every_element_in_order(api: httpx.Client) -> None:
    response = put_invoices(api, invoice(Reference="good-1"), invoice(lines=[line(account=None)]),
                            invoice(Reference="good-2"))
    assert response.status_code == 200
    outcomes = response.json()["Invoices"]
    assert [o["StatusAttributeString"] for o in outcomes] == ["OK", "ERROR", "OK"]
    assert [o["HasErrors"] for o in outcomes] == [False, True, False]
    assert _errors(outcomes[1]) == ["Account code or ID must be specified"]
    assert outcomes[1]["InvoiceID"] == ZERO_ID
    assert [o.get("Reference") for o in outcomes] == ["good-1", None, "good-2"]


def test_default_mode_saves_valid_elements_and_answers_400_with_the_failed_ones(api: httpx.Client) -> None:
    response = put_invoices(api, invoice(Reference="saved"), invoice(lines=[line(account="999")]), summarize=True)
    assert response.status_code == 400
    body = response.json()
    assert {k: body[k] for k in ("ErrorNumber", "Type", "Message")} == {
        "ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred"}
    # Xero echoes the submitted element (its 400 examples), not only its id: a client can tell which one failed
    [element] = body["Elements"]
    assert element["InvoiceID"] == ZERO_ID and element["HasErrors"] is True
    assert element["Type"] == "ACCREC" and element["Contact"] == {"Name": "Acme Ltd"}
    assert element["Status"] == "AUTHORISED" and element["Date"].startswith("/Date(")
    assert [(ln["AccountCode"], ln["Description"]) for ln in element["LineItems"]] == [("999", "Widget")]
    assert element["ValidationErrors"] == [{"Message": "Account code '999' is not a valid code for this document."}]
    saved = api.get("/Invoices").json()["Invoices"]
    assert [i.get("Reference") for i in saved] == ["saved"]


def test_summarize_errors_is_read_case_blind(api: httpx.Client) -> None:
    response = api.put("/Invoices", params={"summarizeErrors": "False"},
                       json={"Invoices": [invoice(lines=[line(account=None)])]})
    assert response.status_code == 200
    assert response.json()["Invoices"][0]["HasErrors"] is True


@pytest.mark.parametrize("amount_types, expected", [
    ("Exclusive", ("9.99", "2.00", "11.99")),
    ("Inclusive", ("8.32", "1.67", "9.99")),
    ("NoTax", ("9.99", "0.00", "9.99")),
])
def test_totals_and_tax_rounding(api: httpx.Client, amount_types: str, expected: tuple[str, str, str]) -> None:
    body = invoice(lines=[line(quantity=3, unit="3.33", tax="OUTPUT2")], LineAmountTypes=amount_types)
    response = put_invoices(api, body)
    raw = response.content.decode()
    created = response.json()["Invoices"][0]
    assert [Decimal(str(created[k])) for k in ("SubTotal", "TotalTax", "Total")] == [Decimal(x) for x in expected]
    assert created["AmountDue"] == float(expected[2])
    assert f'"Total":{expected[2]}' in raw, "amounts go out as 2-dp JSON numbers"


def test_tax_is_rounded_per_line_then_added(api: httpx.Client) -> None:
    lines = [line(unit="1.01", tax="OUTPUT2") for _ in range(3)]
    created = put_invoices(api, invoice(lines=lines)).json()["Invoices"][0]
    assert [item["TaxAmount"] for item in created["LineItems"]] == [0.2, 0.2, 0.2]
    assert created["TotalTax"] == 0.6, "0.606 if tax were computed on the total"


def test_discount_and_the_accounts_default_tax(api: httpx.Client) -> None:
    created = put_invoices(api, invoice(lines=[line(quantity=2, unit="50.00", DiscountRate=10)])).json()["Invoices"][0]
    item = created["LineItems"][0]
    assert (item["LineAmount"], item["TaxType"], item["TaxAmount"]) == (90.0, "OUTPUT2", 18.0)
    assert created["IsDiscounted"] is True and created["Total"] == 108.0


@pytest.mark.parametrize("body, message", [
    (invoice(lines=[line(account=None)]), "Account code or ID must be specified"),
    (invoice(lines=[line(account="999")]), "Account code '999' is not a valid code for this document."),
    (invoice(lines=[line(account="090")]), "Account code '090' is not a valid code for this document."),
    (invoice(lines=[line(tax="GST on Income")]),
     "The TaxType code GST on Income does not exist or cannot be used for this type of transaction."),
    (invoice(lines=[line(tax="INPUT2")]),
     "The TaxType code INPUT2 does not exist or cannot be used for this type of transaction."),
    (invoice(CurrencyCode="JPY"), "The currency JPY is not enabled for this organisation."),
    ({**invoice(), "Contact": {}},
     "The Contact must contain at least 1 of the following elements to identify the contact: "
     "Name, ContactID, ContactNumber"),
    (invoice(Status="PAID"), "Invoice not of valid status for creation"),
])
def test_validation_messages(api: httpx.Client, body: dict[str, object], message: str) -> None:
    outcome = put_invoices(api, body).json()["Invoices"][0]
    assert _errors(outcome) == [message]


def test_drafts_may_leave_accounts_out(api: httpx.Client) -> None:
    draft = create_invoice(api, status="DRAFT", lines=[line(account=None)])
    assert draft["Status"] == "DRAFT"
    approve = api.post(f"/Invoices/{draft['InvoiceID']}", json={"Invoices": [{"Status": "AUTHORISED"}]})
    assert approve.status_code == 400
    assert approve.json()["Elements"][0]["ValidationErrors"] == [{"Message": "Account code or ID must be specified"}]
    fixed = api.post(f"/Invoices/{draft['InvoiceID']}",
                     json={"Invoices": [{"Status": "AUTHORISED", "LineItems": [line()]}]})
    assert fixed.status_code == 200 and fixed.json()["Invoices"][0]["Status"] == "AUTHORISED"


def test_a_contact_named_but_unknown_is_created_once(api: httpx.Client) -> None:
    put_invoices(api, invoice("New Customer"), invoice("new customer"))
    contacts = api.get("/Contacts").json()["Contacts"]
    assert [c["Name"] for c in contacts] == ["New Customer"]
    failed = put_invoices(api, invoice("Never Saved", lines=[line(account=None)]))
    assert failed.json()["Invoices"][0]["HasErrors"] is True
    assert len(api.get("/Contacts").json()["Contacts"]) == 1, "a failed invoice creates no contact"


def test_foreign_currency_uses_the_given_or_default_rate(api: httpx.Client) -> None:
    given = create_invoice(api, CurrencyCode="EUR", CurrencyRate=1.2)
    default = create_invoice(api, CurrencyCode="USD")
    assert (given["CurrencyCode"], given["CurrencyRate"]) == ("EUR", 1.2)
    assert default["CurrencyRate"] == 1.27


def test_malformed_bodies_are_refused_whole(api: httpx.Client) -> None:
    broken = api.put("/Invoices", content=b'{"Invoices": [', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["Type"] == "PostDataInvalidException" and broken.json()["ErrorNumber"] == 14
    mistyped = put_invoices(api, invoice(), invoice(lines=[line(quantity="lots")]))
    assert mistyped.status_code == 400
    assert "Invoices[1].LineItems[0].Quantity" in mistyped.json()["Message"]
    bad_enum = put_invoices(api, invoice(type_="SALE"))
    assert bad_enum.status_code == 400 and bad_enum.json()["Type"] == "PostDataInvalidException"
    assert api.get("/Invoices").json()["Invoices"] == [], "nothing is saved from a body Xero cannot read"


def test_get_without_page_omits_lines_and_with_page_pages(api: httpx.Client) -> None:
    put_invoices(api, *(invoice(Reference=f"R{n}") for n in range(7)))
    everything = api.get("/Invoices").json()
    assert "pagination" not in everything and len(everything["Invoices"]) == 7
    assert all("LineItems" not in i for i in everything["Invoices"])
    page = api.get("/Invoices", params={"page": 2, "pageSize": 3}).json()
    assert page["pagination"] == {"page": 2, "pageSize": 3, "pageCount": 3, "itemCount": 7}
    assert [i["Reference"] for i in page["Invoices"]] == ["R3", "R4", "R5"]
    assert all(len(i["LineItems"]) == 1 for i in page["Invoices"])
    last = api.get("/Invoices", params={"page": 3, "pageSize": 3}).json()["Invoices"]
    assert [i["Reference"] for i in last] == ["R6"]


def test_list_filters(api: httpx.Client) -> None:
    a = create_invoice(api, contact="Alpha", Reference="PO-1")
    create_invoice(api, contact="Beta", status="DRAFT")
    bill = create_invoice(api, contact="Alpha", type_="ACCPAY", lines=[line(account="300")])
    alpha_id = a["Contact"]["ContactID"]

    def numbers(**params: str) -> list[str]:
        return sorted(i["InvoiceID"] for i in api.get("/Invoices", params=params).json()["Invoices"])

    assert numbers(IDs=f"{a['InvoiceID']},{bill['InvoiceID']}") == sorted([a["InvoiceID"], bill["InvoiceID"]])
    assert numbers(ContactIDs=alpha_id) == sorted([a["InvoiceID"], bill["InvoiceID"]])
    assert len(numbers(Statuses="DRAFT")) == 1
    assert numbers(where='Type=="ACCPAY"') == [bill["InvoiceID"]]
    assert numbers(where='Reference=="PO-1" AND Status=="AUTHORISED"') == [a["InvoiceID"]]
    assert numbers(where=f'Contact.ContactID==GUID("{alpha_id}") AND Type=="ACCREC"') == [a["InvoiceID"]]
    ordered = api.get("/Invoices", params={"order": "InvoiceNumber DESC", "where": 'Type=="ACCREC"'})
    assert [i["InvoiceNumber"] for i in ordered.json()["Invoices"]] == ["INV-0002", "INV-0001"]
    bad = api.get("/Invoices", params={"where": 'Status=="DRAFT'})
    assert bad.status_code == 400 and bad.json()["Type"] == "QueryParseException"


def test_single_invoice_by_id_or_number_and_404(api: httpx.Client) -> None:
    created = create_invoice(api)
    assert api.get(f"/Invoices/{created['InvoiceID']}").json()["Invoices"][0]["InvoiceNumber"] == "INV-0001"
    assert api.get("/Invoices/INV-0001").json()["Invoices"][0]["InvoiceID"] == created["InvoiceID"]
    missing = api.get("/Invoices/6f1d2c4e-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.text == "The resource you're looking for cannot be found"


def _iso_after(ms_json: str) -> str:
    """One millisecond after an ``/Date(ms+0000)/`` timestamp, in the ISO form the SDK sends."""
    ms = int(ms_json[6:ms_json.index("+")]) + 1
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds")


def test_if_modified_since_returns_only_later_changes(api: httpx.Client) -> None:
    old = create_invoice(api, Reference="old")
    since = _iso_after(old["UpdatedDateUTC"])
    time.sleep(0.005)
    new = create_invoice(api, Reference="new")
    changed = api.get("/Invoices", headers={"If-Modified-Since": since}).json()["Invoices"]
    assert [i["InvoiceID"] for i in changed] == [new["InvoiceID"]]
    api.post(f"/Invoices/{old['InvoiceID']}", json={"Invoices": [{"Reference": "edited"}]}).raise_for_status()
    changed = api.get("/Invoices", headers={"If-Modified-Since": since}).json()["Invoices"]
    assert sorted(i["Reference"] for i in changed) == ["edited", "new"]


def test_post_updates_by_number_and_replaces_lines(api: httpx.Client) -> None:
    created = create_invoice(api, lines=[line(description="a"), line(description="b")])
    kept_id = created["LineItems"][0]["LineItemID"]
    response = api.post("/Invoices", json={"Invoices": [{
        "Type": "ACCREC", "InvoiceNumber": "INV-0001",
        "LineItems": [{**line(description="a2", unit="20.00"), "LineItemID": kept_id}],
    }]})
    assert response.status_code == 200
    updated = response.json()["Invoices"][0]
    assert updated["InvoiceID"] == created["InvoiceID"]
    assert [(i["LineItemID"], i["Description"]) for i in updated["LineItems"]] == [(kept_id, "a2")]
    assert updated["Total"] == 24.0


def test_workflow_delete_drafts_void_approved(api: httpx.Client) -> None:
    draft = create_invoice(api, status="DRAFT")
    approved = create_invoice(api)
    void_draft = api.post(f"/Invoices/{draft['InvoiceID']}", json={"Invoices": [{"Status": "VOIDED"}]})
    assert void_draft.status_code == 400
    assert void_draft.json()["Elements"][0]["ValidationErrors"][0]["Message"] == \
        "Invoice not of valid status for modification"
    deleted = api.post(f"/Invoices/{draft['InvoiceID']}", json={"Invoices": [{"Status": "DELETED"}]})
    assert deleted.json()["Invoices"][0]["Status"] == "DELETED"
    delete_approved = api.post(f"/Invoices/{approved['InvoiceID']}", json={"Invoices": [{"Status": "DELETED"}]})
    assert delete_approved.status_code == 400
    voided = api.post(f"/Invoices/{approved['InvoiceID']}", json={"Invoices": [{"Status": "VOIDED"}]})
    assert voided.status_code == 200
    assert voided.json()["Invoices"][0]["Status"] == "VOIDED" and voided.json()["Invoices"][0]["AmountDue"] == 0
    again = api.post(f"/Invoices/{approved['InvoiceID']}", json={"Invoices": [{"Reference": "x"}]})
    assert again.status_code == 400
    assert get_invoice(api, approved["InvoiceID"])["Status"] == "VOIDED"
