"""The host side of a conformance test: sync records, document ids and what the demo data names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document, Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord

from .harness import EXPORTED_TYPES, PackageWorld

#: The demo invoice whose nominal code (4090) nobody mapped: pre-check refuses it on every package.
UNMAPPED = "INV-1103"


def document_records(world: PackageWorld) -> dict[str, SyncRecord]:
    """Sync records of documents, by document number."""
    with session_scope(world.sessions) as session:
        rows = session.execute(select(Document.number, SyncRecord).join(
            SyncRecord, SyncRecord.record_id == Document.id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.DOCUMENT.value)).all()
        return {number: rec for number, rec in rows}


def party_bindings(world: PackageWorld) -> dict[str, SyncRecord]:
    """Sync records of parties, by party code."""
    with session_scope(world.sessions) as session:
        rows = session.execute(select(Party.code, SyncRecord).join(
            SyncRecord, SyncRecord.record_id == Party.id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.PARTY.value)).all()
        return {code: rec for code, rec in rows}


def document_ids(world: PackageWorld, numbers: list[str]) -> list[int]:
    with session_scope(world.sessions) as session:
        return list(session.scalars(select(Document.id).where(Document.number.in_(numbers))))


def host_numbers(world: PackageWorld, doc_type: str) -> set[str]:
    """Numbers of the host documents of one type that can go out (all but the unmapped one)."""
    with session_scope(world.sessions) as session:
        return set(session.scalars(select(Document.number).where(Document.type == doc_type,
                                                                  Document.number != UNMAPPED)))


def exportable_count(world: PackageWorld) -> int:
    return sum(len(host_numbers(world, t)) for t in EXPORTED_TYPES)


def change_settings(world: PackageWorld, **changes: Any) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = ConnectionSettings.from_json(conn.settings | changes).merged_into(conn.settings)
