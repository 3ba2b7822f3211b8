"""Numbers the package already holds: a reservation never hands one out (it is skipped, and the skip is a gap).

What counts as held, for one organisation and document type:

* ``package_numbers``: numbers read from the package (:func:`learn_package_numbers` pages every document of the
  type there, made before the start date or since), or told us by the host (documents it imported from the
  package);
* the package's number of every document of that type exported or read back here (``sync_records``);
* the number of every host document of that type already here (loaded with its number, perhaps not yet
  exported): it will be the package's once it goes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import CompoundSelect, func, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.numbering.sequences import check_document_type, normalised
from ledgerbridge.store.db import committed_between, session_scope, utcnow
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.numbering import PackageNumber
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord

#: Every document the package holds was changed after this (the first read of a type asks for all of them).
THE_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK = 500


#: Where a held number was found, as gap details say it.
IN_PACKAGE, ON_A_DOCUMENT_HERE = "in the package", "on a document here"


def held_numbers(session: Session, organisation_id: int, document_type: str,
                 candidates: Sequence[str]) -> dict[str, str]:
    """Which of ``candidates`` (numbers as we would write them) are held already, and where: by the package (read
    from it, read back, told by the host) or by a host document here; compared trimmed and without regard to
    case."""
    in_package: set[str] = set()
    here: set[str] = set()
    for start in range(0, len(candidates), CHUNK):
        raw = list(candidates[start : start + CHUNK])
        chunk = sorted({normalised(n) for n in raw})
        # One round trip (a reservation holds the counter's lock meanwhile): the three places, each labelled.
        query: CompoundSelect[str | None, bool] = union_all(
            select(PackageNumber.number, literal(True)).where(
                PackageNumber.organisation_id == organisation_id, PackageNumber.document_type == document_type,
                PackageNumber.number.in_(chunk)),
            select(SyncRecord.external_number, literal(True))
            .join(Connection, Connection.id == SyncRecord.connection_id)
            .join(Document, Document.id == SyncRecord.record_id)
            .where(Connection.organisation_id == organisation_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                   Document.type == document_type, func.upper(func.trim(SyncRecord.external_number)).in_(chunk)),
            select(Document.number, literal(False)).where(
                Document.organisation_id == organisation_id, Document.type == document_type,
                Document.number.in_(sorted(set(raw) | set(chunk)))))
        for number, package in session.execute(query):
            (in_package if package else here).add(normalised(number or ""))
    return {n: IN_PACKAGE if normalised(n) in in_package else ON_A_DOCUMENT_HERE
            for n in candidates if normalised(n) in in_package | here}


def record_package_numbers(session: Session, organisation_id: int, document_type: str, numbers: Iterable[str],
                           source: str, connection_id: int | None = None) -> int:
    """Remember numbers the package holds; returns how many were new. Idempotent: a number known stays as is."""
    check_document_type(document_type)
    rows = sorted({normalised(n) for n in numbers if n and n.strip()})
    if not rows:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    added = 0
    for start in range(0, len(rows), CHUNK):
        values = [{"organisation_id": organisation_id, "document_type": document_type, "number": n[:255],
                   "source": source, "connection_id": connection_id, "recorded_at": now}
                  for n in rows[start : start + CHUNK]]
        result = session.execute(insert(PackageNumber).values(values).on_conflict_do_nothing()
                                 .returning(PackageNumber.id))
        added += len(result.all())
    return added


def learn_package_numbers(sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                          document_types: Sequence[str]) -> dict[str, int]:
    """Read every document of these types the package holds and remember their numbers; per type, how many were
    new. Through the connector protocol, so the same for every package; pages are committed one by one (no call
    is made while this thread holds writes: ``committed_between``)."""
    with session_scope(sessions) as session:
        organisation_id = session.get_one(Connection, connection_id).organisation_id
    learned: dict[str, int] = {}
    with session_scope(sessions) as session:
        for document_type in document_types:
            check_document_type(document_type)
            learned[document_type] = 0
            pages = connector.remote_documents_since(THE_BEGINNING, {document_type})
            for page in committed_between(session, pages):
                learned[document_type] += record_package_numbers(
                    session, organisation_id, document_type, [d.number for d in page if d.number],
                    "package_read", connection_id)
    return learned
