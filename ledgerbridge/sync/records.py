"""The sync record: one row per host record per connection, with an explicit status.

``refresh_sync_records`` brings the rows in line with the host's records with a few
set-based statements (new exportable documents become pending creates, edited ones
pending updates, voided ones pending voids); the flows then move rows through
pending -> in_progress -> exported -> seen, or -> error with the reason kept. Every
status write goes through ``sync.lifecycle``, whose table says which moves are allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from ledgerbridge.audit.search import link_audit_events
from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.domain.payment_policy import exportable_payments_query, why_not_exported
from ledgerbridge.security.redact import redact
from ledgerbridge.store.db import utcnow
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
from ledgerbridge.store.models.sync import (
    Connection,
    FailureType,
    RecordType,
    SyncAction,
    SyncError,
    SyncRecord,
    SyncStatus,
)
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import Failed, MarkedByHand, State

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
    lifecycle.insert_new(session, connection.id, RecordType.DOCUMENT,
                         select(Document.id).where(*doc_filter, ~has_record), now)
    # Parties go out with their first exportable document.
    doc_records = select(SyncRecord.record_id).where(SyncRecord.connection_id == connection.id,
                                                     SyncRecord.record_type == RecordType.DOCUMENT.value)
    party_has_record = exists().where(SyncRecord.connection_id == connection.id,
                                      SyncRecord.record_type == RecordType.PARTY.value,
                                      SyncRecord.record_id == Party.id)
    needed_parties = select(Party.id).where(
        Party.organisation_id == connection.organisation_id, ~party_has_record,
        Party.id.in_(select(Document.party_id).where(Document.id.in_(doc_records))))
    lifecycle.insert_new(session, connection.id, RecordType.PARTY, needed_parties, now)
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
        lifecycle.insert_new(session, connection.id, RecordType.ITEM, needed_items, now)
        _reopen_changed(session, connection.id, RecordType.ITEM, Item, now)
    # Voided after export: send a void (R-E9). Voided before export: nothing to send.
    voided = select(Document.id).where(Document.organisation_id == connection.organisation_id,
                                       Document.status == DocumentStatus.VOID.value)
    # From whatever state it is in: only one marked by hand stays (it was never sent).
    lifecycle.requeue_matching(
        session, lifecycle.BEFORE[State.PENDING],
        SyncRecord.connection_id == connection.id, SyncRecord.record_type == RecordType.DOCUMENT.value,
        SyncRecord.external_id.is_not(None), SyncRecord.action != SyncAction.VOID.value,
        SyncRecord.record_id.in_(voided), action=SyncAction.VOID, now=now)


def _reopen_changed(session: Session, connection_id: int, record_type: RecordType, table: type[Document | Party | Item],
                    now: datetime) -> None:
    """An exported record whose version moved on goes out again as an update (never if marked by hand)."""
    changed = select(table.id).where(table.id == SyncRecord.record_id, table.version != SyncRecord.exported_version)
    if table is Document:
        changed = changed.where(Document.status.in_(LIVE_STATES))
    lifecycle.requeue_matching(
        session, (State.EXPORTED, State.SEEN),
        SyncRecord.connection_id == connection_id, SyncRecord.record_type == record_type.value,
        SyncRecord.external_id.is_not(None), SyncRecord.action != SyncAction.VOID.value, exists(changed),
        action=SyncAction.UPDATE, now=now)


def record_error(session: Session, record: SyncRecord, *, source: str, message: str, failure_type: str,
                 hint: str | None = None, raw_response: str | None = None) -> None:
    """Keep the error (the grid shows the latest) and put the record in error."""
    now = utcnow()
    lifecycle.apply_loaded(session, [(record, Failed(record.id, FailureType(failure_type), message, now))])
    session.add(SyncError(sync_record_id=record.id, connection_id=record.connection_id, at=now, source=source,
                          failure_type=failure_type, message=message, hint=hint,
                          raw_response=redact(raw_response) if raw_response else None))


def clear_errors(session: Session, record_ids: Sequence[int]) -> None:
    """Mark the records' open errors cleared.

    A Core UPDATE on the session's connection, as ``lifecycle.apply`` does: the export binds every batch's
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
    rows = session.execute(select(SyncRecord.id, SyncRecord.record_id).where(
        SyncRecord.connection_id == connection.id, SyncRecord.record_type == RecordType.DOCUMENT.value,
        SyncRecord.record_id.in_(record_ids), lifecycle.guard(lifecycle.BEFORE[State.MARKED]))).all()
    versions = dict(session.execute(select(Document.id, Document.version).where(Document.id.in_(record_ids))).all())
    now = utcnow()
    lifecycle.apply(session, [MarkedByHand(r.id, now, versions.get(r.record_id),
                                           reference if reference else lifecycle.KEEP) for r in rows])
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
    return lifecycle.requeue_matching(
        session, (State.IN_PROGRESS,), SyncRecord.connection_id == connection_id,
        or_(SyncRecord.attempt_started_at.is_(None), SyncRecord.attempt_started_at < older_than))


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
