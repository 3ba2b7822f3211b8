"""The seen tick (R-E7): an exported record is ticked only once read back from the package with equal totals.

Two ways to read back, whichever costs fewer calls: by id for a handful of records (as many a call as the
connector's ``max_ids_per_read``), or page by page through everything the package changed since the upload began
(Xero gives 1,000 a page), matching each page against the records awaiting their tick. The pages stop once every
awaited record has been seen: the engine knows what it waits for, so no read is spent to find the end of a list.
Either way memory holds one page of documents, not the whole upload.

:func:`read_documents` is the same choice for a reader that wants the documents themselves (reconciliation).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
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

CHUNK = 500
LOOK_BACK = timedelta(minutes=5)  # the package's clock and ours may differ a little


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
        if since is not None and count > connector.max_ids_per_read:
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
    wanted = {str(ext): doc_type for ext, doc_type in session.execute(select(awaiting.c.external_id, awaiting.c.type))}
    for page in connector.remote_documents_since(since, set(wanted.values()), wanted):
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


def read_documents(connector: Connector, wanted: Sequence[tuple[str, str]],
                   since: datetime | None) -> dict[str, RemoteDocument]:
    """The package's copy of these documents (host type, package id), by package id, in as few calls as it takes.

    A handful (one read-by-id call's worth), or with no ``since``: by id. Otherwise page by page through what the
    package changed since ``since`` (when every wanted document was last sent: each changed there after it),
    stopping once all are found; a document the pages do not show (bound to one the package held before) is then
    read by id. So that a package full of other documents never costs more than twice the reads by id, the pages
    stop once they have cost what reading every one by id would have (a call per type and per
    ``max_ids_per_read`` documents of it), and the rest is read by id."""
    if since is None or len(wanted) <= connector.max_ids_per_read:
        return connector.read_back_documents(wanted)
    missing = {ext: doc_type for doc_type, ext in wanted}
    by_id = sum(math.ceil(n / connector.max_ids_per_read) for n in Counter(missing.values()).values())
    found: dict[str, RemoteDocument] = {}
    pages = 0
    for page in connector.remote_documents_since(since - LOOK_BACK, set(missing.values()), dict(missing)):
        pages += 1
        for doc in page:
            if missing.pop(doc.external_id, None) is not None:
                found[doc.external_id] = doc
        if not missing or pages >= by_id:
            break
    if missing:
        found.update(connector.read_back_documents([(doc_type, ext) for ext, doc_type in missing.items()]))
    return found
