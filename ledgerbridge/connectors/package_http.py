"""What a connector asks of its HTTP client: one call, and closing.

The connectors (``packages.xero.connector``, ``packages.qbo``) build requests and read answers; tokens, the call
budget, retries and audit rows belong to the client, :class:`~ledgerbridge.connectors.package_client.PackageClient`
(``XeroClient``, ``QboClient``). The connectors depend on this protocol rather than on that class so that a test
can hand them a small fake, and so that the connector modules do not import the client's machinery (budget,
OAuth, the store) just to name a type.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import httpx


class PackageHttp(Protocol):
    """One package connection's HTTP: ``request`` raises ``PackageCallError`` when a call failed after its
    retries, and ``BudgetExhausted`` when the day's call limit is spent."""

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json_body: Any = None,
                idempotency_key: str | None = None, if_modified_since: datetime | None = None,
                purpose: str = "") -> httpx.Response: ...

    def close(self) -> None: ...
