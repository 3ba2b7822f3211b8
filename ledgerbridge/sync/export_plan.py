"""Choosing and preparing what an export run works on.

Selects the sync records to send (pending, errored, or left in progress by a run that
died), loads the host records they point at in bounded chunks, and runs the
pre-check rules, so that the upload loop only ever sees records that may go out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from ledgerbridge.connectors.limits import TextLimits
from ledgerbridge.connectors.protocol import Connector, ExportContext, Problem
from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.domain.line_accounts import default_account_mappings
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.host import Document, DocumentType, Item, Party
from ledgerbridge.store.models.sync import OPEN_SYNC_STATUSES, Connection, RecordType, SyncRecord
from ledgerbridge.store.views import DocumentView, load_documents, load_nominal_types
from ledgerbridge.sync.approvals import held_back
from ledgerbridge.sync.mappings import load_mapping_set
from ledgerbridge.sync.precheck import NamedRecord, check_document, check_names

CHUNK_SIZE = 500
HELD_HINT = ("Approve it on the Purchases tab (Procurement and Accounting), then press Send to External System; "
             "with the additional-charges rule on, its purchase order needs an additional-charge line.")
OPEN_STATES = OPEN_SYNC_STATUSES
# Invoices before the credit notes that may credit them.
TYPE_ORDER = {DocumentType.SALES_INVOICE.value: 0, DocumentType.PURCHASE_INVOICE.value: 1,
              DocumentType.SALES_CREDIT_NOTE.value: 2, DocumentType.PURCHASE_CREDIT_NOTE.value: 3}


@dataclass(frozen=True, slots=True)
class RecordRef:
    sync_record_id: int
    record_id: int
    status: str
    action: str
    external_id: str | None
    attempt_key: str | None


@dataclass(slots=True)
class PreparedChunk:
    ready: list[tuple[RecordRef, DocumentView]] = field(default_factory=list)
    refused: list[tuple[RecordRef, DocumentView, list[Problem]]] = field(default_factory=list)


def export_context(session: Session, connection: Connection) -> ExportContext:
    settings = ConnectionSettings.from_json(connection.settings)
    raw = dict(connection.settings or {})
    raw.update({k: getattr(settings, k) for k in settings.__slots__})
    mappings = load_mapping_set(session, connection.id)
    # Lines without a nominal of their own carry their account setting's key (``store.views``): mapped here to the
    # setting's account, so every package's mapper posts them as it posts any mapped nominal (R-C4).
    mappings.nominal.update(default_account_mappings(raw))
    return ExportContext(mappings=mappings, settings=raw)


def select_document_records(session: Session, connection_id: int,
                            only_document_ids: Sequence[int] | None = None) -> list[int]:
    """The sync record ids to work on, in sending order. Only ids: the rest is loaded a chunk at a time,
    so memory does not grow with the number of pending documents."""
    order = case(TYPE_ORDER, value=Document.type, else_=9)
    q = (select(SyncRecord.id)
         .join(Document, Document.id == SyncRecord.record_id)
         .where(SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                SyncRecord.status.in_(OPEN_STATES))
         .order_by(order, Document.issue_date, Document.id))
    if only_document_ids is not None:
        q = q.where(SyncRecord.record_id.in_(list(only_document_ids)))
    return list(session.scalars(q))


def _load_refs(session: Session, ids: Sequence[int]) -> list[RecordRef]:
    rows = {row.id: RecordRef(*row) for row in session.execute(
        select(SyncRecord.id, SyncRecord.record_id, SyncRecord.status, SyncRecord.action, SyncRecord.external_id,
               SyncRecord.attempt_key).where(SyncRecord.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def prepared_chunks(session: Session, connection: Connection, connector: Connector, record_ids: Sequence[int],
                    ctx: ExportContext) -> Iterator[PreparedChunk]:
    """Yield chunks of records with their documents, split into ready and refused by pre-check."""
    nominal_types = load_nominal_types(session, connection.organisation_id)
    # Whole batches per chunk (480 for QuickBooks' 30, 500 for Xero's 50): a chunk that ended in a part-filled
    # batch would cost a call more per chunk (20 more calls in 10,000 invoices).
    # A connector whose calls are packed into few messages (``calls_in_flight``, a package that polls us) gets a
    # chunk that fills every call it keeps in flight, so that a message is full when the package asks.
    in_flight = int(getattr(connector, "calls_in_flight", 1))
    size = max(connector.max_batch * in_flight, CHUNK_SIZE // connector.max_batch * connector.max_batch)
    for start in range(0, len(record_ids), size):
        chunk_refs = _load_refs(session, record_ids[start : start + size])
        docs = load_documents(session, [r.record_id for r in chunk_refs])
        # R-P1/R-P2: purchase invoices not approved and sent, or refused by the organisation's rule, stay here.
        held = held_back(session, connection.organisation_id,
                         [d.id for d in docs.values() if d.type == DocumentType.PURCHASE_INVOICE.value])
        parties, items = _names_too_long(session, connection.organisation_id, list(docs.values()),
                                         spec_for(connector.kind).text_limits, bool(ctx.settings.get("item_sync")))
        chunk = PreparedChunk()
        for ref in chunk_refs:
            doc = docs.get(ref.record_id)
            if doc is None:
                continue
            # A void goes out whatever the mappings say: it only changes the status in the package.
            problems = [] if ref.action == "void" else \
                check_document(doc, ctx, nominal_types, connector) + \
                check_names(doc, parties.get(doc.party_id), items, connector)
            if ref.action != "void" and doc.id in held:
                problems.insert(0, Problem(f"{doc.label()} is not sent: " + "; ".join(held[doc.id]),
                                           hint=HELD_HINT, failure_type="config"))
            if problems:
                chunk.refused.append((ref, doc, problems))
            else:
                chunk.ready.append((ref, doc))
        yield chunk


def _names_too_long(session: Session, organisation_id: int, docs: list[DocumentView], limits: TextLimits,
                    items_go_out: bool) -> tuple[dict[int, NamedRecord], dict[str, NamedRecord]]:
    """The parties of these documents, and their lines' items when item sync sends them, whose text is longer than
    the package takes (``check_names`` says so). The store filters by length, so a clean chunk reads no rows."""
    party_ids = {doc.party_id for doc in docs}
    parties = {row.id: NamedRecord(row.code, row.name) for row in session.execute(
        select(Party.id, Party.code, Party.name).where(Party.id.in_(party_ids),
                                                       func.length(Party.name) > limits.party_name))}
    codes = {line.item_code for doc in docs for line in doc.lines if line.item_code} if items_go_out else set()
    items = {row.code: NamedRecord(row.code, row.name, row.description) for row in session.execute(
        select(Item.code, Item.name, Item.description).where(
            Item.organisation_id == organisation_id, Item.code.in_(codes),
            or_(func.length(Item.name) > limits.item_name, func.length(Item.description) > limits.description)))
    } if codes else {}
    return parties, items
