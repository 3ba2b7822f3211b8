"""XeroClient against a loopback Xero: headers, retries, refresh on 401, budget, audit, health."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from ledgerbridge.connectors.budget import BudgetExhausted
from ledgerbridge.packages.xero.client import PackageCallError, XeroClient, decode_json, encode_json, health
from ledgerbridge.packages.xero.limits import XERO_LIMITS
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.models.sync import AuditEvent, Connection
from tests.fake_clock import FakeClock

from .conftest import Db, add_connection, connected
from .loopback_xero import CLIENT_SECRET, LoopbackXero


def make_client(db: Db, conn_id: int, clock: FakeClock, **kw: object) -> XeroClient:
    return XeroClient(db.sessions, conn_id, clock=clock, sleep=clock.sleep, **kw)  # type: ignore[arg-type]


def db_bytes(db: Db) -> bytes:
    return b"".join(p.read_bytes() for p in db.path.parent.glob(db.path.name + "*"))


def test_headers_and_exact_decimals(db: Db, xero: LoopbackXero, connection: tuple[int, dict]) -> None:
    conn_id, tokens = connection
    body = {"Invoices": [{"InvoiceNumber": "INV-1", "Date": date(2026, 7, 1),
                          "LineItems": [{"Quantity": Decimal("3"), "UnitAmount": Decimal("19.99"),
                                         "TaxAmount": Decimal("0.0001"), "Discount": Decimal("-0.50")}]}]}
    with make_client(db, conn_id, FakeClock()) as client:
        client.request("PUT", "/Invoices", params={"summarizeErrors": "false"}, json_body=body,
                       idempotency_key="batch-42", purpose="export invoices")
        client.request("GET", "/Payments", if_modified_since=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    put, get = xero.api_calls
    assert put.method == "PUT" and put.path == "/api.xro/2.0/Invoices" and put.query == {"summarizeErrors": ["false"]}
    assert put.headers["authorization"] == f"Bearer {tokens['access_token']}"
    assert put.headers["xero-tenant-id"] == "tenant-111"
    assert put.headers["accept"] == "application/json" and put.headers["content-type"] == "application/json"
    assert put.headers["idempotency-key"] == "batch-42"
    assert b'"Quantity":3,"UnitAmount":19.99,"TaxAmount":0.0001,"Discount":-0.50' in put.body
    assert b'"Date":"2026-07-01"' in put.body
    assert get.headers["if-modified-since"] == "2026-07-01T12:00:00+00:00" and "idempotency-key" not in get.headers


def test_json_codec_never_goes_through_float() -> None:
    assert encode_json({"a": Decimal("0.1"), "b": Decimal("1E+2")}) == b'{"a":0.1,"b":100}'
    assert decode_json(b'{"a": 0.1}')["a"] == Decimal("0.1")
    with pytest.raises(ValueError):
        encode_json({"a": Decimal("NaN")})
    assert json.loads(encode_json({"s": "\ue000 not a number"})) == {"s": "\ue000 not a number"}


def test_429_waits_what_retry_after_says(db: Db, xero: LoopbackXero, connection: tuple[int, dict]) -> None:
    xero.api_script.append((429, {"Retry-After": "7", "X-Rate-Limit-Problem": "minute"}, {"Title": "Too many"}))
    clock = FakeClock()
    with make_client(db, connection[0], clock) as client:
        assert client.request("GET", "/Contacts").status_code == 200
    assert clock.sleeps == [7.0] and len(xero.api_calls) == 2


def test_503_is_retried_with_the_same_idempotency_key(db: Db, xero: LoopbackXero,
                                                      connection: tuple[int, dict]) -> None:
    xero.api_script.append((503, {}, {"Message": "The Organisation is offline"}))
    clock = FakeClock()
    with make_client(db, connection[0], clock) as client:
        client.request("PUT", "/Invoices", json_body={"Invoices": []}, idempotency_key="batch-7")
        client.request("POST", "/Contacts", json_body={"Contacts": []})  # no key given: one is made up
    first, second, third = xero.api_calls
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"] == "batch-7"
    assert third.headers.get("idempotency-key")
    assert len(clock.sleeps) == 1 and 0.25 <= clock.sleeps[0] <= 0.5


def test_401_refreshes_once_and_retries(db: Db, xero: LoopbackXero, connection: tuple[int, dict]) -> None:
    conn_id, tokens = connection
    del xero.access_tokens[tokens["access_token"]]  # Xero stopped accepting our (unexpired) access token
    with make_client(db, conn_id, FakeClock()) as client:
        assert client.request("GET", "/Items").status_code == 200
        del xero.access_tokens[xero.api_calls[-1].headers["authorization"].removeprefix("Bearer ")]
        xero.refresh_grace = 0
        xero.refresh_tokens.clear()  # and now the refresh is refused too: a config failure, not a loop
        with pytest.raises(PackageCallError) as info:
            client.request("GET", "/Items")
    assert len(xero.refresh_calls()) == 2
    assert info.value.decision.failure_type == "config" and not info.value.sent
    assert "disconnect and connect again" in str(info.value)


def test_retries_run_out(db: Db, xero: LoopbackXero, connection: tuple[int, dict]) -> None:
    xero.api_script.extend([(503, {}, "busy")] * 3)
    clock = FakeClock()
    with make_client(db, connection[0], clock, max_attempts=3) as client, \
            pytest.raises(PackageCallError) as info:
        client.request("GET", "/Invoices", purpose="read back")
    err = info.value
    assert err.status == 503 and err.decision.failure_type == "retriable" and not err.decision.retry
    assert len(xero.api_calls) == 3 and len(clock.sleeps) == 2 and "read back" in err.request_summary
    with db.sessions() as session:
        row = session.get_one(Connection, connection[0])
        assert "[retriable]" in row.last_error and row.last_error_at is not None


def test_validation_errors_are_data_and_not_retried(db: Db, xero: LoopbackXero,
                                                    connection: tuple[int, dict]) -> None:
    xero.api_script.append((400, {}, {"ErrorNumber": 10, "Type": "ValidationException",
                                      "Message": "A validation exception occurred"}))
    with make_client(db, connection[0], FakeClock()) as client, pytest.raises(PackageCallError) as info:
        client.request("PUT", "/Invoices", json_body={"Invoices": [{}]}, idempotency_key="k")
    assert info.value.decision.failure_type == "data" and info.value.status == 400
    assert "ValidationException" in info.value.body and len(xero.api_calls) == 1
    with db.sessions() as session:
        (event,) = session.query(AuditEvent).all()
        assert event.outcome == "failed" and "ValidationException" in event.response


def test_the_day_limit_stops_the_run_instead_of_sleeping(db: Db, xero: LoopbackXero,
                                                         connection: tuple[int, dict]) -> None:
    xero.api_script.append((429, {"Retry-After": "30000", "X-Rate-Limit-Problem": "day"}, {}))
    clock = FakeClock()
    with make_client(db, connection[0], clock) as client:
        with pytest.raises(BudgetExhausted) as spent:
            client.request("GET", "/Invoices")
        assert spent.value.until == datetime.fromtimestamp(clock.now + 30000, UTC)
        with pytest.raises(BudgetExhausted) as again:  # and the budget now refuses before sending
            client.request("GET", "/Invoices")
        assert again.value.until == spent.value.until
    assert clock.sleeps == [] and len(xero.api_calls) == 1
    with db.sessions() as session:
        assert "daily call limit" in session.get_one(Connection, connection[0]).last_error


def test_secrets_never_reach_audit_rows_errors_or_the_database(db: Db, xero: LoopbackXero,
                                                               connection: tuple[int, dict]) -> None:
    conn_id, tokens = connection
    leak = f"token {tokens['access_token']} refresh {tokens['refresh_token']} secret {CLIENT_SECRET}"
    xero.api_script.append((200, {}, {"Status": "OK", "Note": leak, "access_token": tokens["access_token"]}))
    xero.api_script.append((400, {}, {"Message": leak}))
    with make_client(db, conn_id, FakeClock()) as client:
        client.request("POST", "/Contacts", json_body={"Contacts": [{"Name": leak, "client_secret": CLIENT_SECRET}]})
        with pytest.raises(PackageCallError) as info:
            client.request("PUT", "/Invoices", json_body={"Invoices": [{"Reference": leak}]})
    secrets = [tokens["access_token"], tokens["refresh_token"], CLIENT_SECRET]
    assert not [s for s in secrets if s in str(info.value) or s in (info.value.body or "")]
    with db.sessions() as session:
        events = session.query(AuditEvent).all()
        row = session.get_one(Connection, conn_id)
    assert len(events) == 2
    text = " ".join(f"{e.request} {e.response} {e.detail}" for e in events) + (row.last_error or "")
    assert "[REDACTED]" in text and not [s for s in secrets if s in text]
    raw = db_bytes(db)
    assert not [s for s in secrets if s.encode() in raw]


def test_audit_rows_are_batched_and_reads_are_not_audited(db: Db, xero: LoopbackXero,
                                                          connection: tuple[int, dict]) -> None:
    clock = FakeClock()
    client = make_client(db, connection[0], clock)
    for n in range(10):
        client.request("PUT", "/Invoices", json_body={"Invoices": [{"InvoiceNumber": f"INV-{n}"}]})
    client.request("GET", "/Invoices")
    with db.sessions() as session:
        assert session.query(AuditEvent).count() == 0  # not written yet: no second has passed
    client.close()
    with db.sessions() as session:
        events = session.query(AuditEvent).order_by(AuditEvent.id).all()
        row = session.get_one(Connection, connection[0])
    assert len(events) == 10 and all(e.outcome == "ok" for e in events)
    assert events[0].action == "xero PUT /Invoices" and '"INV-0"' in events[0].request
    assert row.last_success_at is not None and row.calls_left_minute == 60 - 11


def test_health(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id, _ = connected(db, xero, cipher)
    with make_client(db, conn_id, FakeClock()) as client:
        client.request("GET", "/Organisation")
    now = datetime.now(UTC)
    with db.sessions() as session:
        row = session.get_one(Connection, conn_id)
        row.refresh_obtained_at = now - timedelta(days=55)
        report = health(session, row, now=now)
    assert report["status"] == "connected" and 0 < report["access_token_expires_in_seconds"] <= 1800
    assert report["last_success_at"] is not None and report["calls_left_minute"] == 59
    assert report["calls_left_day"] == 4999 and report["refresh_token_age_days"] == 55
    assert any("55 days" in w for w in report["warnings"])


def test_a_connection_not_yet_connected_fails_before_sending(db: Db, xero: LoopbackXero,
                                                             cipher: TokenCipher) -> None:
    conn_id = add_connection(db, xero.base_url, cipher)
    with make_client(db, conn_id, FakeClock()) as client, pytest.raises(PackageCallError) as info:
        client.request("GET", "/Invoices")
    assert info.value.decision.failure_type == "config" and not info.value.sent and xero.api_calls == []


def test_many_writes_each_leave_one_audit_row(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    """200 writes of 50 invoices through an in-memory transport; the cost per call is a benchmark's business
    (``ledgerbridge bench``), not a test's: a timed test on a shared machine proves nothing."""
    conn_id, _ = connected(db, xero, cipher)
    lines = [{"Description": "Widget", "Quantity": Decimal("2"), "UnitAmount": Decimal("19.99"),
              "AccountCode": "200", "TaxType": "OUTPUT2", "LineAmount": Decimal("39.98")} for _ in range(3)]
    invoices = [{"Type": "ACCREC", "Contact": {"ContactID": "c-1"}, "InvoiceNumber": f"INV-{n}",
                 "Date": "2026-07-01", "LineItems": lines} for n in range(50)]
    answer = json.dumps({"Invoices": [{**inv, "InvoiceID": f"id-{n}", "Total": 47.98, "LineItems": []}
                                      for n, inv in enumerate(invoices)], "Status": "OK"}, default=str).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(
        200, content=answer, headers={"X-MinLimit-Remaining": "59", "X-DayLimit-Remaining": "4000"}))
    from ledgerbridge.connectors.budget import CallBudget

    client = XeroClient(db.sessions, conn_id, transport=transport,
                        budget=CallBudget(conn_id, XERO_LIMITS, unlimited=True))
    client.request("PUT", "/Invoices", json_body={"Invoices": invoices})
    for n in range(200):
        client.request("PUT", "/Invoices", params={"summarizeErrors": "false"}, json_body={"Invoices": invoices},
                       idempotency_key=f"batch-{n}")
    client.close()
    with db.sessions() as session:
        assert session.query(AuditEvent).count() == 201


def test_a_write_that_never_got_an_answer_is_flagged_outcome_unknown(db: Db, xero: LoopbackXero,
                                                                    connection: tuple[int, dict]) -> None:
    def no_answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    clock = FakeClock()
    client = make_client(db, connection[0], clock, transport=httpx.MockTransport(no_answer), max_attempts=2)
    with pytest.raises(PackageCallError) as write:
        client.request("PUT", "/Invoices", json_body={"Invoices": []}, idempotency_key="k-1")
    with pytest.raises(PackageCallError) as read:
        client.request("GET", "/Invoices")
    client.close()
    assert write.value.outcome_unknown and write.value.status is None and write.value.sent
    assert write.value.decision.failure_type == "retriable" and not read.value.outcome_unknown
    assert len(clock.sleeps) == 2
