"""The package-neutral HTTP client: one call loop for every accounting package's API.

A connector's client (``xero.client.XeroClient``, ``qbo.client.QboClient``) subclasses :class:`PackageClient` and
says only what its package does differently: where the company goes (a header or the path), extra query
parameters (QuickBooks' ``minorversion`` and ``requestid``), the token source (its ``auth`` module), the default
call limits and its name in messages and audit rows. Everything else a call needs is here, in one loop: the
``Authorization`` header, an idempotency key that stays the same on every retry of one call, the budget slot
(:mod:`ledgerbridge.connectors.budget`), one classification of the outcome (:mod:`ledgerbridge.connectors.retry`),
one refresh on 401,
health figures on the Connection row (R-C3), and an ``AuditEvent`` per write call with secrets removed (R-A1).

Cost. An exporter sends a few hundred calls of 30-50 documents per run; the client's own work must stay far
below 5 ms a call. So the access token is cached in memory (the database is read only when it is about to
expire), and audit rows and health figures are buffered and written together at most once a second, at once
after a failure, and on :meth:`PackageClient.flush` / :meth:`PackageClient.close`. A crash can lose at most that
last second of audit rows, never a token: token rotation is committed before use.

JSON: request bodies go out with Decimals as exact JSON numbers; :func:`decode_json` reads numbers back as
Decimals (``parse_float=Decimal``). Money never passes through float.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import insert, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.budget import CallBudget
from ledgerbridge.connectors.limits import (
    BudgetBusy,
    BudgetExhausted,
    BudgetLimits,
    CallBudgetLike,
    LimitReading,
    may_not_wait,
    no_limit_headers,
)
from ledgerbridge.connectors.oauth import OAuthFlowError, TokenEndpointUnreachable
from ledgerbridge.connectors.retry import RetryDecision, RetryPolicy, classify_exception, classify_response
from ledgerbridge.security.crypto import TokenCipher, default_cipher
from ledgerbridge.security.redact import redact_text, register_secret
from ledgerbridge.store.models.sync import AuditEvent, Connection

__all__ = ["DEFAULT_TIMEOUT", "TOKEN_MARGIN_SECONDS", "PackageCallError", "PackageClient", "TokenSource", "decode_json",
           "encode_json", "register_connection_secrets"]

logger = logging.getLogger(__name__)
WRITE_METHODS = frozenset({"PUT", "POST", "PATCH", "DELETE"})
AUDIT_MAX = 20_000
TOKEN_MARGIN_SECONDS = 120.0
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)

# -- JSON with exact Decimals ---------------------------------------------------------------------------
# The stdlib encoder cannot emit a raw number from ``default``; we emit a marked string and unwrap it. The
# marker holds a per-process random nonce, so no user text can forge one.
_DECIMAL_MARK = "\ue000" + secrets.token_hex(8) + ":"
_QUOTED_MARK = '"' + _DECIMAL_MARK


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} to an accounting package")
        return _DECIMAL_MARK + format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)


def encode_json(body: Any) -> bytes:
    text = _ENCODER.encode(body)
    if _QUOTED_MARK in text:
        # Each piece after a mark starts with the number and its closing quote: drop that quote.
        head, *pieces = text.split(_QUOTED_MARK)
        text = head + "".join([piece.replace('"', "", 1) for piece in pieces])
    return text.encode("utf-8")


def decode_json(content: bytes | str) -> Any:
    return json.loads(content or b"{}", parse_float=Decimal)


# -- errors -----------------------------------------------------------------------------------------------

class PackageCallError(Exception):
    """A call that failed for good: what to do (``decision``), the package's status and body (secrets removed)."""

    def __init__(self, decision: RetryDecision, status: int | None, body: str | None, request_summary: str, *,
                 sent: bool = True, outcome_unknown: bool = False) -> None:
        detail = f": {body[:300]}" if body else ""
        super().__init__(f"{request_summary}: {decision.reason}{detail}")
        self.decision = decision
        self.status = status
        self.body = body
        self.request_summary = request_summary
        #: False when the request never left (token or config failure), so nothing can have been created.
        self.sent = sent
        #: A write went out at least once without an answer: the package may have applied it (re-read before resending).
        self.outcome_unknown = outcome_unknown


def _token_failure(exc: OAuthFlowError) -> RetryDecision:
    if isinstance(exc, TokenEndpointUnreachable):
        return exc.decision
    return RetryDecision(False, 0.0, "config", redact_text(str(exc)))


def register_connection_secrets(connection: Connection, cipher: TokenCipher) -> None:
    """Make the connection's tokens and client secret known to :mod:`ledgerbridge.security.redact`, used here or not."""
    for enc in (connection.access_token_enc, connection.refresh_token_enc, connection.client_secret_enc):
        if enc:
            register_secret(cipher.decrypt(enc))


def _clip(text: str) -> str:
    # Redact a little more than we keep, so a secret cut by the limit is still recognised and removed.
    return redact_text(text[: AUDIT_MAX + 4096])[:AUDIT_MAX]


TokenSource = Callable[..., tuple[str, datetime]]


class PackageClient:
    """Calls one company of one package through one Connection row. Thread-safe; close it (or use ``with``).

    Subclasses set the class attributes and override :meth:`_headers` and :meth:`_prepare` where their package
    differs; :meth:`request` is the one loop.
    """

    #: The package's name in messages ("Xero's daily call limit ...").
    package_label = "the package"
    #: The first word of the audit rows' action ("xero POST Invoices").
    audit_prefix = "package"
    #: What a call made before the connection is complete says.
    not_connected = "the connection is not connected: connect it and choose the company"
    #: The package's call limits, when the caller passes no budget.
    default_limits: BudgetLimits
    #: ``fresh_access_token`` of the package's auth module (``sessions, connection_id, **options``).
    token_source: TokenSource
    #: How the package's answers tell the calls left (its spec's ``read_limits``).
    read_limits: Callable[[Mapping[str, str]], LimitReading] = staticmethod(no_limit_headers)
    #: An access token expiring within this many seconds is refreshed before the call (MYOB's SDK: 60 s).
    token_margin_seconds: float = TOKEN_MARGIN_SECONDS

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, *,
                 transport: httpx.BaseTransport | None = None, budget: CallBudgetLike | None = None,
                 max_attempts: int = 5, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, cipher: TokenCipher | None = None,
                 policy: RetryPolicy | None = None, actor: str = "system", flush_interval: float = 1.0,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        self.sessions = sessions
        self.connection_id = connection_id
        self._transport = transport
        self._clock = clock
        self._sleep = sleep
        self._cipher = cipher or default_cipher()
        self._policy = policy or RetryPolicy(max_attempts=max_attempts)
        self._actor = actor
        self._flush_interval = flush_interval
        self._http = httpx.Client(transport=transport, timeout=timeout)
        with sessions() as session:
            row = session.get_one(Connection, connection_id)
            self._base = row.api_base_url.rstrip("/")
            self._organisation_id = row.organisation_id
            self._tenant_id = row.tenant_id
            self._status = row.status
            self.budget: CallBudgetLike = budget or CallBudget(connection_id, self.default_limits, clock=clock,
                                                               sleep=sleep)
            self.budget.load(row)
            register_connection_secrets(row, self._cipher)  # scrubbed from audit rows and errors from now on
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = threading.Lock()
        self._buffer_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._audit: list[dict[str, Any]] = []
        self._last_success: datetime | None = None
        self._last_error: tuple[str, datetime] | None = None
        self._last_flush = clock()

    # -- the call ---------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json_body: Any = None,
                idempotency_key: str | None = None, if_modified_since: datetime | None = None,
                purpose: str = "") -> httpx.Response:
        """One call, retried as :mod:`ledgerbridge.connectors.retry` decides; raises :class:`PackageCallError`
        when spent.

        Raises :class:`~ledgerbridge.connectors.budget.BudgetExhausted` when the day's call limit is used up.
        """
        method = method.upper()
        is_write = method in WRITE_METHODS
        summary = f"{method} {path}" + (f" ({purpose})" if purpose else "")
        if not self._tenant_id or self._status != "connected":
            raise self._fail(RetryDecision(False, 0.0, "config", self.not_connected), None, None, summary,
                             sent=False)
        if is_write and idempotency_key is None and method != "DELETE":
            idempotency_key = uuid.uuid4().hex  # so that our own retries can never create twice
        params = self._prepare(method, params, idempotency_key)
        content = encode_json(json_body) if json_body is not None else None
        headers = self._headers(content is not None, idempotency_key, if_modified_since)
        url, started = self._base + "/" + path.lstrip("/"), self._clock()
        attempt, refreshed, unanswered = 0, False, False
        while True:
            attempt += 1
            try:
                token = self._access_token(rejected=None)
            except OAuthFlowError as exc:
                raise self._fail(_token_failure(exc), None, None, summary, sent=False) from exc
            headers["Authorization"] = "Bearer " + token
            response, decision = self._send(method, url, params, content, headers, attempt, can_refresh=not refreshed)
            unanswered = unanswered or response is None
            if decision.ok and response is not None:
                self._succeeded(method, path, purpose, idempotency_key, content, response, attempt, started, is_write)
                return response
            if decision.refresh_then_retry:
                refreshed = True
                try:
                    self._access_token(rejected=token)
                except OAuthFlowError as exc:
                    raise self._fail(_token_failure(exc), 401, None, summary, sent=False) from exc
                continue
            if decision.retry and decision.rate_limit not in (None, "day") and may_not_wait(decision.delay_seconds):
                raise BudgetBusy(decision.delay_seconds, f"{self.package_label} asked to slow down ({summary})")
            if decision.retry and not decision.exceeds(self._policy.max_wait):
                self._sleep(decision.delay_seconds)
                continue
            if is_write:
                self._add_audit(method, path, purpose, idempotency_key, content, response, attempt, started,
                                "failed", decision.reason)
            if decision.retry and decision.rate_limit == "day":
                raise self._day_limit_reached(decision, summary)
            raise self._fail(decision, response.status_code if response is not None else None,
                             _clip(response.text) if response is not None else None, summary,
                             outcome_unknown=is_write and unanswered)

    def _prepare(self, method: str, params: Mapping[str, Any] | None,
                 idempotency_key: str | None) -> Mapping[str, Any] | None:
        """The query parameters the package wants on this call (none added by default)."""
        return params

    def _headers(self, has_body: bool, idempotency_key: str | None, since: datetime | None) -> dict[str, str]:
        """The headers of every attempt but ``Authorization`` (the loop adds it)."""
        headers = {"Accept": "application/json"}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def is_batch_call(self, url: str) -> bool:
        """Whether the package counts this call against a batch limit of its own (``BudgetLimits.batch_per_minute``)."""
        return False

    def _send(self, method: str, url: str, params: Mapping[str, Any] | None, content: bytes | None,
              headers: dict[str, str], attempt: int, *, can_refresh: bool) -> tuple[httpx.Response | None,
                                                                                   RetryDecision]:
        """One attempt inside a budget slot, and what to make of it."""
        try:
            self.budget.acquire(batch=self.is_batch_call(url))
        except BudgetExhausted as spent:
            self._note_error(f"[retriable] {spent}")
            self.flush()
            raise
        response: httpx.Response | None = None
        try:
            response = self._http.request(method, url, params=params, content=content, headers=headers)
            reading = self.read_limits(response.headers)
            self.budget.observe(reading)
            status = response.status_code
            decision = classify_response(status, response.headers, response.text if status >= 400 else "",
                                         attempt=attempt, policy=self._policy, can_refresh=can_refresh,
                                         rate_limit_problem=reading.problem)
        except httpx.HTTPError as exc:
            decision = classify_exception(exc, attempt=attempt, policy=self._policy)
        finally:
            self.budget.release()
        if decision.rate_limit is not None:
            self.budget.observe_rate_limited(decision.rate_limit, decision.delay_seconds)
        return response, decision

    def _day_limit_reached(self, decision: RetryDecision, summary: str) -> BudgetExhausted:
        until = datetime.fromtimestamp(self._clock() + decision.delay_seconds, UTC)
        spent = BudgetExhausted(until, f"{self.package_label}'s daily call limit for this organisation is used up "
                                       f"({summary})")
        self._note_error(f"[retriable] {spent}")
        self.flush()
        return spent

    def _access_token(self, rejected: str | None) -> str:
        token, margin = self._token, self.token_margin_seconds
        if rejected is None and token is not None and self._token_expires - self._clock() > margin:
            return token
        with self._token_lock:
            if rejected is not None and self._token != rejected and self._token is not None:
                return self._token  # another thread already replaced the refused token
            if rejected is None and self._token is not None \
                    and self._token_expires - self._clock() > margin:
                return self._token
            token, expires = type(self).token_source(
                self.sessions, self.connection_id, transport=self._transport, cipher=self._cipher,
                min_valid_seconds=margin, rejected_access_token=rejected,
                now=lambda: datetime.fromtimestamp(self._clock(), UTC), sleep=self._sleep)
            self._token, self._token_expires = token, expires.timestamp()
            return token

    # -- health and audit, buffered -------------------------------------------------------------------
    def _succeeded(self, method: str, path: str, purpose: str, key: str | None, content: bytes | None,
                   response: httpx.Response, attempt: int, started: float, is_write: bool) -> None:
        with self._buffer_lock:
            self._last_success = datetime.fromtimestamp(self._clock(), UTC)
        if is_write:
            self._add_audit(method, path, purpose, key, content, response, attempt, started, "ok", None)
        if self._clock() - self._last_flush >= self._flush_interval or len(self._audit) >= 200:
            self._flush(force=False)

    def _add_audit(self, method: str, path: str, purpose: str, key: str | None, content: bytes | None,
                   response: httpx.Response | None, attempt: int, started: float, outcome: str,
                   reason: str | None) -> None:
        request_text = f"{method} {path}\nIdempotency-Key: {key or '-'}\n\n"
        if content:
            request_text += content[: AUDIT_MAX + 4096].decode("utf-8", errors="replace")
        response_text = None
        if response is not None:
            response_text = f"HTTP {response.status_code}\n\n" + response.content[: AUDIT_MAX + 4096].decode(
                "utf-8", errors="replace")
        elapsed_ms = (self._clock() - started) * 1000
        detail = "; ".join(filter(None, [purpose, f"attempts={attempt}", f"{elapsed_ms:.0f} ms", reason]))
        row = {"organisation_id": self._organisation_id, "connection_id": self.connection_id,
               "at": datetime.fromtimestamp(self._clock(), UTC), "actor": self._actor,
               "action": f"{self.audit_prefix} {method} {path}"[:50], "request": _clip(request_text),
               "response": _clip(response_text) if response_text else None, "outcome": outcome,
               "detail": redact_text(detail)}
        with self._buffer_lock:
            self._audit.append(row)

    def _fail(self, decision: RetryDecision, status: int | None, body: str | None, summary: str, *,
              sent: bool = True, outcome_unknown: bool = False) -> PackageCallError:
        error = PackageCallError(decision, status, body, summary, sent=sent, outcome_unknown=outcome_unknown)
        self._note_error(f"[{decision.failure_type}] {error}")
        self.flush()
        return error

    def _note_error(self, message: str) -> None:
        with self._buffer_lock:
            self._last_error = (redact_text(message)[:2000], datetime.fromtimestamp(self._clock(), UTC))

    def flush(self) -> None:
        """Write buffered audit rows, health figures and the budget to the database now."""
        self._flush(force=True)

    def _flush(self, *, force: bool) -> None:
        # A background flush never makes a caller wait for another thread's flush, nor fails its call.
        if not self._flush_lock.acquire(blocking=force):
            return
        try:
            with self._buffer_lock:
                rows, self._audit = self._audit, []
                success, error = self._last_success, self._last_error
                self._last_success = self._last_error = None
            self._last_flush = self._clock()
            budget_due = self.budget.has_unflushed if force else self.budget.flush_due()
            if not rows and success is None and error is None and not budget_due:
                return
            try:
                self._write(rows, success, error, budget_due)
            except Exception:
                with self._buffer_lock:  # keep them for the next flush
                    self._audit[:0] = rows
                    self._last_success = self._last_success or success
                    self._last_error = self._last_error or error
                if force:
                    raise
                logger.warning("could not write audit rows and health for connection %s; will retry",
                               self.connection_id, exc_info=True)
        finally:
            self._flush_lock.release()

    def _write(self, rows: list[dict[str, Any]], success: datetime | None, error: tuple[str, datetime] | None,
               budget_due: bool) -> None:
        with self.sessions() as session, session.begin():
            if rows:
                session.execute(insert(AuditEvent), rows)
            values: dict[str, Any] = {}
            if success is not None:
                values["last_success_at"] = success
            if error is not None:
                values["last_error"], values["last_error_at"] = error
            if values:
                session.execute(update(Connection).where(Connection.id == self.connection_id).values(**values))
            if budget_due or rows:
                self.budget.flush(session)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._http.close()

    def __enter__(self) -> PackageClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
