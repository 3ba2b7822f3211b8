"""MYOB calls as the connector makes them: one request with its error body read, list pages followed by
``NextPageLink``, reads by UID, creates (201 + ``Location``, the body with ``returnBody=true``) and the small helpers
every part of the connector shares (OData quoting, MYOB's zone-less timestamps, exact decimals).

HTTP, tokens, budget and retries are the client's job (``myob.client``); this is what the connector asks of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ledgerbridge.connectors.package_http import PackageHttp
from ledgerbridge.connectors.protocol import CallBudgetSpent, ConnectorCallFailed
from ledgerbridge.packages.myob.errors import MyobError, error_message, explain, loads, parse_errors
from ledgerbridge.packages.myob.limits import IDS_PER_READ, READ_PAGE


def q(value: str) -> str:
    """An OData v3 string literal."""
    return "'" + value.replace("'", "''") + "'"


def guid(value: str) -> str:
    return f"guid'{value}'"


def dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def myob_date(day: date) -> str:
    """MYOB's dates are ``YYYY-MM-DDTHH:MM:SS`` with no zone."""
    return f"{day.isoformat()}T00:00:00"


def myob_datetime(moment: datetime) -> str:
    """A moment as MYOB writes it: UTC, no zone (the sandbox and MYOB's cloud keep LastModified in UTC)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def when(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def uid_of_location(location: str | None) -> str | None:
    """A new record's UID: the last segment of the ``Location`` MYOB answers a POST with."""
    if not location:
        return None
    return location.rstrip("/").rsplit("/", 1)[-1] or None


class MyobCallFailed(ConnectorCallFailed):
    """A refused call with MYOB's status and errors, for the paths that act on them (409 re-read, delete refused)."""

    def __init__(self, message: str, *, failure_type: str, source: str, raw_response: str | None,
                 outcome_unknown: bool, status: int | None, errors: list[MyobError]) -> None:
        super().__init__(message, failure_type=failure_type, source=source, raw_response=raw_response,
                         outcome_unknown=outcome_unknown)
        self.status = status
        self.errors = errors


class MyobCalls:
    """The connector's calls to one business (``client``: a :class:`~ledgerbridge.packages.myob.client.MyobClient`).

    ``get``, ``pages``, ``by_uids``, ``create``, ``replace`` and ``delete`` are public: the connector's other parts
    (``myob.payments``) make their calls through them."""

    client: PackageHttp

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
              key: str | None = None, purpose: str = "") -> tuple[Any, dict[str, str]]:
        """The answer's JSON and headers; a refusal becomes :class:`ConnectorCallFailed` with MYOB's message."""
        from ledgerbridge.connectors.budget import BudgetExhausted
        from ledgerbridge.packages.myob.client import PackageCallError

        try:
            response = self.client.request(method, path, params=params, json_body=body, idempotency_key=key,
                                           purpose=purpose)
        except BudgetExhausted as spent:
            raise CallBudgetSpent(f"MYOB's call limit for this API key is used up; the rest goes out after "
                                  f"{spent.until:%Y-%m-%d %H:%M} UTC", spent.until) from spent
        except PackageCallError as failure:
            errors = parse_errors(loads(failure.body))
            message = str(failure)
            failure_type: str = failure.decision.failure_type or "system"
            if errors:
                message = f"{failure.request_summary}: {error_message(errors, failure.decision.reason)}"
                if failure.status is not None and 400 <= failure.status < 500 and failure.status != 403:
                    failure_type = explain(errors)[0]
            raise MyobCallFailed(message, failure_type=failure_type,
                                 source="network" if failure.status is None else "package",
                                 raw_response=failure.body, outcome_unknown=failure.outcome_unknown,
                                 status=failure.status, errors=errors) from failure
        return loads(response.content), dict(response.headers)

    def get(self, path: str, purpose: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        data, _ = self._call("GET", path, params=params, purpose=purpose)
        return data if isinstance(data, dict) else {}

    def pages(self, route: str, *, where: str = "", order: str = "",
              purpose: str = "") -> Iterator[list[dict[str, Any]]]:
        """The items of a list, a page (at most ``READ_PAGE``) at a time, following ``NextPageLink`` to its end."""
        params: dict[str, Any] = {"$top": READ_PAGE}
        if where:
            params["$filter"] = where
        if order:
            params["$orderby"] = order
        path = route
        while True:
            data = self.get(path, purpose or f"read {route}", params)
            yield list(data.get("Items") or [])
            link = data.get("NextPageLink")
            if not link:
                return
            path, params = self._relative(str(link))

    def _relative(self, link: str) -> tuple[str, dict[str, Any]]:
        """A ``NextPageLink`` (absolute, on MYOB's host) as a path under the business and its query."""
        parts = urlsplit(link)
        base = urlsplit(str(getattr(self.client, "business_base", "")))
        path = parts.path
        if base.path and path.startswith(base.path.rstrip("/") + "/"):
            path = path[len(base.path.rstrip("/")) + 1:]
        else:  # another base than ours (MYOB moved the file): keep the route after the business id
            path = path.split("/accountright/", 1)[-1].split("/", 1)[-1]
        return path, dict(parse_qsl(parts.query, keep_blank_values=True))

    def by_uids(self, route: str, uids: Sequence[str], purpose: str) -> dict[str, dict[str, Any]]:
        """The records with these UIDs (``UID eq guid'…' or …``, ``IDS_PER_READ`` at a time), by UID."""
        out: dict[str, dict[str, Any]] = {}
        wanted = list(dict.fromkeys(u for u in uids if u))
        for start in range(0, len(wanted), IDS_PER_READ):
            where = " or ".join(f"UID eq {guid(u)}" for u in wanted[start : start + IDS_PER_READ])
            for page in self.pages(route, where=where, purpose=purpose):
                out.update({str(row["UID"]): row for row in page})
        return out

    def create(self, route: str, body: dict[str, Any], purpose: str) -> dict[str, Any]:
        """POST with ``returnBody=true``: the new record (its UID from ``Location`` when the body lacks it)."""
        data, headers = self._call("POST", route, params={"returnBody": "true"}, body=body, purpose=purpose)
        record = dict(data) if isinstance(data, dict) else {}
        if not record.get("UID"):
            uid = uid_of_location(headers.get("location") or headers.get("Location"))
            if uid is None:
                raise ConnectorCallFailed(f"MYOB did not say where the new record is (POST {route})",
                                          failure_type="system", source="package")
            record["UID"] = uid
        return record

    def replace(self, route: str, uid: str, body: dict[str, Any], purpose: str) -> dict[str, Any]:
        """PUT the whole record (MYOB replaces it, lines included) with ``returnBody=true``."""
        data, _ = self._call("PUT", f"{route}/{uid}", params={"returnBody": "true"}, body=body, purpose=purpose)
        return dict(data) if isinstance(data, dict) and data else {"UID": uid}

    def delete(self, route: str, uid: str, purpose: str) -> None:
        self._call("DELETE", f"{route}/{uid}", purpose=purpose)
