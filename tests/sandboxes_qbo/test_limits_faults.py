"""Throttling (429 ThrottleExceeded per realm) and injected faults: 5xx, 429 storms, a response dropped after the
write committed, call statistics and reset."""

from __future__ import annotations

import httpx
import pytest

from ledgerbridge.packages.qbo.sandbox import RunningSandbox

from .conftest import REALM, create_customer, fault, ok


def _count(qbo: httpx.Client, name: str) -> int:
    page = ok(qbo.get("/query", params={"query": f"SELECT COUNT(*) FROM Customer WHERE DisplayName = '{name}'"}),
              "QueryResponse")
    return int(page["totalCount"])


def test_per_minute_limit_gives_429(qbo: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/rate-limits", json={"enabled": True, "per_minute": 3, "reset_windows": True}).raise_for_status()
    statuses = [qbo.get("/companyinfo/" + qbo.base_url.path.rstrip("/").rsplit("/", 1)[-1]).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = qbo.get("/preferences")
    assert response.status_code == 429 and "intuit_tid" in response.headers
    error = response.json()["fault"]["error"][0]
    assert error["code"] == "3001" and "ThrottleExceeded" in error["message"]
    admin.post("/clock", json={"advance_seconds": 61}).raise_for_status()
    assert qbo.get("/preferences").status_code == 200


def test_per_second_and_batch_limits(qbo: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/rate-limits", json={"enabled": True, "per_second": 2, "reset_windows": True}).raise_for_status()
    assert [qbo.get("/preferences").status_code for _ in range(3)] == [200, 200, 429]
    admin.post("/rate-limits", json={"per_second": 100, "batch_per_minute": 1,
                                     "reset_windows": True}).raise_for_status()
    batch = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Account"}]}
    assert qbo.post("/batch", json=batch).status_code == 200
    assert qbo.post("/batch", json=batch).status_code == 429
    assert qbo.get("/preferences").status_code == 200


def test_another_app_has_its_own_second_but_shares_the_realms_minute(
        qbo: httpx.Client, admin: httpx.Client, sandbox: RunningSandbox) -> None:
    """10 a second is per realm and app (qbo.md section 16): a second app on the company (the demo's bookkeeper)
    is not refused for our app's calls of that second; 500 a minute is per realm, so its calls count there."""
    admin.post("/rate-limits", json={"enabled": True, "per_second": 2, "per_minute": 5,
                                     "reset_windows": True}).raise_for_status()
    grant = httpx.post(f"{sandbox.base_url}/sandbox/tokens", json={"app": "another-app"}).raise_for_status().json()
    other = {"Authorization": f"Bearer {grant['access_token']}", "Accept": "application/json"}
    ours = [qbo.get("/preferences").status_code for _ in range(3)]
    theirs = [httpx.get(f"{sandbox.company_url(REALM)}/preferences", headers=other).status_code for _ in range(3)]
    assert (ours, theirs) == ([200, 200, 429], [200, 200, 429])
    admin.post("/clock", json={"advance_seconds": 2}).raise_for_status()
    assert [qbo.get("/preferences").status_code for _ in range(2)] == [200, 429]  # the realm's 5th, then 6th


def test_fail_with_status_then_recover(qbo: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/faults", json={"fail_with_status": 503, "count": 2}).raise_for_status()
    first, second = qbo.get("/preferences"), qbo.get("/preferences")
    assert first.status_code == second.status_code == 503
    assert first.json()["Fault"]["type"] == "SystemFault"
    assert qbo.get("/preferences").status_code == 200


def test_rate_limit_storm(qbo: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/faults", json={"rate_limit_storm": 1}).raise_for_status()
    assert qbo.get("/preferences").status_code == 429
    assert qbo.get("/preferences").status_code == 200


def test_dropped_response_after_commit(qbo: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/faults", json={"drop_response_after_commit": 1}).raise_for_status()
    with pytest.raises(httpx.TransportError):
        qbo.post("/customer", params={"requestid": "drop-1"}, json={"DisplayName": "Ghost Ltd"})
    assert _count(qbo, "Ghost Ltd") == 1, "the write committed although the client never heard"
    retried = qbo.post("/customer", params={"requestid": "drop-1"}, json={"DisplayName": "Ghost Ltd"})
    assert retried.status_code == 200 and retried.json()["Customer"]["DisplayName"] == "Ghost Ltd"
    assert _count(qbo, "Ghost Ltd") == 1


def test_unknown_fault_is_refused_and_stats_count_calls(qbo: httpx.Client, admin: httpx.Client) -> None:
    assert admin.post("/faults", json={"explode": 1}).status_code == 400
    create_customer(qbo, "Counted")
    qbo.get("/customer/101")
    calls = admin.get("/stats").json()["calls"]
    assert calls["POST /v3/company/{realmId}/customer"] == 1
    assert calls["GET /v3/company/{realmId}/customer/{id}"] == 1
    admin.post("/reset").raise_for_status()
    assert admin.get("/stats").json()["total"] == 0
    assert fault(qbo.get("/customer/101"))["code"] == "610"


def test_concurrent_limit(qbo: httpx.Client, admin: httpx.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    admin.post("/rate-limits", json={"enabled": True, "concurrent": 2, "reset_windows": True}).raise_for_status()
    admin.post("/faults", json={"latency_ms": 300}).raise_for_status()
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(lambda _: qbo.get("/preferences").status_code, range(4)))
    assert statuses.count(429) >= 1 and statuses.count(200) >= 2
