"""Documents: the host's documents with their sync status, and one document's lines, history and errors.

The history is the audit trail's events for that record (R-A1), so what the page says
is exactly what was sent and answered.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ledgerbridge.api.deps import RowId
from ledgerbridge.audit.search import concerning, link_audit_events
from ledgerbridge.store.models.host import EXPORTABLE_TYPES, Document, DocumentType, Party
from ledgerbridge.store.models.sync import AuditEvent, RecordType, SyncError, SyncRecord, SyncStatus
from ledgerbridge.sync.approvals import workflows
from ledgerbridge.web import queries
from ledgerbridge.web.common import Db, User, connection_of, render
from ledgerbridge.web.tables import Grid

router = APIRouter()


def _mentions(doc: Document, record: SyncRecord | None) -> Any:
    """Audit events about this document: tagged with it, or package calls linked to it by their batch key
    (``audit_search``); never a text search, which found other documents' calls that quoted the number."""
    return concerning([(RecordType.DOCUMENT.value, doc.id)])


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    p = request.query_params
    text, doc_type, status = p.get("d_q", ""), p.get("d_type", ""), p.get("d_status", "")
    grid = Grid("d_", p, queries.DOCUMENT_SORT, "date", default_desc=True).load(
        session, queries.host_documents(user.organisation_id, conn.id if conn else None, text, doc_type, status),
        Document.id, queries.host_documents_narrow(user.organisation_id, doc_type, text, status))
    return render(request, "documents.html", user, "documents", conn=conn, grid=grid,
                  doc_types=[t.value for t in DocumentType], exportable={t.value for t in EXPORTABLE_TYPES},
                  statuses=[s.value for s in SyncStatus] + ["not_tracked"])


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(document_id: RowId, request: Request, session: Db, user: User) -> Response:
    doc = session.get(Document, document_id)
    if doc is None or doc.organisation_id != user.organisation_id:
        raise HTTPException(404, "no such document")
    party = session.get_one(Party, doc.party_id)
    conn = connection_of(session, user)
    record = errors = None
    if conn is not None:
        record = session.scalar(select(SyncRecord).where(SyncRecord.connection_id == conn.id,
                                                         SyncRecord.record_type == RecordType.DOCUMENT.value,
                                                         SyncRecord.record_id == doc.id))
        if record is not None:
            errors = session.scalars(select(SyncError).where(SyncError.sync_record_id == record.id)
                                     .order_by(SyncError.at.desc()).limit(50)).all()
    if conn is not None and link_audit_events(session, conn.id):
        session.commit()  # links are kept: the next view and the audit search need not resolve them again
    history = session.scalars(select(AuditEvent).where(
        AuditEvent.organisation_id == user.organisation_id, _mentions(doc, record))
        .order_by(AuditEvent.at.desc()).limit(100)).all()
    flow = workflows(session, user.organisation_id, [doc.id], conn.id if conn else None).get(doc.id)
    return render(request, "document.html", user, "documents", conn=conn, doc=doc, party=party, record=record,
                  errors=errors or [], history=history, flow=flow)
