"""Fixtures for the MYOB sandbox tests: one sandbox per test module, fresh books and a token per test.

Every exchange the sandbox answers in a test goes through its exchange tap into a :class:`MyobContractChecker`
(``contract_checks.myob``), whoever the client is (httpx here, pymyob in ``test_pymyob``): an answer outside MYOB's
type catalogue fails the test at teardown. Request bodies are judged only for tests that ask (``strict_requests``),
since many tests send malformed requests on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from contract_checks.myob import MyobContractChecker

from ledgerbridge.packages.myob.sandbox import AU_BUSINESS_ID, RunningSandbox, SandboxConfig, start_myob_sandbox
from ledgerbridge.packages.myob.sandbox.seed import account_uid, tax_code_uid

AU = AU_BUSINESS_ID


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_myob_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running


@pytest.fixture(autouse=True)
def contract(sandbox: RunningSandbox) -> Iterator[MyobContractChecker]:
    """Fails the test at teardown if any answer (or, with ``strict_requests``, request) broke the catalogue.
    Autouse, so no test of this folder can talk to the module's sandbox unchecked."""
    checker = MyobContractChecker()
    sandbox.runtime.taps.append(checker.tap)
    yield checker
    sandbox.runtime.taps.remove(checker.tap)
    broken = [v for v in checker.violations if ": request" not in v]
    assert not broken, "sandbox answers break the MYOB catalogue:\n" + "\n".join(broken)


@pytest.fixture
def strict_requests(contract: MyobContractChecker) -> Iterator[None]:
    yield
    bad = [v for v in contract.violations if ": request" in v]
    assert not bad, "test requests break the MYOB catalogue:\n" + "\n".join(bad)


@pytest.fixture
def admin(sandbox: RunningSandbox, contract: MyobContractChecker) -> Iterator[httpx.Client]:
    """The sandbox-only admin API, after a reset (fresh books, no faults, limits off)."""
    with httpx.Client(base_url=f"{sandbox.base_url}/sandbox", timeout=10) as client:
        client.post("/reset").raise_for_status()
        client.post("/rate-limits", json={"enabled": False, "reset_windows": True}).raise_for_status()
        yield client
        client.delete("/faults")


def headers(sandbox: RunningSandbox, token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "x-myobapi-key": sandbox.config.client_id,
            "x-myobapi-version": "v2", "Accept": "application/json"}


def client_for(sandbox: RunningSandbox, admin: httpx.Client, business_id: str = AU) -> httpx.Client:
    token = admin.post("/tokens", json={"businessId": business_id}).json()["access_token"]
    return httpx.Client(base_url=sandbox.business_url(business_id) + "/", headers=headers(sandbox, token),
                        timeout=10)


@pytest.fixture
def api(sandbox: RunningSandbox, admin: httpx.Client) -> Iterator[httpx.Client]:
    """An API client for the AU business: base URL ``…/accountright/{businessId}/``, MYOB's three headers."""
    with client_for(sandbox, admin) as client:
        yield client


class Books:
    """Shortcuts to make the records most tests need, through the API."""

    def __init__(self, api: httpx.Client, business_id: str = AU) -> None:
        self.api = api
        self.business_id = business_id

    def account(self, display_id: str) -> dict[str, str]:
        return {"UID": account_uid(_seed(self.business_id), display_id)}

    def tax(self, code: str) -> dict[str, str]:
        return {"UID": tax_code_uid(_seed(self.business_id), code)}

    def post(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.api.post(route, params={"returnBody": "true"}, json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def customer(self, name: str = "Acme Pty Ltd", display_id: str = "CUS001") -> dict[str, Any]:
        return self.post("Contact/Customer", {
            "CompanyName": name, "IsIndividual": False, "DisplayID": display_id,
            "SellingDetails": {"TaxCode": self.tax("GST"), "FreightTaxCode": self.tax("GST")}})

    def supplier(self, name: str = "Bolt Supplies", display_id: str = "SUP001") -> dict[str, Any]:
        return self.post("Contact/Supplier", {
            "CompanyName": name, "IsIndividual": False, "DisplayID": display_id,
            "BuyingDetails": {"TaxCode": self.tax("GST"), "FreightTaxCode": self.tax("GST")}})

    def invoice(self, customer: dict[str, Any], *totals: str, inclusive: bool = False,
                date: str = "2026-11-01T00:00:00", code: str = "GST") -> dict[str, Any]:
        return self.post("Sale/Invoice/Service", {
            "Date": date, "Customer": {"UID": customer["UID"]}, "IsTaxInclusive": inclusive,
            "Lines": [{"Type": "Transaction", "Description": f"Work {i}", "Total": float(t),
                       "Account": self.account("4-1010"), "TaxCode": self.tax(code)} for i, t in enumerate(totals)]})

    def bill(self, supplier: dict[str, Any], *totals: str, inclusive: bool = False) -> dict[str, Any]:
        return self.post("Purchase/Bill/Service", {
            "Date": "2026-11-01T00:00:00", "Supplier": {"UID": supplier["UID"]}, "IsTaxInclusive": inclusive,
            "SupplierInvoiceNumber": "SI-1",
            "Lines": [{"Type": "Transaction", "Description": "Parts", "Total": float(t),
                       "Account": self.account("6-1000"), "TaxCode": self.tax("GST")} for t in totals]})

    def receive(self, customer: dict[str, Any], *applied: tuple[dict[str, Any], str]) -> dict[str, Any]:
        total = sum(float(a) for _, a in applied)
        return self.post("Sale/CustomerPayment", {
            "DepositTo": "Account", "Account": self.account("1-1110"), "Customer": {"UID": customer["UID"]},
            "Date": "2026-11-05T00:00:00", "AmountReceived": total,
            "Invoices": [{"UID": doc["UID"], "AmountApplied": float(a), "Type": "Invoice"} for doc, a in applied]})

    def get(self, route: str, uid: str) -> dict[str, Any]:
        answer = self.api.get(f"{route}/{uid}")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]


def _seed(business_id: str) -> Any:
    from ledgerbridge.packages.myob.sandbox.config import DEFAULT_BUSINESSES

    return next(seed for seed in DEFAULT_BUSINESSES if seed.business_id == business_id)


@pytest.fixture
def books(api: httpx.Client) -> Books:
    return Books(api)
