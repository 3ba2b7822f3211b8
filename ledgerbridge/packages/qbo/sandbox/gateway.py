"""The front door of ``/v3/company/...``: faults, bearer auth, throttles, requestid replay, call counting.

Plain ASGI outside FastAPI, as in the other sandboxes (:mod:`ledgerbridge.sandboxes.gateway` says why). Order of
checks:

1. injected 5xx faults and 429 storms (an outage at the edge);
2. ``Authorization: Bearer`` (401, gateway body) and the token's realm against the path (403);
3. the realm's throttles (429 ``ThrottleExceeded``);
4. ``requestid`` replay for POSTs: the first response for (realm, requestid) is stored and returned byte for byte
   to any later request with the same id (assumed: QBO does not compare paths or bodies); a duplicate that
   arrives while the first is still running gets 600 "Duplicate Request ID";
5. the route, then an injected dropped response if one is armed (POSTs only).

Every response here carries an ``intuit_tid`` header, as QBO's do.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers

from ledgerbridge.sandboxes import gateway
from ledgerbridge.sandboxes.gateway import HeaderList, Receive, Scope, Send, adding_headers, run_captured

from . import errors
from .config import API_PREFIX
from .runtime import SandboxRuntime
from .wire import dumps, qbo_time, utcnow

JSON = b"application/json;charset=UTF-8"
MAX_REQUEST_ID = 50


class SandboxGateway(gateway.SandboxGateway[SandboxRuntime]):
    api_prefix = API_PREFIX + "/"

    def _envelope(self, payload: dict[str, Any]) -> bytes:
        return dumps({**payload, "time": qbo_time(utcnow(), self.runtime.config.utc_offset_hours)})

    async def api(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime = self.runtime
        tid = [(b"intuit_tid", uuid.uuid4().hex.encode())]
        failure = runtime.faults.take_failure()
        if failure is not None:
            await _respond(send, failure, self._envelope({"Fault": errors.system_fault(failure).fault()}), tid)
            return
        if runtime.faults.take_storm():
            await _respond(send, 429, self._envelope(errors.throttled()), tid + self._retry_after())
            return
        realm_id = scope["path"][len(API_PREFIX) + 1:].split("/", 1)[0]
        headers = Headers(scope=scope)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        grant = runtime.oauth.access(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None:
            await _respond(send, 401, self._envelope(errors.unauthorized()), tid)
            return
        if grant.company_id != realm_id or runtime.store.company(realm_id) is None:
            await _respond(send, 403, self._envelope({"Fault": errors.forbidden(realm_id).fault()}), tid)
            return
        problem = runtime.limiter.acquire(realm_id, grant.client_id, scope["path"].endswith("/batch"))
        if problem is not None:
            await _respond(send, 429, self._envelope(errors.throttled(f"The request limit was reached "
                                                                      f"({problem}).")), tid + self._retry_after())
            return
        try:
            if runtime.faults.latency_seconds:
                await asyncio.sleep(runtime.faults.latency_seconds)
            await self._dispatch(scope, receive, send, realm_id, tid)
        finally:
            runtime.limiter.release(realm_id, grant.client_id)

    def _retry_after(self) -> HeaderList:
        seconds = self.runtime.config.retry_after_seconds
        return [] if seconds is None else [(b"retry-after", str(seconds).encode())]

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send, realm_id: str,
                        tid: HeaderList) -> None:
        if scope["method"] != "POST":
            await self.app(scope, receive, adding_headers(send, tid))
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        request_id = (query.get("requestid") or [None])[0]
        company = self.runtime.store.company(realm_id)
        assert company is not None
        if request_id is not None:
            if len(request_id) > MAX_REQUEST_ID:
                fault = errors.too_long("requestid", MAX_REQUEST_ID, len(request_id))
                await _respond(send, 400, self._envelope({"Fault": fault.fault()}), tid)
                return
            if request_id in company.request_ids:
                stored = company.request_ids[request_id]
                if stored is None:
                    fault = errors.QboFault("600", "Duplicate Request ID",
                                            f"Duplicate Request ID : {request_id} is still being processed")
                    await _respond(send, 400, self._envelope({"Fault": fault.fault()}), tid)
                else:
                    await _respond(send, stored[0], stored[1], tid)
                return
            company.request_ids[request_id] = None
        try:
            answer = await run_captured(self.app, scope, receive)
        except BaseException:
            if request_id is not None:
                company.request_ids.pop(request_id, None)
            raise
        if request_id is not None:
            if answer.status >= 500:
                company.request_ids.pop(request_id, None)
            else:
                company.request_ids[request_id] = (answer.status, answer.body)
        if self.runtime.faults.take_drop():
            await gateway.drop_connection(send)
            return
        await _respond(send, answer.status, answer.body, tid)


async def _respond(send: Send, status: int, body: bytes, headers: HeaderList) -> None:
    await gateway.respond(send, status, body, headers, JSON)
