"""HTTP to QuickBooks Online's Accounting API v3 for one company (realm).

The call loop (budget slot, retry classification through :mod:`ledgerbridge.retry`, one token refresh on 401,
buffered audit rows and health figures) is the package-neutral part of :class:`~ledgerbridge.xero.client.XeroClient`;
this class reuses it and changes only what QBO does differently:

* the company is in the path (``/v3/company/{realmId}/...``), not in a header;
* ``minorversion=75`` goes on every call;
* a write carries ``requestid=<key>`` (the exporter's key, recorded before the call), so QBO replays its first
  answer instead of acting twice when a retry or a re-run repeats the call;
* tokens come from :func:`ledgerbridge.qbo.auth.fresh_access_token` (Intuit's endpoints, rolling refresh tokens).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.budget import QBO_LIMITS, CallBudget
from ledgerbridge.qbo.auth import MINOR_VERSION, fresh_access_token
from ledgerbridge.retry import RetryDecision
from ledgerbridge.xero.client import TOKEN_MARGIN_SECONDS, PackageCallError, XeroClient, decode_json

__all__ = ["PackageCallError", "QboClient", "decode_json"]


class QboClient(XeroClient):
    """Calls one QuickBooks company through one Connection row. Thread-safe; close it (or use ``with``)."""

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, *, budget: CallBudget | None = None,
                 **kwargs: Any) -> None:
        super().__init__(sessions, connection_id, budget=budget or CallBudget(connection_id, QBO_LIMITS), **kwargs)
        self._base = f"{self._base}/{self._tenant_id}"

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json_body: Any = None,
                idempotency_key: str | None = None, if_modified_since: datetime | None = None,
                purpose: str = "") -> httpx.Response:
        if not self._tenant_id or self._status != "connected":
            raise self._fail(RetryDecision(False, 0.0, "config", "the QuickBooks connection is not connected: "
                                                                 "connect it and choose the company"),
                             None, None, f"{method} {path}", sent=False)
        query: dict[str, Any] = {**(params or {}), "minorversion": MINOR_VERSION}
        if method.upper() == "POST":
            idempotency_key = idempotency_key or uuid.uuid4().hex  # our own retries never act twice
            query["requestid"] = idempotency_key
        return super().request(method, path, params=query, json_body=json_body, idempotency_key=idempotency_key,
                               if_modified_since=None, purpose=purpose)

    def _add_audit(self, *args: Any, **kwargs: Any) -> None:
        # The shared loop labels its audit rows "xero ..."; every row this client buffers is a QBO call.
        super()._add_audit(*args, **kwargs)
        with self._buffer_lock:
            for row in self._audit:
                if row["action"].startswith("xero "):
                    row["action"] = ("qbo " + row["action"][5:])[:50]

    def _headers(self, has_body: bool, idempotency_key: str | None, since: datetime | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _access_token(self, rejected: str | None) -> str:
        token = self._token
        if rejected is None and token is not None and self._token_expires - self._clock() > TOKEN_MARGIN_SECONDS:
            return token
        with self._token_lock:
            if rejected is not None and self._token != rejected and self._token is not None:
                return self._token
            if rejected is None and self._token is not None \
                    and self._token_expires - self._clock() > TOKEN_MARGIN_SECONDS:
                return self._token
            token, expires = fresh_access_token(
                self.sessions, self.connection_id, transport=self._transport, cipher=self._cipher,
                min_valid_seconds=TOKEN_MARGIN_SECONDS, rejected_access_token=rejected,
                now=lambda: datetime.fromtimestamp(self._clock(), UTC), sleep=self._sleep)
            self._token, self._token_expires = token, expires.timestamp()
            return token
