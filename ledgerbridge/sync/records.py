"""The sync record: one row per host record per connection, with an explicit status.

``refresh_sync_records`` brings the rows in line with the host's records with a few
set-based statements (new exportable documents become pending creates, edited ones
pending updates, voided ones pending voids); the flows then move rows through
pending -> in_progress -> exported -> seen, or -> error with the reason kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Integer, String, bindparam, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from ledgerbridge.audit.search import link_audit_events
from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.domain.payment_policy import exportable_payments_query, why_not_exported
from ledgerbridge.security.redact import redact
from ledgerbridge.store.db import rowcount, utcnow
from ledgerbridge.store.models.host import (
    EXPORTABLE_TYPES,
    Document,
    DocumentLine,
    DocumentStatus,
    Item,
    Party,
    Payment,
    PaymentOrigin,
)
from ledgerbridge.store.models.sync import Connection, RecordType, SyncError, SyncRecord, SyncStatus

if TYPE_CHECKING:
    from sqlalchemy import Select, Table

SENT_STATES = (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)
EXPORTABLE = [t.value for t in EXPORTABLE_TYPES]
LIVE_STATES = (DocumentStatus.ISSUED.value, DocumentStatus.POSTED.value)


def refresh_sync_records(session: Session, connection: Connection) -> None:
    """Create and re-open sync records so they reflect the host's records now (R-E1, R-E2, R-E9)."""
    # Before any new attempt replaces a batch key: link the last run's package calls to their records (R-A1).
    link_audit_events(session, connection.id)
    now = utcnow()
    doc_filter = [Document.organisation_id == connection.organisation_id, Document.type.in_(EXPORTABLE),
                  Document.status.in_(LIVE_STATES)]
    if connection.start_date is not None:
        doc_filter.append(Document.issue_date >= connection.start_date)
    has_record = exists().where(SyncRecord.connection_id == connection.id,
                                SyncRecord.record_type == RecordType.DOCUMENT.value,
                                SyncRecord.record_id == Document.id)
    _insert_pending(session, connection.id, RecordType.DOCUMENT, select(Document.id).where(*doc_filter, ~has_record),
                    now)
    # Parties go out with their first exportable document.
    doc_records = select(SyncRecord.record_id).where(SyncRecord.connection_id == connection.id,
                                                     SyncRecord.record_type == RecordType.DOCUMENT.value)
    party_has_record = exists().where(SyncRecord.connection_id == connection.id,
                                      SyncRecord.record_type == RecordType.PARTY.value,
                                      SyncRecord.record_id == Party.id)
    needed_parties = select(Party.id).where(
        Party.organisation_id == connection.organisation_id, ~party_has_record,
        Party.id.in_(select(Document.party_id).where(Document.id.in_(doc_records))))
    _insert_pending(session, connection.id, RecordType.PARTY, needed_parties, now)
    _reopen_changed(session, connection.id, RecordType.DOCUMENT, Document, now)
    _reopen_changed(session, connection.id, RecordType.PARTY, Party, now)
    # A party's supplier-role record (export_dependencies.SUPPLIERS) is made when first needed, and follows edits.
    _reopen_changed(session, connection.id, RecordType.SUPPLIER, Party, now)
    if ConnectionSettings.from_json(connection.settings).item_sync:  # R-E1: items only with item sync on
        item_has_record = exists().where(SyncRecord.connection_id == connection.id,
                                         SyncRecord.record_type == RecordType.ITEM.value,
                                         SyncRecord.record_id == Item.id)
        named = select(DocumentLine.item_code).where(DocumentLine.document_id.in_(doc_records),
                                                     DocumentLine.item_code.is_not(None))
        needed_items = select(Item.id).where(Item.organisation_id == connection.organisation_id, ~item_has_record,
                                             Item.code.in_(named))
        _insert_pending(session, connection.id, RecordType.ITEM, needed_items, now)
        _reopen_changed(session, connection.id, RecordType.ITEM, Item, now)
    # Voided after export: send a void (R-E9). Voided before export: nothing to send.
    voided = select(Document.id).where(Document.organisation_id == connection.organisation_id,
                                       Document.status == DocumentStatus.VOID.value)
    session.execute(update(SyncRecord).where(
        SyncRecord.connection_id == connection.id, SyncRecord.record_type == RecordType.DOCUMENT.value,
        SyncRecord.external_id.is_not(None), SyncRecord.marked_by_hand.is_(False), SyncRecord.action != "void",
        SyncRecord.record_id.in_(voided)).values(status=SyncStatus.PENDING.value, action="void", updated_at=now))


def _insert_pending(session: Session, connection_id: int, record_type: RecordType, ids: Select[int],
                    now: datetime) -> None:
    sub = ids.subquery()
    session.execute(insert(SyncRecord).from_select(
        ["connection_id", "record_type", "record_id", "status", "action", "attempts", "marked_by_hand", "updated_at"],
        select(literal(connection_id, Integer), literal(record_type.value, String), sub.c.id,
               literal(SyncStatus.PENDING.value, String), literal("create", String), literal(0, Integer),
               literal(False, Boolean), literal(now, SyncRecord.updated_at.type)),
    ))


def _reopen_changed(session: Session, connection_id: int, record_type: RecordType, table: type[Document | Party | Item],
                    now: datetime) -> None:
    """An exported record whose version moved on goes out again as an update (never if marked by hand)."""
    changed = select(table.id).where(table.id == SyncRecord.record_id, table.version != SyncRecord.exported_version)
    if table is Document:
        changed = changed.where(Document.status.in_(LIVE_STATES))
    session.execute(update(SyncRecord).where(
        SyncRecord.connection_id == connection_id, SyncRecord.record_type == record_type.value,
        SyncRecord.status.in_(SENT_STATES), SyncRecord.marked_by_hand.is_(False), SyncRecord.external_id.is_not(None),
        SyncRecord.action != "void", exists(changed)).values(status=SyncStatus.PENDING.value, action="update",
                                                               updated_at=now))


def update_records(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Update many sync records by id in one executemany (the export hot path; ORM bulk costs 3x more).

    Rows are grouped by the columns they set, since one statement sets one set of columns.
    """
    table = SyncRecord.__table__
    now = utcnow()
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row in rows:
        keys = tuple(sorted(k for k in row if k != "id"))
        params = {("_id" if k == "id" else k): v for k, v in row.items()}
        params["updated_at"] = now
        groups.setdefault(keys, []).append(params)
    sqlite = session.get_bind().dialect.name == "sqlite"
    for keys, params_list in groups.items():
        if sqlite:
            _sqlite_update(session, table, (*keys, "updated_at"), params_list)
            continue
        stmt = (update(table).where(table.c.id == bindparam("_id"))
                .values({k: bindparam(k) for k in (*keys, "updated_at")}))
        session.connection().execute(stmt, params_list)


def _sqlite_update(session: Session, table: Table, columns: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    """The driver's own executemany, each column's bind processor taken once (as ``intake_store`` inserts): on
    SQLite, SQLAlchemy's per-row parameter processing was most of the cost of the three updates every exported
    record gets (attempt, outcome, seen tick). Values still pass through the columns' processors."""
    dialect = session.get_bind().dialect
    cols = [table.c[name] for name in columns] + [table.c.id]
    processors = [c.type._cached_bind_processor(dialect) for c in cols]  # noqa: SLF001 - SQLAlchemy's own hook
    names = [*columns, "_id"]
    params = [tuple(p(row[n]) if p is not None else row[n] for p, n in zip(processors, names, strict=True))
              for row in rows]
    assignments = ", ".join(f'"{c.name}" = ?' for c in cols[:-1])
    session.connection().exec_driver_sql(f'UPDATE "{table.name}" SET {assignments} WHERE "id" = ?', params)


def record_error(session: Session, record: SyncRecord, *, source: str, message: str, failure_type: str,
                 hint: str | None = None, raw_response: str | None = None) -> None:
    """Keep the error (the grid shows the latest) and put the record in error."""
    now = utcnow()
    record.status = SyncStatus.ERROR.value
    record.failure_type = failure_type
    record.last_error = message
    record.last_error_at = now
    session.add(SyncError(sync_record_id=record.id, connection_id=record.connection_id, at=now, source=source,
                          failure_type=failure_type, message=message, hint=hint,
                          raw_response=redact(raw_response) if raw_response else None))


def clear_errors(session: Session, record_ids: Sequence[int]) -> None:
    """Mark the records' open errors cleared.

    A Core UPDATE on the session's connection, as ``update_records`` does: the export binds every batch's
    answers through here, and the ORM's bulk UPDATE (its compile state and in-session synchronisation) cost more
    than the statement itself (0.5 s of a 10,000-invoice upload). Errors added in this session are flushed
    first so that none is missed; no caller reads a loaded error's ``cleared_at`` before its commit."""
    if not record_ids:
        return
    session.flush()
    table = SyncError.__table__
    session.connection().execute(update(table).where(table.c.sync_record_id.in_(record_ids),
                                                     table.c.cleared_at.is_(None)).values(cleared_at=utcnow()))


def mark_exported_by_hand(session: Session, connection: Connection, record_ids: Sequence[int],
                          reference: str | None = None) -> int:
    """R-E8: pending rows become exported without being sent and without the tick; never sent afterwards."""
    refresh_sync_records(session, connection)
    rows = session.scalars(select(SyncRecord).where(
        SyncRecord.connection_id == connection.id, SyncRecord.record_type == RecordType.DOCUMENT.value,
        SyncRecord.record_id.in_(record_ids),
        SyncRecord.status.in_((SyncStatus.PENDING.value, SyncStatus.ERROR.value)))).all()
    versions = dict(session.execute(select(Document.id, Document.version).where(Document.id.in_(record_ids))).all())
    now = utcnow()
    for rec in rows:
        rec.status = SyncStatus.EXPORTED.value
        rec.marked_by_hand = True
        rec.exported_at = now
        rec.exported_version = versions.get(rec.record_id)
        rec.external_number = reference or rec.external_number
        rec.failure_type = None
        rec.last_error = None
    clear_errors(session, [r.id for r in rows])
    return len(rows)


@dataclass(frozen=True, slots=True)
class StatusCounts:
    by_status: dict[str, int]

    def get(self, status: SyncStatus) -> int:
        return self.by_status.get(status.value, 0)


def status_counts(session: Session, connection_id: int, record_type: RecordType | None = None) -> StatusCounts:
    q = select(SyncRecord.status, func.count()).where(SyncRecord.connection_id == connection_id)
    if record_type is not None:
        q = q.where(SyncRecord.record_type == record_type.value)
    return StatusCounts(dict(session.execute(q.group_by(SyncRecord.status)).all()))


def reset_stale_in_progress(session: Session, connection_id: int, older_than: datetime) -> int:
    """Claimed by a run that is gone: back to the queue (the exporter looks them up before re-creating)."""
    result = session.execute(update(SyncRecord).where(
        SyncRecord.connection_id == connection_id, SyncRecord.status == SyncStatus.IN_PROGRESS.value,
        or_(SyncRecord.attempt_started_at.is_(None), SyncRecord.attempt_started_at < older_than),
    ).values(status=SyncStatus.PENDING.value))
    return rowcount(result) or 0


def not_exported_reasons(session: Session, connection: Connection) -> dict[str, dict[str, int]]:
    """Documents that will not go out, counted by type and reason (for the demo and the status page)."""
    out: dict[str, dict[str, int]] = {}
    never = select(Document.type, func.count()).where(
        Document.organisation_id == connection.organisation_id, Document.type.not_in(EXPORTABLE)
    ).group_by(Document.type)
    for doc_type, count in session.execute(never):
        out.setdefault(doc_type, {})[f"{doc_type.replace('_', ' ')}s are never exported"] = count
    if connection.start_date is not None:
        early = select(Document.type, func.count()).where(
            Document.organisation_id == connection.organisation_id, Document.type.in_(EXPORTABLE),
            Document.issue_date < connection.start_date).group_by(Document.type)
        for doc_type, count in session.execute(early):
            out.setdefault(doc_type, {})[f"dated before the start date {connection.start_date}"] = count
    drafts = select(Document.type, func.count()).where(
        Document.organisation_id == connection.organisation_id, Document.type.in_(EXPORTABLE),
        Document.status == DocumentStatus.DRAFT.value).group_by(Document.type)
    for doc_type, count in session.execute(drafts):
        out.setdefault(doc_type, {})["still a draft (issue or post it first)"] = count
    # R-PAY1: host payments that never go to the package, each with its reason (payment_policy).
    settings = ConnectionSettings.from_json(connection.settings)
    may_go = exportable_payments_query(connection).subquery()
    now_marker = utcnow()
    live = Payment.reversed_at.is_(None)
    groups = session.execute(select(Payment.made_while_integrated, Payment.kind, live, func.count()).where(
        Payment.organisation_id == connection.organisation_id, Payment.origin == PaymentOrigin.HOST.value,
        Payment.id.not_in(select(may_go.c.id))).group_by(Payment.made_while_integrated, Payment.kind, live))
    for made_while_integrated, kind, is_live, count in groups:
        # One stand-in per group: the reason depends only on these columns.
        stand_in = Payment(origin=PaymentOrigin.HOST.value, made_while_integrated=made_while_integrated, kind=kind,
                           reversed_at=None if is_live else now_marker)
        reason = why_not_exported(stand_in, settings)
        if reason:
            reasons = out.setdefault(RecordType.PAYMENT.value, {})
            reasons[reason] = reasons.get(reason, 0) + count
    return out


__all__ = ["refresh_sync_records", "record_error", "clear_errors", "mark_exported_by_hand", "status_counts",
           "reset_stale_in_progress", "not_exported_reasons", "StatusCounts"]
