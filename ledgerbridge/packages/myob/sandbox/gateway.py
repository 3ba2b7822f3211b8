"""The front door of ``/accountright/...``: faults, API key, rate limit, bearer token, company file, call counts.

Plain ASGI outside FastAPI, as in the other sandboxes (:mod:`ledgerbridge.sandboxes.gateway` says why). Order of
checks (each answer is
MYOB's JSON error body, which pymyob parses even on 403):

1. injected faults: a 5xx (504 is MYOB's ``GatewayTimeout``) or a 403 ``RateLimitError`` storm;
2. ``x-myobapi-key`` must be the app's key (403 ``DeveloperInactive``);
3. the key's rate limit, counted per key across businesses (403 ``RateLimitError``);
4. ``Authorization: Bearer`` (401), ``x-myobapi-version: v2`` (400, assumed), then the business: unknown → 404,
   not the token's → 403;
5. the route (scopes and verbs are checked there), then an injected dropped answer for writes.

Every API answer carries ``x-myobapi-requestid``, as MYOB's errors do.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from starlette.datastructures import Headers

from ledgerbridge.sandboxes import gateway
from ledgerbridge.sandboxes.gateway import Message, Receive, Scope, Send, adding_headers, respond, run_captured

from . import errors
from .config import API_PREFIX
from .runtime import Exchange, SandboxRuntime
from .wire import dumps

_WRITES = frozenset({"POST", "PUT", "DELETE"})


class SandboxGateway(gateway.SandboxGateway[SandboxRuntime]):
    api_prefix = API_PREFIX

    async def api(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.runtime.taps:
            await self._tapped(scope, receive, send)
            return
        await self._api(scope, receive, send)

    async def _tapped(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve as usual, keeping a copy of the request and the answer for the runtime's taps."""
        request_chunks: list[bytes] = []
        answer: dict[str, Any] = {"status": 0, "type": "", "body": []}

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_chunks.append(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["type"] = Headers(raw=list(message.get("headers", []))).get("content-type", "")
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))
            await send(message)

        await self._api(scope, receiving, sending)
        if answer["status"]:
            exchange = Exchange(scope["method"], scope["path"], b"".join(request_chunks), answer["status"],
                                answer["type"], b"".join(answer["body"]))
            for tap in list(self.runtime.taps):
                tap(exchange)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = [(b"x-myobapi-requestid", str(uuid.uuid4()).encode())]
        refusal = self._refusal(scope)
        if refusal is not None:
            await respond(send, refusal.status, dumps(refusal.body()), request_id)
            return
        if self.runtime.faults.latency_seconds:
            await asyncio.sleep(self.runtime.faults.latency_seconds)
        if scope["method"] not in _WRITES:
            await self.app(scope, receive, adding_headers(send, request_id))
            return
        answer = await run_captured(self.app, scope, receive)
        if answer.status < 400 and self.runtime.faults.take_drop():
            await gateway.drop_connection(send)
            return
        await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers + request_id})
        await send({"type": "http.response.body", "body": answer.body})

    def _refusal(self, scope: Scope) -> errors.MyobError | None:
        runtime = self.runtime
        failure = runtime.faults.take_failure()
        if failure is not None:
            return errors.gateway_timeout() if failure == 504 else errors.server_error(failure)
        if runtime.faults.take_storm():
            return errors.rate_limited()
        headers = Headers(scope=scope)
        api_key = headers.get("x-myobapi-key", "")
        if api_key != runtime.config.client_id:
            return errors.developer_inactive()
        window = runtime.limiter.acquire(api_key)
        if window is not None:
            return errors.rate_limited(window)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        grant = runtime.oauth.access(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None:
            return errors.unauthorized()
        if headers.get("x-myobapi-version", "").lower() != "v2":
            return errors.version_missing()
        business_id = scope["path"][len(API_PREFIX):].strip("/").split("/", 1)[0]
        if business_id and business_id.lower() not in ("info",):
            if runtime.store.business(business_id) is None:
                return errors.business_missing(business_id)
            if grant.company_id.lower() != business_id.lower():
                return errors.access_denied(business_id)
        scope.setdefault("state", {})["grant"] = grant
        return None
