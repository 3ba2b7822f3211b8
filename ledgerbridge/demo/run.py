"""``ledgerbridge demo``: the whole round trip on the embedded default, against a package's sandbox (the first
registered package's unless ``--package`` names another).

Makes a demo organisation, starts the sandbox on loopback, connects through the OAuth
consent, imports the customers the package's books hold (R-I4, where the package offers it), refreshes the chart,
maps codes as a bookkeeper would (leaving one nominal code unmapped), has the month's purchase invoices approved
by a Procurement and an Accounting user and sent to the external system (R-P1), pre-checks, uploads, records
payments in the sandbox as a user of the package would, imports and allocates them, and prints a summary.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from sqlalchemy import select

from ledgerbridge.cli.context import console, fail, print_json
from ledgerbridge.connectors.connections import (
    ConnectorOptions,
    connector_for,
    create_connection,
    refresh_chart,
    sandbox_endpoints,
)
from ledgerbridge.connectors.consent import approve_in_sandbox
from ledgerbridge.connectors.protocol import Connector, ReadsParties
from ledgerbridge.demo.approvals import approve_demo_purchases
from ledgerbridge.demo.data import CUSTOMERS, TAX_CODES, demo_batch
from ledgerbridge.demo.drift import drift_in_package
from ledgerbridge.demo.numbering import demo_numbering
from ledgerbridge.demo.polled import CalledReach, PolledReach
from ledgerbridge.packages.registry import DEFAULT, UnknownPackage, kinds, spec_for
from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
from ledgerbridge.store.models.host import Document, Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter
from ledgerbridge.sync.mappings import MappingKind, set_mapping
from ledgerbridge.sync.party_import import Settlement, commit_import, preview_import
from ledgerbridge.sync.reconcile import reconcile
from ledgerbridge.sync.records import not_exported_reasons

REDIRECT_URI = "http://127.0.0.1:8976/callback"


def run_demo(database_url: str, *, say: Any = None, transport: httpx.BaseTransport | None = None,
             sandbox: Any = None, package: str = DEFAULT.kind) -> dict[str, Any]:
    """Run the demo end to end and return its summary (used by the command and by the acceptance test).

    With ``sandbox`` (the package's sandbox, running) the demo uses it and leaves it running; otherwise it starts
    its own and stops it at the end.
    """
    from ledgerbridge.intake.apply import apply_batch
    from ledgerbridge.intake.schemas import Batch
    from ledgerbridge.security.apikeys import issue_api_key
    from ledgerbridge.store.organisations import create_organisation

    spec = spec_for(package)
    pkg = spec.demo
    say = say or (lambda msg: None)
    started = time.monotonic()
    engine = make_engine(database_url)
    upgrade_schema(engine)
    sessions = make_session_factory(engine)
    own_sandbox = sandbox is None
    sandbox = sandbox or spec.sandbox.start()
    reach: PolledReach | CalledReach = (PolledReach(engine, sessions, spec, sandbox) if spec.polled is not None
                                        else CalledReach())
    try:
        if isinstance(reach, PolledReach):
            reach.__enter__()
        say(f"{spec.name} sandbox on {sandbox.base_url}")
        with session_scope(sessions) as session:
            org = create_organisation(session, "Dunmore Trading Ltd (demo)", pkg.currency)
            issue_api_key(session, org.id, "demo")
            month = demo_batch(currency=pkg.currency, tax_codes=pkg.tax_codes or TAX_CODES)
            # The deposit is taken once the books are connected (R-PAY1): a prepayment taken while the
            # integration is off is the package's business and would never go out (R-E6 shows nothing).
            deposits = {"payments": month.pop("payments")}
            intake = apply_batch(session, org.id, Batch.model_validate(month))
            org_id = org.id
        say("Loaded the host's month: " + ", ".join(f"{kind.replace('_', ' ')} {counts['created']}" for kind, counts in
                                                     intake.model_dump().items() if counts["created"]))
        if isinstance(reach, PolledReach):  # no consent: the package's program is given a password and a file
            with session_scope(sessions) as session:
                conn_id = reach.connect(session, org_id, f"{spec.name} (sandbox)").id
            tenant_id = ""
            say(f"Connected: {reach.polled.program} set up with its password and file for {reach.base_url}")
        else:
            conn_id, tenant_id = _connect_by_consent(sessions, spec, org_id, sandbox.base_url, transport, say)
        with session_scope(sessions) as session:
            taken = apply_batch(session, org_id, Batch.model_validate(deposits))
        say(f"Took {taken.payments.created} deposit(s) against sales orders, now that the books are connected")
        options = ConnectorOptions(transport=transport)
        connector = connector_for(sessions, conn_id, options)
        parties = _import_on_connect(pkg, spec, sessions, conn_id, connector, reach, sandbox.base_url, tenant_id,
                                     transport, say)
        with reach.calls():
            say(f"Chart refreshed: {refresh_chart(sessions, conn_id, connector, actor='demo')}")
        with session_scope(sessions) as session:
            for local, account in pkg.nominal.items():
                set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
            for local, rate in pkg.tax_sales.items():
                set_mapping(session, conn_id, MappingKind.TAX, local, rate)
            for local, rate in pkg.tax_purchases.items():
                set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local, rate)
            if pkg.bank_account:
                for method in ("BACS", "CARD"):
                    set_mapping(session, conn_id, MappingKind.PAYMENT_METHOD, method, pkg.bank_account)
        with session_scope(sessions) as session:  # R-P1: bills go out only once accepted (on by default)
            approvals = approve_demo_purchases(session, org_id, session.get_one(Connection, conn_id))
        say(f"Purchase invoices: {approvals['approved']} approved by Procurement and Accounting, "
            f"{approvals['sent']} sent to the external system")
        exporter = Exporter(sessions, conn_id, connector, actor="demo")
        with reach.calls():
            pre = exporter.precheck()
            say(f"Pre-check: {pre.checked} checked, {pre.failed} with problems")
            up = exporter.upload()
        say(f"Uploaded: {up.exported} exported, {up.failed} failed, {up.seen} seen in {spec.name}")
        paid = _pay_in_sandbox(pkg, sandbox.base_url, tenant_id, sessions, conn_id, transport)
        say(f"Recorded {paid} payments in the sandbox, as a {spec.name} user would")
        importer = PaymentImporter(sessions, conn_id, connector, actor="demo")
        with reach.calls():
            imp = importer.fetch()
            importer.create_and_allocate(report=imp)
        say(f"Imported {imp.created} payments, allocated {imp.allocated}")
        # A new connector, as a new job gets: one that wrote documents may answer the read-back from what the
        # package answered then (QuickBooks Desktop's), before the payments above.
        connector.close()
        connector = connector_for(sessions, conn_id, options)
        with reach.calls():
            drift = drift_in_package(pkg.package_user(sandbox.base_url, tenant_id, transport), sessions, conn_id,
                                     connector)
        say(f"Then, in {spec.name} only: {drift}")
        with reach.calls():
            recon = reconcile(sessions, conn_id, connector)
        connector.close()
        say(f"Reconciliation: {len(recon.differences)} differences, {recon.explained} explained")
        summary = _summary(sessions, conn_id, imp)
        summary["parties_imported"] = parties
        summary["purchase_approvals"] = {**approvals, **_approval_statuses(sessions, org_id, conn_id)}
        summary["reconciliation"] = recon.summary()
        summary["numbering"] = demo_numbering(sessions, org_id, say)
        summary["seconds"] = round(time.monotonic() - started, 2)
        summary["sandbox"] = sandbox.base_url
        summary["package"] = spec.kind
        return summary
    finally:
        if isinstance(reach, PolledReach):
            reach.__exit__(None, None, None)
        if own_sandbox:
            sandbox.stop()
        engine.dispose()


def _connect_by_consent(sessions: Any, spec: Any, org_id: int, base_url: str,
                        transport: httpx.BaseTransport | None, say: Any) -> tuple[int, str]:
    """Connect through the package's OAuth consent, "Allow access" pressed in the sandbox; (connection, tenant)."""
    from ledgerbridge.connectors.auth_flows import flow_for

    with session_scope(sessions) as session:
        conn = create_connection(session, org_id, spec.kind, sandbox_endpoints(spec.kind, base_url),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri=REDIRECT_URI, name=f"{spec.name} (sandbox)")
        auth = flow_for(spec.kind)
        url = auth.begin_consent(session, conn)
        conn_id = conn.id
    callback = approve_in_sandbox(url, transport=transport)
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, conn_id)
        tenants = auth.complete_consent(session, conn, callback, transport=transport)
        auth.choose_tenant(session, conn, tenants[0].tenant_id, transport=transport)
    say(f"Connected to {tenants[0].tenant_name} through the OAuth consent")
    return conn_id, tenants[0].tenant_id


def _import_on_connect(pkg: Any, spec: Any, sessions: Any, conn_id: int, connector: Connector, reach: Any,
                       base_url: str, tenant_id: str, transport: httpx.BaseTransport | None,
                       say: Any) -> dict[str, Any]:
    """R-I4: the customers and suppliers already in the package's books, bound to the host's or imported as new
    ones. The user settles an ambiguous one as a bookkeeper would: a name the host has as a customer and as a
    supplier goes to the customer."""
    if not isinstance(connector, ReadsParties):
        say(f"Import of customers and suppliers: not offered for {spec.name} yet")
        return {"offered": False}
    if pkg.customers_in_books is not None:
        say(f"{spec.name}'s books hold {pkg.customers_in_books(base_url, tenant_id, transport)} customers and "
            "suppliers already")
    with reach.calls():
        preview = preview_import(sessions, conn_id, connector)
    customers = {f"C{n:03d}" for n in range(1, len(CUSTOMERS) + 1)}
    settlements: dict[str, Settlement] = {
        entry["key"]: next(c["id"] for c in entry["candidates"] if c["code"] in customers)
        for entry in preview["entries"]
        if entry["outcome"] == "ambiguous" and any(c["code"] in customers for c in entry["candidates"])}
    done = commit_import(sessions, conn_id, preview, settlements, actor="demo")
    summary = {**done, "ambiguous": preview["counts"]["ambiguous"]}
    say(f"Customers and suppliers imported on connect: {done['read']} read, {done['matched_by_code']} matched by "
        f"code, {done['matched_by_name']} by name, {summary['ambiguous']} ambiguous ({done['settled']} settled), "
        f"{done['created']} new, {done['left_count']} left to settle")
    return summary


def _pay_in_sandbox(pkg: Any, base_url: str, tenant_id: str, sessions: Any, conn_id: int,
                    transport: httpx.BaseTransport | None) -> int:
    """Pay some exported invoices in full, one in part, and one bill where the sandbox takes bill payments."""
    with session_scope(sessions) as session:
        rows = session.execute(select(Document.number, Document.type, Document.gross_total, SyncRecord.external_id)
                               .join(SyncRecord, SyncRecord.record_id == Document.id)
                               .where(SyncRecord.connection_id == conn_id,
                                      SyncRecord.record_type == RecordType.DOCUMENT.value,
                                      SyncRecord.status.in_((SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)))
                               .order_by(Document.number)).all()
    invoices = [r for r in rows if r.type == "sales_invoice"]
    bills = [r for r in rows if r.type == "purchase_invoice"]
    plan = [(r, r.gross_total) for r in invoices[:6]] + [(invoices[6], (invoices[6].gross_total / 2).quantize(
        Decimal("0.01")))]
    if pkg.pays_bills:
        plan.append((bills[0], bills[0].gross_total))
    with httpx.Client(base_url=base_url, transport=transport, timeout=10) as http:
        for n, (row, amount) in enumerate(plan):
            pkg.record_payment(http, tenant_id, row.external_id, amount, f"Bank receipt {n + 1}",
                               row.type == "purchase_invoice")
    return len(plan)


def _summary(sessions: Any, conn_id: int, imp: Any) -> dict[str, Any]:
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, conn_id)
        rows = session.execute(select(Document.type, Document.number, SyncRecord.status, SyncRecord.last_error)
                               .join(SyncRecord, SyncRecord.record_id == Document.id)
                               .where(SyncRecord.connection_id == conn_id,
                                      SyncRecord.record_type == RecordType.DOCUMENT.value)).all()
        exported = Counter(r.type for r in rows if r.status in (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value))
        seen = sum(1 for r in rows if r.status == SyncStatus.SEEN.value)
        errors = [{"document": r.number, "message": r.last_error} for r in rows if r.status == SyncStatus.ERROR.value]
        not_exported = {doc_type: [{"count": n, "reason": reason} for reason, n in reasons.items()]
                        for doc_type, reasons in not_exported_reasons(session, conn).items()}
        for r in rows:
            if r.status == SyncStatus.ERROR.value:
                not_exported.setdefault(r.type, []).append({"count": 1, "reason": f"{r.number}: in error feedback"})
        parties = _party_names(session, conn_id)
        deposits = Counter(session.scalars(select(SyncRecord.status).where(
            SyncRecord.connection_id == conn_id, SyncRecord.record_type == RecordType.PAYMENT.value)))
    return {"exported": dict(exported), "seen": seen, "not_exported": not_exported, "errors": errors,
            "prepayments": {"exported": deposits[SyncStatus.EXPORTED.value] + deposits[SyncStatus.SEEN.value],
                            "seen": deposits[SyncStatus.SEEN.value]},
            "payments_imported": imp.created, "payments_allocated": imp.allocated,
            "payment_diagnostics": imp.diagnostics, "parties": parties}


def _approval_statuses(sessions: Any, org_id: int, conn_id: int) -> dict[str, dict[str, int]]:
    """Purchase invoices by workflow status at the end ("Synchronized": read back from the package)."""
    from ledgerbridge.sync.approvals import purchase_invoices

    with session_scope(sessions) as session:
        rows = purchase_invoices(session, org_id, conn_id)
    return {"statuses": dict(Counter(str(r["status"]) for r in rows))}


def _party_names(session: Any, conn_id: int) -> dict[str, list[dict[str, Any]]]:
    """How the package names the parties the packages' name rules touch: a customer and a supplier sharing a
    name (both exported, told apart by the suffix rule), and a party in both roles (one record or two)."""
    rows = session.execute(select(Party.id, Party.code, Party.name, Party.is_customer, Party.is_supplier,
                                  SyncRecord.record_type, SyncRecord.external_id, SyncRecord.external_name)
                           .join(SyncRecord, SyncRecord.record_id == Party.id)
                           .where(SyncRecord.connection_id == conn_id,
                                  SyncRecord.record_type.in_((RecordType.PARTY.value, RecordType.SUPPLIER.value)),
                                  SyncRecord.status.in_((SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)))).all()
    roles: dict[int, dict[str, tuple[str, str]]] = {}
    about: dict[int, Any] = {}
    for r in rows:
        role = "supplier" if r.record_type == RecordType.SUPPLIER.value or not r.is_customer else "customer"
        roles.setdefault(r.id, {})[role] = (r.external_id, r.external_name)
        about[r.id] = r
    for pid, held in roles.items():  # one record serves both roles where the package allows it
        if about[pid].is_customer and about[pid].is_supplier and "supplier" not in held and "customer" in held:
            held["supplier"] = held["customer"]
    both = [{"code": about[pid].code, "name": about[pid].name, "customer": held["customer"][1],
             "supplier": held["supplier"][1], "separate_records": held["customer"][0] != held["supplier"][0]}
            for pid, held in roles.items() if len(held) == 2]
    by_name: dict[str, list[int]] = {}
    for pid in roles:
        by_name.setdefault(about[pid].name.strip().lower(), []).append(pid)
    same_name = []
    for pids in by_name.values():
        customers = [pid for pid in pids if "customer" in roles[pid]]
        suppliers = [pid for pid in pids if "supplier" in roles[pid] and pid not in customers]
        if customers and suppliers:
            same_name.append({"name": about[customers[0]].name, "customer": roles[customers[0]]["customer"][1],
                              "supplier": roles[suppliers[0]]["supplier"][1]})
    return {"same_name": same_name, "both_roles": both}


def demo(as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
         db: Annotated[str | None, typer.Option("--demo-db", help="Database URL (default: a fresh SQLite file)")]
         = None,
         serve: Annotated[bool, typer.Option("--serve", help="Then leave the screens running on the demo data")]
         = False,
         port: Annotated[int, typer.Option(help="Port for --serve (loopback only)")] = 8000,
         package: Annotated[str, typer.Option(help=f"One of: {', '.join(kinds())}")] = DEFAULT.kind) -> None:
    """Run the demo: a month of a demo company's trading, round trip through the package's sandbox."""
    from ledgerbridge.config import env_name, get_settings
    from ledgerbridge.security import crypto

    try:
        spec = spec_for(package)
    except UnknownPackage as exc:
        fail(str(exc))

    with tempfile.TemporaryDirectory(prefix="ledgerbridge-demo-") as tmp:
        url = db or f"sqlite:///{Path(tmp) / 'demo.db'}"
        settings = get_settings()
        if settings.secret_key is None and "key_file" not in settings.model_fields_set:
            # The demo's tokens live in a throwaway database: so does the key that encrypts them (set in the
            # environment, as before, so that a process the demo starts uses it too).
            os.environ[env_name("key_file")] = str(Path(tmp) / "secret.key")
            crypto.reset_default_cipher()
        say = None if as_json else (lambda m: console.print(f"[green]>[/] {m}"))
        if serve:
            with spec.sandbox.start() as sandbox:
                summary = run_demo(url, say=say, sandbox=sandbox, package=package)
                _serve_demo(url, port, summary, as_json)
            return
        summary = run_demo(url, say=say, package=package)
    if as_json:
        print_json(summary)
        return
    label = spec.name
    console.print(f"\n[bold]Exported[/]: {summary['exported']} ({summary['seen']} seen in {label})")
    for doc_type, reasons in summary["not_exported"].items():
        for r in reasons:
            console.print(f"[bold]Not exported[/]: {r['count']} {doc_type}: {r['reason']}")
    for e in summary["errors"]:
        console.print(f"[bold red]Error[/] {e['document']}: {e['message']}")
    approved = summary["purchase_approvals"]
    console.print(f"[bold]Purchase invoices[/]: {approved['approved']} approved by Procurement and Accounting, "
                  f"{approved['sent']} sent; now {approved['statuses']}")
    c = summary["parties_imported"]
    if c["offered"]:
        console.print(f"[bold]Customers and suppliers on connect[/]: {c['matched_by_code'] + c['matched_by_name']} "
                      f"bound to the host's, {c['ambiguous']} ambiguous ({c['settled']} settled), {c['created']} "
                      f"imported as new, {c['left_count']} left to settle")
    deposits = summary["prepayments"]
    console.print(f"[bold]Prepayments[/]: {deposits['exported']} sent against its order's invoices, "
                  f"{deposits['seen']} seen in the package")
    console.print(f"[bold]Payments[/]: {summary['payments_imported']} imported, {summary['payments_allocated']} "
                  f"allocated; finished in {summary['seconds']} s")
    recon = summary["reconciliation"]
    console.print(f"[bold]Reconciliation[/]: {recon['differences']} differences, {recon['explained']} explained "
                  "(ledgerbridge reconcile shows each with its cause)")


def _serve_demo(url: str, port: int, summary: dict[str, Any], as_json: bool) -> None:
    """Leave the web app running on the demo data, on loopback only, with a demo sign-in."""
    import secrets

    import uvicorn

    from ledgerbridge.api.app import create_app
    from ledgerbridge.store.models.host import Organisation
    from ledgerbridge.web.auth import create_admin

    engine = make_engine(url)
    email, password = "demo@ledgerbridge.local", secrets.token_urlsafe(9)
    with session_scope(make_session_factory(engine)) as session:
        org_id = session.scalars(select(Organisation.id)).first()
        assert org_id is not None, "the demo's database has its organisation"
        create_admin(session, org_id, email, password)
    address = f"http://127.0.0.1:{port}/"
    if as_json:
        print_json({**summary, "serve": {"address": address, "email": email, "password": password}})
        sys.stdout.flush()  # the server runs until stopped: a script reading this must get it now
    else:
        console.print(f"\nThe screens are at [bold]{address}[/]; sign in as [bold]{email}[/] with password "
                      f"[bold]{password}[/] (this run only). Ctrl-C to stop.")
    uvicorn.run(create_app(engine), host="127.0.0.1", port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(demo)
