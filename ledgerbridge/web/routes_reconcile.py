"""The Reconciliation page (R-R1): host against package, per party and per document, each difference with its
cause and what to do; a CSV download of the same rows.

The package is read when the page (or its CSV) is asked for, so what it shows is as of now; a failed read is
shown as the page's error, never as books that agree. A read that would wait on the connection's call budget is
not waited for: the page says why at once, with ``Retry-After`` (429 while the minute's calls are spent, 503 once
the day's are), as the API does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ledgerbridge.api.busy import seconds_until_resumed
from ledgerbridge.api.deps import AppState, get_state
from ledgerbridge.api.reconcile import csv_download, run_reconciliation
from ledgerbridge.connectors.limits import BudgetBusy
from ledgerbridge.connectors.protocol import CallBudgetSpent, ConnectorCallFailed
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.reconcile import Reconciliation
from ledgerbridge.web.auth import SignedIn
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
    report = _read(request, session, user, conn, state)
    if not isinstance(report, Reconciliation):
        return report
    only = request.query_params.get("level", "")
    rows = [d for d in report.differences if not only or d.level == only]
    return render(request, "reconciliation.html", user, "reconciliation", conn=conn, report=report, rows=rows,
                  level=only, cause_text=CAUSE_TEXT, failure=None)


@router.get("/reconciliation.csv")
def reconciliation_csv(request: Request, session: Db, user: User, state: State) -> Response:
    conn = connection_of(session, user)
    if conn is None or conn.status != "connected":
        return back("/reconciliation", err="Connect an accounting package first (Connection page).")
    report = _read(request, session, user, conn, state)
    return csv_download(report) if isinstance(report, Reconciliation) else report


def _read(request: Request, session: Session, user: SignedIn, conn: Connection,
          state: AppState) -> Reconciliation | Response:
    """The report, or the page saying why the package cannot be read now (429/503 with ``Retry-After`` when the
    call budget has no call for it: the minute's or the day's are spent)."""
    conn_id = conn.id
    session.rollback()  # hold nothing open while the package is read
    try:
        return run_reconciliation(state, conn_id)
    except BudgetBusy as exc:
        return _unread(request, user, conn, f"The package cannot be read just now, so nothing is compared: {exc}.",
                       429, exc.retry_after)
    except CallBudgetSpent as exc:
        return _unread(request, user, conn, f"The package cannot be read today, so nothing is compared: {exc}",
                       503, seconds_until_resumed(exc))
    except ConnectorCallFailed as exc:
        return render(request, "reconciliation.html", user, "reconciliation", conn=conn, report=None,
                      failure=f"The package could not be read, so nothing is compared: {exc}")


def _unread(request: Request, user: SignedIn, conn: Connection, failure: str, status: int,
            retry_after: int) -> Response:
    page = render(request, "reconciliation.html", user, "reconciliation", conn=conn, report=None, failure=failure)
    page.status_code = status
    page.headers["Retry-After"] = str(retry_after)
    return page
