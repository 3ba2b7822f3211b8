"""Fixtures for the sandbox tests: one sandbox per session, fresh books and a fresh token per test.

Every response the ``api`` and ``http`` clients receive is checked against Xero's OpenAPI specs by the
project's contract checker (closed schemas: an undeclared field fails), with only the allowances the
sandbox needs: the response envelope, ``scope`` in token responses, the case of ``/connections`` and the
whole failed element echoed in a summarised 400 (as Xero's own 400 examples do). Xero's wire quirks that the
sandbox does not reproduce (``DateString`` echoes) are *not* allowed, so a sandbox response must fit the spec.
Only responses are judged: these tests send malformed requests on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from contract_checks import quirks
from contract_checks.pytest_support import XeroContractChecker, xero_contract_checker

from ledgerbridge.packages.xero.sandbox import DEFAULT_TENANT_ID, RunningSandbox, SandboxConfig, start_xero_sandbox

TENANT = DEFAULT_TENANT_ID


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """The sandbox-only admin API, after a reset (fresh books, no faults, clock back to now, limits off)."""
    with httpx.Client(base_url=f"{sandbox.base_url}/sandbox", timeout=10) as client:
        client.post("/reset").raise_for_status()
        client.post("/rate-limits", json={"enabled": False, "per_minute": 60, "per_day": 5000, "concurrent": 5,
                                          "reset_windows": True}).raise_for_status()
        yield client
        client.delete("/faults")


SANDBOX_QUIRKS = frozenset({quirks.ENVELOPE, quirks.TOKEN_SCOPE, quirks.IDENTITY_PATH_CASE,
                            quirks.BOOL_QUERY_CASE, quirks.IF_MODIFIED_SINCE, quirks.ELEMENT_ECHO})


@pytest.fixture
def contract() -> Iterator[XeroContractChecker]:
    """Fails the test at teardown if any response broke the spec."""
    checker = xero_contract_checker(quirks=SANDBOX_QUIRKS)
    yield checker
    broken = [str(v) for v in checker.violations if v.direction == "response"]
    assert not broken, "sandbox responses break the Xero spec:\n" + "\n".join(broken)


@pytest.fixture
def http(contract: XeroContractChecker) -> Iterator[httpx.Client]:
    """A contract-checked client without a base URL (identity and token endpoints)."""
    with httpx.Client(transport=contract.transport(), timeout=10) as client:
        yield client


def issue_token(sandbox: RunningSandbox, scope: str | None = None) -> dict[str, Any]:
    body = {"scope": scope} if scope else {}
    response = httpx.post(f"{sandbox.base_url}/sandbox/tokens", json=body)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def token(sandbox: RunningSandbox, admin: httpx.Client) -> dict[str, Any]:
    return issue_token(sandbox)


@pytest.fixture
def api(sandbox: RunningSandbox, token: dict[str, Any], contract: XeroContractChecker) -> Iterator[httpx.Client]:
    """An accounting API client for the demo tenant whose every response is checked against the spec."""
    headers = {"Authorization": f"Bearer {token['access_token']}", "xero-tenant-id": TENANT,
               "Accept": "application/json"}
    with httpx.Client(base_url=sandbox.api_url, headers=headers, timeout=10,
                      transport=contract.transport()) as client:
        yield client
    assert contract.exchanges_checked > 0, "the contract checker saw no traffic: is its transport wired in?"


# ------------------------------------------------------------------------------------------- payloads


def line(description: str = "Widget", quantity: Any = 1, unit: Any = "10.00", account: str | None = "200",
         tax: str | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"Description": description, "Quantity": quantity, "UnitAmount": unit}
    if account is not None:
        item["AccountCode"] = account
    if tax is not None:
        item["TaxType"] = tax
    item.update(extra)
    return item


def invoice(contact: str = "Acme Ltd", *, type_: str = "ACCREC", status: str = "AUTHORISED",
            lines: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Type": type_, "Contact": {"Name": contact}, "Date": "2026-07-01",
                            "DueDate": "2026-07-31", "Status": status,
                            "LineItems": lines if lines is not None else [line()]}
    body.update(extra)
    return body


def put_invoices(api: httpx.Client, *invoices: dict[str, Any], summarize: bool = False,
                 headers: dict[str, str] | None = None) -> httpx.Response:
    params = {} if summarize else {"summarizeErrors": "false"}
    return api.put("/Invoices", params=params, json={"Invoices": list(invoices)}, headers=headers)


def create_invoice(api: httpx.Client, **kwargs: Any) -> dict[str, Any]:
    """Create one invoice that must succeed; returns its view."""
    response = put_invoices(api, invoice(**kwargs))
    assert response.status_code == 200, response.text
    created = response.json()["Invoices"][0]
    assert created["StatusAttributeString"] == "OK", created.get("ValidationErrors")
    return created  # type: ignore[no-any-return]


def pay(api: httpx.Client, invoice_id: str, amount: str, account: str = "090", **extra: Any) -> httpx.Response:
    payment = {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": account}, "Date": "2026-07-10",
               "Amount": amount, **extra}
    return api.put("/Payments", params={"summarizeErrors": "false"}, json={"Payments": [payment]})


def get_invoice(api: httpx.Client, invoice_id: str) -> dict[str, Any]:
    response = api.get(f"/Invoices/{invoice_id}")
    assert response.status_code == 200, response.text
    return response.json()["Invoices"][0]  # type: ignore[no-any-return]
