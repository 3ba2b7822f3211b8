"""``ledgerbridge audit``: search the audit trail by record and time, as a table, JSON or CSV (R-A1)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ledgerbridge.cli.context import STATE, console, fail, organisation_id, print_json
from ledgerbridge.store.db import session_scope


def audit_command(
    record: Annotated[str | None, typer.Option("--record", help="TYPE:NUMBER, e.g. sales_invoice:INV-1001, "
                                                                "document:INV-1001, party:C001")] = None,
    since: Annotated[str | None, typer.Option(help="From this date or date-time (UTC when no zone is given)")]
    = None,
    until: Annotated[str | None, typer.Option(help="Before this date or date-time")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows, newest first")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="JSON with the package's requests and responses")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with the package's requests and responses")] = False,
    org: Annotated[int | None, typer.Option("--org")] = None,
) -> None:
    """The audit trail: every sync action with who, when, what and the outcome; secrets were removed when stored."""
    from ledgerbridge.audit.search import UnknownRecord, parse_when, resolve_record, search_audit
    from ledgerbridge.audit.search import as_csv as to_csv

    if as_json and as_csv:
        fail("choose one of --json and --csv", code=2)
    try:
        start, end = parse_when(since, "--since"), parse_when(until, "--until")
    except ValueError as exc:
        fail(str(exc), code=2)
    with session_scope(STATE.sessions) as session:
        org_id = organisation_id(session, org)
        try:
            keys = resolve_record(session, org_id, record) if record else None
        except UnknownRecord as exc:
            fail(str(exc), code=2)
        rows, total = search_audit(session, org_id, records=[(k.record_type, k.record_id) for k in keys]
                                   if keys is not None else None, since=start, until=end, limit=max(1, limit),
                                   with_bodies=as_json or as_csv)
    if as_csv:
        typer.echo(to_csv(rows), nl=False)
        return
    if as_json:
        print_json({"total": total, "rows": rows})
        return
    title = f"Audit trail{' of ' + ', '.join(k.label for k in keys) if keys else ''} ({len(rows)} of {total})"
    table = Table("When", "Who", "Action", "Outcome", "Records", "Detail", title=title)
    for r in rows:
        table.add_row(f"{r['at']:%Y-%m-%d %H:%M:%S}", r["actor"], r["action"], r["outcome"],
                      " ".join(r["records"]) or (f"{r['record_type']}:{r['record_id']}" if r["record_type"] else ""),
                      (r["detail"] or "")[:120])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_command)
