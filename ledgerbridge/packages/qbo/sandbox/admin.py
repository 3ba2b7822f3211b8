"""The sandbox-only admin API under ``/sandbox``: faults, counters, reset, companies, payments, tokens, limits,
clock. None of this exists in QBO. Requests here are not counted, not throttled and need no token (the server
listens on loopback only).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from . import errors, service
from .runtime import SandboxRuntime
from .store import Company, Record
from .wire import dumps, loads

router = APIRouter(prefix="/sandbox")


def _runtime(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def _json(request: Request) -> dict[str, Any]:
    body = await request.body()
    payload = loads(body) if body.strip() else {}
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object")
    return payload


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _exact(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(dumps(payload), status_code=status, media_type="application/json")


@router.get("/faults")
async def get_faults(request: Request) -> Response:
    return JSONResponse(_runtime(request).faults.snapshot())


@router.post("/faults")
async def arm_faults(request: Request) -> Response:
    """E.g. ``{"drop_response_after_commit": 1}``, ``{"fail_with_status": 503, "count": 2}``,
    ``{"rate_limit_storm": 3}``, ``{"latency_ms": 200}``."""
    try:
        _runtime(request).faults.arm(await _json(request))
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return JSONResponse(_runtime(request).faults.snapshot())


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    _runtime(request).faults.clear()
    return JSONResponse(_runtime(request).faults.snapshot())


@router.get("/stats")
async def stats(request: Request) -> Response:
    return JSONResponse(_runtime(request).stats.snapshot())


@router.post("/reset")
async def reset(request: Request) -> Response:
    """Fresh books, requestid caches, faults, counters and clock; ``{"tokens": true}`` also forgets tokens."""
    try:
        payload = await _json(request)
    except ValueError as exc:
        return _bad(str(exc))
    _runtime(request).reset(tokens=bool(payload.get("tokens")))
    return JSONResponse({"reset": True})


@router.get("/companies")
async def companies(request: Request) -> Response:
    return JSONResponse([{"realmId": c.realm_id, "name": c.seed.name, "country": c.seed.country,
                          "currency": c.seed.currency} for c in _runtime(request).store.companies.values()])


@router.post("/tokens")
async def tokens(request: Request) -> Response:
    """Skip the browser consent: a token pair for ``{"realmId": ...}`` (default: the first company)."""
    runtime = _runtime(request)
    payload = await _json(request)
    realm_id = str(payload.get("realmId") or next(iter(runtime.store.companies)))
    if runtime.store.company(realm_id) is None:
        return _bad(f"unknown realmId {realm_id}", 404)
    return JSONResponse({**runtime.oauth.new_grant(runtime.config.client_id, realm_id), "realmId": realm_id})


@router.get("/rate-limits")
async def get_limits(request: Request) -> Response:
    return JSONResponse(_runtime(request).limiter.snapshot())


@router.post("/rate-limits")
async def set_limits(request: Request) -> Response:
    """E.g. ``{"enabled": true, "per_minute": 5, "reset_windows": true}``."""
    runtime = _runtime(request)
    try:
        payload = await _json(request)
        reset_windows = payload.pop("reset_windows", False)
        runtime.limiter.configure(**payload)
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    if reset_windows:
        runtime.limiter.reset()
    return JSONResponse(runtime.limiter.snapshot())


@router.post("/clock")
async def clock(request: Request) -> Response:
    """``{"advance_seconds": 3600}`` moves the token and throttle clock on (record timestamps stay real)."""
    runtime = _runtime(request)
    payload = await _json(request)
    runtime.clock.advance(float(payload.get("advance_seconds", 0)))
    return JSONResponse({"offset_seconds": runtime.clock.offset})


def receive_payment(company: Company, payload: dict[str, Any]) -> Record:
    """Record a customer payment as a QuickBooks user would ("Receive payment"), through the API's own rules.

    ``{"amount": "120.00", "allocations": [{"invoice_id": "101", "amount": "120.00"}], "date": "2026-07-10",
    "reference": "BACS-77", "customer_id": "..."}``; ``customer_id`` defaults to the first invoice's customer,
    ``allocations`` may be empty (a payment on account, all unapplied)."""
    allocations = payload.get("allocations") or []
    customer_id = payload.get("customer_id")
    lines = []
    for allocation in allocations:
        invoice = company.get("Invoice", str(allocation.get("invoice_id", "")))
        if invoice is None:
            raise errors.object_not_found("Invoice", str(allocation.get("invoice_id")))
        customer_id = customer_id or invoice["CustomerRef"]["value"]
        lines.append({"Amount": _amount(allocation.get("amount")),
                      "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]})
    if not customer_id:
        raise errors.required("customer_id")
    body: dict[str, Any] = {"CustomerRef": {"value": str(customer_id)}, "TotalAmt": _amount(payload.get("amount")),
                            "Line": lines}
    if payload.get("date"):
        body["TxnDate"] = str(payload["date"])
    if payload.get("reference"):
        body["PaymentRefNum"] = str(payload["reference"])
    if payload.get("payment_method_id"):
        body["PaymentMethodRef"] = {"value": str(payload["payment_method_id"])}
    return service.create(company, "Payment", body)


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise errors.invalid_property("amount", "amount is not a number") from None


@router.post("/companies/{realm_id}/payments")
async def record_payment(request: Request, realm_id: str) -> Response:
    company = _runtime(request).store.company(realm_id)
    if company is None:
        return _bad(f"unknown realmId {realm_id}", 404)
    try:
        payment = receive_payment(company, await _json(request))
    except errors.QboFault as fault:
        return _exact({"Fault": fault.fault()}, fault.status)
    except ValueError as exc:
        return _bad(str(exc))
    return _exact({"Payment": payment}, 201)
