"""retry: one place decides retry or not, how long, and the failure type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from ledgerbridge.connectors.retry import (
    RetryPolicy,
    backoff_delay,
    classify_exception,
    classify_response,
    parse_retry_after,
)


def test_success() -> None:
    decision = classify_response(200, {}, "")
    assert decision.ok and not decision.retry and decision.failure_type is None


def test_429_waits_exactly_retry_after() -> None:
    decision = classify_response(429, {"Retry-After": "17"}, "", rate_limit_problem="minute")
    assert decision.retry and decision.delay_seconds == 17 and decision.failure_type == "retriable"
    assert decision.rate_limit == "minute"


def test_429_http_date_retry_after() -> None:
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert classify_response(429, {"retry-after": header}, "", now=now).delay_seconds == pytest.approx(42)


def test_429_day_limit_is_retriable_but_too_long_to_sleep_through() -> None:
    decision = classify_response(429, {"Retry-After": "20000"}, "", rate_limit_problem="day")
    assert decision.retry and decision.failure_type == "retriable" and decision.rate_limit == "day"
    assert decision.delay_seconds == 20000 and decision.exceeds(RetryPolicy().max_wait)
    assert "daily" in decision.reason


def test_429_without_retry_after_uses_a_default() -> None:
    assert classify_response(429, {}, "").delay_seconds == RetryPolicy().default_rate_limit_delay


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_backs_off_exponentially_with_jitter(status: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30)
    delays = [classify_response(status, {}, "", attempt=a, policy=policy, rng=lambda: 1.0).delay_seconds
              for a in range(1, 5)]
    assert delays == [0.5, 1.0, 2.0, 4.0]
    low = classify_response(status, {}, "", attempt=1, policy=policy, rng=lambda: 0.0)
    assert low.delay_seconds == 0.25 and low.retry and low.failure_type == "retriable"


def test_backoff_is_capped() -> None:
    assert backoff_delay(30, RetryPolicy(base_delay=0.5, max_delay=30), rng=lambda: 1.0) == 30


def test_503_honours_retry_after_and_says_offline() -> None:
    decision = classify_response(503, {"Retry-After": "3"}, "The Organisation is offline")
    assert decision.delay_seconds == 3 and "offline" in decision.reason


def test_attempts_run_out() -> None:
    decision = classify_response(503, {}, "", attempt=5, policy=RetryPolicy(max_attempts=5))
    assert not decision.retry and decision.failure_type == "retriable" and "5 attempts" in decision.reason


def test_401_refreshes_once_then_is_config() -> None:
    first = classify_response(401, {}, "", can_refresh=True)
    assert first.retry and first.refresh_then_retry and first.delay_seconds == 0
    second = classify_response(401, {}, "", can_refresh=False)
    assert not second.retry and second.failure_type == "config" and "connect again" in second.reason


@pytest.mark.parametrize(("status", "kind"), [(403, "config"), (412, "config"), (400, "data"), (404, "data"),
                                               (413, "data"), (501, "system"), (418, "system")])
def test_the_rest(status: int, kind: str) -> None:
    decision = classify_response(status, {}, "")
    assert not decision.retry and decision.failure_type == kind


def test_timeouts_and_transport_errors_are_retriable() -> None:
    request = httpx.Request("GET", "https://api.xero.com/x")
    for exc in (httpx.ReadTimeout("slow", request=request), httpx.ConnectError("refused", request=request),
                httpx.RemoteProtocolError("dropped", request=request)):
        decision = classify_exception(exc, attempt=1)
        assert decision.retry and decision.failure_type == "retriable" and decision.delay_seconds > 0
    assert not classify_exception(httpx.ReadTimeout("slow", request=request), attempt=5).retry


def test_a_wrong_address_is_config_and_a_bug_is_system() -> None:
    assert classify_exception(httpx.UnsupportedProtocol("ftp")).failure_type == "config"
    decision = classify_exception(KeyError("x"))
    assert decision.failure_type == "system" and not decision.retry


def test_parse_retry_after_rejects_garbage() -> None:
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None and parse_retry_after("-3") == 0
