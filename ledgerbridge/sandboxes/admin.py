"""The admin routes a sandbox has whatever package it imitates: faults, call counts, reset and rate limits.

None of this exists in any package: it is what tests, the demo and the benchmarks use to arrange a scenario and
to measure a run. Requests here are not counted, not rate limited and need no token (the server listens on
loopback only). Each package's ``sandbox/admin.py`` adds its own routes (its companies, tokens, clock, payments)
to the router :func:`admin_routes` makes, under the same ``/sandbox`` prefix. Xero's sandbox keeps its own
versions (its reset forgets connections, its limits are named), older than these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ledgerbridge.sandboxes.exact_json import loads
from ledgerbridge.sandboxes.faults import FaultPlan


class _Snapshots(Protocol):
    def snapshot(self) -> dict[str, object]: ...


class _Limiter(_Snapshots, Protocol):
    def configure(self, **changes: Any) -> None: ...
    def reset(self) -> None: ...


class AdminRuntime(Protocol):
    """What the shared admin routes use of a sandbox's runtime."""

    @property
    def faults(self) -> FaultPlan: ...
    @property
    def stats(self) -> _Snapshots: ...
    @property
    def limiter(self) -> _Limiter: ...

    def reset(self, *, tokens: bool = False) -> None: ...


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object (numbers with a fraction as Decimal); an empty body is ``{}``."""
    body = await request.body()
    payload = loads(body) if body.strip() else {}
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object")
    return payload


def bad_request(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def admin_routes(runtime_of: Callable[[Request], AdminRuntime]) -> APIRouter:
    """The shared routes, for a package's ``/sandbox`` router to include."""
    router = APIRouter()

    @router.get("/faults")
    async def get_faults(request: Request) -> Response:
        return JSONResponse(runtime_of(request).faults.snapshot())

    @router.post("/faults")
    async def arm_faults(request: Request) -> Response:
        """E.g. ``{"fail_with_status": 503, "count": 2}``, ``{"rate_limit_storm": 3}`` (the package's own
        rate-limit answer), ``{"drop_response_after_commit": 1}``, ``{"latency_ms": 200}``."""
        try:
            runtime_of(request).faults.arm(await json_object(request))
        except (TypeError, ValueError) as exc:
            return bad_request(str(exc))
        return JSONResponse(runtime_of(request).faults.snapshot())

    @router.delete("/faults")
    async def clear_faults(request: Request) -> Response:
        runtime_of(request).faults.clear()
        return JSONResponse(runtime_of(request).faults.snapshot())

    @router.get("/stats")
    async def stats(request: Request) -> Response:
        return JSONResponse(runtime_of(request).stats.snapshot())

    @router.post("/reset")
    async def reset(request: Request) -> Response:
        """Fresh books, faults, counters and clock (and what else the package's runtime resets); ``{"tokens":
        true}`` also forgets every grant."""
        try:
            payload = await json_object(request)
        except ValueError as exc:
            return bad_request(str(exc))
        runtime_of(request).reset(tokens=bool(payload.get("tokens")))
        return JSONResponse({"reset": True})

    @router.get("/rate-limits")
    async def get_limits(request: Request) -> Response:
        return JSONResponse(runtime_of(request).limiter.snapshot())

    @router.post("/rate-limits")
    async def set_limits(request: Request) -> Response:
        """E.g. ``{"enabled": true, "per_minute": 5, "reset_windows": true}`` (the package's limits' names)."""
        limiter = runtime_of(request).limiter
        try:
            payload = await json_object(request)
            reset_windows = payload.pop("reset_windows", False)
            limiter.configure(**payload)
        except (TypeError, ValueError) as exc:
            return bad_request(str(exc))
        if reset_windows:
            limiter.reset()
        return JSONResponse(limiter.snapshot())

    return router
