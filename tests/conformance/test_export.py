"""Create, dependency order, update and void, and pre-check: the same on every package."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.intake.apply import void_document
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document, DocumentLine, Item, Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.store.views import ItemView
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.grids import error_feedback, pending_export
from ledgerbridge.sync.mappings import MappingKind, set_mapping

from .harness import EXPORTED_TYPES, PackageHarness, PackageWorld
from .records import (
    UNMAPPED,
    change_settings,
    document_ids,
    document_records,
    exportable_count,
    host_numbers,
    party_bindings,
)


def test_precheck_sends_nothing_and_names_the_unmapped_code(world: PackageWorld) -> None:
    connector = world.connector()
    report = Exporter(world.sessions, world.conn_id, connector).precheck()
    assert report.checked == 30  # 20 + 3 order/unmapped invoices, 2 credit notes, 5 purchase invoices
    assert report.failed == 1
    problem = report.problems[0]
    assert problem["document"] == UNMAPPED
    message = problem["message"]
    assert "nominal code 4090" in message and "line 1" in message and connector.display_name in message
    if connector.missing_account_answer:  # the package's own words, where it has them
        assert connector.missing_account_answer in message
    assert world.remote_numbers() == Counter() and world.remote_parties() == {}
    with session_scope(world.sessions) as session:
        assert [e["source"] for e in error_feedback(session, world.conn_id).rows] == ["precheck"]


def test_upload_creates_each_document_once_with_its_parties_and_ticks_after_read_back(world: PackageWorld) -> None:
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    expected = exportable_count(world)
    assert (report.exported, report.failed, report.seen) == (expected, 1, expected) == (29, 1, 29)
    with session_scope(world.sessions) as session:
        named = set(session.scalars(select(Party.code).join(Document, Document.party_id == Party.id).where(
            Document.type.in_(EXPORTED_TYPES), Document.number != UNMAPPED)))
        # Where the package keeps customers and suppliers apart (QBO), a customer that also sent us a bill
        # (C004) has a supplier record of its own, bound by a sync record of type "supplier".
        second_roles = dict(session.execute(select(Party.code, SyncRecord.external_id).join(
            SyncRecord, SyncRecord.record_id == Party.id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.SUPPLIER.value)).all())
    assert set(second_roles) == ({"C004"} if world.connector().separate_party_roles else set())
    # every customer and supplier that a sent document names, in each role it is named in
    assert report.parties_exported == len(named) + len(second_roles)
    parties = world.remote_parties()
    bindings = party_bindings(world)
    assert set(bindings) == named
    assert {b.external_id for b in bindings.values()} | set(second_roles.values()) == set(parties.values())
    # A customer and a supplier with the same name both exist; the second is told apart by its code (R-E2).
    assert {"Bramley Florists", "Bramley Florists (S003)"} <= set(parties)
    assert bindings["C002"].external_name == "Bramley Florists"
    assert bindings["S003"].external_name == "Bramley Florists (S003)"
    assert parties[bindings["S003"].external_name] == bindings["S003"].external_id

    records = document_records(world)
    assert records[UNMAPPED].status == SyncStatus.ERROR.value and "4090" in (records[UNMAPPED].last_error or "")
    assert "QU-3001" not in records and "PF-4001" not in records and "SO-7001" not in records
    assert {n for n, r in records.items() if r.status == SyncStatus.SEEN.value} == set(records) - {UNMAPPED}
    for doc_type in EXPORTED_TYPES:  # each type to its own kind of record in the package, exactly once
        numbers = world.remote_numbers(doc_type)
        assert set(numbers) == host_numbers(world, doc_type) and max(numbers.values()) == 1
    # The package's totals equal the host's to the cent; each document names the party bound here.
    with session_scope(world.sessions) as session:
        host = {n: (total, code) for n, total, code in session.execute(
            select(Document.number, Document.gross_total, Party.code).join(Party, Document.party_id == Party.id))}
    remote = world.remote_documents()
    for doc in remote:
        total, code = host[doc.number]
        assert doc.total == total, doc.number
        in_role = second_roles.get(code) if doc.doc_type.startswith("purchase") else None  # C004's bill: its Vendor
        assert doc.party_id == (in_role or bindings[code].external_id), doc.number
        assert records[doc.number].external_id == doc.external_id
    # A second upload sends nothing new.
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (again.exported, again.updated, again.parties_exported) == (0, 0, 0)
    assert world.remote_numbers() == Counter(d.number for d in remote)


def test_dependencies_go_before_the_document_that_names_them(world: PackageWorld) -> None:
    change_settings(world, item_sync=True, push_lines_as_items=True)
    with session_scope(world.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1002"))
        party_code = session.scalar(select(Party.code).where(Party.id == doc.party_id))
        codes = {ln.item_code for ln in doc.lines} - {None}
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload(document_ids(world, ["INV-1002"]))
    assert (report.exported, report.parties_exported, report.failed) == (1, 1, 0)
    # The package refuses a document naming a party or item it does not have (the sandboxes check references),
    # so the document's being there, naming them, shows they went first.
    binding = party_bindings(world)[party_code]
    assert set(world.remote_parties().values()) == {binding.external_id}
    assert set(world.remote_items()) == codes
    remote = world.remote_document("INV-1002")
    assert remote is not None and remote.party_id == binding.external_id and remote.item_codes == codes


def test_items_go_out_only_with_item_sync_on_and_are_found_again(world: PackageWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload(document_ids(world, ["INV-1001"]))
    assert world.remote_items() == {}  # off by default (R-E1)
    change_settings(world, item_sync=True, push_lines_as_items=True)
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.exported == 28
    with session_scope(world.sessions) as session:
        used = set(session.scalars(select(DocumentLine.item_code).join(Document).where(
            Document.type.in_(EXPORTED_TYPES), Document.number != UNMAPPED)))
        views = [ItemView(i.id, i.host_id, i.code, i.name, i.description, i.sales_nominal, i.purchase_nominal,
                          i.tax_code, i.unit_price, i.version) for i in session.scalars(select(Item))]
    items = world.remote_items()
    assert set(items) == used - {None}
    remote = world.remote_document("INV-1002")
    assert remote is not None and remote.item_codes and remote.item_codes <= set(items)
    # After a lost answer the exporter looks items up before creating them again: the lookup finds each one.
    found = world.connector().find_existing_items(views)
    assert {v.code: found[v.id][0] for v in views if v.id in found} == items


def test_fixing_the_mapping_clears_the_error_on_rerun(world: PackageWorld, package: PackageHarness) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    with session_scope(world.sessions) as session:
        set_mapping(session, world.conn_id, MappingKind.NOMINAL, "4090", package.spare_income_account)
    assert exporter.precheck().failed == 0
    assert exporter.upload().exported == 1
    with session_scope(world.sessions) as session:
        assert error_feedback(session, world.conn_id).total == 0
        assert pending_export(session, session.get_one(Connection, world.conn_id)).total == 0
    assert world.remote_numbers()[UNMAPPED] == 1


def test_edit_goes_out_as_update_and_void_as_the_package_voids(world: PackageWorld,
                                                                package: PackageHarness) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    before = world.remote_document("INV-1002")
    with session_scope(world.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1002"))
        line = session.scalar(select(DocumentLine).where(DocumentLine.document_id == doc.id,
                                                         DocumentLine.line_no == 1))
        line.description = "Edited after export"
        doc.version += 1
    report = exporter.upload()
    assert (report.updated, report.exported) == (1, 0)
    after = world.remote_document("INV-1002")
    assert before is not None and after is not None
    assert after.external_id == before.external_id and after.first_line == "Edited after export"
    assert document_records(world)["INV-1002"].status == SyncStatus.SEEN.value

    voids = {"sales_invoice": "INV-1003", "sales_credit_note": "CN-2001", "purchase_invoice": "SUP-881"}
    with session_scope(world.sessions) as session:
        for number in voids.values():  # the host names documents by its own id
            void_document(session, world.org_id, session.scalar(select(Document.host_id).where(
                Document.number == number)))
    report = exporter.upload()
    assert (report.voided, report.failed) == (3, 1)  # and the unmapped INV-1103 still fails
    for doc_type, number in voids.items():
        remote = world.remote_document(number)
        if package.void_outcome[doc_type] == "voided":
            assert remote is not None and remote.state == "voided", number
        else:  # no void for this record in the package: the connector deletes it
            assert remote is None, number
        record = document_records(world)[number]
        assert record.action == "void" and record.status in (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)


def test_void_refused_after_a_payment_is_explained(world: PackageWorld) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    world.record_payment("INV-1005", Decimal("1.00"))
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1005")
    report = exporter.upload()
    assert report.voided == 0 and report.failed == 2  # INV-1005, and the unmapped INV-1103
    record = document_records(world)["INV-1005"]
    assert record.status == SyncStatus.ERROR.value
    with session_scope(world.sessions) as session:
        err = {e["record_id"]: e for e in error_feedback(session, world.conn_id).rows}[record.record_id]
    assert err["source"] == "package" and err["raw_response"]
    assert "credit note" in (err["hint"] or "")
    remote = world.remote_document("INV-1005")
    assert remote is not None and remote.state == "open" and remote.total > 0  # as it was, less the payment
