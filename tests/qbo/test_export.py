"""Export to QuickBooks Online, what is QuickBooks' own: SyncToken (fresh, stale and re-read on 5010), minorversion
and requestid on every call, the 21-character DocNumber, suppliers' AcctNum, sparse updates of customers, a party in
both roles as a Customer and a Vendor, voids of credit memos and bills carried out as deletes; every exchange checked
against Intuit's XSDs.

Create, update, void, pre-check, lost answers, the seen tick and items are the conformance suite's
(``tests/conformance``), run against QBO and every other connector.
"""

from __future__ import annotations

import httpx
from sqlalchemy import select

from ledgerbridge.connectors.connections import ConnectorOptions, connector_for
from ledgerbridge.demo.approvals import approve_demo_purchases
from ledgerbridge.intake.apply import void_document
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document, DocumentLine
from ledgerbridge.store.models.sync import RecordType, SyncRecord
from ledgerbridge.sync.exporter import Exporter

from .conftest import QboWorld


def _doc(world: QboWorld, entity: str, number: str) -> dict:
    rows = world.query(f"SELECT * FROM {entity} WHERE DocNumber = '{number}'")
    assert len(rows) == 1
    return rows[0]


def test_a_supplier_carries_its_code_as_acct_num(world: QboWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    vendors = {v["DisplayName"]: v for v in world.query("SELECT * FROM Vendor")}
    assert "Bramley Florists" in {c["DisplayName"] for c in world.query("SELECT * FROM Customer")}
    # the supplier that shares a customer's name takes the suffix rule's name; its code is its AcctNum
    assert vendors["Bramley Florists (S003)"]["AcctNum"] == "S003"


def test_update_after_a_change_in_qbo_carries_the_fresh_sync_token(world: QboWorld) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    before = _doc(world, "Invoice", "INV-1002")
    # someone touches the invoice in QBO: our sparse update must carry the fresh SyncToken
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
    assert after["CustomerMemo"]["value"] == "Thanks"  # sparse: what we do not send stays as QBO has it


def test_stale_sync_token_is_read_again_and_sent_once_more(world: QboWorld) -> None:
    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    connector = world.connector()
    original = connector.by_ids  # type: ignore[attr-defined]

    def stale_once(entity: str, ids: list[str], purpose: str) -> dict:
        rows = original(entity, ids, purpose)
        if purpose == "read sync tokens":  # as if QBO changed it between our read and our write
            connector.by_ids = original  # type: ignore[attr-defined]
            return {i: {**row, "SyncToken": str(int(row["SyncToken"]) - 1)} for i, row in rows.items()}
        return rows

    before = _doc(world, "Invoice", "INV-1004")
    world.api("POST", "/invoice", json={"Id": before["Id"], "SyncToken": before["SyncToken"], "sparse": True,
                                        "CustomerMemo": {"value": "Touched"}}, params={"requestid": "touch-2"})
    connector.by_ids = stale_once  # type: ignore[attr-defined]
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


def test_a_renamed_customer_goes_out_as_a_sparse_update(world: QboWorld) -> None:
    from ledgerbridge.store.models.host import Party

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


def test_a_party_in_both_roles_is_a_customer_and_a_vendor_and_its_bill_names_the_vendor(world: QboWorld) -> None:
    from ledgerbridge.store.models.host import Party

    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    customers = {c["DisplayName"]: c for c in world.query("SELECT * FROM Customer")}
    vendors = {v["DisplayName"]: v for v in world.query("SELECT * FROM Vendor")}
    # Dunmore Joinery (C004) is a customer that also sent us SUP-884: DisplayName is unique across both lists,
    # so its Vendor takes the suffix rule's name
    assert "Dunmore Joinery" in customers and "Dunmore Joinery (C004)" in vendors
    vendor = vendors["Dunmore Joinery (C004)"]
    assert _doc(world, "Bill", "SUP-884")["VendorRef"]["value"] == vendor["Id"]
    with session_scope(world.sessions) as session:
        party_id = session.scalar(select(Party.id).where(Party.code == "C004"))
        bindings = dict(session.execute(select(SyncRecord.record_type, SyncRecord.external_id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_id == party_id,
            SyncRecord.record_type.in_((RecordType.PARTY.value, RecordType.SUPPLIER.value)))).all())
    assert bindings == {RecordType.PARTY.value: customers["Dunmore Joinery"]["Id"],
                        RecordType.SUPPLIER.value: vendor["Id"]}
    # an edit to the party goes to both of its records, each keeping its own name
    with session_scope(world.sessions) as session:
        party = session.get_one(Party, party_id)
        party.email = "office@dunmore.example"
        party.version += 1
        for doc in session.scalars(select(Document).where(Document.number.in_(("SUP-884", "INV-1101")))):
            doc.version += 1  # documents of theirs change too, so both roles are needed again
    with session_scope(world.sessions) as session:  # an edited bill waits for fresh approvals (R-P1)
        assert approve_demo_purchases(session, world.org_id)["sent"] == 1
    exporter.upload()
    customer_after = world.api("GET", f"/customer/{customers['Dunmore Joinery']['Id']}")["Customer"]
    vendor_after = world.api("GET", f"/vendor/{vendor['Id']}")["Vendor"]
    assert customer_after["PrimaryEmailAddr"]["Address"] == vendor_after["PrimaryEmailAddr"]["Address"] == \
        "office@dunmore.example"
    assert vendor_after["DisplayName"] == "Dunmore Joinery (C004)"
    assert len(world.query("SELECT * FROM Vendor")) == len(vendors)


def test_a_voided_credit_note_or_bill_is_deleted_in_qbo_and_the_history_says_why(world: QboWorld) -> None:
    from ledgerbridge.store.models.sync import AuditEvent

    exporter = Exporter(world.sessions, world.conn_id, world.connector())
    exporter.upload()
    assert _doc(world, "CreditMemo", "CN-2002") and _doc(world, "Bill", "SUP-881")
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "CN-2002")
        void_document(session, world.org_id, "PI-1")  # host id of SUP-881
    report = exporter.upload()
    assert report.voided == 2 and report.failed == 1  # and INV-1103, still unmapped
    # QuickBooks Online has no void for them: they are gone there, not zeroed
    assert world.query("SELECT * FROM CreditMemo WHERE DocNumber = 'CN-2002'") == []
    assert world.query("SELECT * FROM Bill WHERE DocNumber = 'SUP-881'") == []
    assert sorted((n["document"], n["message"]) for n in report.notes) == [
        ("CN-2002", "deleted in QuickBooks: QuickBooks Online has no void for credit memos"),
        ("SUP-881", "deleted in QuickBooks: QuickBooks Online has no void for bills")]
    with session_scope(world.sessions) as session:
        doc_id = session.scalar(select(Document.id).where(Document.number == "CN-2002"))
        history = list(session.scalars(select(AuditEvent.detail).where(AuditEvent.record_type == "document",
                                                                       AuditEvent.record_id == doc_id)))
    assert history == ["sales credit note CN-2002: deleted in QuickBooks: QuickBooks Online has no void for "
                       "credit memos"]
    # an invoice is still voided, not deleted, and carries no such note
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1003")
    again = exporter.upload()
    assert again.voided == 1 and again.notes == []
    assert _doc(world, "Invoice", "INV-1003")["PrivateNote"].startswith("Voided")
