"""The README's command-line tour, run as a user runs it: real commands in subprocesses, a Xero sandbox in a
process of its own, a SQLite file and a key file in a fresh working directory.

``test_cli_tour`` and ``test_no_secret_leaks`` share one run of the tour (a module fixture), because the second
is about what the first leaves behind; ``test_load_...`` and ``test_api_serve_...`` have workspaces of their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.domain.payment_policy import MADE_WHILE_OFF

from .cli_support import (
    SANDBOX_CLIENT_SECRET,
    TOUR_MAPPINGS,
    Sandbox,
    Workspace,
    free_port,
    running_sandbox,
    secret_fragments,
)

DEMO_DOCUMENTS = 33  # 23 sales invoices, 2 credit notes, 5 purchase invoices, an order, a quotation, a proforma
EXPORTABLE = 30  # the invoices, credit notes and purchase invoices
PARTIES = 11
INVOICES_IN_XERO = 27  # 22 sales invoices (all 23 but INV-1103) and 5 bills


@dataclass
class Tour:
    """What one run of the tour produced: every command's output, the secrets it involved, the sandbox's counts."""

    workspace: Workspace
    results: dict[str, Any] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    api_key: str | None = None
    connection_id: int | None = None
    sandbox_calls: dict[str, dict[str, int]] = field(default_factory=dict)
    failure: BaseException | None = None

    def harvest(self) -> None:
        """Keep every token and client secret the connection has held (they are replaced on reconnect)."""
        if self.workspace.db_path.exists():
            self.secrets |= self.workspace.stored_connection_secrets()

    def run(self, *args: str, expect: int = 0) -> str:
        try:
            return self.workspace.run(*args, expect=expect).stdout
        finally:
            self.harvest()

    def json(self, step: str, *args: str) -> Any:
        try:
            self.results[step] = self.workspace.json(*args)
        finally:
            self.harvest()
        return self.results[step]

    def raise_if_failed(self) -> None:
        if self.failure is not None:
            raise RuntimeError("the tour did not finish (see test_cli_tour)") from self.failure


def _writes(sandbox: Sandbox) -> dict[str, int]:
    """Calls that change Xero's books (PUT and POST on the accounting API)."""
    return {k: v for k, v in sandbox.calls().items() if k.startswith(("PUT ", "POST "))}


def _write(ws: Workspace, sql: str) -> None:
    """Set up a situation the tour cannot reach by a command (a job queued by the screens, a token expiring)."""
    import sqlite3

    with closing(sqlite3.connect(ws.db_path, timeout=30)) as db, db:
        db.execute(sql)


def _walk_the_tour(tour: Tour, sandbox: Sandbox) -> None:
    """Every step of the README's tour, with its exit code and its JSON checked as it goes."""
    ws = tour.workspace

    # ledgerbridge init: schema, organisation, first API key (shown once).
    init = tour.json("init", "init", "--org-name", "Tour Ltd")
    assert init["organisation"] == "Tour Ltd" and isinstance(init["organisation_id"], int)
    assert init["api_key"].startswith("lb_") and len(init["api_key"]) > 40
    tour.api_key = init["api_key"]

    # ledgerbridge load batch.json (twice: it is idempotent by the host's ids).
    batch_file = ws.write_json("batch.json", demo_batch())
    loaded = tour.json("load", "load", str(batch_file))
    assert loaded["documents"] == {"created": DEMO_DOCUMENTS, "updated": 0, "unchanged": 0}
    assert loaded["parties"]["created"] == PARTIES and loaded["items"]["created"] == 5
    assert loaded["nominal_codes"]["created"] == 8 and loaded["tax_codes"]["created"] == 3
    assert loaded["payment_methods"]["created"] == 2 and loaded["payments"]["created"] == 1
    again = tour.json("load_again", "load", "batch.json")  # relative to the working directory, as a user types it
    assert again["documents"] == {"created": 0, "updated": 0, "unchanged": DEMO_DOCUMENTS}
    assert all(counts["created"] == 0 and counts["updated"] == 0 for counts in again.values()), again

    # ledgerbridge connect --sandbox URL: OAuth consent, organisation chosen.
    connected = tour.json("connect", "connect", "--sandbox", sandbox.base_url)
    assert connected["tenant_id"] == sandbox.tenant_id()
    assert connected["tenant_name"] == "Demo Company (UK)" and connected["reconnected"] is False
    tour.connection_id = connected["connection_id"]
    assert len(tour.secrets - {SANDBOX_CLIENT_SECRET}) >= 2, "connect stored no tokens"

    # ledgerbridge refresh-accounts: chart of accounts, tax rates, currencies.
    chart = tour.json("refresh_accounts", "refresh-accounts")
    assert set(chart) == {"accounts", "tax_rates", "currencies"}
    assert chart["accounts"] > 0 and chart["tax_rates"] > 0 and chart["currencies"] == 3  # GBP, EUR, USD

    # ledgerbridge map ...: checked against the chart just read.
    for kind, local, package in TOUR_MAPPINGS:
        assert f"Mapped {kind} {local} -> {package}" in tour.run("map", kind, local, package)
    ws.run("map", "nominal", "4090", "999", expect=1)
    assert "account '999' is not in the package's chart of accounts" in ws.runs[-1].stderr
    assert ws.scalar("SELECT count(*) FROM mappings WHERE local_code = '4090'") == 0

    # ledgerbridge purchases rules --no-approval: the approval workflow (R-P1) is on by default, so the bills would
    # wait for two approvals and the send; this tour is about the export (the workflow's own CLI test is
    # test_cli_purchases.py), so its administrator switches the workflow off, as an organisation may.
    assert tour.json("purchases_rules", "purchases", "rules", "--no-approval", "--user", "admin@localhost") == {
        "approval_required": False, "require_additional_charges": False}

    # ledgerbridge precheck: every rule, nothing sent.
    pre = tour.json("precheck", "precheck")
    assert pre["checked"] == EXPORTABLE and pre["failed"] == 1 and pre["exported"] == 0
    assert [p["document"] for p in pre["problems"]] == ["INV-1103"]
    assert "nominal code 4090" in pre["problems"][0]["message"]
    assert "Map nominal code 4090" in pre["problems"][0]["hint"]
    assert _writes(sandbox) == {}, "the pre-check wrote to Xero"

    # ledgerbridge upload.
    up = tour.json("upload", "upload")
    assert isinstance(up["job_id"], int)
    assert (up["exported"], up["failed"], up["seen"], up["updated"], up["voided"]) == (29, 1, 29, 0, 0)
    assert up["parties_exported"] == PARTIES and up["stopped_reason"] is None

    # ledgerbridge worker / plan (issue 6): the worker's own log lines are grepped for secrets too.
    _write(ws, "UPDATE connections SET access_expires_at = '2000-01-01 00:00:00'")  # it must refresh, and log
    _write(ws, "INSERT INTO jobs (connection_id, kind, lane, priority, status, params, total, done, failed, step, "
               "result, requested_by, created_at) VALUES (1, 'import_payments', 'import', 10, 'queued', '{}', 0, 0, "
               "0, 'queued', '{}', 'cli', '2026-11-22 00:00:00')")
    tour.run("worker", "--until-idle", "--no-schedule", "--log-level", "debug")
    assert ws.scalar("SELECT status FROM jobs WHERE kind = 'import_payments'") == "done"
    plan = tour.json("plan", "plan", "--json")
    assert plan[0]["pending_documents"] == 0 and plan[0]["fits_today"] is True
    assert [p["document"] for p in up["problems"]] == ["INV-1103"]
    in_xero = sandbox.invoices()
    assert "INV-1103" not in in_xero
    assert sum(1 for i in in_xero.values() if i["Type"] == "ACCREC") == 22  # 23 sales invoices less INV-1103
    assert sum(1 for i in in_xero.values() if i["Type"] == "ACCPAY") == 5 and len(in_xero) == INVOICES_IN_XERO
    assert len(sandbox.get("/CreditNotes")["CreditNotes"]) == 2
    tour.sandbox_calls["after_upload"] = _writes(sandbox)

    # ledgerbridge mark-exported INV-1103 --reference MAN-1: never sent, never ticked.
    assert "Marked 1 document(s) as exported" in tour.run("mark-exported", "INV-1103", "--reference", "MAN-1")
    marked = ws.query("SELECT s.status, s.marked_by_hand, s.external_number, s.external_id FROM sync_records s "
                      "JOIN documents d ON d.id = s.record_id AND s.record_type = 'document' "
                      "WHERE d.number = 'INV-1103'")
    assert marked == [("exported", 1, "MAN-1", None)]

    # A second upload has nothing to send: neither the marked invoice nor anything exported.
    up2 = tour.json("upload_again", "upload")
    assert (up2["exported"], up2["updated"], up2["failed"], up2["problems"]) == (0, 0, 0, [])
    assert _writes(sandbox) == tour.sandbox_calls["after_upload"]
    assert "INV-1103" not in sandbox.invoices()

    # Payments recorded in Xero by a bookkeeper: one invoice paid in full, one in part.
    full = Decimal(str(in_xero["INV-1001"]["AmountDue"]))
    sandbox.record_payment(in_xero["INV-1001"]["InvoiceID"], str(full), "Bank receipt 1")
    sandbox.record_payment(in_xero["INV-1002"]["InvoiceID"], "10.00", "Bank receipt 2")

    # ledgerbridge import-payments: fetched, created and allocated; a second run creates nothing.
    imp = tour.json("import_payments", "import-payments")
    # Fetched: the two payments. The deposit PP-1 was loaded before connecting, so it never went out (R-PAY1).
    assert (imp["fetched"], imp["skipped_ours"], imp["new"], imp["created"], imp["allocated"], imp["failed"]) == (
        2, 0, 2, 2, 2, 0), imp
    assert imp["diagnostics"] == [] and imp["deleted_in_package"] == 0
    imp2 = tour.json("import_payments_again", "import-payments")
    assert (imp2["new"], imp2["created"], imp2["allocated"], imp2["failed"]) == (0, 0, 0, 0), imp2
    allocations = ws.query("SELECT d.number, a.amount FROM allocations a JOIN documents d ON d.id = a.document_id "
                           "ORDER BY d.number")
    assert [(n, Decimal(str(a))) for n, a in allocations] == [("INV-1001", full), ("INV-1002", Decimal("10.00"))]

    # ledgerbridge status: counts, pending, errors, payments, health.
    status = tour.json("status", "status")
    assert status["connection"] == {"id": tour.connection_id, "kind": "xero", "tenant": "Demo Company (UK)",
                                    "status": "connected"}
    # 29 documents (read back from Xero); 11 contacts + INV-1103 marked by hand. No sync record for PP-1.
    assert status["counts"] == {"seen": 29, "exported": PARTIES + 1}
    assert status["pending"]["total"] == 0 and status["errors"]["total"] == 0
    assert status["not_exported"] == {"quotation": {"quotations are never exported": 1},
                                      "proforma": {"proformas are never exported": 1},
                                      "sales_order": {"sales orders are never exported": 1},
                                      # R-PAY1: the demo's deposit was taken before the integration was on.
                                      "payment": {MADE_WHILE_OFF: 1}}
    payments = {p["document"]: p for p in status["payments"]["rows"]}
    assert status["payments"]["total"] == 2 and set(payments) == {"INV-1001", "INV-1002"}
    assert Decimal(payments["INV-1001"]["amount"]) == full and Decimal(payments["INV-1002"]["amount"]) == 10
    assert {p["status"] for p in payments.values()} == {"created_and_allocated"}
    health = status["health"]
    assert health["status"] == "connected" and health["tenant_name"] == "Demo Company (UK)"
    assert health["access_token_expires_in_seconds"] > 0 and health["refresh_token_age_days"] == 0
    assert health["warnings"] == [] and health["last_error"] is None

    # ledgerbridge disconnect: tokens revoked and forgotten, bindings kept.
    bound_before = ws.scalar("SELECT count(*) FROM sync_records WHERE external_id IS NOT NULL")
    said = tour.run("disconnect")
    assert "Disconnected." in said and "the package said" not in said
    assert ws.query("SELECT status, access_token_enc, refresh_token_enc FROM connections") == [
        ("disconnected", None, None)]
    assert bound_before == 29 + PARTIES
    assert ws.scalar("SELECT count(*) FROM sync_records WHERE external_id IS NOT NULL") == bound_before

    # ledgerbridge connect again: the same connection, every binding kept, so the next upload sends nothing.
    reconnected = tour.json("reconnect", "connect", "--sandbox", sandbox.base_url)
    assert reconnected == {"connection_id": tour.connection_id, "tenant_id": connected["tenant_id"],
                           "tenant_name": "Demo Company (UK)", "reconnected": True}
    up3 = tour.json("upload_after_reconnect", "upload")
    assert (up3["exported"], up3["updated"], up3["failed"], up3["problems"]) == (0, 0, 0, [])
    assert _writes(sandbox) == tour.sandbox_calls["after_upload"], "something went to Xero twice"
    assert len(sandbox.invoices()) == INVOICES_IN_XERO

    # ledgerbridge import-parties (R-I4): a preview, then the commit; every contact in Xero is one the upload made
    # and bound here, so nothing is matched again nor created, and nothing goes to Xero.
    preview = tour.json("import_parties_preview", "import-parties")
    assert preview["counts"]["read"] == preview["counts"]["already_bound"] == PARTIES and preview["entries"] == []
    imported = tour.json("import_parties", "import-parties", "--from-preview", str(preview["preview_job_id"]),
                         "--yes")
    assert (imported["already_bound"], imported["created"], imported["left_count"]) == (PARTIES, 0, 0)
    assert _writes(sandbox) == tour.sandbox_calls["after_upload"]

    # ledgerbridge audit: one record's history by its link, and the whole trail as JSON and CSV (R-A1); the
    # secrets check below reads these outputs too.
    history = tour.json("audit_record", "audit", "--record", "sales_invoice:INV-1001")
    calls = [r for r in history["rows"] if r["action"].startswith("xero ")]
    assert [r["action"] for r in calls] == ["xero PUT /Invoices"] and '"INV-1001"' in calls[0]["request"]
    everything = tour.json("audit_all", "audit", "--limit", "5000")
    assert everything["total"] == len(everything["rows"]) > len(history["rows"])
    csv_text = tour.run("audit", "--csv", "--limit", "5000")
    assert csv_text.startswith("id,at,actor,action,outcome,") and "xero PUT /Invoices" in csv_text


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tour]:
    workspace = Workspace(tmp_path_factory.mktemp("tour"))
    record = Tour(workspace)
    try:
        with running_sandbox(workspace) as sandbox:
            try:
                _walk_the_tour(record, sandbox)
            except Exception as exc:  # noqa: BLE001 - re-raised by test_cli_tour; the others see what was captured
                record.failure = exc
            record.sandbox_calls["end"] = _writes(sandbox)
        yield record
    finally:
        workspace.stop_all()


def test_cli_tour(tour: Tour) -> None:
    if tour.failure is not None:
        raise tour.failure
    refusals = [run.args for run in tour.workspace.runs if run.returncode != 0]
    assert refusals == [("map", "nominal", "4090", "999")]  # the one the tour asks for
    for run in tour.workspace.runs:
        assert "Traceback" not in run.stderr, run.describe()


def test_no_secret_leaks(tour: Tour) -> None:
    """No command prints, and the store never keeps, a secret in plain text: the API key (printed once, by
    ``init``), the client secret, and every access and refresh token the sandbox issued.

    The sandbox's own start-up banner is not checked: it is the stand-in for Xero, and prints its fixed demo
    client id and secret on purpose (README: "a local Xero (client id ledgerbridge-demo / demo-secret)")."""
    ws = tour.workspace
    assert tour.api_key, "the tour did not get as far as init"
    assert SANDBOX_CLIENT_SECRET in tour.secrets, "the stored client secret did not decrypt to the sandbox's"
    tokens = tour.secrets - {SANDBOX_CLIENT_SECRET}
    tour.raise_if_failed()
    assert len(tokens) >= 4, "expected an access and a refresh token from each of the two consents"
    secrets = {"API key": tour.api_key, "client secret": SANDBOX_CLIENT_SECRET}
    secrets.update({f"token #{n}": token for n, token in enumerate(sorted(tokens), start=1)})

    def leaks(text: str, *, allow_api_key: bool = False) -> list[str]:
        return [name for name, secret in secrets.items() if not (allow_api_key and name == "API key")
                and any(fragment in text for fragment in secret_fragments(secret))]

    init = next(run for run in ws.runs if run.args[0] == "init")
    assert leaks(init.stdout) == ["API key"]  # the check does see a secret where one is printed

    found: list[str] = []
    for run in ws.runs:
        shown_once = run.args[0] == "init"  # the one place the API key is meant to be seen
        found += [f"stdout of `{run.command}`: {name}" for name in leaks(run.stdout, allow_api_key=shown_once)]
        found += [f"stderr of `{run.command}`: {name}" for name in leaks(run.stderr)]
    for name, data in ws.store_bytes().items():
        text = data.decode("latin-1")
        found += [f"{name} (file bytes): {secret}" for secret in leaks(text)]
    columns = (ws.text_columns("audit_events") + ws.text_columns("sync_errors") + ws.text_columns("jobs")
               + ws.text_columns("connections", only=["last_error"]))
    assert any(column == "jobs.result" for column, _ in columns)  # the check reads real rows
    for column, value in columns:
        found += [f"{column}: {secret}" for secret in leaks(value)]
    assert found == []


def test_xero_calls_reach_the_audit_trail_and_health(tour: Tour) -> None:
    tour.raise_if_failed()
    writes = sum(tour.sandbox_calls["end"].values())
    assert writes > 0
    audited = tour.workspace.scalar("SELECT count(*) FROM audit_events WHERE action LIKE 'xero PUT %' "
                                    "OR action LIKE 'xero POST %'")
    assert audited == writes, f"Xero counted {writes} writes; audit_events holds {audited}"
    health = tour.results["status"]["health"]
    assert health["last_success_at"] is not None, health
    assert health["calls_left_minute"] is not None and health["calls_left_day"] is not None, health


def test_load_refuses_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.json("init")
    batch = demo_batch()
    batch["documents"][4]["lines"][0]["tax_code"] = "T9"  # INV-1005: a code the host never sent
    bad = ws.write_json("bad.json", batch)

    refused = ws.json("load", str(bad), expect=2)
    assert refused == {"ok": False, "errors": [{"record": 'documents[4] (host_id "INV-1005")',
                                                "field": "lines[0].tax_code", "message": 'tax code "T9" is not known'}]}
    told = ws.run("load", "bad.json", expect=2)
    assert "bad.json was refused; nothing was written." in told.stdout
    assert 'documents[4] (host_id "INV-1005"): lines[0].tax_code: tax code "T9" is not known' in told.stdout
    for table in ("nominal_codes", "tax_codes", "payment_methods", "parties", "items", "documents", "document_lines",
                  "payments"):
        assert ws.scalar(f"SELECT count(*) FROM {table}") == 0, f"{table} was written"
    assert "no connection" in ws.run("status", "--json", expect=1).stderr  # nothing to show yet, and says so

    # Over a good load: an edit and a new party in a refused file change nothing either.
    good = demo_batch()
    ws.json("load", str(ws.write_json("good.json", good)))
    before = ws.query("SELECT d.number, d.version, l.unit_price FROM documents d "
                      "JOIN document_lines l ON l.document_id = d.id ORDER BY l.id")
    parties_before = ws.scalar("SELECT count(*) FROM parties")
    edited = demo_batch()
    edited["documents"][0]["lines"][0]["unit_price"] = "999.99"
    edited["documents"][0]["lines"][0].pop("net", None)
    edited["documents"][0]["lines"][0].pop("tax", None)
    edited["parties"].append({"host_id": "C900", "code": "C900", "name": "New Customer Ltd", "is_customer": True})
    edited["documents"][7]["party_host_id"] = "C404"  # a party nobody sent
    refused = ws.json("load", str(ws.write_json("edited.json", edited)), expect=2)
    assert [(e["record"], e["field"]) for e in refused["errors"]] == [
        (f'documents[7] (host_id "{edited["documents"][7]["host_id"]}")', "party_host_id")], refused
    assert ws.query("SELECT d.number, d.version, l.unit_price FROM documents d "
                    "JOIN document_lines l ON l.document_id = d.id ORDER BY l.id") == before
    assert ws.scalar("SELECT count(*) FROM parties") == parties_before


def _api_batch() -> dict[str, Any]:
    lines = [{"description": "Oak shelf 900mm", "quantity": "2", "unit_price": "42.50", "nominal_code": "4000",
              "tax_code": "T1"}]
    doc = {"type": "sales_invoice", "status": "issued", "issue_date": "2026-10-02", "due_date": "2026-11-01",
           "party_host_id": "C001", "currency": "GBP", "lines": lines}
    return {"nominal_codes": [{"code": "4000", "name": "Sales", "type": "sales"}],
            "tax_codes": [{"code": "T1", "name": "Standard 20%", "rate": "20"}],
            "parties": [{"host_id": "C001", "code": "C001", "name": "Aldgate Bakery Ltd", "is_customer": True}],
            "documents": [{**doc, "host_id": "API-1", "number": "API-1"},
                          {**doc, "host_id": "API-2", "number": "API-2", "issue_date": "2026-10-03"},
                          {**doc, "host_id": "QU-1", "number": "QU-1", "type": "quotation"}]}


def test_api_serve_end_to_end(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    try:
        with running_sandbox(ws) as sandbox:
            api_key = ws.json("init")["api_key"]
            connection_id = ws.json("connect", "--sandbox", sandbox.base_url)["connection_id"]
            ws.json("refresh-accounts")
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = ws.start("serve", "--port", str(port), ready_url=f"{base}/openapi.json", name="serve")
            with httpx.Client(base_url=base, timeout=10, headers={"Authorization": f"Bearer {api_key}"}) as api, \
                    httpx.Client(base_url=base, timeout=10) as anonymous:
                assert anonymous.get("/docs").status_code == 200
                spec = anonymous.get("/openapi.json")
                assert spec.status_code == 200 and "/v1/batch" in spec.json()["paths"]
                assert anonymous.post("/v1/batch", json=_api_batch()).status_code == 401
                assert anonymous.get("/v1/documents", headers={"X-API-Key": "lb_not-a-real-key-at-all"}
                                     ).status_code == 401

                loaded = api.post("/v1/batch", json=_api_batch())
                assert loaded.status_code == 200, loaded.text
                assert loaded.json()["documents"] == {"created": 3, "updated": 0, "unchanged": 0}
                docs = api.get("/v1/documents", headers={"X-API-Key": api_key, "Authorization": ""})
                assert docs.status_code == 200, docs.text
                assert docs.json()["total"] == 3
                assert sorted(d["number"] for d in docs.json()["items"]) == ["API-1", "API-2", "QU-1"]

                assert [c["id"] for c in api.get("/v1/connections").json()] == [connection_id]
                for kind, local, package in (("nominal", "4000", "200"), ("tax", "T1", "OUTPUT2")):
                    mapped = api.put(f"/v1/connections/{connection_id}/mappings",
                                     json={"kind": kind, "local_code": local, "package_code": package})
                    assert mapped.status_code == 200, mapped.text

                started = api.post(f"/v1/connections/{connection_id}/upload", json={})
                assert started.status_code == 202, started.text
                job = started.json()
                assert job["kind"] == "upload"
                deadline = time.monotonic() + 20
                while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
                    time.sleep(0.1)
                    answer = api.get(f"/v1/jobs/{job['id']}")
                    assert answer.status_code == 200, answer.text
                    job = answer.json()
                assert job["status"] == "done", job
                assert job["step"] == "done" and job["finished_at"] is not None
                assert (job["result"]["exported"], job["result"]["failed"]) == (2, 0), job["result"]

                exported = api.get(f"/v1/connections/{connection_id}/exported")
                assert exported.status_code == 200, exported.text
                rows = {r["number"]: r for r in exported.json()["rows"]}
                assert exported.json()["total"] == 2 and set(rows) == {"API-1", "API-2"}
                assert all(r["external_id"] and r["seen"] and not r["marked_by_hand"] for r in rows.values())
                in_xero = sandbox.invoices()
                assert {n: in_xero[n]["InvoiceID"] for n in rows} == {n: r["external_id"] for n, r in rows.items()}
                assert len(in_xero) == 2 and sandbox.calls("PUT /api.xro/2.0/Invoices") == {
                    "PUT /api.xro/2.0/Invoices": 1}
            server.stop()
            assert api_key not in server.stdout + server.stderr
    finally:
        ws.stop_all()
