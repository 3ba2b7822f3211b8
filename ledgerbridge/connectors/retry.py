"""One place that decides whether a package call is retried, how long to wait, and whose fault it is.

Every outcome of a call to an accounting package, an HTTP status or a network exception, becomes a
:class:`RetryDecision`: retry or not, the delay, and a failure type the user can act on (R-E10):

* ``retriable``: rate limits, 5xx, timeouts. Retried with backoff, shown only once retries are spent;
* ``config``: the connection or a setting must be fixed (401 that a refresh cannot cure, 403, 412);
* ``data``: the package refused the record's content (400 validation, 404, 413);
* ``system``: the package refused for its own reasons, or something we did not foresee.

Keeping this in one module (as procrastinate's ``RetryStrategy`` and the Singer SDK's
``validate_response`` do) means the client, the exporter and the importer cannot disagree on what a
429 means. Backoff is exponential with jitter (base 0.5 s, cap 30 s); a 429 waits exactly as long
as the package's ``Retry-After`` says, never less. A 429 for the *day* limit is still "retriable", but
its delay can be hours: the caller compares ``delay_seconds`` with what it is willing to wait and stops
the run instead of sleeping (``RetryDecision.exceeds(policy.max_wait)``).

Hand-written rather than ``tenacity``/``backoff``/urllib3's ``Retry``: those decide *whether* to retry
from exception types or status lists, while we need the decision as data (to store, show and test), and
urllib3's silent retries of 429 are exactly what fights our call budget.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import httpx

__all__ = [
    "DEFAULT_POLICY",
    "FailureKind",
    "RetryDecision",
    "RetryPolicy",
    "backoff_delay",
    "classify_exception",
    "classify_response",
    "parse_retry_after",
]

FailureKind = Literal["retriable", "config", "data", "system"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: A wait longer than this is not slept through: the caller stops and shows it (e.g. the day limit).
    max_wait: float = 120.0
    #: When a 429 carries no ``Retry-After``.
    default_rate_limit_delay: float = 60.0


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """What to do after one attempt. ``failure_type`` is ``None`` only for a success."""

    retry: bool
    delay_seconds: float
    failure_type: FailureKind | None
    reason: str
    #: Set for a 429: which limit the package says was hit ("minute", "day", "concurrent", "app").
    rate_limit: str | None = None
    #: A 401 that a token refresh may cure: refresh, then retry at once.
    refresh_then_retry: bool = False

    @property
    def ok(self) -> bool:
        return self.failure_type is None

    def exceeds(self, max_wait: float) -> bool:
        """True when the wait is longer than the caller should sleep through (the day limit, usually)."""
        return self.retry and self.delay_seconds > max_wait


SUCCESS = RetryDecision(retry=False, delay_seconds=0.0, failure_type=None, reason="ok")


def backoff_delay(attempt: int, policy: RetryPolicy = DEFAULT_POLICY,
                  rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with "equal jitter" for the wait after attempt ``attempt`` (1-based)."""
    ceiling = min(policy.max_delay, policy.base_delay * float(2 ** max(attempt - 1, 0)))
    # Never below half the ceiling, so a retry storm still spreads but is not instantaneous.
    return ceiling / 2 + rng() * ceiling / 2


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None and not isinstance(headers, httpx.Headers):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _retriable(attempt: int, policy: RetryPolicy, delay: float, reason: str, *,
               rate_limit: str | None = None) -> RetryDecision:
    if attempt >= policy.max_attempts:
        return RetryDecision(False, 0.0, "retriable", f"{reason}; gave up after {attempt} attempts",
                             rate_limit=rate_limit)
    return RetryDecision(True, delay, "retriable", reason, rate_limit=rate_limit)


def classify_response(status: int, headers: Mapping[str, str], body: str = "", *, attempt: int = 1,
                      policy: RetryPolicy = DEFAULT_POLICY, can_refresh: bool = False,
                      rng: Callable[[], float] = random.random, now: datetime | None = None,
                      rate_limit_problem: str | None = None) -> RetryDecision:
    """Decide what to do after a response with ``status`` on attempt number ``attempt`` (1-based).

    ``rate_limit_problem`` is which limit a 429 says was hit ("minute", "day"...), as the package's spec read it
    from the answer (:class:`~ledgerbridge.connectors.limits.LimitReading`); None when the package does not say."""
    if status < 400:
        return SUCCESS
    if status == 429:
        problem = (rate_limit_problem or "").strip().lower() or None
        wait = parse_retry_after(_header(headers, "Retry-After"), now=now)
        if wait is None:
            wait = policy.default_rate_limit_delay
        reason = f"rate limit reached ({problem or 'unspecified'} limit); retry after {wait:g} s"
        if problem == "day":
            reason = f"the package's daily call limit is used up; it resets in {wait:g} s"
        return _retriable(attempt, policy, wait, reason, rate_limit=problem)
    if status == 401:
        if can_refresh:
            return RetryDecision(True, 0.0, "retriable", "access token refused; refreshing it once",
                                 refresh_then_retry=True)
        return RetryDecision(False, 0.0, "config",
                             "the package refused our credentials (401): disconnect and connect again")
    if status == 403:
        return RetryDecision(False, 0.0, "config",
                             "the package denied access (403): check the connection's scopes and the user's role")
    if status == 412:
        return RetryDecision(False, 0.0, "config", "the package refused a precondition (412)")
    if status in (400, 404, 409, 413, 422):
        what = {400: "refused the request (validation)", 404: "has no such record (404)",
                409: "reports a conflict (409)", 413: "found the request too large (413)",
                422: "could not process the record (422)"}[status]
        return RetryDecision(False, 0.0, "data", f"the package {what}")
    if status >= 500 and status != 501:
        offline = "offline" in body.lower() if body else False
        reason = f"the package is unavailable ({status}{', organisation offline' if offline else ''})"
        wait = parse_retry_after(_header(headers, "Retry-After"), now=now)
        delay = wait if wait is not None else backoff_delay(attempt, policy, rng)
        return _retriable(attempt, policy, delay, reason)
    if status == 501:
        return RetryDecision(False, 0.0, "system", "the package does not implement this request (501)")
    return RetryDecision(False, 0.0, "system", f"unexpected response from the package ({status})")


def classify_exception(exc: BaseException, *, attempt: int = 1, policy: RetryPolicy = DEFAULT_POLICY,
                       rng: Callable[[], float] = random.random) -> RetryDecision:
    """Decide what to do after a call raised instead of answering."""
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return RetryDecision(False, 0.0, "config", f"the package's address is wrong: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return _retriable(attempt, policy, backoff_delay(attempt, policy, rng),
                          f"no answer from the package in time ({type(exc).__name__})")
    if isinstance(exc, httpx.TransportError):
        return _retriable(attempt, policy, backoff_delay(attempt, policy, rng),
                          f"network error talking to the package ({type(exc).__name__}: {exc})")
    return RetryDecision(False, 0.0, "system", f"unexpected error: {type(exc).__name__}: {exc}")
