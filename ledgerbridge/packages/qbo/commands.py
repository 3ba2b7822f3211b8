"""``ledgerbridge sandbox qbo``: serve the QuickBooks Online sandbox in the foreground (registered through the
spec)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from ledgerbridge.cli.context import fail


def sandbox_command(host: Annotated[str, typer.Option()] = "127.0.0.1",
                    port: Annotated[int, typer.Option()] = 8766,
                    rate_limits: Annotated[bool, typer.Option(help="Apply QuickBooks Online's call limits")] = True,
                    us: Annotated[bool, typer.Option("--us", help="A US company (sales tax) instead of a UK one "
                                                                  "(VAT)")] = False) -> None:
    """Serve a local QuickBooks Online sandbox: the v3 API, OAuth and a books page, with QuickBooks' rules."""
    from ledgerbridge.packages.qbo.sandbox import SandboxConfig, serve_qbo_sandbox

    if host not in ("127.0.0.1", "localhost", "::1"):
        fail("the sandbox serves on loopback only")
    config = SandboxConfig.us() if us else SandboxConfig()
    serve_qbo_sandbox(replace(config, host=host, port=port, rate_limits_enabled=rate_limits))
