"""The queries behind the web grids, with the columns each may be sorted by.

They read the sync record (the one place sync state lives) joined to the host's
documents, scoped to one connection, which is itself scoped to the user's organisation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric, cast, func, or_, select

from ledgerbridge.store.models.host import Document, Party
from ledgerbridge.store.models.sync import (
    OPEN_SYNC_STATUSES,
    Connection,
    PackagePayment,
    RecordType,
    SyncError,
    SyncRecord,
    SyncStatus,
)
from ledgerbridge.sync import grids

OPEN_STATUSES = OPEN_SYNC_STATUSES
DONE_STATUSES = (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)


def _search(query: Any, text: str, *columns: Any) -> Any:
    text = text.strip()
    if not text:
        return query
    like = f"%{text.lower()}%"
    return query.where(or_(*(func.lower(c).like(like) for c in columns)))


def _search_documents(query: Any, text: str, organisation: Any, *columns: Any) -> Any:
    """``_search`` on documents: their ``columns``, or their party's name. The parties are matched first (a
    few thousand names, not one per document) and the documents found by their party's id."""
    text = text.strip()
    if not text:
        return query
    like = f"%{text.lower()}%"
    parties = select(Party.id).where(Party.organisation_id == organisation, func.lower(Party.name).like(like))
    return query.where(or_(Document.party_id.in_(parties), *(func.lower(c).like(like) for c in columns)))


def document_records(connection_id: int, statuses: tuple[str, ...], text: str = "", doc_type: str = "") -> Any:
    # The organisation is implied by the connection; saying it lets the planner walk the documents' own
    # indexes (number, date) in order rather than sort every joined row.
    organisation = select(Connection.organisation_id).where(Connection.id == connection_id).scalar_subquery()
    q = (select(SyncRecord, Document, Party.name.label("party"))
         .join(Document, Document.id == SyncRecord.record_id).join(Party, Party.id == Document.party_id)
         .where(SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                SyncRecord.status.in_(statuses), Document.organisation_id == organisation))
    if doc_type:
        q = q.where(Document.type == doc_type)
    return _search_documents(q, text, organisation, Document.number)


def document_records_narrow(connection_id: int, statuses: tuple[str, ...], text: str = "",
                            doc_type: str = "") -> Any:
    """``document_records`` from the sync records alone (every document record has its document, and every
    document its party), for counting and paging; None when a filter needs the joins."""
    if text.strip() or doc_type:
        return None
    return select(SyncRecord.id).where(SyncRecord.connection_id == connection_id,
                                       SyncRecord.record_type == RecordType.DOCUMENT.value,
                                       SyncRecord.status.in_(statuses))


PENDING_SORT = {"type": Document.type, "number": Document.number, "party": Party.name, "date": Document.issue_date,
                "total": cast(Document.gross_total, Numeric), "status": SyncRecord.status}
EXPORTED_SORT = {"type": Document.type, "number": Document.number, "party": Party.name,
                 "exported": SyncRecord.exported_at, "seen": SyncRecord.status}


def latest_errors(connection_id: int, text: str = "", source: str = "") -> Any:
    """R-E10: the latest uncleared error of each record still in error (``grids.latest_errors``), filtered."""
    q = grids.latest_errors(connection_id)
    if source:
        q = q.where(SyncError.source == source)
    named = q.selected_columns
    return _search(q, text, func.coalesce(named.number, ""), func.coalesce(named.party_name, ""), SyncError.message)


ERROR_SORT = {"at": SyncError.at, "source": SyncError.source, "record": SyncRecord.record_id}


def package_payments(connection_id: int, text: str = "", status: str = "") -> Any:
    q = select(PackagePayment).where(PackagePayment.connection_id == connection_id)
    if status:
        q = q.where(PackagePayment.status == status)
    return _search(q, text, func.coalesce(PackagePayment.document_number, ""),
                   func.coalesce(PackagePayment.party_name, ""), func.coalesce(PackagePayment.reference, ""))


PAYMENT_SORT = {"date": PackagePayment.payment_date, "document": PackagePayment.document_number,
                "party": PackagePayment.party_name, "status": PackagePayment.status,
                "amount": cast(PackagePayment.amount, Numeric)}


def host_documents(organisation_id: int, connection_id: int | None, text: str = "", doc_type: str = "",
                   status: str = "") -> Any:
    """The host's documents with their sync status on this connection (none yet: not tracked)."""
    q = (select(Document, Party.name.label("party"), SyncRecord.status.label("sync_status"),
                SyncRecord.marked_by_hand)
         .join(Party, Party.id == Document.party_id)
         .outerjoin(SyncRecord, (SyncRecord.record_id == Document.id)
                    & (SyncRecord.record_type == RecordType.DOCUMENT.value)
                    & (SyncRecord.connection_id == (connection_id or -1)))
         .where(Document.organisation_id == organisation_id))
    if doc_type:
        q = q.where(Document.type == doc_type)
    if status == "not_tracked":
        q = q.where(SyncRecord.id.is_(None))
    elif status:
        q = q.where(SyncRecord.status == status)
    return _search_documents(q, text, organisation_id, Document.number, func.coalesce(Document.order_number, ""))


def host_documents_narrow(organisation_id: int, doc_type: str = "", text: str = "", status: str = "") -> Any:
    """``host_documents`` from the documents alone (the sync record is joined on a unique key, the party on a
    required one, so neither adds or drops a row), for counting and paging; None when a filter needs a join."""
    if text.strip() or status:
        return None
    q = select(Document.id).where(Document.organisation_id == organisation_id)
    return q.where(Document.type == doc_type) if doc_type else q


DOCUMENT_SORT = {"number": Document.number, "type": Document.type, "party": Party.name, "date": Document.issue_date,
                 "total": cast(Document.gross_total, Numeric), "status": SyncRecord.status}
