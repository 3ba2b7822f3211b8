"""Searching and downloading the audit trail (R-A1): by record, by time, as JSON or CSV.

An audit row concerns records in one of two ways: it is tagged with one (``record_type``,
``record_id``: approvals, marks, imports), or it is a package call whose batch key the
sync records carried (``AuditLink``, resolved here). Both are found by keys and indexes,
never by searching the request text, so a number that happens to appear in another
document's payload does not pull that call into this record's history.

Rows were redacted when stored (``audit.audit``, the HTTP client): what is searched and
downloaded here is already free of secrets, and nothing here adds any.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ledgerbridge.store.models.audit import AuditLink
from ledgerbridge.store.models.host import Document, DocumentType, Item, Party, Payment
from ledgerbridge.store.models.sync import AuditEvent, RecordType, SyncRecord

LINK_CHUNK = 2000
COLUMNS = ("id", "at", "actor", "action", "outcome", "record_type", "record_id", "records", "detail", "request",
           "response")


class UnknownRecord(ValueError):
    """``--record TYPE:NUMBER`` names nothing in this organisation."""


def link_audit_events(session: Session, connection_id: int | None = None) -> int:
    """Link package-call audit rows to the records their batch key was sent for; returns rows resolved.

    Runs when a run starts (``refresh_sync_records``) and before every search, so links are made
    while the sync records still carry the batch key of the call (a later attempt replaces it).
    """
    resolved = 0
    while True:
        q = select(AuditEvent.id).where(AuditEvent.links_resolved.is_(False), AuditEvent.batch_key.is_not(None))
        if connection_id is not None:
            q = q.where(AuditEvent.connection_id == connection_id)
        # Two runs linking at once on PostgreSQL: each takes rows the other has not locked (SQLite has one writer).
        ids = list(session.scalars(q.order_by(AuditEvent.id).limit(LINK_CHUNK).with_for_update(skip_locked=True)))
        if not ids:
            return resolved
        session.execute(insert(AuditLink).from_select(
            ["audit_event_id", "record_type", "record_id"],
            select(AuditEvent.id, SyncRecord.record_type, SyncRecord.record_id)
            .join(SyncRecord, and_(SyncRecord.connection_id == AuditEvent.connection_id,
                                   SyncRecord.batch_key == AuditEvent.batch_key))
            .where(AuditEvent.id.in_(ids), AuditEvent.links_resolved.is_(False))))
        session.execute(update(AuditEvent).where(AuditEvent.id.in_(ids)).values(links_resolved=True))
        resolved += len(ids)


@dataclass(frozen=True, slots=True)
class RecordKey:
    record_type: str  # RecordType value
    record_id: int
    label: str


def resolve_record(session: Session, organisation_id: int, spec: str) -> list[RecordKey]:
    """``TYPE:NUMBER`` -> the records it names: ``document:INV-1`` or ``sales_invoice:INV-1`` (by number),
    ``party:CODE``, ``item:CODE``, ``payment:HOST_ID``. A number reused across document types names each."""
    kind, sep, number = spec.partition(":")
    kind, number = kind.strip().lower(), number.strip()
    if not sep or not kind or not number:
        raise UnknownRecord(f"--record must be TYPE:NUMBER (e.g. sales_invoice:INV-1001, party:C001), not {spec!r}")
    doc_types = {t.value for t in DocumentType}
    if kind == RecordType.DOCUMENT.value or kind in doc_types:
        q = select(Document.id, Document.type).where(Document.organisation_id == organisation_id,
                                                     Document.number == number)
        if kind in doc_types:
            q = q.where(Document.type == kind)
        found = [RecordKey(RecordType.DOCUMENT.value, i, f"{t.replace('_', ' ')} {number}")
                 for i, t in session.execute(q)]
    elif kind == RecordType.PARTY.value:
        found = [RecordKey(kind, i, f"party {number}") for i in session.scalars(select(Party.id).where(
            Party.organisation_id == organisation_id, or_(Party.code == number, Party.host_id == number)))]
    elif kind == RecordType.ITEM.value:
        found = [RecordKey(kind, i, f"item {number}") for i in session.scalars(select(Item.id).where(
            Item.organisation_id == organisation_id, or_(Item.code == number, Item.host_id == number)))]
    elif kind == RecordType.PAYMENT.value:
        found = [RecordKey(kind, i, f"payment {number}") for i in session.scalars(select(Payment.id).where(
            Payment.organisation_id == organisation_id, Payment.host_id == number))]
    else:
        raise UnknownRecord(f"unknown record type {kind!r}: use document, a document type "
                            f"({', '.join(sorted(doc_types))}), party, item or payment")
    if not found:
        raise UnknownRecord(f"no {kind.replace('_', ' ')} {number!r} in this organisation")
    return found


def concerning(records: Sequence[tuple[str, int]]) -> ColumnElement[bool]:
    """The SQL condition for audit rows about any of ``records``: tagged with one, or linked to one."""
    conditions = []
    for record_type, record_id in records:
        conditions.append(and_(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id))
        conditions.append(AuditEvent.id.in_(select(AuditLink.audit_event_id).where(
            AuditLink.record_type == record_type, AuditLink.record_id == record_id)))
    return or_(*conditions) if conditions else AuditEvent.id.is_(None)


def search_audit(session: Session, organisation_id: int, *, records: Sequence[tuple[str, int]] | None = None,
                 since: datetime | None = None, until: datetime | None = None, limit: int = 200,
                 offset: int = 0, with_bodies: bool = True) -> tuple[list[dict[str, Any]], int]:
    """Audit rows of the organisation, newest first, and how many match in all.

    ``records``: only rows about these (record_type, id) pairs; ``since``/``until``: ``since <= at < until``.
    """
    link_audit_events(session)
    where = [AuditEvent.organisation_id == organisation_id]
    if records is not None:
        where.append(concerning(records))
    if since is not None:
        where.append(AuditEvent.at >= since)
    if until is not None:
        where.append(AuditEvent.at < until)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    events = session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                             .limit(limit).offset(offset)).all()
    links: dict[int, list[str]] = {}
    for event_id, record_type, record_id in session.execute(
            select(AuditLink.audit_event_id, AuditLink.record_type, AuditLink.record_id)
            .where(AuditLink.audit_event_id.in_([e.id for e in events])).order_by(AuditLink.id)):
        named = links.setdefault(event_id, [])
        if f"{record_type}:{record_id}" not in named:
            named.append(f"{record_type}:{record_id}")
    rows = []
    for e in events:
        row = {"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "outcome": e.outcome,
               "record_type": e.record_type, "record_id": e.record_id, "records": links.get(e.id, []),
               "detail": e.detail}
        if with_bodies:
            row.update(request=e.request, response=e.response)
        rows.append(row)
    return rows, total


def as_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as CSV with a header, one audit row a line (bodies quoted, newlines kept inside quotes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = []
        for name in COLUMNS:
            value = row.get(name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, list):
                value = " ".join(value)
            values.append("" if value is None else value)
        writer.writerow(values)
    return out.getvalue()


def parse_when(value: str | None, field: str) -> datetime | None:
    """``--since``/``--until``: an ISO date or date-time; a date means its midnight UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} must be a date (2026-11-21) or a date-time (2026-11-21T14:30), "
                         f"not {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


__all__ = ["link_audit_events", "resolve_record", "search_audit", "concerning", "as_csv", "parse_when",
           "UnknownRecord", "RecordKey"]
