"""The catalogue checker (``contract_checks.myob``) catches bad messages, agrees with the sandbox's strict
reading of requests, and the sandbox's generated field tables still match the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from contract_checks.myob import MyobContractChecker, MyobContractTransport, check_body, check_error
from contract_checks.myob_fields import render

from ledgerbridge.packages.myob.sandbox import RunningSandbox

from .conftest import Books, headers

FIELDS = Path(__file__).resolve().parents[3] / "ledgerbridge/packages/myob/sandbox/fields.py"
UID = "6f1c4c8e-0000-4000-8000-000000000000"


def _invoice(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Number": "00000001", "Date": "2026-11-01T00:00:00", "Customer": {"UID": UID, "Name": "Acme"},
        "IsTaxInclusive": False, "Status": "Open", "TotalAmount": 110.0, "LastPaymentDate": None,
        "Lines": [{"RowID": 1, "Type": "Transaction", "Total": 100.0, "Account": {"UID": UID, "DisplayID": "4-1010"},
                   "TaxCode": {"UID": UID, "Code": "GST"}}]}
    body.update(changes)
    return body


def test_a_good_body_passes_and_each_kind_of_bad_one_is_named() -> None:
    assert check_body("Sale.ServiceInvoice", _invoice()) == []
    bad = {
        "unknown field": (_invoice(InvoiceNumber="1"), "InvoiceNumber: not a property of Sale.ServiceInvoice"),
        "nested unknown": (_invoice(Customer={"UID": UID, "Code": "x"}), "Customer.Code: not a property"),
        "line unknown": (_invoice(Lines=[{"Type": "Transaction", "Item": {"UID": UID}}]), "Lines[0].Item"),
        "guid": (_invoice(Customer={"UID": "42"}), "'42' is not a Guid"),
        "decimal as text": (_invoice(TotalAmount="110.00"), "TotalAmount: expected a number"),
        "date form": (_invoice(Date="2026-11-01"), "is not a DateTime written YYYY-MM-DDTHH:MM:SS"),
        "date with zone": (_invoice(Date="2026-11-01T00:00:00Z"), "Date: '2026-11-01T00:00:00Z'"),
        "enum": (_invoice(Status="Paid"), "'Paid' is not a member name of Sale.SaleStatus"),
        "enum as number": (_invoice(Status=1), "1 is not a member name"),
        "null value type": (_invoice(IsTaxInclusive=None), "IsTaxInclusive: null where"),
        "number length": (_invoice(Number="12345678901234"), "Number: 14 characters, at most 13"),
        "integer": (_invoice(Lines=[{"RowID": 1.5}]), "RowID: expected an integer"),
        "array": (_invoice(Lines={"Type": "Transaction"}), "Lines: expected an array"),
    }
    for name, (body, expected) in bad.items():
        found = check_body("Sale.ServiceInvoice", body)
        assert any(expected in message for message in found), (name, found)
    assert check_body("Contact.Customer", {"CompanyName": "x" * 51})[0].endswith("51 characters, at most 50")
    assert "ABN" in check_body("Contact.Customer", {"SellingDetails": {"ABN": "53004085616"}})[0]
    assert check_body("Contact.Customer", {"Addresses": [{"Location": 1}] * 6})[0].endswith("6 items, at most 5")
    assert check_error({"Errors": [{"Name": "X", "Message": "m"}]}, "e")  # keys missing
    assert check_error({"error": "invalid_grant"}, "e")


def test_the_transport_checks_a_whole_exchange(sandbox: RunningSandbox, admin: httpx.Client) -> None:
    token = admin.post("/tokens", json={}).json()["access_token"]
    checker = MyobContractChecker()
    with httpx.Client(transport=MyobContractTransport(checker=checker), headers=headers(sandbox, token)) as client:
        base = sandbox.business_url(admin.get("/businesses").json()[0]["businessId"])
        assert client.get(f"{base}/GeneralLedger/Account").status_code == 200
        client.post(f"{base}/Contact/Customer", json={"CompanyName": "A", "Colour": "red"})
    assert checker.exchanges_checked == 2
    assert checker.violations == ["POST /accountright/" + base.rsplit("/", 1)[1] + "/Contact/Customer: request."
                                  "Colour: not a property of Contact.Customer"]


def test_the_sandbox_refuses_what_the_checker_refuses(api: httpx.Client, books: Books) -> None:
    customer = books.customer()
    body = {"Date": "2026-11-01T00:00:00", "Customer": {"UID": customer["UID"]},
            "Lines": [{"Type": "Transaction", "Total": 1.0, "Account": books.account("4-1010"),
                       "TaxCode": books.tax("GST")}]}
    assert check_body("Sale.ServiceInvoice", body) == []
    assert api.post("Sale/Invoice/Service", json=body).status_code == 201
    for change in ({"Colour": "red"}, {"Status": "Paid"}, {"Date": "2026-11-01T00:00:00+10:00"},
                   {"Customer": {"UID": customer["UID"], "Extra": 1}}, {"TotalAmount": "1.00"}):
        bad = {**body, **change}
        assert check_body("Sale.ServiceInvoice", bad), change
        answer = api.post("Sale/Invoice/Service", json=bad)
        assert answer.status_code == 400 and answer.json()["Errors"][0]["ErrorCode"] == 50, change


def test_the_sandbox_field_tables_match_the_catalogue() -> None:
    assert FIELDS.read_text(encoding="utf-8") == render(), (
        "ledgerbridge/packages/myob/sandbox/fields.py is stale: regenerate it with "
        "`python -m contract_checks.myob_fields` (see that module)")
