"""Jobs of a package that polls us (``PackageSpec.polled``): they run only while its program is in a session.

Such a package (QuickBooks Desktop, through the Web Connector on the user's PC) is reachable only while its program
is in a session with us: a job that ran outside one could only wait, or fail every record with "not reachable".
So its jobs stay queued until the next session opens (the worker's claim skips them), and an upload asked for
meanwhile publishes its documents as *awaiting fetch*, which the screens show with the time they were queued.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.packages.registry import PACKAGES
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import Publish
from ledgerbridge.sync.records import refresh_sync_records

__all__ = ["publish_for_next_session", "unreachable_connections"]


def publish_for_next_session(session: Session, connection_id: int, document_ids: Sequence[int] | None) -> None:
    """An upload for a package that polls us, asked while it is not in a session: its pending documents are
    published (awaiting fetch, "since" now), so the screens say they wait for the package's next session. The
    records are brought up to date first: a document posted since the screens last looked has no record yet, and
    would otherwise read "Upload Data" until the session came."""
    refresh_sync_records(session, session.get_one(Connection, connection_id))
    where = [SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
             SyncRecord.status == SyncStatus.PENDING.value, SyncRecord.marked_by_hand.is_(False)]
    if document_ids:
        where.append(SyncRecord.record_id.in_([int(i) for i in document_ids]))
    lifecycle.apply(session, [Publish(rid) for rid in session.scalars(select(SyncRecord.id).where(*where))])


def unreachable_connections(session: Session) -> set[int]:
    """Connections whose package polls us and is not in a session now: their jobs wait for its next session
    (``PackageSpec.polled``), since their calls could only be handed out then."""
    services = {spec.kind: spec.polled for spec in PACKAGES if spec.polled is not None}
    if not services:
        return set()
    ids = set(session.scalars(select(Connection.id).where(Connection.kind.in_(services))))
    for service in services.values():
        ids -= service.open_connections(session)
    return ids
