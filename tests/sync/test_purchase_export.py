"""R-P1 end to end against the Xero sandbox: unapproved bills stay here with the reason, approved and sent ones
go out and read "Synchronized" after the read-back; the audit trail finds each call by record, not by text."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.fixtures import SandboxPool
from conformance.xero import XERO, XeroWorld
from pytest import fixture
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.search import resolve_record, search_audit
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.approvals import ApprovalStep, approve, purchase_invoices, send_to_external_system
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.grids import pending_export
from ledgerbridge.web.auth import create_user

from .conftest import World

WAITING = "approval by Procurement and approval by Accounting and Send to External System"


@fixture
def world(sessions: sessionmaker[Session], sandboxes: SandboxPool) -> Iterator[XeroWorld]:
    """The demo's books with their bills as the host sent them: nobody has approved them (the subject here)."""
    with XERO.opened(sessions, sandboxes.get(XERO), approve_purchases=False) as made:
        assert isinstance(made, XeroWorld)
        yield made


def _statuses(world: World) -> dict[str, str]:
    with session_scope(world.sessions) as session:
        return {str(r["number"]): str(r["status"]) for r in purchase_invoices(session, world.org_id, world.conn_id)}


def test_only_approved_and_sent_purchase_invoices_go_out(world: World) -> None:
    with session_scope(world.sessions) as session:
        create_user(session, world.org_id, "pat@test.example", "a long enough password", "procurement")
        create_user(session, world.org_id, "ann@test.example", "a long enough password", "accounts")
        # No rule set for this organisation: the workflow is on by default (R-P1, migration 0007).
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert report.exported == 24 and report.failed == 6  # INV-1103 (unmapped) and the five bills
    held = [p for p in report.problems if p["type"] == "purchase_invoice"]
    assert [p["message"] for p in held] == [f"purchase invoice {p['document']} is not sent: waits for {WAITING}"
                                            for p in held]
    bills = world.xero_get("/Invoices", page=1, where='Type=="ACCPAY"')["Invoices"]
    assert bills == []
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        pending = {r["number"]: r["waits_for"] for r in pending_export(session, conn).rows}
    assert pending["SUP-881"] == WAITING and pending["INV-1103"] == "a fix (see Error Feedback)"
    assert set(_statuses(world).values()) == {"Awaiting approval"}

    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        approve(session, world.org_id, "SUP-881", ApprovalStep.PROCUREMENT, "pat@test.example", "procurement")
        approve(session, world.org_id, "SUP-881", ApprovalStep.ACCOUNTING, "ann@test.example", "accounts")
        approve(session, world.org_id, "SUP-882", ApprovalStep.PROCUREMENT, "pat@test.example", "procurement")
        send_to_external_system(session, world.org_id, "SUP-881", "ann@test.example", "accounts", conn)
    statuses = _statuses(world)
    assert statuses["SUP-881"] == "Sent to External System" and statuses["SUP-882"] == "Awaiting approval"
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        pending = {r["number"]: r for r in pending_export(session, conn).rows}
    assert pending["SUP-881"]["status"] == "pending" and pending["SUP-881"]["waits_for"] == "Upload Data"
    assert pending["SUP-882"]["waits_for"] == "approval by Accounting and Send to External System"

    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.exported == 1 and again.seen == 1
    bills = world.xero_get("/Invoices", page=1, where='Type=="ACCPAY"')["Invoices"]
    assert [b["InvoiceNumber"] for b in bills] == ["SUP-881"]
    assert _statuses(world)["SUP-881"] == "Synchronized"


def test_a_record_history_is_found_by_its_link_not_by_text(world: World) -> None:
    connector = world.connector()
    Exporter(world.sessions, world.conn_id, connector).upload()
    connector.close()  # the client writes its buffered audit rows (as a job's end does)
    with session_scope(world.sessions) as session:
        keys = resolve_record(session, world.org_id, "sales_invoice:INV-1001")
        rows, total = search_audit(session, world.org_id, records=[(k.record_type, k.record_id) for k in keys])
        writes = [r for r in rows if r["action"].startswith("xero ")]
        assert len(writes) == 1 and '"INV-1001"' in writes[0]["request"]  # one batch call carried it
        assert f"document:{keys[0].record_id}" in writes[0]["records"]
        # A party's own call: the contact batch that created it, not the invoice batches that name it.
        party = resolve_record(session, world.org_id, "party:C001")
        party_rows, _ = search_audit(session, world.org_id, records=[(k.record_type, k.record_id) for k in party])
        # (the batch's follow-up call for a name clash shares its batch key, so it is linked as well)
        assert {r["action"] for r in party_rows} == {"xero PUT /Contacts"}
        assert any('"C001"' in r["request"] for r in party_rows)
        assert not any(r["action"] == "xero PUT /Invoices" for r in party_rows)
        # INV-1103 never went: its history has no package call at all.
        unsent = resolve_record(session, world.org_id, "document:INV-1103")
        unsent_rows, _ = search_audit(session, world.org_id, records=[(k.record_type, k.record_id) for k in unsent])
        assert not [r for r in unsent_rows if r["action"].startswith("xero ")]
        everything, total_all = search_audit(session, world.org_id, limit=1000)
        assert total_all == len(everything) > total
