"""``GET /v1/connections/{id}/reconciliation``: the reconciliation report (R-R1) as JSON, or as a CSV download.

The package is read now (the same calls as the seen tick's read-back), so the report is as of the request.
"""

from __future__ import annotations

from contextlib import closing
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import (
    AppState,
    RowId,
    get_organisation_id,
    get_session,
    get_state,
    organisation_connection_or_404,
)
from ledgerbridge.api.responses import AUTH, csv_or_json, errors
from ledgerbridge.connectors.connections import connector_for
from ledgerbridge.connectors.limits import answer_now
from ledgerbridge.sync.reconcile import Reconciliation, reconcile

router = APIRouter(prefix="/v1", tags=["reconciliation"], responses=AUTH)


def run_reconciliation(state: AppState, connection_id: int) -> Reconciliation:
    """The report, read from the package while the caller waits: a budget with no call free now raises
    ``BudgetBusy`` (429) rather than sleeping."""
    with answer_now(), closing(connector_for(state.sessions, connection_id)) as connector:
        return reconcile(state.sessions, connection_id, connector)


def csv_download(report: Reconciliation) -> Response:
    stamp = report.generated_at.strftime("%Y%m%d-%H%M%S")
    return Response(report.as_csv(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="reconciliation-{report.connection_id}-{stamp}.csv"'})


@router.get("/connections/{connection_id}/reconciliation", response_model=None, responses={
    **csv_or_json("The report (`?format=csv`: the same report as a CSV download)"),
    **errors(404, 422, 429, 503, s422="validation")})
def reconciliation(connection_id: RowId, org_id: Annotated[int, Depends(get_organisation_id)],
                   session: Annotated[Session, Depends(get_session)], state: Annotated[AppState, Depends(get_state)],
                   format: Annotated[str, Query(pattern="^(json|csv)$", description="json or csv")] = "json",
                   ) -> dict[str, Any] | Response:
    """Per party and per document, host against package, each difference with its cause and what to do."""
    conn = organisation_connection_or_404(session, org_id, connection_id)
    session.rollback()  # nothing to hold open while the package is read
    report = run_reconciliation(state, conn.id)
    return csv_download(report) if format == "csv" else report.as_dict()
