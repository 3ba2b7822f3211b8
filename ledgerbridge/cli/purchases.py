"""``ledgerbridge purchases ...``: the purchase invoice approval workflow from the command line (R-P1, R-P2).

The CLI has no sign-in, so ``--user`` names the person acting (sign-in email or name); the
role checks and the two-person rule are the same as on the screens and the API.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from ledgerbridge.cli.context import STATE, console, fail, organisation_id, print_json
from ledgerbridge.connectors.connections import organisation_connection
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.approvals import ApprovalStep
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.approvals import ApprovalRefused, Workflow

app = typer.Typer(help="Purchase invoices: approvals by Procurement and Accounting, Send to External System.",
                  no_args_is_help=True)
OrgOpt = Annotated[int | None, typer.Option("--org", help="Organisation id (when there are several)")]
JsonOpt = Annotated[bool, typer.Option("--json")]
UserOpt = Annotated[str, typer.Option("--user", help="Who acts: a user's sign-in email or name")]


def _show(flow: Workflow, as_json: bool) -> None:
    if as_json:
        print_json(flow.as_dict())
        return
    console.print(f"Purchase invoice [bold]{flow.number}[/]: {flow.status}")
    for reason in flow.reasons():
        console.print(f"  {reason}")


def _connection(session: Session, org: int) -> Connection | None:
    try:
        return organisation_connection(session, org)
    except LookupError:
        return None


@app.command("list")
def list_invoices(status: Annotated[str | None, typer.Option(help="Only this status, e.g. 'Awaiting approval'")]
                  = None, org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Purchase invoices with their approval status and what each waits for."""
    from ledgerbridge.sync.approvals import purchase_invoices, rules_of

    with session_scope(STATE.sessions) as session:
        org_id = organisation_id(session, org)
        conn = _connection(session, org_id)
        rows = purchase_invoices(session, org_id, conn.id if conn else None, status)
        rules = rules_of(session, org_id)
        summary = {"approval_required": rules.approval_required,
                   "require_additional_charges": rules.require_additional_charges}
    if as_json:
        print_json({"rules": summary, "purchase_invoices": rows})
        return
    table = Table("Number", "Party", "Date", "Total", "Status", "Procurement", "Accounting", "Waits for",
                  title=f"Purchase invoices (approval workflow {'on' if summary['approval_required'] else 'off'}; "
                        f"additional-charges rule {'on' if summary['require_additional_charges'] else 'off'})")
    for r in rows:
        acts = r["approvals"]
        assert isinstance(acts, dict)
        by = {step: (a["by"] if a["current"] else f"{a['by']} (earlier version)") for step, a in acts.items()}
        table.add_row(str(r["number"]), str(r["party"]), str(r["date"]), f"{r['currency']} {r['total']}",
                      str(r["status"]), by.get("procurement", ""), by.get("accounting", ""),
                      "; ".join(r["reasons"]))  # type: ignore[arg-type]
    console.print(table)


@app.command()
def approve(number: Annotated[str, typer.Argument(help="The purchase invoice's number")],
            as_: Annotated[str, typer.Option("--as", help="procurement or accounting")],
            user: UserOpt, org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Approve a purchase invoice as Procurement or as Accounting (two different people)."""
    from ledgerbridge.sync.approvals import approve as approve_invoice
    from ledgerbridge.sync.approvals import find_user

    if as_ not in (ApprovalStep.PROCUREMENT.value, ApprovalStep.ACCOUNTING.value):
        fail(f"--as must be procurement or accounting, not {as_!r}", code=2)
    try:
        with session_scope(STATE.sessions) as session:
            org_id = organisation_id(session, org)
            who = find_user(session, org_id, user)
            flow = approve_invoice(session, org_id, number, ApprovalStep(as_), who.email, who.role)
    except ApprovalRefused as refused:
        fail(refused.message, code=3)
    _show(flow, as_json)


@app.command()
def send(number: Annotated[str, typer.Argument(help="The purchase invoice's number")], user: UserOpt,
         org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Send to External System: queue an approved purchase invoice for export."""
    from ledgerbridge.sync.approvals import find_user, send_to_external_system

    try:
        with session_scope(STATE.sessions) as session:
            org_id = organisation_id(session, org)
            who = find_user(session, org_id, user)
            flow = send_to_external_system(session, org_id, number, who.email, who.role,
                                           _connection(session, org_id))
    except ApprovalRefused as refused:
        fail(refused.message, code=3)
    _show(flow, as_json)


@app.command()
def rules(approval: Annotated[bool | None, typer.Option("--approval/--no-approval",
                                                       help="Purchase invoices wait for both approvals and the send")]
          = None,
          additional_charges: Annotated[bool | None, typer.Option(
              "--require-additional-charges/--no-require-additional-charges",
              help="Refuse purchase invoices whose purchase order has no additional charges")] = None,
          user: Annotated[str, typer.Option("--user", help="Who changes the rules (an administrator)")] = "",
          org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Show or change the organisation's purchase invoice rules (changing them needs an administrator)."""
    from ledgerbridge.store.models.users import Role
    from ledgerbridge.sync.approvals import find_user, rules_of, set_rules

    try:
        with session_scope(STATE.sessions) as session:
            org_id = organisation_id(session, org)
            if approval is not None or additional_charges is not None:
                who = find_user(session, org_id, user) if user else None
                if who is None or who.role != Role.ADMIN.value:
                    raise ApprovalRefused("changing the purchase rules needs --user naming an administrator")
                set_rules(session, org_id, by=who.email, approval_required=approval,
                          require_additional_charges=additional_charges)
            row = rules_of(session, org_id)
            data = {"approval_required": row.approval_required,
                    "require_additional_charges": row.require_additional_charges}
    except ApprovalRefused as refused:
        fail(refused.message, code=3)
    if as_json:
        print_json(data)
    else:
        console.print(f"approval workflow: {'on' if data['approval_required'] else 'off'}; "
                      f"refuse invoices whose purchase order has no additional charges: "
                      f"{'on' if data['require_additional_charges'] else 'off'}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="purchases")
