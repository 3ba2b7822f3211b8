"""What every run against one connection shares: its setup, its report's plumbing and its look-ups.

The exporter, the payment export, the payment import and the allocation sync each work on one
connection's records through one connector, as one actor, opening their own sessions; each
reports counts the CLI, the API and the jobs show as a dict. The bindings between records here
and the package's ids live in the sync records (one place, never copied), so the look-ups from one
side to the other are written once, here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.store.models.host import Allocation, Payment
from ledgerbridge.store.models.sync import RecordType, SyncCursor, SyncRecord, SyncStatus


class Report:
    """Base of the runs' reports (``@dataclass(slots=True)`` subclasses): the fields, in order, as a dict."""

    __slots__: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


class ConnectionRun:
    """One run on ``connection_id``'s records through ``connector``, recorded in the audit trail as ``actor``."""

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, connector: Connector, *,
                 actor: str = "system") -> None:
        self.sessions = sessions
        self.connection_id = connection_id
        self.connector = connector
        self.actor = actor

    def _cursor(self, session: Session, stream: str) -> SyncCursor:
        """This connection's bookmark for reading ``stream`` incrementally (made on the first read)."""
        cursor = session.scalar(select(SyncCursor).where(SyncCursor.connection_id == self.connection_id,
                                                         SyncCursor.stream == stream))
        if cursor is None:
            cursor = SyncCursor(connection_id=self.connection_id, stream=stream)
            session.add(cursor)
        return cursor

    def _record_id(self, session: Session, record_type: RecordType, external_id: str | None) -> int | None:
        """The record here bound to the package's ``external_id`` (None: not bound on this connection)."""
        if not external_id:
            return None
        return session.scalar(select(SyncRecord.record_id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == record_type.value,
            SyncRecord.external_id == external_id))

    def _record_ids(self, session: Session, record_type: RecordType, external_ids: Iterable[str]) -> dict[str, int]:
        """``{package id: record id here}`` for those of ``external_ids`` bound on this connection."""
        wanted = list(external_ids) or [""]  # an empty IN is not portable
        rows = session.execute(select(SyncRecord.external_id, SyncRecord.record_id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == record_type.value,
            SyncRecord.external_id.in_(wanted)))
        return {external_id: record_id for external_id, record_id in rows if external_id is not None}

    def _external_id(self, session: Session, record_type: RecordType, record_id: int,
                     status: SyncStatus | None = None) -> str | None:
        """The package's id of record ``record_id`` here (with ``status``: only in that state)."""
        q = select(SyncRecord.external_id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == record_type.value,
            SyncRecord.record_id == record_id)
        if status is not None:
            q = q.where(SyncRecord.status == status.value)
        return session.scalar(q)


def hold_allocations(payment: Payment, held: dict[int, Decimal]) -> None:
    """The payment's allocations here become ``held`` (document id -> amount, what the package holds)."""
    current = {a.document_id: a for a in payment.allocations}
    for doc_id, row in current.items():
        if doc_id not in held:
            payment.allocations.remove(row)
        elif row.amount != held[doc_id]:
            row.amount = held[doc_id]
    for doc_id, amount in held.items():
        if doc_id not in current:
            payment.allocations.append(Allocation(document_id=doc_id, amount=amount))
