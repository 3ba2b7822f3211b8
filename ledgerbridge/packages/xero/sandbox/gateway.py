"""The front door of the accounting API: faults, authentication, rate limits, idempotency, call counting.

It is plain ASGI and sits *outside* FastAPI's own middleware, for one reason: to simulate a response lost
after the write committed, it must close the client's connection without sending anything, and only the
server's own ``send`` knows the connection.  Order of checks, as Xero applies them where it matters:

0. a query string longer than Xero's limit (``config.MAX_QUERY_STRING``): 404 with Xero's bare "not found"
   text, before anything else, as the request filter in front of Xero's API answers it (no limit headers);
1. injected 5xx / 429 faults (before anything else, like an outage at the edge);
2. ``Authorization: Bearer`` (401) and ``xero-tenant-id`` naming a connected tenant (403);
3. the tenant's rate limits (429 with ``Retry-After`` and ``X-Rate-Limit-Problem``);
4. ``Idempotency-Key`` replay for writes;
5. the route itself, then an injected dropped response if one is armed.

Every response from step 3 on carries ``X-DayLimit-Remaining``, ``X-MinLimit-Remaining`` and
``X-AppMinLimit-Remaining``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any

from starlette.datastructures import Headers

from .config import API_PREFIX, MAX_QUERY_STRING
from .errors import Forbidden, NotFound, Unauthorized, XeroApiError
from .idempotency import MAX_KEY_LENGTH, StoredResponse
from .runtime import SandboxRuntime

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})
JSON = b"application/json; charset=utf-8"
TEXT = b"text/plain; charset=utf-8"


def _problem(status: int, title: str, detail: str) -> bytes:
    return json.dumps({"Type": None, "Title": title, "Status": status, "Detail": detail}).encode()


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None,
                   content_type: bytes = JSON) -> None:
    all_headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": body})


class SandboxGateway:
    def __init__(self, app: ASGIApp, runtime: SandboxRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/sandbox"):
            await self.app(scope, receive, send)
            return
        self.runtime.stats.count(scope["method"], scope["path"])
        if not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        await self._accounting(scope, receive, send)

    async def _accounting(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime = self.runtime
        if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            # Xero's edge refuses it before the API sees it: a 404 that reads like an unknown record
            await _respond(send, 404, str(NotFound().body()).encode(), content_type=TEXT)
            return
        headers = Headers(scope=scope)
        failure = runtime.faults.take_failure()
        if failure is not None:
            body = _problem(failure, HTTPStatus(failure).phrase, "The Xero API is unavailable (sandbox fault).")
            await _respond(send, failure, body)
            return
        if runtime.faults.take_storm():
            decision = runtime.limiter.storm_decision(headers.get("xero-tenant-id"))
            body = _problem(429, "Too Many Requests", "Rate limit exceeded: minute (sandbox fault).")
            await _respond(send, 429, body, decision.headers())
            return
        try:
            tenant_id = self._authorise(headers)
        except XeroApiError as error:
            await _respond(send, error.status, json.dumps(error.body()).encode())
            return
        decision = runtime.limiter.acquire(tenant_id)
        if decision.problem:
            body = _problem(429, "Too Many Requests", f"Rate limit exceeded: {decision.problem}")
            await _respond(send, 429, body, decision.headers())
            return
        try:
            if runtime.faults.latency_seconds:
                await asyncio.sleep(runtime.faults.latency_seconds)
            scope.setdefault("state", {})["xero_tenant_id"] = tenant_id
            await self._dispatch(scope, receive, send, tenant_id, headers, decision.headers())
        finally:
            runtime.limiter.release(tenant_id)

    def _authorise(self, headers: Headers) -> str:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        grant = self.runtime.identity.access(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None:
            raise Unauthorized()
        tenant_id = (headers.get("xero-tenant-id") or "").strip().lower()
        if not tenant_id or not self.runtime.identity.can_reach(grant, tenant_id):
            raise Forbidden()
        return tenant_id

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send, tenant_id: str, headers: Headers,
                        limit_headers: list[tuple[bytes, bytes]]) -> None:
        method = scope["method"]
        if method not in WRITE_METHODS:
            await self.app(scope, receive, _adding_headers(send, limit_headers))
            return
        key_header = headers.get("idempotency-key")
        key = None
        if key_header is not None:
            if len(key_header) > MAX_KEY_LENGTH:
                # Assumption: refused in the spec's Error shape; Xero's own answer is not documented.
                refusal = {"ErrorNumber": 10, "Type": "ValidationException",
                           "Message": f"Idempotency-Key must be {MAX_KEY_LENGTH} characters or fewer."}
                await _respond(send, 400, json.dumps(refusal).encode(), limit_headers)
                return
            key = (tenant_id, method, scope["path"], key_header)
            begun = self.runtime.idempotency.begin(key)
            if isinstance(begun, StoredResponse):
                replay_headers = limit_headers + [(b"idempotent-replayed", b"true")]
                await _respond(send, begun.status, begun.body, replay_headers, begun.content_type)
                return
            if begun is False:
                detail = "A request with this Idempotency-Key is still being processed."
                await _respond(send, 409, _problem(409, "Conflict", detail), limit_headers)
                return
        try:
            status, content_type, body = await self._run_captured(scope, receive)
        except BaseException:
            if key is not None:
                self.runtime.idempotency.abandon(key)
            raise
        if key is not None:
            if status >= 500:
                self.runtime.idempotency.abandon(key)
            else:
                self.runtime.idempotency.complete(key, status, content_type, body)
        if self.runtime.faults.take_drop():
            await _drop_connection(send)
            return
        await _respond(send, status, body, limit_headers, content_type)

    async def _run_captured(self, scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
        """Run the route and keep its response, so it can be stored for replay or withheld."""
        status = 500
        content_type = b"text/plain; charset=utf-8"
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        return status, content_type, b"".join(chunks)


def _adding_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            message["headers"] = list(message.get("headers", [])) + extra
        await send(message)

    return wrapped


async def _drop_connection(send: Send) -> None:
    """Close the client's connection with no response at all, as a network failure would.

    uvicorn's ``send`` is a bound method of the request cycle, which holds the transport.  Yielding to the
    loop lets uvicorn notice the disconnect, so it neither logs nor tries to send a 500.  Under a server
    without that (a test client), fall back to a truncated response, which clients also see as an error.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.close()
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionAbortedError("sandbox fault: response dropped after commit")
