"""Fixtures for the QBO sandbox tests: one sandbox per session, fresh books and a fresh token per test.

Every exchange of the ``qbo`` and ``http`` clients goes through :class:`QboSchemaTransport`, which checks request
and response bodies against Intuit's XSDs; any field or nesting the schema does not have fails the test at
teardown. Only responses are judged strictly: tests send malformed requests on purpose, so request violations are
reported only for tests that ask for it (``strict_requests``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from contract_checks.qbo_transport import QboSchemaTransport

from ledgerbridge.packages.qbo.sandbox import DEFAULT_REALM_ID, RunningSandbox, SandboxConfig, start_qbo_sandbox

REALM = DEFAULT_REALM_ID


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    with start_qbo_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """The sandbox-only admin API, after a reset (fresh books, no faults, clock back to now, limits off)."""
    with httpx.Client(base_url=f"{sandbox.base_url}/sandbox", timeout=10) as client:
        client.post("/reset").raise_for_status()
        client.post("/rate-limits", json={"enabled": False, "reset_windows": True}).raise_for_status()
        yield client
        client.delete("/faults")


@pytest.fixture
def schema() -> Iterator[QboSchemaTransport]:
    """Fails the test at teardown if any response (or a request, see ``strict_requests``) broke the XSDs."""
    transport = QboSchemaTransport()
    yield transport
    broken = [v for v in transport.violations if ": request " not in v]
    assert not broken, "sandbox responses break the QBO schema:\n" + "\n".join(broken)


@pytest.fixture
def strict_requests(schema: QboSchemaTransport) -> Iterator[None]:
    """Also fail on request bodies outside the schema (for tests whose requests are meant to be valid)."""
    yield
    bad = [v for v in schema.violations if ": request " in v]
    assert not bad, "test requests break the QBO schema:\n" + "\n".join(bad)


@pytest.fixture
def http(schema: QboSchemaTransport) -> Iterator[httpx.Client]:
    """A schema-checked client without a base URL (OAuth endpoints, other realms)."""
    with httpx.Client(transport=schema, timeout=10) as client:
        yield client


def issue_token(sandbox: RunningSandbox, realm_id: str = REALM) -> dict[str, Any]:
    response = httpx.post(f"{sandbox.base_url}/sandbox/tokens", json={"realmId": realm_id})
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def token(sandbox: RunningSandbox, admin: httpx.Client) -> dict[str, Any]:
    return issue_token(sandbox)


@pytest.fixture
def qbo(sandbox: RunningSandbox, token: dict[str, Any], schema: QboSchemaTransport) -> Iterator[httpx.Client]:
    """``/v3/company/{realmId}`` client for the demo company, every exchange schema-checked."""
    headers = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}
    with httpx.Client(base_url=sandbox.company_url(REALM), headers=headers, params={"minorversion": "75"},
                      timeout=10, transport=schema) as client:
        yield client
    assert schema.checker.exchanges_checked > 0, "the schema checker saw no traffic: is its transport wired in?"


# ------------------------------------------------------------------------------------------------ payloads


def sales_line(amount: Any = 100.00, *, qty: Any = None, price: Any = None, tax: str | None = "2",
               item: str = "1", **extra: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {"ItemRef": {"value": item}}
    if qty is not None:
        detail["Qty"] = qty
    if price is not None:
        detail["UnitPrice"] = price
    if tax is not None:
        detail["TaxCodeRef"] = {"value": tax}
    line: dict[str, Any] = {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail, **extra}
    if amount is not None:
        line["Amount"] = amount
    return line


def ok(response: httpx.Response, entity: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()[entity]  # type: ignore[no-any-return]


def fault(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    """The first Error of a Fault response, after checking the status and the envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert "time" in body
    return body["Fault"]["Error"][0]  # type: ignore[no-any-return]


def create_customer(qbo: httpx.Client, name: str = "Acme Ltd", **extra: Any) -> dict[str, Any]:
    return ok(qbo.post("/customer", json={"DisplayName": name, **extra}), "Customer")


def create_vendor(qbo: httpx.Client, name: str = "Supplies Ltd", **extra: Any) -> dict[str, Any]:
    return ok(qbo.post("/vendor", json={"DisplayName": name, **extra}), "Vendor")


def invoice_body(customer_id: str, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"CustomerRef": {"value": customer_id}, "TxnDate": "2026-07-01", "DueDate": "2026-07-31",
            "Line": list(lines) or [sales_line()], **extra}


def create_invoice(qbo: httpx.Client, customer_id: str, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return ok(qbo.post("/invoice", json=invoice_body(customer_id, *lines, **extra)), "Invoice")


def pay(qbo: httpx.Client, customer_id: str, total: Any, *allocations: tuple[str, Any],
        txn_type: str = "Invoice", **extra: Any) -> httpx.Response:
    lines = [{"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]}
             for txn_id, amount in allocations]
    return qbo.post("/payment", json={"CustomerRef": {"value": customer_id}, "TotalAmt": total,
                                      "TxnDate": "2026-07-10", "Line": lines, **extra})
