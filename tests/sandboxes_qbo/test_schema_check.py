"""The QBO schema checker itself: it must fail on anything the XSDs do not have, and pass QBO-shaped JSON."""

from __future__ import annotations

import httpx
from contract_checks.qbo_schema import check_entity
from contract_checks.qbo_transport import QboSchemaTransport

GOOD_INVOICE = {
    "Id": "130", "SyncToken": "0", "domain": "QBO", "sparse": False,
    "MetaData": {"CreateTime": "2025-01-16T15:08:12.419-08:00", "LastUpdatedTime": "2025-01-16T15:08:12-08:00"},
    "CustomerRef": {"value": "58", "name": "Acme"}, "TxnDate": "2025-01-16", "GlobalTaxCalculation": "TaxExcluded",
    "Line": [{"Id": "1", "LineNum": 1, "Amount": 200.0, "DetailType": "SalesItemLineDetail",
              "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 2, "TaxCodeRef": {"value": "3"}}}],
    "LinkedTxn": [{"TxnId": "190", "TxnType": "Payment"}], "TotalAmt": 240, "Balance": 0,
}


def test_a_qbo_shaped_invoice_passes() -> None:
    assert check_entity("Invoice", GOOD_INVOICE) == []


def test_unknown_fields_wrong_nesting_and_types_fail() -> None:
    bad = {**GOOD_INVOICE, "Foo": 1, "TotalAmt": "240", "GlobalTaxCalculation": "Sometimes",
           "CustomerRef": "58", "LinkedTxn": {"TxnId": "1"},
           "Line": [{"Amount": 1, "SalesItemLineDetail": {"ItemRef": {"value": "1", "colour": "red"}}}]}
    found = "\n".join(check_entity("Invoice", bad))
    for expected in ("Invoice.Foo: not in the schema", "Invoice.TotalAmt: string '240'",
                     "GlobalTaxCalculation: 'Sometimes' is not one of", "Invoice.CustomerRef: expected an object",
                     "Invoice.LinkedTxn: repeating element must be a JSON array",
                     "Line[0].SalesItemLineDetail.ItemRef.colour: not in the schema"):
        assert expected in found, found


def test_inherited_fields_count_and_payment_lacks_invoice_fields() -> None:
    assert check_entity("Payment", {"UnappliedAmt": 1, "PrivateNote": "x", "Id": "1"}) == []
    assert check_entity("Payment", {"DueDate": "2025-01-01"}) != []


def test_transport_records_response_violations_without_changing_traffic() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"Customer": {"Id": "1", "Nickname": "x"}, "time": "t"})

    transport = QboSchemaTransport(httpx.MockTransport(handler))
    with httpx.Client(transport=transport) as client:
        response = client.post("http://x/v3/company/1/customer", json={"DisplayName": "A", "Bogus": True})
    assert response.json()["Customer"]["Nickname"] == "x"
    assert any("request Customer.Bogus" in v for v in transport.violations)
    assert any("response Customer.Nickname" in v for v in transport.violations)


def test_async_transport_checks_too() -> None:
    import asyncio

    from contract_checks.qbo_transport import AsyncQboSchemaTransport

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"Invoice": {"Id": "1", "Totl": 1}, "time": "t"})

    async def run() -> list[str]:
        transport = AsyncQboSchemaTransport(httpx.MockTransport(handler))
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get("http://x/v3/company/1/invoice/1")
        return transport.violations

    assert any("response Invoice.Totl" in v for v in asyncio.run(run()))
