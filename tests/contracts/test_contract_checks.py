"""Each class of wire bug the checker must catch, and each quirk it must tolerate."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from contract_checks.formats import is_xero_datetime
from contract_checks.openapi import OpenApiContract
from contract_checks.violations import Violation
from hypothesis import given
from hypothesis import strategies as st

from .xero_contract_helpers import TENANT_HEADERS, example

BASE = "/api.xro/2.0"
UUID = "430fa14a-f945-44d3-9f97-5df5e28441b8"


@pytest.fixture
def invoice_request(accounting: OpenApiContract) -> dict[str, Any]:
    return copy.deepcopy(example(accounting, "/Invoices", "put"))


def put_invoices(contract: OpenApiContract, body: Any, query: str = "") -> list[Violation]:
    _, found = contract.check_request("PUT", f"{BASE}/Invoices{query}", TENANT_HEADERS, json.dumps(body).encode())
    return found


def get_invoices_response(contract: OpenApiContract, body: Any, status: int = 200) -> list[Violation]:
    return contract.check_response("GET", f"{BASE}/Invoices", status, TENANT_HEADERS, json.dumps(body).encode())


def only(found: list[Violation]) -> Violation:
    assert len(found) == 1, [str(v) for v in found]
    return found[0]


# -- the violations the brief lists --------------------------------------------------------
def test_unknown_field_in_invoice_line(accounting: OpenApiContract, invoice_request: dict[str, Any]) -> None:
    invoice_request["Invoices"][0]["LineItems"][0]["Colour"] = "red"
    v = only(put_invoices(accounting, invoice_request))
    assert (v.direction, v.method, v.path, v.status, v.location) == ("request", "PUT", "/Invoices", None, "body")
    assert v.pointer == "/Invoices/0/LineItems/0/Colour"
    assert str(v) == ("request PUT /Invoices: $.Invoices[0].LineItems[0].Colour: "
                      "additional property 'Colour' not allowed by schema LineItem")


def test_unknown_field_in_response_names_schema(accounting: OpenApiContract) -> None:
    body = example(accounting, "/Invoices", "get", "response")
    body["Invoices"][0]["Foo"] = 1
    v = only(get_invoices_response(accounting, body))
    assert str(v) == ("response GET /Invoices 200: $.Invoices[0].Foo: "
                      "additional property 'Foo' not allowed by schema Invoice")


def test_string_where_number_expected(accounting: OpenApiContract, invoice_request: dict[str, Any]) -> None:
    invoice_request["Invoices"][0]["LineItems"][0]["UnitAmount"] = "20.00"
    v = only(put_invoices(accounting, invoice_request))
    assert v.pointer == "/Invoices/0/LineItems/0/UnitAmount" and "requires number" in v.message


def test_invalid_invoice_status(accounting: OpenApiContract, invoice_request: dict[str, Any]) -> None:
    invoice_request["Invoices"][0]["Status"] = "APPROVED"
    v = only(put_invoices(accounting, invoice_request))
    assert v.pointer == "/Invoices/0/Status" and "'APPROVED' is not an allowed value of Invoice.Status" in v.message


@pytest.mark.parametrize(
    ("field", "value"),
    [("LineAmountTypes", "EXCLUSIVE"), ("CurrencyCode", "XXX"), ("Type", "SALES")],
)
def test_invoice_enums_are_strict(accounting: OpenApiContract, invoice_request: dict[str, Any], field: str,
                                  value: str) -> None:
    invoice_request["Invoices"][0][field] = value
    assert only(put_invoices(accounting, invoice_request)).pointer == f"/Invoices/0/{field}"


def test_account_type_and_payment_type_enums(accounting: OpenApiContract) -> None:
    _, found = accounting.check_request("PUT", f"{BASE}/Accounts", TENANT_HEADERS,
                                        json.dumps({"Code": "201", "Name": "Sales", "Type": "INCOME"}).encode())
    assert only(found).pointer == "/Type"
    payments = example(accounting, "/Payments", "get", "response")
    payments["Payments"][0]["PaymentType"] = "ARPAYMENT"
    found = accounting.check_response("GET", f"{BASE}/Payments", 200, TENANT_HEADERS, json.dumps(payments).encode())
    assert only(found).pointer == "/Payments/0/PaymentType"


def test_bad_uuid(accounting: OpenApiContract, invoice_request: dict[str, Any]) -> None:
    invoice_request["Invoices"][0]["Contact"]["ContactID"] = "430fa14a-f945-44d3-9f97"
    v = only(put_invoices(accounting, invoice_request))
    assert v.pointer == "/Invoices/0/Contact/ContactID" and "UUID" in v.message


@pytest.mark.parametrize("bad", ["2026-13-45", "2026-02-30", 12, "11/03/2019", "/Date(abc)/", "2019-03-11T25:00:00"])
def test_bad_date(accounting: OpenApiContract, invoice_request: dict[str, Any], bad: Any) -> None:
    invoice_request["Invoices"][0]["Date"] = bad
    assert only(put_invoices(accounting, invoice_request)).pointer == "/Invoices/0/Date"


@pytest.mark.parametrize(
    "good", ["2019-03-11", "2019-03-11T00:00:00", "/Date(1782864000000)/", "/Date(1539993600000+0000)/"])
def test_xero_date_shapes_accepted(accounting: OpenApiContract, invoice_request: dict[str, Any], good: str) -> None:
    invoice_request["Invoices"][0]["Date"] = good
    invoice_request["Invoices"][0]["DueDate"] = good
    assert put_invoices(accounting, invoice_request) == []


@given(st.dates(min_value=__import__("datetime").date(1900, 1, 1)))
def test_any_real_calendar_date_is_accepted_in_every_shape(day: Any) -> None:
    assert is_xero_datetime(day.isoformat())
    assert is_xero_datetime(f"{day.isoformat()}T12:30:00")


@given(st.integers(13, 99), st.integers(1, 28))
def test_impossible_months_are_rejected(month: int, day: int) -> None:
    assert not is_xero_datetime(f"2026-{month:02d}-{day:02d}")


def test_unknown_query_parameter(accounting: OpenApiContract) -> None:
    op, found = accounting.check_request("GET", f"{BASE}/Invoices?page=1&Status=DRAFT", TENANT_HEADERS, b"")
    v = only(found)
    assert op is not None and (v.location, v.pointer) == ("query", "Status")
    assert str(v).startswith("request GET /Invoices: ?Status: unknown query parameter 'Status'")


@pytest.mark.parametrize(
    ("query", "pointer"),
    [("page=one", "page"), ("summaryOnly=yes", "summaryOnly"), ("IDs=abc", "IDs"),
     ("ContactIDs=" + UUID + ",nope", "ContactIDs")],
)
def test_query_values_are_typed(accounting: OpenApiContract, query: str, pointer: str) -> None:
    _, found = accounting.check_request("GET", f"{BASE}/Invoices?{query}", TENANT_HEADERS, b"")
    assert only(found).pointer == pointer


def test_sdk_style_boolean_and_list_query_values_pass(accounting: OpenApiContract) -> None:
    _, found = accounting.check_request(
        "PUT", f"{BASE}/Invoices?summarizeErrors=False&unitdp=4", TENANT_HEADERS,
        json.dumps(example(accounting, "/Invoices", "put")).encode())
    assert found == []
    _, found = accounting.check_request(
        "GET", f"{BASE}/Invoices?IDs={UUID},{UUID}&Statuses=DRAFT,AUTHORISED&page=2&pageSize=1000&order=Date%20ASC",
        TENANT_HEADERS, b"")
    assert found == []


def test_unknown_path_and_method(accounting: OpenApiContract) -> None:
    op, found = accounting.check_request("GET", f"{BASE}/Widgets", TENANT_HEADERS, b"")
    v = only(found)
    assert op is None and v.location == "operation" and "operation not in spec" in v.message
    _, found = accounting.check_request("DELETE", f"{BASE}/Invoices", TENANT_HEADERS, b"")
    assert "method DELETE not allowed (spec has GET, PUT, POST)" in only(found).message
    _, found = accounting.check_request("GET", "/api.xro/3.0/Invoices", TENANT_HEADERS, b"")
    assert "outside the server base path" in only(found).message


def test_required_tenant_header(accounting: OpenApiContract) -> None:
    _, found = accounting.check_request("GET", f"{BASE}/Invoices", {}, b"")
    assert (only(found).location, only(found).pointer) == ("header", "xero-tenant-id")


@pytest.mark.parametrize("value", ["2026-07-01T12:00:00+00:00", "Wed, 01 Jul 2026 12:00:00 GMT"])
def test_if_modified_since_iso_and_http_date(accounting: OpenApiContract, value: str) -> None:
    headers = {**TENANT_HEADERS, "If-Modified-Since": value}
    assert accounting.check_request("GET", f"{BASE}/Payments", headers, b"")[1] == []
    headers["If-Modified-Since"] = "yesterday"
    assert only(accounting.check_request("GET", f"{BASE}/Payments", headers, b"")[1]).location == "header"


# -- operation lookup ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [("GET", f"/Invoices/{UUID}", "getInvoice"),
     ("PUT", f"/CreditNotes/{UUID}/Allocations", "createCreditNoteAllocation"),
     ("GET", f"/Contacts/{UUID}", "getContact"),
     ("GET", "/Contacts/CUST-001", "getContactByContactNumber"),
     ("GET", "/Reports/BalanceSheet", "getReportBalanceSheet"),
     ("GET", "/Reports/some-report-id", "getReportFromId"),
     ("GET", "/Organisation", "getOrganisations")],
)
def test_operation_lookup(accounting: OpenApiContract, method: str, path: str, operation_id: str) -> None:
    op, _, error = accounting.find_operation(method, BASE + path)
    assert error == "" and op is not None and op.operation_id == operation_id


def test_template_parameter_type_is_checked(accounting: OpenApiContract) -> None:
    _, found = accounting.check_request("GET", f"{BASE}/Invoices/INV-0001", TENANT_HEADERS, b"")
    assert (only(found).location, only(found).pointer) == ("path", "InvoiceID")


# -- read-only fields, bodies, statuses --------------------------------------------------------
def test_read_only_flags_allowed_in_requests_but_type_checked(accounting: OpenApiContract,
                                                              invoice_request: dict[str, Any]) -> None:
    inv = invoice_request["Invoices"][0]
    inv.update(HasErrors=False, HasAttachments=False, Total=40)
    inv["Contact"]["HasValidationErrors"] = False
    assert put_invoices(accounting, invoice_request) == []
    inv["HasAttachments"] = "false"
    assert only(put_invoices(accounting, invoice_request)).pointer == "/Invoices/0/HasAttachments"


def test_double_accepts_ints_and_decimals(accounting: OpenApiContract, invoice_request: dict[str, Any]) -> None:
    line = invoice_request["Invoices"][0]["LineItems"][0]
    line.update(Quantity=2, UnitAmount=19.99, DiscountRate=0)
    assert put_invoices(accounting, invoice_request) == []
    line["Quantity"] = True
    assert only(put_invoices(accounting, invoice_request)).pointer == "/Invoices/0/LineItems/0/Quantity"


def test_response_only_quirks_are_not_allowed_in_requests(accounting: OpenApiContract,
                                                          invoice_request: dict[str, Any]) -> None:
    invoice_request["Invoices"][0]["DateString"] = "2019-03-11T00:00:00"
    assert only(put_invoices(accounting, invoice_request)).pointer == "/Invoices/0/DateString"
    invoice_request["Invoices"][0].pop("DateString")
    invoice_request["ProviderName"] = "us"
    assert only(put_invoices(accounting, invoice_request)).pointer == "/ProviderName"


def test_envelope_fields_are_typed(accounting: OpenApiContract) -> None:
    body = example(accounting, "/Invoices", "get", "response")
    body["DateTimeUTC"] = "yesterday"
    assert only(get_invoices_response(accounting, body)).pointer == "/DateTimeUTC"


def test_validation_error_400_echo(accounting: OpenApiContract) -> None:
    element = {"Type": "ACCREC", "InvoiceNumber": "INV-1", "Status": "AUTHORISED",
               "LineItems": [{"Description": "x", "ValidationErrors": []}],
               "ValidationErrors": [{"Message": "Invoice # must be unique."}]}
    error: dict[str, Any] = {"ErrorNumber": 10, "Type": "ValidationException",
                             "Message": "A validation exception occurred", "Elements": [element]}
    raw = json.dumps(error).encode()
    assert accounting.check_response("PUT", f"{BASE}/Invoices", 400, TENANT_HEADERS, raw) == []
    error["Elements"][0]["Bogus"] = 1
    found = accounting.check_response("PUT", f"{BASE}/Invoices", 400, TENANT_HEADERS, json.dumps(error).encode())
    assert only(found).pointer == "/Elements/0/Bogus" and "Error(echo of Invoice)" in only(found).message
    bad_error = {"ErrorNumber": "ten", "Type": "ValidationException"}
    found = accounting.check_response("PUT", f"{BASE}/Invoices", 400, TENANT_HEADERS, json.dumps(bad_error).encode())
    assert only(found).pointer == "/ErrorNumber"


def test_status_and_body_rules(accounting: OpenApiContract) -> None:
    ok = json.dumps(example(accounting, "/Invoices", "get", "response")).encode()
    assert "not declared" in only(accounting.check_response("GET", f"{BASE}/Invoices", 201, TENANT_HEADERS, ok)).message
    # transport-level errors the spec does not describe are not violations
    for status in (401, 403, 404, 429, 500, 503):
        assert accounting.check_response("GET", f"{BASE}/Invoices", status, TENANT_HEADERS, b"nope") == []
    assert only(accounting.check_response("GET", f"{BASE}/Invoices", 200, TENANT_HEADERS, b"")).location == "body"
    assert "not valid JSON" in only(accounting.check_response("GET", f"{BASE}/Invoices", 200, TENANT_HEADERS,
                                                               b"<xml/>")).message
    xml = {"content-type": "text/xml"}
    assert only(accounting.check_response("GET", f"{BASE}/Invoices", 200, xml, ok)).location == "content-type"
    _, found = accounting.check_request("GET", f"{BASE}/Invoices", TENANT_HEADERS, b'{"x": 1}')
    assert "declares no request body" in only(found).message
    _, found = accounting.check_request("PUT", f"{BASE}/Invoices", TENANT_HEADERS, b"")
    assert "required request body is missing" in only(found).message


def test_recursive_models_are_checked_deep(accounting: OpenApiContract) -> None:
    """Invoice -> Payments[] -> Payment.Invoice -> Invoice: refs, not inlining, so any depth works."""
    body = example(accounting, "/Invoices", "get", "response")
    payment = body["Invoices"][1]["Payments"][0]
    payment["Invoice"] = {"InvoiceID": UUID, "Payments": [{"PaymentID": UUID, "Invoice": {"Type": "ACCREC",
                                                                                            "Foo": 1}}]}
    v = only(get_invoices_response(accounting, body))
    assert str(v) == ("response GET /Invoices 200: $.Invoices[1].Payments[0].Invoice.Payments[0].Invoice.Foo: "
                      "additional property 'Foo' not allowed by schema Invoice")


def test_quirks_are_documented_and_switchable(accounting: OpenApiContract) -> None:
    from contract_checks.quirks import XERO_QUIRKS

    assert all(q.evidence and q.spec_says and q.wire_does for q in XERO_QUIRKS)
    assert accounting.spec_path is not None
    letter = OpenApiContract.load(accounting.spec_path, quirks=())
    assert letter is not accounting
    body = json.dumps(example(accounting, "/Invoices", "get", "response")).encode()
    assert accounting.check_response("GET", f"{BASE}/Invoices", 200, TENANT_HEADERS, body) == []
    strict = {v.pointer for v in letter.check_response("GET", f"{BASE}/Invoices", 200, TENANT_HEADERS, body)}
    assert {"/Id", "/Status", "/ProviderName", "/DateTimeUTC", "/Invoices/0/DateString"} <= strict
