"""The cross-cutting behaviour in front of every route: idempotency, rate limits, faults and call counts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import create_invoice, invoice, put_invoices


def test_idempotency_key_replays_the_first_response_without_writing_again(api: httpx.Client) -> None:
    key = {"Idempotency-Key": "export-batch-42"}
    first = put_invoices(api, invoice("Acme Ltd", type_="ACCPAY", InvoiceNumber="BILL-1",
                                      lines=[{"Description": "x", "Quantity": 1, "UnitAmount": 5,
                                              "AccountCode": "300"}]), headers=key)
    second = put_invoices(api, invoice("Acme Ltd", type_="ACCPAY", InvoiceNumber="BILL-1",
                                       lines=[{"Description": "x", "Quantity": 1, "UnitAmount": 5,
                                               "AccountCode": "300"}]), headers=key)
    assert second.status_code == first.status_code == 200
    assert second.content == first.content, "the stored body is replayed byte for byte"
    assert second.headers["idempotent-replayed"] == "true"
    assert len(api.get("/Invoices").json()["Invoices"]) == 1, "bill numbers may repeat, so only the key saved us"

    other_key = put_invoices(api, invoice(type_="ACCPAY", InvoiceNumber="BILL-1",
                                          lines=[{"Description": "x", "Quantity": 1, "UnitAmount": 5,
                                                  "AccountCode": "300"}]), headers={"Idempotency-Key": "another"})
    assert other_key.json()["Invoices"][0]["InvoiceID"] != first.json()["Invoices"][0]["InvoiceID"]


def test_idempotency_keys_are_scoped_to_the_path(api: httpx.Client) -> None:
    key = {"Idempotency-Key": "same-key"}
    api.put("/Contacts", json={"Contacts": [{"Name": "Keyed"}]}, headers=key).raise_for_status()
    response = put_invoices(api, invoice(), headers=key)
    assert "Invoices" in response.json()


def test_idempotency_key_over_128_characters_is_refused(api: httpx.Client) -> None:
    response = put_invoices(api, invoice(), headers={"Idempotency-Key": "k" * 129})
    assert response.status_code == 400
    assert api.get("/Invoices").json()["Invoices"] == []
    assert put_invoices(api, invoice(), headers={"Idempotency-Key": "k" * 128}).status_code == 200


def test_rate_limit_headers_and_minute_limit(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/rate-limits", json={"enabled": True, "per_minute": 3, "reset_windows": True}).raise_for_status()
    answers = [api.get("/Organisation") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["x-minlimit-remaining"] for r in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["x-daylimit-remaining"] == "4999"
    assert "x-appminlimit-remaining" in answers[0].headers
    refused = answers[3]
    assert refused.headers["x-rate-limit-problem"] == "minute"
    assert 1 <= int(refused.headers["retry-after"]) <= 60

    admin.post("/clock", json={"advance_seconds": 61}).raise_for_status()
    assert api.get("/Organisation").status_code == 200, "the window resets after a minute"


def test_day_limit(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/rate-limits", json={"enabled": True, "per_day": 2, "reset_windows": True}).raise_for_status()
    assert [api.get("/Currencies").status_code for _ in range(3)] == [200, 200, 429]
    refused = api.get("/Currencies")
    assert refused.headers["x-rate-limit-problem"] == "day"
    assert int(refused.headers["retry-after"]) > 3600


def test_concurrent_limit(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/rate-limits", json={"enabled": True, "concurrent": 2, "reset_windows": True}).raise_for_status()
    admin.post("/faults", json={"latency_ms": 300}).raise_for_status()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: api.get("/Organisation"), range(4)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200, 200, 429, 429]
    assert {r.headers.get("x-rate-limit-problem") for r in answers if r.status_code == 429} == {"concurrent"}


def test_limits_off_still_report_remaining_calls(api: httpx.Client) -> None:
    answers = [api.get("/Organisation") for _ in range(3)]
    assert all(r.status_code == 200 for r in answers)
    assert int(answers[2].headers["x-minlimit-remaining"]) == int(answers[0].headers["x-minlimit-remaining"]) - 2


def test_fail_with_status_fault(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/faults", json={"fail_with_status": 503, "count": 2}).raise_for_status()
    statuses = [put_invoices(api, invoice()).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert len(api.get("/Invoices").json()["Invoices"]) == 1, "failed calls did nothing"


def test_rate_limit_storm_fault(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/faults", json={"rate_limit_storm": 1}).raise_for_status()
    stormed = api.get("/Organisation")
    assert stormed.status_code == 429 and stormed.headers["retry-after"] == "1"
    assert stormed.headers["x-rate-limit-problem"] == "minute"
    assert api.get("/Organisation").status_code == 200


def test_dropped_response_after_commit_then_idempotent_retry(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/faults", json={"drop_response_after_commit": 1}).raise_for_status()
    key = {"Idempotency-Key": "retry-me"}
    with pytest.raises(httpx.TransportError):
        put_invoices(api, invoice(Reference="lost answer"), headers=key)
    saved = api.get("/Invoices").json()["Invoices"]
    assert [i["Reference"] for i in saved] == ["lost answer"], "the write committed"
    retry = put_invoices(api, invoice(Reference="lost answer"), headers=key)
    assert retry.status_code == 200
    assert retry.json()["Invoices"][0]["InvoiceID"] == saved[0]["InvoiceID"]
    assert len(api.get("/Invoices").json()["Invoices"]) == 1


def test_unknown_fault_is_refused(admin: httpx.Client) -> None:
    assert admin.post("/faults", json={"explode": 1}).status_code == 400


def test_stats_count_calls_by_route(api: httpx.Client, admin: httpx.Client) -> None:
    create_invoice(api)
    create_invoice(api)
    invoice_id = api.get("/Invoices").json()["Invoices"][0]["InvoiceID"]
    api.get(f"/Invoices/{invoice_id}")
    stats = admin.get("/stats").json()
    assert stats["calls"]["PUT /api.xro/2.0/Invoices"] == 2
    assert stats["calls"]["GET /api.xro/2.0/Invoices"] == 1
    assert stats["calls"]["GET /api.xro/2.0/Invoices/{InvoiceID}"] == 1
    assert stats["accounting_total"] == 4
    assert not any(key.startswith(("GET /sandbox", "POST /sandbox")) for key in stats["calls"])


def test_reset_empties_the_books(api: httpx.Client, admin: httpx.Client) -> None:
    create_invoice(api)
    admin.post("/reset").raise_for_status()
    assert api.get("/Invoices").json()["Invoices"] == []
    assert api.get("/Contacts").json()["Contacts"] == []
    assert len(api.get("/Accounts").json()["Accounts"]) > 10, "the seed chart comes back"
