"""``ledgerbridge reconcile``: the reconciliation report (R-R1) as a table, JSON or CSV."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ledgerbridge.cli.context import STATE, console, print_json
from ledgerbridge.cli.sync import ConnOpt, JsonOpt, OrgOpt, _connection_id
from ledgerbridge.connectors.connections import connector_for
from ledgerbridge.sync.reconcile import Reconciliation, reconcile


def reconcile_command(org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False,
                      as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (one row per cause)")] = False,
                      output: Annotated[Path | None, typer.Option("--output", "-o",
                                                                  help="Write the CSV to this file")] = None,
                      ) -> None:
    """Host against package, per party and per document: totals, amounts due, allocations, and why they differ.

    Exits 0 when every difference has a cause, 2 when one is unexplained (so a script can alert on it)."""
    conn_id = _connection_id(org, connection)
    with closing(connector_for(STATE.sessions, conn_id)) as connector:
        report = reconcile(STATE.sessions, conn_id, connector)
    if as_csv or output is not None:
        text = report.as_csv()
        if output is not None:
            output.write_text(text, encoding="utf-8")
            console.print(f"Wrote {len(report.differences)} differences to {output}")
        else:
            sys.stdout.write(text)
    elif as_json:
        print_json(report.as_dict())
    else:
        _print_table(report)
    if report.explained < len(report.differences):
        raise typer.Exit(2)


def _print_table(report: Reconciliation) -> None:
    console.print(f"[bold]Reconciliation with {report.package}[/]: {report.documents} documents compared, "
                  f"{len(report.differences)} differences, {report.explained} explained")
    if not report.differences:
        console.print("[green]The books agree to the cent.[/]")
        return
    table = Table(show_lines=False)
    for column in ("Party", "Document", "Measure", "Host", "Package", "Difference", "Cause", "What to do"):
        table.add_column(column, overflow="fold")
    for d in report.differences:
        for n, e in enumerate(d.explanations):
            cause = f"[red]{e.cause.value}[/]" if e.cause.value == "unexplained" else e.cause.value
            first = n == 0
            table.add_row(d.party if first else "", (d.document or "(balance)") if first else "",
                          d.measure if first else "", str(d.host) if first else "", str(d.package) if first else "",
                          str(d.difference) if first else "", f"{cause}: {e.detail} ({e.amount})", e.action)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("reconcile")(reconcile_command)
