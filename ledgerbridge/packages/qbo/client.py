"""HTTP to QuickBooks Online's Accounting API v3 for one company (realm).

The call loop (budget slot, retry classification through :mod:`ledgerbridge.connectors.retry`, one token refresh on 401,
buffered audit rows and health figures) is :class:`~ledgerbridge.connectors.package_client.PackageClient`'s; this class
says only what QBO does differently:

* the company is in the path (``/v3/company/{realmId}/...``), not in a header;
* ``minorversion=75`` goes on every call;
* a write carries ``requestid=<key>`` (the exporter's key, recorded before the call), so QBO replays its first
  answer instead of acting twice when a retry or a re-run repeats the call;
* tokens come from :func:`ledgerbridge.packages.qbo.auth.fresh_access_token` (Intuit's endpoints, rolling refresh
  tokens);
* no ``If-Modified-Since``: QBO reads changes through CDC and ``MetaData.LastUpdatedTime`` queries instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.package_client import PackageCallError, PackageClient, decode_json
from ledgerbridge.packages.qbo.auth import MINOR_VERSION, fresh_access_token
from ledgerbridge.packages.qbo.limits import QBO_LIMITS

__all__ = ["PackageCallError", "QboClient", "decode_json"]


class QboClient(PackageClient):
    """Calls one QuickBooks company through one Connection row. Thread-safe; close it (or use ``with``)."""

    package_label = "QuickBooks"
    audit_prefix = "qbo"
    not_connected = "the QuickBooks connection is not connected: connect it and choose the company"
    default_limits = QBO_LIMITS
    token_source = staticmethod(fresh_access_token)

    def is_batch_call(self, url: str) -> bool:
        return url.endswith("/batch")  # QuickBooks counts batch calls apart (40 a minute)

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, **kwargs: Any) -> None:
        super().__init__(sessions, connection_id, **kwargs)
        self._base = f"{self._base}/{self._tenant_id}"

    def _prepare(self, method: str, params: Mapping[str, Any] | None,
                 idempotency_key: str | None) -> Mapping[str, Any] | None:
        query: dict[str, Any] = {**(params or {}), "minorversion": MINOR_VERSION}
        if method == "POST" and idempotency_key:  # every write is a POST in QBO; the loop made the key
            query["requestid"] = idempotency_key
        return query

    def _headers(self, has_body: bool, idempotency_key: str | None, since: datetime | None) -> dict[str, str]:
        return super()._headers(has_body, None, None)  # no idempotency header: requestid is in the query
