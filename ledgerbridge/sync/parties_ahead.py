"""Which parties an upload may export ahead of its documents, and only those.

A connector that takes many parties a call (``max_dependency_batch``) has the parties of the upload exported before
its first chunk (``PartyBindings.export_ahead``), in as few calls as it allows, where chunk by chunk each chunk's new
parties would cost a call (a round trip, for a package that polls us) of their own. Chunk by chunk, a party goes out
only when a document naming it has passed pre-check; ahead of the chunks the same must hold. Otherwise out would go

* a party the package would refuse, or cut: its name longer than the package takes (``check_names``, QuickBooks
  Desktop's 41 characters), refused at pre-check on every document that names it;
* a party no document of this run needs: every document naming it refused for reasons of its own (an unmapped
  nominal, a purchase not approved). Sending it anyway puts a card in the user's books that nothing uses, which the
  user did not ask for and may have to delete by hand, and on a package whose names are one space (QuickBooks
  Desktop, MYOB) it takes the plain name, so that the party's documents, once fixed, would not be the ones that
  decided which of two same-named parties is told apart by its code.

So a party goes ahead exactly when one of its documents passes pre-check, in the role that document needs (its
supplier record on a package that keeps the roles apart): the parties the run would have sent chunk by chunk, and
no other. Nothing is written here; the run's own pre-check, chunk by chunk, records the refusals on the documents,
naming the field and the record as before. (A document that passes here and is refused when its chunk is checked,
because the host changed it meanwhile, has had its party sent: the same window the chunk-by-chunk run has between
its pre-check and its party's call, only longer.)

Written by hand, as a search: finding a passing document for every party must not cost a second pre-check of the
whole upload (loading the documents is most of pre-check's time, and QuickBooks Desktop's CPU an invoice is what
issue 13 measures). Each round checks, for every party role not yet settled, its next documents in sending order:
one at first, twice as many each round after. An upload whose parties' first documents pass checks one document a
party (200 of the bench's 10,000); a party with many refused documents takes a few rounds, never a round a document;
no document is checked twice here (the run checks each once more, chunk by chunk).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.connectors.protocol import Connector, ExportContext
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection, SyncRecord
from ledgerbridge.sync.dependencies import PURCHASE_VALUES
from ledgerbridge.sync.export_plan import prepared_chunks

_IN_LIST = 1000  # ids per IN (...): well within SQLite's bound on a statement's parameters

#: (document id, party id, document type): what ``PartyBindings.export_ahead`` binds a party by.
NamedParty = tuple[int, int, str]


def documents_clearing_parties(session: Session, connection: Connection, connector: Connector,
                               record_ids: Sequence[int], ctx: ExportContext) -> list[NamedParty]:
    """For each party role the documents of these sync records name, one of those documents that passes pre-check,
    where any does (``record_ids`` in sending order, as ``select_document_records`` gives them)."""
    separate = bool(getattr(connector, "separate_party_roles", False))
    position = {sync_id: n for n, sync_id in enumerate(record_ids)}
    # (party, in its supplier role) -> its documents' sync records in sending order. Where one package record serves
    # both roles the role is not told apart; where the roles are apart, a supplier-only party's purchases are keyed
    # apart from its sales all the same: at worst one document more is checked.
    waiting: dict[tuple[int, bool], list[int]] = {}
    named: list[tuple[int, int, str]] = []
    for start in range(0, len(record_ids), _IN_LIST):
        named.extend((sync_id, party_id, kind) for sync_id, party_id, kind in session.execute(
            select(SyncRecord.id, Document.party_id, Document.type).join(Document, Document.id == SyncRecord.record_id)
            .where(SyncRecord.id.in_(record_ids[start : start + _IN_LIST]))))
    for sync_id, party_id, kind in sorted(named, key=lambda row: position[row[0]]):
        waiting.setdefault((party_id, separate and kind in PURCHASE_VALUES), []).append(sync_id)
    cleared: list[NamedParty] = []
    take = 1
    while waiting:
        batch = sorted((sync_id for ids in waiting.values() for sync_id in ids[:take]), key=position.__getitem__)
        settled: set[tuple[int, bool]] = set()
        for chunk in prepared_chunks(session, connection, connector, batch, ctx):
            for _ref, doc in chunk.ready:
                key = (doc.party_id, separate and doc.type in PURCHASE_VALUES)
                if key not in settled:
                    settled.add(key)
                    cleared.append((doc.id, doc.party_id, doc.type))
        waiting = {key: ids[take:] for key, ids in waiting.items() if key not in settled and len(ids) > take}
        take *= 2
    return cleared
