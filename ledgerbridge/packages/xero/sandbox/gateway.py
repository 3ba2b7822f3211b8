"""The front door of the accounting API: faults, authentication, rate limits, idempotency, call counting.

It is plain ASGI and sits *outside* FastAPI's own middleware (:mod:`ledgerbridge.sandboxes.gateway` says why).
Order of checks, as Xero applies them where it matters:

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
from http import HTTPStatus

from starlette.datastructures import Headers

from ledgerbridge.sandboxes import gateway
from ledgerbridge.sandboxes.gateway import TEXT, HeaderList, Receive, Scope, Send, adding_headers, respond, run_captured

from .config import API_PREFIX, MAX_QUERY_STRING
from .errors import Forbidden, NotFound, Unauthorized, XeroApiError
from .idempotency import MAX_KEY_LENGTH, StoredResponse
from .runtime import SandboxRuntime

WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})


def _problem(status: int, title: str, detail: str) -> bytes:
    return json.dumps({"Type": None, "Title": title, "Status": status, "Detail": detail}).encode()


class SandboxGateway(gateway.SandboxGateway[SandboxRuntime]):
    api_prefix = API_PREFIX

    async def api(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime = self.runtime
        if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            # Xero's edge refuses it before the API sees it: a 404 that reads like an unknown record
            await respond(send, 404, str(NotFound().body()).encode(), content_type=TEXT)
            return
        headers = Headers(scope=scope)
        failure = runtime.faults.take_failure()
        if failure is not None:
            body = _problem(failure, HTTPStatus(failure).phrase, "The Xero API is unavailable (sandbox fault).")
            await respond(send, failure, body)
            return
        if runtime.faults.take_storm():
            decision = runtime.limiter.storm_decision(headers.get("xero-tenant-id"))
            body = _problem(429, "Too Many Requests", "Rate limit exceeded: minute (sandbox fault).")
            await respond(send, 429, body, decision.headers())
            return
        try:
            tenant_id = self._authorise(headers)
        except XeroApiError as error:
            await respond(send, error.status, json.dumps(error.body()).encode())
            return
        decision = runtime.limiter.acquire(tenant_id)
        if decision.problem:
            body = _problem(429, "Too Many Requests", f"Rate limit exceeded: {decision.problem}")
            await respond(send, 429, body, decision.headers())
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
                        limit_headers: HeaderList) -> None:
        method = scope["method"]
        if method not in WRITE_METHODS:
            await self.app(scope, receive, adding_headers(send, limit_headers))
            return
        key_header = headers.get("idempotency-key")
        key = None
        if key_header is not None:
            if len(key_header) > MAX_KEY_LENGTH:
                # Assumption: refused in the spec's Error shape; Xero's own answer is not documented.
                refusal = {"ErrorNumber": 10, "Type": "ValidationException",
                           "Message": f"Idempotency-Key must be {MAX_KEY_LENGTH} characters or fewer."}
                await respond(send, 400, json.dumps(refusal).encode(), limit_headers)
                return
            key = (tenant_id, method, scope["path"], key_header)
            begun = self.runtime.idempotency.begin(key)
            if isinstance(begun, StoredResponse):
                replay_headers = limit_headers + [(b"idempotent-replayed", b"true")]
                await respond(send, begun.status, begun.body, replay_headers, begun.content_type)
                return
            if begun is False:
                detail = "A request with this Idempotency-Key is still being processed."
                await respond(send, 409, _problem(409, "Conflict", detail), limit_headers)
                return
        try:
            answer = await run_captured(self.app, scope, receive)
        except BaseException:
            if key is not None:
                self.runtime.idempotency.abandon(key)
            raise
        if key is not None:
            if answer.status >= 500:
                self.runtime.idempotency.abandon(key)
            else:
                self.runtime.idempotency.complete(key, answer.status, answer.content_type, answer.body)
        if self.runtime.faults.take_drop():
            await gateway.drop_connection(send)
            return
        await respond(send, answer.status, answer.body, limit_headers, answer.content_type)
