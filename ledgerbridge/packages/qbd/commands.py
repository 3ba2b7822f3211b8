"""Command-line commands of QuickBooks Desktop: ``ledgerbridge qwc`` (the Web Connector's .qwc file), ``ledgerbridge
web-connector-password`` and ``ledgerbridge sandbox qbd``, registered through the package's spec.

The spec imports this module when the registry loads, so it imports nothing heavy at the top: each command
imports what it needs when it runs (``setup`` holds the work of the first two).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledgerbridge.cli.context import console, fail

__all__ = ["password_command", "qwc_command", "sandbox_command"]


def qwc_command(base_url: Annotated[str, typer.Option(
                    "--base-url", help="Where the service is reached from the PC with QuickBooks, e.g. "
                                       "https://sync.example.com/packages/qbd (http://localhost:PORT/... for "
                                       "development)")],
                output: Annotated[Path | None, typer.Option("--output", "-o", help="File or folder to write")] = None,
                connection: Annotated[int | None, typer.Option(help="Connection id (the only one if omitted)")] = None,
                org: Annotated[int | None, typer.Option(help="Organisation id")] = None) -> None:
    """Write the .qwc file to add to the QuickBooks Web Connector ("Add an application")."""
    from ledgerbridge.cli.context import STATE
    from ledgerbridge.packages.qbd.qwc import QwcError
    from ledgerbridge.packages.qbd.setup import connection_id_of, write_qwc

    try:
        path = write_qwc(STATE.sessions, connection_id_of(org, connection), base_url, output)
    except QwcError as exc:
        fail(str(exc))
    console.print(f"wrote {path}: add it to the Web Connector (Add an application), then enter the password set "
                  "with 'ledgerbridge web-connector-password'")


def password_command(connection: Annotated[int | None, typer.Option(help="Connection id")] = None,
                     org: Annotated[int | None, typer.Option(help="Organisation id")] = None) -> None:
    """Set a new Web Connector password for the connection and print it once."""
    from ledgerbridge.cli.context import STATE
    from ledgerbridge.packages.qbd.setup import connection_id_of, reset_password
    from ledgerbridge.packages.qbd.webconnector.credentials import CredentialError

    try:
        user, password = reset_password(STATE.sessions, connection_id_of(org, connection))
    except CredentialError as exc:
        fail(str(exc))
    console.print(f"Web Connector user: {user}")
    console.print(f"Web Connector password: {password}", markup=False, highlight=False)
    console.print("It is shown only now: type it into the Web Connector's Password column. The previous password "
                  "no longer works.")


def sandbox_command(host: Annotated[str, typer.Option()] = "127.0.0.1",
                    port: Annotated[int, typer.Option()] = 8788,
                    flavour: Annotated[str, typer.Option(help="The edition: US, UK or CA")] = "US",
                    multi_currency: Annotated[bool, typer.Option(
                        "--multi-currency", help="A company with multicurrency on (QuickBooks cannot turn it off "
                                                 "again)")] = False,
                    qwc: Annotated[Path | None, typer.Option(help="A .qwc file: run a Web Connector on it too")] = None,
                    password: Annotated[str | None, typer.Option(
                        help="The Web Connector password (with --qwc); asked for when omitted")] = None,
                    every: Annotated[float | None, typer.Option(
                        help="Seconds between updates (with --qwc; default: the .qwc's schedule)")] = None,
                    pause: Annotated[float | None, typer.Option(
                        help="Seconds the Web Connector waits after a NoOp (with --qwc; default: 5, as the real "
                             "one; the bench: 0)")] = None) -> None:
    """Serve a local QuickBooks Desktop (its books page) and, with --qwc, a Web Connector that polls ledgerbridge."""
    import threading

    from ledgerbridge.packages.qbd.program import Pause
    from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany, serve_qbd_sandbox
    from ledgerbridge.packages.qbd.sandbox.web_connector import WebConnectorRefused, WebConnectorSimulator

    if host not in ("127.0.0.1", "localhost", "::1"):
        fail("the sandbox serves on loopback only")
    if flavour not in ("US", "UK", "CA"):
        fail(f"--flavour must be US, UK or CA, not {flavour!r}")
    company = QuickBooksCompany(CompanyConfig(flavour=flavour,  # type: ignore[arg-type]  # checked just above
                                              multi_currency=multi_currency))
    if qwc is not None:
        secret = password if password is not None else typer.prompt("Web Connector password", hide_input=True)
        try:
            clock = None if pause is None else Pause(pause)
            connector = WebConnectorSimulator(qwc, secret, company, country=flavour, clock=clock,
                                              max_round_trips=1_000_000)
            connector.add_application()
        except WebConnectorRefused as exc:
            fail(str(exc))
        threading.Thread(target=connector.run_scheduled, kwargs={"interval_seconds": every}, daemon=True,
                         name="qbd-web-connector").start()
        console.print(f"Web Connector: {connector.application.app_name} -> {connector.application.app_url}")
    serve_qbd_sandbox(company, host=host, port=port)
