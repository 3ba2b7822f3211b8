"""The grids of the Export and Import tabs as queries: pending, exported, errors, payments.

Server-side paging and filtering so a screen or a command never loads the whole store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerbridge.models_host import Document, Party
from ledgerbridge.models_sync import PackagePayment, RecordType, SyncError, SyncRecord, SyncStatus
from ledgerbridge.sync_records import refresh_sync_records

WAITS_FOR = {"create": "Upload Data", "update": "Upload Data (changed since export)",
             "void": "Upload Data (voided since export)"}


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "total": self.total, "limit": self.limit, "offset": self.offset}


def _doc_query(connection_id: int, statuses: tuple[str, ...]) -> Any:
    return (select(SyncRecord, Document.type, Document.number, Document.issue_date, Document.gross_total,
                   Document.currency, Party.name.label("party"))
            .join(Document, Document.id == SyncRecord.record_id).join(Party, Party.id == Document.party_id)
            .where(SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                   SyncRecord.status.in_(statuses)))


def _page(session: Session, query: Any, limit: int, offset: int, shape: Any) -> Page:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = [shape(r) for r in session.execute(query.limit(limit).offset(offset))]
    return Page(rows, total, limit, offset)


def pending_export(session: Session, connection: Any, limit: int = 100, offset: int = 0,
                   doc_type: str | None = None) -> Page:
    """R-E3: every exportable record not yet exported, with what it waits for."""
    refresh_sync_records(session, connection)
    q = _doc_query(connection.id, (SyncStatus.PENDING.value, SyncStatus.ERROR.value, SyncStatus.IN_PROGRESS.value))
    if doc_type:
        q = q.where(Document.type == doc_type)
    q = q.order_by(Document.issue_date, Document.id)

    def shape(r: Any) -> dict[str, Any]:
        rec: SyncRecord = r[0]
        waits = WAITS_FOR.get(rec.action, "Upload Data")
        if rec.status == SyncStatus.ERROR.value:
            waits = "a fix (see Error Feedback)"
        elif rec.status == SyncStatus.IN_PROGRESS.value:
            waits = "the upload under way"
        return {"document_id": rec.record_id, "type": r.type, "number": r.number, "party": r.party,
                "date": r.issue_date, "total": r.gross_total, "currency": r.currency, "status": rec.status,
                "action": rec.action, "waits_for": waits}

    return _page(session, q, limit, offset, shape)


def exported(session: Session, connection_id: int, limit: int = 100, offset: int = 0) -> Page:
    q = _doc_query(connection_id, (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)).order_by(
        SyncRecord.exported_at.desc(), SyncRecord.id.desc())

    def shape(r: Any) -> dict[str, Any]:
        rec: SyncRecord = r[0]
        return {"document_id": rec.record_id, "type": r.type, "number": r.number, "party": r.party,
                "total": r.gross_total, "exported_at": rec.exported_at, "external_id": rec.external_id,
                "external_number": rec.external_number, "seen": rec.status == SyncStatus.SEEN.value,
                "marked_by_hand": rec.marked_by_hand, "note": rec.last_error}

    return _page(session, q, limit, offset, shape)


def error_feedback(session: Session, connection_id: int, limit: int = 100, offset: int = 0) -> Page:
    """R-E10: the latest uncleared error of each record."""
    latest = (select(func.max(SyncError.id)).where(SyncError.connection_id == connection_id,
                                                   SyncError.cleared_at.is_(None))
              .group_by(SyncError.sync_record_id))
    doc = Document.__table__.alias("doc")
    party = Party.__table__.alias("party")
    q = (select(SyncError, SyncRecord.record_type, SyncRecord.record_id, doc.c.number, doc.c.type.label("doc_type"),
                party.c.name.label("party_name")).join(SyncRecord)
         .outerjoin(doc, (SyncRecord.record_type == RecordType.DOCUMENT.value) & (doc.c.id == SyncRecord.record_id))
         .outerjoin(party, (SyncRecord.record_type == RecordType.PARTY.value) & (party.c.id == SyncRecord.record_id))
         .where(SyncError.id.in_(latest), SyncRecord.status == SyncStatus.ERROR.value).order_by(SyncError.at.desc()))

    def shape(r: Any) -> dict[str, Any]:
        err: SyncError = r[0]
        label = f"{r.doc_type.replace('_', ' ')} {r.number}" if r.number else (r.party_name or str(r.record_id))
        return {"error_id": err.id, "record_type": r.record_type, "record_id": r.record_id, "record": label,
                "at": err.at,
                "source": err.source, "failure_type": err.failure_type, "message": err.message, "hint": err.hint,
                "raw_response": err.raw_response}

    return _page(session, q, limit, offset, shape)


def package_payments(session: Session, connection_id: int, limit: int = 100, offset: int = 0,
                     status: str | None = None) -> Page:
    q = select(PackagePayment).where(PackagePayment.connection_id == connection_id)
    if status:
        q = q.where(PackagePayment.status == status)
    q = q.order_by(PackagePayment.payment_date.desc(), PackagePayment.id.desc())

    def shape(r: Any) -> dict[str, Any]:
        p: PackagePayment = r[0]
        return {"id": p.id, "external_id": p.external_id, "type": p.payment_type, "date": p.payment_date,
                "amount": p.amount, "currency": p.currency, "document": p.document_number, "party": p.party_name,
                "reference": p.reference, "status": p.status, "diagnostic": p.diagnostic,
                "deleted_in_package": p.deleted_in_package}

    return _page(session, q, limit, offset, shape)
