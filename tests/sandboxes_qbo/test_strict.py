"""The sandbox refuses what QuickBooks refuses (issue 12): a property the XSD does not have, at any depth and on
every entity it accepts (400 / 2010), and a date that is not a ``YYYY-MM-DD`` calendar day, never storing either;
and a query inside a batch reads the books as they were when the batch started."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_checks.qbo_fields import render

from ledgerbridge.packages.qbo.sandbox import schema_fields

from .conftest import create_customer, create_invoice, fault, invoice_body, ok, sales_line

SEGMENTS = ("customer", "vendor", "item", "account", "paymentmethod", "invoice", "creditmemo", "bill",
            "vendorcredit", "payment", "billpayment")


def q(qbo: httpx.Client, statement: str) -> dict[str, Any]:
    return ok(qbo.get("/query", params={"query": statement}), "QueryResponse")


def _unknown(error: dict[str, Any], field: str, type_name: str) -> None:
    assert error["code"] == "2010" and error["Message"] == "Request has invalid or unsupported property"
    assert error["Detail"] == (f'Property Name:Unrecognized field "{field}" (class com.intuit.schema.finance.v3.'
                               f"{type_name}), not marked as ignorable specified is unsupported or invalid")


def test_schema_fields_are_the_xsds() -> None:
    """The sandbox's property list is the XSDs' (regenerate with ``python -m contract_checks.qbo_fields``)."""
    assert Path(schema_fields.__file__).read_text() == render()
    assert {segment.lower() for segment in schema_fields.ROOTS} == set(SEGMENTS)


@pytest.mark.parametrize("segment", SEGMENTS)
def test_an_unknown_property_is_refused_on_every_entity(qbo: httpx.Client, segment: str) -> None:
    entity = next(name for name in schema_fields.ROOTS if name.lower() == segment)
    error = fault(qbo.post(f"/{segment}", json={"Colour": "red"}))
    _unknown(error, "Colour", entity)
    assert error["element"] == f"{entity}.Colour" and error["Detail"].count("Colour") == 1


def test_a_nested_unknown_property_is_refused_and_nothing_is_stored(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    line = sales_line(10.0)
    line["SalesItemLineDetail"]["Discount"] = 1
    error = fault(qbo.post("/invoice", json=invoice_body(customer["Id"], line, DocNumber="X-1")))
    _unknown(error, "Discount", "SalesItemLineDetail")
    assert error["element"] == "Invoice.Line[0].SalesItemLineDetail.Discount"
    assert q(qbo, "SELECT * FROM Invoice WHERE DocNumber = 'X-1'") == {}
    bad_ref = fault(qbo.post("/invoice", json=invoice_body(customer["Id"], CustomerRef={"value": customer["Id"],
                                                                                        "Id": "1"})))
    _unknown(bad_ref, "Id", "ReferenceType")
    # What a record read back carries (Balance, MetaData, LinkedTxn, the SubTotal line) is in the schema: it may be
    # sent again, as python-quickbooks does.
    invoice = create_invoice(qbo, customer["Id"])
    again = ok(qbo.post("/invoice", json={**invoice, "PrivateNote": "sent back whole"}), "Invoice")
    assert again["PrivateNote"] == "sent back whole" and again["SyncToken"] == "1"


def test_an_unknown_property_in_an_update_or_a_batch_item_changes_nothing(qbo: httpx.Client) -> None:
    customer = create_customer(qbo, CompanyName="Acme")
    sparse = {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "CompanyName": "Other",
              "Nickname": "A"}
    _unknown(fault(qbo.post("/customer", json=sparse)), "Nickname", "Customer")
    response = qbo.post("/batch", json={"BatchItemRequest": [
        {"bId": "u", "operation": "update", "Customer": sparse},
        {"bId": "c", "operation": "create", "Vendor": {"DisplayName": "V Ltd", "Rating": 5}}]})
    results = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    _unknown(results["u"]["Fault"]["Error"][0], "Nickname", "Customer")
    _unknown(results["c"]["Fault"]["Error"][0], "Rating", "Vendor")
    stored = ok(qbo.get(f"/customer/{customer['Id']}"), "Customer")
    assert stored["CompanyName"] == "Acme" and stored["SyncToken"] == customer["SyncToken"]
    assert q(qbo, "SELECT * FROM Vendor WHERE DisplayName = 'V Ltd'") == {}


@pytest.mark.parametrize("where, value", [
    ("TxnDate", "2026-02-30"), ("TxnDate", "06/10/2026"), ("DueDate", "2026-7-31"), ("DueDate", "2026-07-31T00:00"),
    ("ServiceDate", "2026-13-01")])
def test_a_date_that_is_not_a_date_is_refused_never_stored(qbo: httpx.Client, where: str, value: str) -> None:
    customer = create_customer(qbo)
    line = sales_line(10.0)
    if where == "ServiceDate":
        line["SalesItemLineDetail"]["ServiceDate"] = value
        body = invoice_body(customer["Id"], line, DocNumber="D-1")
        element = "Invoice.Line[0].SalesItemLineDetail.ServiceDate"
    else:
        body = invoice_body(customer["Id"], line, DocNumber="D-1", **{where: value})
        element = f"Invoice.{where}"
    error = fault(qbo.post("/invoice", json=body))
    assert error["code"] == "2010" and error["element"] == element
    assert f"String value '{value}'" in error["Detail"] and "YYYY-MM-DD" in error["Detail"]
    assert q(qbo, "SELECT * FROM Invoice WHERE DocNumber = 'D-1'") == {}


def test_a_bad_date_in_a_sparse_update_or_a_payment_keeps_the_stored_one(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = create_invoice(qbo, customer["Id"])
    patch = {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, "DueDate": "31/07/2026"}
    assert fault(qbo.post("/invoice", json=patch))["element"] == "Invoice.DueDate"
    assert ok(qbo.get(f"/invoice/{invoice['Id']}"), "Invoice")["DueDate"] == "2026-07-31"
    payment = {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 5, "TxnDate": "2026-02-29"}
    assert fault(qbo.post("/payment", json=payment))["element"] == "Payment.TxnDate"
    assert q(qbo, "SELECT * FROM Payment") == {}


def test_a_query_in_a_batch_reads_the_books_as_they_were_when_the_batch_started(qbo: httpx.Client) -> None:
    acme = create_customer(qbo, CompanyName="Acme")
    response = qbo.post("/batch", json={"BatchItemRequest": [
        {"bId": "q0", "Query": "SELECT * FROM Customer WHERE DisplayName = 'Snap Co'"},
        {"bId": "c", "operation": "create", "Customer": {"DisplayName": "Snap Co"}},
        {"bId": "u", "operation": "update", "Customer": {"Id": acme["Id"], "SyncToken": acme["SyncToken"],
                                                         "sparse": True, "CompanyName": "Acme Renamed"}},
        {"bId": "q1", "Query": "SELECT * FROM Customer WHERE DisplayName = 'Snap Co'"},
        {"bId": "q2", "Query": f"SELECT * FROM Customer WHERE Id = '{acme['Id']}'"},
        {"bId": "n", "Query": "SELECT COUNT(*) FROM Customer"}]})
    assert response.status_code == 200, response.text
    results = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert results["c"]["Customer"]["DisplayName"] == "Snap Co"
    assert results["u"]["Customer"]["CompanyName"] == "Acme Renamed"
    assert results["q0"]["QueryResponse"] == {} and results["q1"]["QueryResponse"] == {}
    seen = results["q2"]["QueryResponse"]["Customer"][0]
    assert seen["CompanyName"] == "Acme" and seen["SyncToken"] == acme["SyncToken"]
    assert results["n"]["QueryResponse"] == {"totalCount": 1}
    # After the batch, a query sees both writes.
    assert q(qbo, "SELECT * FROM Customer WHERE DisplayName = 'Snap Co'")["Customer"][0]["Id"] == \
        results["c"]["Customer"]["Id"]
    assert q(qbo, "SELECT COUNT(*) FROM Customer") == {"totalCount": 2}
