"""The ``ledgerbridge`` command line (Typer + Rich). Each step of the demo is a command of its own.

Setup and serving commands live here; sync commands in ``cli_sync``; the demo and the
benchmark in their own modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledgerbridge.cli.context import STATE, console, fail, organisation_id, print_json
from ledgerbridge.store.db import session_scope

app = typer.Typer(help="ledgerbridge: keep a host business system and its accounting package in step.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
sandbox_app = typer.Typer(help="Run a local sandbox of an accounting package.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")


@app.callback()
def main(db: Annotated[str | None, typer.Option(
        "--db",
        help="Database URL (default: the setting LEDGERBRIDGE_DATABASE_URL, else sqlite:///ledgerbridge.db; "
             "PostgreSQL: postgresql://user@host/db)")] = None,
         ) -> None:
    # None: the store falls back to the settings (ledgerbridge.config), the one reader of the environment.
    STATE.database_url = db


@app.command()
def init(org_name: Annotated[str, typer.Option("--org-name", help="The organisation's name")] = "My Company",
         base_currency: Annotated[str, typer.Option(help="Base currency")] = "GBP",
         admin_email: Annotated[str, typer.Option(help="The first administrator's sign-in")] = "admin@localhost",
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Create the database schema, an organisation, its first API key and its first administrator.

    The API key and the administrator's password are printed once; only hashes are stored.
    """
    import secrets

    from ledgerbridge.security.apikeys import issue_api_key
    from ledgerbridge.security.key_grants import grant_first_key
    from ledgerbridge.store.organisations import create_organisation
    from ledgerbridge.web.auth import AuthError, create_admin

    password = secrets.token_urlsafe(12)
    try:
        with session_scope(STATE.sessions) as session:
            org = create_organisation(session, org_name, base_currency)
            key = issue_api_key(session, org.id, "default")
            admin = create_admin(session, org.id, admin_email, password)
            grant_first_key(session, org.id, admin)
            result = {"organisation_id": org.id, "organisation": org.name, "api_key": key,
                      "admin_email": admin_email, "admin_password": password}
    except AuthError as exc:
        fail(f"{exc}: name another administrator with --admin-email (nothing was created)")
    if as_json:
        print_json(result)
        return
    console.print(f"Organisation [bold]{org_name}[/] created (id {result['organisation_id']}).")
    console.print(f"API key (shown once, keep it safe): [bold]{key}[/] (it may act as {admin_email} for approvals and "
                  "administration; 'ledgerbridge api-key grant' lets it act as others)")
    console.print(f"Sign in to the screens ('ledgerbridge serve') as [bold]{admin_email}[/] with password "
                  f"[bold]{password}[/] (shown once)")


@app.command()
def load(file: Annotated[Path, typer.Argument(help="A JSON batch: parties, items, codes, documents, payments")],
         org: Annotated[int | None, typer.Option("--org")] = None,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Load host records from a JSON file (idempotent by the host's ids; a bad record refuses the whole file)."""
    from ledgerbridge.intake.apply import IntakeError, load_file

    if not file.exists():
        fail(f"{file} does not exist")
    try:
        with session_scope(STATE.sessions) as session:
            result = load_file(session, organisation_id(session, org), file)
    except IntakeError as exc:
        if as_json:
            print_json({"ok": False, "errors": [{"record": e.record, "field": e.field, "message": e.message}
                                                for e in exc.errors]})
        else:
            console.print(f"[bold red]{file} was refused; nothing was written.[/]")
            for error in exc.errors[:50]:
                console.print(f"  - {error}")
            if len(exc.errors) > 50:
                console.print(f"  ... and {len(exc.errors) - 50} more")
        raise typer.Exit(2) from None
    data = result.model_dump()
    if as_json:
        print_json(data)
    else:
        console.print(f"Loaded {file}: {data}")


@app.command()
def serve(host: Annotated[str, typer.Option()] = "127.0.0.1", port: Annotated[int, typer.Option()] = 8000,
          worker: Annotated[bool, typer.Option(help="Run a background worker in this process")] = True) -> None:
    """Serve the REST API (OpenAPI at /docs), with a background worker for uploads and imports."""
    import uvicorn

    from ledgerbridge.api.app import create_app

    console.print(f"ledgerbridge API on http://{host}:{port} (docs at /docs)")
    uvicorn.run(create_app(STATE.engine, run_worker=worker), host=host, port=port, log_level="warning")


def _register_sandboxes() -> None:
    """``ledgerbridge sandbox <kind>``: each package's sandbox command, and the commands of its own that a package
    which polls us has (its setup file, its password), from its spec."""
    from ledgerbridge.packages.registry import PACKAGES

    for spec in PACKAGES:
        sandbox_app.command(spec.kind, help=f"Serve a local {spec.name} sandbox.")(spec.sandbox.command)
        for name, command in spec.polled.commands if spec.polled is not None else ():
            app.command(name)(command)


def _register() -> None:
    from ledgerbridge.bench import grids as bench_grids
    from ledgerbridge.bench import month as bench_month
    from ledgerbridge.bench import numbering as bench_numbering
    from ledgerbridge.bench import parties as bench_parties
    from ledgerbridge.bench import run as bench
    from ledgerbridge.bench import scale as bench_scale
    from ledgerbridge.cli import api_keys as cli_api_keys
    from ledgerbridge.cli import audit as cli_audit
    from ledgerbridge.cli import numbering as cli_numbering
    from ledgerbridge.cli import parties as cli_parties
    from ledgerbridge.cli import purchases as cli_purchases
    from ledgerbridge.cli import reconcile as cli_reconcile
    from ledgerbridge.cli import sync as cli_sync
    from ledgerbridge.cli import worker as cli_worker
    from ledgerbridge.demo import run as demo

    cli_sync.register(app)
    cli_parties.register(app)
    cli_reconcile.register(app)
    cli_purchases.register(app)
    cli_audit.register(app)
    cli_numbering.register(app)
    cli_api_keys.register(app)
    cli_worker.register(app)
    demo.register(app)
    bench.register(app, [bench_month.month])
    bench_grids.register(app)
    bench_scale.register(app)
    bench_numbering.register(app)
    bench_parties.register(app)
    _register_sandboxes()


_register()


def run() -> None:
    """The ``ledgerbridge`` command: a process of ledgerbridge's own, so its collector is tuned first
    (``ledgerbridge.cli.collector``) and its malloc arenas limited before any thread starts
    (``ledgerbridge.native_memory``); tests that invoke ``app`` in their own process leave theirs alone."""
    from ledgerbridge.cli.collector import tune_collector
    from ledgerbridge.config import get_settings
    from ledgerbridge.native_memory import limit_arenas

    limit_arenas(get_settings().malloc_arenas)
    tune_collector()
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
