"""The grids of the Export and Import tabs as queries: pending, exported, errors, payments.

Server-side paging and filtering so a screen or a command never loads the whole store.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, exists, func, select
from sqlalchemy.orm import Session

from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.packages.registry import package_name
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.host import Document, DocumentType, Item, Party, Payment
from ledgerbridge.store.models.sync import (
    OPEN_SYNC_STATUSES,
    Connection,
    PackagePayment,
    RecordType,
    SyncError,
    SyncRecord,
    SyncStatus,
)
from ledgerbridge.sync.approvals import held_back
from ledgerbridge.sync.records import refresh_sync_records

WAITS_FOR = {"create": "Upload Data", "update": "Upload Data (changed since export)",
             "void": "Upload Data (voided since export)"}


def waits_for(status: str, action: str, updated_at: datetime | None = None, package: str = "the package") -> str:
    """What a record not yet in the package waits for, in the words of the screens (R-E3)."""
    if status == SyncStatus.ERROR.value:
        return "a fix (see Error Feedback)"
    if status == SyncStatus.IN_PROGRESS.value:
        return "the upload under way"
    if status == SyncStatus.AWAITING_FETCH.value:
        # A package that polls us takes its work when its program next asks (on the user's PC, on its schedule).
        since = f" (queued {updated_at:%Y-%m-%d %H:%M} UTC)" if updated_at is not None else ""
        return f"{package} to fetch it at its next poll{since}"
    return WAITS_FOR.get(action, "Upload Data")


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "total": self.total, "limit": self.limit, "offset": self.offset}


#: How far back a change is looked for, before the last refresh: a writer stamps ``updated_at`` when its
#: transaction starts and may commit after a refresh has read the store, so its rows count as new until then.
CHANGE_MARGIN = timedelta(seconds=60)
# engine -> connection id -> ((start date, item sync) the refresh ran with, when it began)
_refreshed: weakref.WeakKeyDictionary[Engine, dict[int, tuple[tuple[date | None, bool], datetime]]] = (
    weakref.WeakKeyDictionary())
_refreshed_lock = threading.Lock()


def _changed_since(session: Session, connection: Connection, since: datetime) -> bool:
    """Did anything that ``refresh_sync_records`` reads change since ``since``? One index seek per table."""
    org = connection.organisation_id
    probes = [exists().where(Document.organisation_id == org, Document.updated_at >= since),
              exists().where(Party.organisation_id == org, Party.updated_at >= since),
              exists().where(SyncRecord.connection_id == connection.id, SyncRecord.updated_at >= since)]
    if ConnectionSettings.from_json(connection.settings).item_sync:
        probes.append(exists().where(Item.organisation_id == org, Item.updated_at >= since))
    return any(session.scalar(select(probe)) for probe in probes)


def refresh_when_changed(session: Session, connection: Connection) -> bool:
    """``refresh_sync_records``, skipped when nothing it reads has changed since this process last ran it.

    A screen calls this on every view; at 100,000 documents a full refresh costs 150-250 ms, the check a
    few index seeks. Changes are seen by the ``updated_at`` every write stamps (intake, status changes, the
    sync records' own moves), looked for ``CHANGE_MARGIN`` before the last refresh began; a change of the
    connection's start date or item sync setting forces a refresh. It is remembered when the session
    commits (a rolled-back refresh is run again). Returns whether it refreshed.
    """
    engine = session.get_bind().engine  # the Engine itself, or a Connection's
    key = (connection.start_date, ConnectionSettings.from_json(connection.settings).item_sync)
    with _refreshed_lock:
        last = _refreshed.get(engine, {}).get(connection.id)
    if last is not None and last[0] == key and not _changed_since(session, connection, last[1] - CHANGE_MARGIN):
        return False
    started, connection_id = utcnow(), connection.id

    def remember(_session: Session) -> None:  # only once what the refresh wrote is committed
        with _refreshed_lock:
            _refreshed.setdefault(engine, {})[connection_id] = (key, started)

    refresh_sync_records(session, connection)
    event.listen(session, "after_commit", remember, once=True)
    return True


def _doc_query(connection_id: int, statuses: tuple[str, ...]) -> Any:
    return (select(SyncRecord, Document.type, Document.number, Document.issue_date, Document.gross_total,
                   Document.currency, Party.name.label("party"))
            .join(Document, Document.id == SyncRecord.record_id).join(Party, Party.id == Document.party_id)
            .where(SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                   SyncRecord.status.in_(statuses)))


def _doc_keys(connection_id: int, statuses: tuple[str, ...]) -> Any:
    """The rows of ``_doc_query`` from the sync records alone: every document record has its document and
    every document its party, so this counts and pages the same rows without the joins."""
    return select(SyncRecord.id).where(SyncRecord.connection_id == connection_id,
                                       SyncRecord.record_type == RecordType.DOCUMENT.value,
                                       SyncRecord.status.in_(statuses))


def _page(session: Session, query: Any, limit: int, offset: int, shape: Any, keys: Any = None,
          count_from: Any = None) -> Page:
    """One page; with ``keys`` (the same rows from the driving table alone, ordered as ``query``) the count
    and the OFFSET run on it and the joins only for the page's rows; ``count_from`` is counted instead of
    ``query`` when only the count can do without the joins."""
    counted = keys if keys is not None else count_from if count_from is not None else query
    total = session.scalar(select(func.count()).select_from(counted.order_by(None).subquery())) or 0
    if keys is not None:
        page_keys = keys.limit(limit).offset(offset).scalar_subquery()
        query = query.where(keys.selected_columns[0].in_(page_keys))
    else:
        query = query.limit(limit).offset(offset)
    rows = [shape(r) for r in session.execute(query)]
    return Page(rows, total, limit, offset)


def pending_export(session: Session, connection: Connection, limit: int = 100, offset: int = 0,
                   doc_type: str | None = None) -> Page:
    """R-E3: every exportable record not yet exported, with what it waits for."""
    refresh_when_changed(session, connection)
    statuses = OPEN_SYNC_STATUSES
    package = package_name(connection.kind)
    q = _doc_query(connection.id, statuses)
    if doc_type:
        q = q.where(Document.type == doc_type)
    q = q.order_by(Document.issue_date, Document.id)

    def shape(r: Any) -> dict[str, Any]:
        rec: SyncRecord = r[0]
        waits = waits_for(rec.status, rec.action, rec.updated_at, package)
        return {"document_id": rec.record_id, "type": r.type, "number": r.number, "party": r.party,
                "date": r.issue_date, "total": r.gross_total, "currency": r.currency, "status": rec.status,
                "action": rec.action, "waits_for": waits}

    page = _page(session, q, limit, offset, shape, count_from=None if doc_type else _doc_keys(connection.id, statuses))
    # R-P1/R-P2: a purchase invoice held back says what it waits for (approvals, the send, the rule) first.
    held = held_back(session, connection.organisation_id,
                     [r["document_id"] for r in page.rows if r["type"] == DocumentType.PURCHASE_INVOICE.value])
    for row in page.rows:
        if row["document_id"] in held and row["action"] != "void":
            row["waits_for"] = "; ".join(held[row["document_id"]]).removeprefix("waits for ")
    return page


def exported(session: Session, connection_id: int, limit: int = 100, offset: int = 0) -> Page:
    statuses = (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)
    order = (SyncRecord.exported_at.desc(), SyncRecord.id.desc())
    q = _doc_query(connection_id, statuses).order_by(*order)

    def shape(r: Any) -> dict[str, Any]:
        rec: SyncRecord = r[0]
        return {"document_id": rec.record_id, "type": r.type, "number": r.number, "party": r.party,
                "total": r.gross_total, "exported_at": rec.exported_at, "external_id": rec.external_id,
                "external_number": rec.external_number, "seen": rec.status == SyncStatus.SEEN.value,
                "marked_by_hand": rec.marked_by_hand, "note": rec.last_error}

    return _page(session, q, limit, offset, shape, _doc_keys(connection_id, statuses).order_by(*order))


#: The sync records that stand for a party: its own, and its supplier role's where the package keeps customers and
#: suppliers apart (QuickBooks' Vendor beside its Customer).
PARTY_RECORDS = (RecordType.PARTY.value, RecordType.SUPPLIER.value)


def latest_errors(connection_id: int) -> Any:
    """R-E10: the latest uncleared error of each record still in error, with what names the record (see
    :func:`record_label`). The Export tab's grid and the CLI read this.

    ``number`` and ``doc_type`` name a document by its type and number and a payment the same way, by its kind and
    the host's id ("prepayment PP-1"): a payment has no number of its own, and its internal id means nothing to
    the person fixing it. ``party_name`` names a party."""
    latest = (select(func.max(SyncError.id)).where(SyncError.connection_id == connection_id,
                                                   SyncError.cleared_at.is_(None))
              .group_by(SyncError.sync_record_id))
    doc = Document.__table__.alias("doc")
    party = Party.__table__.alias("party")
    payment = Payment.__table__.alias("payment")
    return (select(SyncError, SyncRecord.record_type, SyncRecord.record_id,
                   func.coalesce(doc.c.number, payment.c.host_id).label("number"),
                   func.coalesce(doc.c.type, payment.c.kind).label("doc_type"), party.c.name.label("party_name"))
            .join(SyncRecord, SyncRecord.id == SyncError.sync_record_id)
            .outerjoin(doc, (SyncRecord.record_type == RecordType.DOCUMENT.value) & (doc.c.id == SyncRecord.record_id))
            .outerjoin(payment, (SyncRecord.record_type == RecordType.PAYMENT.value)
                       & (payment.c.id == SyncRecord.record_id))
            .outerjoin(party, SyncRecord.record_type.in_(PARTY_RECORDS) & (party.c.id == SyncRecord.record_id))
            .where(SyncError.id.in_(latest), SyncRecord.status == SyncStatus.ERROR.value))


def record_label(row: Any) -> str:
    """A row of :func:`latest_errors` as a person knows the record: "sales invoice INV-1", "prepayment PP-1", a
    party's name, or its name with its role where the record is the party's supplier role."""
    if row.number:
        return f"{row.doc_type.replace('_', ' ')} {row.number}"
    name = row.party_name or str(row.record_id)
    return f"{name} (supplier)" if row.record_type == RecordType.SUPPLIER.value else name


def error_feedback(session: Session, connection_id: int, limit: int = 100, offset: int = 0) -> Page:
    """R-E10: the latest uncleared error of each record."""
    q = latest_errors(connection_id).order_by(SyncError.at.desc())

    def shape(r: Any) -> dict[str, Any]:
        err: SyncError = r[0]
        return {"error_id": err.id, "record_type": r.record_type, "record_id": r.record_id, "record": record_label(r),
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
