"""The CLI for the purchase invoice workflow (R-P1), the audit command (R-A1) and R-PAY1 on the load path,
each as a user runs it: a subprocess on a SQLite store in a fresh directory."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.store.db import make_engine, make_session_factory, session_scope
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.web.auth import create_user

from .cli_support import Workspace


def _setup(ws: Workspace) -> int:
    ws.json("init", "--org-name", "Komet Ltd")
    ws.run("load", str(ws.write_json("batch.json", demo_batch())))
    engine = make_engine(ws.database_url)
    with session_scope(make_session_factory(engine)) as session:
        org_id = session.scalars(select(Organisation.id)).one()
        create_user(session, org_id, "pat@komet.test", "a long enough password", "procurement", name="Pat")
        create_user(session, org_id, "ann@komet.test", "a long enough password", "accounts", name="Ann")
    engine.dispose()
    return org_id


def test_purchases_list_approve_send_and_audit(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    _setup(ws)
    refused = ws.run("purchases", "rules", "--approval", "--user", "pat@komet.test", expect=3)
    assert "needs --user naming an administrator" in refused.stderr
    assert ws.json("purchases", "rules", "--approval", "--user", "admin@localhost") == {
        "approval_required": True, "require_additional_charges": False}
    listed = ws.json("purchases", "list")
    assert listed["rules"]["approval_required"] is True
    assert {r["status"] for r in listed["purchase_invoices"]} == {"Awaiting approval"}
    assert len(listed["purchase_invoices"]) == 5

    early = ws.run("purchases", "send", "SUP-881", "--user", "Ann", expect=3)
    assert ("purchase invoice SUP-881 cannot be sent: it waits for approval by Procurement and approval by "
            "Accounting") in " ".join(early.stderr.split())
    ws.run("purchases", "approve", "SUP-881", "--as", "accounting", "--user", "Pat", expect=3)
    assert ws.json("purchases", "approve", "SUP-881", "--as", "procurement", "--user", "Pat")["waits_for"] == [
        "approval by Accounting", "Send to External System"]
    assert ws.json("purchases", "approve", "SUP-881", "--as", "accounting", "--user", "ann@komet.test")[
        "status"] == "Approved"
    sent = ws.json("purchases", "send", "SUP-881", "--user", "Ann")
    assert sent["status"] == "Sent to External System" and sent["released"] is True
    table = ws.run("purchases", "list").stdout
    assert "SUP-881" in table and "Sent to External System" in table and "approval by Procurement" in table
    ws.run("purchases", "approve", "SUP-881", "--as", "boss", "--user", "Pat", expect=2)

    history = ws.json("audit", "--record", "purchase_invoice:SUP-881")
    assert [(r["actor"], r["action"]) for r in reversed(history["rows"])] == [
        ("pat@komet.test", "approve procurement"), ("ann@komet.test", "approve accounting"),
        ("ann@komet.test", "send to external system")]
    assert ws.json("audit", "--record", "purchase_invoice:SUP-881", "--since", "2999-01-01")["total"] == 0
    csv_text = ws.run("audit", "--csv", "--record", "purchase_invoice:SUP-881").stdout
    assert len(csv_text.strip().split("\n")) == 4
    bad = ws.run("audit", "--record", "invoice-SUP-881", expect=2)
    assert "--record must be TYPE:NUMBER" in " ".join(bad.stderr.split())
    ws.run("audit", "--since", "yesterday", expect=2)


def test_load_refuses_account_customer_payments_while_integrated(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    org_id = _setup(ws)
    engine = make_engine(ws.database_url)
    with session_scope(make_session_factory(engine)) as session:
        session.add(Connection(organisation_id=org_id, kind="xero", name="Xero", status="connected",
                               tenant_name="Demo Company (UK)", api_base_url="http://127.0.0.1:9",
                               identity_base_url="http://127.0.0.1:9", client_id="id", client_secret_enc="x",
                               redirect_uri="http://127.0.0.1:9/cb"))
    engine.dispose()
    payment = {"host_id": "PAY-1", "direction": "in", "kind": "invoice_payment", "party_host_id": "C006",
               "payment_date": "2026-11-20", "amount": "10.00", "currency": "GBP",
               "allocations": [{"document_host_id": "INV-1001", "amount": "10.00"}]}
    refused = ws.json("load", str(ws.write_json("pay.json", {"payments": [payment]})), expect=2)
    assert refused["ok"] is False
    assert refused["errors"][0]["record"] == 'payments[0] (host_id "PAY-1")'
    assert refused["errors"][0]["message"].startswith(
        'party "C006" is an account customer and the integration is on: record this payment in Xero '
        '("Demo Company (UK)")')
    deposit = dict(payment, host_id="DEP-1", kind="prepayment", sales_order_host_id="SO-7001", allocations=[],
                   party_host_id="C004")
    assert ws.json("load", str(ws.write_json("dep.json", {"payments": [deposit]})))["payments"]["created"] == 1
