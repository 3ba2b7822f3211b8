"""The Parties tab: import customers and suppliers from the package (R-I4, issue 15), offered right after
connecting (the Connection page's "Import now" or "Not right now") and at any time here.

"Import now" starts the preview (a job: the package is read in the background, the page shows its progress); the
page then shows what the import would do: matches, new parties, and the ambiguous ones, each with a choice of the
host's candidates, "Create new" or "Skip". "Import" keeps those choices and starts the commit (a job).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ledgerbridge.audit.trail import audit
from ledgerbridge.queue import party_jobs
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.store.models.sync import AuditEvent, Connection, Job
from ledgerbridge.sync.party_import import Settlement
from ledgerbridge.web.common import Db, User, back, checked_form, connection_of, next_poll_note, render
from ledgerbridge.web.routes_export import ACTIVE_JOB, job_view

router = APIRouter()
DECLINED = "party_import_declined"
LISTED = 100  # matches and new parties listed on the page (the API and the command line list every one)
_SETTLE = "settle:"


def import_offered(session: Any, conn: Connection) -> bool:
    """Right after connecting: no import was ever started on this connection and "Not right now" was not said."""
    if conn.status != "connected" or not (conn.tenant_id or conn.kind in _polled()):
        return False
    started = session.scalar(select(Job.id).where(Job.connection_id == conn.id, Job.kind == party_jobs.PREVIEW))
    declined = session.scalar(select(AuditEvent.id).where(AuditEvent.connection_id == conn.id,
                                                          AuditEvent.action == DECLINED))
    return started is None and declined is None


def _polled() -> set[str]:
    from ledgerbridge.packages.registry import PACKAGES

    return {spec.kind for spec in PACKAGES if spec.polled is not None}


@router.get("/parties", response_class=HTMLResponse)
def parties_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    if conn is None:
        return render(request, "parties.html", user, "parties", conn=None)
    active = session.scalar(select(Job).where(Job.connection_id == conn.id, Job.status.in_(ACTIVE_JOB),
                                              Job.kind.in_((party_jobs.PREVIEW, party_jobs.COMMIT)))
                            .order_by(Job.id.desc()))
    preview = party_jobs.latest_preview(session, conn.id)
    result = dict(preview.result or {}) if preview is not None and preview.status == "done" else None
    last_commit = session.scalar(select(Job).where(Job.connection_id == conn.id, Job.kind == party_jobs.COMMIT,
                                                   Job.status == "done").order_by(Job.id.desc()))
    entries = result.get("entries", []) if result else []
    return render(request, "parties.html", user, "parties", conn=conn, job=job_view(active) if active else None,
                  preview=preview if result is not None else None, result=result, listed=LISTED,
                  ambiguous=[e for e in entries if e["outcome"] == "ambiguous"],
                  matched=[e for e in entries if e["outcome"] == "matched"],
                  new=[e for e in entries if e["outcome"] == "new"],
                  settlements=(result or {}).get("settlements", {}),
                  committed=last_commit.result if last_commit is not None else None)


def _choices(form: dict[str, Any]) -> dict[str, Settlement]:
    out: dict[str, Settlement] = {}
    for name, value in form.items():
        if name.startswith(_SETTLE) and isinstance(value, str) and value:
            out[name.removeprefix(_SETTLE)] = int(value) if value.isdigit() else value
    return out


@router.post("/parties/action")
async def parties_action(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "sync")
    conn = connection_of(session, user)
    if conn is None or conn.status != "connected":
        return back("/parties", err="Connect an accounting package first (Connection page).")
    action = form.get("action")
    if action == "decline":
        audit(session, conn, f"web:{user.email}", DECLINED, outcome="ok",
              detail="Not right now: the import stays on the Parties tab")
        session.commit()
        return back("/connection", msg="Not now: import customers and suppliers any time from the Parties tab.")
    if action == "preview":
        job = enqueue_job(session, conn.id, party_jobs.PREVIEW, {}, requested_by=f"web:{user.email}")
        session.commit()
        later = next_poll_note(session, conn)
        return back("/parties", msg="Reading customers and suppliers" + (f": {later}." if later else
                                                                           " in the background."), job=job.id)
    if action == "commit":
        job_id = int(str(form.get("preview_job_id") or "0")) if str(form.get("preview_job_id") or "").isdigit() else 0
        try:
            party_jobs.settle(session, conn.id, job_id, _choices(form))
        except party_jobs.PreviewNotReady as exc:
            session.rollback()
            return back("/parties", err=str(exc))
        job = enqueue_job(session, conn.id, party_jobs.COMMIT, {"preview_job_id": job_id},
                          requested_by=f"web:{user.email}")
        session.commit()
        return back("/parties", msg="Importing customers and suppliers in the background.", job=job.id)
    raise HTTPException(400, f"unknown action {action!r}")
