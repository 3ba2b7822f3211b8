"""Export end to end against the Xero sandbox: pre-check, upload, seen tick, mark as exported, changes after export."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import select, update

from ledgerbridge.db import session_scope
from ledgerbridge.exporter import Exporter
from ledgerbridge.grids import error_feedback, exported, pending_export
from ledgerbridge.intake import void_document
from ledgerbridge.mappings import MappingKind, set_mapping
from ledgerbridge.models_host import Document, DocumentLine
from ledgerbridge.models_sync import Connection, RecordType, SyncRecord, SyncStatus

from .conftest import World


def _records(world: World) -> dict[str, SyncRecord]:
    with session_scope(world.sessions) as session:
        rows = session.execute(select(Document.number, SyncRecord).join(
            SyncRecord, SyncRecord.record_id == Document.id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.DOCUMENT.value)).all()
        return {number: rec for number, rec in rows}


def _xero_invoice_numbers(world: World) -> Counter[str]:
    numbers: Counter[str] = Counter()
    for doc in world.xero_get("/Invoices", page=1, pageSize=1000)["Invoices"]:
        numbers[doc["InvoiceNumber"]] += 1
    for doc in world.xero_get("/CreditNotes", page=1, pageSize=1000)["CreditNotes"]:
        numbers[doc["CreditNoteNumber"]] += 1
    return numbers


def test_precheck_sends_nothing_and_names_the_unmapped_code(world: World) -> None:
    before = world.xero_get("/Invoices", page=1)["Invoices"]
    report = Exporter(world.sessions, world.conn_id, world.connector()).precheck()
    assert report.checked == 30  # 20 + 3 order/unmapped invoices, 2 credit notes, 5 purchase invoices
    assert report.failed == 1
    problem = report.problems[0]
    assert problem["document"] == "INV-1103"
    assert "nominal code 4090" in problem["message"] and "line 1" in problem["message"]
    assert "Account code or ID must be specified" in problem["message"]
    assert world.xero_get("/Invoices", page=1)["Invoices"] == before == []
    with session_scope(world.sessions) as session:
        errors = error_feedback(session, world.conn_id).rows
    assert [e["source"] for e in errors] == ["precheck"]


def test_upload_exports_each_document_once_and_ticks_after_read_back(world: World) -> None:
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (report.exported, report.failed) == (29, 1)
    with session_scope(world.sessions) as session:
        named = set(session.scalars(select(Document.party_id).where(Document.type.in_(
            ["sales_invoice", "sales_credit_note", "purchase_invoice"]), Document.number != "INV-1103")))
    assert report.parties_exported == len(named)  # every customer and supplier that a sent document names
    contacts = world.xero_get("/Contacts", page=1)["Contacts"]
    assert len(contacts) == len(named)
    # A customer and a supplier with the same name both exist in Xero; the second is told apart by its code.
    names = {c["ContactNumber"]: c["Name"] for c in contacts}
    assert names["C002"] == "Bramley Florists" and names["S003"] == "Bramley Florists (S003)"
    records = _records(world)
    assert records["INV-1103"].status == SyncStatus.ERROR.value
    assert "4090" in (records["INV-1103"].last_error or "")
    assert "QU-3001" not in records and "PF-4001" not in records and "SO-7001" not in records
    ticked = [n for n, r in records.items() if r.status == SyncStatus.SEEN.value]
    assert len(ticked) == 29
    in_xero = _xero_invoice_numbers(world)
    assert set(in_xero) == {n for n in records if n != "INV-1103"}
    assert max(in_xero.values()) == 1
    # Xero's totals equal the host's to the cent.
    with session_scope(world.sessions) as session:
        totals = dict(session.execute(select(Document.number, Document.gross_total)).all())
    for doc in world.xero_get("/Invoices", page=1, pageSize=1000)["Invoices"]:
        assert Decimal(str(doc["Total"])) == totals[doc["InvoiceNumber"]]
    # A second upload sends nothing new.
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.exported == 0 and _xero_invoice_numbers(world) == in_xero


def test_fixing_the_mapping_clears_the_error_on_rerun(world: World) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    with session_scope(world.sessions) as session:
        set_mapping(session, world.conn_id, MappingKind.NOMINAL, "4090", "260")
    assert exporter.precheck().failed == 0
    report = exporter.upload()
    assert report.exported == 1
    with session_scope(world.sessions) as session:
        assert error_feedback(session, world.conn_id).total == 0
        assert pending_export(session, session.get_one(Connection, world.conn_id)).total == 0
    assert _xero_invoice_numbers(world)["INV-1103"] == 1


def test_mark_as_exported_is_never_sent_nor_ticked(world: World) -> None:
    from ledgerbridge.sync_records import mark_exported_by_hand

    with session_scope(world.sessions) as session:
        doc_id = session.scalar(select(Document.id).where(Document.number == "INV-1001"))
        assert mark_exported_by_hand(session, session.get_one(Connection, world.conn_id), [doc_id], "X-77") == 1
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert "INV-1001" not in _xero_invoice_numbers(world)
    rec = _records(world)["INV-1001"]
    assert rec.status == SyncStatus.EXPORTED.value and rec.marked_by_hand and rec.external_number == "X-77"
    with session_scope(world.sessions) as session:  # an edit afterwards is not sent either
        session.execute(update(Document).where(Document.id == doc_id).values(version=Document.version + 1))
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert "INV-1001" not in _xero_invoice_numbers(world)
    with session_scope(world.sessions) as session:
        rows = exported(session, world.conn_id, limit=1000).rows
    assert [r for r in rows if r["number"] == "INV-1001"][0]["seen"] is False


def test_edit_goes_out_as_update_and_void_as_void(world: World) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    with session_scope(world.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1002"))
        line = session.scalar(select(DocumentLine).where(DocumentLine.document_id == doc.id,
                                                         DocumentLine.line_no == 1))
        line.description = "Edited after export"
        doc.version += 1
    report = exporter.upload()
    assert report.updated == 1
    xero_doc = world.xero_get("/Invoices/INV-1002")["Invoices"][0]
    assert xero_doc["LineItems"][0]["Description"] == "Edited after export"
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1003")
    assert exporter.upload().voided == 1
    assert world.xero_get("/Invoices/INV-1003")["Invoices"][0]["Status"] == "VOIDED"


def test_void_refused_by_xero_is_explained(world: World) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    invoice = world.xero_get("/Invoices/INV-1004")["Invoices"][0]
    world.pay(invoice["InvoiceID"], "1.00")
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1004")
    report = exporter.upload()
    assert report.voided == 0 and report.failed >= 1
    rec = _records(world)["INV-1004"]
    assert rec.status == SyncStatus.ERROR.value
    with session_scope(world.sessions) as session:
        errors = {e["record_id"]: e for e in error_feedback(session, world.conn_id).rows}
    err = errors[rec.record_id]
    assert err["source"] == "package" and err["raw_response"]
    assert "credit note" in (err["hint"] or "")
    assert world.xero_get("/Invoices/INV-1004")["Invoices"][0]["Status"] == "AUTHORISED"


def test_items_go_first_only_with_item_sync_on(world: World) -> None:
    from ledgerbridge.settings import ConnectionSettings

    Exporter(world.sessions, world.conn_id, world.connector()).upload(
        _ids(world, ["INV-1001"]))
    assert world.xero_get("/Items")["Items"] == []  # off by default (R-E1)
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = ConnectionSettings.from_json(conn.settings | {"item_sync": True,
                                                                       "push_lines_as_items": True}).merged_into(
            conn.settings)
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.exported == 28
    items = {i["Code"]: i for i in world.xero_get("/Items")["Items"]}
    with session_scope(world.sessions) as session:
        used = set(session.scalars(select(DocumentLine.item_code).join(Document).where(
            Document.type.in_(["sales_invoice", "sales_credit_note", "purchase_invoice"]))))
    assert set(items) == used - {None}
    assert items["OAK-SHELF"]["SalesDetails"]["AccountCode"] == "200"
    line = world.xero_get("/Invoices/INV-1002")["Invoices"][0]["LineItems"][0]
    assert line["ItemCode"] in items


def _ids(world: World, numbers: list[str]) -> list[int]:
    with session_scope(world.sessions) as session:
        return list(session.scalars(select(Document.id).where(Document.number.in_(numbers))))


def test_posting_detail_one_line_per_nominal_and_tax_code(world: World) -> None:
    from ledgerbridge.settings import ConnectionSettings

    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = ConnectionSettings.from_json(conn.settings | {"push_individual_lines": False,
                                                                       "reference_field": "customer_po"}
                                                     ).merged_into(conn.settings)
        docs = session.scalars(select(Document).where(Document.type == "sales_invoice")).all()
        doc = next(d for d in docs if len({(ln.nominal_code, ln.tax_code) for ln in d.lines}) < len(d.lines))
        doc.customer_po = "PO-778"
        doc.version += 1
        number, groups = doc.number, {(ln.nominal_code, ln.tax_code) for ln in doc.lines}
        total, line_count = doc.gross_total, len(doc.lines)
    Exporter(world.sessions, world.conn_id, world.connector()).upload(_ids(world, [number]))
    invoice = world.xero_get(f"/Invoices/{number}")["Invoices"][0]
    assert invoice["Reference"] == "PO-778"  # R-E13
    assert len(invoice["LineItems"]) == len(groups) < line_count
    assert Decimal(str(invoice["Total"])) == total
