"""The sandbox-only JSON admin API under ``/sandbox`` (loopback, no credentials): look at the company, act as a
QuickBooks user, arm faults, reset. None of this exists in QuickBooks; the Web Connector never calls it.

- ``GET /sandbox/books``: company, names, transactions (open amounts, what each payment applied), deleted log.
- ``POST /sandbox/payments`` ``{"invoice_id", "amount", "total"?, "date"?, "reference"?, "method"?}``: Receive
  Payments (``total`` above ``amount`` leaves the rest unapplied); 201 ``{"txn_id"}``, or 400 ``{"error",
  "status_code"}`` with QuickBooks' own message.
- ``POST /sandbox/bill-payments`` ``{"bill_id", "amount", "date"?, "reference"?, "bank_account"?}``: Pay Bills.
- ``POST /sandbox/credits`` ``{"credit_id", "invoice_id", "amount"}``: apply a credit memo to an invoice.
- ``DELETE /sandbox/payments/{txn_id}``; ``POST /sandbox/transactions/{txn_id}/void``;
  ``POST /sandbox/invoices/{txn_id}/lines`` ``{"amount", "description"?}`` (QuickBooks adds its tax).
- ``GET|POST /sandbox/faults`` ``{"quickbooks_running": false}`` (the request processor cannot reach QuickBooks)
  or ``{"crash_after_requests": N}`` (the next message dies after N requests); ``DELETE`` clears them.
- ``POST /sandbox/reset``: a fresh company file.
- ``GET /sandbox/stats``: ``{"messages"}``, the qbXML messages the company ran (the bench's "calls"), and
  ``"calls": {}`` (no endpoints: one request processor).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .company import QuickBooksCompany
from .user_actions import (
    ActionRefused,
    Done,
    add_line,
    apply_credit,
    books_view,
    delete_payment,
    money,
    pay_bill,
    receive_payment,
    void,
)

__all__ = ["routes"]


def company_of(request: Request) -> QuickBooksCompany:
    company = request.app.state.company
    assert isinstance(company, QuickBooksCompany)
    return company


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    payload = json.loads(raw) if raw.strip() else {}
    if not isinstance(payload, dict):
        raise ActionRefused("expected a JSON object")
    return payload


def _refused(error: ActionRefused) -> JSONResponse:
    return JSONResponse({"error": str(error), "status_code": error.code}, status_code=400)


def _action(run: Callable[[QuickBooksCompany, dict[str, Any], Request], Done]) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        try:
            done = run(company_of(request), await _body(request), request)
        except json.JSONDecodeError as error:
            return JSONResponse({"error": f"not JSON: {error}", "status_code": 0}, status_code=400)
        except ActionRefused as error:
            return _refused(error)
        return JSONResponse({"txn_id": done.txn_id, "message": done.message}, status_code=201)
    return endpoint


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value in (None, ""):
        raise ActionRefused(f"{name} is required")
    return str(value)


def _optional_money(body: dict[str, Any], name: str) -> Decimal | None:
    return money(body[name], name) if body.get(name) not in (None, "") else None


def _receive(company: QuickBooksCompany, body: dict[str, Any], _: Request) -> Done:
    return receive_payment(company, _required(body, "invoice_id"), money(_required(body, "amount")),
                           _optional_money(body, "total"), body.get("date"), body.get("reference"),
                           body.get("method"))


def _pay_bill(company: QuickBooksCompany, body: dict[str, Any], _: Request) -> Done:
    return pay_bill(company, _required(body, "bill_id"), money(_required(body, "amount")), body.get("date"),
                    body.get("reference"), body.get("bank_account"))


def _credit(company: QuickBooksCompany, body: dict[str, Any], _: Request) -> Done:
    return apply_credit(company, _required(body, "credit_id"), _required(body, "invoice_id"),
                        money(_required(body, "amount")))


def _delete(company: QuickBooksCompany, _: dict[str, Any], request: Request) -> Done:
    return delete_payment(company, request.path_params["txn_id"])


def _void(company: QuickBooksCompany, _: dict[str, Any], request: Request) -> Done:
    return void(company, request.path_params["txn_id"])


def _add_line(company: QuickBooksCompany, body: dict[str, Any], request: Request) -> Done:
    return add_line(company, request.path_params["txn_id"], money(_required(body, "amount")),
                    str(body.get("description") or "Added in QuickBooks"))


async def books(request: Request) -> Response:
    return JSONResponse(books_view(company_of(request)))


def _faults(company: QuickBooksCompany) -> dict[str, Any]:
    return {"quickbooks_running": company.running, "crash_after_requests": company.pending_crash}


async def faults(request: Request) -> Response:
    company = company_of(request)
    if request.method == "DELETE":
        company.running = True
        company.crash_during_next_message(None)
    elif request.method == "POST":
        try:
            body = await _body(request)
        except (ActionRefused, json.JSONDecodeError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        unknown = set(body) - {"quickbooks_running", "crash_after_requests"}
        if unknown:
            return JSONResponse({"error": f"unknown fault(s): {', '.join(sorted(unknown))}"}, status_code=400)
        if "quickbooks_running" in body:
            company.running = bool(body["quickbooks_running"])
        if "crash_after_requests" in body:
            after = body["crash_after_requests"]
            if after is not None and (not isinstance(after, int) or after < 0):
                return JSONResponse({"error": "crash_after_requests must be a whole number >= 0"}, status_code=400)
            company.crash_during_next_message(after)
    return JSONResponse(_faults(company))


async def stats(request: Request) -> Response:
    # The process's CPU so far: the bench reads it either side of its run, so that the sandbox's CPU an invoice is
    # the run's, without its start-up and the chart's session.
    return JSONResponse({"messages": company_of(request).messages_processed, "calls": {},
                         "cpu_seconds": time.process_time()})


async def reset(request: Request) -> Response:
    company_of(request).reset()
    return JSONResponse({"reset": True})


def routes() -> list[Route]:
    return [
        Route("/sandbox/books", books, methods=["GET"]),
        Route("/sandbox/payments", _action(_receive), methods=["POST"]),
        Route("/sandbox/payments/{txn_id}", _action(_delete), methods=["DELETE"]),
        Route("/sandbox/bill-payments", _action(_pay_bill), methods=["POST"]),
        Route("/sandbox/credits", _action(_credit), methods=["POST"]),
        Route("/sandbox/transactions/{txn_id}/void", _action(_void), methods=["POST"]),
        Route("/sandbox/invoices/{txn_id}/lines", _action(_add_line), methods=["POST"]),
        Route("/sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
    ]
