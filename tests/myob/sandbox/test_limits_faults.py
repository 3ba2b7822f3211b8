"""MYOB's rate limit per API key across businesses (403 RateLimitError, JSON), and injected faults: 504, storms,
an answer lost after the write."""

from __future__ import annotations

import httpx
import pytest

from ledgerbridge.packages.myob.sandbox import NZ_BUSINESS_ID, RunningSandbox

from .conftest import AU, Books, client_for


def test_eight_calls_a_second_per_key_counted_across_businesses(sandbox: RunningSandbox,
                                                               admin: httpx.Client) -> None:
    admin.post("/rate-limits", json={"enabled": True, "per_second": 8, "reset_windows": True}).raise_for_status()
    with client_for(sandbox, admin, AU) as au, client_for(sandbox, admin, NZ_BUSINESS_ID) as nz:
        statuses = [(au if i % 2 else nz).get("GeneralLedger/TaxCode").status_code for i in range(8)]
        assert statuses == [200] * 8
        refused = au.get("GeneralLedger/TaxCode")
        assert refused.status_code == 403
        error = refused.json()["Errors"][0]
        assert (error["Name"], error["Message"]) == ("RateLimitError",
                                                     "API key has exceeded the per-second rate limit")
        assert nz.get("GeneralLedger/TaxCode").status_code == 403  # the other business shares the key's budget
        admin.post("/clock", json={"advance_seconds": 1.01})
        assert au.get("GeneralLedger/TaxCode").status_code == 200
    assert admin.get("/rate-limits").json()["refused"] == 2


def test_the_daily_limit_and_switching_limits_off(sandbox: RunningSandbox, admin: httpx.Client) -> None:
    admin.post("/rate-limits", json={"enabled": True, "per_day": 3, "reset_windows": True})
    with client_for(sandbox, admin) as api:
        assert [api.get("Contact").status_code for _ in range(3)] == [200] * 3
        daily = api.get("Contact")
        assert daily.status_code == 403 and "daily" in daily.json()["Errors"][0]["Message"]
        admin.post("/rate-limits", json={"enabled": False})
        assert api.get("Contact").status_code == 200


def test_injected_gateway_timeouts_and_storms(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/faults", json={"fail_with_status": 504, "count": 2}).raise_for_status()
    first, second, third = (api.get("Contact") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (504, 504, 200)
    assert first.json()["Errors"][0]["Name"] == "GatewayTimeout"
    admin.post("/faults", json={"rate_limit_storm": 1, "fail_with_status": 503})
    assert api.get("Contact").status_code == 503
    assert api.get("Contact").json()["Errors"][0]["Name"] == "RateLimitError"
    assert api.get("Contact").status_code == 200


def test_an_answer_lost_after_the_write_leaves_the_record_in_myob(api: httpx.Client, books: Books,
                                                                  admin: httpx.Client) -> None:
    customer = books.customer()
    admin.post("/faults", json={"drop_response_after_commit": 1}).raise_for_status()
    with pytest.raises(httpx.TransportError):
        books.invoice(customer, "75")
    found = api.get("Sale/Invoice/Service", params={"$filter": f"Customer/UID eq guid'{customer['UID']}'"}).json()
    assert found["Count"] == 1 and found["Items"][0]["TotalAmount"] == 82.5
    stats = admin.get("/stats").json()
    assert stats["calls"]["POST /accountright/{businessId}/Sale/Invoice/Service"] == 1
    assert stats["api_total"] == sum(n for k, n in stats["calls"].items() if " /accountright" in k)
