"""Command-line functions for the Web Connector: ``ledgerbridge qwc`` (the .qwc file) and setting its password.

Plain functions (``write_qwc``, ``reset_password``) and the Typer commands over them (``qwc_command``,
``password_command``) that the CLI registers through the package's spec. The password is printed once, to the
terminal that asked for it, and never logged or audited (the audit trail says it was set, by whom).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.cli.context import STATE, console, fail, organisation_id
from ledgerbridge.connectors.connections import organisation_connection
from ledgerbridge.packages.qbd.qwc import QwcError, qwc_for_connection
from ledgerbridge.packages.qbd.webconnector.credentials import CredentialError, credentials_for, set_password
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection

__all__ = ["password_command", "qwc_command", "reset_password", "write_qwc"]


def write_qwc(sessions: sessionmaker[Session], connection_id: int, base_url: str, output: Path | None = None) -> Path:
    """Write the connection's .qwc file (to ``output``, or its own name in the current folder); returns the path."""
    with session_scope(sessions) as session:
        name, content = qwc_for_connection(session, connection_id, base_url)
    path = output if output is not None else Path(name)
    if path.is_dir():
        path = path / name
    path.write_bytes(content)
    return path


def reset_password(sessions: sessionmaker[Session], connection_id: int, actor: str = "cli",
                   password: str | None = None) -> tuple[str, str]:
    """Set a new Web Connector password (generated unless given); returns ``(user name, password)`` to show once.
    The old password stops working at once."""
    with session_scope(sessions) as session:
        new_password = set_password(session, connection_id, password)
        credential = credentials_for(session, connection_id)
        assert credential is not None  # set_password made it
        audit(session, session.get_one(Connection, connection_id), actor, "set_web_connector_password",
              outcome="ok", detail=f"Web Connector user {credential.user_name}")
        return credential.user_name, new_password


def _connection_id(org: int | None, connection: int | None) -> int:
    with session_scope(STATE.sessions) as session:
        try:
            return organisation_connection(session, organisation_id(session, org), connection).id
        except LookupError as exc:
            fail(str(exc))


def qwc_command(base_url: Annotated[str, typer.Option(
                    "--base-url", help="Where the service is reached from the PC with QuickBooks, e.g. "
                                       "https://sync.example.com/packages/qbd (http://localhost:PORT/... for "
                                       "development)")],
                output: Annotated[Path | None, typer.Option("--output", "-o", help="File or folder to write")] = None,
                connection: Annotated[int | None, typer.Option(help="Connection id (the only one if omitted)")] = None,
                org: Annotated[int | None, typer.Option(help="Organisation id")] = None) -> None:
    """Write the .qwc file to add to the QuickBooks Web Connector ("Add an application")."""
    try:
        path = write_qwc(STATE.sessions, _connection_id(org, connection), base_url, output)
    except QwcError as exc:
        fail(str(exc))
    console.print(f"wrote {path}: add it to the Web Connector (Add an application), then enter the password set "
                  "with 'ledgerbridge web-connector-password'")


def password_command(connection: Annotated[int | None, typer.Option(help="Connection id")] = None,
                     org: Annotated[int | None, typer.Option(help="Organisation id")] = None) -> None:
    """Set a new Web Connector password for the connection and print it once."""
    try:
        user, password = reset_password(STATE.sessions, _connection_id(org, connection))
    except CredentialError as exc:
        fail(str(exc))
    console.print(f"Web Connector user: {user}")
    console.print(f"Web Connector password: {password}", markup=False, highlight=False)
    console.print("It is shown only now: type it into the Web Connector's Password column. The previous password "
                  "no longer works.")


def sandbox_command(host: Annotated[str, typer.Option()] = "127.0.0.1",
                    port: Annotated[int, typer.Option()] = 8788,
                    flavour: Annotated[str, typer.Option(help="The edition: US, UK or CA")] = "US",
                    qwc: Annotated[Path | None, typer.Option(help="A .qwc file: run a Web Connector on it too")] = None,
                    password: Annotated[str | None, typer.Option(
                        help="The Web Connector password (with --qwc); asked for when omitted")] = None,
                    every: Annotated[float | None, typer.Option(
                        help="Seconds between updates (with --qwc; default: the .qwc's schedule)")] = None) -> None:
    """Serve a local QuickBooks Desktop (its books page) and, with --qwc, a Web Connector that polls ledgerbridge."""
    import threading

    from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany, serve_qbd_sandbox
    from ledgerbridge.packages.qbd.sandbox.web_connector import WebConnectorRefused, WebConnectorSimulator

    if host not in ("127.0.0.1", "localhost", "::1"):
        fail("the sandbox serves on loopback only")
    if flavour not in ("US", "UK", "CA"):
        fail(f"--flavour must be US, UK or CA, not {flavour!r}")
    company = QuickBooksCompany(CompanyConfig(flavour=flavour))  # type: ignore[arg-type]  # checked just above
    if qwc is not None:
        secret = password if password is not None else typer.prompt("Web Connector password", hide_input=True)
        try:
            connector = WebConnectorSimulator(qwc, secret, company, country=flavour)
            connector.add_application()
        except WebConnectorRefused as exc:
            fail(str(exc))
        threading.Thread(target=connector.run_scheduled, kwargs={"interval_seconds": every}, daemon=True,
                         name="qbd-web-connector").start()
        console.print(f"Web Connector: {connector.application.app_name} -> {connector.application.app_url}")
    serve_qbd_sandbox(company, host=host, port=port)
