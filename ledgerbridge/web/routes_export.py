"""The Export tab (seed 002): Pending Export, Exported Successfully, Error Feedback, and the actions.

Run Pre-Check answers at once (nothing is sent); Upload Data is queued as a job that
the app's worker runs, and the page polls a small JSON endpoint for its progress, so
the user can leave and come back to a running upload.
"""

from __future__ import annotations

from contextlib import closing
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ledgerbridge.api.deps import RowId
from ledgerbridge.connectors.connections import connector_for
from ledgerbridge.connectors.limits import BudgetBusy, answer_now
from ledgerbridge.packages.registry import package_name
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.store.bounds import MAX_ID, parse_bounded
from ledgerbridge.store.models.host import DocumentType
from ledgerbridge.store.models.sync import Connection, Job, SyncError, SyncRecord
from ledgerbridge.sync.approvals import held_back
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.grids import refresh_when_changed, waits_for
from ledgerbridge.sync.records import mark_exported_by_hand
from ledgerbridge.web import queries
from ledgerbridge.web.common import (
    Db,
    User,
    back,
    checked_form,
    connection_of,
    next_poll_note,
    render,
    selected_ids,
)
from ledgerbridge.web.tables import Grid

router = APIRouter()
ACTIVE_JOB = ("queued", "claimed", "running")


def record_waits_for(record: SyncRecord, package: str, held: dict[int, list[str]] | None = None) -> str:
    if held and record.record_id in held and record.action != "void":  # R-P1/R-P2: approvals and rules first
        return "; ".join(held[record.record_id]).removeprefix("waits for ")
    return waits_for(record.status, record.action, record.updated_at, package)


def job_summary(job: Job) -> str:
    """One sentence for the user when a job ends: what happened, in the words of the screens."""
    r = job.result or {}
    if job.status == "failed":
        return f"The {job.kind.replace('_', ' ')} failed: {r.get('error') or job.step}"
    if job.kind == "upload":
        text = f"Upload finished: {r.get('exported', 0)} exported, {r.get('failed', 0)} in error, " \
               f"{r.get('seen', 0)} seen by the package."
        return text + (f" Stopped: {r['stopped_reason']}." if r.get("stopped_reason") else "")
    if job.kind == "import_payments":
        return f"Payments: {r.get('fetched', 0)} fetched ({r.get('new', 0)} new), {r.get('created', 0)} created, " \
               f"{r.get('allocated', 0)} allocated, {r.get('failed', 0)} need attention."
    if job.kind == "party_preview":
        return "The preview is ready: nothing is written until you import." if r.get("offered") else \
            "This package's customers and suppliers cannot be listed yet."
    if job.kind == "party_commit":
        return f"Customers and suppliers imported: {r.get('matched_by_code', 0) + r.get('matched_by_name', 0)} " \
               f"matched, {r.get('settled', 0)} settled, {r.get('created', 0)} created, " \
               f"{r.get('left_count', 0)} left to settle."
    return f"Finished: {job.kind.replace('_', ' ')}."


def job_view(job: Job) -> dict[str, Any]:
    percent = round(100 * job.done / job.total) if job.total else (100 if job.status == "done" else 0)
    return {"id": job.id, "kind": job.kind, "status": job.status, "total": job.total, "done": job.done,
            "failed": job.failed, "step": job.step, "percent": percent,
            "finished": job.status in ("done", "failed"),
            "summary": job_summary(job) if job.status in ("done", "failed") else ""}


@router.get("/export", response_class=HTMLResponse)
def export_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    if conn is None:
        return render(request, "export.html", user, "export", conn=None)
    if refresh_when_changed(session, conn):  # a few index seeks when nothing changed since the last view
        session.commit()
    p = request.query_params
    sources = {}
    for prefix, statuses in (("p_", queries.OPEN_STATUSES), ("e_", queries.DONE_STATUSES)):
        args = (conn.id, statuses, p.get(f"{prefix}q", ""), p.get(f"{prefix}type", ""))
        sources[prefix] = (queries.document_records(*args), queries.document_records_narrow(*args))
    pending = Grid("p_", p, queries.PENDING_SORT, "date").load(session, sources["p_"][0], SyncRecord.id,
                                                               sources["p_"][1])
    exported = Grid("e_", p, queries.EXPORTED_SORT, "exported", default_desc=True).load(
        session, sources["e_"][0], SyncRecord.id, sources["e_"][1])
    errors = Grid("f_", p, queries.ERROR_SORT, "at", default_desc=True).load(
        session, queries.latest_errors(conn.id, p.get("f_q", ""), p.get("f_source", "")), SyncError.id)
    job_id = p.get("job")
    job_number = parse_bounded(job_id, low=1, high=MAX_ID)
    job = session.get(Job, job_number) if job_number is not None else None
    if job is None or job.connection_id != conn.id:
        job = session.scalar(select(Job).where(Job.connection_id == conn.id, Job.kind == "upload",
                                               Job.status.in_(ACTIVE_JOB)).order_by(Job.id.desc()))
    precheck = request.query_params.get("precheck")
    held = held_back(session, conn.organisation_id, [r[0].record_id for r in pending.rows or []])
    return render(request, "export.html", user, "export", conn=conn, pending=pending, exported=exported,
                  errors=errors, job=job_view(job) if job else None, precheck=precheck, held=held,
                  waits_for=lambda rec, held: record_waits_for(rec, package_name(conn.kind), held),
                  doc_types=[t.value for t in DocumentType])


@router.post("/export/action")
async def export_action(request: Request, session: Db, user: User) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    needed = "precheck" if action == "precheck" else "sync"
    data = await checked_form(request, user, needed)
    conn = connection_of(session, user)
    if conn is None:
        return back("/export", err="Connect an accounting package first.")
    ids = selected_ids(data) or None
    if action == "precheck":
        sessions = request.app.state.ledgerbridge.sessions
        try:
            with answer_now(), closing(connector_for(sessions, conn.id)) as connector:
                report = Exporter(sessions, conn.id, connector, actor=f"web:{user.email}").precheck(ids)
        except BudgetBusy as exc:  # a form's answer: back to the page with why, not a minute's wait
            return back("/export", err=f"The pre-check could not read the package just now: {exc}.")
        summary = f"Pre-check: {report.checked} checked, {report.failed} with problems (nothing was sent)."
        return back("/export", msg=summary, precheck="1")
    if action == "upload":
        if conn.status != "connected":
            return back("/export", err="The connection is not connected: reconnect on the Connection page.")
        job = enqueue_job(session, conn.id, "upload", {"document_ids": ids}, requested_by=f"web:{user.email}")
        session.commit()
        what = f"{len(ids)} selected row(s)" if ids else "all pending rows"
        later = next_poll_note(session, conn)
        if later is not None:
            return back("/export", msg=f"Upload of {what} queued: {later}.", job=job.id)
        return back("/export", msg=f"Upload of {what} started; it runs in the background.", job=job.id)
    if action == "mark_exported":
        if not ids:
            return back("/export", err="Select the rows to mark as exported.")
        count = mark_exported_by_hand(session, conn, ids, str(data.get("reference") or "").strip() or None)
        session.commit()
        return back("/export", msg=f"Marked {count} row(s) as exported; they will never be sent.")
    raise HTTPException(400, f"unknown action {action!r}")


@router.get("/jobs/{job_id}.json")
def job_progress(job_id: RowId, session: Db, user: User) -> dict[str, Any]:
    """What the progress bar polls: done/total and the step of one job of the user's organisation."""
    job = session.get(Job, job_id)
    if job is None or session.get_one(Connection, job.connection_id).organisation_id != user.organisation_id:
        raise HTTPException(404, "no such job")
    return job_view(job)
