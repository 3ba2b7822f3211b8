"""End to end: an httpx client talks to a stand-in Xero peer (httpx.MockTransport)
through the checking transport, exactly as the connector tests will with the sandbox."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from contract_checks.openapi import OpenApiContract
from contract_checks.pytest_support import XeroContractChecker, xero_contract_checker

from .xero_contract_helpers import example

TENANT = "fe79f7dd-b6d4-4a92-ba7b-538af6289c58"
BASE_URL = "https://api.xero.com"


class FakeXero:
    """Stands in for the remote peer; answers with the spec's own captured examples."""

    def __init__(self, accounting: OpenApiContract, identity: OpenApiContract) -> None:
        self.invoices_get = example(accounting, "/Invoices", "get", "response")
        self.invoices_put = example(accounting, "/Invoices", "put", "response")
        self.connections = example(identity, "/Connections", "get", "response")
        self.seen: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.seen.append(f"{request.method} {request.url.path}")
        path = request.url.path
        if path.lower() == "/connections":
            return httpx.Response(200, json=self.connections)
        if path == "/connect/token":
            return httpx.Response(200, json={"access_token": "AT", "refresh_token": "RT2", "expires_in": 1800,
                                             "token_type": "Bearer", "id_token": "ID",
                                             "scope": "offline_access accounting.transactions"})
        if path.startswith("/sandbox/"):
            return httpx.Response(204)
        if path.endswith("/Invoices") and request.method == "GET":
            return httpx.Response(200, json=self.invoices_get)
        if path.endswith("/Invoices") and request.method == "PUT":
            return httpx.Response(200, json=self.invoices_put)
        return httpx.Response(404, text="The resource you're looking for cannot be found")


@pytest.fixture
def fake(accounting: OpenApiContract, identity: OpenApiContract) -> FakeXero:
    return FakeXero(accounting, identity)


def connector_session(client: httpx.Client, invoice_body: dict[str, Any]) -> None:
    """What a connector does: token refresh, tenant discovery, export, re-read."""
    token = client.post("/connect/token", data={"grant_type": "refresh_token", "refresh_token": "RT",
                                                "client_id": "cid", "client_secret": "secret"})
    assert token.json()["access_token"] == "AT"
    tenant = client.get("/connections").json()[0]["tenantId"]
    headers = {"xero-tenant-id": tenant, "Authorization": "Bearer AT"}
    created = client.put("/api.xro/2.0/Invoices", params={"summarizeErrors": "False"}, json=invoice_body,
                         headers=headers)
    assert created.status_code == 200 and created.json()["Invoices"][0]["InvoiceNumber"] == "INV-0007"
    page = client.get("/api.xro/2.0/Invoices", params={"page": 1, "Statuses": "AUTHORISED,PAID"}, headers=headers)
    assert page.json()["pagination"]["page"] == 1


def test_clean_session_passes_and_is_counted(fake: FakeXero, accounting: OpenApiContract) -> None:
    checker = xero_contract_checker()
    with httpx.Client(transport=checker.transport(httpx.MockTransport(fake)), base_url=BASE_URL) as client:
        client.post("/sandbox/reset")  # admin call: recorded, not checked
        client.post("/connect/revocation", data={"token": "RT"})  # not in any spec: recorded
        connector_session(client, example(accounting, "/Invoices", "put"))
    checker.assert_clean(require_traffic=True)
    assert checker.exchanges_checked == 4
    assert checker.collector.exchanges_skipped == ["POST /sandbox/reset", "POST /connect/revocation"]
    assert checker.collector.operations_seen == {"token": 1, "getConnections": 1, "createInvoices": 1,
                                                 "getInvoices": 1}


def test_bad_traffic_fails_with_every_violation_listed(fake: FakeXero, accounting: OpenApiContract) -> None:
    fake.invoices_get["Invoices"][1]["Status"] = "APPROVED"  # the peer misbehaves
    fake.invoices_get["Invoices"][0]["LineItems"] = [{"Description": "x", "Colour": "red"}]
    body = example(accounting, "/Invoices", "put")
    body["Invoices"][0]["LineItems"][0]["Quantity"] = "two"  # and so does the connector
    checker = xero_contract_checker()
    with httpx.Client(transport=checker.transport(httpx.MockTransport(fake)), base_url=BASE_URL) as client:
        connector_session(client, body)
        client.get("/api.xro/2.0/Invoices", params={"modifiedAfter": "2020-01-01"}, headers={"xero-tenant-id": TENANT})
        client.get("/api.xro/2.0/Widgets", headers={"xero-tenant-id": TENANT})
    with pytest.raises(AssertionError) as failure:
        checker.assert_clean()
    report = str(failure.value)
    for expected in (
        "request PUT /Invoices: $.Invoices[0].LineItems[0].Quantity: 'two' is a string",
        "response GET /Invoices 200: $.Invoices[1].Status: 'APPROVED' is not an allowed value of Invoice.Status",
        "response GET /Invoices 200: $.Invoices[0].LineItems[0].Colour: additional property 'Colour' not allowed "
        "by schema LineItem",
        "request GET /Invoices: ?modifiedAfter: unknown query parameter 'modifiedAfter'",
        "request GET /Widgets: operation: no path in Xero Accounting API 16.1.0 matches: operation not in spec",
    ):
        assert expected in report
    assert checker.exchanges_checked == 6


def test_token_and_identity_checks(fake: FakeXero) -> None:
    checker = xero_contract_checker()
    with httpx.Client(transport=checker.transport(httpx.MockTransport(fake)), base_url=BASE_URL) as client:
        client.post("/connect/token", data={"grant_type": "refresh_token", "refresh_token": "RT", "colour": "x"})
        client.post("/connect/token", json={"grant_type": "refresh_token"})
        client.post("/connect/token", data={"grant_type": "authorization_code", "code": "c", "redirect_uri": "u"})
        client.get("/Connections", params={"authEventId": "not-a-uuid"})
        client.get("/connections")
        client.get("/identity/nothing-here")
    messages = [str(v) for v in checker.violations]
    assert messages == [
        "request POST /connect/token: $.colour: additional property 'colour' not allowed by schema RefreshToken",
        "request POST /connect/token: content-type: token requests are form-encoded, got 'application/json'",
        "request GET /Connections: ?authEventId: 'not-a-uuid' is not a valid UUID (8-4-4-4-12 hex) for query "
        "parameter authEventId",
        "request GET /identity/nothing-here: operation: no path in Xero OAuth 2 Identity Service API 16.1.0 matches: "
        "operation not in spec",
    ]


def test_traffic_is_not_altered_gzip_and_streaming(accounting: OpenApiContract) -> None:
    payload = json.dumps(example(accounting, "/Invoices", "get", "response")).encode()
    compressed = gzip.compress(payload)

    def peer(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json; charset=utf-8", "content-encoding": "gzip",
                   "x-minlimit-remaining": "59"}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(compressed))

    checker = xero_contract_checker()
    with httpx.Client(transport=checker.transport(httpx.MockTransport(peer)), base_url=BASE_URL) as client:
        plain = client.get("/api.xro/2.0/Invoices", headers={"xero-tenant-id": TENANT})
        assert plain.content == payload and plain.headers["x-minlimit-remaining"] == "59"
        with client.stream("GET", "/api.xro/2.0/Invoices", headers={"xero-tenant-id": TENANT}) as streamed:
            assert b"".join(streamed.iter_raw()) == compressed  # the raw bytes, still encoded
    checker.assert_clean(require_traffic=True)
    assert checker.exchanges_checked == 2


def test_inner_failure_propagates_and_request_is_still_checked() -> None:
    def peer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("sandbox down", request=request)

    checker = xero_contract_checker()
    transport = checker.transport(httpx.MockTransport(peer))
    with httpx.Client(transport=transport, base_url=BASE_URL) as client, pytest.raises(httpx.ConnectError):
        client.get("/api.xro/2.0/Invoices", params={"bogus": 1}, headers={"xero-tenant-id": TENANT})
    assert checker.exchanges_checked == 1
    assert [v.pointer for v in checker.violations] == ["bogus"]


def test_async_transport(fake: FakeXero, accounting: OpenApiContract) -> None:
    checker = xero_contract_checker()

    async def handler(request: httpx.Request) -> httpx.Response:
        return fake(request)

    async def run() -> None:
        transport = checker.async_transport(httpx.MockTransport(handler))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            created = await client.put("/api.xro/2.0/Invoices", json=example(accounting, "/Invoices", "put"),
                                       headers={"xero-tenant-id": TENANT})
            assert created.status_code == 200
            await client.get("/api.xro/2.0/Invoices", params={"nope": "1"}, headers={"xero-tenant-id": TENANT})

    asyncio.run(run())
    assert checker.exchanges_checked == 2
    assert [str(v) for v in checker.violations] == [
        "request GET /Invoices: ?nope: unknown query parameter 'nope' (declared: ContactIDs, IDs, InvoiceNumbers, "
        "Statuses, createdByMyApp, includeArchived, order, page, pageSize, searchTerm, summaryOnly, unitdp, where)"
    ]


def test_concurrent_exchanges_share_one_collector(fake: FakeXero) -> None:
    checker = xero_contract_checker()
    transport = checker.transport(httpx.MockTransport(fake))
    with httpx.Client(transport=transport, base_url=BASE_URL) as client:
        def call(i: int) -> int:
            params = {"page": i} if i % 2 else {"page": i, "bad": i}
            return client.get("/api.xro/2.0/Invoices", params=params, headers={"xero-tenant-id": TENANT}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(call, range(40))) == {200}
    assert checker.exchanges_checked == 40
    assert len(checker.violations) == 20


def test_sandbox_mounted_under_another_prefix(fake: FakeXero) -> None:
    checker = xero_contract_checker(path_prefix="/xero/api.xro/2.0")
    with httpx.Client(transport=checker.transport(httpx.MockTransport(fake)), base_url=BASE_URL) as client:
        client.get("/xero/api.xro/2.0/Invoices", headers={"xero-tenant-id": TENANT})
    checker.assert_clean(require_traffic=True)


def test_fixture_and_require_traffic(xero_contract: XeroContractChecker, fake: FakeXero) -> None:
    with pytest.raises(AssertionError, match="saw no traffic"):
        xero_contract.assert_clean(require_traffic=True)
    with httpx.Client(transport=xero_contract.transport(httpx.MockTransport(fake)), base_url=BASE_URL) as client:
        client.get("/connections")
    assert xero_contract.exchanges_checked == 1  # teardown asserts it is clean
