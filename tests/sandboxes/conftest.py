"""Fixtures for the sandbox tests: one sandbox per session, fresh books and a fresh token per test.

Every response the ``api`` client receives from the accounting API is checked against Xero's OpenAPI spec
(strictly: unknown fields fail), so each test is also a contract test of the responses it provokes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledgerbridge.sandboxes.xero import DEFAULT_TENANT_ID, RunningSandbox, SandboxConfig, start_xero_sandbox

from .spec_check import check_response

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


def _conforms(response: httpx.Response) -> None:
    response.read()
    if "json" not in response.headers.get("content-type", ""):
        return
    errors = check_response(response.request.method, response.request.url.path, response.status_code,
                            response.json())
    assert not errors, f"{response.request.method} {response.request.url.path} -> {response.status_code}: {errors}"


def issue_token(sandbox: RunningSandbox, scope: str | None = None) -> dict[str, Any]:
    body = {"scope": scope} if scope else {}
    response = httpx.post(f"{sandbox.base_url}/sandbox/tokens", json=body)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def token(sandbox: RunningSandbox, admin: httpx.Client) -> dict[str, Any]:
    return issue_token(sandbox)


@pytest.fixture
def api(sandbox: RunningSandbox, token: dict[str, Any]) -> Iterator[httpx.Client]:
    """An accounting API client for the demo tenant whose every response is checked against the spec."""
    headers = {"Authorization": f"Bearer {token['access_token']}", "xero-tenant-id": TENANT,
               "Accept": "application/json"}
    with httpx.Client(base_url=sandbox.api_url, headers=headers, timeout=10,
                      event_hooks={"response": [_conforms]}) as client:
        yield client


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
