"""Contacts and items: Xero's uniqueness rules, upserts, derived flags and list filters."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import create_invoice, invoice, line, put_invoices


def _put_contacts(api: httpx.Client, *contacts: dict[str, Any], summarize: bool = False) -> httpx.Response:
    params = {} if summarize else {"summarizeErrors": "false"}
    return api.put("/Contacts", params=params, json={"Contacts": list(contacts)})


def test_contact_names_are_unique_among_active_contacts(api: httpx.Client) -> None:
    first = _put_contacts(api, {"Name": "Buzz Lightyear", "ContactNumber": "C-1"})
    assert first.json()["Contacts"][0]["StatusAttributeString"] == "OK"
    again = _put_contacts(api, {"Name": "buzz lightyear"}).json()["Contacts"][0]
    assert again["HasValidationErrors"] is True and again["StatusAttributeString"] == "ERROR"
    assert again["ValidationErrors"] == [{"Message": (
        "The contact name buzz lightyear is already assigned to another contact. "
        "The contact name must be unique across all active contacts.")}]
    assert again["ContactID"] == "00000000-0000-0000-0000-000000000000"


def test_an_archived_contact_frees_its_name(api: httpx.Client) -> None:
    created = _put_contacts(api, {"Name": "Old Co"}).json()["Contacts"][0]
    archived = api.post(f"/Contacts/{created['ContactID']}", json={"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    assert archived.status_code == 200 and archived.json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"
    reused = _put_contacts(api, {"Name": "Old Co"}).json()["Contacts"][0]
    assert reused["StatusAttributeString"] == "OK" and reused["ContactID"] != created["ContactID"]
    listed = [c["Name"] for c in api.get("/Contacts").json()["Contacts"]]
    assert listed == ["Old Co"], "archived contacts are hidden unless includeArchived=true"
    assert len(api.get("/Contacts", params={"includeArchived": "true"}).json()["Contacts"]) == 2


def test_contact_numbers_are_unique(api: httpx.Client) -> None:
    _put_contacts(api, {"Name": "One", "ContactNumber": "CUST-001"})
    clash = _put_contacts(api, {"Name": "Two", "ContactNumber": "CUST-001"}).json()["Contacts"][0]
    assert clash["ValidationErrors"] == [
        {"Message": "The contact number CUST-001 is already assigned to another contact."}]


def test_summarised_contact_errors_are_a_400_and_valid_contacts_are_still_saved(api: httpx.Client) -> None:
    response = _put_contacts(api, {"Name": "Fine Ltd"}, {"FirstName": "No name"}, summarize=True)
    assert response.status_code == 400
    body = response.json()
    assert body["ErrorNumber"] == 10 and body["Type"] == "ValidationException"
    assert body["Message"] == "A validation exception occurred"
    assert len(body["Elements"]) == 1
    assert [c["Name"] for c in api.get("/Contacts").json()["Contacts"]] == ["Fine Ltd"]


def test_post_updates_by_contact_number_or_creates(api: httpx.Client) -> None:
    created = _put_contacts(api, {"Name": "Acme", "ContactNumber": "A1", "EmailAddress": "a@x.test"})
    contact_id = created.json()["Contacts"][0]["ContactID"]
    updated = api.post("/Contacts", json={"Contacts": [{"ContactNumber": "A1", "Name": "Acme Trading"},
                                                       {"Name": "Brand New"}]})
    assert updated.status_code == 200
    first, second = updated.json()["Contacts"]
    assert first["ContactID"] == contact_id and first["Name"] == "Acme Trading"
    assert first["EmailAddress"] == "a@x.test", "fields not sent are kept"
    assert second["ContactID"] != contact_id
    assert api.get("/Contacts/A1").json()["Contacts"][0]["Name"] == "Acme Trading"


def test_is_customer_and_is_supplier_follow_documents_not_requests(api: httpx.Client) -> None:
    created = _put_contacts(api, {"Name": "Both Ways", "IsCustomer": True, "IsSupplier": True})
    contact = created.json()["Contacts"][0]
    assert (contact["IsCustomer"], contact["IsSupplier"]) == (False, False)
    create_invoice(api, contact="Both Ways")
    contact = api.get(f"/Contacts/{contact['ContactID']}").json()["Contacts"][0]
    assert (contact["IsCustomer"], contact["IsSupplier"]) == (True, False)
    create_invoice(api, contact="Both Ways", type_="ACCPAY", lines=[line(account="300")])
    contact = api.get(f"/Contacts/{contact['ContactID']}").json()["Contacts"][0]
    assert (contact["IsCustomer"], contact["IsSupplier"]) == (True, True)


def test_contact_list_filters_and_paging(api: httpx.Client) -> None:
    _put_contacts(api, *({"Name": f"Customer {n:02d}", "ContactNumber": f"N{n:02d}"} for n in range(25)))
    by_number = api.get("/Contacts", params={"where": 'ContactNumber=="N07"'}).json()["Contacts"]
    assert [c["Name"] for c in by_number] == ["Customer 07"]
    by_name = api.get("/Contacts", params={"where": 'Name=="Customer 11"'}).json()["Contacts"]
    assert [c["ContactNumber"] for c in by_name] == ["N11"]
    search = api.get("/Contacts", params={"searchTerm": "omer 2"}).json()["Contacts"]
    assert sorted(c["Name"] for c in search) == [f"Customer {n}" for n in range(20, 25)]
    page = api.get("/Contacts", params={"page": 3, "pageSize": 10}).json()
    assert page["pagination"] == {"page": 3, "pageSize": 10, "pageCount": 3, "itemCount": 25}
    assert len(page["Contacts"]) == 5
    ids = ",".join(c["ContactID"] for c in by_number + by_name)
    assert len(api.get("/Contacts", params={"IDs": ids}).json()["Contacts"]) == 2


def test_item_codes_are_unique(api: httpx.Client) -> None:
    ok = api.put("/Items", params={"summarizeErrors": "false"}, json={"Items": [{"Code": "abc", "Name": "ABC"}]})
    assert ok.json()["Items"][0]["StatusAttributeString"] == "OK"
    clash = api.put("/Items", params={"summarizeErrors": "false"}, json={"Items": [{"Code": "abc"}]})
    assert clash.json()["Items"][0]["ValidationErrors"] == [
        {"Message": "Price List Item with Code 'abc' already exists"}]


def test_item_defaults_fill_invoice_lines(api: httpx.Client) -> None:
    api.put("/Items", json={"Items": [{"Code": "W1", "Name": "Widget", "Description": "Blue widget",
                                       "SalesDetails": {"UnitPrice": 12.5, "AccountCode": "200",
                                                        "TaxType": "OUTPUT2"}}]}).raise_for_status()
    created = put_invoices(api, invoice(lines=[{"ItemCode": "W1", "Quantity": 2}])).json()["Invoices"][0]
    item_line = created["LineItems"][0]
    assert (item_line["Description"], item_line["UnitAmount"], item_line["AccountCode"]) == ("Blue widget", 12.5, "200")
    assert created["Total"] == 30.0
    unknown = put_invoices(api, invoice(lines=[{"ItemCode": "NOPE", "Quantity": 1, "UnitAmount": 1,
                                                "AccountCode": "200"}])).json()["Invoices"][0]
    assert unknown["ValidationErrors"] == [{"Message": "Item code 'NOPE' is not valid."}]
