"""``ledgerbridge api-key ...``: which users an API key may act as, and for what (R-S1, issue 15 item 4).

A host system that approves purchase invoices or connects the books names the user it acts for; the key must have
been granted that user for that purpose (``security.key_grants``). The command line runs on the server, so it is
where an administrator grants and revokes.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ledgerbridge.cli.context import STATE, console, fail, organisation_id, print_json
from ledgerbridge.security.key_grants import GrantRefused, KeyPurpose, grant, key_by_prefix, list_grants, revoke_grant
from ledgerbridge.store.db import session_scope
from ledgerbridge.sync.approvals import ApprovalRefused, find_user

app = typer.Typer(help="API keys: which users each key may act as, for approvals or administration.",
                  no_args_is_help=True)
OrgOpt = Annotated[int | None, typer.Option("--org", help="Organisation id (when there are several)")]
KeyArg = Annotated[str, typer.Argument(help="The key's prefix (its first 12 characters, as 'api-key list' shows)")]
UserOpt = Annotated[str, typer.Option("--user", help="The user the key acts as: sign-in email or name")]
PurposeOpt = Annotated[KeyPurpose, typer.Option("--for", help="approvals or administration")]


def _change(key_prefix: str, user_name: str, purpose: KeyPurpose, org: int | None, give: bool) -> None:
    try:
        with session_scope(STATE.sessions) as session:
            org_id = organisation_id(session, org)
            key = key_by_prefix(session, org_id, key_prefix)
            user = find_user(session, org_id, user_name)
            changed = grant(session, key, user, purpose) if give else revoke_grant(session, key, user, purpose)
            email, prefix = user.email, key.prefix
    except (GrantRefused, ApprovalRefused) as exc:
        fail(exc.message)
    verb = "may now act" if give else "may no longer act"
    note = "" if changed else (" (it already could)" if give else " (it could not)")
    console.print(f"API key {prefix} {verb} as {email} for {purpose.value}{note}.")


@app.command("grant")
def grant_command(key: KeyArg, user: UserOpt, purpose: PurposeOpt, org: OrgOpt = None) -> None:
    """Let the key act as the user for approvals (approve, send) or administration (connect, settings, rules)."""
    _change(key, user, purpose, org, give=True)


@app.command("revoke")
def revoke_command(key: KeyArg, user: UserOpt, purpose: PurposeOpt, org: OrgOpt = None) -> None:
    """Take a grant back: the key may no longer act as the user for that purpose."""
    _change(key, user, purpose, org, give=False)


@app.command("list")
def list_command(org: OrgOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The live keys' grants: key, user, purpose."""
    with session_scope(STATE.sessions) as session:
        grants = list_grants(session, organisation_id(session, org))
    if as_json:
        print_json([{"key": g.key_prefix, "key_name": g.key_name, "user": g.user, "purpose": g.purpose}
                    for g in grants])
        return
    table = Table("key", "name", "user", "purpose")
    for g in grants:
        table.add_row(g.key_prefix, g.key_name, g.user, g.purpose)
    console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="api-key")
