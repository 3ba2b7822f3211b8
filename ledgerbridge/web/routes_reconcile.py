"""The Reconciliation page (R-R1): host against package, per party and per document, each difference with its
cause and what to do; a CSV download of the same rows.

The package is read when the page is asked for, so what it shows is as of now; a failed read is shown as the
page's error, never as books that agree.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ledgerbridge.api.deps import AppState, get_state
from ledgerbridge.api.reconcile import csv_download, run_reconciliation
from ledgerbridge.connectors.limits import BudgetBusy
from ledgerbridge.connectors.protocol import CallBudgetSpent, ConnectorCallFailed
from ledgerbridge.web.common import Db, User, back, connection_of, render

router = APIRouter()
State = Annotated[AppState, Depends(get_state)]

CAUSE_TEXT = {
    "credit_only_in_package": "Credit allocated only in the package",
    "credit_only_here": "Credit allocated only here",
    "payment_not_imported": "Payment not yet imported",
    "edited_in_package": "Edited in the package",
    "deleted_in_package": "Deleted or voided in the package",
    "rounding": "Rounding",
    "not_exported": "Not exported",
    "unexplained": "Unexplained",
}


@router.get("/reconciliation", response_class=HTMLResponse)
def reconciliation_page(request: Request, session: Db, user: User, state: State) -> Response:
    conn = connection_of(session, user)
    if conn is None or conn.status != "connected":
        return render(request, "reconciliation.html", user, "reconciliation", conn=conn, report=None, failure=None)
    conn_id = conn.id
    session.rollback()  # hold nothing open while the package is read
    try:
        report = run_reconciliation(state, conn_id)
    except BudgetBusy as exc:
        page = render(request, "reconciliation.html", user, "reconciliation", conn=conn, report=None,
                      failure=f"The package cannot be read just now, so nothing is compared: {exc}.")
        page.status_code = 429
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except (ConnectorCallFailed, CallBudgetSpent) as exc:
        return render(request, "reconciliation.html", user, "reconciliation", conn=conn, report=None,
                      failure=f"The package could not be read, so nothing is compared: {exc}")
    only = request.query_params.get("level", "")
    rows = [d for d in report.differences if not only or d.level == only]
    return render(request, "reconciliation.html", user, "reconciliation", conn=conn, report=report, rows=rows,
                  level=only, cause_text=CAUSE_TEXT, failure=None)


@router.get("/reconciliation.csv")
def reconciliation_csv(session: Db, user: User, state: State) -> Response:
    conn = connection_of(session, user)
    if conn is None or conn.status != "connected":
        return back("/reconciliation", err="Connect an accounting package first (Connection page).")
    conn_id = conn.id
    session.rollback()
    return csv_download(run_reconciliation(state, conn_id))
