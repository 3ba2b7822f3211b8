"""An httpx transport that checks every QBO JSON body in passing against Intuit's XSDs (:mod:`.qbo_schema`).

Same idea as :mod:`contract_checks.transport` for Xero: the code under test keeps its real httpx path, the
transport forwards traffic untouched, and problems are *recorded* (``violations``), never raised, so a test
asserts ``transport.violations == []`` at the end. Only ``/v3/company/{realm}/...`` JSON is judged: OAuth and
sandbox-admin traffic passes unchecked.

What is checked:

* request: the entity body of ``POST /{entity}`` (create, update, delete, void), and each ``BatchItemRequest``;
* response: ``{"<Entity>": {...}}``, the gateway's lower-case ``fault`` (401/429), ``QueryResponse`` (entity
  arrays, ``startPosition``/``maxResults``/``totalCount``), ``BatchItemResponse`` items, ``CDCResponse`` and
  ``Fault``. Envelope keys other than these and ``time`` are violations too.
"""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal
from typing import Any

import httpx

from contract_checks.qbo_schema import Direction, check_entity, check_fault, entity_names

_API_PATH = re.compile(r"^/v3/company/[^/]+/(?P<entity>[A-Za-z]+)(?:/[^/]+)?$")
_SPECIAL = frozenset({"query", "batch", "cdc"})
_BATCH_ITEM_KEYS = frozenset({"bId", "operation", "optionsData"})


def _entity_by_path() -> dict[str, str]:
    return {name.lower(): name for name in entity_names()}


class QboSchemaChecker:
    """Collects violations for JSON exchanges with the QBO API (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.violations: list[str] = []
        self.exchanges_checked = 0
        self._paths = _entity_by_path()

    def _add(self, found: list[str], where: str) -> None:
        if found:
            with self._lock:
                self.violations.extend(f"{where}: {message}" for message in found)

    def check_request(self, method: str, path: str, body: bytes) -> None:
        match = _API_PATH.match(path)
        if match is None or method != "POST" or not body.strip():
            return
        segment = match.group("entity").lower()
        if segment == "query":
            return  # the body is the query text
        payload = _decode(body)
        if payload is None:
            self._add(["request body is not JSON"], f"{method} {path}")
            return
        if segment == "batch":
            self._add(self._batch_request(payload), f"{method} {path}")
        elif segment in self._paths:
            self._add(check_entity(self._paths[segment], payload, "request"), f"{method} {path}")

    def check_response(self, method: str, path: str, status: int, content_type: str, body: bytes) -> None:
        if _API_PATH.match(path) is None or "json" not in content_type:
            return
        with self._lock:
            self.exchanges_checked += 1
        payload = _decode(body)
        where = f"{method} {path} -> {status}"
        if not isinstance(payload, dict):
            self._add(["response body is not a JSON object"], where)
            return
        self._add(self.envelope(payload, "response"), where)

    def envelope(self, payload: dict[str, Any], direction: Direction) -> list[str]:
        found: list[str] = []
        for key, value in payload.items():
            if key == "time":
                if not isinstance(value, str):
                    found.append(f"{direction} time: must be a string")
            elif key == "Fault":
                found.extend(check_fault(value, direction))
            elif key == "fault":
                found.extend(_gateway_fault(value, direction))
            elif key == "QueryResponse":
                found.extend(self._query_response(value, direction))
            elif key == "BatchItemResponse":
                found.extend(self._batch_response(value, direction))
            elif key == "CDCResponse":
                for block in value if isinstance(value, list) else [value]:
                    for query in (block or {}).get("QueryResponse", []) if isinstance(block, dict) else []:
                        found.extend(self._query_response(query, direction))
                    extra = set(block) - {"QueryResponse"} if isinstance(block, dict) else {"?"}
                    found.extend(f"{direction} CDCResponse.{name}: not in the schema" for name in sorted(extra))
            elif key in entity_names():
                found.extend(check_entity(key, value, direction))
            else:
                found.append(f"{direction} {key}: not an entity or envelope key of the QBO API")
        return found

    def _query_response(self, value: Any, direction: Direction) -> list[str]:
        if not isinstance(value, dict):
            return [f"{direction} QueryResponse: expected an object"]
        found: list[str] = []
        for key, item in value.items():
            if key in ("startPosition", "maxResults", "totalCount"):
                if not isinstance(item, int) or isinstance(item, bool):
                    found.append(f"{direction} QueryResponse.{key}: must be an integer")
            elif key in entity_names() and isinstance(item, list):
                for index, entity in enumerate(item):
                    found.extend(m.replace(f" {key}", f" {key}[{index}]", 1)
                                 for m in check_entity(key, entity, direction))
            else:
                found.append(f"{direction} QueryResponse.{key}: not an entity array")
        return found

    def _batch_request(self, payload: Any) -> list[str]:
        items = payload.get("BatchItemRequest") if isinstance(payload, dict) else None
        if not isinstance(items, list) or set(payload) - {"BatchItemRequest"}:
            return ["request batch: body must be {\"BatchItemRequest\": [...]}"]
        found: list[str] = []
        for item in items:
            for key, value in (item.items() if isinstance(item, dict) else []):
                if key in _BATCH_ITEM_KEYS or key == "Query":
                    continue
                if key in entity_names():
                    found.extend(check_entity(key, value, "request"))
                else:
                    found.append(f"request BatchItemRequest.{key}: not in the schema")
        return found

    def _batch_response(self, value: Any, direction: Direction) -> list[str]:
        if not isinstance(value, list):
            return [f"{direction} BatchItemResponse: must be an array"]
        found: list[str] = []
        for item in value:
            rest = {k: v for k, v in item.items() if k != "bId"} if isinstance(item, dict) else {}
            found.extend(self.envelope(rest, direction))
        return found


class QboSchemaTransport(httpx.BaseTransport):
    """Wrap ``inner`` (normally ``httpx.HTTPTransport()``) and check every exchange; see ``checker.violations``."""

    def __init__(self, inner: httpx.BaseTransport | None = None, checker: QboSchemaChecker | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.checker = checker or QboSchemaChecker()

    @property
    def violations(self) -> list[str]:
        return self.checker.violations

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self._safely(self.checker.check_request, request.method, request.url.path, body)
        response = self.inner.handle_request(request)
        if response.is_stream_consumed:  # already read (e.g. MockTransport): pass it through as is
            self._safely(self.checker.check_response, request.method, request.url.path, response.status_code,
                         response.headers.get("content-type", ""), response.content)
            return response
        raw = b"".join(response.iter_raw())
        replayed = httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw),
                                  extensions=response.extensions, request=request)
        response.close()
        decoded = httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw))
        self._safely(self.checker.check_response, request.method, request.url.path, response.status_code,
                     response.headers.get("content-type", ""), decoded.read())
        return replayed

    def _safely(self, check: Any, *args: Any) -> None:
        _safely(self.checker, check, *args)

    def close(self) -> None:
        self.inner.close()


class AsyncQboSchemaTransport(httpx.AsyncBaseTransport):
    """Async twin of :class:`QboSchemaTransport` (for connectors on ``httpx.AsyncClient``)."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None,
                 checker: QboSchemaChecker | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.checker = checker or QboSchemaChecker()

    @property
    def violations(self) -> list[str]:
        return self.checker.violations

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        _safely(self.checker, self.checker.check_request, request.method, request.url.path, body)
        response = await self.inner.handle_async_request(request)
        if response.is_stream_consumed:
            _safely(self.checker, self.checker.check_response, request.method, request.url.path,
                    response.status_code, response.headers.get("content-type", ""), response.content)
            return response
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        replayed = httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw),
                                  extensions=response.extensions, request=request)
        decoded = httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw))
        _safely(self.checker, self.checker.check_response, request.method, request.url.path, response.status_code,
                response.headers.get("content-type", ""), decoded.read())
        return replayed

    async def aclose(self) -> None:
        await self.inner.aclose()


def _safely(checker: QboSchemaChecker, check: Any, *args: Any) -> None:
    try:
        check(*args)
    except Exception as exc:  # a checker bug must fail the test, never the traffic
        checker.violations.append(f"internal schema-checker error: {exc!r}")


def _gateway_fault(value: Any, direction: Direction) -> list[str]:
    """The API gateway's 401/429 body is outside the XSDs: ``{"fault":{"error":[{"message","detail","code"}],
    "type"}}`` with lower-case keys (qbo.md §15). Checked here against exactly that shape."""
    if not isinstance(value, dict) or set(value) - {"error", "type"} or not isinstance(value.get("error"), list):
        return [f"{direction} fault: not the gateway fault shape"]
    found = []
    for index, error in enumerate(value["error"]):
        extra = set(error) - {"message", "detail", "code", "element"} if isinstance(error, dict) else {"?"}
        found.extend(f"{direction} fault.error[{index}].{name}: not in the gateway fault shape" for name in extra)
    return found


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body, parse_float=Decimal)
    except ValueError:
        return None
