"""The sandbox-only admin API under ``/sandbox``: faults, counters, reset, businesses, tokens, limits, clock,
company preferences, deletions. None of this exists in MYOB. Requests here are not counted, not rate-limited and
need no token (the server listens on loopback only). What a MYOB user does by hand is in :mod:`.books`.

Faults, counters, reset and limits are every sandbox's (:mod:`ledgerbridge.sandboxes.admin`): here a
``{"fail_with_status": 504}`` is MYOB's GatewayTimeout, a ``rate_limit_storm`` answers 403 RateLimitError, and the
limits are ``{"enabled": true, "per_second": 8, "reset_windows": true}``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ledgerbridge.sandboxes.admin import admin_routes, bad_request, json_object

from . import books
from .oauth import ALL_SCOPES, parse_scopes
from .runtime import SandboxRuntime
from .wire import myob_time


def _runtime(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


router = APIRouter(prefix="/sandbox")
router.include_router(books.router)
router.include_router(admin_routes(_runtime))


@router.get("/businesses")
async def businesses(request: Request) -> Response:
    return JSONResponse([{"businessId": b.business_id, "name": b.seed.name, "country": b.seed.country,
                          "currency": b.seed.currency, "financialYearStart": b.seed.year_start.isoformat()}
                         for b in _runtime(request).store.businesses.values()])


@router.post("/tokens")
async def tokens(request: Request) -> Response:
    """Skip the browser consent: a token pair for ``{"businessId": ..., "scope": "sme-sales ..."}`` (default: the
    first business, every scope)."""
    runtime = _runtime(request)
    payload = await json_object(request)
    business_id = str(payload.get("businessId") or next(iter(runtime.store.businesses)))
    business = runtime.store.business(business_id)
    if business is None:
        return bad_request(f"unknown businessId {business_id}", 404)
    scopes = parse_scopes(str(payload["scope"])) if payload.get("scope") else ALL_SCOPES
    grant = runtime.oauth.new_grant(runtime.config.client_id, business.business_id, scopes)
    return JSONResponse({**grant, "businessId": business.business_id})


@router.post("/businesses/{business_id}/disconnect")
async def disconnect(request: Request, business_id: str) -> Response:
    """The business's administrator removes the app: every token for it stops working."""
    ended = _runtime(request).oauth.revoke_business(business_id.lower())
    return JSONResponse({"grants_ended": ended})


@router.get("/businesses/{business_id}/preferences")
async def get_preferences(request: Request, business_id: str) -> Response:
    business = _runtime(request).store.business(business_id)
    if business is None:
        return bad_request(f"unknown businessId {business_id}", 404)
    return JSONResponse(business.preferences["System"])


@router.post("/businesses/{business_id}/preferences")
async def set_preferences(request: Request, business_id: str) -> Response:
    """``{"TransactionsCannotBeChangedMustBeReversed": true}`` or ``{"LockPeriodPriorTo": "2026-01-01"}``."""
    business = _runtime(request).store.business(business_id)
    if business is None:
        return bad_request(f"unknown businessId {business_id}", 404)
    payload = await json_object(request)
    system = business.preferences["System"]
    for name, value in payload.items():
        if name == "TransactionsCannotBeChangedMustBeReversed":
            system[name] = bool(value)
        elif name == "LockPeriodPriorTo":
            system[name] = myob_time(date.fromisoformat(str(value)[:10])) if value else None
        else:
            return bad_request(f"unknown preference {name!r}")
    return JSONResponse(system)


@router.get("/businesses/{business_id}/deletions")
async def deletions(request: Request, business_id: str) -> Response:
    business = _runtime(request).store.business(business_id)
    if business is None:
        return bad_request(f"unknown businessId {business_id}", 404)
    return JSONResponse([{"kind": d.kind, "UID": d.uid, "deletedAt": myob_time(d.deleted_at)}
                         for d in business.deletions])


@router.post("/clock")
async def clock(request: Request) -> Response:
    """``{"advance_seconds": 1200}`` moves the token and rate-limit clock on (record timestamps stay real);
    ``{"scale": 20, "origin": <epoch s>}`` runs it 20 times faster from then (benchmarks)."""
    runtime = _runtime(request)
    payload = await json_object(request)
    runtime.clock.advance(float(payload.get("advance_seconds", 0)))
    if "scale" in payload:
        runtime.clock.scale = float(payload["scale"])
        runtime.clock.origin = float(payload.get("origin", 0.0))
    return JSONResponse({"offset_seconds": runtime.clock.offset, "scale": runtime.clock.scale})
