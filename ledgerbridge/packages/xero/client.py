"""The one way ledgerbridge talks HTTP to Xero's Accounting API: tokens, tenant, budget, retries, audit.

Why not the official ``xero-python`` SDK (checked at 15.2.0, see the research note section 15):

* its urllib3 ``Retry`` silently retries 429 and 503 (up to 3 times, sleeping ``Retry-After``), so calls
  happen that our per-tenant :class:`~ledgerbridge.connectors.budget.CallBudget` never sees, and it fights the budget;
* its token refresh URL is a hard-coded class attribute (``TokenApi.refresh_token_url``), so pointing one
  connection at a sandbox means monkey-patching a global, and its refresh does not take our lock;
* it sends Decimals as JSON floats (``"Quantity": 2.0``), and money must never pass through float;
* its model (de)serialisation is far too slow for the 1,000 invoices/s target.

So we use ``httpx`` directly (its transport is the seam where the sandbox or a test plugs in) and
Authlib only for the OAuth 2 protocol pieces (:mod:`ledgerbridge.connectors.oauth`). The call loop (budget, retries,
one refresh on 401, buffered audit and health) is the package-neutral ``package_client.PackageClient``;
Xero adds the ``xero-tenant-id`` header, an ``Idempotency-Key`` that stays the same on every retry of one
call, ``If-Modified-Since`` and tokens from :mod:`.auth`. :func:`health` (from :mod:`.auth`) reads the
figures back for the connection-health panel.

The names this module exported before the loop moved (``PackageCallError``, ``encode_json``, ``decode_json``)
are still here, for the modules and tests that import them from it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ledgerbridge.connectors.package_client import PackageCallError, PackageClient, decode_json, encode_json
from ledgerbridge.packages.xero.auth import fresh_access_token, health
from ledgerbridge.packages.xero.limits import XERO_LIMITS, read_xero_limits

__all__ = ["PackageCallError", "XeroClient", "decode_json", "encode_json", "health"]


class XeroClient(PackageClient):
    """Calls one Xero organisation through one Connection row. Thread-safe; close it (or use ``with``)."""

    package_label = "Xero"
    audit_prefix = "xero"
    not_connected = "the Xero connection is not connected: connect it and choose the organisation"
    default_limits = XERO_LIMITS
    token_source = staticmethod(fresh_access_token)
    read_limits = staticmethod(read_xero_limits)

    def _headers(self, has_body: bool, idempotency_key: str | None, since: datetime | None) -> dict[str, str]:
        headers = {"xero-tenant-id": self._tenant_id or "", "Accept": "application/json"}
        if has_body:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if since is not None:  # ISO 8601, as the official SDK sends it
            headers["If-Modified-Since"] = (since if since.tzinfo else since.replace(tzinfo=UTC)).astimezone(UTC) \
                .isoformat()
        return headers
