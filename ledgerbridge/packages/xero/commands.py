"""``ledgerbridge sandbox xero``: serve the Xero sandbox in the foreground (registered through the spec)."""

from __future__ import annotations

from typing import Annotated

import typer

from ledgerbridge.cli.context import console, fail


def sandbox_command(host: Annotated[str, typer.Option()] = "127.0.0.1",
                    port: Annotated[int, typer.Option()] = 8765,
                    rate_limits: Annotated[bool, typer.Option(help="Apply Xero's call limits")] = True) -> None:
    """Serve a local Xero sandbox: Accounting and Identity APIs with Xero's behaviour."""
    from ledgerbridge.packages.xero.sandbox import SandboxConfig, serve_xero_sandbox

    if host not in ("127.0.0.1", "localhost", "::1"):
        fail("the sandbox serves on loopback only")
    config = SandboxConfig(host=host, port=port, rate_limits_enabled=rate_limits)
    console.print(f"Xero sandbox on http://{host}:{port} (client id {config.client_id!r}, "
                  f"client secret {config.client_secret!r}); its books at http://{host}:{port}/sandbox/")
    serve_xero_sandbox(config)
