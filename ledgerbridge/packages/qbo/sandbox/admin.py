"""The sandbox-only admin API under ``/sandbox``: faults, counters, reset, companies, payments, tokens, limits,
clock. None of this exists in QBO. Requests here are not counted, not throttled and need no token (the server
listens on loopback only). Faults, counters, reset and limits are every sandbox's (:mod:`ledgerbridge.sandboxes.admin`):
a ``rate_limit_storm`` answers 429 ThrottleExceeded, and the limits are ``{"enabled": true, "per_minute": 5,
"reset_windows": true}``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ledgerbridge.sandboxes.admin import admin_routes, bad_request, json_object

from . import errors, service
from .runtime import SandboxRuntime
from .store import Company, Record
from .wire import dumps


def _runtime(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


router = APIRouter(prefix="/sandbox")
router.include_router(admin_routes(_runtime))


def _exact(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(dumps(payload), status_code=status, media_type="application/json")


@router.get("/companies")
async def companies(request: Request) -> Response:
    return JSONResponse([{"realmId": c.realm_id, "name": c.seed.name, "country": c.seed.country,
                          "currency": c.seed.currency} for c in _runtime(request).store.companies.values()])


@router.post("/tokens")
async def tokens(request: Request) -> Response:
    """Skip the browser consent: a token pair for ``{"realmId": ...}`` (default: the first company), of the
    sandbox's app or of the ``"app"`` named (another app on the same company: its own throttles per app)."""
    runtime = _runtime(request)
    payload = await json_object(request)
    realm_id = str(payload.get("realmId") or next(iter(runtime.store.companies)))
    if runtime.store.company(realm_id) is None:
        return bad_request(f"unknown realmId {realm_id}", 404)
    app = str(payload.get("app") or runtime.config.client_id)
    return JSONResponse({**runtime.oauth.new_grant(app, realm_id), "realmId": realm_id})


@router.post("/clock")
async def clock(request: Request) -> Response:
    """``{"advance_seconds": 3600}`` moves the token and throttle clock on (record timestamps stay real)."""
    runtime = _runtime(request)
    payload = await json_object(request)
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
        return bad_request(f"unknown realmId {realm_id}", 404)
    try:
        payment = receive_payment(company, await json_object(request))
    except errors.QboFault as fault:
        return _exact({"Fault": fault.fault()}, fault.status)
    except ValueError as exc:
        return bad_request(str(exc))
    return _exact({"Payment": payment}, 201)
