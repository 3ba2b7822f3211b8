"""Exporting what documents depend on (customers and suppliers; items when item sync is on) ahead of them.

Kept apart from the document exporter because dependencies have their own life: one
party or item serves many documents, so its binding is cached for the run, and one
already in the package (found by its code after a crash) is bound, not re-created.
A ``DependencyKind`` says how one kind is loaded, sent and looked up; the flow is one.

Roles. Where the package keeps customers and suppliers apart (``Connector.separate_party_roles``: QuickBooks'
Customer and Vendor), a party that is both needs two package records. The party's own sync record stays bound to
its first role (customer when it is one, as before); its supplier role gets a sync record of its own
(``RecordType.SUPPLIER``, made when a purchase document first needs it), which purchase documents use. The
package's name rules (QuickBooks' DisplayName unique across both) are the connector's: the same suffix rule that
separates a supplier named like another customer separates the two roles of one party. Where one record serves
both roles (Xero's Contact) nothing changes: every document uses the party's own record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import (
    Connector,
    ConnectorCallFailed,
    ExportContext,
    ExportOutcome,
    ItemExport,
    PartyExport,
)
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.host import SALES_TYPES, DocumentType, Party
from ledgerbridge.store.models.sync import OPEN_SYNC_STATUSES, RecordType, SyncRecord
from ledgerbridge.store.views import DocumentView, PartyView, load_items, load_parties
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import Claim, Exported
from ledgerbridge.sync.records import clear_errors, record_error

SENDABLE = OPEN_SYNC_STATUSES


@dataclass(frozen=True, slots=True)
class Binding:
    external_id: str | None
    message: str | None = None
    failure_type: str | None = None


@dataclass(frozen=True, slots=True)
class DependencyKind:
    record_type: RecordType
    noun: str  # for messages: "party", "item"
    load: Callable[[Session, Iterable[int]], dict[int, Any]]
    wrap: Callable[[int, Any, str | None, str], Any]  # (sync record id, view, external id, key) -> export item
    send: Callable[[Connector, list[Any], ExportContext, str], list[ExportOutcome]]
    find: Callable[[Connector, list[Any]], dict[int, tuple[str, str]]]
    label: Callable[[Any], str]
    #: The kind's sync records are made here when first needed (not by ``refresh_sync_records``).
    makes_records: bool = False


def _as_supplier(view: PartyView) -> PartyView:
    """The party in its supplier role: what the connector sends as the package's supplier record."""
    return replace(view, is_customer=False, is_supplier=True)


def _load_suppliers(session: Session, ids: Iterable[int]) -> dict[int, PartyView]:
    return {pid: _as_supplier(view) for pid, view in load_parties(session, ids).items()}


PARTIES = DependencyKind(
    RecordType.PARTY, "party", load_parties, PartyExport,
    lambda c, items, ctx, key: c.export_parties(items, ctx, key),
    lambda c, views: c.find_existing_parties(views),
    lambda p: f"{p.name} ({p.code})")
ITEMS = DependencyKind(
    RecordType.ITEM, "item", load_items, ItemExport,
    lambda c, items, ctx, key: c.export_items(items, ctx, key),
    lambda c, views: c.find_existing_items(views),
    lambda i: f"item {i.code}")
SUPPLIERS = DependencyKind(
    RecordType.SUPPLIER, "supplier", _load_suppliers, PartyExport,
    lambda c, items, ctx, key: c.export_parties(items, ctx, key),
    lambda c, views: c.find_existing_parties(views),
    lambda p: f"{p.name} ({p.code}) as supplier", makes_records=True)


class DependencyExporter:
    def __init__(self, sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                 ctx: ExportContext, kind: DependencyKind) -> None:
        self.sessions = sessions
        self.connection_id = connection_id
        self.connector = connector
        self.ctx = ctx
        self.kind = kind
        self.exported = 0
        self._known: dict[int, Binding] = {}

    def ensure_exported(self, record_ids: Iterable[int]) -> dict[int, Binding]:
        ids = set(record_ids)
        wanted = [rid for rid in ids if rid not in self._known]
        if wanted:
            with session_scope(self.sessions) as session:
                self._export(session, wanted)
        return {rid: self._known[rid] for rid in ids if rid in self._known}

    def _export(self, session: Session, record_ids: list[int]) -> None:
        if self.kind.makes_records:
            self._make_records(session, record_ids)
        rows = session.execute(select(SyncRecord.id, SyncRecord.record_id, SyncRecord.status, SyncRecord.external_id,
                                      SyncRecord.attempt_key).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == self.kind.record_type.value,
            SyncRecord.record_id.in_(record_ids)).order_by(SyncRecord.record_id)).all()
        todo = []  # in the host's order: which of two same-named parties takes the suffix must not be chance
        for row in rows:
            if row.status in SENDABLE:
                todo.append(row)
            else:
                self._known[row.record_id] = Binding(row.external_id)
        if not todo:
            return
        views = self.kind.load(session, [r.record_id for r in todo])
        # Tried before without a kept answer: the package may have it already.
        retry = [views[r.record_id] for r in todo if r.attempt_key and not r.external_id]
        found = self.kind.find(self.connector, retry) if retry else {}
        if found:
            now = utcnow()
            lifecycle.apply(session, [
                Exported(r.id, found[r.record_id][0], views[r.record_id].version, now,
                         external_name=found[r.record_id][1])
                for r in todo if r.record_id in found])
            for rid, (ext, _name) in found.items():
                self._known[rid] = Binding(ext)
            todo = [r for r in todo if r.record_id not in found]
        # A connector whose calls are packed into few messages may take more dependencies a call than documents
        # (``max_dependency_batch``: QuickBooks Desktop's 200 customers are one exchange, not two in turn).
        size = int(getattr(self.connector, "max_dependency_batch", self.connector.max_batch))
        for start in range(0, len(todo), size):
            batch = todo[start : start + size]
            key = uuid.uuid4().hex
            started = utcnow()
            lifecycle.apply(session, [Claim(r.id, f"{key}:{n}", key, started) for n, r in enumerate(batch)])
            session.commit()  # the attempt is on record before the package hears of it
            items = [self.kind.wrap(r.id, views[r.record_id], r.external_id, f"{key}:{n}")
                     for n, r in enumerate(batch)]
            try:
                outcomes = self.kind.send(self.connector, items, self.ctx, key)
            except ConnectorCallFailed as failure:
                outcomes = [ExportOutcome(r.id, False, message=failure.message, failure_type=failure.failure_type,
                                          raw_response=failure.raw_response) for r in batch]
            self._apply(session, batch, views, outcomes)
            session.commit()

    def _apply(self, session: Session, batch: Sequence[Any], views: dict[int, Any],
               outcomes: list[ExportOutcome]) -> None:
        by_record = {r.id: r for r in batch}
        now = utcnow()
        oks: list[Exported] = []
        for outcome in outcomes:
            row = by_record[outcome.sync_record_id]
            view = views[row.record_id]
            if outcome.ok:
                oks.append(Exported(row.id, outcome.external_id or row.external_id, view.version, now,
                                    external_number=view.code, external_name=outcome.external_name))
                self._known[row.record_id] = Binding(outcome.external_id or row.external_id)
                self.exported += 1
            else:
                record = session.get_one(SyncRecord, row.id)
                message = f"{self.kind.label(view)}: {outcome.message}"
                record_error(session, record, source="package", message=message,
                             failure_type=outcome.failure_type or "data", hint=outcome.hint,
                             raw_response=outcome.raw_response)
                self._known[row.record_id] = Binding(None, message, outcome.failure_type or "data")
        if oks:
            lifecycle.apply(session, oks)
            clear_errors(session, [o.record_id for o in oks])

    def _make_records(self, session: Session, record_ids: list[int]) -> None:
        have = set(session.scalars(select(SyncRecord.record_id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == self.kind.record_type.value,
            SyncRecord.record_id.in_(record_ids))))
        missing = [rid for rid in record_ids if rid not in have]
        if missing:
            lifecycle.insert_new_rows(session, self.connection_id, self.kind.record_type, missing, utcnow())
            session.commit()


class PartyBindings:
    """The package record each document's party is bound to, in the role the document needs.

    One instance per run (its exporters cache bindings). Sales documents, and every document where one package
    record serves both roles, use the party's own record; purchase documents of a party that is also a customer
    use its supplier-role record where the package keeps the roles apart.
    """

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                 ctx: ExportContext) -> None:
        self.parties = DependencyExporter(sessions, connection_id, connector, ctx, PARTIES)
        self.suppliers = (DependencyExporter(sessions, connection_id, connector, ctx, SUPPLIERS)
                          if getattr(connector, "separate_party_roles", False) else None)

    @property
    def exported(self) -> int:
        return self.parties.exported + (self.suppliers.exported if self.suppliers else 0)

    def ensure_exported(self, session: Session, docs: Sequence[DocumentView]) -> dict[int, Binding]:
        """Document id -> its party's binding (exported first where it is not yet)."""
        return self._bind(session, [(d.id, d.party_id, d.type) for d in docs])

    def export_ahead(self, session: Session, docs: Sequence[tuple[int, int, str]]) -> None:
        """Export the parties of these documents (document id, party id, document type), before any document goes:
        in as few calls as the connector takes (``max_dependency_batch``), where chunk by chunk the parties a later
        chunk names first would go in a call (a round trip, for a package that polls us) of their own. Which
        documents may send their party ahead is ``parties_ahead.documents_clearing_parties``'s to say."""
        self._bind(session, docs)

    def _bind(self, session: Session, docs: Sequence[tuple[int, int, str]]) -> dict[int, Binding]:
        """(document id, party id, document type) -> document id: its party's binding."""
        as_supplier: set[int] = set()
        if self.suppliers is not None:
            wanted = {party for _, party, kind in docs if kind in PURCHASE_VALUES}
            if wanted:
                as_supplier = set(session.scalars(select(Party.id).where(Party.id.in_(wanted),
                                                                         Party.is_customer.is_(True))))
        role = {doc: self.suppliers is not None and kind in PURCHASE_VALUES and party in as_supplier
                for doc, party, kind in docs}
        own = self.parties.ensure_exported({party for doc, party, _ in docs if not role[doc]})
        supplier = self.suppliers.ensure_exported({party for doc, party, _ in docs if role[doc]}) \
            if self.suppliers is not None and any(role.values()) else {}
        out = {}
        for doc, party, _ in docs:
            binding = (supplier if role[doc] else own).get(party)
            if binding is not None:
                out[doc] = binding
        return out


PURCHASE_VALUES = frozenset(t.value for t in DocumentType if t not in SALES_TYPES)
