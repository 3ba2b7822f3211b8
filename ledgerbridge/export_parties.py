"""Exporting parties (customers, suppliers) ahead of the documents that name them.

Kept apart from the document exporter because parties have their own life: one
party serves many documents, so its binding is cached for the run, and a party
already in the package (found by its code after a crash) is bound, not re-created.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connector import Connector, ConnectorCallFailed, ExportContext, ExportOutcome, PartyExport
from ledgerbridge.db import session_scope, utcnow
from ledgerbridge.models_sync import RecordType, SyncRecord, SyncStatus
from ledgerbridge.records import load_parties
from ledgerbridge.sync_records import clear_errors, record_error, update_records

SENDABLE = (SyncStatus.PENDING.value, SyncStatus.ERROR.value, SyncStatus.IN_PROGRESS.value)


@dataclass(frozen=True, slots=True)
class PartyBinding:
    external_id: str | None
    message: str | None = None
    failure_type: str | None = None


class PartyExporter:
    def __init__(self, sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                 ctx: ExportContext) -> None:
        self.sessions = sessions
        self.connection_id = connection_id
        self.connector = connector
        self.ctx = ctx
        self.exported = 0
        self._known: dict[int, PartyBinding] = {}

    def ensure_exported(self, party_ids: Iterable[int]) -> dict[int, PartyBinding]:
        wanted = [pid for pid in set(party_ids) if pid not in self._known]
        if wanted:
            with session_scope(self.sessions) as session:
                self._export(session, wanted)
        return {pid: self._known[pid] for pid in party_ids if pid in self._known}

    def _export(self, session: Session, party_ids: list[int]) -> None:
        rows = session.execute(select(SyncRecord.id, SyncRecord.record_id, SyncRecord.status, SyncRecord.external_id,
                                      SyncRecord.attempt_key).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == RecordType.PARTY.value,
            SyncRecord.record_id.in_(party_ids))).all()
        todo = []
        for row in rows:
            if row.status in SENDABLE:
                todo.append(row)
            else:
                self._known[row.record_id] = PartyBinding(row.external_id)
        if not todo:
            return
        views = load_parties(session, [r.record_id for r in todo])
        # Tried before without a kept answer: the package may have it already.
        retry = [views[r.record_id] for r in todo if r.attempt_key and not r.external_id]
        found = self.connector.find_existing_parties(retry) if retry else {}
        now = utcnow()
        if found:
            update_records(session, [
                {"id": r.id, "status": SyncStatus.EXPORTED.value, "external_id": found[r.record_id][0],
                 "external_name": found[r.record_id][1], "exported_version": views[r.record_id].version,
                 "exported_at": now, "last_error": None, "failure_type": None}
                for r in todo if r.record_id in found])
            for pid, (ext, _name) in found.items():
                self._known[pid] = PartyBinding(ext)
            todo = [r for r in todo if r.record_id not in found]
        size = self.connector.max_batch
        for start in range(0, len(todo), size):
            batch = todo[start : start + size]
            key = uuid.uuid4().hex
            update_records(session, [
                {"id": r.id, "status": SyncStatus.IN_PROGRESS.value, "attempt_key": f"{key}:{n}", "batch_key": key,
                 "attempt_started_at": utcnow()} for n, r in enumerate(batch)])
            session.commit()
            items = [PartyExport(r.id, views[r.record_id], r.external_id, f"{key}:{n}") for n, r in enumerate(batch)]
            try:
                outcomes = self.connector.export_parties(items, self.ctx, key)
            except ConnectorCallFailed as failure:
                outcomes = [ExportOutcome(it.sync_record_id, False, message=failure.message,
                                          failure_type=failure.failure_type, raw_response=failure.raw_response)
                            for it in items]
            self._apply(session, batch, items, outcomes)
            session.commit()

    def _apply(self, session: Session, batch: list, items: list[PartyExport], outcomes: list[ExportOutcome]) -> None:
        by_record = {r.id: r for r in batch}
        views = {it.sync_record_id: it.party for it in items}
        now = utcnow()
        oks = []
        for outcome in outcomes:
            row = by_record[outcome.sync_record_id]
            party = views[outcome.sync_record_id]
            if outcome.ok:
                oks.append({"id": row.id, "status": SyncStatus.EXPORTED.value,
                            "external_id": outcome.external_id or row.external_id, "external_number": party.code,
                            "external_name": outcome.external_name, "exported_version": party.version,
                            "exported_at": now, "last_error": None, "failure_type": None})
                self._known[row.record_id] = PartyBinding(outcome.external_id or row.external_id)
                self.exported += 1
            else:
                record = session.get_one(SyncRecord, row.id)
                message = f"{party.name} ({party.code}): {outcome.message}"
                record_error(session, record, source="package", message=message,
                             failure_type=outcome.failure_type or "data", hint=outcome.hint,
                             raw_response=outcome.raw_response)
                self._known[row.record_id] = PartyBinding(None, message, outcome.failure_type or "data")
        if oks:
            update_records(session, oks)
            clear_errors(session, [o["id"] for o in oks])
