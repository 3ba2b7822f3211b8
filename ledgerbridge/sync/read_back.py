"""The seen tick (R-E7): an exported record is ticked only once read back from the package with equal totals.

Two ways to read back, whichever costs fewer calls: by id for a handful of records, or
page by page through everything the package changed since the upload began (Xero gives
1,000 a page), matching each page against the records awaiting their tick. Either way
memory holds one page, not the whole upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector, RemoteDocument
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import Remark, Seen

BY_ID_LIMIT = 100
CHUNK = 500


def _awaiting(connection_id: int) -> Select[int, str | None, Decimal | None, str]:
    return (select(SyncRecord.id, SyncRecord.external_id, SyncRecord.exported_total, Document.type)
            .join(Document, Document.id == SyncRecord.record_id)
            .where(SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                   SyncRecord.status == SyncStatus.EXPORTED.value, SyncRecord.marked_by_hand.is_(False),
                   SyncRecord.external_id.is_not(None)))


def tick_seen(sessions: sessionmaker[Session], connection_id: int, connector: Connector,
              since: datetime | None = None) -> int:
    """Read back what awaits its tick; returns how many were ticked."""
    with session_scope(sessions) as session:
        count = session.scalar(select(func.count()).select_from(_awaiting(connection_id).subquery())) or 0
        if count == 0:
            return 0
        if since is not None and count > BY_ID_LIMIT:
            return _tick_by_pages(session, connection_id, connector, since)
        return _tick_by_ids(session, connection_id, connector)


def _tick_by_ids(session: Session, connection_id: int, connector: Connector) -> int:
    ticked = 0
    last_id = 0
    while True:
        rows = session.execute(_awaiting(connection_id).where(SyncRecord.id > last_id)
                               .order_by(SyncRecord.id).limit(CHUNK)).all()
        if not rows:
            return ticked
        remote = connector.read_back_documents([(r.type, r.external_id) for r in rows])
        ticked += _tick(session, connector, rows, remote)
        session.commit()
        last_id = rows[-1].id


def _tick_by_pages(session: Session, connection_id: int, connector: Connector, since: datetime) -> int:
    ticked = 0
    awaiting = _awaiting(connection_id).subquery()
    doc_types = set(session.scalars(select(awaiting.c.type).distinct()))
    for page in connector.remote_documents_since(since, doc_types):
        remote = {doc.external_id: doc for doc in page}
        ids = list(remote)
        for start in range(0, len(ids), CHUNK):
            rows = session.execute(_awaiting(connection_id).where(
                SyncRecord.external_id.in_(ids[start : start + CHUNK]))).all()
            ticked += _tick(session, connector, rows, remote)
        session.commit()
    return ticked


def _tick(session: Session, connector: Connector, rows: Sequence[Any], remote: dict[str, RemoteDocument]) -> int:
    now = utcnow()
    seen: list[Seen] = []
    mismatched: list[Remark] = []
    for r in rows:
        doc = remote.get(r.external_id)
        if doc is None:
            continue
        if r.exported_total is None or doc.total == r.exported_total:
            seen.append(Seen(r.id, now))
        else:
            mismatched.append(Remark(r.id, f"{connector.display_name} shows a total of {doc.total}, "
                                     f"but {r.exported_total} was sent: not ticked"))
    lifecycle.apply(session, seen)
    lifecycle.apply(session, mismatched)
    return len(seen)
