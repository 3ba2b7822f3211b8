"""A US company: lines carry TAX/NON, the rate comes from TxnTaxDetail.TxnTaxCodeRef, no GlobalTaxCalculation."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from contract_checks.qbo_transport import QboSchemaTransport

from ledgerbridge.packages.qbo.sandbox import US_REALM_ID, SandboxConfig, start_qbo_sandbox

from .conftest import fault, ok


@pytest.fixture(scope="module")
def us_client() -> Iterator[tuple[httpx.Client, QboSchemaTransport]]:
    transport = QboSchemaTransport()
    with start_qbo_sandbox(SandboxConfig.us()) as sandbox:
        token = httpx.post(f"{sandbox.base_url}/sandbox/tokens").json()
        headers = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}
        with httpx.Client(base_url=sandbox.company_url(US_REALM_ID), headers=headers, transport=transport) as c:
            yield c, transport
    assert not transport.violations, "\n".join(transport.violations)


def test_us_sales_tax_from_the_transaction_code(us_client: tuple[httpx.Client, QboSchemaTransport]) -> None:
    qbo, _ = us_client
    assert ok(qbo.get(f"/companyinfo/{US_REALM_ID}"), "CompanyInfo")["Country"] == "US"
    customer = ok(qbo.post("/customer", json={"DisplayName": "Acme Inc"}), "Customer")
    lines = [{"DetailType": "SalesItemLineDetail", "Amount": 100.0,
              "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": "TAX"}}},
             {"DetailType": "SalesItemLineDetail", "Amount": 50.0,
              "SalesItemLineDetail": {"ItemRef": {"value": "2"}, "TaxCodeRef": {"value": "NON"}}}]
    invoice = ok(qbo.post("/invoice", json={"CustomerRef": {"value": customer["Id"]}, "Line": lines,
                                            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "2"}}}), "Invoice")
    assert "GlobalTaxCalculation" not in invoice
    assert invoice["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == "2"
    assert Decimal(str(invoice["TxnTaxDetail"]["TotalTax"])) == Decimal("8.25")  # 7.25% + 1% of 100
    assert Decimal(str(invoice["TotalAmt"])) == Decimal("158.25")
    bad = dict(lines[0], SalesItemLineDetail={"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": "2"}})
    assert fault(qbo.post("/invoice", json={"CustomerRef": {"value": customer["Id"]}, "Line": [bad]}))["code"] \
        == "6000"
    codes = ok(qbo.get("/query", params={"query": "SELECT * FROM TaxCode"}), "QueryResponse")["TaxCode"]
    assert {"TAX", "NON"} <= {code["Id"] for code in codes}
