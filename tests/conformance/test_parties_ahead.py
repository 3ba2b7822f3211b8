"""A package whose connector takes many parties a call (``max_dependency_batch``) has the upload's parties exported
ahead of its first document (``sync.parties_ahead``): only those a document that passes pre-check names. Neither a
party whose own pre-check fails (its name longer than the package takes) nor one named only by documents refused
for reasons of their own goes out; the refusals are on the documents, naming the field and the record.

Run on the packages that export ahead (the others send a chunk's parties after its pre-check, which
``test_text_limits`` holds), on SQLite only: what is chosen is the exporter's, not the store's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.qbd.connector import QbdConnector
from ledgerbridge.packages.qbo.connector import QboConnector
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.packages.xero.connector import XeroConnector
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document, DocumentLine, Party
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.export_plan import export_context, select_document_records
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.parties_ahead import documents_clearing_parties
from ledgerbridge.sync.records import refresh_sync_records

from .fixtures import HARNESSES
from .harness import EXPORTED_TYPES, PackageWorld
from .records import UNMAPPED, document_records, party_bindings

CONNECTORS = {"xero": XeroConnector, "qbo": QboConnector, "qbd": QbdConnector, "myob": MyobConnector}
LONELY = "Nobody Else Needs Ltd"


def _exporting_ahead() -> list[object]:
    assert set(CONNECTORS) == set(HARNESSES), "a new package: add its connector class here"
    return [pytest.param(harness, id=kind, marks=() if hasattr(CONNECTORS[kind], "max_dependency_batch") else
                         pytest.mark.skip(reason=f"{harness.label} sends a chunk's parties after its pre-check"))
            for kind, harness in sorted(HARNESSES.items())]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("package", _exporting_ahead())
def test_only_parties_a_document_that_passes_precheck_names_are_sent_ahead(world: PackageWorld) -> None:
    limit = spec_for(world.harness.kind).text_limits.party_name
    with session_scope(world.sessions) as session:
        long_party = session.scalars(select(Party).where(Party.is_customer).order_by(Party.code)).first()
        assert long_party is not None
        long_party.name = "L" * (limit + 1)
        # the unmapped invoice, pre-check's refusal of its own, is the only document of a customer of its own
        unmapped = session.scalars(select(Document).where(Document.number == UNMAPPED)).one()
        lonely = Party(organisation_id=world.org_id, host_id="LONELY", code="LONELY", name=LONELY, is_customer=True)
        session.add(lonely)
        session.flush()
        unmapped.party_id = lonely.id
        long_code, long_id = long_party.code, long_party.id
        long_documents = set(session.scalars(select(Document.number).where(
            Document.party_id == long_id, Document.type.in_(EXPORTED_TYPES))))
        # a customer whose first invoice in sending order is refused (unmapped too), a later one not: it goes ahead
        invoices = list(session.scalars(select(Document).where(
            Document.type == "sales_invoice", Document.party_id.not_in([long_id, lonely.id])).order_by(
            Document.issue_date, Document.id)))
        first = next(d for d in invoices if sum(o.party_id == d.party_id for o in invoices) > 1)
        for line in session.scalars(select(DocumentLine).where(DocumentLine.document_id == first.id)):
            line.nominal_code = "4090"
        refused_first = first.number
        sent_parties = {code: pid for code, pid in session.execute(select(Party.code, Party.id).join(
            Document, Document.party_id == Party.id).where(Document.type.in_(EXPORTED_TYPES),
                                                           Document.party_id.not_in([long_id, lonely.id])))}
    assert long_documents and sent_parties

    connector = world.connector()
    with session_scope(world.sessions) as session:
        connection = session.get_one(Connection, world.conn_id)
        refresh_sync_records(session, connection)
        session.commit()
        chosen = documents_clearing_parties(session, connection, connector,
                                            select_document_records(session, world.conn_id),
                                            export_context(session, connection))
    assert {party for _, party, _ in chosen} == set(sent_parties.values())

    report = Exporter(world.sessions, world.conn_id, connector).upload()

    remote = world.remote_parties()
    assert "L" * (limit + 1) not in remote and LONELY not in remote
    assert not [name for name in remote if name.startswith(("L" * limit, LONELY))], remote  # nor cut, nor suffixed
    parties = party_bindings(world)
    assert parties[long_code].external_id is None and parties["LONELY"].external_id is None
    assert all(parties[code].external_id for code in sent_parties), {c: parties[c].status for c in sent_parties}
    documents = document_records(world)
    said = (f"the name of customer {long_code} is {limit + 1:,} characters long; {world.connector().display_name} "
            f"allows at most {limit:,}")
    assert all(said in (documents[n].last_error or "") for n in long_documents), \
        {n: documents[n].last_error for n in long_documents}
    assert all("nominal code 4090 has no account mapping" in (documents[n].last_error or "")
               for n in (UNMAPPED, refused_first))
    assert report.exported > 0 and not long_documents & set(world.remote_numbers())
