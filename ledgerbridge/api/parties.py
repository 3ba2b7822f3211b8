"""The import of customers and suppliers from the package over the API (R-I4, issue 15), and what the host is told
of the parties it made.

A host system drives the same steps as the screens and ``ledgerbridge import-parties``: start a preview (a job: the
package is read in the background), read it when the job is done (matches, new, ambiguous), settle the ambiguous
ones, commit (a job). ``GET /v1/jobs/{id}`` shows either job's progress.

The parties an import created here carry a host id of ledgerbridge's (``imported:<package>:<role>:<package id>``);
``GET /v1/imported-parties`` lists them, and ``PUT /v1/imported-parties/{id}`` gives one the host's own id, so that
the host's next batch updates that party instead of sending the same customer again as a second one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import Limit, Offset, RowId, get_organisation_id, get_session, organisation_connection_or_404
from ledgerbridge.api.responses import AUTH, errors
from ledgerbridge.queue import party_jobs
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection, Job, RecordType, SyncRecord
from ledgerbridge.sync.party_import import IMPORTED_PREFIX

router = APIRouter(prefix="/v1", tags=["parties"], responses=AUTH)
Org = Annotated[int, Depends(get_organisation_id)]
Db = Annotated[Session, Depends(get_session)]
OfPreview = errors(404, 409, 422, s422="validation")
Settling = errors(400, 404, 409, 422, s422="problem-or-validation")  # 400: a body that cannot be read
Adopting = errors(400, 404, 409, 422, s422="validation")
Outcome = Literal["matched", "new", "ambiguous"]
#: A settlement: a host party's id, ``new`` or ``skip``.
Choice = Annotated[int, Field(ge=1)] | Literal["new", "skip"]


class Settle(BaseModel):
    choices: dict[Annotated[str, Field(max_length=200)], Choice] = Field(
        max_length=10_000, description="Preview entry key -> a host party's id, 'new' or 'skip'")


class Adopt(BaseModel):
    host_id: str = Field(min_length=1, max_length=100, description="The host's own id for this party")


def job_summary(job: Job) -> dict[str, Any]:
    """A job as ``GET /v1/jobs/{id}`` shows it; a preview's entries are read from its own route."""
    result = job.result or {}
    if job.kind == party_jobs.PREVIEW:
        result = {k: v for k, v in result.items() if k not in ("entries", "settlements")}
    return {"id": job.id, "kind": job.kind, "status": job.status, "total": job.total, "done": job.done,
            "failed": job.failed, "step": job.step, "result": result, "created_at": job.created_at,
            "started_at": job.started_at, "finished_at": job.finished_at}


def _preview(session: Session, org_id: int, connection_id: int, job_id: int) -> Job:
    organisation_connection_or_404(session, org_id, connection_id)
    job = session.get(Job, job_id)
    if job is None or job.kind != party_jobs.PREVIEW or job.connection_id != connection_id:
        raise HTTPException(404, f"no import of parties {job_id} on connection {connection_id}")
    if job.status != "done":
        raise HTTPException(409, f"the preview (job {job_id}) is {job.status}: {job.step}")
    return job


@router.post("/connections/{connection_id}/party-imports", status_code=202, responses=errors(404, 422,
                                                                                               s422="validation"))
def start_party_import(connection_id: RowId, org_id: Org, session: Db) -> dict[str, Any]:
    """Read the package's customers and suppliers in the background and plan the import; nothing is written."""
    conn = organisation_connection_or_404(session, org_id, connection_id)
    job = enqueue_job(session, conn.id, party_jobs.PREVIEW, {}, requested_by="api")
    session.commit()
    return job_summary(job)


@router.get("/connections/{connection_id}/party-imports/{job_id}", responses=OfPreview)
def read_party_import(connection_id: RowId, job_id: RowId, org_id: Org, session: Db, limit: Limit = 100,
                      offset: Offset = 0, outcome: Annotated[Outcome | None, Query()] = None) -> dict[str, Any]:
    """The preview: counts, a page of its entries (those of one ``outcome``), and the settlements so far."""
    result = _preview(session, org_id, connection_id, job_id).result or {}
    entries = [e for e in result.get("entries", []) if outcome is None or e["outcome"] == outcome]
    return {"job_id": job_id, "offered": result.get("offered", False), "committed": bool(result.get("committed")),
            "counts": result.get("counts", {}), "total": len(entries), "entries": entries[offset : offset + limit],
            "settlements": result.get("settlements", {})}


@router.post("/connections/{connection_id}/party-imports/{job_id}/settle", responses=Settling)
def settle_party_import(connection_id: RowId, job_id: RowId, body: Settle, org_id: Org,
                        session: Db) -> dict[str, int]:
    """Answer entries of the preview (every answer checked before any is kept)."""
    _preview(session, org_id, connection_id, job_id)
    try:
        done = party_jobs.settle(session, connection_id, job_id, body.choices)
    except party_jobs.PreviewNotReady as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    return done


@router.post("/connections/{connection_id}/party-imports/{job_id}/commit", status_code=202, responses=OfPreview)
def commit_party_import(connection_id: RowId, job_id: RowId, org_id: Org, session: Db) -> dict[str, Any]:
    """Bind the matches, create the new parties (a job); ambiguous entries not settled are skipped."""
    if (_preview(session, org_id, connection_id, job_id).result or {}).get("committed"):
        raise HTTPException(409, f"the preview (job {job_id}) is committed already; start a new import")
    job = enqueue_job(session, connection_id, party_jobs.COMMIT, {"preview_job_id": job_id}, requested_by="api")
    session.commit()
    return job_summary(job)


@router.get("/imported-parties", responses=errors(422, s422="validation"))
def imported_parties(org_id: Org, session: Db, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """Parties an import created here, not yet adopted by the host, with their package records."""
    where = (Party.organisation_id == org_id, Party.host_id.startswith(IMPORTED_PREFIX, autoescape=True))
    total = session.scalar(select(func.count()).select_from(Party).where(*where)) or 0
    parties = session.scalars(select(Party).where(*where).order_by(Party.id).limit(limit).offset(offset)).all()
    bindings: dict[int, list[dict[str, Any]]] = {}
    for rec, kind in session.execute(select(SyncRecord, Connection.kind).join(
            Connection, Connection.id == SyncRecord.connection_id).where(
            SyncRecord.record_type.in_((RecordType.PARTY.value, RecordType.SUPPLIER.value)),
            SyncRecord.record_id.in_([p.id for p in parties]))).all():
        bindings.setdefault(rec.record_id, []).append({
            "connection_id": rec.connection_id, "package": kind, "external_id": rec.external_id,
            "role": "supplier" if rec.record_type == RecordType.SUPPLIER.value else "own"})
    return {"total": total, "rows": [{"id": p.id, "host_id": p.host_id, "code": p.code, "name": p.name,
                                      "email": p.email, "is_customer": p.is_customer, "is_supplier": p.is_supplier,
                                      "bindings": bindings.get(p.id, [])} for p in parties]}


@router.put("/imported-parties/{party_id}", responses=Adopting)
def adopt_imported_party(party_id: RowId, body: Adopt, org_id: Org, session: Db) -> dict[str, Any]:
    """Give an imported party the host's own id: the host's batches then update it (its bindings stay)."""
    party = session.get(Party, party_id)
    if party is None or party.organisation_id != org_id or not party.host_id.startswith(IMPORTED_PREFIX):
        raise HTTPException(404, f"no imported party {party_id} waiting for the host's id")
    if session.scalar(select(Party.id).where(Party.organisation_id == org_id, Party.host_id == body.host_id)):
        raise HTTPException(409, f"another party has the host id {body.host_id!r} already")
    party.host_id = body.host_id
    session.commit()
    return {"id": party.id, "host_id": party.host_id, "code": party.code, "name": party.name}
