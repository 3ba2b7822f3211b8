"""Export end to end against the QBO sandbox: pre-check, upload through batches, seen tick, updates, voids,
lost answers; every exchange checked against Intuit's XSDs."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import httpx
from sqlalchemy import select

from ledgerbridge.connections import ConnectorOptions, connector_for
from ledgerbridge.db import session_scope
from ledgerbridge.exporter import Exporter
from ledgerbridge.grids import error_feedback
from ledgerbridge.intake import void_document
from ledgerbridge.mappings import MappingKind, set_mapping
from ledgerbridge.models_host import Document, DocumentLine
from ledgerbridge.models_sync import RecordType, SyncRecord, SyncStatus

from .conftest import QboWorld

ENTITIES = ("Invoice", "CreditMemo", "Bill")


def _records(world: QboWorld) -> dict[str, SyncRecord]:
    with session_scope(world.sessions) as session:
        rows = session.execute(select(Document.number, SyncRecord).join(
            SyncRecord, SyncRecord.record_id == Document.id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.DOCUMENT.value)).all()
        return {number: rec for number, rec in rows}


def _numbers_in_qbo(world: QboWorld) -> Counter[str]:
    found: Counter[str] = Counter()
    for entity in ENTITIES:
        found.update(doc["DocNumber"] for doc in world.query(f"SELECT * FROM {entity} MAXRESULTS 1000"))
    return found


def _doc(world: QboWorld, entity: str, number: str) -> dict:
    rows = world.query(f"SELECT * FROM {entity} WHERE DocNumber = '{number}'")
    assert len(rows) == 1
    return rows[0]


def test_precheck_sends_nothing_and_names_the_unmapped_code(world: QboWorld) -> None:
    report = Exporter(world.sessions, world.conn_id, world.connector()).precheck()
    assert report.checked == 30 and report.failed == 1
    problem = report.problems[0]
    assert problem["document"] == "INV-1103"
    assert "nominal code 4090" in problem["message"] and "QuickBooks Online" in problem["message"]
    assert _numbers_in_qbo(world) == Counter()
    with session_scope(world.sessions) as session:
        assert [e["source"] for e in error_feedback(session, world.conn_id).rows] == ["precheck"]


def test_upload_exports_each_document_once_and_ticks_after_read_back(world: QboWorld) -> None:
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (report.exported, report.failed) == (29, 1)
    records = _records(world)
    assert records["INV-1103"].status == SyncStatus.ERROR.value and "4090" in (records["INV-1103"].last_error or "")
    assert "QU-3001" not in records and "PF-4001" not in records and "SO-7001" not in records
    assert sorted(n for n, r in records.items() if r.status == SyncStatus.SEEN.value) == \
        sorted(n for n in records if n != "INV-1103")
    in_qbo = _numbers_in_qbo(world)
    assert set(in_qbo) == {n for n in records if n != "INV-1103"} and max(in_qbo.values()) == 1
    # invoices, credit notes and purchase invoices all went out, each to its own entity
    assert all(world.query(f"SELECT * FROM {entity}") for entity in ENTITIES)
    # QBO's totals equal the host's to the cent
    with session_scope(world.sessions) as session:
        totals = dict(session.execute(select(Document.number, Document.gross_total)).all())
    for entity in ENTITIES:
        for doc in world.query(f"SELECT * FROM {entity} MAXRESULTS 1000"):
            assert Decimal(str(doc["TotalAmt"])) == totals[doc["DocNumber"]]
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.exported == 0 and _numbers_in_qbo(world) == in_qbo


def test_customer_and_supplier_with_the_same_name_are_both_exported(world: QboWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    customers = {c["DisplayName"] for c in world.query("SELECT * FROM Customer")}
    vendors = {v["DisplayName"]: v for v in world.query("SELECT * FROM Vendor")}
    assert "Bramley Florists" in customers
    assert "Bramley Florists (S003)" in vendors and vendors["Bramley Florists (S003)"]["AcctNum"] == "S003"
    with session_scope(world.sessions) as session:
        names = set(session.scalars(select(SyncRecord.external_name).where(
            SyncRecord.record_type == RecordType.PARTY.value)))
    assert {"Bramley Florists", "Bramley Florists (S003)"} <= names


def test_fixing_the_mapping_clears_the_error_on_rerun(world: QboWorld) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    with session_scope(world.sessions) as session:
        set_mapping(session, world.conn_id, MappingKind.NOMINAL, "4090", "4010")
    assert exporter.upload().exported == 1
    assert _numbers_in_qbo(world)["INV-1103"] == 1


def test_edit_goes_out_as_sparse_update_and_void_as_void(world: QboWorld) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    before = _doc(world, "Invoice", "INV-1002")
    # someone touches the invoice in QBO: our update must carry the fresh SyncToken
    world.api("POST", "/invoice", json={"Id": before["Id"], "SyncToken": before["SyncToken"], "sparse": True,
                                        "CustomerMemo": {"value": "Thanks"}}, params={"requestid": "touch-1"})
    with session_scope(world.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1002"))
        line = session.scalar(select(DocumentLine).where(DocumentLine.document_id == doc.id,
                                                         DocumentLine.line_no == 1))
        line.description = "Edited after export"
        doc.version += 1
    assert exporter.upload().updated == 1
    after = _doc(world, "Invoice", "INV-1002")
    assert after["Id"] == before["Id"] and int(after["SyncToken"]) == int(before["SyncToken"]) + 2
    assert after["Line"][0]["Description"] == "Edited after export"
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1003")
    assert exporter.upload().voided == 1
    voided = _doc(world, "Invoice", "INV-1003")
    assert Decimal(str(voided["TotalAmt"])) == 0 and voided["PrivateNote"].startswith("Voided")


def test_stale_sync_token_is_read_again_and_sent_once_more(world: QboWorld) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    connector = world.connector()
    original = connector._by_ids  # type: ignore[attr-defined]

    def stale_once(entity: str, ids: list[str], purpose: str) -> dict:
        rows = original(entity, ids, purpose)
        if purpose == "read sync tokens":  # as if QBO changed it between our read and our write
            connector._by_ids = original  # type: ignore[attr-defined]
            return {i: {**row, "SyncToken": str(int(row["SyncToken"]) - 1)} for i, row in rows.items()}
        return rows

    before = _doc(world, "Invoice", "INV-1004")
    world.api("POST", "/invoice", json={"Id": before["Id"], "SyncToken": before["SyncToken"], "sparse": True,
                                        "CustomerMemo": {"value": "Touched"}}, params={"requestid": "touch-2"})
    connector._by_ids = stale_once  # type: ignore[attr-defined]
    with session_scope(world.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1004"))
        doc.lines[0].description = "Edited twice"
        doc.version += 1
    batch = "POST /v3/company/{realmId}/batch"
    calls_before = world.admin("GET", "/stats").json()["calls"].get(batch, 0)
    report = Exporter(world.sessions, world.conn_id, connector).upload()
    assert (report.updated, report.failed) == (1, 1)  # the unmapped INV-1103 still fails
    assert world.admin("GET", "/stats").json()["calls"][batch] - calls_before == 2  # refused as stale, then sent
    assert _doc(world, "Invoice", "INV-1004")["Line"][0]["Description"] == "Edited twice"


def test_void_refused_by_qbo_is_explained(world: QboWorld) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    world.pay(_doc(world, "Invoice", "INV-1005")["Id"], "1.00")
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1005")
    report = exporter.upload()
    assert report.voided == 0 and report.failed >= 1
    rec = _records(world)["INV-1005"]
    assert rec.status == SyncStatus.ERROR.value
    with session_scope(world.sessions) as session:
        err = {e["record_id"]: e for e in error_feedback(session, world.conn_id).rows}[rec.record_id]
    assert err["raw_response"] and "credit note" in (err["hint"] or "")
    assert Decimal(str(_doc(world, "Invoice", "INV-1005")["TotalAmt"])) > 0


def test_lost_answers_after_commit_never_duplicate(world: QboWorld) -> None:
    # the next three writes commit in QBO but their answers are lost: the retry carries the same requestid
    world.admin("POST", "/faults", json={"drop_response_after_commit": 3}).raise_for_status()
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (report.exported, report.failed) == (29, 1)
    numbers = _numbers_in_qbo(world)
    assert max(numbers.values()) == 1 and len(numbers) == 29
    assert len(world.query("SELECT * FROM Customer")) + len(world.query("SELECT * FROM Vendor")) == \
        report.parties_exported


def _export_all_parties(world: QboWorld) -> None:
    from ledgerbridge.export_dependencies import PARTIES, DependencyExporter
    from ledgerbridge.export_plan import export_context
    from ledgerbridge.models_host import Party
    from ledgerbridge.models_sync import Connection
    from ledgerbridge.sync_records import refresh_sync_records

    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        refresh_sync_records(session, conn)
        ctx = export_context(session, conn)
        party_ids = list(session.scalars(select(Party.id)))
    bound = DependencyExporter(world.sessions, world.conn_id, world.connector(), ctx, PARTIES).ensure_exported(
        party_ids)
    assert all(b.external_id for b in bound.values())


def test_lost_answers_with_retries_spent_are_found_by_lookup(world: QboWorld) -> None:
    _export_all_parties(world)
    exporter = Exporter(world.sessions, world.conn_id, world.connector(max_attempts=1))
    # every document batch commits in QBO but no answer arrives, and the one attempt is spent
    world.admin("POST", "/faults", json={"drop_response_after_commit": 200}).raise_for_status()
    lost = exporter.upload()
    assert lost.exported == 0 and lost.failed == 30  # 29 unanswered, and the unmapped INV-1103
    world.admin("DELETE", "/faults").raise_for_status()
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.recovered == 29 and again.exported == 0  # found by DocNumber, never created twice
    numbers = _numbers_in_qbo(world)
    assert max(numbers.values()) == 1 and len(numbers) == 29
    assert all(r.status == SyncStatus.SEEN.value for n, r in _records(world).items() if n != "INV-1103")


class _Recorder(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)


def test_every_call_has_minorversion_and_every_write_a_requestid(world: QboWorld) -> None:
    recorder = _Recorder(world.transport)
    connector = connector_for(world.sessions, world.conn_id, ConnectorOptions(transport=recorder))
    try:
        Exporter(world.sessions, world.conn_id, connector).upload()
    finally:
        connector.close()
    api = [r for r in recorder.requests if "/v3/company/" in r.url.path]
    assert api and all(r.url.params.get("minorversion") == "75" for r in api)
    writes = [r for r in api if r.method == "POST"]
    assert writes and all(r.url.params.get("requestid") for r in writes)
    assert all(r.url.path.endswith("/batch") for r in writes)


def test_a_number_longer_than_qbo_allows_fails_in_precheck(world: QboWorld) -> None:
    with session_scope(world.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1006"))
        doc.number = "INV-2026-000000001006"  # 21 characters: still fine
        other = session.scalar(select(Document).where(Document.number == "INV-1007"))
        other.number = "INV-2026-0000000001007"  # 22 characters: QBO's DocNumber holds 21
    report = Exporter(world.sessions, world.conn_id, world.connector()).precheck()
    failed = {p["document"]: p["message"] for p in report.problems}
    assert set(failed) == {"INV-1103", "INV-2026-0000000001007"}
    assert "at most 21" in failed["INV-2026-0000000001007"]


def test_items_go_out_with_item_sync_on_and_are_found_again(world: QboWorld) -> None:
    from ledgerbridge.models_host import Item
    from ledgerbridge.models_sync import Connection
    from ledgerbridge.records import ItemView
    from ledgerbridge.settings import ConnectionSettings

    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = ConnectionSettings.from_json(conn.settings | {"item_sync": True, "push_lines_as_items": True}
                                                     ).merged_into(conn.settings)
        used = set(session.scalars(select(DocumentLine.item_code).join(Document).where(
            Document.type.in_(["sales_invoice", "sales_credit_note", "purchase_invoice"]))))
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.exported == 29
    items = {i["Sku"]: i for i in world.query("SELECT * FROM Item") if i.get("Sku")}
    assert set(items) == used - {None}
    with session_scope(world.sessions) as session:
        views = [ItemView(i.id, i.host_id, i.code, i.name, i.description, i.sales_nominal, i.purchase_nominal,
                          i.tax_code, i.unit_price, i.version) for i in session.scalars(select(Item))]
    found = world.connector().find_existing_items(views)
    assert {v.code for v in views if v.id in found} == set(items)
    # a line whose item posts to the line's account names that item; QBO posts the line to the same account
    invoice = _doc(world, "Invoice", "INV-1002")
    line_items = {ln["SalesItemLineDetail"]["ItemRef"]["value"] for ln in invoice["Line"]
                  if ln["DetailType"] == "SalesItemLineDetail"}
    assert line_items & {i["Id"] for i in items.values()}


def test_a_renamed_customer_goes_out_as_a_sparse_update(world: QboWorld) -> None:
    from ledgerbridge.models_host import Party

    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    before = {c["DisplayName"]: c for c in world.query("SELECT * FROM Customer")}["Aldgate Bakery Ltd"]
    with session_scope(world.sessions) as session:
        party = session.scalar(select(Party).where(Party.code == "C001"))
        party.name = "Aldgate Bakery & Cafe Ltd"
        party.version += 1
        doc = session.scalar(select(Document).where(Document.number == "INV-1002"))
        doc.version += 1  # a document of theirs changes too, so the party is needed again
    exporter.upload()
    after = world.api("GET", f"/customer/{before['Id']}")["Customer"]
    assert after["DisplayName"] == "Aldgate Bakery & Cafe Ltd" and int(after["SyncToken"]) > int(before["SyncToken"])
    assert len(world.query("SELECT * FROM Customer")) == 8
