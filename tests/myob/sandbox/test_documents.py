"""Writes as MYOB checks them: required fields, references, unknown fields, 409s, line RowIDs, the financial year,
deletes under the company's preferences, and no de-duplication."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import AU, Books


def _error(answer: httpx.Response) -> dict[str, Any]:
    body = answer.json()
    assert set(body) == {"Errors", "Information"}
    return body["Errors"][0]  # type: ignore[no-any-return]


def _invoice_body(books: Books, customer: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {"Date": "2026-11-01T00:00:00", "Customer": {"UID": customer["UID"]}, "IsTaxInclusive": False,
            "Lines": [{"Type": "Transaction", "Description": "Work", "Total": 100.0, "Account": books.account("4-1010"),
                       "TaxCode": books.tax("GST")}]}
    body.update(changes)
    return body


def test_required_fields_and_references_get_myob_codes(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    no_customer = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Customer=None))
    assert no_customer.status_code == 400 and _error(no_customer)["ErrorCode"] == 100
    assert _error(no_customer)["Name"] == "Required" and _error(no_customer)["Message"] == "Customer.UID is required"
    ghost = api.post("Sale/Invoice/Service", json=_invoice_body(
        books, customer, Customer={"UID": "6f1c4c8e-0000-4000-8000-000000000000"}))
    assert ghost.status_code == 400 and (_error(ghost)["Name"], _error(ghost)["ErrorCode"]) == ("NotFound", 150)
    wrong_kind = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Customer=books.tax("GST")))
    assert _error(wrong_kind)["ErrorCode"] == 150
    no_tax = api.post("Contact/Customer", json={"CompanyName": "No Tax", "SellingDetails": {}})
    assert _error(no_tax)["Message"] == "SellingDetails.TaxCode.UID is required"
    no_name = api.post("Contact/Customer", json={"IsIndividual": True, "FirstName": "Ann", "SellingDetails": {
        "TaxCode": books.tax("GST"), "FreightTaxCode": books.tax("GST")}})
    assert _error(no_name)["Message"] == "LastName is required"
    header = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Lines=[
        {"Type": "Transaction", "Total": 5, "Account": books.account("4-0000"), "TaxCode": books.tax("GST")}]))
    assert _error(header)["Name"] == "AccountHeaderNotAllowed" and _error(header)["AdditionalDetails"] == \
        "Lines[0].Account"


def test_unknown_fields_and_wrong_types_are_serialization_errors(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    unknown = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, InvoiceNumber="A-1"))
    assert unknown.status_code == 400 and (_error(unknown)["Name"], _error(unknown)["ErrorCode"]) == \
        ("SerializationError", 50)
    assert _error(unknown)["AdditionalDetails"] == "InvoiceNumber"
    nested = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Lines=[
        {"Type": "Transaction", "Total": 1, "Account": {"UID": books.account("4-1010")["UID"], "Code": "x"}}]))
    assert _error(nested)["AdditionalDetails"] == "Lines[0].Account.Code"
    for change in ({"Date": "01/11/2026"}, {"IsTaxInclusive": "yes"}, {"Customer": {"UID": "not-a-guid"}},
                   {"InvoiceDeliveryStatus": "Fax"}, {"Freight": "10.00"}):
        answer = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, **change))
        assert answer.status_code == 400 and _error(answer)["ErrorCode"] == 50, change
    assert api.post("Sale/Invoice/Service", content=b"{not json", headers={"Content-Type": "application/json"}
                    ).status_code == 400


def test_lengths_and_dates_outside_the_financial_year(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    long_number = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Number="12345678901234"))
    assert _error(long_number)["Name"] == "ValueTooLong" and _error(long_number)["AdditionalDetails"] == "Number"
    assert api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Number="1234567890123")
                    ).status_code == 201
    old = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Date="2025-06-30T00:00:00"))
    assert old.status_code == 400 and _error(old)["ErrorCode"] == 25008
    long_name = api.post("Contact/Customer", json={"CompanyName": "x" * 51, "SellingDetails": {
        "TaxCode": books.tax("GST"), "FreightTaxCode": books.tax("GST")}})
    assert _error(long_name)["AdditionalDetails"] == "CompanyName"


def test_identity_on_post_is_409_and_a_second_post_makes_a_second_record(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    with_uid = api.post("Contact/Customer", json={"UID": customer["UID"], "CompanyName": "Again"})
    assert with_uid.status_code == 409
    row_id = api.post("Sale/Invoice/Service", json=_invoice_body(books, customer, Lines=[
        {"RowID": 1, "Type": "Transaction", "Total": 1, "Account": books.account("4-1010"),
         "TaxCode": books.tax("GST")}]))
    assert row_id.status_code == 409
    books.customer()
    assert [c["DisplayID"] for c in api.get("Contact/Customer").json()["Items"]] == ["CUS001", "CUS001"]


def test_put_needs_the_current_row_version_and_keeps_lines_by_row_id(api: httpx.Client, books: Books) -> None:
    invoice = books.invoice(books.customer(), "100", "50")
    route = f"Sale/Invoice/Service/{invoice['UID']}"
    kept = invoice["Lines"][1]
    body = {**invoice, "Lines": [kept, {"Type": "Transaction", "Description": "New", "Total": 10.0,
                                        "Account": books.account("4-1010"), "TaxCode": books.tax("FRE")}]}
    updated = api.put(route, params={"returnBody": "true"}, json=body)
    assert updated.status_code == 200, updated.text
    after = updated.json()
    assert [line["RowID"] for line in after["Lines"]] == [2, 3]
    assert after["RowVersion"] != invoice["RowVersion"] and after["Lines"][0]["RowVersion"] != kept["RowVersion"]
    assert (after["Subtotal"], after["TotalTax"], after["TotalAmount"]) == (60, 5, 65)
    stale = api.put(route, json=body)
    assert stale.status_code == 409 and _error(stale)["Name"] == "IncorrectRowVersionSupplied"
    stale_line = api.put(route, json={**after, "Lines": [{**after["Lines"][0], "RowVersion": kept["RowVersion"]}]})
    assert stale_line.status_code == 409
    foreign_row = api.put(route, json={**after, "Lines": [{**after["Lines"][0], "RowID": 99}]})
    assert foreign_row.status_code == 400 and _error(foreign_row)["Name"] == "InvalidRowID"
    plain = api.put(route, json={**after, "Comment": "thanks"})
    assert plain.status_code == 200 and plain.content == b""
    assert books.get("Sale/Invoice/Service", invoice["UID"])["Comment"] == "thanks"


def test_delete_is_refused_when_the_file_says_transactions_must_be_reversed(
        api: httpx.Client, books: Books, admin: httpx.Client) -> None:
    customer = books.customer()
    first, second = books.invoice(customer, "10"), books.invoice(customer, "20")
    assert api.delete(f"Sale/Invoice/Service/{first['UID']}").status_code == 200
    assert api.get(f"Sale/Invoice/Service/{first['UID']}").status_code == 404
    admin.post(f"/businesses/{AU}/preferences", json={"TransactionsCannotBeChangedMustBeReversed": True})
    refused = api.delete(f"Sale/Invoice/Service/{second['UID']}")
    assert refused.status_code == 400
    assert (_error(refused)["Name"], _error(refused)["ErrorCode"]) == ("TransactionsCannotBeDeleted", 25003)
    changed = api.put(f"Sale/Invoice/Service/{second['UID']}", json={**second, "Comment": "x"})
    assert changed.status_code == 400 and _error(changed)["Name"] == "TransactionsCannotBeChanged"
    deletions = admin.get(f"/businesses/{AU}/deletions").json()
    assert [(d["kind"], d["UID"]) for d in deletions] == [("Invoice", first["UID"])]


def test_last_modified_moves_on_every_write_for_incremental_reads(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    invoice = books.invoice(customer, "10")
    assert invoice["Created"] == invoice["LastModified"] and len(invoice["LastModified"]) == 19
    since = invoice["LastModified"]
    changed = api.get("Sale/Invoice", params={"$filter": f"LastModified ge datetime'{since}'"}).json()
    assert [i["UID"] for i in changed["Items"]] == [invoice["UID"]]
    later = api.get("Sale/Invoice", params={"$filter": "LastModified gt datetime'2099-01-01T00:00:00'"}).json()
    assert later["Items"] == [] and later["Count"] == 0


def test_bills_and_nz_gst(sandbox: Any, admin: httpx.Client) -> None:
    from ledgerbridge.packages.myob.sandbox import NZ_BUSINESS_ID

    from .conftest import client_for

    with client_for(sandbox, admin, NZ_BUSINESS_ID) as nz:
        books = Books(nz, NZ_BUSINESS_ID)
        assert {t["Code"] for t in nz.get("GeneralLedger/TaxCode").json()["Items"]} == {"GST", "E", "Z", "N-T"}
        bill = books.bill(books.supplier(), "200", inclusive=False)
        assert (bill["TotalTax"], bill["TotalAmount"], bill["Status"], bill["BillType"]) == (30, 230, "Open",
                                                                                              "Service")
        debit = books.bill(books.supplier("Refunds Ltd", "SUP002"), "-115", inclusive=True)
        assert (debit["TotalTax"], debit["TotalAmount"], debit["Status"]) == (-15, -115, "Debit")
        lines = [{k: v for k, v in line.items() if k not in ("RowID", "RowVersion")} for line in bill["Lines"]]
        early = nz.post("Purchase/Bill/Service", json={"Supplier": bill["Supplier"], "Lines": lines,
                                                       "Date": "2025-03-31T00:00:00"})
        assert early.status_code == 400  # NZ years start on 1 April
