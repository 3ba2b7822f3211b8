"""HTTP to MYOB Business's API (AccountRight Live API v2) for one business (company file).

The call loop (budget slot, retry classification through :mod:`ledgerbridge.connectors.retry`, one token refresh on
401, buffered audit rows and health figures) is :class:`~ledgerbridge.connectors.package_client.PackageClient`'s;
this class says only what MYOB does differently:

* the business is in the path (``{api}/{businessId}/<Route>``);
* ``x-myobapi-key`` (the app's API key, which is its OAuth client id) and ``x-myobapi-version: v2`` on every call;
* MYOB refuses too many calls with **403** and a JSON ``RateLimitError`` body (not 429): read as a rate limit and
  backed off (the per-second limit briefly; the daily one until the next UTC day), and reported to the budget as
  the app's (``APP_PROBLEM`` / ``APP_DAY_PROBLEM``): MYOB counts per API key, so every connection of the key waits,
  not this one alone; any other 403 stays a refusal of access. A 504 ``GatewayTimeout`` is retried like any 5xx,
  except after a POST (the record may be saved all the same: it is looked up first); a 401 refreshes the token
  once;
* no idempotency key: MYOB has none. The exporter records the attempt before the call and, after a lost answer,
  the connector looks the record up before creating it again (``myob.reads``). So a POST left without an answer
  (the connection dropped, a timeout) is not sent again here: MYOB may have created the record, and sent twice it
  would be created twice; the call fails with its outcome unknown, and the next run looks the record up;
* tokens come from :func:`ledgerbridge.packages.myob.auth.fresh_access_token`, refreshed 60 s before expiry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.limits import APP_DAY_PROBLEM, APP_PROBLEM
from ledgerbridge.connectors.package_client import PackageCallError, PackageClient, decode_json
from ledgerbridge.connectors.retry import RetryDecision, backoff_delay
from ledgerbridge.packages.myob.auth import API_VERSION, REFRESH_MARGIN_SECONDS, fresh_access_token
from ledgerbridge.packages.myob.errors import is_day_limit, is_rate_limit
from ledgerbridge.packages.myob.limits import MYOB_LIMITS
from ledgerbridge.store.models.sync import Connection

__all__ = ["MyobClient", "PackageCallError", "decode_json"]


class MyobClient(PackageClient):
    """Calls one MYOB business through one Connection row. Thread-safe; close it (or use ``with``)."""

    package_label = "MYOB"
    audit_prefix = "myob"
    not_connected = "the MYOB connection is not connected: connect it and choose the business"
    default_limits = MYOB_LIMITS
    token_source = staticmethod(fresh_access_token)
    token_margin_seconds = REFRESH_MARGIN_SECONDS

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, **kwargs: Any) -> None:
        super().__init__(sessions, connection_id, **kwargs)
        with sessions() as session:
            self._api_key = session.get_one(Connection, connection_id).client_id
        #: The API base with the business, e.g. ``https://api.myob.com/accountright/{businessId}``: the prefix of
        #: every ``NextPageLink`` MYOB returns (``myob.calls`` turns those back into paths).
        self.business_base = f"{self._base}/{self._tenant_id}"
        self._base = self.business_base

    def _headers(self, has_body: bool, idempotency_key: str | None, since: datetime | None) -> dict[str, str]:
        headers = super()._headers(has_body, None, None)
        headers["x-myobapi-key"] = self._api_key
        headers["x-myobapi-version"] = API_VERSION
        return headers

    def _send(self, method: str, url: str, params: Mapping[str, Any] | None, content: bytes | None,
              headers: dict[str, str], attempt: int, *, can_refresh: bool) -> tuple[httpx.Response | None,
                                                                                   RetryDecision]:
        response, decision = super()._send(method, url, params, content, headers, attempt, can_refresh=can_refresh)
        if method == "POST" and response is not None and response.status_code == 504:
            # MYOB's gateway gave up waiting (its calls may last 120 s): the record may be saved all the same, so the
            # POST is as unanswered as a dropped connection, and is looked up before it is made again.
            response = None
        if method == "POST" and response is None and decision.retry:
            return None, RetryDecision(False, 0.0, "retriable", f"{decision.reason}; not sent again: MYOB may have "
                                       "created the record, which is looked up before it is created again")
        if response is not None and response.status_code == 403 and is_rate_limit(response.text):
            decision = self._rate_limited(response.text, attempt)
            # MYOB counts per API key: the app's window is blocked, so every connection of the key waits (the
            # decision keeps "day"/"minute" for the call loop's own handling of this call).
            problem = APP_DAY_PROBLEM if decision.rate_limit == "day" else APP_PROBLEM
            self.budget.observe_rate_limited(problem, decision.delay_seconds)
        return response, decision

    def _rate_limited(self, body: str, attempt: int) -> RetryDecision:
        """MYOB's 403 ``RateLimitError``: the day's limit waits for the next UTC day (MYOB does not say when it
        resets), the per-second one backs off (a second at least)."""
        if is_day_limit(body):
            now = datetime.fromtimestamp(self._clock(), UTC)
            midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            return RetryDecision(True, (midnight - now).total_seconds(), "retriable",
                                 "MYOB's daily call limit for this API key is used up", rate_limit="day")
        reason = "MYOB asked to slow down (403 RateLimitError: more than 8 calls a second on this API key)"
        if attempt >= self._policy.max_attempts:
            return RetryDecision(False, 0.0, "retriable", f"{reason}; gave up after {attempt} attempts",
                                 rate_limit="minute")
        return RetryDecision(True, max(1.0, backoff_delay(attempt, self._policy)), "retriable", reason,
                             rate_limit="minute")
