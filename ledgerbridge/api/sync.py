"""Sync endpoints: connections, chart and mappings, pre-check, upload with progress, grids, payments import.

Long work (upload, import) runs as a job in the background; the answer is the job,
and ``GET /v1/jobs/{id}`` shows done/total and the current step.
"""

from __future__ import annotations

from contextlib import closing
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import (
    AppState,
    Limit,
    Offset,
    RowId,
    get_organisation_id,
    get_session,
    get_state,
    organisation_connection_or_404,
)
from ledgerbridge.api.parties import job_summary
from ledgerbridge.api.responses import AUTH
from ledgerbridge.api.responses import errors as refusals  # ``errors`` is a route below
from ledgerbridge.connectors.connections import connector_for
from ledgerbridge.connectors.limits import answer_now
from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.store.bounds import MAX_ID, MAX_SELECTED_IDS
from ledgerbridge.store.models.sync import Connection, Job
from ledgerbridge.sync import grids
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.mappings import MappingError, MappingKind, set_mapping
from ledgerbridge.sync.records import mark_exported_by_hand, status_counts
from ledgerbridge.sync.settings_check import settings_problems

router = APIRouter(prefix="/v1", tags=["sync"], responses=AUTH)
# A connection (or job) of another organisation, or none of that id: 404; an id that is not a number: 422.
OfConnection = refusals(404, 422, s422="validation")
# With a JSON body: one that cannot be read is 400, one that does not validate 422.
WithBody = refusals(400, 404, 422, s422="validation")
# Pre-check reads the package while the caller waits: no call free now is 429, the day's calls spent 503.
ReadsThePackage = refusals(400, 404, 422, 429, 503, s422="validation")
# Settings and mappings also refuse in sentences (every problem at once for settings).
Checked = refusals(400, 404, 422, s422="problem-or-validation")
Org = Annotated[int, Depends(get_organisation_id)]
Db = Annotated[Session, Depends(get_session)]
State = Annotated[AppState, Depends(get_state)]


#: A host document id in a body, and a selection of them (a batch's worth at most): bounded so that the store
#: never overflows on one (``store/bounds``); pydantic's 422 names the list and the position.
DocumentId = Annotated[int, Field(ge=1, le=MAX_ID)]
DocumentIds = Annotated[list[DocumentId], Field(max_length=MAX_SELECTED_IDS)]


class Selection(BaseModel):
    document_ids: DocumentIds | None = Field(default=None, description="Host document ids (default: all pending)")


class MarkExported(BaseModel):
    document_ids: DocumentIds
    reference: str | None = None


class MappingIn(BaseModel):
    kind: MappingKind
    local_code: str
    package_code: str
    relax_restrictions: bool = False


_job_view = job_summary  # a preview of an import of parties is read from its own route (api.parties)


@router.get("/connections")
def list_connections(org_id: Org, session: Db) -> list[dict[str, Any]]:
    from sqlalchemy import select

    rows = session.scalars(select(Connection).where(Connection.organisation_id == org_id)).all()
    return [{"id": c.id, "kind": c.kind, "name": c.name, "status": c.status, "tenant": c.tenant_name,
             "start_date": c.start_date} for c in rows]


@router.get("/connections/{connection_id}/health", responses=OfConnection)
def health_of_connection(connection_id: RowId, org_id: Org, session: Db) -> dict[str, Any]:
    from ledgerbridge.connectors.auth_flows import connection_health

    conn = organisation_connection_or_404(session, org_id, connection_id)
    counts = status_counts(session, conn.id).by_status
    return {"status": conn.status, **connection_health(session, conn), "counts": counts}


@router.put("/connections/{connection_id}/settings", responses=Checked)
def save_settings(connection_id: RowId, body: dict[str, Any], org_id: Org, session: Db) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    unknown = set(body) - set(ConnectionSettings.__slots__)
    if unknown:
        raise HTTPException(422, f"unknown settings: {', '.join(sorted(unknown))}")
    settings = ConnectionSettings.from_json({**(conn.settings or {}), **body})
    problems = settings_problems(session, conn, settings)
    if problems:
        raise HTTPException(422, problems)
    conn.settings = settings.merged_into(conn.settings)
    session.commit()
    return conn.settings


@router.put("/connections/{connection_id}/mappings", responses=Checked)
def put_mapping(connection_id: RowId, body: MappingIn, org_id: Org, session: Db) -> dict[str, str]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    try:
        set_mapping(session, conn.id, body.kind, body.local_code, body.package_code,
                    relax_restrictions=body.relax_restrictions)
    except MappingError as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    return {"kind": body.kind.value, "local_code": body.local_code, "package_code": body.package_code}


@router.post("/connections/{connection_id}/precheck", responses=ReadsThePackage)
def run_precheck(connection_id: RowId, body: Selection, org_id: Org, session: Db, state: State) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    with answer_now(), closing(connector_for(state.sessions, conn.id)) as connector:  # 429 rather than a wait
        report = Exporter(state.sessions, conn.id, connector, actor="api").precheck(body.document_ids)
    return report.as_dict()


def _start(session: Session, state: AppState, conn: Connection, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    job = enqueue_job(session, conn.id, kind, params, requested_by="api")
    session.commit()  # the worker (in this process under `serve`, or `ledgerbridge worker`) takes it from here
    return _job_view(job)


@router.post("/connections/{connection_id}/upload", status_code=202, responses=WithBody)
def start_upload(connection_id: RowId, body: Selection, org_id: Org, session: Db, state: State) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    return _start(session, state, conn, "upload", {"document_ids": body.document_ids})


@router.post("/connections/{connection_id}/import-payments", status_code=202, responses=OfConnection)
def start_import(connection_id: RowId, org_id: Org, session: Db, state: State) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    return _start(session, state, conn, "import_payments", {})


@router.post("/connections/{connection_id}/refresh-chart", status_code=202, responses=OfConnection)
def start_refresh(connection_id: RowId, org_id: Org, session: Db, state: State) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    return _start(session, state, conn, "refresh_chart", {})


@router.get("/jobs/{job_id}", responses=OfConnection)
def get_job(job_id: RowId, org_id: Org, session: Db) -> dict[str, Any]:
    job = session.get(Job, job_id)
    if job is None or session.get_one(Connection, job.connection_id).organisation_id != org_id:
        raise HTTPException(404, f"job {job_id} not found")
    return _job_view(job)


@router.post("/connections/{connection_id}/mark-exported", responses=WithBody)
def mark_exported(connection_id: RowId, body: MarkExported, org_id: Org, session: Db) -> dict[str, int]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    count = mark_exported_by_hand(session, conn, body.document_ids, body.reference)
    session.commit()
    return {"marked": count}


@router.get("/connections/{connection_id}/pending", responses=OfConnection)
def pending(connection_id: RowId, org_id: Org, session: Db, limit: Limit = 100, offset: Offset = 0,
            type: str | None = None) -> dict[str, Any]:  # noqa: A002 - the API's word
    conn = organisation_connection_or_404(session, org_id, connection_id)
    page = grids.pending_export(session, conn, limit, offset, type)
    session.commit()
    return page.as_dict()


@router.get("/connections/{connection_id}/exported", responses=OfConnection)
def exported(connection_id: RowId, org_id: Org, session: Db, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    return grids.exported(session, conn.id, limit, offset).as_dict()


@router.get("/connections/{connection_id}/errors", responses=OfConnection)
def errors(connection_id: RowId, org_id: Org, session: Db, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    return grids.error_feedback(session, conn.id, limit, offset).as_dict()


@router.get("/connections/{connection_id}/payments", responses=OfConnection)
def payments(connection_id: RowId, org_id: Org, session: Db, limit: Limit = 100, offset: Offset = 0,
             status: str | None = None) -> dict[str, Any]:
    conn = organisation_connection_or_404(session, org_id, connection_id)
    return grids.package_payments(session, conn.id, limit, offset, status).as_dict()
