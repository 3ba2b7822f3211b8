"""Sync commands: connect, refresh-accounts, map, precheck, upload, mark-exported, import-payments, status."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from ledgerbridge.cli.context import STATE, console, fail, organisation_id, print_json
from ledgerbridge.config import get_settings
from ledgerbridge.connectors.connections import (
    connector_for,
    create_connection,
    organisation_connection,
    production_endpoints,
    refresh_chart,
    sandbox_endpoints,
)
from ledgerbridge.packages.registry import DEFAULT, UnknownPackage, kinds, spec_for
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync import grids
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.exporter import Progress as ExportProgress
from ledgerbridge.sync.importer import PaymentImporter
from ledgerbridge.sync.mappings import MappingError, MappingKind, set_mapping
from ledgerbridge.sync.records import mark_exported_by_hand, not_exported_reasons, status_counts

OrgOpt = Annotated[int | None, typer.Option("--org", help="Organisation id (default: the only one)")]
ConnOpt = Annotated[int | None, typer.Option("--connection", help="Connection id (default: the first)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]


def _connection_id(org: int | None, connection: int | None) -> int:
    with session_scope(STATE.sessions) as session:
        try:
            return organisation_connection(session, organisation_id(session, org), connection).id
        except LookupError as exc:
            fail(str(exc))
    raise AssertionError("unreachable")


def connect(package: Annotated[str, typer.Option(help=f"One of: {', '.join(kinds())}")] = DEFAULT.kind,
            sandbox: Annotated[str | None, typer.Option(help="Base URL of a ledgerbridge sandbox")] = None,
            client_id: Annotated[str | None, typer.Option(
                help="OAuth client id (default: the setting LEDGERBRIDGE_CLIENT_ID, else ledgerbridge-demo)")] = None,
            client_secret: Annotated[str | None, typer.Option(
                help="OAuth client secret (default: the setting LEDGERBRIDGE_CLIENT_SECRET, else demo-secret)")]
            = None,
            redirect_uri: Annotated[str, typer.Option()] = "http://127.0.0.1:8976/callback",
            start_date: Annotated[str | None, typer.Option(help="Export nothing dated before (YYYY-MM-DD)")] = None,
            tenant: Annotated[str | None, typer.Option(help="Organisation (tenant) id to choose")] = None,
            scopes: Annotated[str | None, typer.Option(
                help="OAuth scopes, space-separated (default: the package's; some apps need granular scopes, "
                     "see the README)")]
            = None,
            org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Connect to the package through its OAuth2 consent, then choose the organisation (R-C1, R-C2).

    With --sandbox the consent page's "Allow access" is pressed for you; otherwise your browser opens and the
    package sends it back to the loopback redirect URI.
    """
    from ledgerbridge.connectors.auth_flows import flow_for
    from ledgerbridge.connectors.consent import approve_in_sandbox, wait_for_browser_callback

    try:
        endpoints = sandbox_endpoints(package, sandbox) if sandbox else production_endpoints(package)
    except UnknownPackage as exc:
        fail(str(exc))
    polled = spec_for(package).polled
    if polled is not None:
        _connect_polled(package, polled.program, start_date, org, as_json)
        return
    settings = get_settings()
    client_id = settings.client_id if client_id is None else client_id
    client_secret = settings.client_secret.get_secret_value() if client_secret is None else client_secret
    with session_scope(STATE.sessions) as session:
        org_id = organisation_id(session, org)
        existing = session.scalars(select(Connection).where(Connection.organisation_id == org_id,
                                                            Connection.kind == package)).first()
        conn = existing or create_connection(
            session, org_id, package, endpoints, client_id=client_id, client_secret=client_secret,
            redirect_uri=redirect_uri, start_date=date.fromisoformat(start_date) if start_date else None)
        if scopes:
            conn.scopes = scopes
        auth = flow_for(package)
        url = auth.begin_consent(session, conn)
        conn_id = conn.id
    callback = approve_in_sandbox(url) if sandbox else wait_for_browser_callback(url, redirect_uri)
    with session_scope(STATE.sessions) as session:
        conn = session.get_one(Connection, conn_id)
        tenants = auth.complete_consent(session, conn, callback)
        if not tenants:
            fail("the consent allowed no organisation")
        chosen = auth.choose_tenant(session, conn, tenant or tenants[0].tenant_id)
        result = {"connection_id": conn_id, "tenant_id": chosen.tenant_id, "tenant_name": chosen.tenant_name,
                  "reconnected": existing is not None}
    if as_json:
        print_json(result)
    else:
        console.print(f"Connected to [bold]{result['tenant_name']}[/] (connection {conn_id}).")


def _connect_polled(package: str, program: str, start_date: str | None, org: int | None, as_json: bool) -> None:
    """A package that polls us: the connection is made at once; its program is set up with a password and a file
    (the package's own commands, e.g. ``ledgerbridge qwc``), not a consent."""
    with session_scope(STATE.sessions) as session:
        org_id = organisation_id(session, org)
        existing = session.scalars(select(Connection).where(Connection.organisation_id == org_id,
                                                            Connection.kind == package)).first()
        conn = existing or create_connection(
            session, org_id, package, production_endpoints(package), client_id="", client_secret="",
            redirect_uri="", start_date=date.fromisoformat(start_date) if start_date else None)
        conn.status = "connected"
        result = {"connection_id": conn.id, "reconnected": existing is not None,
                  "next": f"set {program}'s password and write its setup file (see `ledgerbridge --help`)"}
    if as_json:
        print_json(result)
    else:
        console.print(f"Connection {result['connection_id']} made. Next: {result['next']}.")


def disconnect(org: OrgOpt = None, connection: ConnOpt = None) -> None:
    """Disconnect (tokens revoked and forgotten); every binding is kept, so reconnecting exports nothing twice."""
    from ledgerbridge.connectors.auth_flows import flow_for

    conn_id = _connection_id(org, connection)
    with session_scope(STATE.sessions) as session:
        conn = session.get_one(Connection, conn_id)
        problems = flow_for(conn.kind).disconnect(session, conn)
    console.print("Disconnected." + (f" (the package said: {'; '.join(problems)})" if problems else ""))


def refresh_accounts(org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False) -> None:
    """Read the chart of accounts, tax rates and currencies from the package (R-I5)."""
    conn_id = _connection_id(org, connection)
    with closing(connector_for(STATE.sessions, conn_id)) as connector:
        counts = refresh_chart(STATE.sessions, conn_id, connector, actor="cli")
    print_json(counts) if as_json else console.print(f"Chart refreshed: {counts}")


def map_code(kind: Annotated[MappingKind, typer.Argument(help="nominal | tax | payment_method")],
             local_code: Annotated[str, typer.Argument(help="The host's code")],
             package_code: Annotated[str, typer.Argument(help="The package's account code or tax type")],
             relax: Annotated[bool, typer.Option("--relax", help="Allow any account")] = False,
             org: OrgOpt = None, connection: ConnOpt = None) -> None:
    """Map a host code to the package's (checked against the refreshed chart)."""
    conn_id = _connection_id(org, connection)
    try:
        with session_scope(STATE.sessions) as session:
            set_mapping(session, conn_id, kind, local_code, package_code, relax_restrictions=relax)
    except MappingError as exc:
        fail(str(exc))
    console.print(f"Mapped {kind.value} {local_code} -> {package_code}")


def _doc_ids(numbers: list[str] | None, org: int | None) -> list[int] | None:
    if not numbers:
        return None
    with session_scope(STATE.sessions) as session:
        ids = dict(session.execute(select(Document.number, Document.id).where(
            Document.organisation_id == organisation_id(session, org), Document.number.in_(numbers))).all())
    missing = [n for n in numbers if n not in ids]
    if missing:
        fail(f"no document numbered {', '.join(missing)}")
    return list(ids.values())


def _run_with_progress(title: str, work: Any, as_json: bool) -> Any:
    if as_json:
        return work(None)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[step]}"), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(title, total=None, step="")

        def show(p: ExportProgress) -> None:
            bar.update(task, total=p.total or None, completed=p.done, step=p.step)

        return work(show)


def precheck(documents: Annotated[list[str] | None, typer.Argument(help="Document numbers (default: all pending)")]
             = None, org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False) -> None:
    """Run Pre-Check: every mapping and rule on the selected rows; nothing is sent (R-E4)."""
    conn_id = _connection_id(org, connection)
    ids = _doc_ids(documents, org)
    with closing(connector_for(STATE.sessions, conn_id)) as connector:
        report = Exporter(STATE.sessions, conn_id, connector, actor="cli").precheck(ids)
    if as_json:
        return print_json(report.as_dict())
    console.print(f"Pre-check: {report.checked} checked, {report.failed} with problems.")
    for p in report.problems:
        console.print(f"  [red]x[/] {p['message']}" + (f"\n    [dim]{p['hint']}[/]" if p.get("hint") else ""))
    return None


def upload(documents: Annotated[list[str] | None, typer.Argument(help="Document numbers (default: all pending)")]
           = None, org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False) -> None:
    """Upload Data: export the selected (or all pending) documents, dependencies first (R-E5)."""
    from ledgerbridge.queue.jobs import enqueue_job, run_in_foreground

    conn_id = _connection_id(org, connection)
    ids = _doc_ids(documents, org)
    with session_scope(STATE.sessions) as session:
        job_id = enqueue_job(session, conn_id, "upload", {"document_ids": ids}, requested_by="cli").id
    result = _run_with_progress("Uploading", lambda show: run_in_foreground(STATE.sessions, job_id, echo=show), as_json)
    if as_json:
        return print_json({"job_id": job_id, **result})
    console.print(f"Exported {result['exported']}, updated {result['updated']}, voided {result['voided']}, "
                  f"recovered {result['recovered']}, failed {result['failed']}; {result['seen']} seen in the package.")
    for p in result["problems"][:30]:
        console.print(f"  [red]x[/] {p['message']}")
    if result.get("stopped_reason"):
        console.print(f"[yellow]Stopped: {result['stopped_reason']}[/]")
    return None


def mark_exported(documents: Annotated[list[str], typer.Argument(help="Document numbers")],
                  reference: Annotated[str | None, typer.Option(help="The package's reference")] = None,
                  org: OrgOpt = None, connection: ConnOpt = None) -> None:
    """Mark as Exported: move pending rows to exported without sending them, and without the tick (R-E8)."""
    conn_id = _connection_id(org, connection)
    ids = _doc_ids(documents, org) or []
    with session_scope(STATE.sessions) as session:
        count = mark_exported_by_hand(session, session.get_one(Connection, conn_id), ids, reference)
    console.print(f"Marked {count} document(s) as exported; they will not be sent.")


def import_payments(fetch_only: Annotated[bool, typer.Option(help="Only list them as pending import")] = False,
                    org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False) -> None:
    """Fetch payments made in the package since the last run, then Create & Allocate them (R-I1, R-I2)."""
    conn_id = _connection_id(org, connection)
    with closing(connector_for(STATE.sessions, conn_id)) as connector:
        importer = PaymentImporter(STATE.sessions, conn_id, connector, actor="cli")
        report = importer.fetch()
        if not fetch_only:
            importer.create_and_allocate(report=report)
    if as_json:
        return print_json(report.as_dict())
    console.print(f"Fetched {report.fetched} ({report.new} new, {report.deleted_in_package} deleted in the package); "
                  f"created {report.created}, allocated {report.allocated}, {report.failed} need attention.")
    for d in report.diagnostics[:30]:
        console.print(f"  [yellow]![/] {d['message']}")
    return None


def status(org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False) -> None:
    """Where everything stands: counts by status, pending, errors, payments and connection health."""
    from ledgerbridge.connectors.auth_flows import connection_health

    conn_id = _connection_id(org, connection)
    with session_scope(STATE.sessions) as session:
        conn = session.get_one(Connection, conn_id)
        pending = grids.pending_export(session, conn, limit=20)
        data = {"connection": {"id": conn.id, "kind": conn.kind, "tenant": conn.tenant_name, "status": conn.status},
                "health": connection_health(session, conn), "counts": status_counts(session, conn_id).by_status,
                "pending": pending.as_dict(), "errors": grids.error_feedback(session, conn_id, limit=20).as_dict(),
                "not_exported": not_exported_reasons(session, conn),
                "payments": grids.package_payments(session, conn_id, limit=20).as_dict()}
    if as_json:
        return print_json(data)
    console.print(f"[bold]{data['connection']['tenant'] or 'not connected'}[/] ({conn.kind}, {conn.status}): "
                  f"{data['counts']}")
    table = Table("Type", "Number", "Party", "Date", "Total", "Waits for", title=f"Pending export ({pending.total})")
    for r in pending.rows:
        table.add_row(r["type"], r["number"], r["party"], str(r["date"]), f"{r['currency']} {r['total']}",
                      r["waits_for"])
    console.print(table)
    errors = Table("Record", "When", "Source", "Message", title="Error feedback")
    for e in data["errors"]["rows"]:
        errors.add_row(e["record"], f"{e['at']:%Y-%m-%d %H:%M}", e["source"], e["message"])
    console.print(errors)
    return None


def register(app: typer.Typer) -> None:
    app.command()(connect)
    app.command()(disconnect)
    app.command("refresh-accounts")(refresh_accounts)
    app.command("map")(map_code)
    app.command()(precheck)
    app.command()(upload)
    app.command("mark-exported")(mark_exported)
    app.command("import-payments")(import_payments)
    app.command()(status)
