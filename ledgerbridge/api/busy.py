"""A package's call budget, as the API answers it: 429 when no call may go out now, 503 when the day's are spent.

Why: requests that read the package while the caller waits (pre-check, reconciliation) run inside
``limits.answer_now``, so a budget with no slot raises ``BudgetBusy`` instead of sleeping up to a minute on a
worker thread; the caller gets ``Retry-After`` and decides. A day's budget spent (``CallBudgetSpent``) is a 503 with
the time calls resume. Both are JSON with a ``detail`` like FastAPI's other refusals.
"""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ledgerbridge.connectors.limits import BudgetBusy
from ledgerbridge.connectors.protocol import CallBudgetSpent
from ledgerbridge.store.db import utcnow


async def _busy(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BudgetBusy)
    return JSONResponse({"detail": f"The accounting package's call limit allows no call now: {exc}"},
                        status_code=429, headers={"Retry-After": str(exc.retry_after)})


def seconds_until_resumed(spent: CallBudgetSpent) -> int:
    """``Retry-After`` for a spent day: whole seconds until the package's calls resume (an hour when unknown)."""
    wait = (spent.resume_at - utcnow()).total_seconds() if spent.resume_at else 3600.0
    return max(1, math.ceil(wait))


async def _spent(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CallBudgetSpent)
    return JSONResponse({"detail": str(exc)}, status_code=503,
                        headers={"Retry-After": str(seconds_until_resumed(exc))})


def install(app: FastAPI) -> None:
    app.add_exception_handler(BudgetBusy, _busy)
    app.add_exception_handler(CallBudgetSpent, _spent)


__all__ = ["install", "seconds_until_resumed"]
