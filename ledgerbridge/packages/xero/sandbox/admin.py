"""The sandbox-only admin API under ``/sandbox``: faults, counters, reset, limits, clock, shortcuts.

None of this exists in Xero.  It is what tests, the demo and the benchmarks use to arrange a scenario
(inject a failure, record a customer's payment, skip the browser consent) and to measure a run (API calls).
Requests here are not counted, not rate limited and need no token: the server listens on loopback only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from .endpoint import error_response, runtime_of, xero_response
from .errors import ValidationFailed
from .oauth import OAuthError
from .wire import decode_json

router = APIRouter(prefix="/sandbox")

DEFAULT_SCOPE = (
    "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings"
)
_LIMIT_NAMES = ("enabled", "per_minute", "per_day", "concurrent", "app_per_minute")


async def _json(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body.strip():
        return {}
    payload = decode_json(body)
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object")
    return payload


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


@router.get("/faults")
async def get_faults(request: Request) -> Response:
    return JSONResponse(runtime_of(request).faults.snapshot())


@router.post("/faults")
async def arm_faults(request: Request) -> Response:
    """E.g. ``{"drop_response_after_commit": 1}``, ``{"fail_with_status": 503, "count": 2}``,
    ``{"rate_limit_storm": 3}``, ``{"latency_ms": 200}``."""
    try:
        runtime_of(request).faults.arm(await _json(request))
    except (TypeError, ValueError) as exc:
        return _bad_request(str(exc))
    return JSONResponse(runtime_of(request).faults.snapshot())


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    runtime_of(request).faults.clear()
    return Response(status_code=204)


@router.get("/stats")
async def get_stats(request: Request) -> Response:
    return JSONResponse(runtime_of(request).stats.snapshot())


@router.delete("/stats")
async def clear_stats(request: Request) -> Response:
    runtime_of(request).stats.reset()
    return Response(status_code=204)


@router.post("/reset")
async def reset(request: Request) -> Response:
    """Fresh books; ``{"identity": true}`` also forgets tokens and connections."""
    options = await _json(request)
    runtime_of(request).reset(identity=bool(options.get("identity")))
    return JSONResponse({"reset": True})


@router.get("/rate-limits")
async def get_rate_limits(request: Request) -> Response:
    return JSONResponse(_limits(runtime_of(request).limiter.settings))


@router.post("/rate-limits")
async def set_rate_limits(request: Request) -> Response:
    """Change limits while running: any of ``enabled``, ``per_minute``, ``per_day``, ``concurrent``,
    ``app_per_minute``; ``{"reset_windows": true}`` also starts every window afresh."""
    payload = await _json(request)
    limiter = runtime_of(request).limiter
    changes: dict[str, Any] = {}
    for name, value in payload.items():
        if name == "reset_windows":
            continue
        if name not in _LIMIT_NAMES:
            return _bad_request(f"unknown rate limit setting {name!r}")
        changes[name] = bool(value) if name == "enabled" else int(value)
    settings = limiter.configure(**changes)
    if payload.get("reset_windows"):
        limiter.reset()
    return JSONResponse(_limits(settings))


def _limits(settings: Any) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in _LIMIT_NAMES}


@router.post("/clock")
async def advance_clock(request: Request) -> Response:
    """``{"advance_seconds": 1801}``: expire tokens, codes and rate windows without waiting;
    ``{"scale": 20, "origin": <epoch s>}``: run the clock 20 times faster from then (benchmarks)."""
    payload = await _json(request)
    clock = runtime_of(request).clock
    clock.advance(float(payload.get("advance_seconds", 0)))
    if "scale" in payload:
        clock.scale = float(payload["scale"])
        clock.origin = float(payload.get("origin", 0.0))
    return JSONResponse({"offset_seconds": clock.offset, "scale": clock.scale})


@router.get("/tenants")
async def list_tenants(request: Request) -> Response:
    runtime = runtime_of(request)
    tenants = []
    for tenant_id in runtime.store.tenant_names():
        with runtime.store.open(tenant_id) as books:
            tenants.append({"tenantId": tenant_id, "tenantName": books.name, "baseCurrency": books.base_currency,
                            "currencies": sorted(books.enabled_currencies)})
    return JSONResponse(tenants)


@router.post("/tenants/{tenant_id}/payments")
async def record_payment(request: Request, tenant_id: str) -> Response:
    """Record a payment as a user would in Xero's UI; the body is a Xero ``Payment``."""
    payload = await _json(request)
    view, errors = runtime_of(request).store.record_payment(tenant_id.lower(), payload)
    if view is None:
        return error_response(ValidationFailed([{"ValidationErrors": [{"Message": m} for m in errors]}]))
    return xero_response(request, Payments=[view])


@router.post("/tenants/{tenant_id}/contacts")
async def add_contacts(request: Request, tenant_id: str) -> Response:
    """Contacts made by hand in Xero's UI (no API call is counted): ``{"Contacts": [{"Name", "ContactNumber",
    "EmailAddress", "IsCustomer", "IsSupplier"}, ...]}``; all of them or, when one is refused, none."""
    payload = await _json(request)
    rows = payload.get("Contacts")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return _bad_request("Contacts must be a list of contacts")
    made, errors = runtime_of(request).store.add_contacts(tenant_id.lower(), rows)
    if errors:
        return error_response(ValidationFailed([{"ValidationErrors": [{"Message": m} for m in errors]}]))
    return JSONResponse({"ContactIDs": made})


@router.post("/tokens")
async def issue_tokens(request: Request) -> Response:
    """Consent and code exchange in one call: ``{"scope": "...", "tenant_ids": [...]}`` (both optional)."""
    payload = await _json(request)
    runtime = runtime_of(request)
    tenant_ids = payload.get("tenant_ids") or list(runtime.store.tenant_names())
    issuer = str(request.base_url).rstrip("/")  # as the token endpoint's (identity.py)
    try:
        issued = runtime.identity.issue_direct(str(payload.get("scope") or DEFAULT_SCOPE), list(tenant_ids), issuer)
    except OAuthError as error:
        return JSONResponse(error.body(), status_code=400)
    return JSONResponse(issued)
